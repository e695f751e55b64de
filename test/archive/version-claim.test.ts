import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisVersionClaims } from '../../worker/archive/version-claim.ts';
import { redisLock } from '../../worker/archive/redis-lock.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

let server: TestRedis;
let a: Redis;
let b: Redis;
beforeAll(async () => {
  server = await startRedis();
  a = new Redis(server.url);
  b = new Redis(server.url);
});
afterAll(async () => {
  a.disconnect();
  b.disconnect();
  await server.stop();
});

describe('claims on a shared archive (Redis)', () => {
  it('gives each version number to one writer, whichever connection asks', async () => {
    const one = redisVersionClaims(a, 's3://bucket/x');
    const two = redisVersionClaims(b, 's3://bucket/x');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).claim('r', '2023Q3', 1, `w${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = `w${results.indexOf(true)}`;
    expect(await one.claim('r', '2023Q3', 1, winner)).toBe(true); // its holder asking again
    // Another archive sharing the Redis is apart.
    expect(await redisVersionClaims(a, 's3://bucket/y').claim('r', '2023Q3', 1, 'other')).toBe(true);
    // Only the holder can give it back.
    await two.release('r', '2023Q3', 1, 'not-the-holder');
    expect(await two.claim('r', '2023Q3', 1, 'late')).toBe(false);
    expect(await two.confirm('r', '2023Q3', 1, 'late')).toBe(false);
    expect(await two.confirm('r', '2023Q3', 1, winner)).toBe(true);
    await two.release('r', '2023Q3', 1, winner);
    expect(await two.claim('r', '2023Q3', 1, 'late')).toBe(true);
  });

  it('a claim is a lease: a writer that died leaves its number to the next one, and a paused one finds it gone', async () => {
    const claims = redisVersionClaims(a, 's3://bucket/lease', 150);
    expect(await claims.claim('r', '2023Q4', 1, 'dies')).toBe(true);
    expect(await claims.claim('r', '2023Q4', 1, 'next')).toBe(false);
    await new Promise((r) => setTimeout(r, 250));
    expect(await claims.claim('r', '2023Q4', 1, 'next')).toBe(true);
    expect(await claims.confirm('r', '2023Q4', 1, 'dies')).toBe(false); // the paused writer, on waking
  });

  it('the lock lets one holder in at a time', async () => {
    const lockA = redisLock(a, 'test');
    const lockB = redisLock(b, 'test');
    let inside = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? lockA : lockB)('report', async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 5));
      inside--;
    })));
    expect(most).toBe(1);
    expect(await a.keys('jibao:archive-lock:*')).toEqual([]);
  });
});
