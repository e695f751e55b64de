import type { Figures, IndicatorFigure, QualitativeStatus, TaskFigure, TaskStatus } from './figures.ts';
import { QUALITATIVE_STATUS_LABELS, TASK_STATUS_LABELS } from './figures.ts';
import { catalogIssue, InputError, type InputIssue } from './issues.ts';
import { renderMessage, type MessageCode, type Params } from './messages.ts';
import { parseNumberCell, toHalfWidth } from './numbers.ts';
import type { Period } from './period.ts';
import { parsePeriod, periodEndDate, periodId, PeriodError, samePeriod } from './period.ts';
import { baseName, classifyHeader, INDICATOR_HEADERS, normalizeHeader, periodIn, periodInTitle, unitInHeader, unitInTitle, type PeriodMention } from './table-layout.ts';
import { isCountUnit } from './units.ts';
import type { Indicator, KeyTask, Report } from './report.ts';

/** A sheet as read from a CSV or XLSX file: cells as text, rows numbered as the spreadsheet shows them. */
export interface RawTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly headerRow: number;
  readonly rows: readonly { readonly row: number; readonly cells: readonly string[] }[];
  /** The rows above the header, one line of text each: a statistics table's title and 单位：… note. */
  readonly preamble?: readonly string[];
  /** The worksheet read (XLSX), whose name may state the period. */
  readonly sheet?: string;
}

export type Column = 'indicator' | 'period' | 'value' | 'yoy' | 'status' | 'note' | 'asOf' | 'source' | 'unit' | 'confirmed' | 'reference';

/** Accepted header names per column, Chinese and English. */
export const COLUMN_ALIASES: Record<Column, readonly string[]> = {
  indicator: INDICATOR_HEADERS,
  period: ['期间', '时期', '统计期', 'period'],
  value: ['累计值', '完成值', '数值', 'value'],
  yoy: ['同比增长', '同比', '增速', 'yoy'],
  status: ['状态', '进展状态', 'status'],
  note: ['备注', '说明', 'note'],
  asOf: ['数据截至', '截至日期', 'as_of', 'asof'],
  source: ['来源', '数据来源', 'source'],
  unit: ['计量单位', '单位', 'unit'],
  confirmed: ['确认', '是否确认', 'confirmed'],
  reference: ['参照值', '参考值', 'reference'],
};

/**
 * Headers only jibao's own figure files have: a header with one of them is read the jibao way
 * (every row must name a target). Offices' generic 数值/完成值 do not make a table jibao's.
 */
const OWN_FORMAT_HEADERS = new Set(['期间', '时期', '统计期', 'period', '累计值', 'value', '状态', '进展状态', 'status', '数据截至', '截至日期', 'as_of', 'asof']);

const TASK_STATUS_BY_LABEL = invert(TASK_STATUS_LABELS);
const QUAL_STATUS_BY_LABEL = invert(QUALITATIVE_STATUS_LABELS);

function invert<K extends string>(labels: Record<K, string>): Map<string, K> {
  return new Map(Object.entries(labels).map(([k, v]) => [v as string, k as K]));
}

/** A source row that names no indicator or task of the report: not an error in a statistics table. */
export interface IgnoredRow {
  readonly file: string;
  readonly row: number;
  readonly name: string;
  /** The nearest indicator names, for `check` to suggest an alias. */
  readonly closest: readonly string[];
}

/**
 * `jibao`: the figure file format of jibao itself (指标/期间/累计值/…): every row must name an
 * indicator or task. `statistics`: a table as a statistics office publishes it, with far more
 * rows than the report has targets; rows that match nothing are collected as ignored.
 */
export type TableLayout = 'jibao' | 'statistics';

export interface TableFigures {
  readonly indicators: IndicatorFigure[];
  readonly tasks: TaskFigure[];
  /** Rows whose period was another period: not for this briefing, not an error. */
  otherPeriods: number;
  readonly issues: InputIssue[];
  readonly ignored: IgnoredRow[];
  layout: TableLayout;
  /** The whole table is of another period (a statistics table in a folder): skipped, its cells unchecked. */
  otherPeriod?: string;
}

/**
 * Turns one table into figures for `period`, checking every cell against the targets.
 * Pure: collects every issue instead of stopping at the first, so staff fix a file in one pass.
 */
