import path from 'node:path';
import { readdir, stat } from 'node:fs/promises';
import { isInside, resolveReal, type JobDefinition } from '../config/job-definition.ts';
import { periodId, type Period } from '../domain/period.ts';
import type { Report } from '../domain/report.ts';
import { CodedInputError } from '../error-codes.ts';
import { displayPath } from '../display-path.ts';
import { readFigureFiles } from './file-source.ts';
import { readFigureEndpoint, type HttpSourceDeps } from './http-source.ts';
import { TABLE_EXTENSIONS } from './table-file.ts';
import type { SourceResult } from './source.ts';
import type { RawTable } from '../domain/figure-table.ts';

export type { SourceResult, SourceInput } from './source.ts';
export { SourceUnavailableError } from './source.ts';

/** Figures for `period` from the job's source, or from `overrideFile` (a staff member's corrected file). */
export async function fetchFigures(
  job: JobDefinition,
  report: Report,
  period: Period,
  opts: { overrideFile?: string; http?: HttpSourceDeps; tableCache?: Map<string, Promise<RawTable>>; now?: Date } = {},
): Promise<SourceResult> {
  const cwd = process.cwd();
  const src = job.source;
  const columns = { ...(src.columns ? { columns: src.columns } : {}), ...(opts.tableCache ? { tableCache: opts.tableCache } : {}), ...(opts.now ? { now: opts.now } : {}) };
  if (opts.overrideFile) {
    // A file named on the command line is the caller's explicit choice, wherever it lies.
    const fileOpts = src.type === 'files' ? { ...columns, ...(src.sheet ? { sheet: src.sheet } : {}) } : columns;
    return readFigureFiles(path.resolve(cwd, opts.overrideFile), report, period, fileOpts, cwd);
  }
  if (src.type === 'files') {
    // A file staff uploaded for this period (the newest) is the period's figures, checked like --figures.
    const upload = await newestUpload(src.path, period);
    if (upload) return readFigureFiles(upload, report, period, { ...columns, ...(src.sheet ? { sheet: src.sheet } : {}) }, cwd);
    if (!job.allow_outside_jobs_dir) await refuseLinksOutside(job, src.path);
    return readFigureFiles(src.path, report, period, { multiPeriod: true, ...columns, ...(src.sheet ? { sheet: src.sheet } : {}), ...(src.max_bytes ? { maxBytes: src.max_bytes } : {}) }, cwd);
  }
  return readFigureEndpoint(src, report, period, opts.http);
}

/**
 * Where uploads for a period are kept: `uploads/<period>/` in the source folder (beside the source
 * file when it is one file). Each upload is a new file named `<time>_<nonce>_<name>`; none is overwritten.
 */
export async function uploadsFolder(sourcePath: string, period: Period): Promise<string> {
  const info = await stat(sourcePath).catch(() => undefined);
  return path.join(info?.isDirectory() ? sourcePath : path.dirname(sourcePath), 'uploads', periodId(period));
}

/** The period's newest upload, if any (names start with the upload time, so the last one sorts last). */
export async function newestUpload(sourcePath: string, period: Period): Promise<string | undefined> {
  const dir = await uploadsFolder(sourcePath, period);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => !n.startsWith('.') && (TABLE_EXTENSIONS as readonly string[]).includes(path.extname(n).toLowerCase())).sort();
  return names.length > 0 ? path.join(dir, names.at(-1)!) : undefined;
}

/**
 * Figure files are dropped into the source folder over time, so each one is checked when it is
 * read: a symlink in the folder that leads outside the jobs folder is refused like the folder itself.
 */
async function refuseLinksOutside(job: JobDefinition, source: string): Promise<void> {
  const root = await resolveReal(path.dirname(job.dir));
  const info = await stat(source).catch(() => undefined);
  const candidates = info?.isDirectory()
    ? (await readdir(source)).filter((n) => (TABLE_EXTENSIONS as readonly string[]).includes(path.extname(n).toLowerCase())).map((n) => path.join(source, n))
    : [source];
  const outside: string[] = [];
  for (const f of candidates) if (!isInside(root, await resolveReal(f))) outside.push(f);
  if (outside.length > 0) {
    throw new CodedInputError(
      'PATH_OUTSIDE_JOBS',
      outside.map((f) => ({
        file: displayPath(f),
        column: 'source.path',
        message: `leads outside the jobs folder (through ".." or a symbolic link); copy the file in, or set allow_outside_jobs_dir: true in ${displayPath(job.file)} if that is intended`,
      })),
    );
  }
}
