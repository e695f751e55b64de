import { readdir } from 'node:fs/promises';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.ts';
import { killHard, startJibao, type JibaoProcess } from '../support/jibao-process.ts';
import { freePort, startRedis, type TestRedis } from '../support/redis.ts';
import { startS3, type TestS3 } from '../support/s3.ts';
import { until } from '../support/wait.ts';

const TOKEN = 'viewer-token-0123456789abcdef';

/** The embedded job, the archive commands and the API's download on a real S3-compatible server process. */
describe('jibao with JIBAO_ARCHIVE_URL=s3://… (s3rver process)', () => {
  let s3: TestS3;
  let redis: TestRedis;
  let api: JibaoProcess | undefined;
  let env: Record<string, string>;
  let cwd: string;

  beforeAll(async () => {
    [s3, redis] = await Promise.all([startS3(), startRedis()]);
    cwd = await tempDir('s3-cwd');
    env = { ...s3.env, JIBAO_ARCHIVE_URL: s3.url('e2e/archive'), JIBAO_ARCHIVE_DIR: '', JIBAO_OUTBOX_DIR: await tempDir('s3-outbox'), REDIS_URL: redis.url };
  });
  afterAll(async () => {
    if (api) await killHard(api);
    await Promise.all([s3?.stop(), redis?.stop()]);
  });

  const object = async (key: string) => Buffer.from(await (await s3.client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: `e2e/archive/${key}` }))).Body!.transformToByteArray());

  it('`jibao run` archives in the bucket; list, show and verify read it there; nothing is written to a local folder', async () => {
    const run = await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q3'], { env, cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('s3://jibao-test/e2e/archive');
    const again = await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q3', '--no-send', '--note', '更正'], { env, cwd });
    expect(again.code, again.stderr).toBe(0);

    const list = await runCli(['archive', 'list'], { env, cwd });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/yuquan-2023\/2023Q3\/v1/);
    expect(list.stdout).toMatch(/yuquan-2023\/2023Q3\/v2/);
    const show = await runCli(['archive', 'show', 'yuquan-2023/2023Q3/v1'], { env, cwd });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('briefing.pdf');
    const verify = await runCli(['archive', 'verify', '--all', '--json'], { env, cwd });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const report = JSON.parse(verify.stdout) as { ok: boolean; snapshots: string[] };
    expect(report.ok).toBe(true);
    expect(report.snapshots).toEqual(['yuquan-2023/2023Q3/v1', 'yuquan-2023/2023Q3/v2']);
    // The manifest is in the bucket, and nothing went to ./archive.
    expect(JSON.parse((await object('yuquan-2023/2023Q3/v2/manifest.json')).toString())).toMatchObject({ version: 2, supersedes: 1 });
    expect(await readdir(cwd)).not.toContain('archive');
  }, 120_000);

  it("the API's download serves the archived PDF from the bucket, byte for byte", async () => {
    const port = await freePort();
    api = startJibao('api', { ...env, PORT: String(port), JIBAO_API_TOKENS: `viewer:archivist:${TOKEN}` });
    const base = `http://127.0.0.1:${port}`;
    await until('the API to answer', async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok, 30_000);
    const res = await fetch(`${base}/api/snapshots/yuquan-2023_2023Q3_v1/pdf`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/pdf');
    expect(Buffer.from(await res.arrayBuffer()).equals(await object('yuquan-2023/2023Q3/v1/briefing.pdf'))).toBe(true);
    const missing = await fetch(`${base}/api/snapshots/yuquan-2023_2023Q3_v9/pdf`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(missing.status).toBe(404);
  }, 60_000);

  it('`archive verify` reports an object changed in the bucket', async () => {
    await s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'e2e/archive/yuquan-2023/2023Q3/v1/data/figures.json', Body: '{}' }));
    const verify = await runCli(['archive', 'verify', '--all', '--json'], { env, cwd });
    expect(verify.code).toBe(1);
    const report = JSON.parse(verify.stdout) as { findings: { code: string; where: { path?: string } }[] };
    expect(report.findings.filter((f) => f.code === 'FILE_CHANGED').map((f) => f.where.path)).toEqual(['2023Q3/v1/data/figures.json']);
  }, 60_000);
});
