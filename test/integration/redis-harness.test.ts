import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../support/redis.ts';

// The harness later queue tests stand on: a private redis-server per test file.
describe('test Redis harness', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('starts a real redis-server on its own free port, not the machine default', async () => {
    expect(redis.port).not.toBe(6379);
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    await client.set('jibao:probe', '季报');
    expect(await client.get('jibao:probe')).toBe('季报');
    const info = await client.info('server');
    expect(info).toMatch(new RegExp(`tcp_port:${redis.port}`));
    client.disconnect();
  });

  it('stops it again', async () => {
    const other = await startRedis();
    await other.stop();
    const client = new Redis(other.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {}); // the refused connection is the expected outcome
    await expect(client.connect()).rejects.toThrow();
    client.disconnect();
  });
});