export interface ReadTableOptions {
  /** A folder of files: each row (or table) must state its period, and other periods are skipped. */
  readonly requirePeriod?: boolean;
  /** Header names of this source's own layout, per column (overrides; statistics tables need none). */
  readonly columns?: Partial<Record<Column, string>>;
  /** Today's date (ISO) by the run's clock: an as-of date after it is refused. */
  readonly today?: string;
}

export function readFigureTable(table: RawTable, report: Report, period: Period, opts: ReadTableOptions = {}): TableFigures {
  const issues: InputIssue[] = [];
  const out: TableFigures = { indicators: [], tasks: [], otherPeriods: 0, issues, ignored: [], layout: 'jibao' };
  const issue = (code: MessageCode, params: Params, row?: number, column?: string) => issues.push(catalogIssue('error', code, params, { file: table.file, row, column }));

  const columns = mapColumns(table.header, opts.columns);
  for (const [col, name] of Object.entries(opts.columns ?? {}) as [Column, string][]) {
    if (columns[col] === undefined) {
      issue('TABLE_COLUMN_MISSING', { name, column: col, label: COLUMN_ALIASES[col][0], header: table.header.filter(Boolean) }, table.headerRow);
    }
  }
  if (issues.length > 0) return out;
  const layout: TableLayout = table.header.some((h) => OWN_FORMAT_HEADERS.has(normalizeHeader(h))) ? 'jibao' : 'statistics';
  out.layout = layout;
  if (layout === 'statistics') recogniseColumns(table.header, columns);
  if (columns.indicator === undefined) {
    issue('TABLE_NO_INDICATOR_COLUMN', { expected: COLUMN_ALIASES.indicator.slice(0, 1).concat(COLUMN_ALIASES.indicator.slice(3, 4)) }, table.headerRow);
    return out;
  }
  if (layout === 'jibao' && columns.period === undefined && opts.requirePeriod) {
    issue('FIGURE_PERIOD_MISSING', { variant: 'column' }, table.headerRow);
  }
  if (layout === 'statistics' && columns.value === undefined && columns.yoy === undefined && columns.status === undefined) {
    issue('TABLE_NO_VALUE_COLUMN', { header: table.header.filter(Boolean) }, table.headerRow);
    return out;
  }
  if (layout === 'statistics') {
    const stated = tablePeriod(table, columns.value ?? columns.yoy, period);
    const periodColumn = table.header[columns.value ?? columns.yoy ?? -1];
    if (stated.kind === 'conflict') {
      if (opts.requirePeriod && !stated.mentions.some((m) => matches(m, period))) {
        out.otherPeriod = stated.mentions.map((m) => m.text).join(' / ');
        return out;
      }
      const inHeader = stated.a.where === 'column';
      issue('FIGURE_PERIOD_CONFLICT', { variant: 'conflict', where: stated.a.where, column: stated.a.column, text: stated.a.text, where2: stated.b.where, column2: stated.b.column, text2: stated.b.text }, inHeader ? table.headerRow : undefined, inHeader ? periodColumn : undefined);
      return out;
    }
    if (stated.kind === 'none' && opts.requirePeriod) {
      issue('FIGURE_PERIOD_MISSING', { variant: 'table', example: periodId(period) }, table.headerRow);
      return out;
    }
    if (stated.kind === 'found' && !samePeriod(stated.period, period)) {
      if (opts.requirePeriod) { out.otherPeriod = periodId(stated.period); return out; }
      const inHeader = stated.where === 'column';
      issue('FIGURE_PERIOD_CONFLICT', { variant: 'stated', where: stated.where, column: stated.column, text: stated.text, found: periodId(stated.period), requested: periodId(period) }, inHeader ? table.headerRow : undefined, inHeader ? periodColumn : undefined);
      return out;
    }
  }
  if (table.rows.length === 0) {
    issue('TABLE_EMPTY', { variant: 'no-data' }, table.headerRow);
    return out;
  }

  const lookup = buildLookup(report);
  for (const conflict of lookup.conflictParams) issue('FIGURE_ALIAS_AMBIGUOUS', conflict);
  if (lookup.conflicts.length > 0) return out;
  const seen = new Map<string, number>();
  const nearby = new Map<string, string[]>(); // the same name recurs across an office's sections
  const colName = (c: Column) => table.header[columns[c]!]!;
  const cell = (cells: readonly string[], c: Column) => (columns[c] === undefined ? '' : (cells[columns[c]!] ?? '').trim());
  // Where a row's 计量单位 cell is blank: the value column's own (本年累计(万元)), else the title's 单位：… note.
  const tableUnit = (columns.value !== undefined ? unitInHeader(colName('value')) : undefined) ?? unitInTitle(table.preamble ?? []);

  for (const { row, cells } of table.rows) {
    if (cells.every((c) => c.trim() === '')) continue;
    const key = cell(cells, 'indicator');
    if (layout === 'jibao' && columns.period !== undefined) {
      const p = cell(cells, 'period');
      if (p === '') {
        if (opts.requirePeriod) { issue('FIGURE_PERIOD_MISSING', { variant: 'row', expected: periodId(period) }, row, colName('period')); continue; }
      } else {
        let rowPeriod: Period;
        try {
          rowPeriod = parsePeriod(p);
        } catch (e) {
          issue('FIGURE_PERIOD_INVALID', { cell: p, detail: e instanceof PeriodError ? e.message : String(e) }, row, colName('period'));
          continue;
        }
        if (!samePeriod(rowPeriod, period)) {
          if (opts.requirePeriod) { out.otherPeriods += 1; continue; }
          issue('FIGURE_PERIOD_CONFLICT', { variant: 'row', found: periodId(rowPeriod), requested: periodId(period) }, row, colName('period'));
          continue;
        }
      }
    }
    if (key === '') {
      if (layout === 'jibao') issue('FIGURE_NO_INDICATOR', {}, row, colName('indicator'));
      continue; // a statistics table's spacer or note row
    }
    // A statistics table's section headings (三、固定资产投资) and notes carry no figure: not rows of figures at all.
    if (layout === 'statistics' && (['value', 'yoy', 'status'] as const).every((c) => cell(cells, c) === '')) continue;
    const target = lookup.find(key);
    if (!target) {
      if (layout === 'statistics') {
        // Suggestions for the first few hundred names are what staff read; a huge export need not pay for more.
        const closest = nearby.get(key) ?? (nearby.size < 500 ? closestNames(key, report, 2) : []);
        nearby.set(key, closest);
        out.ignored.push({ file: table.file, row, name: key, closest });
        continue;
      }
      const hint = closestNames(key, report, 1)[0];
      issue('FIGURE_UNKNOWN_INDICATOR', { name: key, ...(hint ? { hint } : {}) }, row, colName('indicator'));
      continue;
    }
    const id = `${target.type}:${target.item.id}`;
    const first = seen.get(id);
    if (first !== undefined) {
      issue('FIGURE_DUPLICATE', { name: target.item.name, first }, row, colName('indicator'));
      continue;
    }
    seen.set(id, row);
    const asOfText = cell(cells, 'asOf');
    const asOf = asOfText === '' ? undefined : checkDate(asOfText, period, opts.today);
    if (asOf && !asOf.ok) { issue('FIGURE_DATE_INVALID', asOf.params, row, colName('asOf')); continue; }
    const common = {
      ...optional('note', cell(cells, 'note')),
      ...optional('asOf', asOf?.date),
      ...optional('source', cell(cells, 'source')),
      origin: {
        file: table.file,
        row,
        ...(layout === 'statistics' ? { columns: { ...optional('value', columns.value === undefined ? undefined : colName('value')), ...optional('yoy', columns.yoy === undefined ? undefined : colName('yoy')) } } : {}),
      },
    };
    if (target.type === 'task') {
      const s = cell(cells, 'status');
      const status = s === '' ? undefined : TASK_STATUS_BY_LABEL.get(s);
      if (s !== '' && !status) {
        issue('FIGURE_STATUS_INVALID', { cell: s, expected: Object.values(TASK_STATUS_LABELS) }, row, colName('status'));
        continue;
      }
      out.tasks.push({ taskId: target.item.id, ...(status ? { status: status as TaskStatus } : {}), ...common });
      continue;
    }
    const ind = target.item;
    const rowUnit = cell(cells, 'unit');
    const unitFrom = rowUnit !== '' ? { unit: rowUnit, column: colName('unit') } : tableUnit ? { unit: tableUnit, column: undefined } : undefined;
    const fig = readIndicatorCells(ind, layout, unitFrom, (c) => cell(cells, c), (c, code, params) => issue(code, params, row, columns[c] === undefined ? undefined : colName(c)));
    if (fig) out.indicators.push({ indicatorId: ind.id, ...fig, ...common });
  }
  return out;
}

