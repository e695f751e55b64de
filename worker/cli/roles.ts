import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadAllJobs } from '../config/job-definition.ts';
import type { Role } from '../queue/role-names.ts';
import type { Logger } from '../log.ts';
import type { Settings } from '../config/settings.ts';
import { BRIEFINGS_QUEUE } from '../queue/briefing-job.ts';
import { startBriefingWorker, within } from '../queue/briefing-worker.ts';
import { checkRedisPersistence } from '../queue/persistence.ts';
import { redisConnection } from '../queue/connection.ts';
import { Scheduler } from '../queue/scheduler.ts';
import { DELIVERIES_QUEUE } from '../queue/delivery-job.ts';
import { buildApi } from '../api/server.ts';
import { loadTokens } from '../api/auth.ts';
import { startReminders } from '../collection/reminders.ts';

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
  /** How long running jobs may finish at shutdown before they are handed back (default 30 s). */
  readonly shutdownGraceMs?: number;
}

/** Closing connections after the grace period: a bound on the whole stop, whatever Redis's state. */
const CLOSE_MARGIN_MS = 8000;
/** Longer than the timers BullMQ and ioredis leave behind a dropped connection (≤ 6 s), so those end on their own. */
const FORCE_EXIT_AFTER_MS = 7000;

/** Runs the chosen roles in this process; `stop()` shuts them down gracefully. */
export async function startRoles(opts: StartOptions): Promise<{ stop(): Promise<void> }> {
  await warnWithoutPersistence(opts.redisUrl, opts.log);
  const graceMs = opts.shutdownGraceMs ?? 30_000;
  const stops: (() => Promise<void>)[] = [];
  if (opts.roles.includes('scheduler')) {
    const jobs = await loadAllJobs(opts.settings.jobsDir);
    // Refused here, before any connection keeps the process alive: a calendar year a schedule needs.
    const calendar = await Scheduler.prepareCalendar(jobs, opts.settings.clock());
    const redis = redisConnection(opts.redisUrl, 'worker');
    const queue = new Queue(BRIEFINGS_QUEUE, { connection: redis });
    const reviewCheckMs = Number(process.env['JIBAO_REVIEW_CHECK_MS'] ?? '') || undefined;
    const scheduler = new Scheduler({ jobs, queue, redis, log: opts.log, clock: opts.settings.clock, settings: opts.settings, ...(reviewCheckMs ? { reviewCheckMs } : {}), ...(calendar ? { calendar } : {}) });
    await scheduler.start();
    const reminders = startReminders({ jobs, redis, settings: opts.settings, log: opts.log.child({ role: 'reminders' }) });
    stops.push(async () => {
      reminders.stop();
      scheduler.stop();
      await within(1000, queue.close());
      if (redis.status === 'ready') await within(1000, redis.quit());
      redis.disconnect();
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
    stops.push(() => w.close(graceMs));
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
      await within(graceMs, app.close());
      await within(1000, Promise.all([briefings.close(), deliveries.close()]));
      if (redis.status === 'ready') await within(1000, redis.quit());
      redis.disconnect();
    });
  }
  return {
    /** Resolves within the grace period plus a few seconds, whether or not Redis answers. */
    async stop() {
      const all = (async () => {
        for (const s of stops.reverse()) await s();
      })();
      if (!(await within(graceMs + CLOSE_MARGIN_MS, all))) opts.log.error({ graceMs }, 'shutdown did not finish in time; leaving the rest to the process exit');
      // startRoles is `jibao start`: it owns the process. Whatever still holds the event loop
      // (a socket, a stuck render thread) must not keep it running; unref'd, this fires only then.
      setTimeout(() => {
        opts.log.error({ code: 'FORCED_EXIT', holding: process.getActiveResourcesInfo() }, 'still running after shutdown; exiting');
        process.exit(process.exitCode ?? 0);
      }, FORCE_EXIT_AFTER_MS).unref();
    },
  };
}

/**
 * Without AOF or RDB, a Redis restart loses every queued, delayed and retrying job and the
 * scheduler's fired markers: said loudly at start, and said when it cannot be checked.
 */
async function warnWithoutPersistence(url: string, log: Logger): Promise<void> {
  // Its own short-lived connection: no retries, so a Redis that is down is reported, not waited for.
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 3000, connectionName: 'jibao-check' });
  redis.on('error', () => undefined); // reported below as "could not be checked"
  try {
    const p = await redis.connect().then(
      () => checkRedisPersistence(redis),
      (e: Error) => ({ kind: 'unknown' as const, reason: `Redis unreachable: ${e.message}` }),
    );
    if (p.kind === 'none') {
      log.warn(
        { code: 'REDIS_NO_PERSISTENCE', appendonly: p.appendonly, save: p.save },
        'REDIS HAS NO PERSISTENCE (appendonly no, save ""): a Redis restart loses every queued, delayed and retrying briefing and email, and the scheduler\'s fired markers; enable appendonly yes (see README, Deployment)',
      );
    } else if (p.kind === 'unknown') {
      log.warn({ code: 'REDIS_PERSISTENCE_UNKNOWN', reason: p.reason }, "Redis persistence could not be checked (CONFIG GET refused or unanswered): make sure AOF or RDB is on, or a restart loses queued work");
    } else {
      log.info({ code: 'REDIS_PERSISTENCE', kind: p.kind, appendonly: p.appendonly, save: p.save }, 'Redis persistence');
    }
  } finally {
    if (redis.status === 'ready') await within(1000, redis.quit());
    redis.disconnect();
  }
}
