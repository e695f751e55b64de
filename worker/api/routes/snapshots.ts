import type { FastifyInstance } from 'fastify';
import { MODEL_NAME, PDF_NAME, snapshotId } from '../../archive/index.ts';
import { reviewState } from '../../pipeline/review.ts';
import { reviewOf } from './approvals.ts';
import { AUTH_ERRORS, bearer, errors, fileAnswer, open, reportParams, reviewView, snapshotParams } from '../schemas.ts';

const snapshotItem = {
  type: 'object',
  required: ['id', 'period', 'version', 'createdAt', 'trigger', 'supersedes', 'correction', 'sampleData', 'review'],
  properties: {
    id: { type: 'string' },
    period: { type: 'string' },
    version: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    trigger: open({ kind: { type: 'string', enum: ['schedule', 'cli', 'api'] }, by: { type: 'string' }, note: { type: 'string' } }),
    supersedes: { type: ['integer', 'null'] },
    correction: { type: ['string', 'null'] },
    sampleData: { type: 'boolean' },
    review: reviewView,
  },
} as const;

/** A report's snapshots, newest first, and each one's PDF and manifest. */
export async function snapshotsRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/api/reports/:id/snapshots',
    {
      preHandler: app.need('viewer'),
      schema: {
        summary: "A report's snapshots, newest first, with each one's review state",
        security: bearer,
        params: reportParams,
        response: { 200: { type: 'object', required: ['snapshots'], properties: { snapshots: { type: 'array', items: snapshotItem } } }, ...errors(400, ...AUTH_ERRORS, 404) },
      },
    },
    async (req) => {
      await app.reportJob(req.params.id);
      const items = [];
      for (const s of (await app.archive.list(req.params.id)).reverse()) {
        const snap = await app.archive.read(s.report, s.period, s.version);
        const m = snap.manifest;
        const review = reviewOf((await reviewState(app.archive, snap)).state);
        items.push({ id: snapshotId(s), period: s.period, version: s.version, createdAt: m.createdAt, trigger: m.trigger, supersedes: m.supersedes, correction: m.trigger.note ?? null, sampleData: m.sampleData, review });
      }
      return { snapshots: items };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/snapshots/:id/pdf',
    {
      preHandler: app.need('viewer'),
      schema: { summary: "A snapshot's archived PDF (a download named by the briefing's title)", security: bearer, params: snapshotParams, response: { 200: fileAnswer('application/pdf', 'The archived PDF'), ...errors(400, ...AUTH_ERRORS, 404) } },
    },
    async (req, reply) => {
      const snap = await app.snapshot(req.params.id);
      const model = JSON.parse((await app.archive.readFile(snap, MODEL_NAME)).toString('utf8')) as { briefing: { title: string } };
      const name = `${model.briefing.title}.pdf`;
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${req.params.id}.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`)
        .send(await app.archive.openFile(snap, PDF_NAME));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/snapshots/:id/manifest',
    {
      preHandler: app.need('viewer'),
      schema: { summary: "A snapshot's manifest.json: what it was made from, files and their SHA-256", security: bearer, params: snapshotParams, response: { 200: open({ version: { type: 'integer' } }, 'manifest.json as archived'), ...errors(400, ...AUTH_ERRORS, 404) } },
    },
    async (req) => (await app.snapshot(req.params.id)).manifest,
  );
}