type Reading = { value?: number; yoy?: number; status?: QualitativeStatus; confirmed?: boolean; reference?: number; raw?: { value?: string; yoy?: string } };

const YES = new Set(['是', 'yes', 'y', 'true', '1', '√', '✓', '已确认', '确认']);
const NO = new Set(['', '否', 'no', 'n', 'false', '0']);

function readIndicatorCells(
  ind: Indicator,
  layout: TableLayout,
  unitFrom: { unit: string; column: string | undefined } | undefined,
  cell: (c: Column) => string,
  fail: (c: Column, code: MessageCode, params: Params) => void,
): Reading | undefined {
  let ok = true;
  const confirmedText = cell('confirmed').toLowerCase();
  if (!YES.has(confirmedText) && !NO.has(confirmedText)) {
    fail('confirmed', 'FIGURE_CONFIRMED_INVALID', { cell: cell('confirmed') });
    ok = false;
  }
  const ref = parseNumberCell(cell('reference'), '%');
  if (!ref.ok) { fail('reference', 'FIGURE_NOT_A_NUMBER', { variant: 'reference', cell: cell('reference'), name: ind.name }); ok = false; }
  const extra = {
    ...(YES.has(confirmedText) ? { confirmed: true } : {}),
    ...(ref.ok && ref.value !== undefined ? { reference: ref.value } : {}),
  };
  if (ind.kind === 'qualitative') {
    const s = cell('status');
    if (s === '') return ok ? extra : undefined;
    const status = QUAL_STATUS_BY_LABEL.get(s);
    if (!status) {
      fail('status', 'FIGURE_STATUS_INVALID', { cell: s, name: ind.name, expected: Object.values(QUALITATIVE_STATUS_LABELS) });
      return undefined;
    }
    return ok ? { status: status as QualitativeStatus, ...extra } : undefined;
  }
  // Every numeric kind (monitor indicators included) reads a value in its unit and a 同比.
  const valueUnit = ind.kind === 'growth' ? ind.valueUnit : ind.unit;
  // A growth indicator with no value unit takes only the growth from a statistics table (its 亿元 amount has nowhere to go).
  const skipValue = valueUnit === undefined && layout === 'statistics';
  const valueText = skipValue ? '' : cell('value');
  const v = parseNumberCell(valueText, valueUnit ?? '', valueText === '' ? undefined : unitFrom?.unit);
  const y = parseNumberCell(cell('yoy'), '%');
  if (!v.ok) {
    if (v.unit) {
      const from = unitFrom?.column ? 'unit-cell' : /\D$/.test(valueText) ? 'cell' : 'table';
      fail(unitFrom?.column ? 'unit' : 'value', 'FIGURE_UNIT_UNKNOWN', { from, column: unitFrom?.column, given: unitFrom?.unit, cell: valueText, name: ind.name, unit: valueUnit ?? '' });
    } else fail('value', 'FIGURE_NOT_A_NUMBER', { variant: 'value', cell: valueText, name: ind.name, unit: valueUnit ?? '' });
    ok = false;
  }
  if (!y.ok) { fail('yoy', 'FIGURE_NOT_A_NUMBER', { variant: 'yoy', cell: cell('yoy'), name: ind.name }); ok = false; }
  if (!ok || !v.ok || !y.ok) return undefined;
  if (v.value !== undefined && v.value < 0 && !mayBeNegative(ind, valueUnit ?? '')) {
    fail('value', 'FIGURE_NEGATIVE', { name: ind.name, cell: valueText });
    return undefined;
  }
  // A relative target with no reference figure is judged by staff: its row may carry a status.
  let status: QualitativeStatus | undefined;
  const s = ind.kind === 'relative' ? cell('status') : '';
  if (s !== '') {
    status = QUAL_STATUS_BY_LABEL.get(s) as QualitativeStatus | undefined;
    if (!status) {
      fail('status', 'FIGURE_STATUS_INVALID', { cell: s, name: ind.name, expected: Object.values(QUALITATIVE_STATUS_LABELS) });
      return undefined;
    }
  }
  const raw = { ...(v.value !== undefined ? { value: valueText } : {}), ...(y.value !== undefined ? { yoy: cell('yoy') } : {}) };
  return {
    ...(status ? { status } : {}),
    ...(v.value !== undefined ? { value: v.value } : {}),
    ...(y.value !== undefined ? { yoy: y.value } : {}),
    ...(Object.keys(raw).length > 0 ? { raw } : {}),
    ...extra,
  };
}

