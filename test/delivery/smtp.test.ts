import path from 'node:path';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderStore } from '../../worker/archive/folder-store.ts';
import { loadJobDefinition } from '../../worker/config/job-definition.ts';
import { composeBriefingMail, deliverInline, deliveryId, readDeliveryLog, snapshotDigest } from '../../worker/delivery/deliver.ts';
import { createLogger } from '../../worker/log.ts';
import { settingsFromEnv, type Settings } from '../../worker/config/settings.ts';
import { mailSettings } from '../../worker/pipeline/run.ts';
import { startBriefingWorker } from '../../worker/queue/briefing-worker.ts';
import { DELIVERIES_QUEUE, DELIVERY_JOB_NAME, DELIVERY_JOB_OPTIONS } from '../../worker/queue/delivery-job.ts';
import { deliveryProcessor } from '../../worker/queue/delivery-processor.ts';
import { ROOT, runCli, tempDir } from '../support/cli.ts';
import { jobsWithoutReview } from '../support/jobs.ts';
import { startRedis } from '../support/redis.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';
import type { Job } from 'bullmq';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const TITLE = '玉泉区2023年前三季度政府工作报告目标任务推进情况';
const quiet = createLogger({}, { write: () => true } as never);

/** An archived Q3 snapshot made by the real CLI, with no email sent yet. */
async function snapshotWithoutMail(): Promise<{ settings: Settings; archive: string }> {
  const archive = await tempDir('d-archive');
  const r = await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q3', '--no-send'], { env: { JIBAO_ARCHIVE_DIR: archive } });
  expect(r.code).toBe(0);
  return { settings: { ...settingsFromEnv({}), jobsDir: path.join(ROOT, 'jobs'), archiveDir: archive, outboxDir: await tempDir('d-outbox') }, archive };
}

describe('delivery through a real SMTP server process', () => {
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(() => smtp?.stop());

  it('`jibao run` sends each recipient one message whose subject and attachment name decode exactly, with the archived PDF', async () => {
    const archive = await tempDir('s-archive');
    const r = await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q3'], { env: { SMTP_URL: smtp.url, JIBAO_ARCHIVE_DIR: archive, JIBAO_JOBS_DIR: await jobsWithoutReview() } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/email\s+leadership@example\.org \(to\) sent, <delivery_yuquan-2023_2023Q3_v1_[0-9a-f]{16}_[0-9a-f]{16}@jibao>/);
    const got = await smtp.received();
    expect(got.map((g) => g.envelope.to)).toEqual([['leadership@example.org'], ['district-office@example.org']]);
    const pdf = await readFile(path.join(archive, 'yuquan-2023/2023Q3/v1/briefing.pdf'));
    for (const { mail, raw } of got) {
      expect(mail.subject).toBe(`【示例数据】${TITLE}（政府工作报告目标任务推进情况第3期）`);
      expect(mail.attachments[0]!.filename).toBe(`${TITLE}.pdf`);
      expect(sha(mail.attachments[0]!.content)).toBe(sha(pdf));
      // RFC 2231 for clients that read it, RFC 2047 in name= for those that do not.
      expect(raw.toString()).toMatch(/filename\*0\*=utf-8''/i);
      expect(raw.toString()).toMatch(/name="?=\?UTF-8\?/i);
    }
  });

  it('a forced retry after a successful send delivers nothing twice', async () => {
    const { settings } = await snapshotWithoutMail();
    const before = (await smtp.received()).length;
    const processor = deliveryProcessor({ ...settings, smtpUrl: smtp.url }, quiet);
    const data = { report: 'yuquan-2023', period: '2023Q3', version: 1, address: 'leadership@example.org', kind: 'to', headers: { to: ['leadership@example.org'], cc: [] } };
    const job = { id: 'j1', data } as unknown as Job;
    const first = await processor(job);
    const again = await processor(job); // the worker died after the send; BullMQ runs the job again
    expect(first.outcome).toBe('sent');
    expect(again).toEqual({ outcome: 'already-sent', record: first.record }); // skipped, with the acceptance as evidence
    expect((await smtp.received()).length).toBe(before + 1);
  });
});

describe('SMTP outages and refusals', () => {
  it('the server down at first and up later: delivered once, after retries', async () => {
    const smtp = await startSmtp({ down: true });
    const { settings } = await snapshotWithoutMail();
    const s = { ...settings, smtpUrl: smtp.url };
    const snapshot = await new FolderStore(s.archiveDir).read('yuquan-2023', '2023Q3', 1);
    const def = await loadJobDefinition(s.jobsDir, 'yuquan-2023');
    const recipients = { to: ['leader@example.org'], cc: [], bcc: [] };
    const mail = await composeBriefingMail(s, snapshot, mailSettings(s, def), recipients);
    setTimeout(() => void smtp.start(), 700);
    const result = await deliverInline(s, snapshot, mail, [{ address: 'leader@example.org', kind: 'to' }], 5, 300);
    expect(result.failed).toEqual([]);
    expect(result.sent).toHaveLength(1);
    expect(await smtp.received()).toHaveLength(1);
    await smtp.stop();
  });

  it('a 4xx is retried; a 550 fails at once with its reason recorded and the operators alerted', async () => {
    const smtp = await startSmtp({ reject: '^nobody@', tempFail: 1 });
    const redis = await startRedis();
    const { settings } = await snapshotWithoutMail();
    const s = { ...settings, smtpUrl: smtp.url };
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(DELIVERIES_QUEUE, { connection: client });
    const w = startBriefingWorker({ redisUrl: redis.url, settings: s, log: quiet, renderThreads: 0 });
    const digest = await snapshotDigest(await new FolderStore(s.archiveDir).read('yuquan-2023', '2023Q3', 1));
    const add = (address: string) =>
      queue.add(DELIVERY_JOB_NAME, { report: 'yuquan-2023', period: '2023Q3', version: 1, address, kind: 'to', headers: { to: [address], cc: [] } }, { ...DELIVERY_JOB_OPTIONS, backoff: { type: 'fixed', delay: 200 }, jobId: deliveryId({ report: 'yuquan-2023', period: '2023Q3', version: 1 }, digest, address) });
    const ok = await add('leader@example.org');
    const bad = await add('nobody@example.org');
    const settle = async (job: Job) => {
      for (let i = 0; i < 200; i++) {
        const state = await job.getState();
        if (state === 'completed' || state === 'failed') return (await queue.getJob(job.id!))!;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('timed out');
    };
    const [okDone, badDone] = [await settle(ok), await settle(bad)];
    expect(await okDone.getState()).toBe('completed');
    expect(okDone.attemptsMade).toBe(2); // the first DATA was answered 451
    expect(await badDone.getState()).toBe('failed');
    expect(badDone.attemptsMade).toBe(1);
    expect(badDone.failedReason).toMatch(/^SMTP 550/);
    const log = await readDeliveryLog(await new FolderStore(s.archiveDir).read('yuquan-2023', '2023Q3', 1));
    expect(log.filter((r) => r.address === 'nobody@example.org').map((r) => r.state)).toEqual(['intent', 'failed']);
    expect(log.find((r) => r.address === 'nobody@example.org' && r.state === 'failed')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^SMTP 550/) });
    // The 451 is a certain refusal: its intent is settled, and the retry is an ordinary send, not a resend.
    expect(log.filter((r) => r.address === 'leader@example.org').map((r) => `${r.state}${r.resend ? ' resend' : ''}`)).toEqual(['intent', 'failed', 'intent', 'accepted']);
    expect(log.filter((r) => r.address === 'leader@example.org' && r.status === 'sent')).toHaveLength(1);
    // The alert goes to the operators through the same SMTP server.
    for (let i = 0; i < 50 && !(await smtp.received()).some((m) => m.envelope.to.includes('ops@example.org')); i++) await new Promise((r) => setTimeout(r, 100));
    const alert = (await smtp.received()).find((m) => m.envelope.to.includes('ops@example.org'));
    expect(alert?.mail.subject).toContain('简报发送失败（nobody@example.org）');
    expect((await smtp.received()).filter((m) => m.envelope.to.includes('leader@example.org'))).toHaveLength(1);
    await w.close(5000);
    await queue.close();
    client.disconnect();
    await redis.stop();
    await smtp.stop();
  }, 60_000);
});

