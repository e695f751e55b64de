import type { Figures, IndicatorFigure, TaskFigure, TaskStatus } from './figures.ts';
import { QUALITATIVE_STATUS_LABELS } from './figures.ts';
import type { Period } from './period.ts';
import { monthRangeLabel, scheduleProgress } from './period.ts';
import type { Indicator, JudgedIndicator, KeyTask, MonitorIndicator, QuarterKey, RelativeIndicator, Report, Section, Thresholds, YearEndOptions } from './report.ts';
import { toleranceOf } from './report.ts';
import { decimalPlaces, formatAmount, formatPoints, round1, roundTo } from './format.ts';

/**
 * Status of an indicator or task. Before the year's last period: on_track / lagging / severe
 * (against 时序进度 or the target), not_judged for seasonal indicators judged only at year end,
 * missing. At the year's last period (Q4, 12月): exceeded (only where the report asks for
 * 超额完成) / completed / not_completed, missing — never 达序时 or 严重滞后.
 */
export type Status = 'on_track' | 'lagging' | 'severe' | 'missing' | 'not_judged' | 'exceeded' | 'completed' | 'not_completed';
export const STATUSES: readonly Status[] = ['on_track', 'lagging', 'severe', 'missing', 'not_judged', 'exceeded', 'completed', 'not_completed'];
export const STATUS_LABELS: Record<Status, string> = {
  on_track: '达序时',
  lagging: '滞后',
  severe: '严重滞后',
  missing: '缺数据',
  not_judged: '年底考核',
  exceeded: '超额完成',
  completed: '完成',
  not_completed: '未完成',
};

export type StatusCounts = Record<Status, number>;

/** True for the year's last period (Q4 or 12月), which says 完成/未完成 instead of 达序时/滞后. */
export function isYearEnd(p: Period): boolean {
  return p.month === 12;
}

export interface StatusScheme {
  readonly yearEnd: boolean;
  /**
   * The statuses an indicator can have in this period, in the order a summary lists them, with
   * their labels; `optional` ones (年底考核) are worth a column only when something has them.
   */
  readonly statuses: readonly { readonly status: Status; readonly label: string; readonly optional: boolean }[];
}

/** The statuses and labels that apply to `p`: counts, charts, template, email and 更正说明 follow it. */
export function statusScheme(p: Period, yearEnd?: YearEndOptions): StatusScheme {
  const end = isYearEnd(p);
  const list: [Status, boolean][] = end
    ? [...(yearEnd?.exceeded ? ([['exceeded', false]] as [Status, boolean][]) : []), ['completed', false], ['not_completed', false], ['missing', false]]
    : [['on_track', false], ['lagging', false], ['severe', false], ['not_judged', true], ['missing', false]];
  return { yearEnd: end, statuses: list.map(([status, optional]) => ({ status, label: STATUS_LABELS[status], optional })) };
}

export interface IndicatorEvaluation {
  readonly indicator: JudgedIndicator;
  readonly figure?: IndicatorFigure;
  /** cumulative: YTD value as % of the annual target, one decimal. */
  readonly completion?: number;
  /**
   * cumulative: 时序进度 in %, one decimal (100 at year end); for seasonal `last-year`
   * indicators last year's progress at the same point instead (`scheduleBasis` says which).
   */
  readonly schedule?: number;
  readonly scheduleBasis?: 'calendar' | 'last_year';
  /**
   * cumulative: completion − 时序进度 (百分点); growth: YoY − target (百分点);
   * level and ceiling: value − target, in the indicator's unit; relative: figure − reference.
   * Positive is "more".
   */
  readonly gap?: number;
  /** relative: the figure it was judged against (参照值). */
  readonly reference?: number;
  /** The tolerance applied (左右, 同步), as written: 百分点 for "%" units, else percent of the target. */
  readonly tolerance?: number;
  readonly status: Status;
  /** One sentence in Chinese, e.g. 完成年度目标的68.2%，低于时序进度6.8个百分点 */
  readonly explanation: string;
}

/** A monitor indicator (监测指标): its figure and a sentence, never a status. */
export interface MonitorEvaluation {
  readonly indicator: MonitorIndicator;
  readonly figure?: IndicatorFigure;
  readonly explanation: string;
}

export interface TaskEvaluation {
  readonly task: KeyTask;
  readonly figure?: TaskFigure;
  readonly taskStatus?: TaskStatus;
  readonly status: Status;
  /** The milestone planned for the period's quarter, if any. */
  readonly milestone?: string;
}

