import path from 'node:path';
import { readdir, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.ts';

// The sample report's indicators as the district statistics office's monthly table prints them:
// title rows, 计量单位 in 万元, far more rows than the report has targets.
const TABLE = [
  '2023年1-9月玉泉区主要经济指标,,,',
  '编制单位：玉泉区统计局,,,',
  '指标名称,计量单位,1-9月,比上年同期增长(%)',
  '一、财政,,,',
  '  一般公共预算收入,万元,148000,2.1',
  '    其中：税收收入,万元,101234,1.2',
  '二、投资与消费,,,',
  '  固定资产投资,万元,313600,4.6',
  '  社会消费品零售总额,万元,975000,7.3',
  '  规模以上工业增加值,%,—,8.1',
  '  规模以上工业总产值,万元,1234567,5.0',
  '  商品房销售面积,万平方米,12.3,-8.0',
];

describe('jibao check and run on a statistics table as published', () => {
  it('check reads it with no columns: mapping, converts 万元 to 亿元, and lists the rows that match nothing once, with the nearest names', async () => {
    const dir = await tempDir('stat-cli');
    const file = path.join(dir, '2023年1-9月主要经济指标.csv');
    await writeFile(file, TABLE.join('\r\n') + '\r\n');
    const r = await runCli(['check', '--report', 'yuquan-2023', '--period', '2023Q3', '--figures', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok {2}figures .*\(4 indicators, 0 tasks\)/);
    expect(r.stdout).toMatch(/ignored +3 row\(s\)/);
    expect(r.stdout).toMatch(/row 11: 规模以上工业总产值 {2}\(closest: 规模以上工业增加值/);
    expect(r.stdout).toContain('row 6: 其中：税收收入');
    expect(r.stdout).not.toContain('一、财政');
  });

  it('run refuses a value whose unit was left out (148000 for 一般公共预算收入 in 亿元): exit 1, the candidate reading, nothing archived', async () => {
    const dir = await tempDir('stat-cli');
    const archive = await tempDir('stat-archive');
    const file = path.join(dir, '2023年1-9月主要经济指标.csv');
    await writeFile(file, ['2023年1-9月主要经济指标', '指标名称,1-9月,增长(%)', '一般公共预算收入,148000,2.1'].join('\n') + '\n');
    const r = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023Q3', '--figures', file, '--no-send'], { env: { JIBAO_ARCHIVE_DIR: archive } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*2023年1-9月主要经济指标\.csv, row 3, column 1-9月: \[scale-suspect\] 一般公共预算收入148000亿元.*可能为14\.8亿元（除以10000，如把万元读作亿元）/m);
    expect(await readdir(archive)).toEqual([]);
  });
});
