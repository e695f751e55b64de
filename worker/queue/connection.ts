import { Redis } from 'ioredis';

/**
 * An ioredis connection for BullMQ. Workers need `maxRetriesPerRequest: null` (a blocked
 * command must wait through a Redis restart, not fail); producers fail fast instead, so a CLI
 * never hangs on a dead Redis. Reconnects back off up to 5 s.
 */
export function redisConnection(url: string, role: 'worker' | 'producer'): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    enableOfflineQueue: role === 'worker',
    retryStrategy: (attempt) => Math.min(attempt * 250, 5000),
    connectionName: `jibao-${role}`,
  });
}

export function requireRedisUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env['REDIS_URL'];
  if (!url) throw new Error('REDIS_URL is not set; the queued roles need Redis (e.g. REDIS_URL=redis://127.0.0.1:6379). `jibao run` needs none.');
  return url;
}