export interface SectionEvaluation {
  readonly section: Section;
  readonly indicators: readonly IndicatorEvaluation[];
  readonly monitors: readonly MonitorEvaluation[];
  readonly tasks: readonly TaskEvaluation[];
  readonly counts: StatusCounts;
}

export interface Evaluation {
  readonly period: Period;
  /** 时序进度 in %, one decimal. */
  readonly schedule: number;
  /** The statuses that apply to this period (year end or not). */
  readonly scheme: StatusScheme;
  /** The judged indicators (every kind but monitor), in the report's order. */
  readonly indicators: readonly IndicatorEvaluation[];
  /** Monitor indicators (监测指标): shown, never judged, not counted. */
  readonly monitors: readonly MonitorEvaluation[];
  readonly tasks: readonly TaskEvaluation[];
  readonly sections: readonly SectionEvaluation[];
  /** Judged indicator counts by status. */
  readonly counts: StatusCounts;
  readonly taskCounts: StatusCounts;
  /** Lagging, severely lagging and (at year end) not completed indicators, worst first. */
  readonly lagging: readonly IndicatorEvaluation[];
}

export function emptyCounts(): StatusCounts {
  return { on_track: 0, lagging: 0, severe: 0, missing: 0, not_judged: 0, exceeded: 0, completed: 0, not_completed: 0 };
}

/** What evaluating one indicator may look at besides its own figure. */
export interface EvaluationContext {
  /** Every indicator of the report, for a relative target's reference indicator. */
  readonly indicators?: readonly Indicator[];
  /** Every figure of the period, for a relative target's reference figure. */
  readonly figures?: ReadonlyMap<string, IndicatorFigure>;
  readonly yearEnd?: YearEndOptions;
}

const isMonitor = (i: Indicator): i is MonitorIndicator => i.kind === 'monitor';

/**
 * Evaluates every indicator and task of `report` against `figures`.
 * Percentages are rounded to one decimal before gaps are taken, so that every
 * number printed in the briefing is the difference of the numbers printed beside it.
 */
export function evaluate(report: Report, figures: Figures): Evaluation {
  const period = figures.period;
  const ctx: EvaluationContext = { indicators: report.indicators, figures: figures.indicators, ...(report.yearEnd ? { yearEnd: report.yearEnd } : {}) };
  const indicators: IndicatorEvaluation[] = [];
  const monitors: MonitorEvaluation[] = [];
  for (const ind of report.indicators) {
    const figure = figures.indicators.get(ind.id);
    if (isMonitor(ind)) monitors.push(evaluateMonitor(ind, figure, period));
    else indicators.push(evaluateIndicator(ind, figure, period, report.thresholds, ctx));
  }
  const tasks = report.tasks.map((task) => evaluateTask(task, figures.tasks.get(task.id), period));
  const sections = report.sections.map((section) => {
    const inds = indicators.filter((e) => e.indicator.section === section.id);
    return {
      section,
      indicators: inds,
      monitors: monitors.filter((m) => m.indicator.section === section.id),
      tasks: tasks.filter((t) => t.task.section === section.id),
      counts: countStatuses(inds.map((e) => e.status)),
    };
  });
  const severity: Partial<Record<Status, number>> = { severe: 0, not_completed: 0, lagging: 1 };
  const lagging = indicators
    .filter((e) => severity[e.status] !== undefined)
    .sort((a, b) => severity[a.status]! - severity[b.status]! || relativeGap(a) - relativeGap(b));
  return {
    period,
    schedule: round1(scheduleProgress(period)),
    scheme: statusScheme(period, report.yearEnd),
    indicators,
    monitors,
    tasks,
    sections,
    counts: countStatuses(indicators.map((e) => e.status)),
    taskCounts: countStatuses(tasks.map((t) => t.status)),
    lagging,
  };
}

function relativeGap(e: IndicatorEvaluation): number {
  if (e.gap === undefined) return 0;
  const ind = e.indicator;
  if (ind.kind === 'level' || ind.kind === 'ceiling') return -Math.abs(e.gap) / Math.max(Math.abs(ind.target), 1e-9) * 100;
  if (ind.kind === 'relative' && ind.measure === 'value') return e.gap / Math.max(Math.abs(e.reference ?? 1), 1e-9) * 100;
  return e.gap;
}

export function countStatuses(statuses: readonly Status[]): StatusCounts {
  const counts = emptyCounts();
  for (const s of statuses) counts[s] += 1;
  return counts;
}