/**
 * Cumulative amounts and counts cannot fall below zero; a level or ceiling only when its target
 * (or baseline) does. A growth indicator's amount (利润总额) may, and its 同比 always may.
 */
function mayBeNegative(ind: Indicator, unit: string): boolean {
  if (isCountUnit(unit)) return false;
  switch (ind.kind) {
    case 'cumulative':
      return false;
    case 'level':
    case 'ceiling':
      return ind.target < 0 || (ind.baseline ?? 0) < 0;
    default:
      return true;
  }
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return value ? ({ [key]: value } as { [P in K]?: string }) : {};
}

/** The first day of the span a period reports on last: its quarter's (2023Q3: 07-01) or its month's. */
function periodStartDate(p: Period): string {
  const month = p.kind === 'quarter' ? p.month - 2 : p.month;
  return `${p.year}-${String(month).padStart(2, '0')}-01`;
}

/**
 * An as-of date must be a real date (not an Excel serial shown as text, not 2023-02-30), not
 * after today and not before the period it is for.
 */
export function checkDate(text: string, period: Period, today?: string): { ok: true; date: string } | { ok: false; message: string; params: Params } {
  const refuse = (params: Params) => ({ ok: false as const, params, message: renderMessage('FIGURE_DATE_INVALID', params, 'en')! });
  const s = toHalfWidth(text).trim();
  if (/^\d{5}(\.\d+)?$/.test(s)) {
    const serial = Math.floor(Number(s));
    const asDate = new Date(Date.UTC(1899, 11, 30) + serial * 86400000).toISOString().slice(0, 10);
    return refuse({ variant: 'serial', cell: text, date: asDate });
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
  if (!m) return refuse({ variant: 'not-date', cell: text, example: periodEndDate(period) });
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) {
    return refuse({ variant: 'unreal', cell: text, y, m: mo, d });
  }
  const date = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  if (today && date > today) return refuse({ variant: 'future', date, today });
  const start = periodStartDate(period);
  if (date < start) return refuse({ variant: 'early', date, period: periodId(period), start });
  return { ok: true, date };
}

