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
  /** Which paragraph (body line) it stands in. */
  readonly paragraph: number;
}

export interface LocatedClause {
  readonly raw: string;
  /** Normalised text (simplified, half-width). */
  readonly text: string;
  readonly pos: number;
  readonly paragraph: number;
}

/** Growth of an economic aggregate or an income beyond this is suspect; anything else beyond the wider band. */
export const GROWTH_BAND = { economic: 30, other: 200 } as const;
const ECONOMIC = /生产总值|GDP|增加值|收入|投资|零售|消费|产值|营业额|销售额|税|财政|进出口|出口|进口|利润|工资/;
/** Enough numbers that not one decimal point among them is telling. */
export const MIN_NUMBERS_FOR_DECIMAL_RULE = 20;

/** Aggregates nothing else in the text should exceed, with the parts that may (gross output, turnover, balances). */
const WHOLE = /^(?:地区生产总值|国内生产总值|生产总值|GDP)$/;
/** Gross output and turnover may exceed GDP; so may multi-year sums (签约项目总投资, 累计). */
const NOT_A_PART = /产值|交易额|营业额|销售额|成交额|营业收入|主营业务收入|余额|存款|贷款|总投资|计划投资|签约|累计|融资|授信|规模/;
const YUAN_IN_YI: Record<string, number> = { 万亿元: 1e4, 亿元: 1, 万元: 1e-4 };

type Pending = DraftFinding & { pos: number };

