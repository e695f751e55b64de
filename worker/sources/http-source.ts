import { z } from 'zod';
import { mergeFigures, readFigureTable, type Column, type RawTable } from '../domain/figure-table.ts';
import { InputError } from '../domain/issues.ts';
import type { Period } from '../domain/period.ts';
import { parsePeriod, periodId, samePeriod } from '../domain/period.ts';
import type { Report } from '../domain/report.ts';
import { SourceUnavailableError, type SourceResult } from './source.ts';

export interface HttpSourceConfig {
  readonly url: string;
  readonly token_env?: string | undefined;
  readonly timeout_ms: number;
  readonly retries: number;
  readonly columns?: Partial<Record<Column, string>> | undefined;
}

export interface HttpSourceDeps {
  readonly env?: NodeJS.ProcessEnv;
  /** Waits between retries; tests pass a short one. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly baseDelayMs?: number;
}

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const item = z.record(z.string(), cell);
const body = z.union([
  z.array(item),
  z.object({ period: z.string().optional(), as_of: z.string().optional(), figures: z.array(item) }),
]);

/** The URL as it may appear in messages and manifests: no credentials. */
export function safeUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}

/**
 * Reads figures for `period` from a JSON endpoint, into the same validation as files.
 * 404/204, an empty list or another period mean "not ready"; 5xx, 429, timeouts and network
 * errors are retried with exponential backoff; 4xx otherwise is a configuration error.
 */
export async function readFigureEndpoint(config: HttpSourceConfig, report: Report, period: Period, deps: HttpSourceDeps = {}): Promise<SourceResult> {
  const env = deps.env ?? process.env;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const url = config.url.replaceAll('{report}', encodeURIComponent(report.id)).replaceAll('{period}', encodeURIComponent(periodId(period)));
  const label = safeUrl(url);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (config.token_env) {
    const token = env[config.token_env];
    if (!token) throw new InputError([{ severity: 'error', file: label, message: `the environment variable ${config.token_env} (the source's bearer token) is not set` }]);
    headers['authorization'] = `Bearer ${token}`;
  }

  let lastProblem = '';
  for (let attempt = 0; attempt <= config.retries; attempt++) {
    if (attempt > 0) await sleep((deps.baseDelayMs ?? 1000) * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(config.timeout_ms) });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      lastProblem = err.name === 'TimeoutError' ? `no answer within ${config.timeout_ms} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
      continue;
    }
    if (res.status === 404 || res.status === 204) {
      await res.body?.cancel();
      return { kind: 'not-ready', reason: `${label} has no figures for ${periodId(period)} yet (HTTP ${res.status})` };
    }
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      await res.body?.cancel();
      lastProblem = `HTTP ${res.status}`;
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      const hint = res.status === 401 || res.status === 403 ? `; check the token in ${config.token_env ?? '(no token_env configured)'}` : '';
      throw new InputError([{ severity: 'error', file: label, message: `the source refused the request: HTTP ${res.status}${hint}` }]);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    return parseBody(bytes, label, report, period, config);
  }
  throw new SourceUnavailableError(`figure source ${label} unavailable after ${config.retries + 1} attempt(s): ${lastProblem}`);
}

function parseBody(bytes: Uint8Array, label: string, report: Report, period: Period, config: HttpSourceConfig): SourceResult {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new InputError([{ severity: 'error', file: label, message: 'the answer is not JSON; expected { "period", "as_of", "figures": [ { "indicator", "value", "yoy", … } ] }' }]);
  }
  const parsed = body.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new InputError([{ severity: 'error', file: label, column: i.path.join('.') || '(top level)', message: `unexpected JSON: ${i.message}; expected { "period", "as_of", "figures": [ { "indicator", "value", … } ] }` }]);
  }
  const data = Array.isArray(parsed.data) ? { figures: parsed.data } : parsed.data;
  if (data.period !== undefined) {
    let answered: Period;
    try {
      answered = parsePeriod(data.period);
    } catch {
      throw new InputError([{ severity: 'error', file: label, column: 'period', message: `"${data.period}" is not a period` }]);
    }
    if (!samePeriod(answered, period)) return { kind: 'not-ready', reason: `${label} answered with ${periodId(answered)}, not ${periodId(period)}` };
  }
  if (data.figures.length === 0) return { kind: 'not-ready', reason: `${label} has no figures for ${periodId(period)} yet` };

  // JSON items become rows of a table, so an endpoint is validated exactly like a spreadsheet.
  const keys = [...new Set(data.figures.flatMap((f) => Object.keys(f)))];
  if (data.as_of && !keys.includes('as_of')) keys.push('as_of');
  const table: RawTable = {
    file: label,
    header: keys,
    headerRow: 0,
    rows: data.figures.map((f, i) => ({
      row: i + 1,
      cells: keys.map((k) => (k === 'as_of' && f[k] == null ? (data.as_of ?? '') : f[k] == null ? '' : String(f[k]))),
    })),
  };
  const read = readFigureTable(table, report, period, config.columns ? { columns: config.columns } : {});
  const errors = read.issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new InputError(errors);
  const figures = mergeFigures(report.id, period, [{ ...read, file: label }]);
  return { kind: 'ready', figures, warnings: [], inputs: [{ label, name: 'figures.json', data: bytes }] };
}
