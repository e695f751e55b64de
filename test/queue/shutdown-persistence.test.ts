import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRedisPersistence } from '../../worker/queue/persistence.ts';
import { tempDir } from '../support/cli.ts';
import { fixtureReport } from '../support/fixture-report.ts';
import { exitWithin, killHard, logLines, startJibao, type JibaoProcess } from '../support/jibao-process.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { until } from '../support/wait.ts';

const procs: JibaoProcess[] = [];
const servers: TestRedis[] = [];
afterEach(async () => {
  await Promise.all(procs.splice(0).map(killHard));
  await Promise.all(servers.splice(0).map((r) => r.stop()));
});

async function workerOn(redis: TestRedis): Promise<JibaoProcess> {
  const fx = await fixtureReport({ id: 'shutdown-2023', year: 2023 });
  const p = startJibao('worker', { REDIS_URL: redis.url, JIBAO_JOBS_DIR: fx.jobsDir, JIBAO_ARCHIVE_DIR: await tempDir('sd-archive'), JIBAO_OUTBOX_DIR: await tempDir('sd-outbox') });
  procs.push(p);
  await until('the worker to start', async () => logLines(p).some((l) => l['msg'] === 'worker started'), 20_000);
  return p;
}

describe('shutdown whatever state Redis is in (real `jibao start`, real Redis)', () => {
  it('SIGTERM after its Redis has stopped: the worker exits well within the grace period', async () => {
    const redis = await startRedis();
    servers.push(redis);
    const worker = await workerOn(redis);
    await redis.stop(); // the worker is now reconnecting
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    worker.kill('SIGTERM');
    const code = await exitWithin(worker, 15_000); // the grace period is 30 s
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(logLines(worker).map((l) => l['msg'])).toContain('worker stopped');
  }, 40_000);

  it('SIGTERM with Redis up still stops cleanly', async () => {
    const redis = await startRedis();
    servers.push(redis);
    const worker = await workerOn(redis);
    worker.kill('SIGTERM');
    expect(await exitWithin(worker, 10_000)).toBe(0);
  }, 30_000);
});

describe('Redis persistence is checked at start', () => {
  it('`jibao start` warns with REDIS_NO_PERSISTENCE when neither AOF nor RDB is on', async () => {
    const redis = await startRedis(); // the test server runs with --save '' --appendonly no
    servers.push(redis);
    const worker = await workerOn(redis);
    expect(logLines(worker).find((l) => l['code'] === 'REDIS_NO_PERSISTENCE')).toMatchObject({ level: 40, appendonly: 'no', save: '' });
  }, 30_000);

  it.each([
    { args: [], kind: 'none' },
    { args: ['--appendonly', 'yes'], kind: 'aof' },
    { args: ['--save', '900 1'], kind: 'rdb' },
    { args: ['--appendonly', 'yes', '--save', '900 1'], kind: 'aof+rdb' },
    { args: ['--rename-command', 'CONFIG', ''], kind: 'unknown' },
  ])('redis-server $args → $kind', async ({ args, kind }) => {
    const redis = await startRedis(args);
    servers.push(redis);
    const client = new Redis(redis.url);
    try {
      expect((await checkRedisPersistence(client)).kind).toBe(kind);
    } finally {
      client.disconnect();
    }
  });
});
