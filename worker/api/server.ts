import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createSnapshotStore, MODEL_NAME, PDF_NAME } from '../archive/index.ts';
import { listReportIds, loadJobDefinition, scheduleOf } from '../config/job-definition.ts';
import { loadWorkCalendar } from '../config/work-calendar.ts';
import { loadTargets } from '../config/targets-file.ts';
import { InputError, issueText } from '../domain/issues.ts';
import { parsePeriod, periodId, PeriodError } from '../domain/period.ts';
import { firesAfter, periodForFire, usesCalendar } from '../domain/schedule.ts';
import type { Logger } from '../log.ts';
import type { Settings } from '../config/settings.ts';
import { JOB_NAME, JOB_OPTIONS, rerunJobId, type BriefingJobData, type BriefingProgress } from '../queue/briefing-job.ts';
import { allows, authenticate, isExpired, maySendTo, sendMeDomainsFromEnv, type ApiRole, type ApiToken } from './auth.ts';
import { classify, readFailure, renderMessage, type MessageCode, type Params } from '../errors/index.ts';
import { checkNote, checkPeriodInYear } from '../pipeline/request-checks.ts';
import { redactText } from '../redact.ts';
import { createMetrics } from './metrics.ts';
import { registerReturnsRoutes } from './returns.ts';
import { parseSnapshotId, snapshotId } from '../archive/snapshot-id.ts';
import type { SnapshotRef } from '../archive/index.ts';

export interface ApiDeps {
  readonly settings: Settings;
  readonly briefings: Queue;
  readonly deliveries: Queue;
  readonly redis: Redis;
  readonly tokens: readonly ApiToken[];
  readonly log: Logger;
  /** Reruns a token may start per minute. */
  readonly rerunsPerMinute?: number;
  /** Domains `send: "me"` may reach with any token (default: JIBAO_SEND_ME_DOMAINS). */
  readonly sendMeDomains?: readonly string[];
  readonly limits?: Partial<ApiLimits>;
}

/** What the server hands its route plugins, so each rule is written once: the role check and the snapshot lookup. */
export interface RouteDeps extends ApiDeps {
  /** The server's role check (a preHandler): throttled failed logins, expiry, role. */
  readonly need: (role: ApiRole) => (req: FastifyRequest) => Promise<void>;
  /** A snapshot by its public id: 400 for a malformed id, 404 outside the archive or unknown. */
  readonly snapshot: (id: string) => Promise<SnapshotRef>;
}

/** What one client may hold of the server: connections, time, bytes, failed logins. */
export interface ApiLimits {
  /** Open connections per client address; more are answered 429 and closed. */
  readonly connectionsPerIp: number;
  /** The whole request (headers and body) must arrive within this. */
  readonly requestTimeoutMs: number;
  /** The headers must arrive within this (slowloris). */
  readonly headersTimeoutMs: number;
  /** An idle socket is closed after this. */
  readonly connectionTimeoutMs: number;
  /** How often the server looks for requests over their time (Node checks on an interval). */
  readonly checkIntervalMs: number;
  readonly bodyBytes: number;
  /** Failed logins per client address within a minute before it gets 429. */
  readonly failedLoginsPerMinute: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = {
  connectionsPerIp: 32,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  connectionTimeoutMs: 60_000,
  checkIntervalMs: 1_000,
  bodyBytes: 64 * 1024,
  failedLoginsPerMinute: 10,
};

/** `JIBAO_API_MAX_CONNECTIONS_PER_IP` (e.g. when many staff share one NAT address). */
export function apiLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ApiLimits> {
  const n = Number(env['JIBAO_API_MAX_CONNECTIONS_PER_IP'] ?? '');
  return Number.isInteger(n) && n > 0 ? { connectionsPerIp: n } : {};
}

declare module 'fastify' {
  interface FastifyRequest {
    token?: ApiToken;
  }
}

const REPORT_ID = '^[a-z0-9][a-z0-9-]{0,63}$';

/**
 * An answer other than success: its code and values render the Chinese message from the catalogue
 * (a code not in it yet gets the general message of its status until its entry is added).
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: MessageCode | (string & {}),
    readonly params: Params = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(renderMessage(code, params, 'en') ?? code);
  }
}

const CODE_BY_STATUS: Record<number, MessageCode> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 429: 'RATE_LIMITED' };

/** One problem of a refused input, as the API lists it: where, what kind, and what to do, in Chinese. */
export interface ErrorDetail {
  readonly file?: string;
  readonly row?: number;
  readonly column?: string;
  readonly code?: string;
  readonly message: string;
}

/** Every error the API answers: `{ code, message, details }`, the message in Chinese (staff read it). */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details: readonly ErrorDetail[];
}

