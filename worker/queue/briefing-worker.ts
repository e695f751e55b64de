import { Queue, Worker, type Job } from 'bullmq';
import { loadJobDefinition } from '../config/job-definition.ts';
import { alertOperators, describeFailure } from '../delivery/alert.ts';
import type { Logger } from '../log.ts';
import type { Settings } from '../config/settings.ts';
import { createRenderPool } from '../render/render-pool.ts';
import { BRIEFINGS_QUEUE } from './briefing-job.ts';
import { briefingProcessor } from './briefing-processor.ts';
import { redisConnection } from './connection.ts';
import { DELIVERIES_QUEUE } from './delivery-job.ts';
import { deliveryProcessor, queueDeliveries } from './delivery-processor.ts';
import { jobFence } from './fence.ts';
import type { DeliveryRecorder } from '../delivery/deliver.ts';
import { redactText } from '../redact.ts';

export interface WorkerOptions {
  readonly redisUrl: string;
  readonly settings: Settings;
  readonly log: Logger;
  readonly concurrency?: number;
  /** Same value on every worker: the stalled check is throttled by whoever set it last. */
  readonly stalledIntervalMs?: number;
  readonly lockDurationMs?: number;
  /** Render threads; 0 renders on the worker's own thread (for comparison in bench/). */
  readonly renderThreads?: number;
  /** Emails per minute to the SMTP server, across all workers (BullMQ's rate limiter). */
  readonly mailsPerMinute?: number;
  /** Where delivery records go; the snapshot's log file by default (tests inject a failing one). */
  readonly recorder?: DeliveryRecorder;
}

export interface RunningWorker {
  readonly worker: Worker;
  readonly deliveryWorker: Worker;
  /** Stops taking jobs, lets the current ones finish up to `graceMs`, then hands them back. */
  close(graceMs?: number): Promise<void>;
}

export function startBriefingWorker(opts: WorkerOptions): RunningWorker {
  const connection = redisConnection(opts.redisUrl, 'worker');
  const pool = opts.renderThreads === 0 ? undefined : createRenderPool(opts.renderThreads, { timeoutMs: opts.settings.renderTimeoutMs, maxMb: opts.settings.renderMaxMb });
  const log = opts.log.child({ role: 'worker' });
  const deliveries = new Queue(DELIVERIES_QUEUE, { connection });
  const deliver = queueDeliveries(opts.settings, deliveries);
  const lockDuration = opts.lockDurationMs ?? 60_000;
  const fence = (job: Job, token: string) => jobFence(connection, job, token, lockDuration);
  const worker = new Worker(BRIEFINGS_QUEUE, briefingProcessor({ settings: opts.settings, log, deliver, fence, ...(pool ? { render: pool.render } : {}) }), {
    connection,
    concurrency: opts.concurrency ?? 1,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    lockDuration,
    maxStalledCount: 2,
  });
  const deliveryWorker = new Worker(DELIVERIES_QUEUE, deliveryProcessor(opts.settings, log, { lockDurationMs: lockDuration, ...(opts.recorder ? { recorder: opts.recorder } : {}) }), {
    connection,
    concurrency: 2,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    lockDuration,
    limiter: { max: opts.mailsPerMinute ?? 60, duration: 60_000 },
  });
  worker.on('failed', (job, err) => void onFailed(job, err, opts.settings, log));
  deliveryWorker.on('failed', (job, err) => void onFailed(job, err, opts.settings, log));
  deliveryWorker.on('error', (err) => log.error({ err: redactText(err.message) }, 'delivery worker error (will reconnect)'));
  worker.on('error', (err) => log.error({ err: redactText(err.message) }, 'worker error (will reconnect)'));
  worker.on('completed', (job) => log.info({ jobId: job.id, result: job.returnvalue }, 'job completed'));
  log.info({ queue: BRIEFINGS_QUEUE, concurrency: opts.concurrency ?? 1, renderThreads: opts.renderThreads ?? 'auto' }, 'worker started');
  return {
    worker,
    deliveryWorker,
    async close(graceMs = 30_000) {
      const workers = [worker, deliveryWorker];
      // With Redis gone nothing can be finished or handed back, and BullMQ's close would wait on QUIT forever.
      const redisUp = connection.status === 'ready';
      const closed = redisUp && (await within(graceMs, Promise.all(workers.map((w) => w.close()))));
      if (!closed) {
        if (redisUp) log.warn({ graceMs }, 'jobs still running at shutdown; handing them back to the queue');
        else log.warn({ redis: connection.status }, 'Redis unreachable at shutdown; closing without it (running jobs return to the queue when their locks expire)');
        await within(2000, Promise.all(workers.map((w) => w.close(true))));
        // close(true) after close() is the same pending promise in BullMQ: dropping the sockets ends it.
        await within(1000, Promise.all(workers.map((w) => w.disconnect())));
      }
      if (!(await within(1000, deliveries.close()))) await within(1000, deliveries.disconnect());
      await within(2000, pool?.close() ?? Promise.resolve());
      if (connection.status === 'ready') await within(1000, connection.quit());
      connection.disconnect(); // no reconnecting after this, whatever Redis's state
      log.info('worker stopped');
    },
  };
}

/** True when `p` settles within `ms` (a rejection counts: the step is over); false when the time ran out. */
export async function within(ms: number, p: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A job that will not be retried again: log the reason and alert the report's operators. */
async function onFailed(job: Job | undefined, err: Error, settings: Settings, log: Logger): Promise<void> {
  if (!job) return;
  const state = await job.getState().catch(() => 'unknown');
  if (state !== 'failed') {
    log.warn({ jobId: job.id, attempt: job.attemptsMade, reason: redactText(err.message) }, 'job attempt failed; will retry');
    return;
  }
  log.error({ jobId: job.id, attempts: job.attemptsMade, reason: redactText(err.message) }, 'job failed');
  const report = typeof job.data?.report === 'string' ? job.data.report : undefined;
  if (!report) return;
  try {
    const def = await loadJobDefinition(settings.jobsDir, report);
    const receipt = await alertOperators(
      settings,
      def,
      `${job.queueName === DELIVERIES_QUEUE ? `简报发送失败（${String(job.data.address)}）` : '简报生成失败'}：${report} ${String(job.data.period)}`,
      [
        `任务 ${job.id} 已失败，不再自动重试。`,
        `报告：${report}，期间：${String(job.data.period)}，尝试次数：${job.attemptsMade}`,
        `原因：${describeFailure(err.message)}`,
        '',
        '请修正数据或配置后重新生成（jibao rerun）。',
      ].join('\n'),
    );
    log.info({ jobId: job.id, to: receipt?.accepted }, 'operators alerted');
  } catch (e) {
    log.error({ jobId: job.id, err: (e as Error).message }, 'could not alert operators');
  }
}
