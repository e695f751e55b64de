import path from 'node:path';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokens, TokenConfigError } from '../../worker/api/auth.ts';
import { buildApi } from '../../worker/api/server.ts';
import { loadAllJobs } from '../../worker/config/job-definition.ts';
import { createLogger } from '../../worker/log.ts';
import { settingsFromEnv, type Settings } from '../../worker/config/settings.ts';
import { BRIEFINGS_QUEUE } from '../../worker/queue/briefing-job.ts';
import { startBriefingWorker, type RunningWorker } from '../../worker/queue/briefing-worker.ts';
import { DELIVERIES_QUEUE } from '../../worker/queue/delivery-job.ts';
import { Scheduler } from '../../worker/queue/scheduler.ts';
import { ROOT, runCli, tempDir } from '../support/cli.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';
import { until } from '../support/wait.ts';

const quiet = createLogger({}, { write: () => true } as never);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const REVIEWER = 'reviewer@example.org';
const RECIPIENTS = ['leadership@example.org', 'district-office@example.org'];
const T = {
  viewer: 'viewer-token-0123456789abcdef',
  staff: 'staff-token-0123456789abcdef',
  approver: 'approver-token-0123456789abcdef',
  otherApprover: 'other-approver-token-0123456789',
  admin: 'admin-token-0123456789abcdef',
};

describe('approver role and report-scoped tokens (parsing)', () => {
  it('reads approver and reports=r1|r2 beside email= and expires=, from the environment and the file format alike', () => {
    const [a, b] = loadTokens({ JIBAO_API_TOKENS: `approver:张主任:${T.approver}:reports=yuquan-2023|yuexiu-2023:expires=2099-01-01,staff:${T.staff}` });
    expect(a).toMatchObject({ role: 'approver', name: '张主任', reports: ['yuquan-2023', 'yuexiu-2023'], expires: '2099-01-01' });
    expect(b!.reports).toBeUndefined();
    expect(() => loadTokens({ JIBAO_API_TOKENS: `approver:x:${T.approver}:reports=../etc` })).toThrow(TokenConfigError);
  });
});

