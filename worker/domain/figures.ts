import type { Period } from './period.ts';

/** Where a figure came from, so every error and every number can be traced to a cell. */
export interface Origin {
  readonly file: string;
  readonly row: number;
  /** The headers of the value and growth columns as written (a statistics table's 1-6月, 增长%). */
  readonly columns?: { readonly value?: string; readonly yoy?: string };
}

/** Staff-set status of a key task (重点任务). */
export type TaskStatus = 'done' | 'on_schedule' | 'behind' | 'not_started';
export const TASK_STATUS_LABELS: Record<TaskStatus, string> = {
  done: '已完成',
  on_schedule: '序时推进',
  behind: '滞后',
  not_started: '未启动',
};

/** Staff-set status of a qualitative indicator. */
export type QualitativeStatus = 'on_track' | 'lagging' | 'severe';
export const QUALITATIVE_STATUS_LABELS: Record<QualitativeStatus, string> = {
  on_track: '达序时',
  lagging: '滞后',
  severe: '严重滞后',
};

export interface IndicatorFigure {
  readonly indicatorId: string;
  /** YTD value (cumulative), current level (level, ceiling), YTD amount (growth, optional). */
  readonly value?: number;
  /** Year-on-year growth in percent. */
  readonly yoy?: number;
  readonly status?: QualitativeStatus;
  readonly note?: string;
  readonly asOf?: string;
  readonly source?: string;
  readonly origin: Origin;
  /**
   * Staff confirmed the value as written although it is far off its scaled baseline
   * (a figures column 确认/confirmed): the scale check then warns instead of refusing.
   */
  readonly confirmed?: boolean;
  /** The reference a relative target is judged against, when given in the figures (全市平均增速). */
  readonly reference?: number;
  /** The cells as written, for plausibility checks that look at digits (05%, no decimal point). */
  readonly raw?: { readonly value?: string; readonly yoy?: string };
}

export interface TaskFigure {
  readonly taskId: string;
  readonly status?: TaskStatus;
  readonly note?: string;
  readonly asOf?: string;
  readonly source?: string;
  readonly origin: Origin;
}

/** The latest figures of one report for one period. */
export interface Figures {
  readonly reportId: string;
  readonly period: Period;
  readonly indicators: ReadonlyMap<string, IndicatorFigure>;
  readonly tasks: ReadonlyMap<string, TaskFigure>;
  /** The newest as-of date among the figures used. */
  readonly asOf?: string;
  /** The files (or endpoints) the figures were read from. */
  readonly sources: readonly string[];
}