/** A monitor indicator's sentence: 1-9月完成97.5亿元，同比增长7.3%. */
export function evaluateMonitor(ind: MonitorIndicator, figure: IndicatorFigure | undefined, period: Period): MonitorEvaluation {
  const range = monthRangeLabel(period);
  const parts: string[] = [];
  if (figure?.value !== undefined) parts.push(`${range}为${formatAmount(figure.value, ind.unit, ind.decimals)}`);
  if (figure?.yoy !== undefined) parts.push(`${parts.length === 0 ? range : ''}${growthText(figure.yoy)}`);
  const explanation = parts.length > 0 ? parts.join('，') : `暂无${range}数据${figure?.note ? `（${figure.note}）` : ''}`;
  return { indicator: ind, ...(figure ? { figure } : {}), explanation };
}

/** In-year grade of a shortfall beyond the tolerance: none → on track, up to `limit` → lagging, beyond → severe. */
function grade(shortfall: number, limit: number): Status {
  const s = roundTo(shortfall, 6);
  return s <= 0 ? 'on_track' : s <= roundTo(limit, 6) ? 'lagging' : 'severe';
}

/** Year-end verdict: any shortfall beyond the tolerance → 未完成; a surplus beyond it → 超额完成 where asked. */
function verdict(shortfall: number, surplus: number, exceeded: boolean): Status {
  if (roundTo(shortfall, 6) > 0) return 'not_completed';
  return exceeded && roundTo(surplus, 6) > 0 ? 'exceeded' : 'completed';
}

const VERDICT_TEXT: Partial<Record<Status, string>> = { exceeded: '超额完成年度目标', completed: '完成年度目标', not_completed: '未完成年度目标' };

