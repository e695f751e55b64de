import path from 'node:path';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.ts';
import { pdfPages } from '../support/pdf.ts';

const pdfText = async (file: string) => (await pdfPages(await readFile(file))).join('\n');

/**
 * The second sample (广州市越秀区) is real: its statistics table is kept as the office publishes
 * it (title rows, 计量单位 column, 前三季度 header, names the office's own). It runs with no
 * `columns:` mapping, and variants of the same file show a unit converted and a scale refused.
 */
describe('a real district’s published table, read as published', () => {
  let jobs: string;
  let env: Record<string, string>;
  const figures = () => path.join(jobs, 'yuexiu-2023/figures/2023Q3.csv');

  beforeAll(async () => {
    jobs = await tempDir('real-jobs');
    await cp(path.join(ROOT, 'jobs/yuexiu-2023'), path.join(jobs, 'yuexiu-2023'), { recursive: true });
    env = { JIBAO_JOBS_DIR: jobs, JIBAO_ARCHIVE_DIR: await tempDir('real-archive'), JIBAO_OUTBOX_DIR: await tempDir('real-outbox') };
  });

  it('needs no column mapping, and the job definition has none', async () => {
    expect(await readFile(path.join(ROOT, 'jobs/yuexiu-2023/job.yaml'), 'utf8')).not.toMatch(/^\s*columns:/m);
    const r = await runCli(['check', '--report', 'yuexiu-2023', '--period', '2023Q3'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('archives a briefing with the real figures, monitor indicators and the provenance notice', async () => {
    const r = await runCli(['run', '--report', 'yuexiu-2023', '--period', '2023Q3'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const dir = path.join(env.JIBAO_ARCHIVE_DIR!, 'yuexiu-2023/2023Q3/v1');
    const f = JSON.parse(await readFile(path.join(dir, 'data/figures.json'), 'utf8')) as { indicators: Record<string, { value?: number; yoy?: number }> };
    const byId = new Map(Object.entries(f.indicators).map(([k, v]) => [(v as { indicatorId?: string }).indicatorId ?? k, v]));
    expect(byId.get('gdp')).toMatchObject({ value: 2809.61, yoy: 4.3 });
    expect(byId.get('retail-sales')).toMatchObject({ value: 1040.14, yoy: 8.2 });
    expect(byId.get('tax-revenue')).toMatchObject({ value: 386.74, yoy: 17.3 }); // matched by its alias
    const text = (await pdfText(path.join(dir, 'briefing.pdf'))).replace(/\s+/g, '');
    expect(text).toContain('监测指标');
    expect(text).toContain('1040.14');
    expect(text).toContain('数据摘自越秀区政府网站');
    expect(text).not.toContain('示例数据');
    const [eml] = await readdir(env.JIBAO_OUTBOX_DIR!);
    expect(await readFile(path.join(env.JIBAO_OUTBOX_DIR!, eml!), 'utf8')).toMatch(/Subject: /);
  });

  it('converts a value given in 万元 in the 计量单位 column', async () => {
    const original = await readFile(figures(), 'utf8');
    try {
      await writeFile(figures(), original.replace('社会消费品零售总额,亿元,1040.14', '社会消费品零售总额,万元,10401400'));
      const r = await runCli(['render', '--report', 'yuexiu-2023', '--period', '2023Q3', '--out', path.join(jobs, 'converted.pdf')], { env });
      expect(r.code).toBe(0);
      expect((await pdfText(path.join(jobs, 'converted.pdf'))).replace(/\s+/g, '')).toContain('1040.14');
    } finally {
      await writeFile(figures(), original);
    }
  });

  it('refuses a bare 万元 figure printed as 亿元, naming the row and the candidate reading', async () => {
    const original = await readFile(figures(), 'utf8');
    try {
      // The unit cell left empty: the value would be read in the indicator's 亿元, 10,000× too large.
      await writeFile(figures(), original.replace('社会消费品零售总额,亿元,1040.14', '社会消费品零售总额,,10401400'));
      const r = await runCli(['check', '--report', 'yuexiu-2023', '--period', '2023Q3'], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('FIGURE_SCALE_SUSPECT');
      expect(r.stderr).toContain('row 5');
      expect(r.stderr).toContain('1040.14');
    } finally {
      await writeFile(figures(), original);
    }
  });
});
