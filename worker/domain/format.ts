/** Number formatting for Chinese government documents. Pure. */

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Round half away from zero to `decimals`, robust against binary floats (1.005 → 1.01). */
export function roundTo(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return (Math.sign(n) * Math.round(Math.abs(n) * f + Number.EPSILON * f)) / f;
}

/** Decimal places of a number as JavaScript prints it (98.1 → 1, 20.01 → 2, 358 → 0), at most `max`. */
export function decimalPlaces(n: number, max = 6): number {
  const s = String(n);
  const i = s.indexOf('.');
  return i < 0 ? 0 : Math.min(s.length - i - 1, max);
}

/**
 * The one minus sign of every printed number (table, text, chart, email): U+2212, as wide as "+"
 * and never taken for a hyphen or split from its digits by a line break.
 */
export const MINUS = '\u2212';

/** Units whose quantities are whole things (个, 处, 项 …): printed without decimals. */
const COUNT_UNITS = new Set(['个', '处', '项', '家', '人', '户', '起', '次', '件', '所', '座', '条', '辆', '套', '宗', '台', '栋', '间', '场', '名', '位', '张', '天', '批', '期', '块', '棵', '株', '头', '只', '部', '艘', '架', '所']);

/**
 * Decimal places for a unit when the indicator sets none: 亿元 and 万元 2, 元 (per-head incomes) 0,
 * percentages and 百分点 1, counts 0; undefined for other units (a number then keeps its own
 * decimals, at most 2).
 */
export function unitDecimals(unit: string): number | undefined {
  if (unit === '元') return 0;
  if (/元$/.test(unit)) return 2;
  if (unit === '%' || unit === '％' || unit === '‰' || unit === '百分点') return 1;
  if (COUNT_UNITS.has(unit)) return 0;
  return undefined;
}

/** The decimals a quantity is printed with: the indicator's own, else its unit's, else as written (at most 2). */
export function decimalsFor(n: number, unit: string, decimals?: number): number {
  return decimals ?? unitDecimals(unit) ?? decimalPlaces(n, 2);
}

/** A number as written, keeping its own decimals: 20.01 → "20.01", 358 → "358", −3 → "−3". */
export function formatNumber(n: number, decimals?: number, grouping = false): string {
  const r = decimals === undefined ? roundTo(n, 6) : roundTo(n, decimals);
  const abs = decimals === undefined ? String(Math.abs(r)) : Math.abs(r).toFixed(decimals);
  const sign = r < 0 ? MINUS : '';
  if (!grouping || /e/i.test(abs)) return `${sign}${abs}`;
  const [int, frac] = abs.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${frac === undefined ? grouped : `${grouped}.${frac}`}`;
}

/** A quantity in its unit's (or the indicator's) decimals, without the unit: 1.23456 亿元 → "1.23". */
export function formatQuantity(n: number, unit: string, decimals?: number, grouping = false): string {
  return formatNumber(n, decimalsFor(n, unit, decimals), grouping);
}

/** One decimal for percentages and 百分点: 6.75 → "6.8", 75 → "75.0", −0.84 → "−0.8". */
export function formatPoints(n: number): string {
  return formatNumber(n, 1);
}

/** "20.01亿元", "98.1%", "5000亩": the same digits the table prints for that indicator. */
export function formatAmount(n: number, unit: string, decimals?: number): string {
  return `${formatQuantity(n, unit, decimals)}${unit}`;
}

/** Signed numbers for tables: "+2.3", "−6.8", "0.0". */
export function formatSigned(n: number, decimals = 1): string {
  const r = roundTo(n, decimals);
  if (r === 0) return (0).toFixed(decimals);
  return `${r > 0 ? '+' : MINUS}${Math.abs(r).toFixed(decimals)}`;
}

const CN_DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (for 一、 headings). */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 99) return String(n);
  if (n < 10) return CN_DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : CN_DIGITS[tens]}十${ones === 0 ? '' : CN_DIGITS[ones]}`;
}

/** "2023-10-15" or a Date → "2023年10月15日" */
export function chineseDate(date: string | Date): string {
  const iso = typeof date === 'string' ? date : date.toISOString().slice(0, 10);
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

/** The calendar date of `instant` in `timeZone`, as ISO "YYYY-MM-DD". */
export function isoDateInZone(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}
