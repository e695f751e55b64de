import path from 'node:path';
import { createHash } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const REVIEWER = 'reviewer@example.org';
const RECIPIENTS = ['leadership@example.org', 'district-office@example.org'];

/** The shipped sample report, which requires review, run embedded (no Redis) against a real SMTP server process. */
describe('review embedded: draft → reviewers only → jibao approve → the same PDF to the recipients, once', () => {
  let smtp: TestSmtp;
  let archive: string;
  let env: Record<string, string>;
  const to = async (address: string) => (await smtp.received()).filter((m) => m.envelope.to.includes(address));

  beforeAll(async () => {
    smtp = await startSmtp();
    archive = await tempDir('review-archive');
    env = { SMTP_URL: smtp.url, JIBAO_ARCHIVE_DIR: archive, JIBAO_USER: '审核人张三' };
  });
  afterAll(() => smtp?.stop());

  it('a run archives a draft and mails only the reviewers: the draft PDF, counts, warnings', async () => {
    const r = await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q3'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/review\s+draft/);
    const got = await smtp.received();
    expect(got.map((g) => g.envelope.to)).toEqual([[REVIEWER]]);
    const manifest = JSON.parse(await readFile(path.join(archive, 'yuquan-2023/2023Q3/v1/manifest.json'), 'utf8'));
    expect(manifest.review).toEqual({ reviewers: [REVIEWER], approveWithinHours: 48 });
    const { mail } = got[0]!;
    expect(mail.subject).toMatch(/^【待审核】/);
    expect(mail.text).toContain('数据合理性提示');
    expect(mail.text).toMatch(/达序时\d+项/);
    expect(mail.text).toContain('jibao approve yuquan-2023/2023Q3/v1');
    const pdf = await readFile(path.join(archive, 'yuquan-2023/2023Q3/v1/briefing.pdf'));
    expect(mail.attachments).toHaveLength(1);
    expect(sha(mail.attachments[0]!.content)).toBe(sha(pdf));
  }, 60_000);

  it('approve sends the archived PDF byte for byte to each recipient once; a second approval sends nothing and says so', async () => {
    const r = await runCli(['approve', 'yuquan-2023/2023Q3/v1', '--comment', '同意报送'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pdf = await readFile(path.join(archive, 'yuquan-2023/2023Q3/v1/briefing.pdf'));
    for (const address of RECIPIENTS) {
      const mails = await to(address);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.mail.attachments).toHaveLength(1);
      expect(sha(mails[0]!.mail.attachments[0]!.content)).toBe(sha(pdf));
      expect(mails[0]!.mail.subject).not.toMatch(/待审核/);
    }
    const again = await runCli(['approve', 'yuquan-2023/2023Q3/v1'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already approved/);
    expect(again.stdout).toMatch(/already-sent/);
    expect(await smtp.received()).toHaveLength(3); // 1 to the reviewer, 2 to the recipients: nothing more

    const show = await runCli(['archive', 'show', 'yuquan-2023/2023Q3/v1'], { env });
    expect(show.stdout).toMatch(/review\s+approved/);
    expect(show.stdout).toMatch(/approved\s+审核人张三 \(operator\)\s+“同意报送”/);
  }, 60_000);

  it('a newer draft supersedes an older one (SNAPSHOT_SUPERSEDED names it); a rejected draft cannot be approved (SNAPSHOT_REJECTED)', async () => {
    expect((await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q1'], { env })).code).toBe(0);
    expect((await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q1', '--note', '更正'], { env })).code).toBe(0);
    const before = (await smtp.received()).length;
    const old = await runCli(['approve', 'yuquan-2023/2023Q1/v1'], { env });
    expect(old.code).toBe(1);
    expect(old.stderr).toContain('[SNAPSHOT_SUPERSEDED]');
    expect(old.stderr).toContain('yuquan-2023/2023Q1/v2');

    const noReason = await runCli(['reject', 'yuquan-2023/2023Q1/v2'], { env });
    expect(noReason.code).toBe(1);
    const rej = await runCli(['reject', 'yuquan-2023/2023Q1/v2', '--reason', '收入数据待核实'], { env });
    expect(rej.code).toBe(0);
    const refused = await runCli(['approve', 'yuquan-2023/2023Q1/v2'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[SNAPSHOT_REJECTED]');
    expect((await smtp.received()).length).toBe(before); // nothing went anywhere
    for (const r of RECIPIENTS) expect(await to(r)).toHaveLength(1);
  }, 90_000);

  it('archive verify passes after approvals and rejections, and catches a forged approval line (APPROVAL_FORGED)', async () => {
    const clean = await runCli(['archive', 'verify', '--all'], { env });
    expect(clean.stdout).not.toMatch(/FAIL/);
    expect(clean.code).toBe(0);
    // Someone writes an approval of the rejected draft straight into its log.
    const forged = JSON.stringify({ decision: 'approved', by: '某人', role: 'approver', at: new Date().toISOString(), contentDigest: '0'.repeat(64) });
    await appendFile(path.join(archive, 'yuquan-2023/2023Q1/v2.approvals.jsonl'), forged + '\n');
    const r = await runCli(['archive', 'verify', '--all', '--json'], { env });
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout).findings as { code: string; where: { period?: string; version?: number } }[];
    expect(findings.filter((f) => f.code === 'APPROVAL_FORGED')).toEqual([expect.objectContaining({ where: expect.objectContaining({ period: '2023Q1', version: 2 }) })]);
  }, 60_000);
});
