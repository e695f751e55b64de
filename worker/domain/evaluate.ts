import type { Figures, IndicatorFigure, TaskFigure, TaskStatus } from './figures.ts';
import { QUALITATIVE_STATUS_LABELS } from './figures.ts';
import type { Period } from './period.ts';
import { monthRangeLabel, scheduleProgress } from './period.ts';
import type { Indicator, KeyTask, QuarterKey, Report, Section, Thresholds } from './report.ts';
import { decimalPlaces, formatAmount, formatPoints, round1 } from './format.ts';

/** Traffic-light status of an indicator or task. */
export type Status = 'on_track' | 'lagging' | 'severe' | 'missing';
export const STATUSES: readonly Status[] = ['on_track', 'lagging', 'severe', 'missing'];
export const STATUS_LABELS: Record<Status, string> = {
  on_track: '达序时',
  lagging: '滞后',
  severe: '严重滞后',
  missing: '缺数据',
};

export type StatusCounts = Record<Status, number>;

export interface IndicatorEvaluation {
  readonly indicator: Indicator;
  readonly figure?: IndicatorFigure;
  /** cumulative: YTD value as % of the annual target, one decimal. */
  readonly completion?: number;
  /** cumulative: 时序进度 in %, one decimal. */
  readonly schedule?: number;
  /**
   * cumulative: completion − 时序进度 (百分点); growth: YoY − target (百分点);
   * level and ceiling: value − target, in the indicator's unit. Positive is "more".
   */
  readonly gap?: number;
  readonly status: Status;
  /** One sentence in Chinese, e.g. 完成年度目标的68.2%，低于时序进度6.8个百分点 */
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
  readonly tasks: readonly TaskEvaluation[];
  readonly counts: StatusCounts;
}

export interface Evaluation {
  readonly period: Period;
  /** 时序进度 in %, one decimal. */
  readonly schedule: number;
  readonly indicators: readonly IndicatorEvaluation[];
  readonly tasks: readonly TaskEvaluation[];
  readonly sections: readonly SectionEvaluation[];
  /** Indicator counts by status. */
  readonly counts: StatusCounts;
  readonly taskCounts: StatusCounts;
  /** Lagging and severely lagging indicators, worst first. */
  readonly lagging: readonly IndicatorEvaluation[];
}

export function emptyCounts(): StatusCounts {
  return { on_track: 0, lagging: 0, severe: 0, missing: 0 };
}

/**
 * Evaluates every indicator and task of `report` against `figures`.
 * Percentages are rounded to one decimal before gaps are taken, so that every
 * number printed in the briefing is the difference of the numbers printed beside it.
 */
export function evaluate(report: Report, figures: Figures): Evaluation {
  const period = figures.period;
  const indicators = report.indicators.map((ind) =>
    evaluateIndicator(ind, figures.indicators.get(ind.id), period, report.thresholds),
  );
  const tasks = report.tasks.map((task) => evaluateTask(task, figures.tasks.get(task.id), period));
  const sections = report.sections.map((section) => {
    const inds = indicators.filter((e) => e.indicator.section === section.id);
    return {
      section,
      indicators: inds,
      tasks: tasks.filter((t) => t.task.section === section.id),
      counts: countStatuses(inds.map((e) => e.status)),
    };
  });
  const severity: Record<Status, number> = { severe: 0, lagging: 1, missing: 2, on_track: 3 };
  const lagging = indicators
    .filter((e) => e.status === 'lagging' || e.status === 'severe')
    .sort((a, b) => severity[a.status] - severity[b.status] || relativeGap(a) - relativeGap(b));
  return {
    period,
    schedule: round1(scheduleProgress(period)),
    indicators,
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
  return e.gap;
}

export function countStatuses(statuses: readonly Status[]): StatusCounts {
  const counts = emptyCounts();
  for (const s of statuses) counts[s] += 1;
  return counts;
}

export function evaluateIndicator(
  ind: Indicator,
  figure: IndicatorFigure | undefined,
  period: Period,
  t: Thresholds,
): IndicatorEvaluation {
  const range = monthRangeLabel(period);
  const missing = (what: string): IndicatorEvaluation => ({
    indicator: ind,
    figure,
    status: 'missing',
    explanation: `暂无${range}${what}${figure?.note ? `（${figure.note}）` : ''}`,
  });

  switch (ind.kind) {
    case 'cumulative': {
      if (figure?.value === undefined) return missing('完成数据');
      const completion = round1((figure.value / ind.target) * 100);
      const schedule = round1(scheduleProgress(period));
      const gap = round1(completion - schedule);
      const status: Status = gap >= 0 ? 'on_track' : gap >= -t.cumulativePoints ? 'lagging' : 'severe';
      const done = completion >= 100 ? '，已完成全年目标' : '';
      return {
        indicator: ind,
        figure,
        completion,
        schedule,
        gap,
        status,
        explanation: `${range}完成${formatAmount(figure.value, ind.unit)}，完成年度目标的${completion.toFixed(1)}%${done}，${compare(gap, '时序进度')}`,
      };
    }
    case 'growth': {
      if (figure?.yoy === undefined) return missing('增速数据');
      const yoy = round1(figure.yoy);
      const gap = round1(yoy - ind.target);
      const status: Status = gap >= 0 ? 'on_track' : gap >= -t.growthPoints ? 'lagging' : 'severe';
      const verb = yoy < 0 ? `同比下降${formatPoints(-yoy)}%` : `同比增长${formatPoints(yoy)}%`;
      return {
        indicator: ind,
        figure,
        gap,
        status,
        explanation: `${range}${verb}，${compare(gap, '预期目标')}`,
      };
    }
    case 'level': {
      if (figure?.value === undefined) return missing('数据');
      const gap = roundLike(figure.value - ind.target, figure.value, ind.target);
      const shortfall = ind.direction === 'higher' ? -gap : gap;
      const status: Status =
        shortfall <= 0 ? 'on_track' : (shortfall / Math.abs(ind.target || 1)) * 100 <= t.levelPercent ? 'lagging' : 'severe';
      const better = shortfall <= 0 ? (gap === 0 ? '达到目标' : '优于目标') : '未达目标';
      return {
        indicator: ind,
        figure,
        gap,
        status,
        explanation: `当前为${formatAmount(figure.value, ind.unit)}，${better}${gap === 0 ? '' : differenceText(gap, ind.unit)}`,
      };
    }
    case 'ceiling': {
      if (figure?.value === undefined) return missing('数据');
      const gap = roundLike(figure.value - ind.target, figure.value, ind.target);
      // A ceiling is binding (约束性): any excess is serious, not a matter of degree.
      const status: Status = gap <= 0 ? 'on_track' : 'severe';
      const where = gap <= 0 ? '控制在目标以内' : '超出控制目标';
      return {
        indicator: ind,
        figure,
        gap,
        status,
        explanation: `当前为${formatAmount(figure.value, ind.unit)}，${where}${gap === 0 ? '' : differenceText(gap, ind.unit)}`,
      };
    }
    case 'qualitative': {
      if (figure?.status === undefined) return missing('进展情况');
      return {
        indicator: ind,
        figure,
        status: figure.status,
        explanation: `目标为“${ind.targetText}”，目前${QUALITATIVE_STATUS_LABELS[figure.status]}`,
      };
    }
  }
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
