// Container health check (docker-compose.yml), run inside the jibao image:
//   node scripts/healthcheck.mjs redis        → REDIS_URL answers PING (worker, scheduler)
//   node scripts/healthcheck.mjs http://…     → the URL answers 2xx (the API's /healthz)
// Exit 0 healthy, 1 not. Prints no URL: REDIS_URL carries the password.
import { Redis } from 'ioredis';

const target = process.argv[2] ?? 'redis';
const timeout = setTimeout(() => process.exit(1), 4000);
try {
  if (target === 'redis') {
    const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: true, retryStrategy: () => null });
    await redis.connect();
    const pong = await redis.ping();
    redis.disconnect();
    process.exitCode = pong === 'PONG' ? 0 : 1;
  } else {
    const res = await fetch(target);
    process.exitCode = res.ok ? 0 : 1;
  }
} catch {
  process.exitCode = 1;
}
clearTimeout(timeout);
