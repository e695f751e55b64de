import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePeriod } from '../../worker/domain/period.ts';
import { S3Store } from '../../worker/archive/s3-store.ts';
import { BRIEFINGS_QUEUE, JOB_NAME, JOB_OPTIONS } from '../../worker/queue/briefing-job.ts';
import { DELIVERIES_QUEUE } from '../../worker/queue/delivery-job.ts';
import { tempDir } from '../support/cli.ts';
import { fixtureReport } from '../support/fixture-report.ts';
import { killHard, startJibao, type JibaoProcess } from '../support/jibao-process.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startS3, type TestS3 } from '../support/s3.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';
import { until } from '../support/wait.ts';

const PERIODS = ['2023Q1', '2023Q2', '2023Q3', '2023Q4'] as const;
const RUNS = Number(process.env['BURST_RUNS'] ?? 100);

/**
 * Two `jibao start --roles worker` processes that share nothing but Redis and the S3 archive
 * (each in its own working directory), a burst of reruns across periods, a real SMTP server.
 */
describe('two workers on one S3 archive', () => {
  let redis: TestRedis;
  let s3: TestS3;
  let smtp: TestSmtp;
  let client: Redis;
  let queue: Queue;
  let deliveries: Queue;
  const workers: JibaoProcess[] = [];

  beforeAll(async () => {
    [redis, s3, smtp] = await Promise.all([startRedis(), startS3(), startSmtp()]);
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue(BRIEFINGS_QUEUE, { connection: client });
    deliveries = new Queue(DELIVERIES_QUEUE, { connection: client });
  });
  afterAll(async () => {
    await Promise.all(workers.map(killHard));
    await queue?.close();
    await deliveries?.close();
    client?.disconnect();
    await Promise.all([redis?.stop(), s3?.stop(), smtp?.stop()]);
  });

  it(`${RUNS} reruns across ${PERIODS.length} periods: no duplicate version, no lost run, one delivery per recipient`, async () => {
    const fx = await fixtureReport({ id: 'burst-2023', year: 2023 });
    for (const p of PERIODS) await fx.writeFigures(parsePeriod(p));
    const env = {
      ...s3.env,
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      JIBAO_JOBS_DIR: fx.jobsDir,
      JIBAO_ARCHIVE_URL: s3.url('burst'),
      JIBAO_ARCHIVE_DIR: '',
      JIBAO_MAILS_PER_MINUTE: '100000',
      JIBAO_LOG_LEVEL: 'warn',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    for (const name of ['a', 'b']) workers.push(startJibao('worker', env, { cwd: await tempDir(`burst-${name}`), args: ['--concurrency', '2', '--render-threads', '1'] }));

    const jobs = Array.from({ length: RUNS }, (_, i) => ({ period: PERIODS[i % PERIODS.length]!, id: `rerun_burst-2023_${PERIODS[i % PERIODS.length]}_${i}` }));
    await queue.addBulk(jobs.map((j) => ({ name: JOB_NAME, data: { report: fx.id, period: j.period, trigger: { kind: 'cli', by: 'burst' } }, opts: { ...JOB_OPTIONS, jobId: j.id } })));
    const t0 = Date.now();
    await until('every rerun to complete', async () => {
      const c = await queue.getJobCounts('completed', 'failed');
      if (process.env['BURST_DEBUG'] && c['completed'] === 0) console.log(`none completed at ${Date.now() - t0} ms`);
      if (c['failed']) throw new Error(`a rerun failed: ${(await queue.getFailed())[0]?.failedReason}\n${workers.map((w) => w.output.slice(-2000)).join('\n')}`);
      return c['completed'] === RUNS;
    }, 150_000);

    const mark = (what: string) => process.env['BURST_DEBUG'] && console.log(`${what} at ${Date.now() - t0} ms`);
    mark('all reruns completed');
    // One message per snapshot to the one recipient; the checks below start once every delivery is done.
    const received = await until('every delivery to arrive', async () => {
      const r = await smtp.received();
      return r.length >= RUNS ? r : undefined;
    }, 60_000);
    await until('the deliveries queue to drain', async () => {
      const c = await deliveries.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(c).every((n) => n === 0);
    });
    await new Promise((r) => setTimeout(r, 500)); // time for a wrong second send to show up
    expect((await smtp.received()).length).toBe(RUNS);
    expect(new Set(received.map((m) => m.mail.messageId)).size).toBe(RUNS);

    mark('deliveries drained');
    // Each run made its own version; versions count 1…n per period with no duplicate and no gap.
    const done = await Promise.all(jobs.map(async (j) => ({ ...j, version: ((await queue.getJob(j.id))!.returnvalue as { snapshot: { version: number } }).snapshot.version })));
    const store = new S3Store({ bucket: s3.bucket, prefix: 'burst', client: s3.client(), redis: undefined, signer: null });
    for (const p of PERIODS) {
      const runs = done.filter((d) => d.period === p).map((d) => d.version).sort((x, y) => x - y);
      const expected = Array.from({ length: RUNS / PERIODS.length }, (_, i) => i + 1);
      expect(runs, p).toEqual(expected);
      expect(await store.versions(fx.id, p), p).toEqual(expected);
    }
    const snapshots = await store.list(fx.id);
    expect(snapshots).toHaveLength(RUNS);
    const logs = await Promise.all(snapshots.map(async (s) => ({ s, accepted: (await store.readDeliveries(s)).filter((e) => e['state'] === 'accepted') })));
    for (const { s, accepted } of logs) expect(accepted.map((e) => e['address']), `${s.period}/v${s.version}`).toEqual(['leader@example.org']);
    mark('versions and delivery logs checked');
    const verify = await store.verify({ report: fx.id });
    mark('verified');
    expect(verify.findings.filter((f) => f.severity === 'problem')).toEqual([]);
  }, 240_000);
});
