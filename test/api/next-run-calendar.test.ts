import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokens } from '../../worker/api/auth.ts';
import { buildApi } from '../../worker/api/server.ts';
import { createLogger } from '../../worker/log.ts';
import { settingsFromEnv } from '../../worker/config/settings.ts';
import { BRIEFINGS_QUEUE } from '../../worker/queue/briefing-job.ts';
import { DELIVERIES_QUEUE } from '../../worker/queue/delivery-job.ts';
import { tempDir } from '../support/cli.ts';
import { fixtureReport } from '../support/fixture-report.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

const VIEWER = 'viewer-token-0123456789abcdef';

/** The API's next run, at a given clock, for one fixture report. */
describe("the API's next run comes from the scheduler's own definition", () => {
  let redis: TestRedis;
  let client: Redis;
  let briefings: Queue;
  let deliveries: Queue;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    briefings = new Queue(BRIEFINGS_QUEUE, { connection: client });
    deliveries = new Queue(DELIVERIES_QUEUE, { connection: client });
  });
  afterAll(async () => {
    await briefings?.close();
    await deliveries?.close();
    client?.disconnect();
    await redis?.stop();
  });

  async function nextRun(jobsDir: string, id: string, now: string) {
    const settings = { ...settingsFromEnv({}), jobsDir, archiveDir: await tempDir('nr-archive'), outboxDir: await tempDir('nr-outbox'), clock: () => new Date(now) };
    const log = createLogger({}, new Writable({ write: (_c, _e, cb) => cb() }));
    const app = await buildApi({ settings, briefings, deliveries, redis: client, tokens: loadTokens({ JIBAO_API_TOKENS: `viewer:${VIEWER}` }), log, sendMeDomains: [] });
    try {
      const r = await app.inject({ method: 'GET', url: '/api/reports', headers: { authorization: `Bearer ${VIEWER}` } });
      expect(r.statusCode).toBe(200);
      return (r.json().reports as { id: string; nextRun: unknown }[]).find((x) => x.id === id)?.nextRun;
    } finally {
      await app.close();
    }
  }

  it('a DOM+DOW expression: the Monday on the 20th–26th, not the first Monday (cron-parser said 2027-04-05)', async () => {
    const fx = await fixtureReport({ id: 'api-domdow-2027', year: 2027, cron: '0 9 20-26 1,4,7,10 1' });
    expect(await nextRun(fx.jobsDir, fx.id, '2027-01-30T00:00:00Z')).toEqual({ at: '2027-04-26T01:00:00.000Z', period: '2027Q1' });
  });

  it('a fire in the 2024 National Day holiday: the next working day, and where it moved from', async () => {
    const fx = await fixtureReport({ id: 'api-natday-2024', year: 2024, cron: '0 9 1 10 *' });
    const file = path.join(fx.jobsDir, fx.id, 'job.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('  timezone: Asia/Shanghai', '  workday: next\n  timezone: Asia/Shanghai'));
    expect(await nextRun(fx.jobsDir, fx.id, '2024-09-20T00:00:00Z')).toEqual({ at: '2024-10-08T01:00:00.000Z', period: '2024Q3', movedFrom: { date: '2024-10-01', reason: '国庆节' } });
  });
});
