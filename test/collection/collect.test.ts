import path from 'node:path';
import { cp, mkdir, readdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.ts';

/** Excel's default is locked: exceljs leaves the attribute out then. */
const locked = (c: ExcelJS.Cell) => c.protection?.locked ?? true;

/** The sample's own 2023Q3 figures, by name: what each unit types into its template. */
async function sampleFigures(): Promise<Map<string, string[]>> {
  const lines = (await readFile(path.join(ROOT, 'jobs/yuquan-2023/figures/2023Q3.csv'), 'utf8')).trim().split('\n').slice(1);
  // No cell of the sample holds a comma inside quotes except none: split is enough, checked by the count.
  return new Map(lines.map((l) => l.split(',')).map((c) => (expect(c).toHaveLength(8), [c[0]!, c])));
}

describe('collecting the sample report from its lead units', () => {
  let root: string;
  let jobs: string;
  let figures: string;
  let out: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    root = await tempDir('collect');
    jobs = path.join(root, 'jobs');
    figures = path.join(jobs, 'yuquan-2023/figures');
    out = path.join(root, 'templates');
    await mkdir(figures, { recursive: true });
    for (const f of ['job.yaml', 'targets.yaml']) await copyFile(path.join(ROOT, 'jobs/yuquan-2023', f), path.join(jobs, 'yuquan-2023', f));
    // Earlier quarters as before (the template's 上期数据 comes from 2023Q2); no 2023Q3 file: the units return it.
    for (const f of ['2023Q1.csv', '2023Q2.xlsx']) await cp(path.join(ROOT, 'jobs/yuquan-2023/figures', f), path.join(figures, f));
    // The statistics office's table for the quarter, as published (no 数据截至).
    await writeFile(
      path.join(figures, '2023年1-9月主要经济指标.csv'),
      ['2023年1-9月玉泉区主要经济指标', '指标名称,计量单位,1-9月,比上年同期增长(%)', '地区生产总值,亿元,263.5,5.4', '社会消费品零售总额,万元,960000,7.0'].join('\n') + '\n',
    );
    env = { JIBAO_JOBS_DIR: jobs, JIBAO_ARCHIVE_DIR: path.join(root, 'archive'), JIBAO_OUTBOX_DIR: path.join(root, 'outbox') };
  });

  it("writes one template per lead unit, named after the unit and period, with last period's figures from the archive", async () => {
    const q2 = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023Q2', '--no-send'], { env });
    expect(q2.code).toBe(0);
    const r = await runCli(['figures', 'template', '--report', 'yuquan-2023', '--period', '2023Q3', '--out', out], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const names = (await readdir(out)).sort();
    const targets = await readFile(path.join(ROOT, 'jobs/yuquan-2023/targets.yaml'), 'utf8');
    const leads = new Set([...targets.matchAll(/lead: \[([^\],]+)/g)].map((m) => m[1]!));
    expect(names).toEqual([...leads].map((u) => `${u}_2023Q3_报送模板.xlsx`).sort());
    expect(r.stdout).toMatch(/2023Q2 from archive v1/);
  });

  it("lists exactly the unit's rows, with the figure header, locked cells, validation and the unit's mark", async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(out, '区发改委_2023Q3_报送模板.xlsx'));
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('报送表');
    const header = (ws.getRow(3).values as unknown[]).slice(1);
    expect(header).toEqual(['指标', '期间', '计量单位', '年度目标', '上期数据（2023Q2）', '累计值', '同比增长', '状态', '数据截至', '备注', '来源']);
    const rows = new Map<string, ExcelJS.Row>();
    for (let r = 4; r <= ws.rowCount; r++) rows.set(String(ws.getRow(r).getCell(1).value), ws.getRow(r));
    expect([...rows.keys()]).toEqual(['能耗“双控”目标', '地区生产总值', '固定资产投资', '市级以上重点项目完成投资', '蒙昆烟草储备库']);
    const gdp = rows.get('地区生产总值')!;
    expect(gdp.getCell(3).value).toBe('亿元'); // the value is read in the amount's unit, not %
    expect(gdp.getCell(4).value).toMatch(/^增长6(\.\d+)?%/);
    expect(gdp.getCell(5).value).toMatch(/^\d+(\.\d+)?亿元，同比[+−]\d+\.\d%$/); // 2023Q2's figure as briefed
    // Names, targets and last period locked; value, 同比, date, note open and validated.
    for (const c of [1, 2, 3, 4, 5]) expect(locked(gdp.getCell(c))).toBe(true);
    for (const c of [6, 7, 9, 10]) expect(locked(gdp.getCell(c))).toBe(false);
    expect(locked(gdp.getCell(8))).toBe(true); // no status for a growth rate
    expect(gdp.getCell(6).dataValidation).toMatchObject({ type: 'decimal' });
    expect(gdp.getCell(9).dataValidation).toMatchObject({ type: 'date', operator: 'between' });
    const task = rows.get('蒙昆烟草储备库')!;
    expect(task.getCell(8).dataValidation).toMatchObject({ type: 'list', formulae: ['"已完成,序时推进,滞后,未启动"'] });
    expect(locked(task.getCell(6))).toBe(true);
    expect(rows.get('能耗“双控”目标')!.getCell(8).dataValidation).toMatchObject({ type: 'list', formulae: ['"达序时,滞后,严重滞后"'] });
    const cumulative = rows.get('市级以上重点项目完成投资')!;
    expect(cumulative.getCell(6).dataValidation).toMatchObject({ type: 'decimal', operator: 'greaterThanOrEqual', formulae: [0] });
    expect((ws as unknown as { sheetProtection: { sheet: boolean } }).sheetProtection.sheet).toBe(true);
    const meta = wb.getWorksheet('jibao')!;
    expect(meta.state).toBe('veryHidden');
    expect([1, 2, 3, 4].map((r) => [meta.getCell(r, 1).value, meta.getCell(r, 2).value])).toEqual([
      ['jibao-return', '1'],
      ['report', 'yuquan-2023'],
      ['period', '2023Q3'],
      ['unit', '区发改委'],
    ]);
  });

  it('reads the filled returns and the statistics table with no column mapping: status names the missing unit, check and run pass', async () => {
    const sample = await sampleFigures();
    for (const name of await readdir(out)) {
      if (name.startsWith('区水务局')) continue; // the late unit
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path.join(out, name));
      const ws = wb.worksheets[0]!;
      for (let r = 4; r <= ws.rowCount; r++) {
        const row = ws.getRow(r);
        const fig = sample.get(String(row.getCell(1).value))!;
        expect(fig, `row ${r} of ${name}`).toBeDefined();
        if (name.startsWith('区发改委') && fig[0] === '地区生产总值') continue; // left blank: the statistics table has it
        const [, , value, yoy, status, note] = fig;
        const put = (c: number, v: ExcelJS.CellValue) => {
          expect(locked(row.getCell(c)), `${name} row ${r} column ${c}`).toBe(false); // every figure the unit has goes in an open cell
          row.getCell(c).value = v;
        };
        if (value) put(6, Number(value));
        if (yoy) put(7, Number(yoy));
        if (status) put(8, status);
        if (note) put(10, note);
        put(9, new Date(Date.UTC(2023, 9, 20)));
      }
      await wb.xlsx.writeFile(path.join(figures, name));
    }

    const s = await runCli(['figures', 'status', '--report', 'yuquan-2023', '--period', '2023Q3', '--json'], { env });
    expect(s.stderr).toBe('');
    const status = JSON.parse(s.stdout) as { units: { unit: string; state: string; blank: string[] }[]; otherFiles: string[]; due: string };
    const by = new Map(status.units.map((u) => [u.unit, u]));
    expect(by.get('区水务局')!.state).toBe('missing');
    expect(by.get('区发改委')).toMatchObject({ state: 'incomplete', blank: ['gdp'] });
    expect(status.units.filter((u) => u.state === 'returned')).toHaveLength(13);
    expect(status.otherFiles).toEqual([expect.stringContaining('2023年1-9月主要经济指标.csv')]);
    const text = await runCli(['figures', 'status', '--report', 'yuquan-2023', '--period', '2023Q3'], { env });
    expect(text.stdout).toMatch(/^ {2}missing +区水务局/m);
    expect(text.stdout).not.toContain('warning'); // every lead unit of the sample has an address

    const check = await runCli(['check', '--report', 'yuquan-2023', '--period', '2023Q3'], { env });
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/ok {2}figures .*\(25 indicators, 7 tasks\)/);

    const run = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023Q3', '--no-send'], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const snap = path.join(root, 'archive/yuquan-2023/2023Q3/v1');
    expect(run.stdout).toContain('2023Q3/v1');
    const f = JSON.parse(await readFile(path.join(snap, 'data/figures.json'), 'utf8')) as {
      indicators: Record<string, { value?: number; yoy?: number; origin: { file: string } }>;
      tasks: Record<string, { status?: string }>;
    };
    // The unit's return (as of 2023-10-20) is newer than the statistics table (no date); GDP only the table has.
    expect(f.indicators['retail-sales']).toMatchObject({ value: 97.5, yoy: 7.3, origin: { file: expect.stringContaining('区商务局_2023Q3_报送模板.xlsx') } });
    expect(f.indicators['gdp']).toMatchObject({ yoy: 5.4, origin: { file: expect.stringContaining('2023年1-9月主要经济指标.csv') } });
    expect(f.tasks['dahei-river']).toBeUndefined();
    expect(f.tasks['mengkun-tobacco']).toMatchObject({ status: 'on_schedule' });
    const inputs = await readdir(path.join(snap, 'inputs/figures'));
    expect(inputs).toContain('区财政局_2023Q3_报送模板.xlsx');
  });

  it('one unit returning twice as of the same date is an error naming both files', async () => {
    const copy = path.join(figures, '区财政局_2023Q3_报送模板（修改）.xlsx');
    await copyFile(path.join(figures, '区财政局_2023Q3_报送模板.xlsx'), copy);
    try {
      const check = await runCli(['check', '--report', 'yuquan-2023', '--period', '2023Q3'], { env });
      expect(check.code).toBe(1);
      const lines = check.stderr.split('\n').filter((l) => l.endsWith('[FIGURE_REPORTED_TWICE]'));
      expect(lines).toHaveLength(2); // 化解政府债务 and 一般公共预算收入
      for (const l of lines) expect(l).toMatch(/区财政局_2023Q3_报送模板\.xlsx.*区财政局_2023Q3_报送模板（修改）\.xlsx/);
      const s = await runCli(['figures', 'status', '--report', 'yuquan-2023', '--period', '2023Q3', '--json'], { env });
      const st = JSON.parse(s.stdout) as { units: { unit: string; state: string; issues: { code: string }[] }[] };
      const fin = st.units.find((u) => u.unit === '区财政局')!;
      expect(fin.state).toBe('errors');
      expect(fin.issues.map((i) => i.code)).toEqual(['FIGURE_REPORTED_TWICE', 'FIGURE_REPORTED_TWICE']);
    } finally {
      await rm(copy);
    }
  });
});
