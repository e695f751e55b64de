import path from 'node:path';
import { readdir, stat } from 'node:fs/promises';
import { mergeFigures, readFigureTable, type TableFigures } from '../domain/figure-table.ts';
import { catalogIssue, InputError, type InputIssue } from '../domain/issues.ts';
import type { Period } from '../domain/period.ts';
import { periodId } from '../domain/period.ts';
import type { Report } from '../domain/report.ts';
import { readTableFile, TABLE_EXTENSIONS } from './table-file.ts';
import { displayPath as display } from '../display-path.ts';
import type { SourceResult } from './source.ts';
import type { Column, IgnoredRow, RawTable } from '../domain/figure-table.ts';
import { periodIn } from '../domain/table-layout.ts';
import { isoDateInZone } from '../domain/format.ts';

export interface FileSourceOptions {
  readonly sheet?: string;
  readonly columns?: Partial<Record<Column, string>>;
  readonly maxBytes?: number;
  /**
   * Rows must name their period and rows of other periods are skipped. Always so for a folder
   * and for a job's configured source (one file may hold many periods); a file given for one
   * run (`--figures`) may leave the period out, and a row of another period is then an error.
   */
  readonly multiPeriod?: boolean;
  /** Tables already read in this run (one run reads a file for this period and the previous one). */
  readonly tableCache?: Map<string, Promise<RawTable>>;
  /** The run's clock: an as-of date after its day (in China's time zone) is refused. */
  readonly now?: Date;
  readonly maxRows?: number;
  readonly maxUnpackedBytes?: number;
  /** Errors listed before the rest are only counted (a wrong file can have one per cell). */
  readonly maxIssues?: number;
}

export const DEFAULT_MAX_ISSUES = 200;

/**
 * Reads figures for `period` from one file, or from every CSV/XLSX file in a folder.
 * In a folder each row names its period and rows of other periods are skipped; a single
 * file given on purpose is taken to be for the requested period.
 */
export async function readFigureFiles(target: string, report: Report, period: Period, opts: FileSourceOptions = {}, baseDir = process.cwd()): Promise<SourceResult> {
  const info = await stat(target).catch(() => undefined);
  if (!info) {
    throw new InputError([catalogIssue('error', 'FILE_NOT_FOUND', { variant: 'source' }, { file: display(target, baseDir) })]);
  }
  const isDir = info.isDirectory();
  const files = isDir ? await listTableFiles(target) : [target];
  const requirePeriod = isDir || opts.multiPeriod === true;
  const tables: (TableFigures & { file: string; path: string })[] = [];
  const issues: InputIssue[] = [];
  const ignored: IgnoredRow[] = [];
  const today = isoDateInZone(opts.now ?? new Date(), 'Asia/Shanghai');
  for (const file of files) {
    const label = display(file, baseDir);
    // A file named for another period is not read at all: a broken file of another month must not block this one.
    const named = requirePeriod ? periodIn(path.basename(file, path.extname(file)), 'name') : undefined;
    if (named?.month !== undefined && (named.month !== period.month || (named.year !== undefined && named.year !== period.year))) continue;
    try {
      const key = `${file}\0${opts.sheet ?? ''}`;
      const pending =
        opts.tableCache?.get(key) ??
        readTableFile(file, {
          label,
          ...(opts.sheet ? { sheet: opts.sheet } : {}),
          ...(opts.maxBytes ? { maxBytes: opts.maxBytes } : {}),
          ...(opts.maxRows ? { maxRows: opts.maxRows } : {}),
          ...(opts.maxUnpackedBytes ? { maxUnpackedBytes: opts.maxUnpackedBytes } : {}),
        });
      opts.tableCache?.set(key, pending);
      const table = await pending;
      const read = readFigureTable(table, report, period, { requirePeriod, today, ...(opts.columns ? { columns: opts.columns } : {}) });
      issues.push(...read.issues);
      ignored.push(...read.ignored);
      if (read.indicators.length + read.tasks.length > 0) tables.push({ ...read, file: label, path: file });
    } catch (e) {
      if (e instanceof InputError) issues.push(...e.issues);
      else throw e;
    }
  }
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new InputError(capIssues(errors, opts.maxIssues ?? DEFAULT_MAX_ISSUES));
  if (tables.length === 0) {
    return {
      kind: 'not-ready',
      reason: isDir
        ? `no figures for ${periodId(period)} in ${display(target, baseDir)} (${files.length} file(s) read)`
        : `${display(target, baseDir)} holds no figures for ${periodId(period)}`,
    };
  }
  const figures = mergeFigures(report.id, period, tables);
  return {
    kind: 'ready',
    figures,
    warnings: issues.filter((i) => i.severity === 'warning'),
    inputs: tables.filter((t) => figures.sources.includes(t.file)).map((t) => ({ label: t.file, name: path.basename(t.path), path: t.path })),
    ignored,
  };
}

/** The first `max` issues, and one more that says how many were left out. */
export function capIssues(issues: readonly InputIssue[], max: number): InputIssue[] {
  if (issues.length <= max) return [...issues];
  const rest = issues.length - max;
  const files = [...new Set(issues.slice(max).map((i) => i.file))].join(', ');
  return [...issues.slice(0, max), catalogIssue('error', 'ISSUES_TRUNCATED', { rest }, { file: files })];
}

async function listTableFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((n) => !n.startsWith('.') && !n.startsWith('~$') && (TABLE_EXTENSIONS as readonly string[]).includes(path.extname(n).toLowerCase()))
    .sort()
    .map((n) => path.join(dir, n));
}
