import type { Figures, IndicatorFigure } from './figures.ts';
import { catalogIssue, type InputIssue, type IssueWhere } from './issues.ts';
import type { MessageCode } from './messages.ts';
import { periodTitle } from './period.ts';
import type { Indicator, Report } from './report.ts';
import { decimalCandidates, hasDecimalPoint, hasLeadingZero, scaleCandidates } from './suspect-numbers.ts';
import { formatNumber } from './format.ts';

/** A plausibility finding: which general rule fired, and candidate readings. Nothing is corrected. */
export interface Finding extends InputIssue {
  readonly rule:
    | 'percent-over-100'
    | 'decline-over-100'
    | 'implausible-growth'
    | 'many-times-baseline'
    | 'many-times-previous'
    | 'cumulative-decrease'
    | 'part-exceeds-whole'
    | 'leading-zero'
    | 'no-decimal-point'
    | 'scale-suspect';
  readonly candidates: readonly number[];
}

/** Bands a year-on-year growth rate is expected to fall in; outside them a value is suspect, not wrong. */
export const GROWTH_BAND = { growth: 30, other: 200 } as const;
const TIMES_BASELINE = 3;
/** A value this many times off its baseline scaled to the period is a unit misread, not a change. */
export const SCALE_FACTOR_REFUSED = 100;
const TIMES_PREVIOUS = 5;
const MIN_NUMBERS_FOR_DECIMAL_RULE = 10;

const VALUE_COLUMN = '累计值';
const YOY_COLUMN = '同比增长';

/**
 * General plausibility rules over one period's figures (and the previous period's, when
 * known). Impossible values (a share above 100%, a fall of more than 100%) are errors and stop
 * the render; suspicious ones are warnings that go into the briefing's data-quality note.
 */
