import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderStore } from '../../worker/archive/folder-store.ts';
import { loadJobDefinition } from '../../worker/config/job-definition.ts';
import { quarterPeriod } from '../../worker/domain/period.ts';
import { createLogger } from '../../worker/log.ts';
import { settingsFromEnv, type Settings } from '../../worker/config/settings.ts';
import { BRIEFINGS_QUEUE, JOB_NAME, JOB_OPTIONS } from '../../worker/queue/briefing-job.ts';
import { startBriefingWorker, type RunningWorker } from '../../worker/queue/briefing-worker.ts';
import { DELIVERIES_QUEUE } from '../../worker/queue/delivery-job.ts';
import { queueDeliveries } from '../../worker/queue/delivery-processor.ts';
import { tempDir } from '../support/cli.ts';
import { fixtureReport } from '../support/fixture-report.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';
import { until } from '../support/wait.ts';

const quiet = createLogger({}, { write: () => true } as never);
const LEADER = 'leader@example.org';

describe('a restored archive does not silence email (real Redis, real SMTP server process)', () => {
  let redis: TestRedis;
  let client: Redis;
  let briefings: Queue;
  let deliveries: Queue;
  let smtp: TestSmtp;
  let worker: RunningWorker;
  let settings: Settings;
  let fx: Awaited<ReturnType<typeof fixtureReport>>;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    briefings = new Queue(BRIEFINGS_QUEUE, { connection: client });
    deliveries = new Queue(DELIVERIES_QUEUE, { connection: client });
    smtp = await startSmtp();
    fx = await fixtureReport({ id: 'restore-2023', year: 2023 });
    await fx.writeFigures(quarterPeriod(2023, 3));
    settings = { ...settingsFromEnv({}), jobsDir: fx.jobsDir, archiveDir: await tempDir('rs-archive'), outboxDir: await tempDir('rs-outbox'), smtpUrl: smtp.url };
    worker = startBriefingWorker({ redisUrl: redis.url, settings, log: quiet, renderThreads: 0, stalledIntervalMs: 1000 });
  });
  afterAll(async () => {
    await worker?.close(5000);
    await briefings?.close();
    await deliveries?.close();
    client?.disconnect();
    await redis?.stop();
    await smtp?.stop();
  });

  const run = async (id: string) => {
    await briefings.add(JOB_NAME, { report: fx.id, period: '2023Q3', trigger: { kind: 'cli', by: 'staff' } }, { ...JOB_OPTIONS, jobId: id });
    return until(`job ${id}`, async () => {
      const state = await (await briefings.getJob(id))?.getState();
      return state === 'completed' || state === 'failed' ? ((await briefings.getJob(id)) as Job) : undefined;
    }, 30_000);
  };
  const toLeader = async () => (await smtp.received()).filter((m) => m.envelope.to.includes(LEADER));

  it('a version number reused after a restore is a new delivery; a skipped one is reported with its evidence, never as delivered', async () => {
    const first = await run('rerun_restore-2023_2023Q3_1');
    await until('the first email', async () => (await toLeader()).length === 1, 15_000);

    // Restore the archive from a backup taken before v1 existed: the report's folder, ledger included
    // (with its ledger left behind, the archive would never reuse v1). Snapshot folders are read-only.
    const periodDir = path.join(settings.archiveDir, fx.id);
    await promisify(execFile)('sh', ['-c', `chmod -R u+w "${periodDir}" && rm -rf "${periodDir}"`]);

    const second = await run('rerun_restore-2023_2023Q3_2');
    await until('the second email (the new v1)', async () => (await toLeader()).length === 2, 8000);
    expect(first.returnvalue).toMatchObject({ snapshot: { version: 1 }, delivery: { kind: 'queued', recipients: [{ address: LEADER, state: 'queued' }] } });
    expect(second.returnvalue).toMatchObject({ snapshot: { version: 1 }, delivery: { kind: 'queued', recipients: [{ address: LEADER, state: 'queued' }] }, deliveries: 1 });
    const [a, b] = await toLeader();
    expect(b!.mail.messageId).not.toBe(a!.mail.messageId); // other content, another message

    // Delivering the same snapshot again sends nothing and says so, with the acceptance as evidence.
    const snapshot = await new FolderStore(settings.archiveDir).read(fx.id, '2023Q3', 1);
    const job = await loadJobDefinition(fx.jobsDir, fx.id);
    await until('the acceptance to be logged', async () => (await (await deliveries.getJobs(['completed'])).length) >= 2, 10_000);
    const again = await queueDeliveries(settings, deliveries)(snapshot, job, { to: [LEADER], cc: [], bcc: [] });
    expect(again).toMatchObject({ kind: 'queued', jobs: 0, recipients: [{ address: LEADER, state: 'already-sent', evidence: { messageId: b!.mail.messageId, via: 'smtp' } }] });
    await new Promise((r) => setTimeout(r, 500));
    expect(await toLeader()).toHaveLength(2);
  }, 60_000);
});
