/** The targets side of the domain: one work report, its sections, indicators and key tasks. */

export type IndicatorKind = 'cumulative' | 'growth' | 'level' | 'ceiling' | 'qualitative';
export const INDICATOR_KINDS: readonly IndicatorKind[] = ['cumulative', 'growth', 'level', 'ceiling', 'qualitative'];

export const KIND_LABELS: Record<IndicatorKind, string> = {
  cumulative: '累计量',
  growth: '增速',
  level: '水平',
  ceiling: '约束性',
  qualitative: '定性',
};

interface IndicatorBase {
  readonly id: string;
  readonly name: string;
  readonly section: string;
  /** Unit of `target` (and of figures' values, except growth indicators' `valueUnit`). */
  readonly unit: string;
  readonly qualifier?: string;
  readonly lead: readonly string[];
  readonly support: readonly string[];
  readonly note?: string;
  /** Id of an indicator this one is a part of (same unit): a part larger than its whole is suspect. */
  readonly partOf?: string;
  /**
   * Other names of this indicator as the statistics office writes them
   * (规模以上工业产值 in the report is 规模以上工业总产值 in the 统计月报).
   */
  readonly aliases?: readonly string[];
}

/** A YTD amount measured against an annual total (固定资产投资完成额). */
export interface CumulativeIndicator extends IndicatorBase {
  readonly kind: 'cumulative';
  readonly target: number;
  readonly baseline?: number;
}

/** A year-on-year growth rate in percent (地区生产总值增长6%). */
export interface GrowthIndicator extends IndicatorBase {
  readonly kind: 'growth';
  readonly target: number;
  /** Unit of the YTD amount that figures may carry alongside the growth rate. */
  readonly valueUnit?: string;
  readonly baseline?: number;
  readonly baselineValue?: number;
}

/** A rate or level; `direction` says which way is better (建档率, 满意率). */
export interface LevelIndicator extends IndicatorBase {
  readonly kind: 'level';
  readonly target: number;
  readonly direction: 'higher' | 'lower';
  readonly baseline?: number;
}

/** A binding limit that must not be exceeded (失业率控制在4.5%以内). */
export interface CeilingIndicator extends IndicatorBase {
  readonly kind: 'ceiling';
  readonly target: number;
  readonly baseline?: number;
}

/** No number: staff set the status (与经济增长同步). */
export interface QualitativeIndicator extends IndicatorBase {
  readonly kind: 'qualitative';
  readonly targetText: string;
}

export type Indicator =
  | CumulativeIndicator
  | GrowthIndicator
  | LevelIndicator
  | CeilingIndicator
  | QualitativeIndicator;

export type QuarterKey = 'Q1' | 'Q2' | 'Q3' | 'Q4';

export interface KeyTask {
  readonly id: string;
  readonly name: string;
  readonly section: string;
  readonly description?: string;
  readonly lead: readonly string[];
  readonly support: readonly string[];
  /** ISO date */
  readonly deadline?: string;
  readonly milestones: Partial<Record<QuarterKey, string>>;
}

export interface Section {
  readonly id: string;
  readonly name: string;
}

/** How far behind still counts as 滞后 rather than 严重滞后 (DESIGN.md defaults). */
export interface Thresholds {
  /** cumulative: points of completion behind 时序进度 */
  readonly cumulativePoints: number;
  /** growth: points of growth below the target */
  readonly growthPoints: number;
  /** level and ceiling: shortfall or excess as a percentage of the target */
  readonly levelPercent: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { cumulativePoints: 10, growthPoints: 1, levelPercent: 5 };

export interface Report {
  readonly id: string;
  readonly year: number;
  readonly title: string;
  readonly document: string;
  readonly region: string;
  readonly office: string;
  /** True when targets and figures are illustrative; the briefing then says so on every page. */
  readonly sampleData: boolean;
  readonly sampleNotice?: string;
  readonly sections: readonly Section[];
  readonly indicators: readonly Indicator[];
  readonly tasks: readonly KeyTask[];
  readonly thresholds: Thresholds;
}