export function checkPlausibility(report: Report, figures: Figures, previous?: Figures): Finding[] {
  const out: Finding[] = [];
  const byId = new Map(report.indicators.map((i) => [i.id, i]));
  for (const ind of report.indicators) {
    const f = figures.indicators.get(ind.id);
    if (!f) continue;
    const at = (severity: Finding['severity'], column: string, rule: Finding['rule'], message: string, candidates: readonly number[] = []) =>
      out.push(finding(severity, rule, rule === 'scale-suspect' ? message : withCandidates(message, candidates), candidates, {
        file: f.origin.file,
        row: f.origin.row,
        column: (column === VALUE_COLUMN ? f.origin.columns?.value : f.origin.columns?.yoy) ?? column,
      }));
    const rawValue = f.raw?.value ?? (f.value !== undefined ? String(f.value) : '');
    const rawYoy = f.raw?.yoy ?? (f.yoy !== undefined ? String(f.yoy) : '');

    if (f.value !== undefined && ind.unit === '%' && ind.kind !== 'growth' && f.value > 100) {
      at('error', VALUE_COLUMN, 'percent-over-100', `${ind.name}为${formatNumber(f.value)}%，比率不应超过100%`, decimalCandidates(rawValue).filter((c) => c <= 100));
    }
    if (f.yoy !== undefined && f.yoy < -100) {
      at('error', YOY_COLUMN, 'decline-over-100', `${ind.name}同比下降${formatNumber(-f.yoy)}%，降幅不可能超过100%`, decimalCandidates(rawYoy).filter((c) => c <= 100).map((c) => -c));
    } else if (f.yoy !== undefined) {
      const band = ind.kind === 'growth' ? GROWTH_BAND.growth : GROWTH_BAND.other;
      if (Math.abs(f.yoy) > band) {
        const sign = f.yoy < 0 ? -1 : 1;
        at('warning', YOY_COLUMN, 'implausible-growth', `${ind.name}同比${f.yoy < 0 ? '下降' : '增长'}${formatNumber(Math.abs(f.yoy))}%，超出通常区间（±${band}%）`,
          decimalCandidates(rawYoy).filter((c) => c <= band).map((c) => sign * c));
      }
    }
    const scale = f.value !== undefined ? scaleFinding(ind, f.value, figures.period.month) : undefined;
    if (scale) {
      // Refused unless staff confirmed the value as written (确认 = 是): a figure must never print at the wrong scale.
      at(f.confirmed ? 'warning' : 'error', VALUE_COLUMN, 'scale-suspect', scale.message, scale.candidates.map((c) => c.value));
    }
    const reference = baselineReference(ind);
    if (!scale && f.value !== undefined && reference !== undefined && reference > 0 && f.value > TIMES_BASELINE * reference) {
      at('warning', VALUE_COLUMN, 'many-times-baseline', `${ind.name}${formatNumber(f.value)}${valueUnit(ind)}，超过年度目标或上年基数（${formatNumber(reference)}）的${TIMES_BASELINE}倍`,
        decimalCandidates(rawValue).filter((c) => c <= reference * 1.5 && c >= reference / 10));
    }
    const prev = previous?.indicators.get(ind.id);
    const before = prev?.value;
    if (previous && before !== undefined && f.value !== undefined && accumulates(ind)) {
      const label = periodTitle(previous.period);
      if (f.value < before) {
        at('warning', VALUE_COLUMN, 'cumulative-decrease', `${ind.name}累计值${formatNumber(f.value)}低于上期（${label}）的${formatNumber(before)}，累计值不应回落，请核实`);
      } else if (before > 0 && f.value > TIMES_PREVIOUS * before) {
        at('warning', VALUE_COLUMN, 'many-times-previous', `${ind.name}累计值${formatNumber(f.value)}是上期（${label}）${formatNumber(before)}的${TIMES_PREVIOUS}倍以上，请核实`,
          decimalCandidates(rawValue).filter((c) => c >= before && c <= before * TIMES_PREVIOUS));
      }
    }
    if (ind.kind !== 'qualitative' && ind.partOf && f.value !== undefined) {
      const whole = byId.get(ind.partOf);
      const wf = whole ? figures.indicators.get(whole.id) : undefined;
      if (whole && wf?.value !== undefined && f.value > wf.value) {
        at('warning', VALUE_COLUMN, 'part-exceeds-whole', `${ind.name}${formatNumber(f.value)}${valueUnit(ind)}大于其所属的${whole.name}${formatNumber(wf.value)}${valueUnit(whole)}`,
          decimalCandidates(rawValue).filter((c) => c <= wf.value!));
      }
    }
    for (const [raw, column] of [[f.raw?.value, VALUE_COLUMN], [f.raw?.yoy, YOY_COLUMN]] as const) {
      if (raw && hasLeadingZero(raw)) {
        at('warning', column, 'leading-zero', `${ind.name}的“${raw}”以0开头，可能漏了小数点`, decimalCandidates(raw.replace(/[^\d+-]/g, '')));
      }
    }
  }
  const noDecimals = noDecimalFinding(figures);
  if (noDecimals) out.push(noDecimals);
  return out;
}

function withCandidates(message: string, candidates: readonly number[]): string {
  if (candidates.length === 0) return message;
  return `${message}${message.endsWith('请核实') ? '' : '；请核实'}，可能为${candidates.map((c) => formatNumber(c)).join('或')}`;
}

function valueUnit(ind: Indicator): string {
  return ind.kind === 'growth' ? (ind.valueUnit ?? '') : ind.unit;
}

/** Amounts that only grow through the year: cumulative values and growth indicators' YTD amounts. */
function accumulates(ind: Indicator): boolean {
  // A seasonal amount (粮食产量) jumps at harvest: many times the previous period is normal for it.
  if (ind.kind === 'cumulative') return ind.seasonal === undefined;
  return ind.kind === 'growth' && ind.valueUnit !== undefined;
}

/**
 * What the value should be near: last year's figure (else the target) scaled to the months
 * elapsed for amounts that accumulate, as is for levels and ceilings.
 */
export function scaledBaseline(ind: Indicator, months: number): number | undefined {
  const share = months / 12;
  switch (ind.kind) {
    case 'cumulative':
      return (ind.baseline ?? ind.target) * share;
    case 'growth':
      return ind.baselineValue === undefined ? undefined : ind.baselineValue * share;
    case 'level':
    case 'ceiling':
      return ind.baseline ?? ind.target;
    case 'qualitative':
      return undefined;
    default: {
      // Other kinds with a numeric value (monitor indicators): an amount accumulates, a rate does not.
      const baseline = (ind as { baseline?: number }).baseline;
      const unit = (ind as { unit: string }).unit;
      return baseline === undefined ? undefined : unit === '%' ? baseline : baseline * share;
    }
  }
}

