import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { periodId } from '../../worker/domain/period.ts';
import { periodForFire } from '../../worker/domain/schedule.ts';
import { BRIEFINGS_QUEUE, JOB_NAME, JOB_OPTIONS, type BriefingProgress } from '../../worker/queue/briefing-job.ts';
import { ROOT, runCli, tempDir } from '../support/cli.ts';
import { fixtureReport } from '../support/fixture-report.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { until as poll } from '../support/wait.ts';

/** Real processes start slower than in-process workers: a longer default wait. */
const until = <T,>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 45_000) => poll(what, fn, timeoutMs, 150);

const children: ChildProcess[] = [];

/** `jibao start` as its own process, as operators run it. */
function startJibao(roles: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/jibao.js'), 'start', '--roles', roles], {
    env: { ...process.env, SMTP_URL: '', JIBAO_LOG_LEVEL: 'warn', JIBAO_STALLED_INTERVAL_MS: '1000', JIBAO_LOCK_DURATION_MS: '3000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  Object.defineProperty(child, 'output', { get: () => output });
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Exactly one snapshot version, and (deliveries run on their own queue) one send to the recipient. */
async function expectOneVersionDeliveredOnce(periodDir: string): Promise<void> {
  expect((await readdir(periodDir)).filter((n) => /^v\d+$/.test(n))).toEqual(['v1']);
  const sent = await until('the delivery to be logged', async () => {
    const log = await readFile(path.join(periodDir, 'v1.deliveries.jsonl'), 'utf8').catch(() => '');
    const lines = log.split('\n').filter(Boolean);
    return lines.some((l) => JSON.parse(l).status === 'sent') ? lines : undefined;
  });
  await new Promise((r) => setTimeout(r, 500)); // time for a wrong second send to show up
  const again = (await readFile(path.join(periodDir, 'v1.deliveries.jsonl'), 'utf8')).split('\n').filter(Boolean);
  expect(again).toEqual(sent);
  expect(sent.map((l) => `${JSON.parse(l).state} ${JSON.parse(l).address}`)).toEqual(['intent leader@example.org', 'accepted leader@example.org']);
}

describe('processes: schedulers, workers, SIGKILL (real Redis, real `jibao start`)', () => {
  let redis: TestRedis;
  let client: Redis;
  let queue: Queue;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue(BRIEFINGS_QUEUE, { connection: client });
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map(stop));
  });
  afterAll(async () => {
    await queue?.close();
    client?.disconnect();
    await redis?.stop();
  });

  it('two scheduler processes and a fire every two seconds → exactly one job and one snapshot', async () => {
    const period = periodForFire(new Date(), 'Asia/Shanghai', 'previous-quarter');
    const fx = await fixtureReport({ id: `twice-${period.year}`, year: period.year, cron: '*/2 * * * * *' });
    await fx.writeFigures(period);
    const archive = await tempDir('p-archive');
    const env = { REDIS_URL: redis.url, JIBAO_JOBS_DIR: fx.jobsDir, JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: await tempDir('p-outbox') };
    startJibao('scheduler', env);
    startJibao('scheduler', env);
    startJibao('worker', env);
    const id = `scheduled_${fx.id}_${periodId(period)}`;
    await until('the scheduled job to complete', async () => (await (await queue.getJob(id))?.getState()) === 'completed');
    await new Promise((r) => setTimeout(r, 4500)); // two more fires of each scheduler
    const jobs = (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).filter((j) => j.data.report === fx.id);
    expect(jobs.map((j) => j.id)).toEqual([id]);
    await expectOneVersionDeliveredOnce(path.join(archive, fx.id, periodId(period)));
  }, 90_000);

  it('a worker killed with SIGKILL mid-render: another worker completes the job; one complete snapshot, no partial files', async () => {
    const fx = await fixtureReport({ id: 'killed-2023', year: 2023, indicators: 2500 });
    await fx.writeFigures({ kind: 'quarter', year: 2023, quarter: 3, month: 9 });
    const archive = await tempDir('k-archive');
    const env = { REDIS_URL: redis.url, JIBAO_JOBS_DIR: fx.jobsDir, JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: await tempDir('k-outbox') };
    const first = startJibao('worker', env);
    const id = 'rerun_killed-2023_2023Q3_1';
    await queue.add(JOB_NAME, { report: 'killed-2023', period: '2023Q3', trigger: { kind: 'cli', by: 'staff' } }, { ...JOB_OPTIONS, jobId: id });
    await until('the render to start', async () => ((await queue.getJob(id))?.progress as BriefingProgress | undefined)?.stage === 'rendering');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(await readdir(path.join(archive, 'killed-2023/2023Q3')).catch(() => [])).toEqual([]); // nothing archived by the killed worker
    startJibao('worker', env);
    await until('another worker to complete the job', async () => (await (await queue.getJob(id))?.getState()) === 'completed', 60_000);
    const job = (await queue.getJob(id))!;
    expect(job.returnvalue).toMatchObject({ snapshot: { version: 1 }, reused: false });
    await expectOneVersionDeliveredOnce(path.join(archive, 'killed-2023/2023Q3'));
    expect(await readdir(path.join(archive, '.tmp'))).toEqual([]);
  }, 120_000);

  it('`jibao rerun --wait` shows the stages and the result; SIGTERM stops the worker cleanly', async () => {
    const fx = await fixtureReport({ id: 'rerun-2023', year: 2023 });
    await fx.writeFigures({ kind: 'quarter', year: 2023, quarter: 2, month: 6 });
    const archive = await tempDir('r-archive');
    const env = { REDIS_URL: redis.url, JIBAO_JOBS_DIR: fx.jobsDir, JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: await tempDir('r-outbox'), JIBAO_USER: '王芳' };
    const worker = startJibao('worker', { ...env, JIBAO_LOG_LEVEL: 'info' });
    const r = await runCli(['rerun', '-r', 'rerun-2023', '-p', '2023Q2', '--note', '更正数据', '--no-send', '--wait'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^queued rerun_rerun-2023_2023Q2_/m);
    expect(r.stdout).toMatch(/\] +50% rendering$/m);
    expect(r.stdout).toMatch(/^snapshot .*rerun-2023\/2023Q2\/v1 \(version 1\)$/m);
    const bad = await runCli(['rerun', '-r', 'nope-2023', '-p', '2023Q2'], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no such report "nope-2023"');
    const exited = new Promise<number | null>((res) => worker.once('exit', (code) => res(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((worker as ChildProcess & { output: string }).output).toContain('"msg":"worker stopped"');
  }, 60_000);
});