describe('large briefings', () => {
  it('carry a download link instead of the attachment when a public URL is set, and are attached otherwise', async () => {
    const { settings } = await snapshotWithoutMail();
    const snapshot = await new FolderStore(settings.archiveDir).read('yuquan-2023', '2023Q3', 1);
    const def = await loadJobDefinition(settings.jobsDir, 'yuquan-2023');
    const recipients = { to: ['leader@example.org'], cc: [], bcc: [] };
    const small = { ...mailSettings(settings, def), maxAttachmentBytes: 1000 };
    const linked = await composeBriefingMail(settings, snapshot, { ...small, publicUrl: 'https://jibao.example.org/' }, recipients);
    expect(linked.attachment).toBeUndefined();
    expect(linked.text).toContain('https://jibao.example.org/api/snapshots/yuquan-2023_2023Q3_v1/pdf');
    expect(linked.html).toContain('href="https://jibao.example.org/api/snapshots/yuquan-2023_2023Q3_v1/pdf"');
    const attached = await composeBriefingMail(settings, snapshot, small, recipients); // no public URL: nothing to link to
    expect(attached.attachment?.name).toBe(`${TITLE}.pdf`);
    expect(attached.text).toContain('简报全文见附件');
  });

  it('shows a rerun note as 更正说明 in the subject and body', async () => {
    const { settings } = await snapshotWithoutMail();
    const snapshot = await new FolderStore(settings.archiveDir).read('yuquan-2023', '2023Q3', 1);
    const def = await loadJobDefinition(settings.jobsDir, 'yuquan-2023');
    const mail = await composeBriefingMail(settings, snapshot, mailSettings(settings, def), { to: ['a@example.org'], cc: [], bcc: [] }, '一般公共预算收入由14.6亿元更正为14.8亿元');
    expect(mail.subject.startsWith('【示例数据】【更正】')).toBe(true);
    expect(mail.text).toContain('更正说明：一般公共预算收入由14.6亿元更正为14.8亿元');
    expect(mail.html).toContain('<strong>更正说明：</strong>一般公共预算收入由14.6亿元更正为14.8亿元');
  });
});