export function findFindings(located: readonly Located[], clauses: readonly LocatedClause[], text: string): DraftFinding[] {
  const found: Pending[] = [];
  located.forEach((l, index) => {
    const add = (f: Omit<DraftFinding, 'raw' | 'indicator'>) => found.push({ ...f, raw: l.indicator.raw, indicator: index, pos: l.pos });
    const rate = percentOverHundred(l) ?? implausibleGrowth(l);
    if (rate) add(rate);
    const part = amountExceedsWhole(l, located) ?? partExceedsWhole(l, index, located);
    if (part) add(part);
    const area = areaExceedsRegion(l, located);
    if (area) add(area);
    const count = implausibleCount(l, text);
    if (count) add(count);
  });
  for (const c of clauses) for (const f of leadingZeros(c, located)) found.push({ ...f, pos: c.pos });
  for (const f of unusedNumbers(clauses, located)) found.push(f);
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

/** Money in 亿元 of whatever unit it is written in; undefined when it is not money. */
function inYi(i: DraftIndicator): number | undefined {
  const factor = YUAN_IN_YI[i.unit];
  return factor === undefined || i.value === null ? undefined : i.value * factor;
}

/**
 * 其中: a part larger than the whole just before it in the same sentence (财政总收入16.55亿元,
 * 其中一般公共预算收入127亿元). The raw snippet of a part starts with 其中.
 */
function partExceedsWhole(l: Located, index: number, all: readonly Located[]): RuleResult | null {
  const i = l.indicator;
  const value = inYi(i);
  if (value === undefined || l.numberText === null || !/^\s*其中/.test(i.raw)) return null;
  let w = index - 1;
  while (w >= 0 && (all[w]!.paragraph !== l.paragraph || inYi(all[w]!.indicator) === undefined || /^\s*其中/.test(all[w]!.indicator.raw))) w--;
  const whole = all[w];
  if (!whole || whole.paragraph !== l.paragraph) return null;
  const wholeValue = inYi(whole.indicator)!;
  if (value <= wholeValue) return null;
  const factor = YUAN_IN_YI[i.unit]!;
  const candidates = decimalCandidates(l.numberText).filter((c) => c * factor <= wholeValue);
  const what = `其中${i.name}${l.numberText}${i.unit}大于它所属的${whole.indicator.name}${formatNumber(whole.indicator.value!)}${whole.indicator.unit}`;
  return { rule: 'part-exceeds-whole', candidates, message: withCandidates('part-exceeds-whole', what, candidates) };
}

/** Square kilometres per unit of area. */
const KM2: Record<string, number> = { 平方公里: 1, 平方千米: 1, 平方米: 1e-6, 公顷: 0.01, 亩: 1 / 1500 };
const MAGNITUDES: Record<string, number> = { '': 1, 万: 1e4, 亿: 1e8 };
/** The area of the region itself: 县域总面积1756平方公里, 辖区面积72平方公里. */
const REGION_AREA = /^(?:全区|全县|全市|全旗|全镇|县域|区域|辖区|全域|行政区域|国土)?(?:总)?面积$|总面积$/;
/** Floor areas and areas counted repeatedly (清扫保洁面积) may exceed the land. */
const NOT_LAND = /建筑|房屋|住宅|商品房|楼|厂房|征收|棚户|保洁|清扫|作业|累计|屋顶|墙/;

function areaKm2(i: DraftIndicator): number | undefined {
  if (i.value === null) return undefined;
  const m = /^(?<mag>万|亿)?(?<unit>.+)$/.exec(i.unit)?.groups;
  const per = m ? KM2[m.unit!] : undefined;
  return per === undefined ? undefined : i.value * MAGNITUDES[m!.mag ?? '']! * per;
}

/** An area larger than the region's own area stated in the same text. */
function areaExceedsRegion(l: Located, all: readonly Located[]): RuleResult | null {
  const i = l.indicator;
  const area = areaKm2(i);
  if (area === undefined || l.numberText === null || REGION_AREA.test(i.name) || NOT_LAND.test(i.name)) return null;
  const region = all.find((r) => REGION_AREA.test(r.indicator.name) && areaKm2(r.indicator) !== undefined);
  if (!region) return null;
  const regionKm2 = areaKm2(region.indicator)!;
  if (area <= regionKm2) return null;
  const perUnit = area / i.value!;
  const candidates = decimalCandidates(l.numberText).filter((c) => c * perUnit <= regionKm2);
  const what = `${i.name}${l.numberText}${i.unit}（约${formatNumber(Math.round(area))}平方公里）大于同文中的${region.indicator.name}${formatNumber(region.indicator.value!)}${region.indicator.unit}`;
  return { rule: 'area-exceeds-region', candidates, message: withCandidates('area-exceeds-region', what, candidates) };
}

/** The population as the text states it: 总人口94万, 常住人口52.6万人, 53万人民群众. */
const POPULATION = [
  /(?:常住人口|户籍人口|总人口|人口)(?:为|达到|达|约|近|超过)?(?<num>\d+(?:\.\d+)?)(?<mag>万)?人?/,
  /(?<num>\d+(?:\.\d+)?)(?<mag>万)(?:各族)?(?:人民群众|群众|居民|人民)/,
];
/** People counted once each; visits and services (人次, 游客, 接待) are not bounded by the population. */
const PEOPLE_UNIT = /^(?<mag>万)?(?:人|名)$/;
const NOT_RESIDENTS = /游客|旅客|接待|客流|人次|访|参观|观众|出入境|服务|诊疗|门诊|培训|次/;
/** Annual flows that are a small share of the population: 城镇新增就业 is 1–3% of it. */
const ANNUAL_FLOW = /新增就业|转移就业|创业/;
export const MAX_FLOW_SHARE = 0.1;

function populationOf(text: string): number | undefined {
  const normal = toHalfWidth(text);
  for (const re of POPULATION) {
    const g = re.exec(normal)?.groups;
    if (g) return Number(g.num) * (g.mag ? 1e4 : 1);
  }
  return undefined;
}

/** A count of people above the population, or an annual flow (新增就业) above a tenth of it. */
function implausibleCount(l: Located, text: string): RuleResult | null {
  const i = l.indicator;
  const unit = PEOPLE_UNIT.exec(i.unit)?.groups;
  if (!unit || i.value === null || l.numberText === null || i.kind !== 'cumulative' || NOT_RESIDENTS.test(i.name) || /人\s*[(（]次/.test(i.raw)) return null;
  const population = populationOf(text);
  if (population === undefined) return null;
  const perUnit = unit.mag ? 1e4 : 1;
  const count = i.value * perUnit;
  const flow = ANNUAL_FLOW.test(i.name);
  const limit = flow ? population * MAX_FLOW_SHARE : population;
  if (count <= limit) return null;
  const candidates = decimalCandidates(l.numberText).filter((c) => c * perUnit <= limit);
  const what = flow
    ? `${i.name}${l.numberText}${i.unit}，超过同文人口（${formatNumber(population / 1e4)}万人）的${MAX_FLOW_SHARE * 100}%`
    : `${i.name}${l.numberText}${i.unit}，多于同文人口（${formatNumber(population / 1e4)}万人）`;
  return { rule: 'implausible-count', candidates, message: withCandidates('implausible-count', what, candidates) };
}

/** Digits that are dates, ordinals, codes or part of a name (2023年, 1-6月, 第3, PM2.5, 5G), not amounts. */
const NUMBER_IN_TEXT = /(?<![\d.,A-Za-z第])\d+(?:,\d{3})*(?:\.\d+)?(?![\d.A-Za-z])(?!(?:年|月|日|号|时|届|周年|次会议|[-—~至到]\d+[年月日]))/g;

/**
 * Every number in a paragraph of targets that no drafted indicator took, so that nothing in
 * a target paragraph is dropped silently. One finding per number, in reading order.
 */
function unusedNumbers(clauses: readonly LocatedClause[], located: readonly Located[]): Pending[] {
  const targetParagraphs = new Set(located.filter((l) => l.indicator.role === 'target').map((l) => l.paragraph));
  const out: Pending[] = [];
  for (const c of clauses) {
    if (!targetParagraphs.has(c.paragraph)) continue;
    const used = located.filter((l) => l.pos === c.pos && l.numberText !== null).map((l) => Number(l.numberText));
    for (const m of c.text.matchAll(NUMBER_IN_TEXT)) {
      const n = Number(m[0].replace(/,/g, ''));
      const at = used.indexOf(n);
      if (at >= 0) {
        used.splice(at, 1);
        continue;
      }
      const raw = c.raw.trim();
      out.push({
        raw,
        rule: 'unused-number',
        candidates: [],
        message: `[unused-number] 目标段落中的数字“${m[0]}”未列入草稿（原文：${raw}），请核对是否漏了一项目标`,
        indicator: null,
        pos: c.pos,
      });
    }
  }
  return out;
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
