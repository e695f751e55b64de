/** The shape of a machine-drafted targets file: what `extractTargets` finds in a work report. */

export type DraftKind = 'cumulative' | 'growth' | 'level' | 'ceiling' | 'qualitative' | 'relative';

/** How a relative target compares with its reference: 高于/快于 → above, 不低于 → at_least, 同步 → in_step. */
export type DraftRelation = 'above' | 'at_least' | 'in_step';
/** What a relative target compares: the indicator's growth (增速) or its value (水平). */
export type DraftMeasure = 'growth' | 'value';

export interface DraftIndicator {
  /** As the report names it, in simplified script (a traditional report is converted first). */
  name: string;
  /** As written: no decimal point is restored. Growth is signed: 下降758% → −758. Null for qualitative. */
  value: number | null;
  unit: string;
  kind: DraftKind;
  /** 左右, 以上, 以内, 以下, 力争, 同步, 完成上级下达任务, or null. */
  qualifier: string | null;
  /** The original snippet (original script), including the clause that names the subject when carried over. */
  raw: string;
  /** 'target' when from a target sentence (预期目标, 力争, 控制在, 确保…), 'result' when a reported result (完成, 实现, 达到 in the review). */
  role: 'target' | 'result';
  /** Name of the heading the indicator stands under, or null before any heading. */
  section: string | null;
  /** For qualitative and relative indicators: the wording of the target (与经济增长基本同步); null otherwise. */
  targetText: string | null;
  /** Relative targets only (高于全市平均水平, 与经济增长同步, 快于城镇居民). */
  relation?: DraftRelation;
  measure?: DraftMeasure;
  /** What it is compared with, as written (全市平均水平, 经济增长, 城镇居民). */
  referenceText?: string;
}

export type DraftRule =
  | 'percent-over-100'
  | 'implausible-growth'
  | 'leading-zero'
  | 'no-decimal-point'
  | 'amount-exceeds-whole'
  | 'part-exceeds-whole'
  | 'area-exceeds-region'
  | 'implausible-count'
  | 'unused-number';

export interface DraftFinding {
  raw: string;
  rule: DraftRule;
  /** Plausible readings with a decimal point put back; empty for the document-level rule and unused numbers. */
  candidates: number[];
  message: string;
  /** Index into `indicators` of the indicator concerned; null for text- or document-level findings. */
  indicator: number | null;
}

export interface TargetsDraft {
  script: 'simplified' | 'traditional';
  /** The report's title line (2023年玉泉区政府工作报告), simplified, when one was found. */
  title: string | null;
  /** Headings without their numbering, in order of first appearance. */
  sections: string[];
  indicators: DraftIndicator[];
  findings: DraftFinding[];
}
