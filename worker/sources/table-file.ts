import path from 'node:path';
import { readFile, stat } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import type { RawTable } from '../domain/figure-table.ts';
import { InputError } from '../domain/issues.ts';

export const TABLE_EXTENSIONS = ['.csv', '.xlsx'] as const;
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

export interface ReadTableOptions {
  /** Name of the worksheet to read (XLSX); the first one by default. */
  readonly sheet?: string;
  readonly maxBytes?: number;
  /** How the file is named in messages (defaults to its path). */
  readonly label?: string;
}

const fail = (file: string, message: string, row?: number): never => {
  throw new InputError([{ severity: 'error', file, ...(row !== undefined ? { row } : {}), message }]);
};

/** Reads a CSV or XLSX figure file into a table of text cells. */
export async function readTableFile(file: string, opts: ReadTableOptions = {}): Promise<RawTable> {
  const label = opts.label ?? file;
  const ext = path.extname(file).toLowerCase();
  if (!(TABLE_EXTENSIONS as readonly string[]).includes(ext)) {
    fail(label, `unsupported file type "${ext || '(none)'}"; expected .csv or .xlsx`);
  }
  const info = await stat(file).catch((e: NodeJS.ErrnoException) =>
    fail(label, e.code === 'ENOENT' ? 'no such file' : `cannot read the file (${e.code ?? e.message})`),
  );
  if (!info.isFile()) fail(label, 'is not a file');
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (info.size > max) fail(label, `the file is ${info.size} bytes, over the limit of ${max}; split it or raise the limit`);
  if (info.size === 0) fail(label, 'the file is empty; expected a header row and one row per indicator');
  const bytes = await readFile(file);
  return ext === '.csv' ? csvTable(label, bytes) : xlsxTable(label, bytes, opts.sheet);
}

/** UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise GB18030, which is what Chinese Excel writes. */
export function decodeText(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'gb18030' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}

export function csvTable(file: string, bytes: Uint8Array): RawTable {
  const { text } = decodeText(bytes);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, { info: true, relax_column_count: true, skip_empty_lines: false, trim: false }) as unknown as typeof records;
  } catch (e) {
    const err = e as { lines?: number; message: string };
    return fail(file, `not a readable CSV file: ${err.message.replace(/^Invalid .*?: /, '')}`, err.lines);
  }
  return toTable(file, records.map((r) => ({ row: r.info.lines, cells: r.record })));
}

export async function xlsxTable(file: string, bytes: Uint8Array, sheetName?: string): Promise<RawTable> {
  const { default: Excel } = await import('exceljs'); // ~200 ms to load: only when an XLSX file is read
  const wb = new Excel.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    fail(file, `not a readable XLSX file (${(e as Error).message}); save it again from Excel or WPS as .xlsx`);
  }
  const ws = sheetName ? wb.getWorksheet(sheetName) : wb.worksheets[0];
  if (!ws) {
    return fail(file, sheetName ? `no sheet named "${sheetName}"; sheets: ${wb.worksheets.map((w) => w.name).join(', ')}` : 'the workbook has no sheets');
  }
  const rows: { row: number; cells: string[] }[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value));
    rows.push({ row: rowNumber, cells });
  });
  return toTable(file, rows);
}

/** A cell's value as staff see it: formulas by their cached result, dates as ISO dates. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if ('result' in v) return v.result === undefined ? '' : cellText(v.result as ExcelJS.CellValue);
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('text' in v) return String(v.text);
  if ('error' in v) return String(v.error);
  return '';
}

function toTable(file: string, rows: { row: number; cells: string[] }[]): RawTable {
  const headerAt = rows.findIndex((r) => r.cells.some((c) => c.trim() !== ''));
  if (headerAt < 0) fail(file, 'the file has no rows; expected a header row and one row per indicator');
  const header = rows[headerAt]!;
  return { file, header: header.cells.map((c) => c.trim()), headerRow: header.row, rows: rows.slice(headerAt + 1) };
}
