import path from 'node:path';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { simpleParser } from 'mailparser';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../worker/log.ts';
import { settingsFromEnv, type Settings } from '../../worker/config/settings.ts';
import { BRIEFINGS_QUEUE, JOB_NAME, JOB_OPTIONS } from '../../worker/queue/briefing-job.ts';
import { startBriefingWorker, type RunningWorker } from '../../worker/queue/briefing-worker.ts';
import { tempDir } from '../support/cli.ts';
import { fixtureReport } from '../support/fixture-report.ts';
import { pdfPages } from '../support/pdf.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { until } from '../support/wait.ts';

/**
 * One worker, one render thread, a render memory budget of 160 MB: an absurd figure renders
 * (bounded chart), a render over budget fails once with its code and alerts, and the job queued
 * behind it still completes.
 */
describe('a runaway render on the queue', () => {
  let redis: TestRedis;
  let client: Redis;
  let queue: Queue;
  let worker: RunningWorker;
  let settings: Settings;
  let jobsDir: string;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue(BRIEFINGS_QUEUE, { connection: client });
    // Three reports in one jobs folder: ordinary, one absurd figure, and 3000 indicators (a render far over 160 MB).
    const small = await fixtureReport({ id: 'calm-2023', year: 2023 });
    jobsDir = small.jobsDir;
    for (const [id, indicators] of [['absurd-2023', 2], ['huge-2023', 3000]] as const) {
      const fx = await fixtureReport({ id, year: 2023, indicators });
      await cp(path.join(fx.jobsDir, id), path.join(jobsDir, id), { recursive: true });
    }
    for (const id of ['calm-2023', 'absurd-2023', 'huge-2023']) {
      const n = id === 'huge-2023' ? 3000 : 2;
      // The absurd figure is marked 确认 (confirmed): the scale check lets it through, and the render must still be bounded.
      const rows = Array.from({ length: n }, (_, i) => `测试指标${i},2023Q3,${id === 'absurd-2023' && i === 0 ? '200000000' : (50 + (i % 40)).toFixed(1)},,,,2023-10-20,区统计局,${id === 'absurd-2023' && i === 0 ? '是' : ''}`);
      await writeFile(path.join(jobsDir, id, 'figures/2023Q3.csv'), ['指标,期间,累计值,同比增长,状态,备注,数据截至,来源,确认', ...rows].join('\n') + '\n');
    }
    settings = { ...settingsFromEnv({}), jobsDir, archiveDir: await tempDir('rr-archive'), outboxDir: await tempDir('rr-outbox'), renderTimeoutMs: 60_000, renderMaxMb: 160 };
    worker = startBriefingWorker({ redisUrl: redis.url, settings, log: createLogger({}, new Writable({ write: (_c, _e, cb) => cb() })), renderThreads: 1, concurrency: 1, stalledIntervalMs: 1000 });
  });
  afterAll(async () => {
    await worker?.close(5000);
    await queue?.close();
    client?.disconnect();
    await redis?.stop();
  });

  const finished = (id: string, timeoutMs = 60_000) =>
    until(
      `job ${id} to finish`,
      async () => {
        const job = await queue.getJob(id);
        const state = await job?.getState();
        // Fetched again: the job read before its state may predate its result.
        return state === 'completed' || state === 'failed' ? { job: (await queue.getJob(id)) as Job, state } : undefined;
      },
      timeoutMs,
    );
  const add = (report: string, id: string) => queue.add(JOB_NAME, { report, period: '2023Q3', trigger: { kind: 'cli', by: 'test' }, send: false }, { ...JOB_OPTIONS, jobId: id });

  it('an absurd figure renders in bounded time, its real completion printed on the chart', async () => {
    await add('absurd-2023', 'rerun_absurd-2023_2023Q3_1');
    const { job, state } = await finished('rerun_absurd-2023_2023Q3_1');
    expect(job.failedReason ?? '').toBe('');
    expect(state).toBe('completed');
    const pdf = await readFile(path.join(settings.archiveDir, 'absurd-2023/2023Q3/v1/briefing.pdf'));
    expect((await pdfPages(pdf)).join('')).toContain('2.0e+8%'); // 200000000 of a target of 100
  }, 90_000);

  it('a render over its budget fails once with RENDER_MEMORY and alerts; the job queued after it completes', async () => {
    await add('huge-2023', 'rerun_huge-2023_2023Q3_1');
    await add('calm-2023', 'rerun_calm-2023_2023Q3_1');
    const { job, state } = await finished('rerun_huge-2023_2023Q3_1');
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1); // deterministic: not retried
    expect(job.failedReason).toMatch(/^RENDER_MEMORY\b/);
    const alert = await until('the operator alert', async () => (await readdir(settings.outboxDir)).find((f) => f.includes('alert.huge-2023') && f.endsWith('.eml'))); // not the .tmp before its rename
    const mail = await simpleParser(await readFile(path.join(settings.outboxDir, alert)));
    expect(mail.to).toMatchObject({ text: 'ops@example.org' });
    expect(mail.text).toContain('RENDER_MEMORY');
    expect(await readdir(path.join(settings.archiveDir)).then((d) => d.includes('huge-2023'))).toBe(false); // nothing archived

    const calm = await finished('rerun_calm-2023_2023Q3_1');
    expect(calm.job.failedReason ?? '').toBe('');
    expect(calm.state).toBe('completed');
    expect(calm.job.returnvalue).toMatchObject({ snapshot: { report: 'calm-2023', version: 1 } });
  }, 120_000);
});
