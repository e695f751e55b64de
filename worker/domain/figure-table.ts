import type { Figures, IndicatorFigure, QualitativeStatus, TaskFigure, TaskStatus } from './figures.ts';
import { QUALITATIVE_STATUS_LABELS, TASK_STATUS_LABELS } from './figures.ts';
import type { InputIssue } from './issues.ts';
import { parseNumberCell, toHalfWidth } from './numbers.ts';
import type { Period } from './period.ts';
import { parsePeriod, periodId, PeriodError, samePeriod } from './period.ts';
import type { Indicator, KeyTask, Report } from './report.ts';

/** A sheet as read from a CSV or XLSX file: cells as text, rows numbered as the spreadsheet shows them. */
export interface RawTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly headerRow: number;
  readonly rows: readonly { readonly row: number; readonly cells: readonly string[] }[];
}

export type Column = 'indicator' | 'period' | 'value' | 'yoy' | 'status' | 'note' | 'asOf' | 'source';

/** Accepted header names per column, Chinese and English. */
export const COLUMN_ALIASES: Record<Column, readonly string[]> = {
  indicator: ['指标', '指标名称', '任务', 'indicator', 'id', 'name'],
  period: ['期间', '时期', '统计期', 'period'],
  value: ['累计值', '完成值', '数值', 'value'],
  yoy: ['同比增长', '同比', '增速', 'yoy'],
  status: ['状态', '进展状态', 'status'],
  note: ['备注', '说明', 'note'],
  asOf: ['数据截至', '截至日期', 'as_of', 'asof'],
  source: ['来源', '数据来源', 'source'],
};

const normalizeHeader = (h: string) => toHalfWidth(h).trim().toLowerCase().replace(/\s+/g, '');

const TASK_STATUS_BY_LABEL = invert(TASK_STATUS_LABELS);
const QUAL_STATUS_BY_LABEL = invert(QUALITATIVE_STATUS_LABELS);

function invert<K extends string>(labels: Record<K, string>): Map<string, K> {
  return new Map(Object.entries(labels).map(([k, v]) => [v as string, k as K]));
}

export interface TableFigures {
  readonly indicators: IndicatorFigure[];
  readonly tasks: TaskFigure[];
  /** Rows whose period was another period: not for this briefing, not an error. */
  otherPeriods: number;
  readonly issues: InputIssue[];
}

/**
 * Turns one table into figures for `period`, checking every cell against the targets.
 * Pure: collects every issue instead of stopping at the first, so staff fix a file in one pass.
 */
export interface ReadTableOptions {
  /** A folder of files: each row must name its period, and rows of other periods are skipped. */
  readonly requirePeriod?: boolean;
  /** Header names of this source's own layout, per column (a statistics office's export). */
  readonly columns?: Partial<Record<Column, string>>;
}

export function readFigureTable(table: RawTable, report: Report, period: Period, opts: ReadTableOptions = {}): TableFigures {
  const issues: InputIssue[] = [];
  const out: TableFigures = { indicators: [], tasks: [], otherPeriods: 0, issues };
  const issue = (message: string, row?: number, column?: string) =>
    issues.push({ severity: 'error', file: table.file, ...(row !== undefined ? { row } : {}), ...(column !== undefined ? { column } : {}), message });

  const columns = mapColumns(table.header, opts.columns);
  for (const [col, name] of Object.entries(opts.columns ?? {}) as [Column, string][]) {
    if (columns[col] === undefined) {
      issue(`no column "${name}" (mapped to ${col} in the job definition); the header has ${table.header.filter(Boolean).join(', ')}`, table.headerRow);
    }
  }
  if (issues.length > 0) return out;
  if (columns.indicator === undefined) {
    issue(`no indicator column; expected a header named ${COLUMN_ALIASES.indicator.slice(0, 1).concat(COLUMN_ALIASES.indicator.slice(3, 4)).join(' or ')}`, table.headerRow);
    return out;
  }
  if (columns.period === undefined && opts.requirePeriod) {
    issue('no period column (期间/period); a folder of figure files needs it to tell the periods apart', table.headerRow);
  }
  if (table.rows.length === 0) {
    issue('the file has a header but no rows of figures', table.headerRow);
    return out;
  }

  const lookup = buildLookup(report);
  const seen = new Map<string, number>();
  const colName = (c: Column) => table.header[columns[c]!]!;
  const cell = (cells: readonly string[], c: Column) => (columns[c] === undefined ? '' : (cells[columns[c]!] ?? '').trim());

  for (const { row, cells } of table.rows) {
    if (cells.every((c) => c.trim() === '')) continue;
    const key = cell(cells, 'indicator');
    if (columns.period !== undefined) {
      const p = cell(cells, 'period');
      if (p === '') {
        if (opts.requirePeriod) { issue(`no period; expected ${periodId(period)}`, row, colName('period')); continue; }
      } else {
        let rowPeriod: Period;
        try {
          rowPeriod = parsePeriod(p);
        } catch (e) {
          issue(e instanceof PeriodError ? e.message : String(e), row, colName('period'));
          continue;
        }
        if (!samePeriod(rowPeriod, period)) {
          if (opts.requirePeriod) { out.otherPeriods += 1; continue; }
          issue(`period ${periodId(rowPeriod)} does not match the requested ${periodId(period)}`, row, colName('period'));
          continue;
        }
      }
    }
    if (key === '') { issue('no indicator name or id', row, colName('indicator')); continue; }
    const target = lookup.get(normalizeKey(key));
    if (!target) {
      const hint = closest(key, report);
      issue(`unknown indicator or task "${key}"${hint ? `; did you mean "${hint}"?` : ''} (names and ids are those of the targets file)`, row, colName('indicator'));
      continue;
    }
    const id = `${target.type}:${target.item.id}`;
    const first = seen.get(id);
    if (first !== undefined) {
      issue(`duplicate row for "${target.item.name}" (first given in row ${first}); keep one row per indicator and period`, row, colName('indicator'));
      continue;
    }
    seen.set(id, row);
    const common = {
      ...optional('note', cell(cells, 'note')),
      ...optional('asOf', normalizeDate(cell(cells, 'asOf'))),
      ...optional('source', cell(cells, 'source')),
      origin: { file: table.file, row },
    };
    if (target.type === 'task') {
      const s = cell(cells, 'status');
      const status = s === '' ? undefined : TASK_STATUS_BY_LABEL.get(s);
      if (s !== '' && !status) {
        issue(`"${s}" is not a task status; expected one of ${Object.values(TASK_STATUS_LABELS).join('、')}`, row, colName('status'));
        continue;
      }
      out.tasks.push({ taskId: target.item.id, ...(status ? { status: status as TaskStatus } : {}), ...common });
      continue;
    }
    const ind = target.item;
    const fig = readIndicatorCells(ind, (c) => cell(cells, c), (c, msg) => issue(msg, row, columns[c] === undefined ? undefined : colName(c)));
    if (fig) out.indicators.push({ indicatorId: ind.id, ...fig, ...common });
  }
  return out;
}

