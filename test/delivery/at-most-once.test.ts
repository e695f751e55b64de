import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readDeliveryLog } from '../../worker/delivery/deliver.ts';
import { createLogger } from '../../worker/log.ts';
import { settingsFromEnv, type Settings } from '../../worker/config/settings.ts';
import { startBriefingWorker, type RunningWorker } from '../../worker/queue/briefing-worker.ts';
import { DELIVERIES_QUEUE, DELIVERY_JOB_NAME, DELIVERY_JOB_OPTIONS } from '../../worker/queue/delivery-job.ts';
import { deliveryProcessor } from '../../worker/queue/delivery-processor.ts';
import { ROOT, runCli, tempDir } from '../support/cli.ts';
import { killHard, logLines, startJibao, type JibaoProcess } from '../support/jibao-process.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';
import { until } from '../support/wait.ts';
import { FolderStore } from '../../worker/archive/folder-store.ts';

const quiet = createLogger({}, { write: () => true } as never);
const LEADER = 'leader@example.org';

/** An archived Q3 snapshot made by the real CLI, with no email sent yet. */
async function snapshotWithoutMail(): Promise<Settings> {
  const archive = await tempDir('m-archive');
  const r = await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q3', '--no-send'], { env: { JIBAO_ARCHIVE_DIR: archive } });
  expect(r.code).toBe(0);
  return { ...settingsFromEnv({}), jobsDir: path.join(ROOT, 'jobs'), archiveDir: archive, outboxDir: await tempDir('m-outbox') };
}

const snapshotOf = (s: Settings) => new FolderStore(s.archiveDir).read('yuquan-2023', '2023Q3', 1);