const errorBody = (code: string, params: Params = {}, status = 400): ErrorBody => ({
  code,
  message: renderMessage(code, params, 'zh') ?? renderMessage(CODE_BY_STATUS[status] ?? 'BAD_REQUEST', {}, 'zh')!,
  details: [],
});

/** A failed run's reason for the page: its code and Chinese text. */
const failed = (reason: string) => {
  const { code, text } = readFailure(reason);
  return { error: text, errorCode: code ?? 'INTERNAL' };
};

/** The body for any error: an input error lists every issue; an internal one says nothing of its cause. */
export function apiErrorBody(err: unknown, status: number): ErrorBody {
  if (status >= 500) return errorBody('INTERNAL');
  if (err instanceof HttpError) return errorBody(err.code, err.params, status);
  const c = classify(err);
  if (err instanceof InputError) {
    const details = err.issues.map((i) => ({
      ...(i.file ? { file: i.file } : {}),
      ...(i.row !== undefined ? { row: i.row } : {}),
      ...(i.column !== undefined ? { column: i.column } : {}),
      ...(i.code ? { code: i.code } : {}),
      message: issueText(i, 'zh'),
    }));
    const message = details.length === 1 ? details[0]!.message : `共发现 ${details.length} 个问题；请逐条改正后重新提交，未保存、未归档任何内容`;
    return { code: c.code, message, details };
  }
  const v = (err as { validation?: { instancePath?: string; params?: { missingProperty?: string; additionalProperty?: string } }[] }).validation;
  if (v) {
    const fields = v.map((x) => x.params?.missingProperty ?? x.params?.additionalProperty ?? x.instancePath?.replace(/^\//, '') ?? '').filter(Boolean);
    return { code: 'BAD_REQUEST', message: fields.length > 0 ? `请求格式有误：字段${fields.map((f) => `“${f}”`).join('、')}缺失、多余或不合要求` : '请求格式有误', details: [] };
  }
  // A code the catalogue lacks still travels; its message is the general one for the status.
  return errorBody(c.code !== 'INTERNAL' ? c.code : (CODE_BY_STATUS[status] ?? 'BAD_REQUEST'), c.params, status);
}

/**
 * The inline script and style of the staff page are allowed by their hashes, so the page works
 * under a CSP that allows no other script, style, frame or form target.
 */
function contentSecurityPolicy(page: string): string {
  const hashes = (tag: string) =>
    [...page.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`).join(' ');
  return [
    "default-src 'none'",
    `script-src ${hashes('script') || "'none'"}`,
    `style-src ${hashes('style') || "'none'"}`,
    "connect-src 'self'",
    "img-src 'self' data: blob:",
    // The page shows a snapshot's PDF (fetched with the token) in an iframe of its blob: URL.
    "frame-src blob:",
    "object-src blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The HTTP API and the staff page. Every request validated; errors are JSON with a reason, never a stack. */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const limits: ApiLimits = { ...DEFAULT_API_LIMITS, ...apiLimitsFromEnv(), ...deps.limits };
  const sendMeDomains = deps.sendMeDomains ?? sendMeDomainsFromEnv();
  // Unknown fields are refused, not silently dropped: a typo in a request must not change its meaning.
  // Slow clients are cut off: headers, whole request and idle sockets each have a time limit.
  const app = Fastify({
    logger: false,
    bodyLimit: limits.bodyBytes,
    connectionTimeout: limits.connectionTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: 5_000,
    http: { headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs), connectionsCheckingInterval: limits.checkIntervalMs },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  const archive = createSnapshotStore(deps.settings);
  const metrics = createMetrics(deps.briefings, deps.deliveries);
  const page = await readFile(new URL('./staff-page.html', import.meta.url), 'utf8');
  const csp = contentSecurityPolicy(page);

  // A per-address cap on open connections: one client cannot hold the server's sockets. A socket
  // over the cap is answered 429 and closed at once; should a request on it still be parsed, the
  // onRequest hook refuses it before any handler runs.
  const open = new Map<string, number>();
  const overCap = new WeakSet<object>();
  app.server.prependListener('connection', (socket: import('node:net').Socket) => {
    const ip = socket.remoteAddress ?? 'unknown';
    const n = (open.get(ip) ?? 0) + 1;
    if (n > limits.connectionsPerIp) {
      overCap.add(socket);
      const body = JSON.stringify(errorBody('TOO_MANY_CONNECTIONS'));
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () => socket.destroy());
      deps.log.warn({ audit: 'connection-refused', ip, open: n - 1 }, 'too many connections from one address');
      return;
    }
    open.set(ip, n);
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left <= 0) open.delete(ip);
      else open.set(ip, left);
    });
  });
  app.addHook('onRequest', async (req) => {
    if (overCap.has(req.raw.socket)) throw new HttpError(429, 'TOO_MANY_CONNECTIONS', {}, { connection: 'close' });
  });

  // Every answer, errors and 404s included, carries the security headers; API answers are never cached.
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('content-security-policy', csp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    if (req.url.startsWith('/api/') || req.url === '/metrics') reply.header('cache-control', 'no-store');
    return payload;
  });

  // The status comes from the error's classification (catalogue), so no route keeps its own table.
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = err instanceof HttpError ? err.statusCode : err.validation ? 400 : err.statusCode && err.statusCode < 500 ? err.statusCode : classify(err).status;
    if (status >= 500) deps.log.error({ err: redactText(err.message), url: redactText(req.url) }, 'api error');
    if (err instanceof HttpError) for (const [k, v] of Object.entries(err.headers)) void reply.header(k, v);
    void reply.code(status).send(apiErrorBody(err, status));
  });
  app.setNotFoundHandler((_req, reply) => void reply.code(404).send(errorBody('NOT_FOUND')));

  /**
   * Failed logins (a token presented but unknown or expired) are counted per client address in
   * Redis, shared by every API process; past the limit the address gets 429 until its minute is
   * over, whatever it presents. Each failure is logged with the address, never the token.
   */
  const failKey = (ip: string) => `jibao:login-fail:${ip}`;
  const throttled = async (ip: string): Promise<number | undefined> => {
    const n = Number(await deps.redis.get(failKey(ip))) || 0;
    if (n < limits.failedLoginsPerMinute) return undefined;
    const ttl = await deps.redis.ttl(failKey(ip));
    return ttl > 0 ? ttl : 60;
  };
  const loginFailed = async (req: FastifyRequest, reason: 'unknown-token' | 'expired', tokenName?: string) => {
    const n = await deps.redis.incr(failKey(req.ip));
    if (n === 1) await deps.redis.expire(failKey(req.ip), 60);
    deps.log.warn({ audit: 'login-failed', ip: req.ip, reason, failures: n, ...(tokenName ? { tokenName } : {}), url: req.url.split('?')[0] }, 'failed login');
  };

  const need = (role: ApiRole) => async (req: FastifyRequest) => {
    const presented = req.headers.authorization !== undefined;
    if (presented) {
      const wait = await throttled(req.ip);
      if (wait !== undefined) throw new HttpError(429, 'LOGIN_THROTTLED', { wait }, { 'retry-after': String(wait) });
    }
    const token = authenticate(deps.tokens, req.headers.authorization);
    if (!token) {
      if (presented) await loginFailed(req, 'unknown-token');
      throw new HttpError(401, 'UNAUTHORIZED');
    }
    if (isExpired(token, deps.settings.clock())) {
      await loginFailed(req, 'expired', token.name);
      throw new HttpError(401, 'TOKEN_EXPIRED', { expires: token.expires });
    }
    if (!allows(token, role)) throw new HttpError(403, 'FORBIDDEN', { role, has: token.role });
    req.token = token;
  };

  /** Accepted reruns per token per minute, counted in Redis so that every API process shares the count. */
  const withinRate = async (token: ApiToken): Promise<boolean> => {
    const minute = Math.floor(deps.settings.clock().getTime() / 60_000);
    const key = `jibao:rate:rerun:${token.digest.toString('hex').slice(0, 16)}:${minute}`;
    const n = await deps.redis.incr(key);
    if (n === 1) await deps.redis.expire(key, 120);
    return n <= (deps.rerunsPerMinute ?? 10);
  };

  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get('/healthz', async (_req, reply) => {
    const redis = await deps.redis.ping().then(() => 'up' as const, () => 'down' as const);
    return reply.code(redis === 'up' ? 200 : 503).send({ ok: redis === 'up', redis });
  });
  app.get('/metrics', { preHandler: need('viewer') }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.render()));

  const report = async (id: string) => {
    try {
      return await loadJobDefinition(deps.settings.jobsDir, id);
    } catch (e) {
      if (e instanceof InputError && e.issues.some((i) => i.message.startsWith('no such report'))) throw new HttpError(404, 'NOT_FOUND', { kind: 'report', id });
      throw e;
    }
  };

  app.get('/api/reports', { preHandler: need('viewer') }, async () => {
    const now = deps.settings.clock();
    const out = [];
    for (const id of await listReportIds(deps.settings.jobsDir)) {
      const def = await report(id);
      const year = (await loadTargets(def.targetsFile, def.id)).year;
      // The next fire that reports on a period of the targets' year, if any is left.
      // From the scheduler's own definition; a calendar year missing shows as no next run (start refuses it).
      const cal = usesCalendar(def.schedule.rule) ? await loadWorkCalendar(deps.settings.jobsDir) : undefined;
      const next = (() => {
        try {
          // Lazily, stopping at the first fire for the targets' year: later years need not be in the calendar.
          for (const f of firesAfter(scheduleOf(def), cal, now, new Date(Date.UTC(year + 2, 0, 1)))) {
            if (periodForFire(f.at, def.schedule.timezone, def.schedule.period, f.movedFrom).year === year) return f;
          }
          return undefined;
        } catch (e) {
          if (e instanceof InputError) return undefined;
          throw e;
        }
      })();
      const all = await archive.list(id);
      const latest = all.at(-1);
      out.push({
        id,
        title: def.title,
        year,
        schedule: { cron: def.schedule.cron, timezone: def.schedule.timezone },
        nextRun: next ? { at: next.at.toISOString(), period: periodId(periodForFire(next.at, def.schedule.timezone, def.schedule.period, next.movedFrom)), ...(next.movedFrom ? { movedFrom: next.movedFrom } : {}) } : null,
        latestSnapshot: latest ? snapshotId(latest) : null,
      });
    }
    return { reports: out };
  });

  app.post<{ Params: { id: string }; Body: { period: string; note?: string; send?: 'all' | 'me' | 'none'; email?: string } }>(
    '/api/reports/:id/runs',
    {
      preHandler: need('staff'),
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', pattern: REPORT_ID } }, required: ['id'] },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['period'],
          properties: {
            period: { type: 'string', maxLength: 20 },
            // Its length is checked below, in characters, by the same rule as every other path.
            note: { type: 'string' },
            send: { type: 'string', enum: ['all', 'me', 'none'] },
            email: { type: 'string', format: 'email', maxLength: 200 },
          },
        },
      },
    },
    async (req, reply) => {
      const def = await report(req.params.id);
      let period;
      try {
        period = parsePeriod(req.body.period);
      } catch (e) {
        throw new HttpError(400, 'PERIOD_INVALID', { text: req.body.period, ...(e instanceof PeriodError ? { detail: e.message } : {}) });
      }
      const token = req.token!;
      // Refused before anything is queued: a period of another year, an over-long note.
      try {
        checkPeriodInYear(period, await loadTargets(def.targetsFile, def.id), def.targetsFile);
        checkNote(req.body.note, 'note');
      } catch (e) {
        // A refused request, not a broken server: 400 with the issue, whatever the code's default.
        if (e instanceof InputError) throw Object.assign(e, { statusCode: 400 });
        throw e;
      }
      const send = req.body.send ?? 'all';
      // "Only me" goes to the address bound to the token, or to one in an allow-listed domain; never elsewhere.
      const me = req.body.email ?? token.email;
      if (send === 'me' && !me) throw new HttpError(400, 'BAD_REQUEST', { field: 'email' });
      if (send === 'me' && !maySendTo(token, me!, sendMeDomains)) {
        deps.log.warn({ audit: 'send-me-refused', tokenName: token.name, report: def.id }, 'send "me" to an address not bound to the token');
        throw new HttpError(403, 'SEND_ME_REFUSED', { bound: token.email ? 'yes' : undefined });
      }
      if (!(await withinRate(token))) throw new HttpError(429, 'RATE_LIMITED', { max: deps.rerunsPerMinute ?? 10 }, { 'retry-after': '60' });
      const data: BriefingJobData = {
        report: def.id,
        period: periodId(period),
        trigger: { kind: 'api', by: token.name, ...(req.body.note ? { note: req.body.note } : {}) },
        ...(req.body.note ? { note: req.body.note } : {}),
        send: send !== 'none',
        ...(send === 'me' ? { recipients: { to: [me!], cc: [], bcc: [] } } : {}),
      };
      const job = await deps.briefings.add(JOB_NAME, data, { ...JOB_OPTIONS, jobId: rerunJobId(def.id, periodId(period), deps.settings.clock(), randomUUID().slice(0, 8)) });
      deps.log.info({ audit: 'rerun', tokenName: token.name, role: token.role, report: def.id, period: periodId(period), send, note: req.body.note, jobId: job.id }, 'rerun requested');
      return reply.code(202).send({ runId: job.id, status: `/api/runs/${job.id}` });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/runs/:id',
    { preHandler: need('viewer'), schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,200}$' } } } } },
    async (req) => {
      // The state first, then the job: a job read before it failed would show "failed" without its reason.
      const state = await deps.briefings.getJobState(req.params.id);
      const job = await deps.briefings.getJob(req.params.id);
      if (!job || state === 'unknown') throw new HttpError(404, 'NOT_FOUND', { kind: 'run', id: req.params.id });
      const progress = (typeof job.progress === 'object' ? job.progress : null) as BriefingProgress | null;
      const rv = job.returnvalue as { snapshot?: { report: string; period: string; version: number } } | null;
      return {
        id: job.id,
        report: job.data.report,
        period: job.data.period,
        state,
        stage: progress?.stage ?? null,
        progress: progress?.percent ?? 0,
        // The failure record ("CODE: 中文说明"): the code apart, the text as staff read it.
        ...(state === 'failed' ? failed(job.failedReason ?? '') : { error: null, errorCode: null }),
        snapshot: rv?.snapshot ? snapshotId(rv.snapshot) : null,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/reports/:id/snapshots',
    { preHandler: need('viewer'), schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: REPORT_ID } } } } },
    async (req) => {
      await report(req.params.id);
      const items = [];
      for (const s of (await archive.list(req.params.id)).reverse()) {
        const snap = await archive.read(s.report, s.period, s.version);
        const m = snap.manifest;
        items.push({ id: snapshotId(s), period: s.period, version: s.version, createdAt: m.createdAt, trigger: m.trigger, supersedes: m.supersedes, correction: m.trigger.note ?? null, sampleData: m.sampleData });
      }
      return { snapshots: items };
    },
  );

  /** A snapshot id names one snapshot of the store (its parts are checked by the id's pattern) and nothing else. */
  const snapshotFor = async (id: string): Promise<SnapshotRef> => {
    const key = parseSnapshotId(id);
    if (!key) throw new HttpError(400, 'BAD_REQUEST', { snapshot: id });
    const snap = await archive.read(key.report, key.period, key.version).catch(() => undefined);
    if (!snap) throw new HttpError(404, 'NOT_FOUND', { kind: 'snapshot', id });
    return snap;
  };

  app.get<{ Params: { id: string } }>('/api/snapshots/:id/pdf', { preHandler: need('viewer') }, async (req, reply) => {
    const snap = await snapshotFor(req.params.id);
    const model = JSON.parse((await archive.readFile(snap, MODEL_NAME)).toString('utf8')) as { briefing: { title: string } };
    const name = `${model.briefing.title}.pdf`;
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${req.params.id}.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .send(await archive.openFile(snap, PDF_NAME));
  });

  registerReturnsRoutes(app, { settings: deps.settings, need, report });

  app.get<{ Params: { id: string } }>('/api/snapshots/:id/manifest', { preHandler: need('viewer') }, async (req) => (await snapshotFor(req.params.id)).manifest);
  await app.register((await import('./approvals.ts')).approvalsApi, { ...deps, need, snapshot: snapshotFor });
  await app.register((await import('./figures.ts')).figuresApi, { ...deps, need, report, snapshot: snapshotFor });

  return app;
}

export type { FastifyReply };
