import path from 'node:path';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJobDefinition } from '../../worker/config/job-definition.ts';
import { quarterPeriod } from '../../worker/domain/period.ts';
import { createLogger } from '../../worker/log.ts';
import { settingsFromEnv, type Settings } from '../../worker/config/settings.ts';
import { BRIEFINGS_QUEUE, JOB_NAME, JOB_OPTIONS, scheduledJobId } from '../../worker/queue/briefing-job.ts';
import { startBriefingWorker, type RunningWorker } from '../../worker/queue/briefing-worker.ts';
import { Scheduler } from '../../worker/queue/scheduler.ts';
import { tempDir } from '../support/cli.ts';
import { fixtureReport } from '../support/fixture-report.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { until } from '../support/wait.ts';

/** Captures pino's JSON lines so tests can assert what was logged. */
function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { log: createLogger({}, stream), lines };
}

describe('queue and scheduler on a real Redis', () => {
  let redis: TestRedis;
  let client: Redis;
  let queue: Queue;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue(BRIEFINGS_QUEUE, { connection: client });
  });
  afterAll(async () => {
    await queue?.close();
    client?.disconnect();
    await redis?.stop();
  });

  const settingsFor = async (jobsDir: string): Promise<Settings> => ({
    ...settingsFromEnv({}),
    jobsDir,
    archiveDir: await tempDir('q-archive'),
    outboxDir: await tempDir('q-outbox'),
  });

  it('one job per report × period, however many schedulers fire and restart', async () => {
    const fx = await fixtureReport({ id: 'dedup-2023', year: 2023 });
    const def = await loadJobDefinition(fx.jobsDir, fx.id);
    const { log } = captureLog();
    const fire = new Date('2023-10-20T01:00:00Z'); // 09:00 Beijing time → 2023Q3
    const a = new Scheduler({ jobs: [def], queue, redis: client, log, clock: () => fire });
    const b = new Scheduler({ jobs: [def], queue, redis: client, log, clock: () => fire });
    const outcomes = await Promise.all([a.fire(def, fire), b.fire(def, fire), a.fire(def, new Date(fire.getTime() + 1000))]);
    expect(outcomes.filter((o) => o === 'enqueued').length).toBeGreaterThanOrEqual(1);
    const restarted = new Scheduler({ jobs: [def], queue, redis: client, log, clock: () => fire });
    expect(await restarted.fire(def, fire)).toBe('duplicate');
    const jobs = (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).filter((j) => j.data.report === 'dedup-2023');
    expect(jobs.map((j) => j.id)).toEqual([scheduledJobId('dedup-2023', '2023Q3')]);
    // Whichever of the racing fires won, the deadline is an hour (give_up_after_hours) after its fire.
    expect(jobs[0]!.data).toMatchObject({ period: '2023Q3', trigger: { kind: 'schedule' }, waitUntil: expect.stringMatching(/^2023-10-20T02:00:0[01]\.000Z$/) });
    // A fire in another year than the report's is not run.
    expect(await a.fire(def, new Date('2025-10-20T01:00:00Z'))).toBe('outside-year');
  });

  it('catches up a fire missed within the window once, and logs an older one', async () => {
    const fx = await fixtureReport({ id: 'catchup-2023', year: 2023, catchUpHours: 48 });
    const def = await loadJobDefinition(fx.jobsDir, fx.id);
    const { log, lines } = captureLog();
    const fire = new Date('2023-07-20T01:00:00Z');
    const s = new Scheduler({ jobs: [def], queue, redis: client, log, clock: () => fire });
    await s.catchUp(new Date(fire.getTime() + 5 * 3600_000));
    await s.catchUp(new Date(fire.getTime() + 6 * 3600_000)); // a second restart: nothing more
    expect(lines.filter((l) => l['msg'] === 'caught up a missed fire')).toHaveLength(1);
    expect((await queue.getJob(scheduledJobId('catchup-2023', '2023Q2')))?.data.period).toBe('2023Q2');
    await s.catchUp(new Date('2023-10-25T01:00:00Z')); // the 2023-10-20 fire is 5 days old: outside 48 h
    expect(lines.find((l) => l['msg']?.toString().startsWith('missed fire outside the catch-up window'))).toMatchObject({ report: 'catchup-2023', period: '2023Q3' });
    expect(await queue.getJob(scheduledJobId('catchup-2023', '2023Q3'))).toBeUndefined();
  });

  describe('with a worker', () => {
    let worker: RunningWorker;
    let settings: Settings;
    let fx: Awaited<ReturnType<typeof fixtureReport>>;
    const { log } = captureLog();

    beforeAll(async () => {
      fx = await fixtureReport({ id: 'work-2023', year: 2023, retryEverySeconds: 1 });
      settings = await settingsFor(fx.jobsDir);
      worker = startBriefingWorker({ redisUrl: redis.url, settings, log, renderThreads: 1, stalledIntervalMs: 1000 });
    });
    afterAll(() => worker?.close(5000));

    // The state before the job: a job read just before it failed would have no failure reason yet.
    const finished = (id: string) => until(`job ${id} to finish`, async () => {
      const state = await queue.getJobState(id);
      const job = await queue.getJob(id);
      return state === 'completed' || state === 'failed' ? { job: job as Job, state } : undefined;
    });

    it('waits for figures that are not ready, then completes when they appear, reporting stages', async () => {
      const now = Date.now();
      const id = 'scheduled_work-2023_2023Q1';
      await queue.add(JOB_NAME, { report: 'work-2023', period: '2023Q1', trigger: { kind: 'schedule', by: 'test' }, waitUntil: new Date(now + 60_000).toISOString(), retryEverySeconds: 1 }, { ...JOB_OPTIONS, jobId: id });
      await until('the job to be delayed', async () => (await (await queue.getJob(id))?.getState()) === 'delayed');
      expect((await queue.getJob(id))!.data.lastNotReady).toMatch(/no figures for 2023Q1/);
      await fx.writeFigures(quarterPeriod(2023, 1));
      const { job, state } = await finished(id);
      expect(job.failedReason ?? '').toBe('');
      expect(state).toBe('completed');
      expect(job.progress).toEqual({ stage: 'done', percent: 100 });
      expect(job.returnvalue).toMatchObject({
        snapshot: { report: 'work-2023', period: '2023Q1', version: 1 },
        delivery: { kind: 'queued', recipients: [{ address: 'leader@example.org', state: 'queued' }] },
        deliveries: 1,
        reused: false,
      });
      const manifest = JSON.parse(await readFile(path.join(settings.archiveDir, 'work-2023/2023Q1/v1/manifest.json'), 'utf8'));
      expect(manifest.trigger).toMatchObject({ kind: 'schedule', jobId: id });
    });

    it('fails a job with bad figures at once, with the reason, and alerts the operators', async () => {
      await writeFile(path.join(fx.figuresDir, '2023Q2.csv'), '指标,期间,累计值\n不存在的指标,2023Q2,1\n');
      const id = 'scheduled_work-2023_2023Q2';
      await queue.add(JOB_NAME, { report: 'work-2023', period: '2023Q2', trigger: { kind: 'schedule', by: 'test' } }, { ...JOB_OPTIONS, jobId: id });
      const { job, state } = await finished(id);
      expect(state).toBe('failed');
      expect(job.attemptsMade).toBe(1); // not retried: retrying cannot fix the figures
      // The failure record: the code first, then each issue in Chinese with file, row and column.
      expect(job.failedReason).toMatch(/^FIGURE_UNKNOWN_INDICATOR: /);
      expect(job.failedReason).toMatch(/2023Q2\.csv，第 2 行，“指标”列：没有名为“不存在的指标”的指标或任务.*\[FIGURE_UNKNOWN_INDICATOR\]/);
      const alert = await until('the operator alert', async () => {
        const files = (await readdir(settings.outboxDir).catch(() => [])).filter((f) => f.includes('alert.work-2023') && f.endsWith('.eml')); // not the .eml.tmp before its rename
        return files[0];
      });
      const eml = await readFile(path.join(settings.outboxDir, alert), 'utf8');
      expect(eml).toMatch(/^To: ops@example\.org/m);
      expect(eml).toContain('=?UTF-8?'); // Chinese subject, encoded
    });

    it('fails an ad-hoc run whose figures are not there, without waiting', async () => {
      const id = 'rerun_work-2023_2023Q4_1';
      await queue.add(JOB_NAME, { report: 'work-2023', period: '2023Q4', trigger: { kind: 'cli', by: 'staff' } }, { ...JOB_OPTIONS, jobId: id });
      const { job, state } = await finished(id);
      expect(state).toBe('failed');
      expect(job.failedReason).toMatch(/^figures not ready: no figures for 2023Q4/);
    });
  });

  it('a worker waiting on a Redis that restarts reconnects and takes the next job', async () => {
    const own = await startRedis();
    const fx = await fixtureReport({ id: 'restart-2023', year: 2023 });
    const settings = await settingsFor(fx.jobsDir);
    await fx.writeFigures(quarterPeriod(2023, 3));
    const { log } = captureLog();
    const worker = startBriefingWorker({ redisUrl: own.url, settings, log, renderThreads: 0 });
    await worker.worker.waitUntilReady();
    // Restart Redis on the same port while the worker is blocked waiting for jobs.
    await own.restart();
    const c = new Redis(own.url, { maxRetriesPerRequest: null });
    const q = new Queue(BRIEFINGS_QUEUE, { connection: c });
    await q.add(JOB_NAME, { report: 'restart-2023', period: '2023Q3', trigger: { kind: 'cli', by: 'staff' }, send: false }, { jobId: 'after-restart' });
    const state = await until('the job after the restart', async () => {
      const s = await (await q.getJob('after-restart'))?.getState();
      return s === 'completed' || s === 'failed' ? s : undefined;
    }, 30_000);
    expect(state).toBe('completed');
    await worker.close(5000);
    await q.close();
    c.disconnect();
    await own.stop();
  }, 60_000);
});
