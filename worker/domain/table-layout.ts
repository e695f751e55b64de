/**
 * The layout of a figure table as published: where its header is (below any title rows, over
 * one or two rows), which columns hold the value and the growth, which period and unit its
 * title, headers, sheet and file name state. Pure: text in, positions and periods out.
 */
import { toHalfWidth } from './numbers.ts';
import { isKnownUnit } from './units.ts';

export interface TextRow {
  readonly row: number;
  readonly cells: readonly string[];
}

export interface HeaderLocation {
  /** The header as staff read it: a two-row header's cells joined ("1-6月 增长%"). */
  readonly header: string[];
  /** The spreadsheet row of the (last) header row. */
  readonly headerRow: number;
  /** Index in the rows of the first row below the header. */
  readonly bodyStart: number;
  /** The text of each row above the header (titles, 单位：… notes), cells joined. */
  readonly preamble: string[];
}

export const normalizeHeader = (h: string) => toHalfWidth(h).trim().toLowerCase().replace(/\s+/g, '');

/** Header names of the indicator column in jibao's own files and in statistics tables. */
export const INDICATOR_HEADERS = ['指标', '指标名称', '任务', 'indicator', 'id', 'name', '项目', '项目名称', '主要指标', '指标项目'];

const RANGE = '1\\s*[-–—~～至到－]\\s*(\\d{1,2})\\s*月';
const NAMED: Record<string, number> = { 一季度: 3, 第一季度: 3, 一至三月: 3, 上半年: 6, 前三季度: 9, '1-3季度': 9, 全年: 12 };
const NAMED_RE = new RegExp(Object.keys(NAMED).join('|'));

/** The kinds of column a header can be, besides the indicator's name. */
export type HeaderRole =
  | { readonly role: 'value'; readonly score: number; readonly group: string }
  | { readonly role: 'yoy'; readonly group: string }
  | { readonly role: 'unit' }
  | { readonly role: 'confirmed' }
  | { readonly role: 'reference' }
  | { readonly role: 'month-only' };

const YOY_RE = /增长|增速|增幅|增减|±|同比|yoy/;
const CUMULATIVE_RE = /累计|年初至今|本年|本期|ytd/;
const AMOUNT_RE = /绝对[值量数]|数值|完成值|实绩|总量|value/;
const SINGLE_MONTH_RE = /(^|[^-–—~～至到－\d])\d{1,2}月|^本月|当月/;

/**
 * What a statistics table's column header means, by pattern: `1-6月`, `本年累计`, `绝对值` are
 * values; `比上年同期增长(%)`, `同比±%`, `增速` are growth; `6月`/`本月` alone is one month only.
 * `group` is the part before a sub-header ("1-6月" of "1-6月 增长%"), to pair value and growth.
 */
export function classifyHeader(header: string): HeaderRole | undefined {
  const h = normalizeHeader(header);
  if (h === '') return undefined;
  if (/^(计量)?单位$|^unit$/.test(h)) return { role: 'unit' };
  if (/^(是否)?确认$|^confirmed$/.test(h)) return { role: 'confirmed' };
  if (/^(参照值|参考值|reference)$/.test(h)) return { role: 'reference' };
  const parts = toHalfWidth(header).trim().split(/\s+/);
  const group = parts.length > 1 ? normalizeHeader(parts.slice(0, -1).join('')) : '';
  if (YOY_RE.test(h)) return { role: 'yoy', group };
  if (/上年|去年|同期/.test(h)) return undefined; // last year's value, not this period's
  if (new RegExp(RANGE).test(h) || NAMED_RE.test(h)) return { role: 'value', score: 3, group };
  if (CUMULATIVE_RE.test(h)) return { role: 'value', score: 2, group };
  if (SINGLE_MONTH_RE.test(h)) return { role: 'month-only' };
  if (AMOUNT_RE.test(h)) return { role: 'value', score: 1, group };
  return undefined;
}

const isIndicatorHeader = (c: string) => INDICATOR_HEADERS.includes(normalizeHeader(c));
const isNumber = (c: string) => /^[+-]?[\d,.]+%?$/.test(toHalfWidth(c).trim()) && /\d/.test(c);

/**
 * Finds the header: the first of the first 30 rows that names an indicator column, or else the
 * first non-empty row (jibao's own files, and a clear "no indicator column" error). A row right
 * below it that holds only sub-headers (绝对值 | 增长%) is joined to it, cell by cell, with a
 * merged group header carried over the columns it spans.
 */
export function locateHeader(rows: readonly TextRow[]): HeaderLocation | undefined {
  const nonEmpty = rows.map((r, i) => ({ r, i })).filter(({ r }) => r.cells.some((c) => c.trim() !== ''));
  if (nonEmpty.length === 0) return undefined;
  const head = nonEmpty.slice(0, 30);
  const distinct = (cells: readonly string[]) => uniqueCells(cells).length;
  const found =
    head.find(({ r }) => r.cells.some(isIndicatorHeader) && distinct(r.cells) >= 2) ??
    // A header whose names' cell is blank: the first row of column headers such as 1-6月 | 增长%.
    head.find(({ r }) => distinct(r.cells) >= 2 && !r.cells.some(isNumber) && r.cells.some((c) => ['value', 'yoy', 'unit'].includes(classifyHeader(c)?.role ?? ''))) ??
    nonEmpty[0]!;
  const top = found.r.cells.map((c) => c.trim());
  const preamble = nonEmpty.filter(({ i }) => i < found.i).map(({ r }) => uniqueCells(r.cells).join(' '));
  const next = rows[found.i + 1];
  if (next && isSubHeader(top, next.cells)) {
    const sub = next.cells.map((c) => c.trim());
    const width = Math.max(top.length, sub.length);
    const header: string[] = [];
    let group = '';
    for (let c = 0; c < width; c++) {
      const t = top[c] ?? '';
      const s = sub[c] ?? '';
      // A merged group header (CSV: written once, blank over the rest of its span).
      if (t !== '') group = t;
      else if (s === '') group = '';
      const g = t !== '' ? t : s !== '' ? group : '';
      header.push(g === '' ? s : s === '' || s === g ? g : `${g} ${s}`);
    }
    return { header, headerRow: next.row, bodyStart: found.i + 2, preamble };
  }
  return { header: top, headerRow: found.r.row, bodyStart: found.i + 1, preamble };
}

