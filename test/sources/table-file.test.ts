import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFigureTable } from '../../worker/domain/figure-table.ts';
import { InputError } from '../../worker/domain/issues.ts';
import { parsePeriod } from '../../worker/domain/period.ts';
import { decodeText, readTableFile } from '../../worker/sources/table-file.ts';
import { readFigureFiles } from '../../worker/sources/file-source.ts';
import { sampleReport } from '../support/report.ts';
import { tempDir } from '../support/cli.ts';

const Q3 = parsePeriod('2023Q3');
const report = sampleReport();
const CSV = '指标,期间,累计值,同比增长\n一般公共预算收入,2023Q3,"1,234.5",2.1\n地区生产总值,2023年1-9月,２６３．５亿元,5.4%\n';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('tables');
});

const issuesOf = async (p: Promise<unknown>) => {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(InputError);
  return (e as InputError).issues.map((i) => i.message);
};

describe('CSV encodings', () => {
  it('reads UTF-8 with and without a BOM, and detects GB18030 (what Chinese Excel writes)', async () => {
    const gb = Buffer.from(new Uint8Array([0xd6, 0xb8, 0xb1, 0xea])); // 指标 in GBK
    expect(decodeText(gb)).toEqual({ text: '指标', encoding: 'gb18030' });
    const utf8 = Buffer.from(CSV, 'utf8');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    for (const [name, bytes] of [['utf8.csv', utf8], ['bom.csv', bom]] as const) {
      await writeFile(path.join(dir, name), bytes);
      const t = await readTableFile(path.join(dir, name));
      expect(t.header[0]).toBe('指标');
      const read = readFigureTable(t, report, Q3);
      expect(read.issues).toEqual([]);
      expect(read.indicators.map((f) => [f.indicatorId, f.value, f.yoy])).toEqual([
        ['revenue', 1234.5, 2.1],
        ['gdp', 263.5, 5.4],
      ]);
    }
  });

  it('reads a GB18030 file end to end', async () => {
    // Node has a GB18030 decoder but no encoder; the GBK bytes of the few characters used are spelt out.
    const gbk: Record<string, number[]> = { 指: [0xd6, 0xb8], 标: [0xb1, 0xea], 累: [0xc0, 0xdb], 计: [0xbc, 0xc6], 值: [0xd6, 0xb5] };
    const enc = (s: string) => [...s].flatMap((c) => gbk[c] ?? [...Buffer.from(c, 'ascii')]);
    const bytes = Buffer.from([...enc('指标,累计值\n'), ...enc('revenue,14.8\n')]);
    await writeFile(path.join(dir, 'gbk.csv'), bytes);
    const t = await readTableFile(path.join(dir, 'gbk.csv'));
    expect(t.header).toEqual(['指标', '累计值']);
    expect(readFigureTable(t, report, Q3).indicators[0]).toMatchObject({ indicatorId: 'revenue', value: 14.8 });
  });
});

describe('XLSX', () => {
  it('reads numbers, text, and formulas by their cached result, from a named sheet', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['本表为示例']);
    const ws = wb.addWorksheet('数据');
    ws.addRow(['指标', '期间', '累计值', '同比增长']);
    ws.addRow(['一般公共预算收入', '2023Q3', { formula: 'B9+B10', result: 14.8 }, 2.1]);
    ws.addRow(['地区生产总值', '2023Q3', '263.5', { formula: '5.4', result: 5.4 }]);
    const file = path.join(dir, 'figures.xlsx');
    await wb.xlsx.writeFile(file);
    const t = await readTableFile(file, { sheet: '数据' });
    const read = readFigureTable(t, report, Q3);
    expect(read.issues).toEqual([]);
    expect(read.indicators.map((f) => [f.indicatorId, f.value, f.yoy])).toEqual([
      ['revenue', 14.8, 2.1],
      ['gdp', 263.5, 5.4],
    ]);
    expect(await issuesOf(readTableFile(file, { sheet: '表1' }))).toEqual(['no sheet named "表1"; sheets: 说明, 数据']);
  });

  it('refuses a truncated workbook with a fix', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('数据').addRow(['指标']);
    const full = Buffer.from(await wb.xlsx.writeBuffer());
    const file = path.join(dir, 'truncated.xlsx');
    await writeFile(file, full.subarray(0, Math.floor(full.length / 2)));
    const [msg] = await issuesOf(readTableFile(file));
    expect(msg).toMatch(/^not a readable XLSX file .*save it again from Excel or WPS as \.xlsx$/);
  });
});

