/**
 * Candidate readings of a number that may have lost its decimal point (the sample report
 * prints 20.01亿元 as "2001亿元" and 3.5% as "35%"). Pure; callers decide which rule fired
 * and which candidates are plausible in context. Nothing here corrects anything.
 */

/**
 * Readings of `raw` with a decimal point put back: "2001" → [200.1, 20.01, 2.001],
 * "05" → [0.5], "758" → [75.8, 7.58]. A number that already has a point has none.
 */
export function decimalCandidates(raw: string): number[] {
  const digits = raw.trim().replace(/^[+-]/, '');
  if (!/^\d+$/.test(digits) || digits.length < 2) return [];
  if (digits.startsWith('0')) return [Number(`0.${digits.slice(1)}`)];
  const out: number[] = [];
  for (let k = 1; k < digits.length; k++) out.push(Number(`${digits.slice(0, digits.length - k)}.${digits.slice(digits.length - k)}`));
  return out;
}

/** True when `raw` is written with a superfluous leading zero ("05", "007"), not "0" or "0.5". */
export function hasLeadingZero(raw: string): boolean {
  return /^[+-]?0\d/.test(raw.trim());
}

/** True when the text of a number carries a decimal point. */
export function hasDecimalPoint(raw: string): boolean {
  return /\d[.．]\d/.test(raw);
}

/** Factors by which a value is misread when its unit is: 万 (1e4), 亿 (1e8), 千 (1e3), percent as a fraction (1e2), 百万 (1e6). */
const SCALE_FACTORS = [1e4, 1e8, 1e3, 1e2, 1e6] as const;

/**
 * Readings of `value` scaled by a unit factor that bring it within ten times `expected`, nearest
 * first: 10583548 against about 500 → 1058.3548 (÷10000, 万元 read as 亿元).
 */
export function scaleCandidates(value: number, expected: number): { value: number; factor: number }[] {
  if (!(expected > 0) || value === 0) return [];
  const out: { value: number; factor: number; d: number }[] = [];
  for (const f of SCALE_FACTORS) {
    for (const factor of [1 / f, f]) {
      const v = Math.round(value * factor * 1e10) / 1e10;
      const d = Math.abs(Math.log10(Math.abs(v) / expected));
      if (d <= 1) out.push({ value: v, factor, d });
    }
  }
  return out.sort((a, b) => a.d - b.d).map(({ value: v, factor }) => ({ value: v, factor }));
}
