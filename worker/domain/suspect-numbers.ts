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
