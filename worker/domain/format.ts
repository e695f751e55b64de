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

/** A number as written, keeping its own decimals: 20.01 → "20.01", 358 → "358", 1234567 → "1234567". */
export function formatNumber(n: number, decimals?: number, grouping = false): string {
  const s =
    decimals === undefined
      ? String(roundTo(n, 6))
      : roundTo(n, decimals).toFixed(decimals);
  if (!grouping) return s;
  const [int, frac] = s.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** One decimal for percentages and 百分点: 6.75 → "6.8", 75 → "75.0". */
export function formatPoints(n: number): string {
  return roundTo(n, 1).toFixed(1);
}

/** "20.01亿元", "98.1%", "5000亩" */
export function formatAmount(n: number, unit: string): string {
  return `${formatNumber(n)}${unit}`;
}

/** Signed 百分点 for tables: "+2.3", "−6.8", "0.0". Uses U+2212 so the sign survives justification. */
export function formatSigned(n: number, decimals = 1): string {
  const r = roundTo(n, decimals);
  if (r === 0) return (0).toFixed(decimals);
  return `${r > 0 ? '+' : '−'}${Math.abs(r).toFixed(decimals)}`;
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
