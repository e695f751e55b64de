import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { FsArchive } from '../archive/fs-archive.ts';
import { loadJobDefinition } from '../config/job-definition.ts';
import { composeBriefingMail, deliverOne, deliveryId, deliveryTargets, DeliveryError, type DeliveryRecord } from '../delivery/deliver.ts';
import { createMailer } from '../delivery/transport.ts';
import type { Logger } from '../log.ts';
import { mailSettings, type Deliver } from '../pipeline/run.ts';
import type { Settings } from '../pipeline/settings.ts';
import { DELIVERY_JOB_NAME, DELIVERY_JOB_OPTIONS, deliveryJobSchema, type DeliveryJobData } from './delivery-job.ts';

/** The queued worker's delivery: one job per recipient, the delivery id as job id. */
export function queueDeliveries(settings: Settings, queue: Queue): Deliver {
  return async (snapshot, p, recipients, note) => {
    // Composing once here surfaces a broken email template as the briefing job's failure.
    await composeBriefingMail(settings, snapshot, mailSettings(settings, p.job), recipients, note);
    const targets = deliveryTargets(recipients);
    await queue.addBulk(
      targets.map((t) => ({
        name: DELIVERY_JOB_NAME,
        data: {
          report: snapshot.report,
          period: snapshot.period,
          version: snapshot.version,
          address: t.address,
          kind: t.kind,
          headers: { to: [...recipients.to], cc: [...recipients.cc] },
          ...(note ? { note } : {}),
        } satisfies DeliveryJobData,
        opts: { ...DELIVERY_JOB_OPTIONS, jobId: deliveryId(snapshot, t.address) },
      })),
    );
    return { kind: 'queued', jobs: targets.length };
  };
}

export function deliveryProcessor(settings: Settings, log: Logger) {
  return async (job: Job): Promise<DeliveryRecord> => {
    const parsed = deliveryJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed delivery job: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}`);
    const d = parsed.data;
    const snapshot = await new FsArchive(settings.archiveDir).read(d.report, d.period, d.version);
    const def = await loadJobDefinition(settings.jobsDir, d.report);
    const mail = await composeBriefingMail(settings, snapshot, mailSettings(settings, def), { ...d.headers, bcc: [] }, d.note);
    const mailer = await createMailer({ smtpUrl: settings.smtpUrl, outboxDir: settings.outboxDir, clock: settings.clock });
    try {
      const rec = await deliverOne(snapshot, mail, { address: d.address, kind: d.kind }, mailer);
      log.info({ jobId: job.id, to: d.address, messageId: rec.messageId, via: rec.via }, 'delivered');
      return rec;
    } catch (e) {
      if (e instanceof DeliveryError && e.permanent) throw new UnrecoverableError(e.message);
      throw e;
    }
  };
}
