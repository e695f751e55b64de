import path from 'node:path';
import { readdir } from 'node:fs/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { quarterPeriod } from '../../worker/domain/period.ts';
import { LockLostError, runBriefing, type Fence, type RunOptions } from '../../worker/pipeline/run.ts';
import { settingsFromEnv, type Settings } from '../../worker/config/settings.ts';
import { renderInProcess, type Renderer } from '../../worker/render/renderer.ts';
import { BRIEFINGS_QUEUE, JOB_NAME, JOB_OPTIONS, type BriefingProgress } from '../../worker/queue/briefing-job.ts';
import { jobFence } from '../../worker/queue/fence.ts';
import { tempDir } from '../support/cli.ts';
import { fixtureReport } from '../support/fixture-report.ts';
import { killHard, logLines, startJibao, type JibaoProcess } from '../support/jibao-process.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';
import { until } from '../support/wait.ts';

const versionsIn = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).filter((n) => /^v\d+$/.test(n)).sort();

describe('a job that lost its lock cannot archive or send (real Redis)', () => {
  let redis: TestRedis;
  let client: Redis;
  let queue: Queue;
  let smtp: TestSmtp;
  const procs: JibaoProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue(BRIEFINGS_QUEUE, { connection: client });
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await Promise.all(procs.splice(0).map(killHard));
  });
  afterAll(async () => {
    await queue?.close();
    client?.disconnect();
    await redis?.stop();
    await smtp?.stop();
  });

  const lockOf = (id: string) => `bull:${BRIEFINGS_QUEUE}:${id}:lock`;

  it('the snapshot version is claimed once per job; only the lock holder may claim, move the claim or pass a check', async () => {
    const job = await queue.add(JOB_NAME, { report: 'claim-2023', period: '2023Q3', trigger: { kind: 'cli', by: 'test' } }, { jobId: 'claim_1', delay: 60_000 });
    await client.set(lockOf('claim_1'), 'token-a');
    const a = jobFence(client, job, 'token-a', 5000);
    const b = jobFence(client, job, 'token-b', 5000);
    expect(await a.claimVersion(3)).toBe(3);
    await a.check('archive');
    await expect(b.claimVersion(7)).rejects.toMatchObject({ code: 'LOCK_LOST', step: 'claim' });
    await client.set(lockOf('claim_1'), 'token-b'); // A's lock expired; B took the job
    await expect(a.check('archive')).rejects.toBeInstanceOf(LockLostError);
    await expect(a.check('deliver')).rejects.toMatchObject({ code: 'LOCK_LOST', step: 'deliver' });
    expect(await b.claimVersion(7)).toBe(3); // the first claim sticks: B can only write the same version
    await expect(a.reclaimVersion(3, 4)).rejects.toMatchObject({ code: 'LOCK_LOST' });
    expect(await b.reclaimVersion(3, 4)).toBe(4);
    expect(await b.reclaimVersion(3, 5)).toBe(4); // moved only from the version it was at
  });

  it('an attempt that passed its last check and then stalled before writing cannot add a second version', async () => {
    const fx = await fixtureReport({ id: 'toctou-2023', year: 2023 });
    await fx.writeFigures(quarterPeriod(2023, 3));
    const settings: Settings = { ...settingsFromEnv({}), jobsDir: fx.jobsDir, archiveDir: await tempDir('f-archive'), outboxDir: await tempDir('f-outbox') };
    const id = 'rerun_toctou-2023_2023Q3_1';
    const job = await queue.add(JOB_NAME, { report: fx.id, period: '2023Q3', trigger: { kind: 'cli', by: 'test' } }, { jobId: id, delay: 60_000 });
    const opts: RunOptions = { reportId: fx.id, period: quarterPeriod(2023, 3), send: false, trigger: { kind: 'cli', by: 'test', jobId: id } };
    await client.set(lockOf(id), 'token-a');
    // A's checks pass (it checked, then froze before the rename): only the claimed version can stop it.
    const a: Fence = { ...jobFence(client, job, 'token-a', 5000), check: async () => undefined };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let rendering!: () => void;
    const started = new Promise<void>((r) => (rendering = r));
    const frozenRender: Renderer = async (input) => {
      rendering();
      await gate;
      return renderInProcess(input);
    };
    const first = runBriefing(opts, settings, { render: frozenRender, fence: a });
    await started;
    await client.set(lockOf(id), 'token-b'); // A's lock expired, B took the job and finishes it
    const second = await runBriefing(opts, settings, { fence: jobFence(client, job, 'token-b', 5000) });
    expect(second).toMatchObject({ kind: 'done', snapshot: { version: 1 } });
    release();
    const late = await first;
    expect(late).toMatchObject({ kind: 'done', snapshot: { version: 1 } }); // B's snapshot, found by job id
    expect(await versionsIn(path.join(settings.archiveDir, fx.id, '2023Q3'))).toEqual(['v1']);
  });

  it('a worker paused past its lock (SIGSTOP) and resumed after another finished the job: one version, one email', async () => {
    const fx = await fixtureReport({ id: 'paused-2023', year: 2023, indicators: 400 });
    await fx.writeFigures(quarterPeriod(2023, 3));
    const archive = await tempDir('p-archive');
    const env = { REDIS_URL: redis.url, JIBAO_JOBS_DIR: fx.jobsDir, JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: await tempDir('p-outbox'), SMTP_URL: smtp.url };
    const paused = startJibao('worker', env);
    procs.push(paused);
    await until('the first worker to start', async () => logLines(paused).some((l) => l['msg'] === 'worker started'), 20_000, 50);
    const id = 'rerun_paused-2023_2023Q3_1';
    await queue.add(JOB_NAME, { report: fx.id, period: '2023Q3', trigger: { kind: 'cli', by: 'staff' } }, { ...JOB_OPTIONS, jobId: id });
    await until('the job to be taken', async () => (await (await queue.getJob(id))?.getState()) === 'active', 10_000, 20);
    procs.push(startJibao('worker', env)); // starts while the first one works on the job
    await until('the render to start', async () => ((await queue.getJob(id))?.progress as BriefingProgress | undefined)?.stage === 'rendering', 20_000, 20);
    paused.kill('SIGSTOP'); // a VM pause or a long GC, mid-render
    await until('the other worker to complete the job', async () => (await (await queue.getJob(id))?.getState()) === 'completed', 30_000);
    expect((await queue.getJob(id))!.returnvalue).toMatchObject({ snapshot: { version: 1 }, reused: false }); // the paused worker had archived nothing
    const toLeader = async () => (await smtp.received()).filter((m) => m.envelope.to.includes('leader@example.org'));
    await until('the email', async () => (await toLeader()).length > 0, 10_000);
    paused.kill('SIGCONT');
    const periodDir = path.join(archive, fx.id, '2023Q3');
    // The resumed worker either stops (fenced) or, unfenced, writes v2 and mails it.
    await until('the resumed worker to stop or to archive', async () => logLines(paused).some((l) => l['code'] === 'LOCK_LOST') || (await versionsIn(periodDir)).length > 1, 20_000);
    await new Promise((r) => setTimeout(r, 1000)); // time for a wrong second email to arrive
    expect(await versionsIn(periodDir)).toEqual(['v1']);
    expect(await toLeader()).toHaveLength(1);
    expect(logLines(paused).find((l) => l['code'] === 'LOCK_LOST')).toMatchObject({ jobId: id, step: expect.stringMatching(/^(archive|deliver|claim)$/) });
  }, 90_000);
});
