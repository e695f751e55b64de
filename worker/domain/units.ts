/**
 * Units of measure as statistics offices write them, and exact conversions between them. Pure.
 * Two units convert only when they measure the same thing (元 and 亿元, 亩 and 公顷); counts of
 * different things (个, 家, 项) never do, because guessing a unit is how a briefing ends up
 * off by 10,000.
 */

// Local, so that numbers.ts can use this module without an import cycle.
const toHalfWidth = (t: string) => t.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');

/** Each dimension: its units and how many base units one of them is. */
const DIMENSIONS: Record<string, Record<string, number>> = {
  money: { 元: 1, 千元: 1e3, 万元: 1e4, 百万元: 1e6, 亿元: 1e8, 万亿元: 1e12 },
  people: { 人: 1, 万人: 1e4, 亿人: 1e8 },
  visits: { 人次: 1, 万人次: 1e4, 亿人次: 1e8 },
  mass: { 千克: 1e-3, 公斤: 1e-3, 吨: 1, 万吨: 1e4, 亿吨: 1e8 },
  // 1 公顷 = 15 亩 = 10,000 平方米, by definition.
  area: { 平方米: 1, 万平方米: 1e4, 亩: 1e4 / 15, 万亩: 1e8 / 15, 公顷: 1e4, 万公顷: 1e8, 平方公里: 1e6, 平方千米: 1e6 },
  length: { 米: 1, 公里: 1e3, 千米: 1e3, 万公里: 1e7 },
  teu: { 标箱: 1, 万标箱: 1e4 },
  households: { 户: 1, 万户: 1e4 },
  energy: { 千瓦时: 1, 度: 1, 万千瓦时: 1e4, 亿千瓦时: 1e8 },
  coal: { 吨标准煤: 1, 万吨标准煤: 1e4 },
  vehicles: { 辆: 1, 万辆: 1e4 },
  percent: { '%': 1 },
};

/** Counts of distinct things: each converts only to itself and its 万-multiple. */
const COUNTS = ['个', '家', '项', '处', '所', '座', '套', '间', '台', '件', '户', '人', '辆', '天', '张', '条', '栋', '宗', '次', '部', '只', '头', '公里'];

/** Spellings offices use for the same unit. */
const SPELLINGS: Record<string, string> = {
  '﹪': '%', 百分比: '%', teu: '标箱', km: '公里', kg: '千克', t: '吨', 'kw·h': '千瓦时', kwh: '千瓦时', 'km2': '平方公里', 'm2': '平方米', 'm²': '平方米', 'km²': '平方公里',
};

/** The unit as a key: half-width, no spaces or brackets, known spellings folded ("（万元）" → 万元). */
export function normalizeUnit(unit: string): string {
  const u = toHalfWidth(unit).replace(/[\s()（）[\]【】]/g, '').toLowerCase();
  return SPELLINGS[u] ?? u;
}

const FACTORS = new Map<string, { dim: string; factor: number }>();
for (const [dim, units] of Object.entries(DIMENSIONS)) for (const [u, f] of Object.entries(units)) FACTORS.set(u, { dim, factor: f });
for (const c of COUNTS) {
  const dim = `count:${c}`;
  if (!FACTORS.has(c)) FACTORS.set(c, { dim, factor: 1 });
  if (!FACTORS.has(`万${c}`)) FACTORS.set(`万${c}`, { dim: FACTORS.get(c)!.dim, factor: 1e4 * FACTORS.get(c)!.factor });
}

/** True when the unit is one this table knows. */
export function isKnownUnit(unit: string): boolean {
  return FACTORS.has(normalizeUnit(unit));
}

/** True for units of counted things (个, 家, 人, 户…): such a figure cannot be negative. */
export function isCountUnit(unit: string): boolean {
  const f = FACTORS.get(normalizeUnit(unit));
  return f !== undefined && (f.dim.startsWith('count:') || ['people', 'visits', 'households', 'vehicles', 'teu'].includes(f.dim));
}

/** How many `to` one `from` is worth (万元 → 亿元: 0.0001), or undefined when they do not convert. */
export function unitFactor(from: string, to: string): number | undefined {
  const a = normalizeUnit(from);
  const b = normalizeUnit(to);
  if (a === b) return 1;
  const fa = FACTORS.get(a);
  const fb = FACTORS.get(b);
  if (!fa || !fb || fa.dim !== fb.dim) return undefined;
  return fa.factor / fb.factor;
}

/** `value` in `from` expressed in `to`, rounded to ten decimals so 10583548万元 is 1058.3548亿元, not 1058.3548000000001. */
export function convertUnit(value: number, from: string, to: string): number | undefined {
  const f = unitFactor(from, to);
  if (f === undefined) return undefined;
  if (f === 1) return value;
  const x = value * f;
  return Math.round(x * 1e10) / 1e10;
}