function readIndicatorCells(
  ind: Indicator,
  cell: (c: Column) => string,
  fail: (c: Column, message: string) => void,
): { value?: number; yoy?: number; status?: QualitativeStatus; raw?: { value?: string; yoy?: string } } | undefined {
  if (ind.kind === 'qualitative') {
    const s = cell('status');
    if (s === '') return {};
    const status = QUAL_STATUS_BY_LABEL.get(s);
    if (!status) {
      fail('status', `"${s}" is not a status for ${ind.name}; expected one of ${Object.values(QUALITATIVE_STATUS_LABELS).join('、')}`);
      return undefined;
    }
    return { status: status as QualitativeStatus };
  }
  const valueUnit = ind.kind === 'growth' ? (ind.valueUnit ?? '') : ind.unit;
  const v = parseNumberCell(cell('value'), valueUnit);
  const y = parseNumberCell(cell('yoy'), '%');
  let ok = true;
  if (!v.ok) { fail('value', `"${cell('value')}" is not usable for ${ind.name}; expected ${v.expected}`); ok = false; }
  if (!y.ok) { fail('yoy', `"${cell('yoy')}" is not usable for ${ind.name}; expected a growth rate in percent, e.g. 5.2`); ok = false; }
  if (!ok || !v.ok || !y.ok) return undefined;
  const raw = { ...(v.value !== undefined ? { value: cell('value') } : {}), ...(y.value !== undefined ? { yoy: cell('yoy') } : {}) };
  return {
    ...(v.value !== undefined ? { value: v.value } : {}),
    ...(y.value !== undefined ? { yoy: y.value } : {}),
    ...(Object.keys(raw).length > 0 ? { raw } : {}),
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return value ? ({ [key]: value } as { [P in K]?: string }) : {};
}

function normalizeDate(s: string): string | undefined {
  if (!s) return undefined;
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(toHalfWidth(s).trim());
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : s;
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

type Target = { type: 'indicator'; item: Indicator } | { type: 'task'; item: KeyTask };

const normalizeKey = (s: string) => toHalfWidth(s).replace(/\s+/g, '').replace(/[“”"]/g, '').toLowerCase();

function buildLookup(report: Report): Map<string, Target> {
  const map = new Map<string, Target>();
  for (const item of report.indicators) {
    map.set(normalizeKey(item.id), { type: 'indicator', item });
    map.set(normalizeKey(item.name), { type: 'indicator', item });
  }
  for (const item of report.tasks) {
    map.set(normalizeKey(item.id), { type: 'task', item });
    map.set(normalizeKey(item.name), { type: 'task', item });
  }
  return map;
}

/** The indicator or task name nearest to `key` by edit distance, if any is reasonably near. */
function closest(key: string, report: Report): string | undefined {
  const k = normalizeKey(key);
  let best: { name: string; d: number } | undefined;
  for (const item of [...report.indicators, ...report.tasks]) {
    for (const cand of [item.name, item.id]) {
      const d = editDistance(k, normalizeKey(cand));
      if (!best || d < best.d) best = { name: item.name, d };
    }
  }
  return best && best.d <= Math.max(2, Math.floor(k.length / 2)) ? best.name : undefined;
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
 * indicator or task the row with the newest as-of date wins, ties going to the later table.
 */
export function mergeFigures(reportId: string, period: Period, tables: readonly (TableFigures & { file: string })[]): Figures {
  const indicators = new Map<string, IndicatorFigure>();
  const tasks = new Map<string, TaskFigure>();
  const newer = (a: { asOf?: string }, b: { asOf?: string } | undefined) => !b || (a.asOf ?? '') >= (b.asOf ?? '');
  const used = new Set<string>();
  for (const t of tables) {
    for (const f of t.indicators) if (newer(f, indicators.get(f.indicatorId))) indicators.set(f.indicatorId, f);
    for (const f of t.tasks) if (newer(f, tasks.get(f.taskId))) tasks.set(f.taskId, f);
  }
  let asOf: string | undefined;
  for (const f of [...indicators.values(), ...tasks.values()]) {
    used.add(f.origin.file);
    if (f.asOf && (!asOf || f.asOf > asOf)) asOf = f.asOf;
  }
  return { reportId, period, indicators, tasks, ...(asOf ? { asOf } : {}), sources: [...used].sort() };
}
