import path from 'node:path';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobDefinition } from '../../config/job-definition.ts';
import { catalogIssue, InputError, type InputIssue } from '../../domain/issues.ts';
import { parsePeriod, periodId, PeriodError, type Period } from '../../domain/period.ts';
import { prepareBriefing, type Prepared } from '../../pipeline/prepare.ts';
import type { Settings } from '../../config/settings.ts';
import type { RenderPool } from '../../render/render-pool.ts';
import { checkNote } from '../../pipeline/request-checks.ts';
import { reviewState } from '../../pipeline/review.ts';
import { JOB_NAME, JOB_OPTIONS, rerunJobId, type BriefingJobData } from '../../queue/briefing-job.ts';
import { uploadsFolder } from '../../sources/index.ts';
import { HttpError } from '../http-error.ts';
import { AUTH_ERRORS, bearer, errors, fileAnswer, open, reportParams, snapshotParams } from '../schemas.ts';

/** An uploaded figure file may be this large; a real return is a few hundred KB at most. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;


/**
 * The multipart form, for the OpenAPI document: the body is read by readForm (multipart parts, not
 * a parsed body), so the schema sees null and only documents the fields.
 */
function uploadForm(fileRequired: boolean) {
  return {
    content: {
      'multipart/form-data': {
        schema: {
          type: ['object', 'null'],
          required: fileRequired ? ['period', 'file'] : ['period'],
          properties: { period: { type: 'string', description: '2023Q3, 2023-09, 2023年1-9月 …' }, note: { type: 'string' }, file: { type: 'string', format: 'binary', description: `.csv or .xlsx, at most ${MAX_UPLOAD_BYTES} bytes` } },
        },
      },
    },
  };
}

/**
 * A client's file name made safe to be part of a path: its last segment only, letters, digits,
 * CJK, `.-_` kept, everything else `_`; never empty, never hidden, with its (lower-case) extension.
 */
export function safeUploadName(name: string): { name: string; ext: string } {
  const base = name.split(/[\\/]/).at(-1) ?? '';
  const ext = path.extname(base).toLowerCase();
  const stem = base
    .slice(0, base.length - ext.length)
    .replace(/[^A-Za-z0-9\u4e00-\u9fff._-]/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 80);
  return { name: `${stem || 'figures'}${ext.replace(/[^a-z0-9.]/g, '')}`, ext };
}

/** The newest state of each recipient's message, from the snapshot's delivery log. */
export function deliveryStatus(log: readonly Record<string, unknown>[]) {
  const by = new Map<string, { address: string; kind: unknown; purpose: 'briefing' | 'review'; status: string; at: unknown; via: unknown; reason?: unknown }>();
  for (const r of log) {
    const purpose = r['purpose'] === 'review' ? 'review' : 'briefing';
    const address = String(r['address'] ?? '');
    const key = `${purpose}\0${address.toLowerCase()}`;
    const had = by.get(key);
    // A sent record stands: a later intent for the same content is a resend that is skipped.
    if (had?.status === 'sent') continue;
    by.set(key, { address, kind: r['kind'], purpose, status: String(r['status'] ?? 'intent'), at: r['at'], via: r['via'], ...(r['reason'] ? { reason: r['reason'] } : {}) });
  }
  return [...by.values()];
}

/**
 * Staff correct figures from the page: upload a file for a period (checked exactly like
 * `jibao check --figures`, stored only when it passes, then a run starts), and read a snapshot's
 * delivery log. Multipart parsing is registered here only, so no other route takes files.
 */
