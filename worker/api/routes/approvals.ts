import type { FastifyInstance } from 'fastify';
import type { DeliveryOutcome } from '../../pipeline/run.ts';
import { approveSnapshot, rejectSnapshot, reviewState, type ReviewState } from '../../pipeline/review.ts';
import { checkNote } from '../../pipeline/request-checks.ts';
import { queueDeliveries } from '../../queue/delivery-processor.ts';
import { HttpError } from '../http-error.ts';
import { AUTH_ERRORS, bearer, errors, open, reviewView, snapshotParams } from '../schemas.ts';

const approvalRecord = open({ decision: { type: 'string', enum: ['approved', 'rejected'] }, by: { type: 'string' }, role: { type: 'string' }, at: { type: 'string' }, comment: { type: 'string' } });
const recipients = { type: 'array', items: { type: 'object', properties: { address: { type: 'string' }, kind: { type: 'string' }, state: { type: 'string' } } } } as const;
const decisionErrors = errors(400, ...AUTH_ERRORS, 404, 409);

/** Review over the API (审核、签发): approve or reject a draft, read where it stands. */
export async function approvalsRoutes(app: FastifyInstance): Promise<void> {
  const deliver = queueDeliveries(app.settings, app.deliveries);

  app.get<{ Params: { id: string } }>(
    '/api/snapshots/:id/review',
    {
      preHandler: app.need('viewer'),
      schema: {
        summary: 'Where a snapshot stands in review: its state, reviewers, decisions',
        security: bearer,
        params: snapshotParams,
        response: {
          200: {
            type: 'object',
            required: ['id', 'state', 'reviewers', 'approveWithinHours', 'approvals'],
            properties: { id: { type: 'string' }, ...reviewView.properties, reviewers: { type: 'array', items: { type: 'string' } }, approveWithinHours: { type: ['number', 'null'] }, approvals: { type: 'array', items: approvalRecord } },
          },
          ...errors(400, ...AUTH_ERRORS, 404),
        },
      },
    }, async (req) => {
    const ref = await app.snapshot(req.params.id);
    const { state, approvals } = await reviewState(app.archive, ref);
    return { id: req.params.id, ...reviewOf(state), reviewers: ref.manifest.review?.reviewers ?? [], approveWithinHours: ref.manifest.review?.approveWithinHours ?? null, approvals };
  });

  app.post<{ Params: { id: string }; Body: { comment?: string } | undefined }>(
    '/api/snapshots/:id/approval',
    {
      preHandler: app.need('approver'),
      schema: {
        summary: 'Approve (签发) a draft: its recipients get the archived PDF once (approver)',
        security: bearer,
        params: snapshotParams,
        body: { type: ['object', 'null'], additionalProperties: false, properties: { comment: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            required: ['id', 'state', 'alreadyApproved', 'approval', 'delivery'],
            properties: {
              id: { type: 'string' },
              state: { type: 'string', enum: ['approved'] },
              alreadyApproved: { type: 'boolean' },
              approval: approvalRecord,
              delivery: { type: 'object', required: ['queued', 'recipients'], properties: { queued: { type: 'integer' }, recipients } },
            },
          },
          ...decisionErrors,
        },
      },
    },
    async (req) => {
      const comment = req.body?.comment;
      note(comment, 'comment');
      const ref = await app.snapshot(req.params.id);
      const token = req.token!;
      const r = await approveSnapshot(app.settings, ref, { by: token.name, role: token.role, ...(comment ? { comment } : {}) }, deliver);
      req.log.info({ audit: 'approval', tokenName: token.name, role: token.role, snapshot: req.params.id, already: r.kind === 'already-approved' }, 'snapshot approved');
      return { id: req.params.id, state: 'approved', alreadyApproved: r.kind === 'already-approved', approval: r.record, delivery: summary(r.delivery) };
    },
  );

  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/api/snapshots/:id/rejection',
    {
      preHandler: app.need('approver'),
      schema: {
        summary: 'Reject a draft, with the reason (approver)',
        security: bearer,
        params: snapshotParams,
        body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1 } } },
        response: {
          200: {
            type: 'object',
            required: ['id', 'state', 'alreadyRejected', 'rejection'],
            properties: { id: { type: 'string' }, state: { type: 'string', enum: ['rejected'] }, alreadyRejected: { type: 'boolean' }, rejection: approvalRecord },
          },
          ...decisionErrors,
        },
      },
    },
    async (req) => {
      note(req.body.reason, 'reason');
      if (!req.body.reason.trim()) throw new HttpError(400, 'BAD_REQUEST', { field: 'reason', detail: 'reason must not be empty' });
      const ref = await app.snapshot(req.params.id);
      const token = req.token!;
      const r = await rejectSnapshot(ref, { by: token.name, role: token.role, comment: req.body.reason }, app.settings.clock);
      req.log.info({ audit: 'rejection', tokenName: token.name, role: token.role, snapshot: req.params.id, already: r.kind === 'already-rejected' }, 'snapshot rejected');
      return { id: req.params.id, state: 'rejected', alreadyRejected: r.kind === 'already-rejected', rejection: r.record };
    },
  );
}

function note(text: string | undefined, field: string): void {
  checkNote(text, field); // NOTE_TOO_LONG, answered 400 by the server's error handler
}

/** A review state as the API shows it. */
export function reviewOf(s: ReviewState): { state: ReviewState['kind']; supersededBy?: number } {
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

