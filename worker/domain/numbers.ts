/** Reading numbers the way people type them into Chinese spreadsheets. */
import { roundTo } from './format.ts';

export type CellNumber =
  | { readonly ok: true; readonly value: number | undefined }
  | { readonly ok: false; readonly expected: string };

const MISSING = new Set(['', '—', '——', '-', '--', '－', '―', '/', '／', 'N/A', 'n/a', '无', '暂无']);

/** Full-width digits and punctuation to ASCII: "１２３．５" → "123.5". */
export function toHalfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** How many of `unit` one `from` is worth, where the two are convertible. */
const UNIT_FACTORS: Record<string, Record<string, number>> = {
  亿元: { 万元: 1e-4, 元: 1e-8 },
  万元: { 亿元: 1e4, 元: 1e-4 },
  元: { 万元: 1e4, 亿元: 1e8 },
  万人: { 人: 1e-4 },
  人: { 万人: 1e4 },
};

/**
 * Parses a cell in `unit`: "1,234.5", "358亿元", "６.５%", "—" (no figure).
 * A unit in the cell must be `unit` or convertible to it; anything else is an error,
 * because guessing a unit is how a briefing ends up off by 10,000.
 */
export function parseNumberCell(raw: string, unit: string): CellNumber {
  const text = toHalfWidth(raw).trim();
  if (MISSING.has(text)) return { ok: true, value: undefined };
  const m = /^([+-]?)\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)\s*(.*)$/.exec(text);
  if (!m) return { ok: false, expected: `a number in ${unit || 'the indicator unit'}, e.g. 1234.5` };
  const value = Number(m[2]!.replace(/,/g, '')) * (m[1] === '-' ? -1 : 1);
  const cellUnit = m[3]!.trim();
  if (cellUnit === '' || cellUnit === unit) return { ok: true, value };
  const factor = UNIT_FACTORS[unit]?.[cellUnit];
  if (factor !== undefined) return { ok: true, value: roundTo(value * factor, 10) };
  return { ok: false, expected: `a number in ${unit} (the cell says ${cellUnit})` };
}