export async function figuresRoutes(app: FastifyInstance): Promise<void> {
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 4, fieldSize: 4096, parts: 6, headerPairs: 50 } });

  app.post<{ Params: { id: string } }>(
    '/api/reports/:id/figures',
    {
      preHandler: app.need('staff'),
      schema: {
        summary: "Upload a period's figure file (csv/xlsx): checked like `jibao check --figures`, stored only when it passes, then a run starts (staff)",
        security: bearer,
        params: reportParams,
        body: uploadForm(true),
        response: {
          202: { type: 'object', required: ['runId', 'status', 'stored', 'warnings'], properties: { runId: { type: 'string' }, status: { type: 'string' }, stored: { type: 'string' }, warnings: { type: 'integer' } } },
          ...errors(400, ...AUTH_ERRORS, 404, 413, 422),
        },
      },
    },
    async (req, reply) => {
      const job = await app.reportJob(req.params.id);
      const { period, note, file } = await readForm(req, job);
      if (!file) throw new HttpError(400, 'BAD_REQUEST', { field: 'file' });
      await withChecked(app.settings, job, period, note, file, async (checked) => {
        if (job.source.type !== 'files') return; // refused by readForm
        // Passed: kept as the period's newest figures beside earlier uploads, never over one.
        const dir = await uploadsFolder(job.source.path, period);
        await mkdir(dir, { recursive: true });
        const stamp = app.settings.clock().toISOString().replace(/[-:]/g, '').replace('.', '');
        const stored = path.join(dir, `${stamp}_${randomUUID().slice(0, 8)}_${file.name}`);
        await writeFile(stored, file.data, { flag: 'wx' });
        const token = req.token!;
        const data: BriefingJobData = {
          report: job.id,
          period: periodId(period),
          trigger: { kind: 'api', by: token.name, ...(note ? { note } : {}) },
          ...(note ? { note } : {}),
          send: true,
        };
        const run = await app.briefings.add(JOB_NAME, data, { ...JOB_OPTIONS, jobId: rerunJobId(job.id, periodId(period), app.settings.clock(), randomUUID().slice(0, 8)) });
        req.log.info({ audit: 'figures-upload', tokenName: token.name, role: token.role, report: job.id, period: periodId(period), file: path.basename(stored), bytes: file.data.length, note, jobId: run.id }, 'figures uploaded');
        return reply.code(202).send({ runId: run.id, status: `/api/runs/${run.id}`, stored: path.basename(stored), warnings: checked.warnings.length });
      });
      return reply;
    },
  );

  // A preview renders in a thread of its own (the render budget), started on the first one.
  let thread: RenderPool | undefined;
  app.addHook('onClose', async () => thread?.close());

  app.post<{ Params: { id: string } }>(
    '/api/reports/:id/preview',
    {
      preHandler: app.need('staff'),
      schema: {
        summary: "A preview PDF of a period, with an uploaded file or the figures in place; never archived (staff)",
        security: bearer,
        params: reportParams,
        body: uploadForm(false),
        response: { 200: fileAnswer('application/pdf', 'The preview, shown inline'), ...errors(400, ...AUTH_ERRORS, 404, 413, 422) },
      },
    },
    async (req, reply) => {
      const job = await app.reportJob(req.params.id);
      const { period, note, file } = await readForm(req, job);
      const render = async (p: Prepared) => {
        // piscina loads only when a preview is asked for.
        thread ??= (await import('../../render/render-pool.ts')).startRenderThread({ timeoutMs: app.settings.renderTimeoutMs, maxMb: app.settings.renderMaxMb }, app.settings.fontsDir);
        const r = await thread.render({ templatesDir: app.settings.templatesDir, fontsDir: app.settings.fontsDir, template: p.job.template, model: p.model, creationDate: p.issuedAt });
        req.log.info({ audit: 'preview', tokenName: req.token!.name, report: job.id, period: periodId(period), withFile: file !== undefined }, 'preview rendered');
        // Shown in the page (inline), never archived: nothing here touches the archive.
        return reply.type('application/pdf').header('content-disposition', `inline; filename="${job.id}_${periodId(period)}_preview.pdf"`).send(Buffer.from(r.pdf));
      };
      if (file) {
        await withChecked(app.settings, job, period, note, file, render);
        return reply;
      }
      const ready = await prepareBriefing({ reportId: job.id, period, ...(note ? { note } : {}) }, app.settings).catch((e: unknown) => {
        throw e instanceof InputError ? Object.assign(e, { statusCode: 422 }) : e;
      });
      if (ready.kind === 'not-ready') throw Object.assign(new InputError([catalogIssue('error', 'FIGURES_NOT_READY', {}, { file: job.source.type === 'files' ? path.basename(job.source.path) : job.id })]), { statusCode: 422 });
      return render(ready.prepared);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/snapshots/:id/deliveries',
    {
      preHandler: app.need('viewer'),
      schema: {
        summary: "A snapshot's review state and the newest delivery state of each recipient",
        security: bearer,
        params: snapshotParams,
        response: {
          200: {
            type: 'object',
            required: ['id', 'review', 'recipients'],
            properties: {
              id: { type: 'string' },
              review: { type: 'string' },
              recipients: {
                type: 'array',
                items: open({ address: { type: 'string' }, kind: { type: 'string' }, purpose: { type: 'string', enum: ['briefing', 'review'] }, status: { type: 'string' }, at: { type: 'string' }, via: { type: 'string' }, reason: { type: 'string' } }),
              },
            },
          },
          ...errors(400, ...AUTH_ERRORS, 404),
        },
      },
    },
    async (req) => {
      const ref = await app.snapshot(req.params.id);
      const { state } = await reviewState(app.archive, ref);
      return { id: req.params.id, review: state.kind, recipients: deliveryStatus(await app.archive.readDeliveries(ref)) };
    },
  );
}

