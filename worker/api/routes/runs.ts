import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobDefinition } from '../../config/job-definition.ts';
import { loadTargets } from '../../config/targets-file.ts';
import { InputError } from '../../domain/issues.ts';
import { parsePeriod, periodId, PeriodError, type Period } from '../../domain/period.ts';
import { readFailure } from '../../errors/index.ts';
import { checkNote, checkPeriodInYear } from '../../pipeline/request-checks.ts';
import { snapshotId } from '../../archive/snapshot-id.ts';
import { JOB_NAME, JOB_OPTIONS, rerunJobId, type BriefingJobData, type BriefingProgress } from '../../queue/briefing-job.ts';
import { maySendTo } from '../auth.ts';
import { HttpError } from '../http-error.ts';
import { rerunLimit } from '../rerun-limit.ts';
import { AUTH_ERRORS, bearer, errors, reportParams, runParams } from '../schemas.ts';

interface RerunBody {
  period: string;
  note?: string;
  send?: 'all' | 'me' | 'none';
  email?: string;
}

/** A rerun request that passed every check, kept for its handler (only accepted reruns count against the limit). */
interface CheckedRerun {
  readonly def: JobDefinition;
  readonly period: Period;
  readonly send: 'all' | 'me' | 'none';
  readonly me?: string;
}

const rerunBody = {
  type: 'object',
  additionalProperties: false,
  required: ['period'],
  properties: {
    period: { type: 'string', maxLength: 20, description: '2023Q3, 2023-09, 2023年1-9月 …' },
    // Its length is checked in the handler, in characters, by the same rule as every other path.
    note: { type: 'string', description: 'A correction note, at most 500 characters' },
    send: { type: 'string', enum: ['all', 'me', 'none'] },
    email: { type: 'string', format: 'email', maxLength: 200 },
  },
} as const;

const runState = {
  type: 'object',
  required: ['id', 'report', 'period', 'state', 'stage', 'progress', 'error', 'errorCode', 'snapshot'],
  properties: {
    id: { type: 'string' },
    report: { type: 'string' },
    period: { type: 'string' },
    state: { type: 'string' },
    stage: { type: ['string', 'null'] },
    progress: { type: 'number' },
    error: { type: ['string', 'null'], description: 'Why it failed, in Chinese' },
    errorCode: { type: ['string', 'null'] },
    snapshot: { type: ['string', 'null'] },
  },
} as const;

/** Reruns (POST /api/reports/:id/runs, limited per token) and their state (GET /api/runs/:id). */
export async function runsRoutes(app: FastifyInstance): Promise<void> {
  const checked = new WeakMap<FastifyRequest, CheckedRerun>();

  /** Refuses a request before anything is queued (and before it counts against the limit). */
  const checkRerun = async (req: FastifyRequest<{ Params: { id: string }; Body: RerunBody }>) => {
    const def = await app.reportJob(req.params.id);
    let period;
    try {
      period = parsePeriod(req.body.period);
    } catch (e) {
      throw new HttpError(400, 'PERIOD_INVALID', { text: req.body.period, ...(e instanceof PeriodError ? { detail: e.message } : {}) });
    }
    // A period of another year, an over-long note.
    try {
      checkPeriodInYear(period, await loadTargets(def.targetsFile, def.id), def.targetsFile);
      checkNote(req.body.note, 'note');
    } catch (e) {
      // A refused request, not a broken server: 400 with the issue, whatever the code's default.
      if (e instanceof InputError) throw Object.assign(e, { statusCode: 400 });
      throw e;
    }
    const token = req.token!;
    const send = req.body.send ?? 'all';
    // "Only me" goes to the address bound to the token, or to one in an allow-listed domain; never elsewhere.
    const me = req.body.email ?? token.email;
    if (send === 'me' && !me) throw new HttpError(400, 'BAD_REQUEST', { field: 'email' });
    if (send === 'me' && !maySendTo(token, me!, app.sendMeDomains)) {
      req.log.warn({ audit: 'send-me-refused', tokenName: token.name, report: def.id }, 'send "me" to an address not bound to the token');
      throw new HttpError(403, 'SEND_ME_REFUSED', { bound: token.email ? 'yes' : undefined });
    }
    checked.set(req, { def, period, send, ...(me ? { me } : {}) });
  };

  app.post<{ Params: { id: string }; Body: RerunBody }>(
    '/api/reports/:id/runs',
    {
      preHandler: [app.need('staff'), checkRerun],
      config: { rateLimit: rerunLimit(app.rerunsPerMinute) },
      schema: {
        summary: 'Start a rerun of a report for a period (staff)',
        description: `At most the configured number of accepted reruns per token per minute; over it, 429 RATE_LIMITED with Retry-After.`,
        security: bearer,
        params: reportParams,
        body: rerunBody,
        response: {
          202: { type: 'object', required: ['runId', 'status'], properties: { runId: { type: 'string' }, status: { type: 'string', description: 'Where to follow the run' } } },
          ...errors(400, ...AUTH_ERRORS, 404, 413),
        },
      },
    },
    async (req, reply) => {
      const { def, period, send, me } = checked.get(req)!;
      const token = req.token!;
      const data: BriefingJobData = {
        report: def.id,
        period: periodId(period),
        trigger: { kind: 'api', by: token.name, ...(req.body.note ? { note: req.body.note } : {}) },
        ...(req.body.note ? { note: req.body.note } : {}),
        send: send !== 'none',
        ...(send === 'me' ? { recipients: { to: [me!], cc: [], bcc: [] } } : {}),
      };
      const job = await app.briefings.add(JOB_NAME, data, { ...JOB_OPTIONS, jobId: rerunJobId(def.id, periodId(period), app.settings.clock(), randomUUID().slice(0, 8)) });
      req.log.info({ audit: 'rerun', tokenName: token.name, role: token.role, report: def.id, period: periodId(period), send, note: req.body.note, jobId: job.id }, 'rerun requested');
      return reply.code(202).send({ runId: job.id, status: `/api/runs/${job.id}` });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/runs/:id',
    { preHandler: app.need('viewer'), schema: { summary: "A run's state, progress, failure reason and snapshot", security: bearer, params: runParams, response: { 200: runState, ...errors(400, ...AUTH_ERRORS, 404) } } },
    async (req) => {
      // The state first, then the job: a job read before it failed would show "failed" without its reason.
      const state = await app.briefings.getJobState(req.params.id);
      const job = await app.briefings.getJob(req.params.id);
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
}

/** A failed run's reason for the page: its code and Chinese text. */
function failed(reason: string) {
  const { code, text } = readFailure(reason);
  return { error: text, errorCode: code ?? 'INTERNAL' };
}
