import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { parsePeriod } from '../domain/period.ts';
import { LockLostError, runBriefing, type Deliver, type DeliveryOutcome, type Fence } from '../pipeline/run.ts';
import type { Renderer } from '../render/renderer.ts';
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import { failureRecord, isRetryable } from '../errors/index.ts';
import { briefingJobSchema, STAGE_PERCENT, type BriefingJobResult, type BriefingProgress, type Stage } from './briefing-job.ts';

export interface ProcessorDeps {
  readonly settings: Settings;
  readonly log: Logger;
  readonly render?: Renderer;
  readonly deliver?: Deliver;
  /** The fence of one attempt (its lock token), checked before archiving and before delivering. */
  readonly fence?: (job: Job, token: string) => Fence;
}

/**
 * The queued job runs exactly the pipeline `jibao run` runs, reporting each stage as progress.
 * Figures not ready: a scheduled job waits (delayed, retried) until its deadline; a rerun fails.
 */
export function briefingProcessor(deps: ProcessorDeps) {
  return async (job: Job, token?: string): Promise<BriefingJobResult> => {
    const parsed = briefingJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed job data: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}`);
    const data = parsed.data;
    const log = deps.log.child({ jobId: job.id, report: data.report, period: data.period });
    const progress = (stage: Stage) => job.updateProgress({ stage, percent: STAGE_PERCENT[stage] } satisfies BriefingProgress).catch(() => undefined);
    try {
      const result = await runBriefing(
        {
          reportId: data.report,
          period: parsePeriod(data.period),
          ...(data.note ? { note: data.note } : {}),
          send: data.send,
          ...(data.recipients ? { recipients: data.recipients } : {}),
          trigger: { ...data.trigger, jobId: String(job.id) },
        },
        deps.settings,
        {
          onStage: (s) => {
            log.debug({ stage: s }, 'stage');
            return progress(s);
          },
          ...(deps.render ? { render: deps.render } : {}),
          ...(deps.deliver ? { deliver: deps.deliver } : {}),
          ...(deps.fence && token ? { fence: deps.fence(job, token) } : {}),
        },
      ).catch((e: unknown) => {
        // BullMQ refuses this attempt's completion or failure (its lock is gone); the holder carries on.
        if (e instanceof LockLostError) log.warn({ code: e.code, step: e.step }, 'lock lost; stopped without archiving or sending');
        throw e;
      });
      if (result.kind === 'not-ready') {
        const now = deps.settings.clock().getTime();
        if (data.waitUntil && now < Date.parse(data.waitUntil) && token) {
          const retryMs = (data.retryEverySeconds ?? 3600) * 1000;
          log.info({ reason: result.reason, retryAt: new Date(now + retryMs).toISOString() }, 'figures not ready; waiting');
          await job.updateData({ ...job.data, lastNotReady: result.reason });
          await job.moveToDelayed(now + retryMs, token);
          throw new DelayedError();
        }
        throw new UnrecoverableError(`figures not ready: ${result.reason}${data.waitUntil ? ` (gave up at ${data.waitUntil})` : ''}`);
      }
      await progress('done');
      const s = result.snapshot;
      log.info({ version: s.version, reused: result.reused, renderMs: Math.round(result.renderMs) }, 'briefing archived');
      return {
        snapshot: { report: s.report, period: s.period, version: s.version, id: s.id },
        counts: { ...result.prepared.evaluation.counts },
        delivery: deliverySummary(result.delivery),
        ...(result.delivery?.kind === 'queued' ? { deliveries: result.delivery.jobs } : {}),
        reused: result.reused,
        ...(result.draft ? { draft: true } : {}),
        renderMs: Math.round(result.renderMs),
      };
    } catch (e) {
      if (e instanceof DelayedError || e instanceof UnrecoverableError) throw e;
      // Classified once (errors/): a retry cannot fix input, a template or a render over budget. The failure record is "CODE: 中文说明".
      if (!isRetryable(e)) throw new UnrecoverableError(failureRecord(e));
      throw e;
    }
  };
}

/** Only what happened: a queued worker's deliveries are jobs; inline ones (no queue given) are listed. */
function deliverySummary(d: DeliveryOutcome | null): BriefingJobResult['delivery'] {
  if (d === null) return { kind: 'not-sent', reason: 'send-false' };
  if (d.kind === 'queued') return { kind: 'queued', recipients: d.recipients };
  const ref = (r: { address: string; messageId: string; at: string }) => ({ address: r.address, messageId: r.messageId, at: r.at });
  return { kind: 'inline', sent: d.sent.map(ref), alreadySent: d.alreadySent.map(ref), failed: d.failed.map((f) => ({ address: f.target.address, reason: f.reason })) };
}
