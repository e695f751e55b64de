import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { FsArchive, PDF_NAME } from '../archive/fs-archive.ts';
import { listReportIds, loadJobDefinition } from '../config/job-definition.ts';
import { loadTargets } from '../config/targets-file.ts';
import { InputError } from '../domain/issues.ts';
import { parsePeriod, periodId, PeriodError } from '../domain/period.ts';
import { nextFires, periodForFire } from '../domain/schedule.ts';
import type { Logger } from '../log.ts';
import type { Settings } from '../pipeline/settings.ts';
import { JOB_NAME, JOB_OPTIONS, rerunJobId, type BriefingJobData, type BriefingProgress } from '../queue/briefing-job.ts';
import { allows, authenticate, type ApiRole, type ApiToken } from './auth.ts';
import { createMetrics } from './metrics.ts';

export interface ApiDeps {
  readonly settings: Settings;
  readonly briefings: Queue;
  readonly deliveries: Queue;
  readonly redis: Redis;
  readonly tokens: readonly ApiToken[];
  readonly log: Logger;
  /** Reruns a token may start per minute. */
  readonly rerunsPerMinute?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    token?: ApiToken;
  }
}

const REPORT_ID = '^[a-z0-9][a-z0-9-]{0,63}$';
const SNAPSHOT_ID = /^([a-z0-9][a-z0-9-]{0,63})_(\d{4}(?:Q[1-4]|-\d{2}))_v(\d{1,6})$/;

class HttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

/** The HTTP API and the staff page. Every request validated; errors are JSON with a reason, never a stack. */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  // Unknown fields are refused, not silently dropped: a typo in a request must not change its meaning.
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, ajv: { customOptions: { removeAdditional: false, coerceTypes: false } } });
  const archive = new FsArchive(deps.settings.archiveDir);
  const metrics = createMetrics(deps.briefings, deps.deliveries);

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = err instanceof HttpError ? err.statusCode : err.validation ? 400 : err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) deps.log.error({ err: err.message, url: req.url }, 'api error');
    void reply.code(status).send({ error: status >= 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((_req, reply) => void reply.code(404).send({ error: 'no such endpoint' }));

  const need = (role: ApiRole) => async (req: FastifyRequest) => {
    const token = authenticate(deps.tokens, req.headers.authorization);
    if (!token) throw new HttpError(401, 'a valid bearer token is required (Authorization: Bearer …)');
    if (!allows(token, role)) throw new HttpError(403, `this needs the ${role} role; the token has ${token.role}`);
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

  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(await readFile(new URL('./staff-page.html', import.meta.url), 'utf8')));
  app.get('/healthz', async (_req, reply) => {
    const redis = await deps.redis.ping().then(() => 'up' as const, () => 'down' as const);
    return reply.code(redis === 'up' ? 200 : 503).send({ ok: redis === 'up', redis });
  });
  app.get('/metrics', { preHandler: need('viewer') }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.render()));

  const report = async (id: string) => {
    try {
      return await loadJobDefinition(deps.settings.jobsDir, id);
    } catch (e) {
      if (e instanceof InputError && e.issues.some((i) => i.message.startsWith('no such report'))) throw new HttpError(404, `no report "${id}"`);
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
      const next = nextFires(def.schedule.cron, def.schedule.timezone, now, 13).find((d) => periodForFire(d, def.schedule.timezone, def.schedule.period).year === year);
      const all = await archive.list(id);
      const latest = all.at(-1);
      out.push({
        id,
        title: def.title,
        year,
        schedule: { cron: def.schedule.cron, timezone: def.schedule.timezone },
        nextRun: next ? { at: next.toISOString(), period: periodId(periodForFire(next, def.schedule.timezone, def.schedule.period)) } : null,
        latestSnapshot: latest ? `${latest.report}_${latest.period}_v${latest.version}` : null,
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
            note: { type: 'string', maxLength: 500 },
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
        throw new HttpError(400, e instanceof PeriodError ? e.message : 'bad period');
      }
      const send = req.body.send ?? 'all';
      if (send === 'me' && !req.body.email) throw new HttpError(400, 'send "me" needs your email');
      const token = req.token!;
      if (!(await withinRate(token))) throw new HttpError(429, `too many reruns from this token; at most ${deps.rerunsPerMinute ?? 10} a minute`);
      const data: BriefingJobData = {
        report: def.id,
        period: periodId(period),
        trigger: { kind: 'api', by: token.name, ...(req.body.note ? { note: req.body.note } : {}) },
        ...(req.body.note ? { note: req.body.note } : {}),
        send: send !== 'none',
        ...(send === 'me' ? { recipients: { to: [req.body.email!], cc: [], bcc: [] } } : {}),
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
      const job = await deps.briefings.getJob(req.params.id);
      if (!job) throw new HttpError(404, `no run "${req.params.id}"`);
      const state = await job.getState();
      const progress = (typeof job.progress === 'object' ? job.progress : null) as BriefingProgress | null;
      const rv = job.returnvalue as { snapshot?: { report: string; period: string; version: number } } | null;
      return {
        id: job.id,
        report: job.data.report,
        period: job.data.period,
        state,
        stage: progress?.stage ?? null,
        progress: progress?.percent ?? 0,
        error: state === 'failed' ? job.failedReason : null,
        snapshot: rv?.snapshot ? `${rv.snapshot.report}_${rv.snapshot.period}_v${rv.snapshot.version}` : null,
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
        items.push({ id: `${s.report}_${s.period}_v${s.version}`, period: s.period, version: s.version, createdAt: m.createdAt, trigger: m.trigger, supersedes: m.supersedes, correction: m.trigger.note ?? null, sampleData: m.sampleData });
      }
      return { snapshots: items };
    },
  );

  /** A snapshot id maps to a folder under the archive root and nowhere else. */
  const snapshotFor = async (id: string) => {
    const m = SNAPSHOT_ID.exec(id);
    if (!m) throw new HttpError(400, `"${id}" is not a snapshot id; expected e.g. yuquan-2023_2023Q3_v1`);
    const snap = await archive.read(m[1]!, m[2]!, Number(m[3])).catch(() => undefined);
    if (!snap || !path.resolve(snap.dir).startsWith(path.resolve(deps.settings.archiveDir) + path.sep)) throw new HttpError(404, `no snapshot "${id}"`);
    return snap;
  };

  app.get<{ Params: { id: string } }>('/api/snapshots/:id/pdf', { preHandler: need('viewer') }, async (req, reply) => {
    const snap = await snapshotFor(req.params.id);
    const model = JSON.parse(await readFile(path.join(snap.dir, 'data/model.json'), 'utf8')) as { briefing: { title: string } };
    const name = `${model.briefing.title}.pdf`;
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${req.params.id}.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .send(createReadStream(path.join(snap.dir, PDF_NAME)));
  });

  app.get<{ Params: { id: string } }>('/api/snapshots/:id/manifest', { preHandler: need('viewer') }, async (req) => (await snapshotFor(req.params.id)).manifest);

  return app;
}

export type { FastifyReply };
