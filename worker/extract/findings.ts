/**
 * Plausibility of the numbers found in a report's text. General rules, never tuned to one
 * document; each finding proposes readings with the decimal point put back and corrects nothing.
 */
import { formatNumber } from '../domain/format.ts';
import { toHalfWidth } from '../domain/numbers.ts';
import { decimalCandidates, hasDecimalPoint, hasLeadingZero } from '../domain/suspect-numbers.ts';
import type { DraftFinding, DraftIndicator } from './draft.ts';

/** An extracted indicator with what the rules need to know about how its number was written. */
export interface Located {
  readonly indicator: DraftIndicator;
  readonly numberText: string | null;
  /** Offset in the report, to keep findings in reading order. */
  readonly pos: number;
}

export interface LocatedClause {
  readonly raw: string;
  /** Normalised text (simplified, half-width). */
  readonly text: string;
  readonly pos: number;
}

/** Growth of an economic aggregate or an income beyond this is suspect; anything else beyond the wider band. */
export const GROWTH_BAND = { economic: 30, other: 200 } as const;
const ECONOMIC = /生产总值|GDP|增加值|收入|投资|零售|消费|产值|营业额|销售额|税|财政|进出口|出口|进口|利润|工资/;
/** Enough numbers that not one decimal point among them is telling. */
export const MIN_NUMBERS_FOR_DECIMAL_RULE = 20;

/** Aggregates nothing else in the text should exceed, with the parts that may (gross output, turnover, balances). */
const WHOLE = /^(?:地区生产总值|国内生产总值|GDP)$/;
const NOT_A_PART = /产值|交易额|营业额|销售额|成交额|营业收入|主营业务收入|余额|存款|贷款/;
const YUAN_IN_YI: Record<string, number> = { 亿元: 1, 万元: 1e-4 };

type Pending = DraftFinding & { pos: number };

export function findFindings(located: readonly Located[], clauses: readonly LocatedClause[], text: string): DraftFinding[] {
  const found: Pending[] = [];
  located.forEach((l, index) => {
    const add = (f: Omit<DraftFinding, 'raw' | 'indicator'>) => found.push({ ...f, raw: l.indicator.raw, indicator: index, pos: l.pos });
    const rate = percentOverHundred(l) ?? implausibleGrowth(l);
    if (rate) add(rate);
    const part = amountExceedsWhole(l, located);
    if (part) add(part);
  });
  for (const c of clauses) for (const f of leadingZeros(c, located)) found.push({ ...f, pos: c.pos });
  found.sort((a, b) => a.pos - b.pos);
  const all: DraftFinding[] = found.map(({ pos: _pos, ...f }) => f);
  const doc = noDecimalPoint(text);
  return doc ? [...all, doc] : all;
}

type RuleResult = Omit<DraftFinding, 'raw' | 'indicator'>;

/** A rate or share above 100%, or a fall of more than 100%: impossible as written. */
function percentOverHundred({ indicator: i, numberText }: Located): RuleResult | null {
  if (i.unit !== '%' || i.value === null || numberText === null) return null;
  const isShare = i.kind === 'level' || i.kind === 'ceiling';
  const isFall = i.kind === 'growth' && i.value < 0;
  if (!((isShare && i.value > 100) || (isFall && i.value < -100))) return null;
  const candidates = decimalCandidates(numberText).filter((c) => c <= 100);
  const what = isFall ? `${i.name}下降${numberText}%，降幅不可能超过100%` : `${i.name}为${numberText}%，比率不应超过100%`;
  return { rule: 'percent-over-100', candidates, message: withCandidates('percent-over-100', what, candidates) };
}

function implausibleGrowth({ indicator: i, numberText }: Located): RuleResult | null {
  if (i.kind !== 'growth' || i.value === null || numberText === null) return null;
  const band = ECONOMIC.test(i.name) ? GROWTH_BAND.economic : GROWTH_BAND.other;
  if (Math.abs(i.value) <= band) return null;
  const candidates = decimalCandidates(numberText).filter((c) => c <= band);
  const what = `${i.name}同比${i.value < 0 ? '下降' : '增长'}${numberText}%，超出通常区间（±${band}%）`;
  return { rule: 'implausible-growth', candidates, message: withCandidates('implausible-growth', what, candidates) };
}

