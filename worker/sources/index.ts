import path from 'node:path';
import type { JobDefinition } from '../config/job-definition.ts';
import type { Period } from '../domain/period.ts';
import type { Report } from '../domain/report.ts';
import { readFigureFiles } from './file-source.ts';
import { readFigureEndpoint, type HttpSourceDeps } from './http-source.ts';
import type { SourceResult } from './source.ts';
import type { RawTable } from '../domain/figure-table.ts';

export type { SourceResult, SourceInput } from './source.ts';
export { SourceUnavailableError } from './source.ts';

/** Figures for `period` from the job's source, or from `overrideFile` (a staff member's corrected file). */
export function fetchFigures(
  job: JobDefinition,
  report: Report,
  period: Period,
  opts: { overrideFile?: string; http?: HttpSourceDeps; tableCache?: Map<string, Promise<RawTable>>; now?: Date } = {},
): Promise<SourceResult> {
  const cwd = process.cwd();
  const src = job.source;
  const columns = { ...(src.columns ? { columns: src.columns } : {}), ...(opts.tableCache ? { tableCache: opts.tableCache } : {}), ...(opts.now ? { now: opts.now } : {}) };
  if (opts.overrideFile) {
    const fileOpts = src.type === 'files' ? { ...columns, ...(src.sheet ? { sheet: src.sheet } : {}) } : columns;
    return readFigureFiles(path.resolve(cwd, opts.overrideFile), report, period, fileOpts, cwd);
  }
  if (src.type === 'files') {
    return readFigureFiles(src.path, report, period, { multiPeriod: true, ...columns, ...(src.sheet ? { sheet: src.sheet } : {}), ...(src.max_bytes ? { maxBytes: src.max_bytes } : {}) }, cwd);
  }
  return readFigureEndpoint(src, report, period, opts.http);
}
