import type { Evaluation, IndicatorEvaluation, MonitorEvaluation, Status, StatusCounts, TaskEvaluation } from '../domain/evaluate.ts';
import { STATUS_LABELS, STATUSES } from '../domain/evaluate.ts';
import type { Figures } from '../domain/figures.ts';
import { TASK_STATUS_LABELS, type TaskStatus } from '../domain/figures.ts';
import type { InputIssue } from '../domain/issues.ts';
import type { Period } from '../domain/period.ts';
import { monthRangeLabel, monthsElapsed, periodId, periodName, periodTitle } from '../domain/period.ts';
import type { Indicator, Report } from '../domain/report.ts';
import { chineseDate, decimalsFor, formatNumber, formatPoints, formatQuantity, formatSigned } from '../domain/format.ts';

/**
 * Everything a briefing template can show, with numbers already formatted the way the
 * briefing prints them. Optional values are null, never absent, so templates run in
 * Handlebars' strict mode and a misspelt field is an error instead of a blank.
 */
export interface BriefingModel {
  readonly briefing: {
    readonly name: string;
    readonly issueNumber: number;
    readonly office: string;
    readonly date: string;
    readonly title: string;
    readonly sentTo: string | null;
    readonly copiedTo: string | null;
  };
  readonly report: {
    readonly id: string;
    readonly title: string;
    readonly document: string;
    readonly region: string;
    readonly office: string;
    readonly sampleData: boolean;
    readonly sampleNotice: string | null;
    readonly sourceNotice: string | null;
  };
  readonly period: PeriodModel;
  readonly asOf: string | null;
  readonly counts: CountsModel;
  readonly taskCounts: CountsModel;
  /**
   * The indicator statuses of this period in summary order, with labels and counts: 达序时/滞后/
   * 严重滞后/(年底考核)/缺数据 during the year; (超额完成)/完成/未完成/缺数据 at its last period.
   * Tables, charts and sentences iterate this instead of naming statuses.
   */
  readonly statuses: readonly StatusCountModel[];
  /** The same, only those with a count: for sentences (完成20项，未完成3项). */
  readonly statusesCounted: readonly StatusCountModel[];
  /** Key tasks by their staff-set progress (已完成/序时推进/滞后/未启动/未报送), those with a count. */
  readonly taskStatuses: readonly { readonly label: string; readonly count: number }[];
  /** Monitor indicators (监测指标): value and 同比, no target, no status. */
  readonly monitors: readonly MonitorRow[];
  /** Seasonal indicators compared with last year's progress: their 时序进度 cell is marked with "*". */
  readonly lastYearBasis: boolean;
  readonly sections: readonly SectionModel[];
  readonly lagging: readonly IndicatorRow[];
  readonly missing: readonly IndicatorRow[];
  /** Cumulative indicators with a completion figure, for the completion chart. */
  readonly completion: readonly IndicatorRow[];
  readonly tasks: readonly TaskRow[];
  readonly sources: readonly string[];
  readonly warnings: readonly string[];
  readonly note: string | null;
  readonly version: number | null;
  /** What differs from the previous version of the same period (更正说明), with that version's number. */
  readonly changes: readonly string[];
  readonly changesFrom: number | null;
}

export interface PeriodModel {
  readonly id: string;
  readonly year: number;
  readonly name: string;
  readonly title: string;
  readonly months: string;
  readonly schedule: string;
  /** The year's last period (Q4, 12月): statuses are 完成/未完成, the table has no 时序进度 column. */
  readonly yearEnd: boolean;
}

export interface CountsModel extends StatusCounts {
  readonly total: number;
}

export interface StatusCountModel {
  readonly status: Status;
  readonly label: string;
  readonly count: number;
  /** Key tasks in the same tone (during the year only; at year end tasks keep their own labels). */
  readonly taskCount: number;
}

export interface MonitorRow {
  readonly id: string;
  readonly name: string;
  readonly unit: string;
  readonly actual: string;
  readonly yoy: string;
  readonly baseline: string;
  readonly lead: string;
  readonly explanation: string;
  readonly note: string | null;
}

export interface SectionModel {
  readonly index: number;
  readonly name: string;
  readonly indicators: readonly IndicatorRow[];
  readonly tasks: readonly TaskRow[];
}

export interface IndicatorRow {
  readonly id: string;
  readonly name: string;
  readonly kind: Indicator['kind'];
  readonly unit: string;
  readonly target: string;
  readonly actual: string;
  readonly yoy: string;
  readonly completion: string;
  readonly schedule: string;
  readonly gap: string;
  readonly status: Status;
  readonly statusLabel: string;
  readonly lead: string;
  readonly explanation: string;
  readonly note: string | null;
}

export interface TaskRow {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly milestone: string | null;
  readonly deadline: string | null;
  readonly status: Status;
  readonly statusLabel: string;
  readonly note: string | null;
  readonly lead: string;
}

