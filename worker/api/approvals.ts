import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createSnapshotStore } from '../archive/index.ts';
import type { DeliveryOutcome } from '../pipeline/run.ts';
import { approveSnapshot, rejectSnapshot, reviewState, type ReviewState } from '../pipeline/review.ts';
import { checkNote } from '../pipeline/request-checks.ts';
import { queueDeliveries } from '../queue/delivery-processor.ts';
import { authenticate, isExpired, mayAccessReport } from './auth.ts';
import { HttpError, type RouteDeps } from './server.ts';
import { parseSnapshotId } from '../archive/snapshot-id.ts';



const snapshotParams = { type: 'object', properties: { id: { type: 'string', maxLength: 120 } }, required: ['id'] } as const;

/**
 * Review over the API (审核、签发): approve or reject a draft, read where it stands; and, for
 * every report-scoped route of the API, the token's `reports=` limit. Registered without
 * encapsulation (skip-override), so its hooks cover the routes server.ts declares too.
 */
async function approvalsPlugin(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const archive = createSnapshotStore(deps.settings);
  const deliver = queueDeliveries(deps.settings, deps.deliveries);
  // The role check is the server's own (throttled failed logins, expiry, role), passed in.
  const need = deps.need;

  /** The report a request is about, if its route is report-scoped. */
  const reportOf = async (req: FastifyRequest): Promise<string | undefined> => {
    const url = req.routeOptions.url ?? '';
    const id = (req.params as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') return undefined;
    if (url.startsWith('/api/reports/:id')) return id;
    if (url.startsWith('/api/snapshots/:id')) return parseSnapshotId(id)?.report;
    if (url.startsWith('/api/runs/:id')) {
      const job = /^[A-Za-z0-9_-]{1,200}$/.test(id) ? await deps.briefings.getJob(id) : undefined;
      return typeof job?.data?.report === 'string' ? job.data.report : undefined;
    }
    return undefined;
  };

  // Runs before each route's own role check: a token limited to other reports gets 403 here.
  app.addHook('preHandler', async (req) => {
    const token = authenticate(deps.tokens, req.headers.authorization);
    if (!token?.reports || isExpired(token, deps.settings.clock())) return; // the route's own check answers
    const report = await reportOf(req);
    if (report !== undefined && !mayAccessReport(token, report)) {
      deps.log.warn({ audit: 'report-out-of-scope', tokenName: token.name, report, url: req.url.split('?')[0] }, 'token used outside its reports');
      throw new HttpError(403, 'REPORT_OUT_OF_SCOPE', { reports: token.reports.join('、') });
    }
  });

  // Lists: a limited token sees only its reports; snapshot lists carry each one's review state.
  app.addHook('preSerialization', async (req: FastifyRequest, _reply, payload: unknown) => {
    const url = req.routeOptions.url;
    if (req.method !== 'GET' || !payload || typeof payload !== 'object') return payload;
    const token = req.token;
    if (url === '/api/reports' && token?.reports && Array.isArray((payload as { reports?: unknown }).reports)) {
      const p = payload as { reports: { id: string }[] };
      return { ...p, reports: p.reports.filter((r) => mayAccessReport(token, r.id)) };
    }
    if (url === '/api/reports/:id/snapshots' && Array.isArray((payload as { snapshots?: unknown }).snapshots)) {
      const p = payload as { snapshots: { id: string }[] };
      const snapshots = [];
      for (const s of p.snapshots) {
        const ref = await snapshotFor(s.id).catch(() => undefined);
        snapshots.push(ref ? { ...s, review: view((await reviewState(archive, ref)).state) } : s);
      }
      return { ...p, snapshots };
    }
    return payload;
  });

  const snapshotFor = deps.snapshot;

  app.get<{ Params: { id: string } }>('/api/snapshots/:id/review', { preHandler: need('viewer'), schema: { params: snapshotParams } }, async (req) => {
    const ref = await snapshotFor(req.params.id);
    const { state, approvals } = await reviewState(archive, ref);
    return { id: req.params.id, ...view(state), reviewers: ref.manifest.review?.reviewers ?? [], approveWithinHours: ref.manifest.review?.approveWithinHours ?? null, approvals };
  });

  app.post<{ Params: { id: string }; Body: { comment?: string } | undefined }>(
    '/api/snapshots/:id/approval',
    {
      preHandler: need('approver'),
      schema: { params: snapshotParams, body: { type: ['object', 'null'], additionalProperties: false, properties: { comment: { type: 'string' } } } },
    },
    async (req) => {
      const comment = req.body?.comment;
      note(comment, 'comment');
      const ref = await snapshotFor(req.params.id);
      const token = req.token!;
      const r = await approveSnapshot(deps.settings, ref, { by: token.name, role: token.role, ...(comment ? { comment } : {}) }, deliver);
      deps.log.info({ audit: 'approval', tokenName: token.name, role: token.role, snapshot: req.params.id, already: r.kind === 'already-approved' }, 'snapshot approved');
      return { id: req.params.id, state: 'approved', alreadyApproved: r.kind === 'already-approved', approval: r.record, delivery: summary(r.delivery) };
    },
  );

  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/api/snapshots/:id/rejection',
    {
      preHandler: need('approver'),
      schema: { params: snapshotParams, body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1 } } } },
    },
    async (req) => {
      note(req.body.reason, 'reason');
      if (!req.body.reason.trim()) throw new HttpError(400, 'BAD_REQUEST', { field: 'reason', detail: 'reason must not be empty' });
      const ref = await snapshotFor(req.params.id);
      const token = req.token!;
      const r = await rejectSnapshot(ref, { by: token.name, role: token.role, comment: req.body.reason }, deps.settings.clock);
      deps.log.info({ audit: 'rejection', tokenName: token.name, role: token.role, snapshot: req.params.id, already: r.kind === 'already-rejected' }, 'snapshot rejected');
      return { id: req.params.id, state: 'rejected', alreadyRejected: r.kind === 'already-rejected', rejection: r.record };
    },
  );
}

// Without encapsulation: the hooks above apply to every route of the API (what fastify-plugin does).
(approvalsPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
export const approvalsApi = approvalsPlugin;

function note(text: string | undefined, field: string): void {
  checkNote(text, field); // NOTE_TOO_LONG, answered 400 by the server's error handler
}

function view(s: ReviewState): { state: ReviewState['kind']; supersededBy?: number } {
  return s.kind === 'superseded' ? { state: s.kind, supersededBy: s.by } : { state: s.kind };
}

/** What became of each recipient: queued now, already sent (a second approval), pending. */
function summary(d: DeliveryOutcome | null) {
  if (!d) return { queued: 0, recipients: [] };
  if (d.kind === 'queued') return { queued: d.jobs, recipients: d.recipients.map((r) => ({ address: r.address, kind: r.kind, state: r.state })) };
  return {
    queued: 0,
    recipients: [
      ...d.sent.map((r) => ({ address: r.address, kind: r.kind, state: 'sent' as const })),
      ...d.alreadySent.map((r) => ({ address: r.address, kind: r.kind, state: 'already-sent' as const })),
      ...d.failed.map((f) => ({ address: f.target.address, kind: f.target.kind, state: 'not-sent' as const })),
    ],
  };
}