function mapColumns(header: readonly string[], custom: Partial<Record<Column, string>> = {}): Partial<Record<Column, number>> {
  const out: Partial<Record<Column, number>> = {};
  header.forEach((h, i) => {
    const n = normalizeHeader(h);
    for (const [col, name] of Object.entries(custom) as [Column, string][]) {
      if (out[col] === undefined && normalizeHeader(name) === n) out[col] = i;
    }
  });
  header.forEach((h, i) => {
    const n = normalizeHeader(h);
    if (Object.values(out).includes(i)) return;
    for (const [col, aliases] of Object.entries(COLUMN_ALIASES) as [Column, readonly string[]][]) {
      if (custom[col] !== undefined) continue;
      if (out[col] === undefined && aliases.some((a) => normalizeHeader(a) === n)) out[col] = i;
    }
  });
  return out;
}

/**
 * A statistics table's value and growth columns by pattern, where no exact name or override set
 * them: the most cumulative value column (1-6月 over 本年累计 over 绝对值; 6月 alone never), and
 * the growth column of the same group (1-6月 增长%), else the first growth column of no single month.
 */
function recogniseColumns(header: readonly string[], columns: Partial<Record<Column, number>>): void {
  const used = new Set(Object.values(columns));
  const roles = header.map((h, i) => (used.has(i) ? undefined : classifyHeader(h)));
  for (const role of ['unit', 'confirmed', 'reference'] as const) {
    if (columns[role] === undefined) {
      const i = roles.findIndex((r) => r?.role === role);
      if (i >= 0) columns[role] = i;
    }
  }
  let group: string | undefined;
  if (columns.value === undefined) {
    let best = -1;
    roles.forEach((r, i) => {
      if (r?.role === 'value' && (best < 0 || r.score > (roles[best] as { score: number }).score)) best = i;
    });
    if (best >= 0) {
      columns.value = best;
      group = (roles[best] as { group: string }).group;
    }
  }
  if (columns.yoy === undefined) {
    const yoys = roles.map((r, i) => ({ r, i })).filter(({ r }) => r?.role === 'yoy') as { r: { role: 'yoy'; group: string }; i: number }[];
    const same = group ? yoys.find(({ r }) => r.group === group) : undefined;
    const any = yoys.find(({ r }) => r.group === '' || classifyHeader(r.group)?.role !== 'month-only');
    const pick = same ?? any;
    if (pick) columns.yoy = pick.i;
  }
  // Some offices leave the names' header cell blank.
  if (columns.indicator === undefined && header.length > 1 && (header[0] ?? '').trim() === '' && columns.value !== 0) columns.indicator = 0;
}

