import path from 'node:path';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { loadTokens } from '../../worker/api/auth.ts';
import { buildApi } from '../../worker/api/server.ts';
import type { ApiLimits } from '../../worker/api/limits.ts';
import { createLogger } from '../../worker/log.ts';
import { settingsFromEnv, type Settings } from '../../worker/config/settings.ts';
import { BRIEFINGS_QUEUE } from '../../worker/queue/briefing-job.ts';
import { startBriefingWorker, type RunningWorker } from '../../worker/queue/briefing-worker.ts';
import { DELIVERIES_QUEUE } from '../../worker/queue/delivery-job.ts';
import { ROOT, tempDir } from './cli.ts';
import { startRedis, type TestRedis } from './redis.ts';

export const TOKENS = {
  viewer: 'viewer-token-0123456789abcdef',
  staff: 'staff-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
};

/** The API and a worker on a private Redis, with captured JSON logs (for the audit log). */
export async function startApiStack(
  opts: {
    rerunsPerMinute?: number;
    /** JIBAO_API_TOKENS for this stack (default: the three TOKENS). */
    tokens?: string;
    sendMeDomains?: readonly string[];
    limits?: Partial<ApiLimits>;
    /** false: no worker takes the queued runs (tests that only look at what was queued). */
    worker?: boolean;
    /** A jobs folder of the test's own (default: the repository's jobs/, which must then stay unwritten). */
    jobsDir?: string;
  } = {},
): Promise<{
  app: FastifyInstance;
  settings: Settings;
  logs: Record<string, unknown>[];
  briefings: Queue;
  stop(): Promise<void>;
}> {
  const redis: TestRedis = await startRedis();
  const logs: Record<string, unknown>[] = [];
  const log = createLogger({}, new Writable({ write: (c, _e, cb) => { for (const l of String(c).split('\n').filter(Boolean)) logs.push(JSON.parse(l)); cb(); } }));
  const settings: Settings = { ...settingsFromEnv({}), jobsDir: opts.jobsDir ?? path.join(ROOT, 'jobs'), archiveDir: await tempDir('api-archive'), outboxDir: await tempDir('api-outbox') };
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  const briefings = new Queue(BRIEFINGS_QUEUE, { connection: client });
  const deliveries = new Queue(DELIVERIES_QUEUE, { connection: client });
  const tokens = loadTokens({ JIBAO_API_TOKENS: opts.tokens ?? `viewer:${TOKENS.viewer},staff:王芳:${TOKENS.staff},admin:${TOKENS.admin}` });
  const app = await buildApi({
    settings,
    briefings,
    deliveries,
    redis: client,
    tokens,
    log,
    sendMeDomains: opts.sendMeDomains ?? [],
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.rerunsPerMinute ? { rerunsPerMinute: opts.rerunsPerMinute } : {}),
  });
  const worker: RunningWorker | undefined = opts.worker === false ? undefined : startBriefingWorker({ redisUrl: redis.url, settings, log, renderThreads: 0 });
  return {
    app,
    settings,
    logs,
    briefings,
    async stop() {
      await app.close();
      await worker?.close(5000);
      await briefings.close();
      await deliveries.close();
      client.disconnect();
      await redis.stop();
    },
  };
}
