import { z } from 'zod';
import { mergeFigures, readFigureTable, type Column, type RawTable } from '../domain/figure-table.ts';
import { catalogIssue, InputError } from '../domain/issues.ts';
import type { Period } from '../domain/period.ts';
import { parsePeriod, periodId, samePeriod } from '../domain/period.ts';
import type { Report } from '../domain/report.ts';
import { SourceUnavailableError, type SourceResult } from './source.ts';
import { redactText, redactUrl, urlCredentials } from '../redact.ts';

export interface HttpSourceConfig {
  readonly url: string;
  readonly token_env?: string | undefined;
  /** Waiting for the headers, per attempt. */
  readonly timeout_ms: number;
  /** Receiving the body once the headers are in, per attempt. */
  readonly body_timeout_ms?: number | undefined;
  /** The largest body accepted, counted as it arrives. */
  readonly max_bytes?: number | undefined;
  readonly retries: number;
  readonly columns?: Partial<Record<Column, string>> | undefined;
}

export const DEFAULT_BODY_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

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
export const safeUrl = redactUrl;

/** Why one attempt failed in a way a retry may cure. */
type Transient = { readonly kind: 'slow' | 'down'; readonly problem: string };

/**
 * Reads figures for `period` from a JSON endpoint, into the same validation as files.
 * 404/204, an empty list or another period mean "not ready"; 5xx, 429, timeouts, a body that
 * arrives too slowly and network errors are retried with exponential backoff, then reported as
 * an outage; 4xx otherwise, a body over the size limit, or credentials in the URL are
 * configuration errors. No message ever carries the URL's secrets or the token.
 */
export async function readFigureEndpoint(config: HttpSourceConfig, report: Report, period: Period, deps: HttpSourceDeps = {}): Promise<SourceResult> {
  const env = deps.env ?? process.env;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const url = config.url.replaceAll('{report}', encodeURIComponent(report.id)).replaceAll('{period}', encodeURIComponent(periodId(period)));
  const label = redactUrl(url);
  // Also refused when the job definition was loaded; checked again here for configs built in code.
  if (urlCredentials(url)) {
    throw new InputError([catalogIssue('error', 'SOURCE_URL_CREDENTIALS', {}, { file: label, column: 'source.url' })]);
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (config.token_env) {
    const token = env[config.token_env];
    if (!token) throw new InputError([catalogIssue('error', 'SOURCE_TOKEN_MISSING', { env: config.token_env }, { file: label })]);
    headers['authorization'] = `Bearer ${token}`;
  }
  const maxBytes = config.max_bytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  let last: Transient = { kind: 'down', problem: '' };
  for (let attempt = 0; attempt <= config.retries; attempt++) {
    if (attempt > 0) await sleep((deps.baseDelayMs ?? 1000) * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
    const answer = await attemptOnce(url, headers, config, maxBytes, label);
    if ('kind' in answer) {
      last = answer;
      continue;
    }
    const { status, bytes } = answer;
    if (status === 404 || status === 204) return { kind: 'not-ready', reason: `${label} has no figures for ${periodId(period)} yet (HTTP ${status})` };
    if (status >= 500 || status === 429 || status === 408) {
      last = { kind: 'down', problem: `HTTP ${status}` };
      continue;
    }
    if (status < 200 || status >= 300) {
      const auth = status === 401 || status === 403;
      throw new InputError([catalogIssue('error', 'SOURCE_REFUSED', { status, ...(auth ? { env: config.token_env ?? '(no token_env configured)' } : {}) }, { file: label })]);
    }
    return parseBody(bytes!, label, report, period, config);
  }
  throw new SourceUnavailableError(`figure source ${label} unavailable after ${config.retries + 1} attempt(s): ${last.problem}`, last.kind === 'slow' ? 'SOURCE_SLOW' : 'SOURCE_UNAVAILABLE');
}

/**
 * One request: the headers within timeout_ms, then the body within body_timeout_ms, streamed and
 * counted so that neither a lying Content-Length nor an endless body can exhaust memory. The body
 * of an answer that is not 2xx is not read.
 */
async function attemptOnce(
  url: string,
  headers: Record<string, string>,
  config: HttpSourceConfig,
  maxBytes: number,
  label: string,
): Promise<Transient | { status: number; bytes?: Uint8Array }> {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), config.timeout_ms);
  try {
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: controller.signal });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      return { kind: 'down', problem: controller.signal.aborted ? `no answer within ${config.timeout_ms} ms` : redactText(err.cause?.code ?? err.cause?.message ?? err.message) };
    }
    if (res.status < 200 || res.status >= 300 || res.status === 204) {
      await res.body?.cancel().catch(() => undefined);
      return { status: res.status };
    }
    const declared = Number(res.headers.get('content-length') ?? '');
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw tooLarge(label, maxBytes, { declared });
    }
    clearTimeout(timer);
    const bodyMs = config.body_timeout_ms ?? DEFAULT_BODY_TIMEOUT_MS;
    timer = setTimeout(() => controller.abort(), bodyMs);
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = res.body?.getReader();
    try {
      for (;;) {
        if (!reader) break;
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge(label, maxBytes, { arrived: 'yes' });
        }
        chunks.push(value);
      }
    } catch (e) {
      if (e instanceof InputError) throw e;
      if (controller.signal.aborted) return { kind: 'slow', problem: `the answer's body was not complete within ${bodyMs} ms (${total} bytes received)` };
      const err = e as Error & { cause?: { code?: string; message?: string } };
      return { kind: 'down', problem: `the answer broke off after ${total} bytes: ${redactText(err.cause?.code ?? err.cause?.message ?? err.message)}` };
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    return { status: res.status, bytes };
  } finally {
    clearTimeout(timer);
  }
}

const tooLarge = (label: string, maxBytes: number, what: { declared: number } | { arrived: 'yes' }) =>
  new InputError([catalogIssue('error', 'SOURCE_TOO_LARGE', { ...what, max: maxBytes }, { file: label })]);

function parseBody(bytes: Uint8Array, label: string, report: Report, period: Period, config: HttpSourceConfig): SourceResult {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new InputError([catalogIssue('error', 'SOURCE_BAD_ANSWER', { variant: 'not-json' }, { file: label })]);
  }
  const parsed = body.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new InputError([catalogIssue('error', 'SOURCE_BAD_ANSWER', { variant: 'schema', detail: i.message }, { file: label, column: i.path.join('.') || '(top level)' })]);
  }
  const data = Array.isArray(parsed.data) ? { figures: parsed.data } : parsed.data;
  if (data.period !== undefined) {
    let answered: Period;
    try {
      answered = parsePeriod(data.period);
    } catch {
      throw new InputError([catalogIssue('error', 'SOURCE_BAD_ANSWER', { variant: 'period', text: data.period }, { file: label, column: 'period' })]);
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
