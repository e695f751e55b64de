import path from 'node:path';
import { appendFile, chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.ts';
import { jobsWithoutReview } from '../support/jobs.ts';

describe('jibao archive list | show | verify', () => {
  let env: Record<string, string>;
  let archive: string;
  beforeAll(async () => {
    archive = await tempDir('a-archive');
    env = { JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: await tempDir('a-outbox'), JIBAO_USER: '李明', JIBAO_JOBS_DIR: await jobsWithoutReview() };
    expect((await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q3'], { env })).code).toBe(0);
    expect((await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q3', '--no-send', '--note', '修正'], { env })).code).toBe(0);
  });

  it('lists every snapshot with who made it, and shows one with its delivery log', async () => {
    const list = await runCli(['archive', 'list'], { env });
    expect(list.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^yuquan-2023\/2023Q3\/v1 {2}\S+ {2}cli:李明 {2}\[示例数据\]$/),
      expect.stringMatching(/^yuquan-2023\/2023Q3\/v2 {2}\S+ {2}cli:李明 {2}“修正” {2}\[示例数据\]$/),
    ]);
    const show = await runCli(['archive', 'show', 'yuquan-2023/2023Q3/v1'], { env });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^ {2}[0-9a-f]{64} +\d+ {2}briefing\.pdf$/m);
    expect(show.stdout).toMatch(/sent +to +leadership@example\.org {2}outbox/);
    const missing = await runCli(['archive', 'show', 'yuquan-2023/2023Q3/v9'], { env });
    expect(missing.code).toBe(1);
  });

  it('verify names each problem by its code (changed, missing, stray file; forged delivery record), exits 1, and says the same in --json', async () => {
    const clean = await runCli(['archive', 'verify', '--all'], { env });
    expect(clean.stdout).toContain('2 verified, 0 with problems');
    expect(clean.stdout).toMatch(/^ledger yuquan-2023 head [0-9a-f]{64}$/m);
    const v1 = path.join(archive, 'yuquan-2023/2023Q3/v1');
    await chmod(v1, 0o755);
    await chmod(path.join(v1, 'briefing.html'), 0o644);
    await writeFile(path.join(v1, 'briefing.html'), 'tampered');
    await rm(path.join(v1, 'data/evaluation.json'), { force: true });
    await writeFile(path.join(v1, 'extra.txt'), 'x');
    // The delivery log of v1 was written by the real send: a forged line is not in the ledger.
    const log = path.join(archive, 'yuquan-2023/2023Q3/v1.deliveries.jsonl');
    const lines = (await readFile(log, 'utf8')).trimEnd().split('\n');
    await appendFile(log, lines[0]!.replace('leadership@', 'someone@') + '\n');
    const r = await runCli(['archive', 'verify', 'yuquan-2023/2023Q3/v1'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}yuquan-2023\/2023Q3\/v1 {2}FILE_CHANGED {2}2023Q3\/v1\/briefing\.html: /m);
    expect(r.stdout).toMatch(/FILE_MISSING {2}2023Q3\/v1\/data\/evaluation\.json/);
    expect(r.stdout).toMatch(/FILE_STRAY {2}2023Q3\/v1\/extra\.txt/);
    expect(r.stdout).toContain(`DELIVERY_FORGED  2023Q3/v1.deliveries.jsonl:${lines.length + 1}`);
    const json = await runCli(['archive', 'verify', 'yuquan-2023/2023Q3/v1', '--json'], { env });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; findings: { code: string; severity: string }[] };
    expect(report.ok).toBe(false);
    expect([...new Set(report.findings.map((f) => f.code))].sort()).toEqual(['DELIVERY_FORGED', 'FILE_CHANGED', 'FILE_MISSING', 'FILE_STRAY']);
    expect((await runCli(['archive', 'verify', 'yuquan-2023/2023Q3/v2'], { env })).code).toBe(0);
    const usage = await runCli(['archive', 'verify'], { env });
    expect(usage.code).toBe(1);
  });
});

describe('jibao archive with a signing key', () => {
  it('signs every snapshot; public-key prints what an archivist verifies a copy with; the key is never printed', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { cp } = await import('node:fs/promises');
    const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    const archive = await tempDir('k-archive');
    const env = { JIBAO_ARCHIVE_DIR: archive, JIBAO_ARCHIVE_SIGNING_KEY: key };
    expect((await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q3', '--no-send'], { env })).code).toBe(0);
    const pub = await runCli(['archive', 'public-key'], { env });
    expect(pub.code).toBe(0);
    expect(pub.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    expect(pub.stdout).not.toContain(key);
    const keyFile = path.join(await tempDir('k-pub'), 'archive.pub.pem');
    await writeFile(keyFile, pub.stdout);
    // A copy anywhere, checked without the private key.
    const copy = await tempDir('k-copy');
    await cp(archive, copy, { recursive: true });
    const ok = await runCli(['archive', 'verify', '--all', '--public-key', keyFile], { env: { JIBAO_ARCHIVE_DIR: copy, JIBAO_ARCHIVE_SIGNING_KEY: '' } });
    expect(ok.stdout).toContain('1 verified, 0 with problems');
    expect(ok.code).toBe(0);
    const sig = path.join(copy, 'yuquan-2023/2023Q3/v1/manifest.sig');
    await chmod(path.dirname(sig), 0o755);
    await rm(sig);
    const missing = await runCli(['archive', 'verify', '--all', '--public-key', keyFile, '--json'], { env: { JIBAO_ARCHIVE_DIR: copy } });
    expect(missing.code).toBe(1);
    expect((JSON.parse(missing.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code)).toEqual(['SIGNATURE_MISSING']);

    const bad = 'c2VjcmV0LXNpZ25pbmcta2V5LXRoYXQtaXMtbm90LWEta2V5';
    const refused = await runCli(['archive', 'public-key'], { env: { JIBAO_ARCHIVE_SIGNING_KEY: bad } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('JIBAO_ARCHIVE_SIGNING_KEY');
    expect(refused.stderr + refused.stdout).not.toContain(bad);
    const run = await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q3', '--no-send'], { env: { JIBAO_ARCHIVE_DIR: archive, JIBAO_ARCHIVE_SIGNING_KEY: bad } });
    expect(run.code).toBe(1); // the operator's to fix, like any bad setting
    expect(run.stderr).toContain('[ARCHIVE_SIGNING_KEY_INVALID]');
    expect(run.stderr + run.stdout).not.toContain(bad);
  });
});

describe('jibao archive prune', () => {
  it("keeps everything by default, and with keep_versions never removes a period's newest", async () => {
    const { cp, readFile: rf, writeFile: wf, readdir } = await import('node:fs/promises');
    const jobs = await tempDir('p-jobs');
    await cp(path.join(import.meta.dirname, '../../jobs/yuquan-2023'), path.join(jobs, 'yuquan-2023'), { recursive: true });
    const archive = await tempDir('p-archive');
    const env = { JIBAO_JOBS_DIR: jobs, JIBAO_ARCHIVE_DIR: archive };
    for (let i = 0; i < 3; i++) expect((await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q1', '--no-send'], { env })).code).toBe(0);
    expect((await runCli(['archive', 'prune'], { env })).stdout).toContain('yuquan-2023: keep-all, nothing removed');
    const job = path.join(jobs, 'yuquan-2023/job.yaml');
    await wf(job, (await rf(job, 'utf8')).replace('retention: keep-all', 'retention: { keep_versions: 1 }'));
    const dry = await runCli(['archive', 'prune', '--dry-run'], { env });
    expect(dry.stdout).toContain('would remove yuquan-2023/2023Q1/v1');
    expect((await readdir(path.join(archive, 'yuquan-2023/2023Q1'))).filter((n) => /^v\d+$/.test(n))).toEqual(['v1', 'v2', 'v3']);
    const real = await runCli(['archive', 'prune'], { env });
    expect(real.stdout).toContain('2 version(s) removed');
    expect((await readdir(path.join(archive, 'yuquan-2023/2023Q1'))).filter((n) => /^v\d+$/.test(n))).toEqual(['v3']);
    // The pruned versions are reported as pruned (a tombstone in the ledger), not as tampering.
    const verified = await runCli(['archive', 'verify', '--all', '--json'], { env });
    expect(verified.code).toBe(0);
    expect((JSON.parse(verified.stdout) as { findings: { code: string; where: { version: number } }[] }).findings.map((f) => `${f.code} v${f.where.version}`)).toEqual(['PRUNED v1', 'PRUNED v2']);
    // The next run after pruning still takes a new number, never a removed one.
    expect((await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q1', '--no-send'], { env })).stdout).toContain('version 4, supersedes v3');
  }, 120_000); // four whole `jibao run`s and four archive commands: over 30 s on a loaded 2-core machine
});
