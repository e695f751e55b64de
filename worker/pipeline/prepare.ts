import path from 'node:path';
import { loadJobDefinition, type JobDefinition } from '../config/job-definition.ts';
import { loadTargets } from '../config/targets-file.ts';
import { evaluate, type Evaluation } from '../domain/evaluate.ts';
import type { Figures } from '../domain/figures.ts';
import type { InputIssue } from '../domain/issues.ts';
import type { Period } from '../domain/period.ts';
import type { Report } from '../domain/report.ts';
import { isoDateInZone } from '../domain/format.ts';
import { buildBriefingModel, type BriefingModel } from '../render/briefing-model.ts';
import { readFigureFiles } from '../sources/file-source.ts';
import type { Settings } from './settings.ts';

export type Stage = 'loading' | 'fetching' | 'evaluating' | 'rendering' | 'archiving' | 'delivering';

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
  readonly figureFiles: readonly { readonly label: string; readonly path: string }[];
  readonly warnings: readonly InputIssue[];
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
  const job = await loadJobDefinition(settings.jobsDir, req.reportId);
  const report = await loadTargets(job.targetsFile, job.id);
  onStage('fetching');
  const cwd = process.cwd();
  const source = req.figuresFile ? path.resolve(cwd, req.figuresFile) : job.sourcePath;
  const read = await readFigureFiles(source, report, req.period, cwd);
  if (read.kind === 'not-ready') return { kind: 'not-ready', reason: read.reason, job };
  onStage('evaluating');
  const evaluation = evaluate(report, read.figures);
  const issuedAt = settings.clock();
  const model = buildBriefingModel(report, read.figures, evaluation, {
    issueDate: isoDateInZone(issuedAt, job.schedule.timezone),
    name: job.briefing.name,
    ...(job.briefing.sent_to ? { sentTo: job.briefing.sent_to } : {}),
    ...(job.briefing.copied_to ? { copiedTo: job.briefing.copied_to } : {}),
    ...(req.note ? { note: req.note } : {}),
    warnings: read.warnings,
  });
  return {
    kind: 'ready',
    prepared: { job, report, figures: read.figures, figureFiles: read.files, warnings: read.warnings, evaluation, model, issuedAt },
  };
}
