import { FIGURES_NAME, type SnapshotStore } from '../archive/index.ts';
import type { JobDefinition } from '../config/job-definition.ts';
import type { RawTable } from '../domain/figure-table.ts';
import type { Figures, IndicatorFigure, TaskFigure } from '../domain/figures.ts';
import { periodId, previousPeriod, type Period } from '../domain/period.ts';
import type { Report } from '../domain/report.ts';
import { fetchFigures } from '../sources/index.ts';

/** The previous period's figures, and where they were taken from. */
export type PreviousFigures =
  /** The newest snapshot of the period: what leadership was shown. */
  | { readonly from: 'archive'; readonly version: number; readonly figures: Figures }
  /** The job's source, read afresh: the archive holds no briefing of the period. */
  | { readonly from: 'files'; readonly figures: Figures }
  /** A year's first period, or neither the archive nor the source has the period. */
  | { readonly from: 'none'; readonly period?: Period };

/**
 * The previous period's figures: from the archive's newest snapshot of it (the store, or a
 * builder of it), else from the job's source. Best effort: the previous period's own problems
 * are its own run's to report, so an unreadable snapshot falls back to the source and an
 * unreadable source gives none.
 */
export async function previousFigures(
  archive: SnapshotStore | (() => SnapshotStore),
  job: JobDefinition,
  report: Report,
  period: Period,
  opts: { readonly tableCache?: Map<string, Promise<RawTable>> } = {},
): Promise<PreviousFigures> {
  const prev = previousPeriod(period);
  if (!prev) return { from: 'none' };
  // A store that cannot be built (a bad JIBAO_ARCHIVE_URL) is for `run` to refuse, not for this to.
  const stored = await Promise.resolve()
    .then(() => storedFigures(typeof archive === 'function' ? archive() : archive, report.id, prev))
    .catch(() => undefined);
  if (stored) return { from: 'archive', ...stored };
  try {
    const r = await fetchFigures(job, report, prev, { ...(opts.tableCache ? { tableCache: opts.tableCache } : {}), http: { baseDelayMs: 0 } });
    return r.kind === 'ready' ? { from: 'files', figures: r.figures } : { from: 'none', period: prev };
  } catch {
    return { from: 'none', period: prev };
  }
}

/** The figures the newest snapshot of a period stored (data/figures.json), back as Figures. */
async function storedFigures(archive: SnapshotStore, reportId: string, period: Period): Promise<{ version: number; figures: Figures } | undefined> {
  const version = await archive.latestVersion(reportId, periodId(period));
  if (version === undefined) return undefined;
  const snap = await archive.read(reportId, periodId(period), version);
  const f = JSON.parse((await archive.readFile(snap, FIGURES_NAME)).toString('utf8')) as {
    asOf?: string | null;
    sources?: string[];
    indicators: Record<string, IndicatorFigure>;
    tasks: Record<string, TaskFigure>;
  };
  const figures: Figures = {
    reportId,
    period,
    indicators: new Map(Object.entries(f.indicators)),
    tasks: new Map(Object.entries(f.tasks)),
    ...(f.asOf ? { asOf: f.asOf } : {}),
    sources: f.sources ?? [],
  };
  return { version, figures };
}