export function evaluateIndicator(
  ind: JudgedIndicator,
  figure: IndicatorFigure | undefined,
  period: Period,
  t: Thresholds,
  ctx: EvaluationContext = {},
): IndicatorEvaluation {
  const range = monthRangeLabel(period);
  const end = isYearEnd(period);
  const exceeded = ctx.yearEnd?.exceeded === true;
  const tol = toleranceOf(ind, t);
  const tolerance = tol > 0 ? { tolerance: tol } : {};
  /** The tolerance in the indicator's own unit (a percent of the target for non-"%" amounts). */
  const tolAbs = (target: number) => (ind.unit === '%' ? tol : (Math.abs(target) * tol) / 100);
  const note = figure?.note ? `（${figure.note}）` : '';
  const missing = (what: string, extra: Partial<IndicatorEvaluation> = {}): IndicatorEvaluation => ({
    indicator: ind,
    figure,
    ...extra,
    status: 'missing',
    explanation: `暂无${range}${what}${note}`,
  });
  /** For a shortfall in 百分点 against a target with a tolerance: "，在允许范围（±0.5个百分点）内" or "，超出…". */
  const withinText = (shortfall: number) => {
    if (tol <= 0 || shortfall <= 0) return '';
    return `，${roundTo(shortfall - tol, 6) <= 0 ? '在' : '超出'}允许范围（±${formatPoints(tol)}个百分点）${roundTo(shortfall - tol, 6) <= 0 ? '内' : ''}`;
  };

  switch (ind.kind) {
    case 'cumulative': {
      const seasonalYearEnd = ind.seasonal === 'year-end' && !end;
      if (figure?.value === undefined) {
        if (seasonalYearEnd) return { indicator: ind, figure, ...tolerance, status: 'not_judged', explanation: `该指标年底考核，不按时序进度评价${note}` };
        return missing('完成数据');
      }
      const completion = round1((figure.value / ind.target) * 100);
      const head = `${range}完成${formatAmount(figure.value, ind.unit, ind.decimals)}，完成年度目标的${completion.toFixed(1)}%`;
      if (seasonalYearEnd) {
        return { indicator: ind, figure, completion, ...tolerance, status: 'not_judged', explanation: `${head}；该指标年底考核，不按时序进度评价` };
      }
      if (ind.seasonal === 'last-year' && !end) {
        // Compare with last year's progress at the same point: last YTD = value / (1 + yoy), over last year's total.
        if (figure.yoy === undefined || ind.baseline === undefined || ind.baseline <= 0) {
          return missing('同比数据，无法与上年同期进度比较', { completion });
        }
        const lastYtd = figure.value / (1 + figure.yoy / 100);
        const schedule = round1((lastYtd / ind.baseline) * 100);
        const gap = round1(completion - schedule);
        return {
          indicator: ind,
          figure,
          completion,
          schedule,
          scheduleBasis: 'last_year',
          gap,
          ...tolerance,
          status: grade(-gap - tol, t.cumulativePoints),
          explanation: `${head}，${compare(gap, `上年同期进度（${schedule.toFixed(1)}%）`)}`,
        };
      }
      const schedule = round1(scheduleProgress(period));
      const gap = round1(completion - schedule);
      if (end) {
        const status = verdict(-gap - tol, gap - tol, exceeded);
        const short = gap < 0 ? `，差${formatPoints(-gap)}个百分点` : '';
        return { indicator: ind, figure, completion, schedule, gap, ...tolerance, status, explanation: `${head}，${VERDICT_TEXT[status]}${short}${withinText(-gap)}` };
      }
      const status = grade(-gap - tol, t.cumulativePoints);
      const done = completion >= 100 ? '，已完成全年目标' : '';
      return { indicator: ind, figure, completion, schedule, gap, ...tolerance, status, explanation: `${head}${done}，${compare(gap, '时序进度')}${withinText(-gap)}` };
    }
    case 'growth': {
      if (figure?.yoy === undefined) return missing('增速数据');
      const yoy = round1(figure.yoy);
      const gap = round1(yoy - ind.target);
      const status = end ? verdict(-gap - tol, gap - tol, exceeded) : grade(-gap - tol, t.growthPoints);
      const tail = end ? `，${VERDICT_TEXT[status]}` : '';
      return {
        indicator: ind,
        figure,
        gap,
        ...tolerance,
        status,
        explanation: `${range}${growthText(yoy)}，${compare(gap, '预期目标')}${withinText(-gap)}${tail}`,
      };
    }
    case 'level': {
      if (figure?.value === undefined) return missing('数据');
      const gap = roundLike(figure.value - ind.target, figure.value, ind.target);
      const shortfall = ind.direction === 'higher' ? -gap : gap;
      const beyond = shortfall - tolAbs(ind.target);
      const status = end
        ? verdict(beyond, -shortfall - tolAbs(ind.target), exceeded)
        : grade((beyond / Math.abs(ind.target || 1)) * 100, t.levelPercent);
      const better = shortfall <= 0 ? (gap === 0 ? '达到目标' : '优于目标') : '未达目标';
      const within = shortfall > 0 && roundTo(beyond, 6) <= 0 ? '，在允许范围内' : '';
      return {
        indicator: ind,
        figure,
        gap,
        ...tolerance,
        status,
        explanation: `${end ? `${range}为` : '当前为'}${formatAmount(figure.value, ind.unit, ind.decimals)}，${better}${gap === 0 ? '' : differenceText(gap, ind.unit)}${within}`,
      };
    }
    case 'ceiling': {
      if (figure?.value === undefined) return missing('数据');
      const gap = roundLike(figure.value - ind.target, figure.value, ind.target);
      const excess = roundTo(gap - tolAbs(ind.target), 6);
      // A ceiling is binding (约束性): any excess is serious, not a matter of degree; it is kept, never exceeded.
      const status: Status = end ? (excess > 0 ? 'not_completed' : 'completed') : excess > 0 ? 'severe' : 'on_track';
      const where = gap <= 0 ? '控制在目标以内' : excess <= 0 ? '略超控制目标' : '超出控制目标';
      const within = gap > 0 && excess <= 0 ? '，在允许范围内' : '';
      return {
        indicator: ind,
        figure,
        gap,
        ...tolerance,
        status,
        explanation: `${end ? `${range}为` : '当前为'}${formatAmount(figure.value, ind.unit, ind.decimals)}，${where}${gap === 0 ? '' : differenceText(gap, ind.unit)}${within}`,
      };
    }
    case 'qualitative': {
      if (figure?.status === undefined) return missing('进展情况');
      return { indicator: ind, figure, status: staffStatus(figure.status, end), explanation: staffText(ind.targetText, figure.status, end) };
    }
    case 'relative':
      return evaluateRelative(ind, figure, range, end, t, tol, ctx, missing);
  }
}

