import path from 'node:path';
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startHttpServer } from '../support/http-server.ts';

// Inputs that must be refused with one line carrying a stable code, exit 1 (4 for an outage),
// and nothing archived, sent or queued.

const HEADER = '指标,期间,累计值,同比增长,状态,备注,数据截至,来源';

describe('a period outside the targets year, and an over-long note, are refused on every path', () => {
  let archive: string;
  let outbox: string;
  let figures2024: string;
  let redis: TestRedis;
  const env = () => ({ JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: outbox });

  beforeAll(async () => {
    const dir = await tempDir('figures');
    figures2024 = path.join(dir, '2024Q1.csv');
    await writeFile(figures2024, [HEADER, '一般公共预算收入,2024Q1,5.1,2.0,,,2024-04-20,区财政局'].join('\n') + '\n');
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());
  beforeEach(async () => {
    archive = await tempDir('archive');
    outbox = await tempDir('outbox');
  });

  const nothingWritten = async () => {
    expect(await readdir(archive)).toEqual([]);
    expect(await readdir(outbox)).toEqual([]);
  };

  it.each([
    ['run', ['run', '--report', 'yuquan-2023', '--period', '2024Q1', '--figures']],
    ['render', ['render', '--report', 'yuquan-2023', '--period', '2024Q1', '--out', '/dev/null', '--figures']],
    ['check', ['check', '--report', 'yuquan-2023', '--period', '2024Q1', '--figures']],
  ])('%s: 2024Q1 against the 2023 targets → PERIOD_OUT_OF_YEAR, exit 1', async (_name, args) => {
    const r = await runCli([...args, figures2024], { env: env() });
    expect(r.code).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/targets\.yaml, column report\.year: .*\[PERIOD_OUT_OF_YEAR\]$/);
    await nothingWritten();
  });

  it('run from the job source for a period of another year is refused, not "not ready" (exit 3) for ever', async () => {
    const r = await runCli(['run', '--report', 'yuquan-2023', '--period', '2024-02'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[PERIOD_OUT_OF_YEAR]');
    await nothingWritten();
  });

  it('run --note over 500 characters → NOTE_TOO_LONG, exit 1; 500 CJK characters are accepted', async () => {
    const r = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023Q3', '--no-send', '--note', '更'.repeat(501)], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[NOTE_TOO_LONG]');
    await nothingWritten();
    const ok = await runCli(['render', '--report', 'yuquan-2023', '--period', '2023Q3', '--out', path.join(archive, '..', `ok-${process.pid}.pdf`), '--note', '更'.repeat(500)], { env: env() });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  }, 60_000);

  it('rerun refuses an out-of-year period and an over-long note before queueing anything', async () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      const year = await runCli(['rerun', '--report', 'yuquan-2023', '--period', '2024Q1'], { env: { ...env(), REDIS_URL: redis.url } });
      expect(year.code).toBe(1);
      expect(year.stderr).toContain('[PERIOD_OUT_OF_YEAR]');
      const note = await runCli(['rerun', '--report', 'yuquan-2023', '--period', '2023Q3', '--note', 'x'.repeat(501)], { env: { ...env(), REDIS_URL: redis.url } });
      expect(note.code).toBe(1);
      expect(note.stderr).toContain('[NOTE_TOO_LONG]');
      expect(await client.keys('bull:briefings:*')).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});

/** A copy of the sample report in its own jobs folder, with job.yaml edited. */
async function sampleJobs(edit: (yaml: string) => string): Promise<{ jobsDir: string; jobDir: string; outside: string }> {
  const base = await tempDir('jobs-root');
  const jobsDir = path.join(base, 'jobs');
  const jobDir = path.join(jobsDir, 'yuquan-2023');
  await mkdir(jobsDir);
  await cp(path.join(ROOT, 'jobs/yuquan-2023'), jobDir, { recursive: true });
  const outside = path.join(base, 'elsewhere');
  await mkdir(outside);
  await writeFile(path.join(jobDir, 'job.yaml'), edit(await readFile(path.join(jobDir, 'job.yaml'), 'utf8')));
  return { jobsDir, jobDir, outside };
}

describe('job definitions: credentials and paths outside the jobs folder', () => {
  let archive: string;
  beforeAll(async () => {
    archive = await tempDir('archive');
  });
  const check = (jobsDir: string, extra: string[] = []) => runCli(['check', '--report', 'yuquan-2023', ...extra], { env: { JIBAO_JOBS_DIR: jobsDir, JIBAO_ARCHIVE_DIR: archive } });

  it('an HTTP source URL with user:password@ is refused at load, and the password is printed nowhere', async () => {
    const { jobsDir } = await sampleJobs((y) => y.replace(/source:\n  type: files\n[^\n]*\n  path: figures/, 'source:\n  type: http\n  url: "https://stats:Pa55-w0rd-x@stats.example.org/f?period={period}"'));
    const r = await check(jobsDir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/job\.yaml, column source\.url: .*\[SOURCE_URL_CREDENTIALS\]$/m);
    expect(r.stdout + r.stderr).not.toContain('Pa55-w0rd-x');
  });

  it.each([
    ['targets through ..', (y: string) => y.replace('targets: targets.yaml', 'targets: ../../elsewhere/targets.yaml'), 'targets'],
    ['figures path through ..', (y: string) => y.replace('  path: figures', '  path: ../../elsewhere'), 'source.path'],
    ['template through ..', (y: string) => y.replace('template: briefing', 'template: ../jobs/briefing'), 'template'],
  ])('%s → PATH_OUTSIDE_JOBS naming the field', async (_name, edit, field) => {
    const { jobsDir, jobDir, outside } = await sampleJobs(edit);
    await cp(path.join(jobDir, 'targets.yaml'), path.join(outside, 'targets.yaml'));
    const r = await check(jobsDir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`job\\.yaml, column ${field.replace('.', '\\.')}: .*\\[PATH_OUTSIDE_JOBS\\]$`, 'm'));
  });

  it('a figures folder, or one figure file in it, that is a symlink to outside → PATH_OUTSIDE_JOBS; allowed when the job says so', async () => {
    // The folder itself is a link.
    const a = await sampleJobs((y) => y);
    await cp(path.join(a.jobDir, 'figures'), path.join(a.outside, 'figures'), { recursive: true });
    await rm(path.join(a.jobDir, 'figures'), { recursive: true });
    await symlink(path.join(a.outside, 'figures'), path.join(a.jobDir, 'figures'));
    const r1 = await check(a.jobsDir);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/column source\.path: .*\[PATH_OUTSIDE_JOBS\]$/m);

    // One file in the folder is a link to a file outside (dropped in after the job was set up).
    const b = await sampleJobs((y) => y);
    await cp(path.join(b.jobDir, 'figures/2023Q3.csv'), path.join(b.outside, 'q3.csv'));
    await rm(path.join(b.jobDir, 'figures/2023Q3.csv'));
    await symlink(path.join(b.outside, 'q3.csv'), path.join(b.jobDir, 'figures/2023Q3.csv'));
    expect((await check(b.jobsDir)).code).toBe(0); // the job definition itself is fine
    const r2 = await check(b.jobsDir, ['--period', '2023Q3']);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/2023Q3\.csv, column source\.path: .*\[PATH_OUTSIDE_JOBS\]$/m);

    // Said explicitly: allowed.
    await writeFile(path.join(b.jobDir, 'job.yaml'), (await readFile(path.join(b.jobDir, 'job.yaml'), 'utf8')) + '\nallow_outside_jobs_dir: true\n');
    const r3 = await check(b.jobsDir, ['--period', '2023Q3']);
    expect(r3.stderr).toBe('');
    expect(r3.code).toBe(0);
  }, 60_000);
});

describe('an HTTP source whose body trickles in is an outage', () => {
  it('run retries, then exits 4 with SOURCE_SLOW (not an internal error); nothing archived', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"period":"2023Q3","figures":[');
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(' ')), 50);
      res.on('close', () => clearInterval(t));
    });
    try {
      const { jobsDir } = await sampleJobs((y) =>
        y.replace(/source:\n  type: files\n[^\n]*\n  path: figures/, `source:\n  type: http\n  url: "${server.url}/f?period={period}"\n  timeout_ms: 2000\n  body_timeout_ms: 300\n  retries: 1`),
      );
      const archive = await tempDir('archive');
      const r = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023Q3', '--no-send'], { env: { JIBAO_JOBS_DIR: jobsDir, JIBAO_ARCHIVE_DIR: archive } });
      expect(r.stderr).toContain('[SOURCE_SLOW]');
      expect(r.code).toBe(4);
      expect(await readdir(archive)).toEqual([]);
    } finally {
      await server.close();
    }
  }, 60_000);
});