function scaleFinding(ind: Indicator, value: number, months: number): { message: string; candidates: { value: number; factor: number }[] } | undefined {
  const expected = scaledBaseline(ind, months);
  if (value === 0 || expected === undefined || !(expected > 0)) return undefined;
  const ratio = Math.abs(value) / expected;
  if (ratio < SCALE_FACTOR_REFUSED && ratio > 1 / SCALE_FACTOR_REFUSED) return undefined;
  const unit = valueUnit(ind);
  const candidates = scaleCandidates(value, expected);
  const how =
    candidates.length === 0
      ? ''
      : `，可能为${candidates.map((c) => `${formatNumber(c.value)}${unit}（${c.factor < 1 ? '除以' : '乘以'}${formatNumber(c.factor < 1 ? 1 / c.factor : c.factor)}${c.factor === 1e-4 && unit.startsWith('亿') ? '，如把万元读作亿元' : ''}）`).join('或')}`;
  const times = ratio >= 1 ? `${formatNumber(Math.round(ratio))}倍` : `1/${formatNumber(Math.round(1 / ratio))}`;
  return {
    candidates,
    message: `${ind.name}${formatNumber(value)}${unit}是按期折算基数（${formatNumber(Math.round(expected * 100) / 100)}${unit}）的${times}，疑为单位或数量级错误${how}；请核对单位，如确认无误请在“确认”列填“是”`,
  };
}

function baselineReference(ind: Indicator): number | undefined {
  switch (ind.kind) {
    case 'cumulative':
      return Math.max(ind.target, ind.baseline ?? 0);
    case 'growth':
      return ind.baselineValue;
    case 'level':
    case 'ceiling':
      return ind.unit === '%' ? undefined : Math.max(ind.target, ind.baseline ?? 0) || undefined;
    case 'qualitative':
      return undefined;
  }
}

/** The document-level rule: many numbers and not one decimal point suggests the points were lost. */
function noDecimalFinding(figures: Figures): Finding | undefined {
  const raws: { raw: string; f: IndicatorFigure }[] = [];
  for (const f of figures.indicators.values()) for (const r of [f.raw?.value, f.raw?.yoy]) if (r) raws.push({ raw: r, f });
  if (raws.length < MIN_NUMBERS_FOR_DECIMAL_RULE || raws.some((r) => hasDecimalPoint(r.raw))) return undefined;
  return finding('warning', 'no-decimal-point', `${raws.length}个数值中没有一个带小数点，请核实导出时是否丢失了小数点`, [], { file: figures.sources.join(', ') });
}

/** Each rule's stable code: the Chinese text is the finding itself; the English line keeps the rule's name before it. */
const RULE_CODES: Record<Finding['rule'], MessageCode> = {
  'percent-over-100': 'FIGURE_PERCENT_OVER_100',
  'decline-over-100': 'FIGURE_DECLINE_OVER_100',
  'implausible-growth': 'FIGURE_GROWTH_IMPLAUSIBLE',
  'many-times-baseline': 'FIGURE_MANY_TIMES_BASELINE',
  'many-times-previous': 'FIGURE_MANY_TIMES_PREVIOUS',
  'cumulative-decrease': 'FIGURE_CUMULATIVE_DECREASE',
  'part-exceeds-whole': 'FIGURE_PART_EXCEEDS_WHOLE',
  'leading-zero': 'FIGURE_LEADING_ZERO',
  'no-decimal-point': 'FIGURE_NO_DECIMAL_POINT',
  'scale-suspect': 'FIGURE_SCALE_SUSPECT',
};

function finding(severity: Finding['severity'], rule: Finding['rule'], text: string, candidates: readonly number[], where: IssueWhere): Finding {
  return { ...catalogIssue(severity, RULE_CODES[rule], { rule, text }, where), rule, candidates };
}