describe('a send is counted once the server accepted it (real Redis, real SMTP server process)', () => {
  let redis: TestRedis;
  let client: Redis;
  let queue: Queue;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue(DELIVERIES_QUEUE, { connection: client });
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await queue?.close();
    client?.disconnect();
    await redis?.stop();
  });

  const settle = (id: string, timeoutMs = 15_000) =>
    until(`delivery job ${id} to settle`, async () => {
      const job = await queue.getJob(id);
      const state = await job?.getState();
      // Fetched again: the job read before its state may predate its result.
      return state === 'completed' || state === 'failed' ? { job: (await queue.getJob(id)) as Job, state } : undefined;
    }, timeoutMs);

  const addDelivery = (jobId: string, backoffMs = 200) =>
    queue.add(DELIVERY_JOB_NAME, { report: 'yuquan-2023', period: '2023Q3', version: 1, address: LEADER, kind: 'to', headers: { to: [LEADER], cc: [] } }, { ...DELIVERY_JOB_OPTIONS, backoff: { type: 'fixed', delay: backoffMs }, jobId });

  async function inProcessWorker(settings: Settings, smtp: TestSmtp): Promise<RunningWorker> {
    // The same stalled interval as the worker processes: the stalled check's throttle key is shared.
    const w = startBriefingWorker({ redisUrl: redis.url, settings: { ...settings, smtpUrl: smtp.url }, log: quiet, renderThreads: 0, stalledIntervalMs: 1000 });
    cleanup.push(() => w.close(5000));
    return w;
  }

  it('the delivery log cannot be written after the 250 (a real EISDIR): not sent again, and the retry records the acceptance', async () => {
    const settings = await snapshotWithoutMail();
    const log = path.join(settings.archiveDir, 'yuquan-2023/2023Q3/v1.deliveries.jsonl');
    await writeFile(log, '');
    // The fault: while the server holds the message, it swaps the log file for a folder (for 1.5 s).
    const smtp = await startSmtp({ breakLog: log, breakLogMs: 1500 });
    cleanup.push(() => smtp.stop());
    await inProcessWorker(settings, smtp);
    await addDelivery('record-fails');
    const { job, state } = await settle('record-fails');
    expect(state).toBe('completed');
    expect(job.attemptsMade).toBeGreaterThanOrEqual(2); // the record was retried...
    const got = (await smtp.received()).filter((m) => m.envelope.to.includes(LEADER));
    expect(got).toHaveLength(1); // ...the send was not
    const records = (await readDeliveryLog(await snapshotOf(settings))).filter((r) => r.address === LEADER);
    expect(records.map((r) => r.state)).toEqual(['intent', 'accepted']);
    expect(records[1]).toMatchObject({ status: 'sent', messageId: got[0]!.mail.messageId, contentDigest: expect.stringMatching(/^[0-9a-f]{64}$/) });
  }, 30_000);

  it('a delivery attempt that no longer holds its lock sends nothing and logs nothing', async () => {
    const settings = await snapshotWithoutMail();
    const smtp = await startSmtp();
    cleanup.push(() => smtp.stop());
    const job = await queue.add(DELIVERY_JOB_NAME, { report: 'yuquan-2023', period: '2023Q3', version: 1, address: LEADER, kind: 'to', headers: { to: [LEADER], cc: [] } }, { jobId: 'lost-lock', delay: 60_000 });
    await client.set(`bull:${DELIVERIES_QUEUE}:lost-lock:lock`, 'the-other-workers-token');
    const processor = deliveryProcessor({ ...settings, smtpUrl: smtp.url }, quiet);
    await expect(processor(job, 'my-expired-token')).rejects.toMatchObject({ code: 'LOCK_LOST', step: 'send' });
    expect(await smtp.received()).toHaveLength(0);
    expect(await readDeliveryLog(await snapshotOf(settings))).toEqual([]);
  }, 20_000);

  it('a connection cut after the data, twice: one resend with the same Message-ID, never a third copy; DELIVERY_UNCONFIRMED', async () => {
    const settings = await snapshotWithoutMail();
    const smtp = await startSmtp({ drop: 2 });
    cleanup.push(() => smtp.stop());
    await inProcessWorker(settings, smtp);
    await addDelivery('cut-twice');
    const { job, state } = await settle('cut-twice');
    expect(state).toBe('failed');
    expect(job.failedReason).toMatch(/^DELIVERY_UNCONFIRMED/);
    await new Promise((r) => setTimeout(r, 500));
    const got = (await smtp.received()).filter((m) => m.envelope.to.includes(LEADER));
    expect(got).toHaveLength(2);
    expect(new Set(got.map((g) => g.mail.messageId)).size).toBe(1); // clients that fold duplicates show one
    const records = (await readDeliveryLog(await snapshotOf(settings))).filter((r) => r.address === LEADER);
    expect(records.map((r) => `${r.state}${r.resend ? ' resend' : ''}`)).toEqual(['intent', 'intent resend']);
  }, 30_000);

  it('a worker killed while the server holds its 250: the retry resends once with the same Message-ID and records it', async () => {
    const settings = await snapshotWithoutMail();
    const smtp = await startSmtp({ holdMs: 2500 });
    cleanup.push(() => smtp.stop());
    const env = { REDIS_URL: redis.url, JIBAO_JOBS_DIR: settings.jobsDir, JIBAO_ARCHIVE_DIR: settings.archiveDir, JIBAO_OUTBOX_DIR: settings.outboxDir, SMTP_URL: smtp.url };
    const first = startJibao('worker', env);
    const procs: JibaoProcess[] = [first];
    cleanup.push(() => Promise.all(procs.map(killHard)));
    await until('the worker to start', async () => logLines(first).some((l) => l['msg'] === 'worker started'), 20_000, 50);
    await addDelivery('killed-at-250', 200);
    const toLeader = async () => (await smtp.received()).filter((m) => m.envelope.to.includes(LEADER));
    await until('the server to hold the message', async () => (await toLeader()).length === 1, 15_000, 20);
    first.kill('SIGKILL'); // the server has the message; its 250 will find no one
    procs.push(startJibao('worker', env)); // takes the job once its lock has expired
    const { job, state } = await settle('killed-at-250', 20_000);
    expect(state).toBe('completed');
    const got = await toLeader();
    expect(got).toHaveLength(2);
    expect(got[1]!.mail.messageId).toBe(got[0]!.mail.messageId);
    expect(job.returnvalue).toMatchObject({ outcome: 'sent', record: { resend: true } });
    const records = (await readDeliveryLog(await snapshotOf(settings))).filter((r) => r.address === LEADER);
    expect(records.map((r) => `${r.state}${r.resend ? ' resend' : ''}`)).toEqual(['intent', 'intent resend', 'accepted resend']);
  }, 40_000);
});