/** Where a table states its period; `column` is the value column's header when there. */
type Where = { where: 'column' | 'title' | 'sheet name' | 'file name'; column?: string };
type Stated =
  | ({ kind: 'found'; period: Period; text: string } & Where)
  | { kind: 'none' }
  | { kind: 'conflict'; a: Where & { text: string }; b: Where & { text: string }; mentions: PeriodMention[] };

/**
 * The period a statistics table states: from the value column's header, else the title, else the
 * sheet name, else the file name; the year from the first that gives one, else the requested year.
 * Two that disagree are a conflict, named both.
 */
function tablePeriod(table: RawTable, valueColumn: number | undefined, requested: Period): Stated {
  const found: (PeriodMention & { where: Where['where'] })[] = [];
  const add = (where: Where['where'], m: PeriodMention | undefined) => { if (m) found.push({ ...m, where }); };
  if (valueColumn !== undefined) add('column', periodIn(table.header[valueColumn] ?? '', 'header'));
  add('title', periodInTitle(table.preamble ?? []));
  if (table.sheet) add('sheet name', periodIn(table.sheet, 'name'));
  add('file name', periodIn(baseName(table.file), 'name'));
  const at = (where: Where['where']): Where => (where === 'column' ? { where, column: table.header[valueColumn!] ?? '' } : { where });
  for (const key of ['month', 'year'] as const) {
    const withKey = found.filter((f) => f[key] !== undefined);
    const other = withKey.find((f) => f[key] !== withKey[0]![key]);
    if (other) {
      const label = (f: (typeof found)[number]) => ({ ...at(f.where), text: f.text });
      return { kind: 'conflict', a: label(withKey[0]!), b: label(other), mentions: found };
    }
  }
  const month = found.find((f) => f.month !== undefined);
  if (!month) return { kind: 'none' };
  const year = found.find((f) => f.year !== undefined)?.year ?? requested.year;
  const text = found.filter((f) => f === month || f.year !== undefined).map((f) => f.text).filter((t, i, a) => a.indexOf(t) === i).join(' ');
  try {
    return { kind: 'found', period: parsePeriod(`${year}年1-${month.month}月`), ...at(month.where), text };
  } catch {
    return { kind: 'none' };
  }
}

function matches(m: PeriodMention, p: Period): boolean {
  return (m.month === undefined || m.month === p.month) && (m.year === undefined || m.year === p.year);
}

type Target = { type: 'indicator'; item: Indicator } | { type: 'task'; item: KeyTask };

