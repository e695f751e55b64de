import { loadJobDefinition, type JobDefinition } from '../config/job-definition.ts';
import { loadTargets } from '../config/targets-file.ts';
import { evaluate, type Evaluation } from '../domain/evaluate.ts';
import type { Figures } from '../domain/figures.ts';
import type { InputIssue } from '../domain/issues.ts';
import type { Period } from '../domain/period.ts';
import type { Report } from '../domain/report.ts';
import { isoDateInZone } from '../domain/format.ts';
import { buildBriefingModel, type BriefingModel } from '../render/briefing-model.ts';
import { fetchFigures, type SourceInput } from '../sources/index.ts';
import { checkPlausibility } from '../domain/plausibility.ts';
import type { IgnoredRow, RawTable } from '../domain/figure-table.ts';
import { InputError } from '../domain/issues.ts';
import { parsePeriod } from '../domain/period.ts';
import { createSnapshotStore, type SnapshotStore } from '../archive/index.ts';
import type { Settings } from '../config/settings.ts';
import { checkNote, checkPeriodInYear } from './request-checks.ts';
import { previousFigures } from './previous-figures.ts';

export { MAX_NOTE_CHARS, checkNote, checkPeriodInYear } from './request-checks.ts';

export type Stage = 'loading' | 'fetching' | 'validating' | 'evaluating' | 'rendering' | 'archiving' | 'delivering';

export interface BriefingRequest {
  readonly reportId: string;
  readonly period: Period;
  /** Read figures from this file instead of the job's source. */
  readonly figuresFile?: string;
  readonly note?: string;
}

export interface Prepared {
  readonly job: JobDefinition;
  readonly report: Report;
  readonly figures: Figures;
  readonly inputs: readonly SourceInput[];
  readonly warnings: readonly InputIssue[];
  /** Source rows that name no indicator (statistics tables), for `check` to list. */
  readonly ignored: readonly IgnoredRow[];
  readonly evaluation: Evaluation;
  readonly model: BriefingModel;
  readonly issuedAt: Date;
}

export type PrepareResult = { readonly kind: 'ready'; readonly prepared: Prepared } | { readonly kind: 'not-ready'; readonly reason: string; readonly job: JobDefinition };

/**
 * Source → figures → validation → evaluation → the briefing's model. Throws InputError for
 * bad input; returns not-ready when the source has nothing for the period yet.
 */
export async function prepareBriefing(req: BriefingRequest, settings: Settings, onStage: (s: Stage) => void = () => {}): Promise<PrepareResult> {
  onStage('loading');
  checkNote(req.note);
  const job = await loadJobDefinition(settings.jobsDir, req.reportId);
  const report = await loadTargets(job.targetsFile, job.id);
  checkPeriodInYear(req.period, report, job.targetsFile);
  onStage('fetching');
  const tableCache = new Map<string, Promise<RawTable>>(); // this run only: a corrected file is always read afresh
  const read = await fetchFigures(job, report, req.period, { tableCache, now: settings.clock(), ...(req.figuresFile ? { overrideFile: req.figuresFile } : {}) });
  if (read.kind === 'not-ready') return { kind: 'not-ready', reason: read.reason, job };
  onStage('validating');
  // The previous period as briefed (its newest snapshot) when the archive has it: no source read.
  const previous = await previousFigures(() => createSnapshotStore(settings), job, report, req.period, { tableCache });
  const findings = checkPlausibility(report, read.figures, previous.from === 'none' ? undefined : previous.figures);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) throw new InputError(errors);
  const warnings = [...read.warnings, ...findings];
  onStage('evaluating');
  const evaluation = evaluate(report, read.figures);
  const issuedAt = settings.clock();
  const model = buildBriefingModel(report, read.figures, evaluation, {
    issueDate: isoDateInZone(issuedAt, job.schedule.timezone),
    name: job.briefing.name,
    ...(job.briefing.sent_to ? { sentTo: job.briefing.sent_to } : {}),
    ...(job.briefing.copied_to ? { copiedTo: job.briefing.copied_to } : {}),
    ...(req.note ? { note: req.note } : {}),
    warnings,
    issueNumbering: job.briefing.issue_numbering,
    ...(job.briefing.issue_numbering === 'sequential' ? { briefedPeriods: await briefedPeriods(createSnapshotStore(settings), req.reportId) } : {}),
  });
  return {
    kind: 'ready',
    prepared: { job, report, figures: read.figures, inputs: read.inputs, warnings, ignored: read.ignored ?? [], evaluation, model, issuedAt },
  };
}

/** The periods the archive holds a briefing of for this report. */
async function briefedPeriods(archive: SnapshotStore, reportId: string): Promise<Period[]> {
  const names = [...new Set((await archive.list(reportId)).map((s) => s.period))];
  return names.flatMap((n) => {
    try {
      return [parsePeriod(n)];
    } catch {
      return [];
    }
  });
}
