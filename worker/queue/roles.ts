import { Queue } from 'bullmq';
import { loadAllJobs } from '../config/job-definition.ts';
import type { Role } from './role-names.ts';
import type { Logger } from '../log.ts';
import type { Settings } from '../pipeline/settings.ts';
import { BRIEFINGS_QUEUE } from './briefing-job.ts';
import { startBriefingWorker } from './briefing-worker.ts';
import { redisConnection } from './connection.ts';
import { Scheduler } from './scheduler.ts';
import { DELIVERIES_QUEUE } from './delivery-job.ts';
import { buildApi } from '../api/server.ts';
import { loadTokens } from '../api/auth.ts';

export interface StartOptions {
  readonly roles: readonly Role[];
  readonly redisUrl: string;
  readonly settings: Settings;
  readonly log: Logger;
  readonly concurrency?: number;
  readonly renderThreads?: number;
  readonly stalledIntervalMs?: number;
  readonly lockDurationMs?: number;
  readonly mailsPerMinute?: number;
  /** Accepted reruns per API token per minute (role api). */
  readonly rerunsPerMinute?: number;
  /** API port (role api). */
  readonly port?: number;
  readonly host?: string;
}

/** Runs the chosen roles in this process; `stop()` shuts them down gracefully. */
export async function startRoles(opts: StartOptions): Promise<{ stop(): Promise<void> }> {
  const stops: (() => Promise<void>)[] = [];
  if (opts.roles.includes('scheduler')) {
    const jobs = await loadAllJobs(opts.settings.jobsDir);
    const redis = redisConnection(opts.redisUrl, 'worker');
    const queue = new Queue(BRIEFINGS_QUEUE, { connection: redis });
    const scheduler = new Scheduler({ jobs, queue, redis, log: opts.log, clock: opts.settings.clock });
    await scheduler.start();
    stops.push(async () => {
      scheduler.stop();
      await queue.close();
      await redis.quit().catch(() => redis.disconnect());
    });
  }
  if (opts.roles.includes('worker')) {
    const w = startBriefingWorker({
      redisUrl: opts.redisUrl,
      settings: opts.settings,
      log: opts.log,
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(opts.renderThreads !== undefined ? { renderThreads: opts.renderThreads } : {}),
      ...(opts.stalledIntervalMs ? { stalledIntervalMs: opts.stalledIntervalMs } : {}),
      ...(opts.lockDurationMs ? { lockDurationMs: opts.lockDurationMs } : {}),
      ...(opts.mailsPerMinute ? { mailsPerMinute: opts.mailsPerMinute } : {}),
    });
    stops.push(() => w.close());
  }
  if (opts.roles.includes('api')) {
    const tokens = loadTokens();
    if (tokens.length === 0) opts.log.warn('no API tokens configured (JIBAO_API_TOKENS or JIBAO_API_TOKENS_FILE): every API request will be refused');
    const redis = redisConnection(opts.redisUrl, 'worker');
    const briefings = new Queue(BRIEFINGS_QUEUE, { connection: redis });
    const deliveries = new Queue(DELIVERIES_QUEUE, { connection: redis });
    const app = await buildApi({ settings: opts.settings, briefings, deliveries, redis, tokens, log: opts.log.child({ role: 'api' }), ...(opts.rerunsPerMinute ? { rerunsPerMinute: opts.rerunsPerMinute } : {}) });
    const address = await app.listen({ port: opts.port ?? 8080, host: opts.host ?? '127.0.0.1' });
    opts.log.info({ address }, 'api listening');
    stops.push(async () => {
      await app.close();
      await briefings.close();
      await deliveries.close();
      await redis.quit().catch(() => redis.disconnect());
    });
  }
  return {
    async stop() {
      for (const s of stops.reverse()) await s();
    },
  };
}
