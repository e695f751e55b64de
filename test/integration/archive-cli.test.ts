import path from 'node:path';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.ts';

describe('jibao archive list | show | verify', () => {
  let env: Record<string, string>;
  let archive: string;
  beforeAll(async () => {
    archive = await tempDir('a-archive');
    env = { JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: await tempDir('a-outbox'), JIBAO_USER: '李明' };
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

  it('verify finds a changed byte, a missing file and a stray file, and exits 1', async () => {
    expect((await runCli(['archive', 'verify', '--all'], { env })).stdout).toContain('2 verified, 0 with problems');
    const v1 = path.join(archive, 'yuquan-2023/2023Q3/v1');
    await chmod(v1, 0o755);
    await chmod(path.join(v1, 'briefing.html'), 0o644);
    await writeFile(path.join(v1, 'briefing.html'), 'tampered');
    await rm(path.join(v1, 'data/evaluation.json'), { force: true });
    await writeFile(path.join(v1, 'extra.txt'), 'x');
    const r = await runCli(['archive', 'verify', 'yuquan-2023/2023Q3/v1'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}yuquan-2023\/2023Q3\/v1 {2}briefing\.html: size/);
    expect(r.stdout).toMatch(/data\/evaluation\.json: missing/);
    expect(r.stdout).toMatch(/extra\.txt: stray/);
    expect((await runCli(['archive', 'verify', 'yuquan-2023/2023Q3/v2'], { env })).code).toBe(0);
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
    expect((await runCli(['archive', 'verify', '--all'], { env })).code).toBe(0);
    // The next run after pruning still takes a new number, never a removed one.
    expect((await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q1', '--no-send'], { env })).stdout).toContain('version 4, supersedes v3');
  });
});
