import path from 'node:path';
import { readFile, stat } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import type { RawTable } from '../domain/figure-table.ts';
import { catalogIssue, InputError } from '../domain/issues.ts';
import type { MessageCode, Params } from '../domain/messages.ts';
import { locateHeader } from '../domain/table-layout.ts';
import { inflateRawSync } from 'node:zlib';

export const TABLE_EXTENSIONS = ['.csv', '.xlsx'] as const;
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
/** More rows than any report's figures need; a bigger sheet is an export of something else. */
export const DEFAULT_MAX_ROWS = 50_000;
/** What an XLSX may unpack to: its XML, not its zip, is what exceljs holds in memory. */
export const DEFAULT_MAX_UNPACKED_BYTES = 200 * 1024 * 1024;

export interface ReadTableOptions {
  /** Name of the worksheet to read (XLSX); the first one by default. */
  readonly sheet?: string;
  readonly maxBytes?: number;
  readonly maxRows?: number;
  readonly maxUnpackedBytes?: number;
  /** How the file is named in messages (defaults to its path). */
  readonly label?: string;
}

const fail = (file: string, code: MessageCode, params: Params, row?: number): never => {
  throw new InputError([catalogIssue('error', code, params, { file, row })]);
};

/** Reads a CSV or XLSX figure file into a table of text cells. */
export async function readTableFile(file: string, opts: ReadTableOptions = {}): Promise<RawTable> {
  const label = opts.label ?? file;
  const ext = path.extname(file).toLowerCase();
  if (!(TABLE_EXTENSIONS as readonly string[]).includes(ext)) {
    fail(label, 'TABLE_UNSUPPORTED', { ext });
  }
  const info = await stat(file).catch((e: NodeJS.ErrnoException) =>
    e.code === 'ENOENT' ? fail(label, 'FILE_NOT_FOUND', {}) : fail(label, 'FILE_UNREADABLE', { detail: e.code ?? e.message }),
  );
  if (!info.isFile()) fail(label, 'FILE_NOT_FOUND', { variant: 'not-file' });
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (info.size > max) fail(label, 'TABLE_TOO_LARGE', { size: info.size, max });
  if (info.size === 0) fail(label, 'TABLE_EMPTY', {});
  const bytes = await readFile(file);
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  return ext === '.csv' ? csvTable(label, bytes, maxRows) : xlsxTable(label, bytes, opts.sheet, { maxRows, maxUnpackedBytes: opts.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES });
}

/** UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise GB18030, which is what Chinese Excel writes. */
export function decodeText(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'gb18030' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}

export function csvTable(file: string, bytes: Uint8Array, maxRows = DEFAULT_MAX_ROWS): RawTable {
  const { text } = decodeText(bytes);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // to_line: one more than allowed, so that an oversized file is refused without parsing all of it.
    records = parseCsv(text, { info: true, relax_column_count: true, skip_empty_lines: false, trim: false, to_line: maxRows + 1 }) as unknown as typeof records;
  } catch (e) {
    const err = e as { lines?: number; message: string };
    return fail(file, 'TABLE_UNREADABLE', { format: 'csv', detail: err.message.replace(/^Invalid .*?: /, '') }, err.lines);
  }
  if (records.length > maxRows) tooManyRows(file, maxRows);
  return toTable(file, records.map((r) => ({ row: r.info.lines, cells: r.record })));
}

const tooManyRows = (file: string, max: number) =>
  fail(file, 'TABLE_TOO_LARGE', { rows: max });

export async function xlsxTable(file: string, bytes: Uint8Array, sheetName?: string, limits: { maxRows?: number; maxUnpackedBytes?: number } = {}): Promise<RawTable> {
  const maxRows = limits.maxRows ?? DEFAULT_MAX_ROWS;
  checkZip(file, bytes, limits.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES);
  const { default: Excel } = await import('exceljs'); // ~200 ms to load: only when an XLSX file is read
  const wb = new Excel.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    fail(file, 'TABLE_UNREADABLE', { format: 'xlsx', detail: (e as Error).message });
  }
  const ws = sheetName ? wb.getWorksheet(sheetName) : wb.worksheets[0];
  if (!ws) {
    return fail(file, 'XLSX_SHEET_MISSING', sheetName ? { sheet: sheetName, sheets: wb.worksheets.map((w) => w.name) } : {});
  }
  if (ws.actualRowCount > maxRows) tooManyRows(file, maxRows);
  const rows: { row: number; cells: string[] }[] = [];
  // A merged cell's text stands in every cell it covers (exceljs gives the master's value), so a
  // title merged across the columns and a header merged over two rows read as staff see them.
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value));
    rows.push({ row: rowNumber, cells });
  });
  return { ...toTable(file, rows), sheet: ws.name };
}

/**
 * Refuses a zip bomb before exceljs inflates it: the sizes the central directory declares must
 * stay under `max` in total, and each entry must inflate to no more than it declares.
 */
export function checkZip(file: string, bytes: Uint8Array, max: number): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tooLarge = (params: Params) => fail(file, 'XLSX_TOO_LARGE', { ...params, max });
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) return; // not a zip at all: exceljs says so in its own words
  const entries = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== 0x02014b50) return; // damaged: exceljs refuses it
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    if (size === 0xffffffff || compressed === 0xffffffff) tooLarge({ what: 'zip64' });
    total += size;
    if (total > max) tooLarge({ what: 'total', total });
    // The declared size may lie: inflate the entry with its declared size as the ceiling.
    if (method === 8 && local + 30 <= buf.length && buf.readUInt32LE(local) === 0x04034b50) {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      try {
        inflateRawSync(buf.subarray(start, start + compressed), { maxOutputLength: Math.max(size, 1) });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') tooLarge({ what: 'entry', size });
        return; // damaged data: exceljs refuses it in its own words
      }
    }
    at += 46 + nameLen + extraLen + commentLen;
  }
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

/** The header below any title rows (a statistics table's 2023年1-6月主要经济指标, 单位：亿元), over one or two rows. */
function toTable(file: string, rows: { row: number; cells: string[] }[]): RawTable {
  const at = locateHeader(rows);
  if (!at) return fail(file, 'TABLE_EMPTY', { variant: 'no-rows' });
  return { file, header: at.header, headerRow: at.headerRow, rows: rows.slice(at.bodyStart), ...(at.preamble.length > 0 ? { preamble: at.preamble } : {}) };
}