function evaluateRelative(
  ind: RelativeIndicator,
  figure: IndicatorFigure | undefined,
  range: string,
  end: boolean,
  t: Thresholds,
  tol: number,
  ctx: EvaluationContext,
  missing: (what: string) => IndicatorEvaluation,
): IndicatorEvaluation {
  const growth = ind.measure === 'growth';
  const pick = (f: IndicatorFigure | undefined) => (growth ? f?.yoy : f?.value);
  const own = pick(figure);
  const refInd = ind.reference !== undefined ? ctx.indicators?.find((i) => i.id === ind.reference) : undefined;
  // A reference given in the figure row is for this very period and indicator: it wins over the reference indicator's figure.
  const reference = figure?.reference ?? (ind.reference !== undefined ? pick(ctx.figures?.get(ind.reference)) : undefined);
  if (own === undefined || reference === undefined) {
    // Without the numbers, staff judge it, as for a qualitative indicator.
    if (figure?.status !== undefined) return { indicator: ind, figure, status: staffStatus(figure.status, end), explanation: staffText(ind.targetText, figure.status, end) };
    if (own === undefined) return missing(growth ? '增速数据' : '数据');
    return missing(`参照值${refInd ? `（${refInd.name}${growth ? '增速' : ''}）` : ''}`);
  }
  const a = growth ? round1(own) : own;
  const b = growth ? round1(reference) : reference;
  const gap = growth ? round1(a - b) : roundLike(a - b, a, b);
  const unit = growth ? '%' : ind.unit;
  const tolAbs = unit === '%' ? tol : (Math.abs(b) * tol) / 100;
  const met = ind.relation === 'above' ? roundTo(gap + tolAbs, 6) > 0 : roundTo(gap + tolAbs, 6) >= 0;
  let status: Status;
  if (end) status = met ? 'completed' : 'not_completed';
  else if (met) status = 'on_track';
  else {
    const shortfall = -gap - tolAbs;
    const limit = growth ? t.growthPoints : (Math.abs(b) * t.levelPercent) / 100;
    status = roundTo(shortfall, 6) > roundTo(limit, 6) ? 'severe' : 'lagging';
  }
  // Name the reference indicator only when its figure is what was compared.
  const refName = figure?.reference === undefined && refInd ? refInd.name : '参照值';
  const show = (v: number) => (growth ? growthText(v) : `为${formatAmount(v, ind.unit, ind.decimals)}`);
  const diff = gap === 0 ? '两者持平' : `${gap > 0 ? '高' : '低'}${growth ? `${formatPoints(Math.abs(gap))}个百分点` : formatAmount(Math.abs(gap), ind.unit, ind.decimals)}`;
  const within = !met || gap >= 0 ? '' : `，在允许范围（±${growth || ind.unit === '%' ? `${formatPoints(tol)}个百分点` : `${formatPoints(tol)}%`}）内`;
  const word = end ? `，${VERDICT_TEXT[status]}` : `，${met ? '符合' : '未达到'}目标要求`;
  return {
    indicator: ind,
    figure,
    gap,
    reference: b,
    ...(tol > 0 ? { tolerance: tol } : {}),
    status,
    explanation: `${range}${show(a)}，${refName}${show(b)}，${diff}${within}${word}（目标为“${ind.targetText}”）`,
  };
}

/** Staff-set statuses (达序时/滞后/严重滞后) read as 完成/未完成 at year end. */
function staffStatus(s: 'on_track' | 'lagging' | 'severe', end: boolean): Status {
  return end ? (s === 'on_track' ? 'completed' : 'not_completed') : s;
}

function staffText(targetText: string, s: 'on_track' | 'lagging' | 'severe', end: boolean): string {
  return `目标为“${targetText}”，${end ? (s === 'on_track' ? '全年完成' : '全年未完成') : `目前${QUALITATIVE_STATUS_LABELS[s]}`}`;
}

function growthText(yoy: number): string {
  return yoy < 0 ? `同比下降${formatPoints(-yoy)}%` : `同比增长${formatPoints(yoy)}%`;
}

/** "低于时序进度6.8个百分点" / "高于…" / "与…持平" */
function compare(gap: number, what: string): string {
  if (gap === 0) return `与${what}持平`;
  return `${gap > 0 ? '高于' : '低于'}${what}${formatPoints(Math.abs(gap))}个百分点`;
}

function differenceText(gap: number, unit: string): string {
  const abs = Math.abs(gap);
  return unit === '%' ? `${formatPoints(abs)}个百分点` : `${formatAmount(abs, unit)}`;
}

/** Round a difference to the decimals its operands carry, so 98.1 − 98 prints as 0.1, not 0.0999. */
function roundLike(diff: number, a: number, b: number): number {
  const decimals = Math.max(decimalPlaces(a), decimalPlaces(b));
  const f = 10 ** decimals;
  return Math.round(diff * f) / f;
}

const TASK_TONE: Record<TaskStatus, Status> = {
  done: 'on_track',
  on_schedule: 'on_track',
  behind: 'lagging',
  not_started: 'severe',
};

export function evaluateTask(task: KeyTask, figure: TaskFigure | undefined, period: Period): TaskEvaluation {
  const quarter = `Q${Math.ceil(period.month / 3)}` as QuarterKey;
  const milestone = task.milestones[quarter];
  const base = { task, figure, ...(milestone ? { milestone } : {}) };
  if (figure?.status === undefined) return { ...base, status: 'missing' };
  return { ...base, taskStatus: figure.status, status: TASK_TONE[figure.status] };
}