describe('file problems', () => {
  it('an empty file, a file with only blank lines, an oversized file, an unsupported type', async () => {
    await writeFile(path.join(dir, 'empty.csv'), '');
    await writeFile(path.join(dir, 'blank.csv'), '\n\n,,\n');
    await writeFile(path.join(dir, 'big.csv'), 'x'.repeat(2048));
    await writeFile(path.join(dir, 'figures.txt'), 'x');
    expect(await issuesOf(readTableFile(path.join(dir, 'empty.csv')))).toEqual(['the file is empty; expected a header row and one row per indicator']);
    expect(await issuesOf(readTableFile(path.join(dir, 'blank.csv')))).toEqual(['the file has no rows; expected a header row and one row per indicator']);
    expect(await issuesOf(readTableFile(path.join(dir, 'big.csv'), { maxBytes: 1024 }))).toEqual([
      'the file is 2048 bytes, over the limit of 1024; split it or raise the limit',
    ]);
    expect(await issuesOf(readTableFile(path.join(dir, 'figures.txt')))).toEqual(['unsupported file type ".txt"; expected .csv or .xlsx']);
  });

  it("reads a statistics office's own column names unmapped, and keeps `columns:` as an override", async () => {
    const file = path.join(dir, 'office.csv');
    await writeFile(file, '指标名称,本期累计,比上年同期增长\n一般公共预算收入,14.8,2.1\n');
    const unmapped = await readFigureFiles(file, report, Q3, {}, dir);
    expect(unmapped.kind === 'ready' && unmapped.figures.indicators.get('revenue')).toMatchObject({ value: 14.8, yoy: 2.1 });
    const r = await readFigureFiles(file, report, Q3, { columns: { indicator: '指标名称', value: '本期累计', yoy: '比上年同期增长' } }, dir);
    expect(r.kind).toBe('ready');
    if (r.kind === 'ready') expect(r.figures.indicators.get('revenue')).toMatchObject({ value: 14.8, yoy: 2.1 });
    const wrong = await issuesOf(readFigureFiles(file, report, Q3, { columns: { value: '累计数' } }, dir));
    expect(wrong[0]).toMatch(/^no column "累计数" \(mapped to value in the job definition\); the header has 指标名称, 本期累计, 比上年同期增长$/);
  });
});

describe('a folder of figure files', () => {
  it('takes the newest revision of each figure, states its as-of date, and is "not ready" for a period it lacks', async () => {
    const folder = await tempDir('folder');
    await writeFile(path.join(folder, '2023Q3.csv'), '指标,期间,累计值,数据截至\n一般公共预算收入,2023Q3,14.0,2023-10-10\n地区生产总值,2023Q3,263,2023-10-10\n');
    await writeFile(path.join(folder, '2023Q3-更正.csv'), '指标,期间,累计值,数据截至\n一般公共预算收入,2023Q3,14.8,2023-10-25\n');
    await writeFile(path.join(folder, '~$2023Q3.csv'), 'lock file of an open workbook');
    const r = await readFigureFiles(folder, report, Q3, {}, folder);
    expect(r.kind).toBe('ready');
    if (r.kind !== 'ready') return;
    expect(r.figures.indicators.get('revenue')!.value).toBe(14.8);
    expect(r.figures.indicators.get('gdp')!.value).toBe(263);
    expect(r.figures.asOf).toBe('2023-10-25');
    expect(r.inputs.map((i) => i.name).sort()).toEqual(['2023Q3-更正.csv', '2023Q3.csv']);
    const later = await readFigureFiles(folder, report, parsePeriod('2023Q4'), {}, folder);
    expect(later).toEqual({ kind: 'not-ready', reason: `no figures for 2023Q4 in ${folder} (2 file(s) read)` });
  });
});