/** The issue with every mention of the temp file replaced by the name staff gave it. */
function renamed(i: InputIssue, from: string, to: string): InputIssue {
  return JSON.parse(JSON.stringify(i).split(JSON.stringify(from).slice(1, -1)).join(JSON.stringify(to).slice(1, -1))) as InputIssue;
}

interface UploadedFile {
  readonly name: string;
  readonly ext: string;
  readonly data: Buffer;
}

/** The multipart form of an upload or preview: `period`, optional `note`, at most one `file`. */
async function readForm(req: FastifyRequest, job: JobDefinition): Promise<{ period: Period; note?: string; file?: UploadedFile }> {
  if (!req.isMultipart()) throw new HttpError(400, 'BAD_REQUEST', { field: 'file' });
  const fields: Record<string, string> = {};
  let file: UploadedFile | undefined;
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file' || file) throw new HttpError(400, 'BAD_REQUEST', { field: part.fieldname });
      const data = await part.toBuffer().catch((e: { code?: string }) => {
        if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw Object.assign(new InputError([catalogIssue('error', 'TABLE_TOO_LARGE', { size: `>${MAX_UPLOAD_BYTES}`, max: MAX_UPLOAD_BYTES }, { file: safeUploadName(part.filename).name })]), { statusCode: 413 });
        throw e;
      });
      file = { ...safeUploadName(part.filename), data };
    } else if (['period', 'note'].includes(part.fieldname) && typeof part.value === 'string') fields[part.fieldname] = part.value;
    else throw new HttpError(400, 'BAD_REQUEST', { field: part.fieldname });
  }
  if (!fields['period']) throw new HttpError(400, 'BAD_REQUEST', { field: 'period' });
  let period: Period;
  try {
    period = parsePeriod(fields['period']);
  } catch (e) {
    throw new HttpError(400, 'PERIOD_INVALID', { text: fields['period'], ...(e instanceof PeriodError ? { detail: e.message } : {}) });
  }
  const note = fields['note']?.trim() || undefined;
  checkNote(note, 'note');
  if (job.source.type !== 'files') throw new HttpError(400, 'BAD_REQUEST', { field: 'source' });
  if (file && file.ext !== '.csv' && file.ext !== '.xlsx') {
    throw Object.assign(new InputError([catalogIssue('error', 'TABLE_UNSUPPORTED', { ext: file.ext }, { file: file.name })]), { statusCode: 422 });
  }
  return { period, ...(note ? { note } : {}), ...(file ? { file } : {}) };
}

/**
 * Checks the file exactly as `jibao check --figures` does (the pipeline's prepare step), in a
 * private temp folder removed whatever the outcome; `use` runs only when it passes. A bad file
 * is a 422 listing every issue, named by the file as staff chose it, never by the temp path.
 */
async function withChecked<T>(settings: Settings, job: JobDefinition, period: Period, note: string | undefined, file: UploadedFile, use: (p: Prepared) => Promise<T>): Promise<T> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'jibao-upload-'));
  try {
    const candidate = path.join(tmp, file.name);
    await writeFile(candidate, file.data, { flag: 'wx' });
    const checked = await prepareBriefing({ reportId: job.id, period, figuresFile: candidate, ...(note ? { note } : {}) }, settings).catch((e: unknown) => {
      if (e instanceof InputError) throw Object.assign(e, { issues: e.issues.map((i) => renamed(i, candidate, file.name)), statusCode: 422 });
      throw e;
    });
    if (checked.kind === 'not-ready') throw Object.assign(new InputError([catalogIssue('error', 'FIGURES_NOT_READY', {}, { file: file.name })]), { statusCode: 422 });
    return await use(checked.prepared);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