/**
 * How a report numbers its briefings (第N期), one scheme per report: `per-kind` counts quarters and
 * months apart (Q3 is 第3期, 2023-06 第6期); `sequential` counts every briefing of the year in the
 * order of the periods, whatever their kind (2023-06 then 2023Q3 are 第1期 and 第2期).
 */
export type IssueNumbering = 'per-kind' | 'sequential';

export interface BriefingMeta {
  /** The date printed on the masthead and the closing block (ISO). */
  readonly issueDate: string;
  readonly name: string;
  readonly sentTo?: string;
  readonly copiedTo?: string;
  readonly note?: string;
  readonly version?: number;
  readonly warnings?: readonly InputIssue[];
  readonly issueNumbering?: IssueNumbering;
  /** The report's periods already briefed (any year, any kind): what `sequential` numbering counts. */
  readonly briefedPeriods?: readonly Period[];
}

const DASH = '—';

export function buildBriefingModel(report: Report, figures: Figures, evaluation: Evaluation, meta: BriefingMeta): BriefingModel {
  const period = evaluation.period;
  const rows = new Map(evaluation.indicators.map((e) => [e.indicator.id, indicatorRow(e)]));
  const taskRows = new Map(evaluation.tasks.map((t) => [t.task.id, taskRow(t)]));
  const statuses = evaluation.scheme.statuses
    .filter((s) => !s.optional || evaluation.counts[s.status] > 0)
    .map((s) => ({ status: s.status, label: s.label, count: evaluation.counts[s.status], taskCount: evaluation.taskCounts[s.status] }));
  return {
    briefing: {
      name: meta.name,
      issueNumber: issueNumber(period, meta.issueNumbering ?? 'per-kind', meta.briefedPeriods ?? []),
      office: report.office,
      date: chineseDate(meta.issueDate),
      title: briefingTitle(report.title, period),
      sentTo: meta.sentTo ?? null,
      copiedTo: meta.copiedTo ?? null,
    },
    report: {
      id: report.id,
      title: report.title,
      document: report.document,
      region: report.region,
      office: report.office,
      sampleData: report.sampleData,
      sampleNotice: report.sampleNotice ?? null,
      sourceNotice: report.sourceNotice ?? null,
    },
    period: periodModel(period, evaluation.schedule, evaluation.scheme.yearEnd),
    asOf: figures.asOf ? chineseDate(figures.asOf) : null,
    counts: withTotal(evaluation.counts),
    taskCounts: withTotal(evaluation.taskCounts),
    statuses,
    statusesCounted: statuses.filter((s) => s.count > 0),
    taskStatuses: taskStatusCounts(evaluation.tasks),
    monitors: evaluation.monitors.map(monitorRow),
    lastYearBasis: evaluation.indicators.some((e) => e.scheduleBasis === 'last_year'),
    sections: evaluation.sections
      .filter((s) => s.indicators.length + s.tasks.length > 0)
      .map((s, i) => ({
        index: i + 1,
        name: s.section.name,
        indicators: s.indicators.map((e) => rows.get(e.indicator.id)!),
        tasks: s.tasks.map((t) => taskRows.get(t.task.id)!),
      })),
    lagging: evaluation.lagging.map((e) => rows.get(e.indicator.id)!),
    missing: evaluation.indicators.filter((e) => e.status === 'missing').map((e) => rows.get(e.indicator.id)!),
    completion: evaluation.indicators.filter((e) => e.completion !== undefined).map((e) => rows.get(e.indicator.id)!),
    tasks: evaluation.tasks.map((t) => taskRows.get(t.task.id)!),
    sources: reportingUnits(figures),
    // The rule id is for staff at the command line; the briefing keeps the sentence.
    warnings: (meta.warnings ?? []).map((w) => w.message.replace(/^\[[a-z0-9-]+\] /, '')),
    note: meta.note ?? null,
    version: meta.version ?? null,
    changes: [],
    changesFrom: null,
  };
}

/** "玉泉区2023年政府工作报告…" → "玉泉区2023年前三季度政府工作报告…" */
export function briefingTitle(reportTitle: string, p: Period): string {
  const year = `${p.year}年`;
  return reportTitle.includes(year) ? reportTitle.replace(year, periodTitle(p)) : `${periodTitle(p)}${reportTitle}`;
}

/**
 * The units that reported the figures (区统计局, 区财政局 …, the figures' 来源), in order of first
 * appearance; empty when the figures name none. Never the files they came from: a leader reads this.
 */
function reportingUnits(f: Figures): string[] {
  const units = new Set<string>();
  for (const x of [...f.indicators.values(), ...f.tasks.values()]) if (x.source) units.add(x.source);
  return [...units];
}

/**
 * The issue number of a briefing on `p`. Sequential: the distinct periods of p's year among those
 * briefed, with p itself, that end no later than p (a month before the quarter ending with it), so a
 * period keeps its number however often it is rerun.
 */
export function issueNumber(p: Period, numbering: IssueNumbering, briefed: readonly Period[]): number {
  if (numbering === 'per-kind') return p.kind === 'quarter' ? p.quarter : p.month;
  const key = (x: Period) => monthsElapsed(x) * 2 + (x.kind === 'quarter' ? 1 : 0);
  const ids = new Set([p, ...briefed].filter((x) => x.year === p.year && key(x) <= key(p)).map(periodId));
  return ids.size;
}

