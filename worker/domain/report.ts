/** The targets side of the domain: one work report, its sections, indicators and key tasks. */

export type IndicatorKind = 'cumulative' | 'growth' | 'level' | 'ceiling' | 'qualitative' | 'monitor' | 'relative';
export const INDICATOR_KINDS: readonly IndicatorKind[] = ['cumulative', 'growth', 'level', 'ceiling', 'qualitative', 'monitor', 'relative'];

export const KIND_LABELS: Record<IndicatorKind, string> = {
  cumulative: '累计量',
  growth: '增速',
  level: '水平',
  ceiling: '约束性',
  qualitative: '定性',
  monitor: '监测',
  relative: '相对目标',
};

/** The qualifier that gives a target a tolerance band (增长6%左右). */
export const ABOUT_QUALIFIER = '左右';

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
  /**
   * Half-width of the band around the target that still counts as on target: percentage points
   * when the unit is "%", else percent of the target. Applies when set; otherwise the report's
   * default applies to targets written 左右 (see `toleranceOf`).
   */
  readonly tolerance?: number;
  /** Decimal places of this indicator's numbers wherever printed; unset: by unit (see `unitDecimals`). */
  readonly decimals?: number;
}

/** A YTD amount measured against an annual total (固定资产投资完成额). */
export interface CumulativeIndicator extends IndicatorBase {
  readonly kind: 'cumulative';
  readonly target: number;
  readonly baseline?: number;
  /**
   * Seasonal amounts (粮食产量, 播种面积) are not judged against 时序进度: `year-end` only at the
   * year's last period; `last-year` against last year's progress at the same point (needs baseline).
   */
  readonly seasonal?: Seasonal;
}

export type Seasonal = 'year-end' | 'last-year';

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

/** No target: shown with its value and 同比 in the 监测指标 table, never judged or counted. */
export interface MonitorIndicator extends IndicatorBase {
  readonly kind: 'monitor';
  /** Unit of the figures' value. */
  readonly unit: string;
  readonly baseline?: number;
}

/**
 * A target stated against another figure (高于全市平均水平, 与经济增长同步, 快于城镇居民): the
 * indicator's own figure (its yoy for measure growth, its value for measure value) is compared
 * with the reference: the figure's `reference`, else the `reference` indicator's figure; with
 * neither, staff set the status as for a qualitative indicator.
 */
export interface RelativeIndicator extends IndicatorBase {
  readonly kind: 'relative';
  readonly targetText: string;
  readonly measure: 'growth' | 'value';
  /** above: strictly more; at_least: not less; in_step (同步): not less than the reference minus the tolerance. */
  readonly relation: 'above' | 'at_least' | 'in_step';
  /** Id of the indicator whose figure is the reference (may be a monitor indicator). */
  readonly reference?: string;
  /** "%" for measure growth; the value's unit for measure value. */
  readonly unit: string;
  /** measure growth: unit of the YTD amount a figure may carry alongside the growth. */
  readonly valueUnit?: string;
}

export const RELATION_LABELS: Record<RelativeIndicator['relation'], string> = { above: '高于', at_least: '不低于', in_step: '同步于' };

export type Indicator =
  | CumulativeIndicator
  | GrowthIndicator
  | LevelIndicator
  | CeilingIndicator
  | QualitativeIndicator
  | MonitorIndicator
  | RelativeIndicator;

/** Indicators that are judged and counted (every kind but monitor). */
export type JudgedIndicator = Exclude<Indicator, MonitorIndicator>;

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
  /** 左右 targets without their own tolerance, in "%" units: ± percentage points. */
  readonly tolerancePoints: number;
  /** 左右 targets without their own tolerance, in other units: ± percent of the target. */
  readonly tolerancePercent: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { cumulativePoints: 10, growthPoints: 1, levelPercent: 5, tolerancePoints: 0.5, tolerancePercent: 2 };

/**
 * The tolerance of an indicator as written (points for "%" units, else percent of the target), or
 * 0: its own `tolerance`, else the report's default when the target is written 左右. A relative
 * target "in step" (同步) has the default points tolerance even without 左右.
 */
export function toleranceOf(ind: Indicator, t: Thresholds): number {
  if (ind.tolerance !== undefined) return ind.tolerance;
  const percentUnit = ind.unit === '%' || (ind.kind === 'relative' && ind.measure === 'growth');
  const about = ind.qualifier === ABOUT_QUALIFIER || (ind.kind === 'relative' && ind.relation === 'in_step');
  if (!about) return 0;
  return percentUnit ? t.tolerancePoints : t.tolerancePercent;
}

/** How the year's last period is worded (年终考核): with `exceeded`, 超额完成 beside 完成/未完成. */
export interface YearEndOptions {
  readonly exceeded: boolean;
}

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
  /** Provenance of real figures transcribed from public sources, said in the briefing and the email. */
  readonly sourceNotice?: string;
  readonly sections: readonly Section[];
  readonly indicators: readonly Indicator[];
  readonly tasks: readonly KeyTask[];
  readonly thresholds: Thresholds;
  readonly yearEnd?: YearEndOptions;
}
