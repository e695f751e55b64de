import type { SnapshotStore } from '../archive/index.ts';
import type { JobDefinition } from '../config/job-definition.ts';
import { QUALITATIVE_STATUS_LABELS, TASK_STATUS_LABELS, type QualitativeStatus, type TaskStatus } from '../domain/figures.ts';
import { formatNumber, formatSigned } from '../domain/format.ts';
import type { Period } from '../domain/period.ts';
import type { Indicator, Report } from '../domain/report.ts';
import { previousFigures } from '../pipeline/previous-figures.ts';

type LastIndicator = { value?: number; yoy?: number; status?: QualitativeStatus };
type LastTask = { status?: TaskStatus };

/** Last period's figures as the template shows them, and where they were taken from. */
export interface LastPeriod {
  readonly period?: Period;
  /** `archive v3` (the period's newest snapshot), `files` (the source), or `none`. */
  readonly from: string;
  readonly indicators: ReadonlyMap<string, LastIndicator>;
  readonly tasks: ReadonlyMap<string, LastTask>;
}

/**
 * The previous period's figures: from the archive's newest snapshot of it (what was briefed),
 * else from the job's source; none for a year's first period or when neither has them.
 */
export async function lastPeriodFigures(archive: SnapshotStore, job: JobDefinition, report: Report, period: Period): Promise<LastPeriod> {
  const prev = await previousFigures(archive, job, report, period);
  if (prev.from === 'none') return { ...(prev.period ? { period: prev.period } : {}), from: 'none', indicators: new Map(), tasks: new Map() };
  const { figures } = prev;
  return { period: figures.period, from: prev.from === 'archive' ? `archive v${prev.version}` : 'files', indicators: figures.indicators, tasks: figures.tasks };
}

/** One indicator's last figure as a line of text (12.3亿元，同比+4.5%), or — when there is none. */
export function lastIndicatorText(ind: Indicator, f: LastIndicator | undefined): string {
  if (!f) return '—';
  const parts: string[] = [];
  const unit = ind.kind === 'growth' || ind.kind === 'relative' ? (ind.valueUnit ?? '') : ind.unit;
  if (f.value !== undefined) parts.push(`${formatNumber(f.value)}${unit}`);
  if (f.yoy !== undefined) parts.push(`同比${formatSigned(f.yoy)}%`);
  if (f.status !== undefined) parts.push(QUALITATIVE_STATUS_LABELS[f.status]);
  return parts.length > 0 ? parts.join('，') : '—';
}

export function lastTaskText(f: LastTask | undefined): string {
  return f?.status ? TASK_STATUS_LABELS[f.status] : '—';
}
