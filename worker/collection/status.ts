import { carries, mergeFigures } from '../domain/figure-table.ts';
import { InputError, type InputIssue } from '../domain/issues.ts';
import { periodId, type Period } from '../domain/period.ts';
import type { Report } from '../domain/report.ts';
import type { JobDefinition } from '../config/job-definition.ts';
import { readFolder } from './returns.ts';
import { jobDueDate } from './due.ts';
import { reportingUnits } from './units.ts';

/**
 * returned: every row filled, no error. incomplete: returned without errors, some rows blank.
 * errors: the return (or a clash with another file) has errors. missing: no return yet.
 */
export type ReturnState = 'returned' | 'incomplete' | 'errors' | 'missing';

export interface UnitReturn {
  readonly unit: string;
  readonly state: ReturnState;
  /** The unit's return file(s), as messages name them. */
  readonly files: readonly string[];
  /** Ids of the unit's indicators and tasks with no figure in its return. */
  readonly blank: readonly string[];
  readonly issues: readonly InputIssue[];
}

export interface ReturnsStatus {
  readonly report: string;
  readonly period: string;
  readonly due?: string;
  readonly units: readonly UnitReturn[];
  /** Files in the folder for the period that are no unit's return (a statistics office's table). */
  readonly otherFiles: readonly string[];
  /** Problems of those other files, and twice-reported figures that involve no return. */
  readonly otherIssues: readonly InputIssue[];
}

/** Which lead units have returned their figures for `period`, which have not, which with errors. */
export async function returnsStatus(job: JobDefinition, report: Report, period: Period, today: string): Promise<ReturnsStatus> {
  const due = await jobDueDate(job, period);
  const files = await readFolder(job, report, period, today);
  const errorsOf = (issues: readonly InputIssue[]) => issues.filter((i) => i.severity === 'error');
  // Clashes between files (one figure in two files as of the same date) belong to both.
  let clashes: InputIssue[] = [];
  try {
    mergeFigures(report.id, period, files.flatMap((f) => (f.read && errorsOf(f.read.issues).length === 0 ? [f.read] : [])));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    clashes = [...e.issues];
  }
  const involves = (label: string) => (i: InputIssue) => i.file === label || i.message.includes(label);
  const units: UnitReturn[] = reportingUnits(report).map((u) => {
    const mine = files.filter((f) => f.meta?.unit === u.unit);
    if (mine.length === 0) return { unit: u.unit, state: 'missing', files: [], blank: [], issues: [] };
    const issues = [...mine.flatMap((f) => errorsOf(f.read?.issues ?? [])), ...clashes.filter((c) => mine.some((f) => involves(f.label)(c)))];
    const filled = new Set<string>();
    for (const f of mine) {
      for (const x of f.read?.indicators ?? []) if (carries(x)) filled.add(x.indicatorId);
      for (const x of f.read?.tasks ?? []) if (carries(x)) filled.add(x.taskId);
    }
    const blank = [...u.indicators.map((i) => i.id), ...u.tasks.map((t) => t.id)].filter((id) => !filled.has(id));
    const state: ReturnState = issues.length > 0 ? 'errors' : blank.length > 0 ? 'incomplete' : 'returned';
    return { unit: u.unit, state, files: mine.map((f) => f.label), blank, issues };
  });
  const others = files.filter((f) => !f.meta || !units.some((u) => u.unit === f.meta!.unit));
  const claimed = new Set(units.flatMap((u) => u.issues));
  return {
    report: report.id,
    period: periodId(period),
    ...(due ? { due } : {}),
    units,
    otherFiles: others.map((f) => f.label),
    otherIssues: [...others.flatMap((f) => errorsOf(f.read?.issues ?? [])), ...clashes.filter((c) => !claimed.has(c))],
  };
}
