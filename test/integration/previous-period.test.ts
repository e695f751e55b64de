import path from 'node:path';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir, type CliResult } from '../support/cli.ts';
import { jobsWithoutReview } from '../support/jobs.ts';

/**
 * The rules that compare periods (a cumulative value that falls) take the previous period as
 * briefed, from the archive's newest snapshot of it, and read its source only when the archive
 * has none.
 */
describe('the previous period, from the archive', () => {
  let jobs: string;
  let archive: string;
  let env: Record<string, string>;
  let figures: string;

  beforeAll(async () => {
    jobs = await jobsWithoutReview();
    archive = await tempDir('archive-prev');
    env = { JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: await tempDir('outbox-prev'), JIBAO_USER: 'test-staff', JIBAO_JOBS_DIR: jobs };
    figures = path.join(jobs, 'yuquan-2023/figures');
    // The first half as briefed: this period's table with 改造老旧小区 at 30 (this period has 22).
    const q3 = await readFile(path.join(figures, '2023Q3.csv'), 'utf8');
    const q2 = q3.replaceAll(',2023Q3,', ',2023Q2,').replace(/^改造老旧小区,2023Q2,22,/m, '改造老旧小区,2023Q2,30,');
    expect(q2).toContain('改造老旧小区,2023Q2,30,');
    await rm(path.join(figures, '2023Q2.xlsx'));
    await writeFile(path.join(figures, '2023Q2.csv'), q2);
    const briefed = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023Q2'], { env });
    expect(briefed.stderr).toBe('');
    expect(briefed.code).toBe(0);
    // Then its source is ruined: only the archive still has the figures.
    await rm(path.join(figures, '2023Q2.csv'));
    await writeFile(path.join(figures, '2023Q2.xlsx'), 'not a workbook');
  }, 120_000);

  it('check passes and reports the fall against the archived figure, though the source cannot be read', async () => {
    // In Chinese, where each warning line ends with its code.
    const r = await runCli(['check', '--report', 'yuquan-2023', '--period', '2023Q3'], { env: { ...env, JIBAO_LANG: 'zh' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/22.*30.*\[FIGURE_CUMULATIVE_DECREASE\]/);
    expect(r.stdout).not.toContain('[FIGURE_MANY_TIMES_PREVIOUS]');
  }, 60_000);

  it('without a snapshot of it, the previous period comes from the source (here unreadable: no comparison, no failure)', async () => {
    const r = await runCli(['check', '--report', 'yuquan-2023', '--period', '2023Q3'], { env: { ...env, JIBAO_LANG: 'zh', JIBAO_ARCHIVE_DIR: await tempDir('archive-empty') } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('[FIGURE_CUMULATIVE_DECREASE]');
    expect(r.stdout).not.toContain('[FIGURE_MANY_TIMES_PREVIOUS]');
  }, 60_000);

  it('a run whose figures are CSV, previous period from the archive, never loads exceljs', async () => {
    // exceljs is CommonJS: loaded through import() it still enters the require cache, which the script lists.
    const script = `
      import { createRequire } from 'node:module';
      import { prepareBriefing } from './worker/pipeline/prepare.ts';
      import { settingsFromEnv } from './worker/config/settings.ts';
      import { parsePeriod } from './worker/domain/period.ts';
      const r = await prepareBriefing({ reportId: 'yuquan-2023', period: parsePeriod('2023Q3') }, settingsFromEnv());
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/exceljs/'));
      console.log(JSON.stringify({ kind: r.kind, codes: r.kind === 'ready' ? r.prepared.warnings.map((w) => w.code) : [], exceljs: loaded.length }));
    `;
    const out = await node(['--import', 'tsx', '--input-type=module', '-e', script], env);
    expect(out.stderr).toBe('');
    const result = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ kind: 'ready', exceljs: 0 });
    expect(result.codes).toContain('FIGURE_CUMULATIVE_DECREASE'); // the previous period was read, from the archive
    // The control: reading an XLSX does load it, so the probe would see it.
    const control = await node(['--import', 'tsx', '--input-type=module', '-e', `
      import { createRequire } from 'node:module';
      import { readTableFile } from './worker/sources/table-file.ts';
      await readTableFile(${JSON.stringify(path.join(ROOT, 'jobs/yuquan-2023/figures/2023Q2.xlsx'))});
      console.log(Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/exceljs/')).length);
    `], env);
    expect(control.stderr).toBe('');
    expect(Number(control.stdout.trim())).toBeGreaterThan(0);
  }, 60_000);
});

function node(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...args], { cwd: ROOT, env: { ...process.env, JIBAO_DEBUG: '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