/** The queued path: scheduler, worker and API on a real Redis; a real SMTP server process. */
describe('review queued: scheduled and ad-hoc drafts, API approval through the deliveries queue, overdue alert once', () => {
  let redis: TestRedis;
  let client: Redis;
  let briefings: Queue;
  let deliveries: Queue;
  let smtp: TestSmtp;
  let worker: RunningWorker;
  let settings: Settings;
  let app: FastifyInstance;
  const received = (address: string) => smtp.received().then((all) => all.filter((m) => m.envelope.to.includes(address)));
  const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
  const runDone = async (runId: string) =>
    until(`run ${runId}`, async () => {
      const r = (await call('GET', `/api/runs/${runId}`, T.viewer)).json();
      if (r.state === 'failed') throw new Error(`run failed: ${r.error}`);
      return r.state === 'completed' ? (r as { snapshot: string }) : undefined;
    }, 60_000);

  beforeAll(async () => {
    redis = await startRedis();
    smtp = await startSmtp();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    briefings = new Queue(BRIEFINGS_QUEUE, { connection: client });
    deliveries = new Queue(DELIVERIES_QUEUE, { connection: client });
    settings = { ...settingsFromEnv({}), jobsDir: path.join(ROOT, 'jobs'), archiveDir: await tempDir('rq-archive'), outboxDir: await tempDir('rq-outbox'), smtpUrl: smtp.url };
    worker = startBriefingWorker({ redisUrl: redis.url, settings, log: quiet, renderThreads: 0 });
    const tokens = loadTokens({
      JIBAO_API_TOKENS: [
        `viewer:${T.viewer}`,
        `staff:王芳:${T.staff}`,
        `approver:张主任:${T.approver}:reports=yuquan-2023`,
        `approver:李主任:${T.otherApprover}:reports=yuexiu-2023`,
        `admin:${T.admin}`,
      ].join(','),
    });
    app = await buildApi({ settings, briefings, deliveries, redis: client, tokens, log: quiet, sendMeDomains: [] });
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await worker?.close(5000);
    await briefings?.close();
    await deliveries?.close();
    client?.disconnect();
    await smtp?.stop();
    await redis?.stop();
  });

  it('a scheduled fire makes a draft mailed to the reviewer only', async () => {
    const jobs = await loadAllJobs(settings.jobsDir);
    const scheduler = new Scheduler({ jobs, queue: briefings, redis: client, log: quiet, clock: settings.clock });
    const yuquan = jobs.find((j) => j.id === 'yuquan-2023')!;
    expect(await scheduler.fire(yuquan, new Date('2023-10-20T01:00:00Z'))).toBe('enqueued');
    await until('the reviewer mail', async () => (await received(REVIEWER)).length === 1, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    expect((await smtp.received()).map((m) => m.envelope.to)).toEqual([[REVIEWER]]);
    const review = (await call('GET', '/api/snapshots/yuquan-2023_2023Q3_v1/review', T.viewer)).json();
    expect(review).toMatchObject({ state: 'draft', reviewers: [REVIEWER], approveWithinHours: 48, approvals: [] });
  }, 90_000);

  it('only an approver of this report may approve: viewer/staff 403 FORBIDDEN, an approver of another report 403 REPORT_OUT_OF_SCOPE', async () => {
    for (const t of [T.viewer, T.staff]) {
      const r = await call('POST', '/api/snapshots/yuquan-2023_2023Q3_v1/approval', t, {});
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('FORBIDDEN');
    }
    const other = await call('POST', '/api/snapshots/yuquan-2023_2023Q3_v1/approval', T.otherApprover, {});
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('REPORT_OUT_OF_SCOPE');
    // Every report-scoped route, not only approval; and lists show only the token's reports.
    for (const url of ['/api/reports/yuquan-2023/snapshots', '/api/snapshots/yuquan-2023_2023Q3_v1/pdf', '/api/snapshots/yuquan-2023_2023Q3_v1/manifest', '/api/snapshots/yuquan-2023_2023Q3_v1/review']) {
      const r = await call('GET', url, T.otherApprover);
      expect(r.statusCode, url).toBe(403);
      expect(r.json().code).toBe('REPORT_OUT_OF_SCOPE');
    }
    const run = await call('POST', '/api/reports/yuquan-2023/runs', T.otherApprover, { period: '2023Q3', send: 'none' });
    expect(run.statusCode).toBe(403);
    const listed = (await call('GET', '/api/reports', T.otherApprover)).json().reports.map((r: { id: string }) => r.id);
    expect(listed).toEqual(['yuexiu-2023']);
    expect((await call('GET', '/api/reports/yuquan-2023/snapshots', T.approver)).statusCode).toBe(200);
    expect((await smtp.received()).length).toBe(1);
  });

  it('API approval queues the archived PDF to each recipient once, byte for byte; a second approval sends nothing and says so', async () => {
    const r = await call('POST', '/api/snapshots/yuquan-2023_2023Q3_v1/approval', T.approver, { comment: '同意' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ state: 'approved', alreadyApproved: false, approval: { by: '张主任', role: 'approver', comment: '同意' }, delivery: { queued: 2 } });
    const pdf = await readFile(path.join(settings.archiveDir, 'yuquan-2023/2023Q3/v1/briefing.pdf'));
    for (const address of RECIPIENTS) {
      const [m] = await until(`mail to ${address}`, async () => {
        const got = await received(address);
        return got.length > 0 ? got : undefined;
      }, 30_000);
      expect(sha(m!.mail.attachments[0]!.content)).toBe(sha(pdf));
    }
    await until('the acceptances to be logged', async () => (await deliveries.getJobs(['completed'])).length >= 3, 20_000);
    const again = await call('POST', '/api/snapshots/yuquan-2023_2023Q3_v1/approval', T.admin); // no body at all
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ alreadyApproved: true, approval: { by: '张主任' }, delivery: { queued: 0 } });
    expect(again.json().delivery.recipients.map((x: { state: string }) => x.state)).toEqual(['already-sent', 'already-sent']);
    await new Promise((res) => setTimeout(res, 1000));
    for (const address of RECIPIENTS) expect(await received(address)).toHaveLength(1);
    const review = (await call('GET', '/api/snapshots/yuquan-2023_2023Q3_v1/review', T.viewer)).json();
    expect(review.state).toBe('approved');
    expect(review.approvals).toEqual([expect.objectContaining({ decision: 'approved', by: '张主任', role: 'approver', comment: '同意' })]);
    const list = (await call('GET', '/api/reports/yuquan-2023/snapshots', T.viewer)).json();
    expect(list.snapshots[0]).toMatchObject({ id: 'yuquan-2023_2023Q3_v1', review: { state: 'approved' } });
  }, 90_000);

  it('ad-hoc runs make drafts too; a superseded draft is refused by code naming the newer one, a rejected one likewise', async () => {
    const first = await call('POST', '/api/reports/yuquan-2023/runs', T.staff, { period: '2023Q1' });
    expect(first.statusCode).toBe(202);
    await runDone(first.json().runId);
    const scoped = await call('GET', `/api/runs/${first.json().runId}`, T.otherApprover);
    expect(scoped.statusCode).toBe(403);
    expect(scoped.json().code).toBe('REPORT_OUT_OF_SCOPE');
    const second = await call('POST', '/api/reports/yuquan-2023/runs', T.staff, { period: '2023Q1', note: '更正' });
    await runDone(second.json().runId);
    await until('two more reviewer mails', async () => (await received(REVIEWER)).length === 3, 30_000);
    for (const address of RECIPIENTS) expect(await received(address)).toHaveLength(1);

    const old = await call('POST', '/api/snapshots/yuquan-2023_2023Q1_v1/approval', T.approver, {});
    expect(old.statusCode).toBe(409);
    expect(old.json().code).toBe('SNAPSHOT_SUPERSEDED');
    expect(old.json().message).toContain('v2');
    expect((await call('POST', '/api/snapshots/yuquan-2023_2023Q1_v2/rejection', T.approver, {})).statusCode).toBe(400);
    const rej = await call('POST', '/api/snapshots/yuquan-2023_2023Q1_v2/rejection', T.approver, { reason: '数据待核实' });
    expect(rej.statusCode).toBe(200);
    expect(rej.json()).toMatchObject({ state: 'rejected', rejection: { by: '张主任', comment: '数据待核实' } });
    const refused = await call('POST', '/api/snapshots/yuquan-2023_2023Q1_v2/approval', T.approver, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('SNAPSHOT_REJECTED');
    await new Promise((res) => setTimeout(res, 500));
    for (const address of RECIPIENTS) expect(await received(address)).toHaveLength(1);
  }, 120_000);

  it('a draft past approve_within_hours alerts the operators once, however many schedulers check', async () => {
    // One more pending draft: 2023Q2 (2023Q3 is approved, 2023Q1's newest is rejected).
    const r = await call('POST', '/api/reports/yuquan-2023/runs', T.staff, { period: '2023Q2' });
    await runDone(r.json().runId);
    const jobs = await loadAllJobs(settings.jobsDir);
    const schedulers = [0, 1].map(() => new Scheduler({ jobs, queue: briefings, redis: new Redis(redis.url, { maxRetriesPerRequest: null }), log: quiet, clock: settings.clock, settings }));
    expect(await schedulers[0]!.checkOverdueDrafts(new Date())).toEqual([]); // not due yet
    const later = new Date(Date.now() + 49 * 3600_000);
    const results = await Promise.all([...schedulers, ...schedulers].map((s) => s.checkOverdueDrafts(later)));
    expect(results.flat()).toEqual([{ report: 'yuquan-2023', period: '2023Q2', version: 1 }]);
    expect(await schedulers[1]!.checkOverdueDrafts(new Date(later.getTime() + 3600_000))).toEqual([]);
    const alerts = await until('the alert', async () => {
      const got = await received('ops@example.org');
      return got.length > 0 ? got : undefined;
    });
    await new Promise((res) => setTimeout(res, 500));
    expect(await received('ops@example.org')).toHaveLength(1);
    expect(alerts[0]!.mail.subject).toContain('逾期未签发');
    expect(alerts[0]!.mail.text).toContain('yuquan-2023/2023Q2/v1');
    for (const s of schedulers) (s as unknown as { deps: { redis: Redis } }).deps.redis.disconnect();
  }, 90_000);

  it('jibao approve with REDIS_URL queues the approved PDF for the workers, each recipient once', async () => {
    const r = await runCli(['approve', 'yuquan-2023/2023Q2/v1', '--comment', '同意'], { env: { REDIS_URL: redis.url, JIBAO_ARCHIVE_DIR: settings.archiveDir, JIBAO_USER: '王主任' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/leadership@example\.org \(to\) queued/);
    const pdf = await readFile(path.join(settings.archiveDir, 'yuquan-2023/2023Q2/v1/briefing.pdf'));
    for (const address of RECIPIENTS) {
      const mails = await until(`the Q2 mail to ${address}`, async () => {
        const got = await received(address);
        return got.length === 2 ? got : undefined;
      }, 30_000);
      expect(sha(mails[1]!.mail.attachments[0]!.content)).toBe(sha(pdf));
    }
    const again = await runCli(['approve', 'yuquan-2023/2023Q2/v1'], { env: { REDIS_URL: redis.url, JIBAO_ARCHIVE_DIR: settings.archiveDir } });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already approved/);
    await new Promise((res) => setTimeout(res, 1000));
    for (const address of RECIPIENTS) expect(await received(address)).toHaveLength(2);
  }, 90_000);
});