/** A name as a lookup key: half-width, no spaces or quotes, lower case. */
const normalizeKey = (s: string) => toHalfWidth(s).replace(/\s+/g, '').replace(/[“”"‘’']/g, '').toLowerCase();

/**
 * The same name without what statistics tables add around it: 其中：/#/△ markers, numbering
 * (一、 (1) 1.), and a bracketed unit at the end (规模以上工业增加值(%), 地区生产总值（亿元）).
 */
function bareKey(s: string): string {
  return normalizeKey(s)
    .replace(/^(其中[:：]?|#|△|▲|\*|[一二三四五六七八九十]+[、.]|\(?[0-9一二三四五六七八九十]+\)|[0-9]+[、.](?!\d))+/, '')
    .replace(/[(（【\[][^()（）【】\[\]]*[)）】\]]$/, '');
}

/** Names, ids and aliases of the report's indicators and tasks; an alias that names two of them is a conflict. */
export function buildLookup(report: Report): { find(name: string): Target | undefined; conflicts: string[]; conflictParams: Params[] } {
  const map = new Map<string, Target>();
  const conflicts: string[] = [];
  const conflictParams: Params[] = [];
  const put = (key: string, t: Target, alias: boolean) => {
    for (const k of new Set([normalizeKey(key), bareKey(key)])) {
      if (k === '') continue;
      const had = map.get(k);
      if (had && had.item.id !== t.item.id) {
        if (alias) {
          const params = { alias: key, name: t.item.name, id: t.item.id, other: had.item.name, otherId: had.item.id };
          const text = renderMessage('FIGURE_ALIAS_AMBIGUOUS', params, 'en')!;
          if (!conflicts.includes(text)) { conflicts.push(text); conflictParams.push(params); }
        }
        continue;
      }
      map.set(k, t);
    }
  };
  for (const item of report.indicators) {
    put(item.id, { type: 'indicator', item }, false);
    put(item.name, { type: 'indicator', item }, false);
  }
  for (const item of report.tasks) {
    put(item.id, { type: 'task', item }, false);
    put(item.name, { type: 'task', item }, false);
  }
  for (const item of report.indicators) for (const a of item.aliases ?? []) put(a, { type: 'indicator', item }, true);
  return { find: (name) => map.get(normalizeKey(name)) ?? map.get(bareKey(name)), conflicts, conflictParams };
}

const candidateKeys = new WeakMap<Report, { name: string; keys: string[] }[]>();

/** The indicator or task names nearest to `key` by edit distance, nearest first, if reasonably near. */
export function closestNames(key: string, report: Report, count: number): string[] {
  let cands = candidateKeys.get(report);
  if (!cands) {
    cands = [...report.indicators, ...report.tasks].map((item) => ({ name: item.name, keys: [item.name, item.id, ...('aliases' in item ? (item.aliases ?? []) : [])].map(bareKey) }));
    candidateKeys.set(report, cands);
  }
  const k = bareKey(key);
  const limit = Math.max(2, Math.floor(k.length / 2));
  const scored: { name: string; d: number }[] = [];
  for (const c of cands) {
    let d = Infinity;
    // The distance is at least the difference in length: most names are dismissed without computing it.
    for (const ck of c.keys) if (Math.abs(ck.length - k.length) <= limit) d = Math.min(d, editDistance(k, ck));
    if (d <= limit) scored.push({ name: c.name, d });
  }
  return scored.sort((a, b) => a.d - b.d).slice(0, count).map((s) => s.name);
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/**
 * Merges the figures of several tables (files or revisions) for one period: for each
 * indicator or task the row with the newest as-of date wins. Two files that report the same
 * one as of the same date (or both without a date) cannot be told apart: that is an error
 * naming both (FIGURE_REPORTED_TWICE), thrown as an InputError with every such pair.
 */
export function mergeFigures(reportId: string, period: Period, tables: readonly (TableFigures & { file: string })[]): Figures {
  const indicators = new Map<string, IndicatorFigure>();
  const tasks = new Map<string, TaskFigure>();
  const issues: InputIssue[] = [];
  const used = new Set<string>();
  const take = <F extends IndicatorFigure | TaskFigure>(into: Map<string, F>, key: string, f: F) => {
    const had = into.get(key);
    // A row left blank (a returned template's unfilled line) reports nothing: it neither wins nor conflicts.
    if (had && !carries(f)) return;
    if (had && !carries(had)) { into.set(key, f); return; }
    const a = f.asOf ?? '';
    const b = had?.asOf ?? '';
    if (had && a === b && had.origin.file !== f.origin.file) {
      issues.push(
        catalogIssue('error', 'FIGURE_REPORTED_TWICE', { key, period: periodId(period), first: had.origin.file, firstRow: had.origin.row, second: f.origin.file, secondRow: f.origin.row, asOf: a }, { file: f.origin.file, row: f.origin.row }),
      );
      return;
    }
    if (!had || a > b) into.set(key, f);
  };
  for (const t of tables) {
    for (const f of t.indicators) take(indicators, f.indicatorId, f);
    for (const f of t.tasks) take(tasks, f.taskId, f);
  }
  if (issues.length > 0) throw new InputError(issues);
  let asOf: string | undefined;
  for (const f of [...indicators.values(), ...tasks.values()]) {
    used.add(f.origin.file);
    if (f.asOf && (!asOf || f.asOf > asOf)) asOf = f.asOf;
  }
  return { reportId, period, indicators, tasks, ...(asOf ? { asOf } : {}), sources: [...used].sort() };
}

/** Whether a figure says anything: a number, a status, a reference, or (a task) a note. */
export function carries(f: IndicatorFigure | TaskFigure): boolean {
  if ('taskId' in f) return f.status !== undefined || f.note !== undefined;
  return f.value !== undefined || f.yoy !== undefined || f.status !== undefined || f.reference !== undefined;
}
