import path from 'node:path';
import { readdir, readFile, stat } from 'node:fs/promises';
import type { JobDefinition } from '../config/job-definition.ts';
import { readFigureTable, type TableFigures } from '../domain/figure-table.ts';
import { InputError } from '../domain/issues.ts';
import { periodId, type Period } from '../domain/period.ts';
import type { Report } from '../domain/report.ts';
import { periodIn } from '../domain/table-layout.ts';
import { displayPath } from '../display-path.ts';
import { checkZip, readTableFile, TABLE_EXTENSIONS } from '../sources/table-file.ts';
import { META_MARK, META_SHEET } from './template.ts';
import { reportingUnits, unitFileName } from './units.ts';

/** Whose return a file is: from its hidden jibao sheet, else from its name (区发改委_2023Q3_报送模板.xlsx). */
export interface ReturnMeta {
  readonly report?: string;
  readonly period: string;
  readonly unit: string;
  readonly by: 'sheet' | 'name';
}

/** A template is small; a bigger workbook is an office's table, not looked into for the mark. */
const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024;

export async function readReturnMeta(file: string, report: Report): Promise<ReturnMeta | undefined> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx') {
    const info = await stat(file).catch(() => undefined);
    if (info && info.size <= MAX_TEMPLATE_BYTES) {
      try {
        const bytes = await readFile(file);
        checkZip(file, bytes, 50 * 1024 * 1024);
        const { default: Excel } = await import('exceljs');
        const wb = new Excel.Workbook();
        await wb.xlsx.load(bytes as unknown as ArrayBuffer);
        const ws = wb.getWorksheet(META_SHEET);
        if (ws && String(ws.getCell(1, 1).value) === META_MARK) {
          const facts = new Map<string, string>();
          ws.eachRow((row) => facts.set(String(row.getCell(1).value ?? ''), String(row.getCell(2).value ?? '')));
          const unit = facts.get('unit');
          const period = facts.get('period');
          if (unit && period) return { report: facts.get('report') ?? '', period, unit, by: 'sheet' };
        }
      } catch {
        // Unreadable here: the figure reader says why, in its own words.
      }
    }
  }
  // Re-saved by hand into a new workbook, the mark is gone; the file name still says whose it is.
  const base = path.basename(file, path.extname(file));
  for (const { unit } of reportingUnits(report)) {
    const prefix = `${unitFileName(unit)}_`;
    if (base.startsWith(prefix)) {
      const named = /^(\d{4}(?:Q[1-4]|-\d{2}))(?!\d)/.exec(base.slice(prefix.length));
      if (named) return { period: named[1]!, unit, by: 'name' };
    }
  }
  return undefined;
}

/** One file of the source folder read for a period: a unit's return or another source (a statistics table). */
export interface FolderFile {
  readonly file: string;
  readonly label: string;
  readonly meta?: ReturnMeta;
  /** Figures and issues for the period; undefined when the file is of another period. */
  readonly read?: TableFigures & { file: string };
}

/** The source folder of a job (returns are dropped there), or an error saying there is none. */
export function sourceFolder(job: JobDefinition): string {
  if (job.source.type !== 'files') {
    throw new InputError([{ severity: 'error', file: job.file, column: 'source', message: 'collecting returns needs a files source (a folder the returns are dropped into)', code: 'COLLECTION_NEEDS_FOLDER' }]);
  }
  return job.source.path;
}

/**
 * Every table file in the source folder for `period`, read as the run reads it (rows of other
 * periods skipped), with whose return each one is. Issues are collected, never thrown.
 */
export async function readFolder(job: JobDefinition, report: Report, period: Period, today: string): Promise<FolderFile[]> {
  const dir = sourceFolder(job);
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((n) => !n.startsWith('.') && !n.startsWith('~$') && (TABLE_EXTENSIONS as readonly string[]).includes(path.extname(n).toLowerCase()))
    .sort();
  const pid = periodId(period);
  const out: FolderFile[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const label = displayPath(file);
    const meta = await readReturnMeta(file, report);
    if (meta && (meta.period !== pid || (meta.report && meta.report !== report.id))) continue; // another period's (or report's) return
    const named = periodIn(path.basename(name, path.extname(name)), 'name');
    if (!meta && named?.month !== undefined && (named.month !== period.month || (named.year !== undefined && named.year !== period.year))) continue;
    let read: FolderFile['read'];
    try {
      const table = await readTableFile(file, { label, ...(job.source.type === 'files' && job.source.sheet ? { sheet: job.source.sheet } : {}) });
      read = { ...readFigureTable(table, report, period, { requirePeriod: true, today, ...(job.source.type === 'files' && job.source.columns ? { columns: job.source.columns } : {}) }), file: label };
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      read = { indicators: [], tasks: [], otherPeriods: 0, issues: [...e.issues], ignored: [], layout: 'jibao', file: label };
    }
    if (!meta && read.indicators.length + read.tasks.length === 0 && read.issues.length === 0) continue; // nothing for this period
    out.push({ file, label, ...(meta ? { meta } : {}), read });
  }
  return out;
}