function periodModel(p: Period, schedule: number, yearEnd: boolean): PeriodModel {
  return { id: periodId(p), year: p.year, name: periodName(p), title: periodTitle(p), months: monthRangeLabel(p), schedule: formatPoints(schedule), yearEnd };
}

function withTotal(c: StatusCounts): CountsModel {
  return { ...c, total: STATUSES.reduce((n, s) => n + c[s], 0) };
}

const TASK_ORDER: readonly TaskStatus[] = ['done', 'on_schedule', 'behind', 'not_started'];

function taskStatusCounts(tasks: readonly TaskEvaluation[]): { label: string; count: number }[] {
  const out = TASK_ORDER.map((s) => ({ label: TASK_STATUS_LABELS[s], count: tasks.filter((t) => t.taskStatus === s).length }));
  out.push({ label: '未报送进展', count: tasks.filter((t) => t.taskStatus === undefined).length });
  return out.filter((x) => x.count > 0);
}

/** A target as the work report writes it (6左右, 300以上), in the indicator's decimals when it sets them. */
function targetText(ind: IndicatorEvaluation['indicator']): string {
  const q = ind.qualifier && !['同步', '完成上级下达任务'].includes(ind.qualifier) ? ind.qualifier : '';
  if (ind.kind === 'qualitative' || ind.kind === 'relative') return ind.targetText;
  return `${formatNumber(ind.target, ind.decimals)}${q}`;
}

/** The unit column: a growth row's target and 同比 are rates, its amount carries its own unit. */
const GROWTH_UNIT = '增速（%）';

function monitorRow(e: MonitorEvaluation): MonitorRow {
  const ind = e.indicator;
  const f = e.figure;
  return {
    id: ind.id,
    name: ind.name,
    unit: ind.unit || DASH,
    actual: f?.value !== undefined ? formatQuantity(f.value, ind.unit, ind.decimals) : DASH,
    yoy: f?.yoy !== undefined ? formatPoints(f.yoy) : DASH,
    baseline: ind.baseline !== undefined ? formatQuantity(ind.baseline, ind.unit, ind.decimals) : DASH,
    lead: ind.lead.join('、'),
    explanation: e.explanation,
    note: f?.note ?? null,
  };
}

function indicatorRow(e: IndicatorEvaluation): IndicatorRow {
  const ind = e.indicator;
  const f = e.figure;
  let actual = DASH;
  const growth = ind.kind === 'growth' || (ind.kind === 'relative' && ind.measure === 'growth');
  if (growth) {
    // The YTD amount in its own unit and that unit's decimals (263.50亿元); the row's rates are in %.
    actual = f?.value !== undefined && ind.valueUnit ? `${formatQuantity(f.value, ind.valueUnit)}${ind.valueUnit}` : DASH;
  } else if (ind.kind !== 'qualitative') actual = f?.value !== undefined ? formatQuantity(f.value, ind.unit, ind.decimals) : DASH;
  const showsYoy = ind.kind === 'growth' || (ind.kind === 'relative' && ind.measure === 'growth') || (ind.kind === 'cumulative' && f?.yoy !== undefined);
  const yoy = showsYoy ? (f?.yoy !== undefined ? formatPoints(f.yoy) : DASH) : DASH;
  const inPoints = ind.kind === 'cumulative' || ind.kind === 'growth' || (ind.kind === 'relative' && ind.measure === 'growth');
  return {
    id: ind.id,
    name: ind.name,
    kind: ind.kind,
    unit: growth ? GROWTH_UNIT : ind.unit || DASH,
    target: targetText(ind),
    actual,
    yoy,
    completion: e.completion !== undefined ? formatPoints(e.completion) : DASH,
    // Last year's progress stands in for 时序进度 for seasonal indicators: marked, and explained under the table.
    schedule: e.schedule !== undefined ? `${formatPoints(e.schedule)}${e.scheduleBasis === 'last_year' ? '*' : ''}` : DASH,
    gap: e.gap !== undefined ? (inPoints ? formatSigned(e.gap) : formatSigned(e.gap, decimalsFor(e.gap, ind.unit, ind.decimals))) : DASH,
    status: e.status,
    statusLabel: STATUS_LABELS[e.status],
    lead: ind.lead.join('、'),
    explanation: e.explanation,
    note: f?.note ?? null,
  };
}

function taskRow(t: TaskEvaluation): TaskRow {
  return {
    id: t.task.id,
    name: t.task.name,
    description: t.task.description ?? null,
    milestone: t.milestone ?? null,
    deadline: t.task.deadline ? chineseDate(t.task.deadline) : null,
    status: t.status,
    statusLabel: t.taskStatus ? TASK_STATUS_LABELS[t.taskStatus] : STATUS_LABELS.missing,
    note: t.figure?.note ?? null,
    lead: t.task.lead.join('、'),
  };
}