/** An amount in 亿元/万元 above the 地区生产总值 given in the same text (2001亿元 of revenue against 358亿元). */
function amountExceedsWhole(l: Located, all: readonly Located[]): RuleResult | null {
  const i = l.indicator;
  const factor = YUAN_IN_YI[i.unit];
  if (factor === undefined || i.value === null || l.numberText === null || WHOLE.test(i.name) || NOT_A_PART.test(i.name)) return null;
  const whole = wholeFor(i, all);
  if (!whole || whole.value === null || i.value * factor <= whole.value) return null;
  const wholeValue = whole.value;
  const candidates = decimalCandidates(l.numberText).filter((c) => c * factor < wholeValue);
  const what = `${i.name}${l.numberText}${i.unit}大于同文中的${whole.name}${formatNumber(wholeValue)}亿元`;
  return { rule: 'amount-exceeds-whole', candidates, message: withCandidates('amount-exceeds-whole', what, candidates) };
}

/** The aggregate stated in the same role (a target against the target, a result against the result), else any. */
function wholeFor(part: DraftIndicator, all: readonly Located[]): DraftIndicator | undefined {
  const wholes = all.map((l) => l.indicator).filter((w) => WHOLE.test(w.name) && w.kind === 'cumulative' && w.unit === '亿元' && w.value !== null);
  return wholes.find((w) => w.role === part.role) ?? wholes[0];
}

/** Numbers as digits, not preceded by another digit or point; dates and codes (05月, 0471-) are not amounts. */
const LEADING_ZERO_NUMBER = /(?<![\d.])0\d+(?:\.\d+)?(?![\d年月日时号:\-/])/g;

/** Every number written with a leading zero, tied to the indicator it is the value of, if any. */
function leadingZeros(c: LocatedClause, located: readonly Located[]): DraftFinding[] {
  return [...c.text.matchAll(LEADING_ZERO_NUMBER)]
    .filter((m) => hasLeadingZero(m[0]))
    .map((m) => {
      const index = located.findIndex((l) => l.pos === c.pos && l.numberText === m[0]);
      const owner = located[index];
      const candidates = decimalCandidates(m[0]);
      const what = `${owner ? owner.indicator.name : ''}“${m[0]}”以0开头，可能漏了小数点`;
      return {
        raw: owner ? owner.indicator.raw : c.raw,
        rule: 'leading-zero',
        candidates,
        message: withCandidates('leading-zero', what, candidates),
        indicator: owner ? index : null,
      };
    });
}

/** Numbers that are amounts, not years (2022年) — years never carry a point and would pad the count. */
const NUMBER = /\d+(?:[.．]\d+)?(?!\d)/g;
const YEAR = /^(?:19|20)\d\d$/;

/** One document-level finding: many numbers and not one decimal point suggests the points were lost. */
function noDecimalPoint(text: string): DraftFinding | null {
  const normal = toHalfWidth(text);
  const numbers = [...normal.matchAll(NUMBER)].filter((m) => !(YEAR.test(m[0]) && normal[m.index + m[0].length] === '年'));
  if (numbers.length < MIN_NUMBERS_FOR_DECIMAL_RULE || numbers.some((m) => hasDecimalPoint(m[0]))) return null;
  const raw = `全文${numbers.length}个数字均无小数点`;
  return {
    raw,
    rule: 'no-decimal-point',
    candidates: [],
    message: `[no-decimal-point] ${raw}，文本可能在转换时丢失了小数点；请对照原件核对每个数字`,
    indicator: null,
  };
}

function withCandidates(rule: string, message: string, candidates: readonly number[]): string {
  const base = `[${rule}] ${message}`;
  return candidates.length === 0 ? base : `${base}；请核实，可能为${candidates.map((c) => formatNumber(c)).join('或')}`;
}
