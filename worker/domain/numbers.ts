/** Reading numbers the way people type them into Chinese spreadsheets. */
import { convertUnit, isKnownUnit } from './units.ts';

export type CellNumber =
  | { readonly ok: true; readonly value: number | undefined }
  /** `unit`: the number was fine but its unit does not convert to the indicator's. */
  | { readonly ok: false; readonly expected: string; readonly unit?: true };

const MISSING = new Set(['', '—', '——', '-', '--', '－', '―', '/', '／', 'N/A', 'n/a', '无', '暂无']);

/** Full-width digits and punctuation to ASCII: "１２３．５" → "123.5". */
export function toHalfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/**
 * Parses a cell in `unit`: "1,234.5", "358亿元", "６.５%", "—" (no figure).
 * A unit in the cell, or else `assumedUnit` (the table's 计量单位 column or its 单位：… note),
 * must be `unit` or convertible to it; anything else is an error, because guessing a unit is
 * how a briefing ends up off by 10,000.
 */
export function parseNumberCell(raw: string, unit: string, assumedUnit?: string): CellNumber {
  const text = toHalfWidth(raw).trim();
  if (MISSING.has(text)) return { ok: true, value: undefined };
  const m = /^([+-]?)\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)\s*(.*)$/.exec(text);
  if (!m) return { ok: false, expected: `a number in ${unit || 'the indicator unit'}, e.g. 1234.5` };
  const value = Number(m[2]!.replace(/,/g, '')) * (m[1] === '-' ? -1 : 1);
  const cellUnit = m[3]!.trim();
  const from = cellUnit || assumedUnit?.trim() || '';
  if (from === '' || from === unit) return { ok: true, value };
  const converted = unit === '' ? undefined : convertUnit(value, from, unit);
  if (converted !== undefined) return { ok: true, value: converted };
  return {
    ok: false,
    unit: true,
    expected: `a number in ${unit || 'the indicator unit'} (${cellUnit ? 'the cell says' : 'the unit given is'} ${from}${unit && isKnownUnit(from) ? `, which does not convert to ${unit}` : ''})`,
  };
}
