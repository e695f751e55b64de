import { Redis } from 'ioredis';

const IDLE_MS = 250;

interface Shared {
  readonly redis: Redis;
  ready: Promise<void>;
  users: number;
  idle?: NodeJS.Timeout;
}

const connections = new Map<string, Shared>();

/**
 * One Redis connection per URL for the archive's locks and claims, shared by the stores of a
 * process while they use it and closed a moment after the last use: a worker writing one
 * snapshot after another keeps it, a CLI command exits as soon as it is done.
 */
export async function withSharedRedis<T>(url: string, fn: (redis: Redis) => Promise<T>): Promise<T> {
  let shared = connections.get(url);
  if (!shared) {
    const redis = new Redis(url, { maxRetriesPerRequest: 2, connectionName: 'jibao-archive', lazyConnect: true });
    shared = { redis, ready: redis.connect(), users: 0 };
    connections.set(url, shared);
    shared.ready.catch(() => connections.get(url) === shared && connections.delete(url));
  }
  const s = shared;
  s.users += 1;
  if (s.idle) clearTimeout(s.idle);
  try {
    await s.ready;
    return await fn(s.redis);
  } finally {
    s.users -= 1;
    if (s.users === 0) {
      s.idle = setTimeout(() => {
        if (s.users === 0 && connections.get(url) === s) {
          connections.delete(url);
          s.redis.disconnect();
        }
      }, IDLE_MS);
    }
  }
}
