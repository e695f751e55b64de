import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { createSnapshotStore } from '../archive/index.ts';
import { loadJobDefinition } from '../config/job-definition.ts';
import {
  AcceptanceNotRecordedError,
  composeBriefingMail,
  composeReviewMail,
  deliverOne,
  deliveryId,
  deliveryTargets,
  DeliveryError,
  fileRecorder,
  readDeliveryLog,
  recordAcceptance,
  snapshotDigest,
  type DeliveryRecord,
  type DeliveryRecorder,
  type RecipientOutcome,
} from '../delivery/deliver.ts';
import { createMailer } from '../delivery/transport.ts';
import type { Logger } from '../log.ts';
import { LockLostError, mailSettings, type Deliver } from '../pipeline/run.ts';
import type { Settings } from '../config/settings.ts';
import { DELIVERY_JOB_NAME, DELIVERY_JOB_OPTIONS, deliveryJobSchema, type DeliveryJobData } from './delivery-job.ts';

/**
 * The queued worker's delivery: one job per recipient, the delivery id (snapshot content ×
 * address) as job id. Says for each recipient what happened: queued now, already sent (with the
 * log's acceptance as evidence), pending in an earlier job, or not sent (and why).
 */
export function queueDeliveries(settings: Settings, queue: Queue): Deliver {
  return async (snapshot, job, recipients, note, purpose = 'briefing') => {
    // Composing once here surfaces a broken email template as the briefing job's failure.
    await (purpose === 'review' ? composeReviewMail : composeBriefingMail)(settings, snapshot, mailSettings(settings, job), recipients, note);
    const contentDigest = await snapshotDigest(snapshot);
    const log = await readDeliveryLog(snapshot);
    const outcomes: RecipientOutcome[] = [];
    const add: Parameters<Queue['addBulk']>[0] = [];
    for (const t of deliveryTargets(recipients)) {
      const id = deliveryId(snapshot, contentDigest, t.address, purpose);
      const evidence = log.find((r) => r.deliveryId === id && r.status === 'sent');
      if (evidence) {
        outcomes.push({ ...t, deliveryId: id, state: 'already-sent', evidence: { messageId: evidence.messageId, at: evidence.at, via: evidence.via } });
        continue;
      }
      const existing = await queue.getJob(id);
      if (existing) {
        const state = await existing.getState();
        const rv = existing.returnvalue as { record?: DeliveryRecord } | null;
        if (state === 'completed' && rv?.record) outcomes.push({ ...t, deliveryId: id, state: 'already-sent', evidence: { messageId: rv.record.messageId, at: rv.record.at, via: rv.record.via } });
        else if (state === 'failed') outcomes.push({ ...t, deliveryId: id, state: 'not-sent', reason: `an earlier delivery of this content failed: ${existing.failedReason}` });
        else outcomes.push({ ...t, deliveryId: id, state: 'pending', jobState: state });
        continue;
      }
      outcomes.push({ ...t, deliveryId: id, state: 'queued' });
      add.push({
        name: DELIVERY_JOB_NAME,
        data: {
          report: snapshot.report,
          period: snapshot.period,
          version: snapshot.version,
          address: t.address,
          kind: t.kind,
          headers: { to: [...recipients.to], cc: [...recipients.cc] },
          contentDigest,
          ...(note ? { note } : {}),
          ...(purpose === 'review' ? { purpose } : {}),
        } satisfies DeliveryJobData,
        opts: { ...DELIVERY_JOB_OPTIONS, jobId: id },
      });
    }
    await queue.addBulk(add);
    return { kind: 'queued', jobs: add.length, recipients: outcomes };
  };
}

/** What a delivery job returns: sent now, or skipped with the acceptance already on record. */
export interface DeliveryJobResult {
  readonly outcome: 'sent' | 'already-sent';
  readonly record: DeliveryRecord;
}

export interface DeliveryProcessorOptions {
  /** Where delivery records go (a test injects a failing one); the log file by default. */
  readonly recorder?: DeliveryRecorder;
  readonly lockDurationMs?: number;
}

export function deliveryProcessor(settings: Settings, log: Logger, opts: DeliveryProcessorOptions = {}) {
  const recorder = opts.recorder ?? fileRecorder;
  return async (job: Job, token?: string): Promise<DeliveryJobResult> => {
    const parsed = deliveryJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed delivery job: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}`);
    const d = parsed.data;
    const snapshot = await createSnapshotStore(settings).read(d.report, d.period, d.version);
    if (d.accepted) {
      // An earlier attempt's message was accepted; only its log line is missing. Never resend.
      const rec = d.accepted as unknown as DeliveryRecord;
      await recordAcceptance(recorder, snapshot, rec);
      log.info({ jobId: job.id, to: d.address, messageId: rec.messageId }, 'delivery acceptance recorded on retry');
      return { outcome: 'sent', record: rec };
    }
    if (d.contentDigest && d.contentDigest !== (await snapshotDigest(snapshot))) {
      throw new UnrecoverableError(`SNAPSHOT_CHANGED: ${d.report}/${d.period}/v${d.version} is no longer the snapshot this delivery was queued for (archive restored?); not sent`);
    }
    const def = await loadJobDefinition(settings.jobsDir, d.report);
    const purpose = d.purpose ?? 'briefing';
    const mail = await (purpose === 'review' ? composeReviewMail : composeBriefingMail)(settings, snapshot, mailSettings(settings, def), { ...d.headers, bcc: [] }, d.note);
    const mailer = await createMailer({ smtpUrl: settings.smtpUrl, outboxDir: settings.outboxDir, clock: settings.clock });
    const lockMs = opts.lockDurationMs ?? 30_000;
    try {
      const r = await deliverOne(snapshot, mail, { address: d.address, kind: d.kind }, mailer, {
        recorder,
        purpose,
        clock: settings.clock,
        // A worker frozen past its lock must not send what another worker is sending.
        beforeSend: async () => {
          if (token && !(await job.extendLock(token, lockMs))) throw new LockLostError(String(job.id), 'send');
        },
      });
      if (r.kind === 'already-sent') {
        log.info({ jobId: job.id, to: d.address, messageId: r.evidence.messageId, at: r.evidence.at }, 'already sent; skipped');
        return { outcome: 'already-sent', record: r.evidence };
      }
      log.info({ jobId: job.id, to: d.address, messageId: r.record.messageId, via: r.record.via, resend: r.record.resend ?? false }, 'delivered');
      return { outcome: 'sent', record: r.record };
    } catch (e) {
      if (e instanceof AcceptanceNotRecordedError) {
        // Keep the acceptance with the job (in Redis) and retry: the retry records, it does not send.
        log.error({ jobId: job.id, to: d.address, code: e.code, messageId: e.record.messageId, err: e.message }, 'sent, but the delivery log could not be written; retrying the record only');
        await job.updateData({ ...job.data, accepted: e.record });
        throw e;
      }
      if (e instanceof LockLostError) log.warn({ jobId: job.id, code: e.code, to: d.address }, 'lock lost before sending; not sent');
      if (e instanceof DeliveryError && e.permanent) throw new UnrecoverableError(e.message);
      throw e;
    }
  };
}