function isSubHeader(top: readonly string[], cells: readonly string[]): boolean {
  const filled = cells.map((c) => c.trim()).filter((c) => c !== '');
  if (filled.length === 0 || filled.some(isNumber)) return false;
  const ind = top.findIndex(isIndicatorHeader);
  if (ind >= 0 && (cells[ind] ?? '').trim() !== '' && (cells[ind] ?? '').trim() !== top[ind]) return false;
  return cells.some((c, i) => {
    const role = classifyHeader(c);
    return role !== undefined && (role.role === 'value' || role.role === 'yoy') && (cells[i] ?? '').trim() !== (top[i] ?? '').trim();
  });
}

function uniqueCells(cells: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of cells.map((x) => x.trim())) if (c !== '' && out[out.length - 1] !== c) out.push(c); // merged cells repeat their text
  return out;
}

/** A period named in a piece of text: the month a YTD span ends in, and the year when given. */
export interface PeriodMention {
  readonly year?: number;
  readonly month?: number;
  /** The words that said it, for messages ("1-6月", "2023年1-9月"). */
  readonly text: string;
}

/**
 * The period a header, title, sheet or file name states: `2023年1-6月`, `1—6月`, `上半年`,
 * `2023年6月` (a monthly report: 1-6月), `2023Q2`, `2023-06`. A date (`2023年7月15日`) is not a
 * period. `where` says what kind of text it is: a column header's `6月` is one month only.
 */
export function periodIn(text: string, where: 'header' | 'title' | 'name'): PeriodMention | undefined {
  const t = toHalfWidth(text);
  const year = (s: string | undefined) => (s ? Number(s) : undefined);
  let m = new RegExp(`(?:(\\d{4})\\s*年\\s*)?${RANGE}`).exec(t);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return mention(year(m[1]), Number(m[2]), m[0]);
  m = new RegExp(`(?:(\\d{4})\\s*年?\\s*)?(${Object.keys(NAMED).join('|')})`).exec(t);
  if (m) return mention(year(m[1]), NAMED[m[2]!]!, m[0]);
  if (where === 'header') {
    m = /(\d{4})\s*年/.exec(t);
    return m ? mention(Number(m[1]), undefined, m[0]) : undefined;
  }
  m = /(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)(?!份?\s*[-–—~～至到])/.exec(t);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return mention(Number(m[1]), Number(m[2]), m[0]);
  m = /(?<!\d)(\d{4})\s*[Qq]\s*([1-4])(?!\d)/.exec(t);
  if (m) return mention(Number(m[1]), Number(m[2]) * 3, m[0]);
  m = /(?<!\d)(\d{4})-(0[1-9]|1[0-2])(?![-\d])/.exec(t);
  if (m) return mention(Number(m[1]), Number(m[2]), m[0]);
  m = /(\d{4})\s*年/.exec(t);
  if (m && where === 'title') return mention(Number(m[1]), undefined, m[0]);
  return undefined;
}

function mention(year: number | undefined, month: number | undefined, text: string): PeriodMention {
  return { ...(year !== undefined ? { year } : {}), ...(month !== undefined ? { month } : {}), text: text.trim() };
}

/** Title lines that are notes, not titles: their dates and words say nothing of the period. */
const NOTE_LINE = /^(计量)?单位|^制表|^填报|^编制|^注|^说明|^(数据|资料)来源|^报送|^打印/;

/** The period of a table's title rows: the first title line (not a note) that names one. */
export function periodInTitle(preamble: readonly string[]): PeriodMention | undefined {
  for (const line of preamble) {
    if (NOTE_LINE.test(toHalfWidth(line).trim())) continue;
    const p = periodIn(line, 'title');
    if (p) return p;
  }
  return undefined;
}

/** The unit a title row states for the whole table: `单位：亿元`, `（计量单位：万元）`. */
export function unitInTitle(preamble: readonly string[]): string | undefined {
  for (const line of preamble) {
    // Not 编制单位：… or 填报单位：… (who made the table).
    const m = /(?:^|[\s(（,，;；])(?:计量)?单位\s*[:：]\s*([^\s,，;；)）]+)/.exec(toHalfWidth(line).trim());
    if (m) return m[1]!;
  }
  return undefined;
}

/** A unit in brackets after a column header: `本年累计(万元)`, `1-6月（亿元）`; only a unit the unit table knows. */
export function unitInHeader(header: string): string | undefined {
  const m = /[(（]([^()（）]+)[)）]\s*$/.exec(toHalfWidth(header).trim());
  return m && isKnownUnit(m[1]!) && m[1]!.trim() !== '%' ? m[1]!.trim() : undefined;
}

/** A file's name without folders and extension ("figures/2023年1-6月.xlsx" → "2023年1-6月"). */
export function baseName(file: string): string {
  return file.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
}
