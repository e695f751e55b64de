import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { BRIEFINGS_QUEUE } from '../../worker/queue/briefing-job.ts';
import { startRedis, type TestRedis } from './redis.ts';

export interface BriefingsQueue {
  readonly redis: TestRedis;
  readonly client: Redis;
  readonly queue: Queue;
}

/** A Redis of the suite's own and the briefings queue on it, started before the suite's tests and stopped after them. */
export function useBriefingsQueue(): BriefingsQueue {
  const q = {} as { redis: TestRedis; client: Redis; queue: Queue };
  beforeAll(async () => {
    q.redis = await startRedis();
    q.client = new Redis(q.redis.url, { maxRetriesPerRequest: null });
    q.queue = new Queue(BRIEFINGS_QUEUE, { connection: q.client });
  });
  afterAll(async () => {
    await q.queue?.close();
    q.client?.disconnect();
    await q.redis?.stop();
  });
  return q;
}
