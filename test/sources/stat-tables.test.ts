import path from 'node:path';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFigureTable } from '../../worker/domain/figure-table.ts';
import { InputError, type InputIssue } from '../../worker/domain/issues.ts';
import { parsePeriod } from '../../worker/domain/period.ts';
import { checkPlausibility } from '../../worker/domain/plausibility.ts';
import { DEFAULT_THRESHOLDS, type Indicator, type Report } from '../../worker/domain/report.ts';
import { readFigureFiles } from '../../worker/sources/file-source.ts';
import { readTableFile } from '../../worker/sources/table-file.ts';
import type { SourceResult } from '../../worker/sources/source.ts';
import { tempDir } from '../support/cli.ts';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/stat-tables');
const GB_CSV = path.join(FIXTURES, '2023年1-6月主要经济指标.csv');
const UTF8_CSV = path.join(FIXTURES, '2023-06 统计月报.csv');
const Q2 = parsePeriod('2023Q2');
const Q3 = parsePeriod('2023Q3');
const NOW = new Date('2023-08-01T00:00:00+08:00');

const base = { lead: ['区统计局'], support: [], section: 'econ' };
const INDICATORS: Indicator[] = [
  { ...base, id: 'industry-output', name: '规模以上工业产值', kind: 'cumulative', unit: '亿元', target: 2100, baseline: 2000, aliases: ['规模以上工业总产值'] },
  { ...base, id: 'industry-va', name: '规模以上工业增加值', kind: 'growth', unit: '%', target: 6 },
  { ...base, id: 'fai', name: '固定资产投资', kind: 'growth', unit: '%', target: 8 },
  { ...base, id: 'retail', name: '社会消费品零售总额', kind: 'growth', unit: '%', valueUnit: '亿元', target: 7, baselineValue: 300 },
  { ...base, id: 'grain', name: '粮食产量', kind: 'cumulative', unit: '万吨', target: 25, baseline: 24 },
  { ...base, id: 'farmland', name: '高标准农田建设面积', kind: 'cumulative', unit: '万亩', target: 2 },
  { ...base, id: 'containers', name: '集装箱吞吐量', kind: 'cumulative', unit: '万标箱', target: 50, baseline: 48, aliases: ['港口集装箱吞吐量'] },
  { ...base, id: 'jobs', name: '城镇新增就业', kind: 'cumulative', unit: '人', target: 3000 },
  { ...base, id: 'entities', name: '新增市场主体', kind: 'cumulative', unit: '户', target: 5000 },
  { ...base, id: 'revenue', name: '一般公共预算收入', kind: 'cumulative', unit: '亿元', target: 22, baseline: 20.01 },
  { ...base, id: 'urban-income', name: '城镇常住居民人均可支配收入', kind: 'growth', unit: '%', valueUnit: '元', target: 5.5, baselineValue: 50000 },
  { ...base, id: 'sync', name: '城乡居民收入增长与经济增长同步', kind: 'qualitative', unit: '', targetText: '基本同步' },
];

function statReport(indicators: Indicator[] = INDICATORS): Report {
  return {
    id: 'stat-2023', year: 2023, title: '测试区2023年政府工作报告目标任务推进情况', document: '2023年测试区政府工作报告', region: '测试区',
    office: '测试区人民政府办公室', sampleData: true, sections: [{ id: 'econ', name: '经济发展' }], indicators, tasks: [], thresholds: DEFAULT_THRESHOLDS,
  };
}
const report = statReport();

/** The statistics office's XLSX: a title merged across the columns, a source note, a header over two rows with merged cells, 40+ rows. */
async function officeWorkbook(file: string, opts: { title?: string; sheet?: string; valueHeader?: string; rows?: (string | number)[][] } = {}): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(opts.sheet ?? '主要指标');
  ws.addRow([opts.title ?? '2023年1-6月主要经济指标']);
  ws.mergeCells('A1:F1');
  ws.addRow(['数据来源：测试区统计局    2023年7月15日']);
  ws.mergeCells('A2:F2');
  ws.addRow(['指标名称', '计量单位', opts.valueHeader ?? '1-6月', '', '6月', '']);
  ws.addRow(['', '', '绝对值', '增长%', '绝对值', '增长%']);
  ws.mergeCells('A3:A4');
  ws.mergeCells('B3:B4');
  ws.mergeCells('C3:D3');
  ws.mergeCells('E3:F3');
  const rows = opts.rows ?? (await fixtureRows());
  for (const r of rows) ws.addRow(r);
  await wb.xlsx.writeFile(file);
  return file;
}

/** The rows of the GB18030 fixture, as numbers where they are numbers (an XLSX holds numbers, not text). */
async function fixtureRows(): Promise<(string | number)[][]> {
  const text = new TextDecoder('gb18030').decode(await readFile(GB_CSV));
  return text
    .split(/\r?\n/)
    .slice(4)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(',').map((c) => (/^-?\d+(\.\d+)?$/.test(c) ? Number(c) : c)));
}

const codes = (issues: readonly InputIssue[]) => issues.map((i) => i.code);
async function inputError(p: Promise<unknown>): Promise<readonly InputIssue[]> {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(InputError);
  return (e as InputError).issues;
}
function ready(r: SourceResult) {
  if (r.kind !== 'ready') throw new Error(`not ready: ${r.reason}`);
  return r;
}
const values = (r: ReturnType<typeof ready>) => Object.fromEntries([...r.figures.indicators.values()].map((f) => [f.indicatorId, [f.value, f.yoy]]));

let dir: string;
beforeAll(async () => {
  dir = await tempDir('stat');
});

describe('statistics tables as published, with no columns: mapping', () => {
  it('XLSX: merged title, two-row merged header, the unit only in 计量单位 (10583548 万元 → 1058.3548 亿元)', async () => {
    const file = await officeWorkbook(path.join(dir, 'office.xlsx'));
    const table = await readTableFile(file);
    expect(table.header).toEqual(['指标名称', '计量单位', '1-6月 绝对值', '1-6月 增长%', '6月 绝对值', '6月 增长%']);
    expect(table.headerRow).toBe(4);
    expect(table.sheet).toBe('主要指标');
    const r = ready(await readFigureFiles(file, report, Q2, { now: NOW }, dir));
    expect(values(r)).toEqual({
      'industry-output': [1058.3548, 6.2],
      'industry-va': [undefined, 5.8],
      grain: [11.8, 2.3],
      farmland: [1.2, undefined],
      fai: [undefined, 9.1],
      retail: [152.34, 7.2],
      containers: [25.4, 6],
      revenue: [11.2345, 5.6],
      'urban-income': [26543, 5.1],
      jobs: [1600, undefined],
      entities: [2600, 12],
    });
    // Most rows of an office's table are not targets of the report: ignored, not errors, with the nearest names.
    expect(r.ignored!.length).toBeGreaterThanOrEqual(20);
    expect(r.ignored!.find((i) => i.name === '规模以上工业企业利润总额')).toMatchObject({ row: expect.any(Number), closest: expect.arrayContaining(['规模以上工业增加值']) });
    expect(r.ignored!.map((i) => i.name)).not.toContain('一、农业'); // headings carry no figure
  });

  it('GB18030 CSV as Excel saves it: title rows, a 1—6月 group over 绝对值 | 比上年同期增长(%) with blank merged cells', async () => {
    const table = await readTableFile(GB_CSV);
    expect(table.header.slice(0, 4)).toEqual(['指标名称', '计量单位', '1—6月 绝对值', '1—6月 比上年同期增长(%)']);
    expect(table.preamble).toEqual(['2023年1—6月全区主要经济指标', '编制单位：测试区统计局']);
    const read = readFigureTable(table, report, Q2, { requirePeriod: true, today: '2023-08-01' });
    expect(read.issues).toEqual([]);
    expect(read.layout).toBe('statistics');
    expect(read.indicators.find((f) => f.indicatorId === 'industry-output')).toMatchObject({ value: 1058.3548, yoy: 6.2, raw: { value: '10583548' } });
    expect(read.indicators).toHaveLength(11);
  });

  it('UTF-8 CSV with a BOM: 本月止累计 | 同比±%, the unit only in the title note (单位：万元), the period only in the file name', async () => {
    const r = ready(await readFigureFiles(UTF8_CSV, report, Q2, { multiPeriod: true, now: NOW }, dir));
    expect(values(r)).toMatchObject({ 'industry-output': [1058.3548, 6.2], retail: [152.34, 7.2], revenue: [11.2345, 5.6], fai: [undefined, 9.1] });
    // The same file asked for another period is that period's business, not this one's.
    expect(await readFigureFiles(UTF8_CSV, report, Q3, { multiPeriod: true, now: NOW }, dir)).toMatchObject({ kind: 'not-ready' });
  });

  it('a period the table states that is not the one asked for is an error naming both; so are two that disagree', async () => {
    const issues = await inputError(readFigureFiles(GB_CSV, report, Q3, { now: NOW }, dir));
    expect(codes(issues)).toEqual(['FIGURE_PERIOD_CONFLICT']);
    expect(issues[0]!.message).toContain('2023Q2');
    expect(issues[0]!.message).toContain('2023Q3');
    const file = await officeWorkbook(path.join(dir, 'conflict.xlsx'), { title: '2023年1-9月主要经济指标' });
    const both = await inputError(readFigureFiles(file, report, Q2, { now: NOW }, dir));
    expect(codes(both)).toEqual(['FIGURE_PERIOD_CONFLICT']);
    expect(both[0]!.message).toMatch(/1-6月.*1-9月|1-9月.*1-6月/);
    expect(both[0]).toMatchObject({ row: 4, column: '1-6月 绝对值' }); // the header cell that states the period
    // The sheet name counts too: 上半年 on a 1-9月 title.
    const sheet = await officeWorkbook(path.join(dir, 'sheet.xlsx'), { title: '主要经济指标', sheet: '2023年前三季度', valueHeader: '本年累计' });
    expect(ready(await readFigureFiles(sheet, report, Q3, { now: NOW }, dir)).figures.indicators.get('industry-output')!.value).toBe(1058.3548);
    expect(codes(await inputError(readFigureFiles(sheet, report, Q2, { now: NOW }, dir)))).toEqual(['FIGURE_PERIOD_CONFLICT']);
  });

  it('in a folder, a broken file of another month does not block this one; asked for its month, it does', async () => {
    const folder = await tempDir('stat-folder');
    await copyFile(GB_CSV, path.join(folder, '2023年1-6月主要经济指标.csv'));
    await writeFile(path.join(folder, '2023年1-9月主要经济指标.csv'), '指标名称,计量单位,1-9月,增长%\n规模以上工业总产值,个,1,x\n');
    await officeWorkbook(path.join(folder, '月报.xlsx'), { title: '2023年1-3月主要经济指标', valueHeader: '1-3月', rows: [['规模以上工业总产值', '吨', '坏', '坏']] });
    const r = ready(await readFigureFiles(folder, report, Q2, { now: NOW }, folder));
    expect(r.figures.indicators.get('industry-output')!.value).toBe(1058.3548);
    expect(r.inputs.map((i) => i.name)).toEqual(['2023年1-6月主要经济指标.csv']);
    const q3 = await inputError(readFigureFiles(folder, report, Q3, { now: NOW }, folder));
    expect(codes(q3)).toEqual(['FIGURE_UNIT_UNKNOWN', 'FIGURE_NOT_A_NUMBER']);
    expect(q3[0]).toMatchObject({ row: 2, column: '计量单位' });
  });

  it('a unit that cannot be converted is refused, naming file, row and the unit cell', async () => {
    const file = path.join(dir, 'units.csv');
    await writeFile(file, '2023年1-6月主要经济指标\n指标名称,计量单位,1-6月,增长(%)\n规模以上工业总产值,万吨,100,1\n粮食产量,亩,5,1\n新增市场主体,家,5,1\n');
    const issues = await inputError(readFigureFiles(file, report, Q2, { now: NOW }, dir));
    expect(issues.map((i) => `${i.code}|${i.row}|${i.column}`)).toEqual(['FIGURE_UNIT_UNKNOWN|3|计量单位', 'FIGURE_UNIT_UNKNOWN|4|计量单位', 'FIGURE_UNIT_UNKNOWN|5|计量单位']);
    expect(issues[0]!.file).toBe('units.csv');
    expect(issues[0]!.message).toContain('万吨');
    // No guess either when the title's note is the unit.
    await writeFile(file, '2023年1-6月主要经济指标\n（单位：万美元）\n指标,1-6月,增长%\n规模以上工业总产值,100,1\n');
    expect((await inputError(readFigureFiles(file, report, Q2, { now: NOW }, dir))).map((i) => `${i.code}|${i.row}|${i.column}`)).toEqual(['FIGURE_UNIT_UNKNOWN|4|1-6月']);
  });
});

describe('the scale check (issue 10: 10583548 printed as 亿元)', () => {
  const unitless = '2023年1-6月主要经济指标\n指标名称,1-6月,增长(%)\n规模以上工业总产值,10583548,6.2\n';

  it('a value with no unit 10,000× its scaled baseline is refused with the candidate reading', async () => {
    const file = path.join(dir, 'unitless.csv');
    await writeFile(file, unitless);
    const r = ready(await readFigureFiles(file, report, Q2, { now: NOW }, dir));
    const [finding] = checkPlausibility(report, r.figures);
    expect(finding).toMatchObject({ severity: 'error', code: 'FIGURE_SCALE_SUSPECT', rule: 'scale-suspect', candidates: [1058.3548], file: 'unitless.csv', row: 3 });
    expect(finding!.message).toContain('1058.3548亿元');
  });

  it('unless the row is marked confirmed: then it is a warning', async () => {
    const file = path.join(dir, 'confirmed.csv');
    await writeFile(file, unitless.replace('增长(%)\n', '增长(%),确认\n').replace('6.2\n', '6.2,是\n'));
    const r = ready(await readFigureFiles(file, report, Q2, { now: NOW }, dir));
    expect(r.figures.indicators.get('industry-output')).toMatchObject({ value: 10583548, confirmed: true });
    expect(checkPlausibility(report, r.figures).map((f) => `${f.severity}:${f.code}`)).toEqual(['warning:FIGURE_SCALE_SUSPECT']);
    await writeFile(file, unitless.replace('增长(%)\n', '增长(%),确认\n').replace('6.2\n', '6.2,也许\n'));
    expect(codes(await inputError(readFigureFiles(file, report, Q2, { now: NOW }, dir)))).toEqual(['FIGURE_CONFIRMED_INVALID']);
  });
});

describe('names as the statistics office writes them', () => {
  it('aliases, full-width characters, spaces, 其中：, and a bracketed unit after the name', () => {
    const t = (name: string) =>
      readFigureTable({ file: 'x.csv', header: ['指标名称', '1-6月', '增长(%)'], headerRow: 1, rows: [{ row: 2, cells: [name, '', '5.8'] }] }, report, Q2).indicators[0]?.indicatorId;
    expect(t('规模以上工业增加值(%)')).toBe('industry-va');
    expect(t('规模以上工业增加值（％）')).toBe('industry-va');
    expect(t('　规模以上 工业增加值 ')).toBe('industry-va');
    expect(t('其中：规模以上工业增加值')).toBe('industry-va');
    expect(t('规模以上工业总产值')).toBe('industry-output');
    expect(t('港口集装箱吞吐量（万标箱）')).toBe('containers');
  });

  it('an alias that names two indicators is an error', () => {
    const twice = statReport([
      ...INDICATORS.slice(0, 2),
      { ...base, id: 'industry-output-2', name: '工业产值', kind: 'cumulative', unit: '亿元', target: 1, aliases: ['规模以上工业总产值'] },
    ]);
    const read = readFigureTable({ file: 'x.csv', header: ['指标名称', '1-6月'], headerRow: 1, rows: [{ row: 2, cells: ['规模以上工业总产值', '1'] }] }, twice, Q2);
    expect(codes(read.issues)).toEqual(['FIGURE_ALIAS_AMBIGUOUS']);
    expect(read.issues[0]!.message).toContain('industry-output');
  });

  it('a 参照值 column gives a relative target its reference figure', () => {
    const read = readFigureTable({ file: 'x.csv', header: ['指标', '期间', '同比增长', '参照值'], headerRow: 1, rows: [{ row: 2, cells: ['固定资产投资', '2023Q2', '9.1', '7.5%'] }] }, report, Q2);
    expect(read.issues).toEqual([]);
    expect(read.indicators[0]).toMatchObject({ indicatorId: 'fai', yoy: 9.1, reference: 7.5 });
  });

  it("jibao's own format keeps refusing an unknown name (its rows are meant to be targets)", () => {
    const read = readFigureTable({ file: 'x.csv', header: ['指标', '期间', '累计值'], headerRow: 1, rows: [{ row: 2, cells: ['规模以上工业利润', '2023Q2', '1'] }] }, report, Q2);
    expect(read.layout).toBe('jibao');
    expect(codes(read.issues)).toEqual(['FIGURE_UNKNOWN_INDICATOR']);
    expect(read.ignored).toEqual([]);
  });
});

describe('inputs that must be refused (issue 11)', () => {
  const own = (rows: string[][]) => ({ file: 'f.csv', header: ['指标', '期间', '累计值', '同比增长', '数据截至'], headerRow: 1, rows: rows.map((cells, i) => ({ row: i + 2, cells })) });

  it('as-of dates: an Excel serial, a day that does not exist, after today, before the period', () => {
    const read = readFigureTable(
      own([
        ['一般公共预算收入', '2023Q3', '14.8', '', '45200'],
        ['粮食产量', '2023Q3', '20', '', '2023-02-30'],
        ['城镇新增就业', '2023Q3', '2000', '', '2023-12-01'],
        ['新增市场主体', '2023Q3', '3000', '', '2023-04-20'],
        ['集装箱吞吐量', '2023Q3', '37', '', '2023年10月20日'],
      ]),
      report,
      Q3,
      { today: '2023-11-01' },
    );
    expect(read.issues.map((i) => `${i.code}|${i.row}|${i.column}`)).toEqual([
      'FIGURE_DATE_INVALID|2|数据截至',
      'FIGURE_DATE_INVALID|3|数据截至',
      'FIGURE_DATE_INVALID|4|数据截至',
      'FIGURE_DATE_INVALID|5|数据截至',
    ]);
    expect(read.issues[0]!.message).toContain('2023-10-01'); // what the serial would have been
    expect(read.indicators).toMatchObject([{ indicatorId: 'containers', asOf: '2023-10-20' }]);
  });

  it("the run's clock decides what is in the future", async () => {
    const file = path.join(dir, 'future.csv');
    await writeFile(file, '指标,期间,累计值,数据截至\n一般公共预算收入,2023Q2,11,2023-07-20\n');
    expect(codes(await inputError(readFigureFiles(file, report, Q2, { now: new Date('2023-07-10T12:00:00+08:00') }, dir)))).toEqual(['FIGURE_DATE_INVALID']);
    expect(ready(await readFigureFiles(file, report, Q2, { now: new Date('2023-07-21T12:00:00+08:00') }, dir)).figures.asOf).toBe('2023-07-20');
  });

  it('negative values where the indicator cannot be negative; a growth rate may fall', () => {
    const levels = statReport([
      ...INDICATORS,
      { ...base, id: 'rate', name: '建档率', kind: 'level', unit: '%', target: 92, direction: 'higher' },
      { ...base, id: 'temp', name: '平均气温', kind: 'level', unit: '℃', target: -5, direction: 'higher' },
    ]);
    const read = readFigureTable(
      own([
        ['一般公共预算收入', '2023Q3', '-14.8', '', ''],
        ['新增市场主体', '2023Q3', '-3', '', ''],
        ['建档率', '2023Q3', '-1', '', ''],
        ['平均气温', '2023Q3', '-7', '', ''],
        ['社会消费品零售总额', '2023Q3', '200', '-3.5', ''],
      ]),
      levels,
      Q3,
    );
    expect(read.issues.map((i) => `${i.code}|${i.row}|${i.column}`)).toEqual(['FIGURE_NEGATIVE|2|累计值', 'FIGURE_NEGATIVE|3|累计值', 'FIGURE_NEGATIVE|4|累计值']);
    expect(read.indicators.map((f) => [f.indicatorId, f.value, f.yoy])).toEqual([['temp', -7, undefined], ['retail', 200, -3.5]]);
  });

  it('a file with too many rows, and a file with hundreds of bad cells reports 200 and counts the rest', async () => {
    const big = path.join(dir, 'big.csv');
    await writeFile(big, '指标,期间,累计值\n' + '一般公共预算收入,2023Q3,1\n'.repeat(60));
    expect(codes(await inputError(readTableFile(big, { maxRows: 50 })))).toEqual(['TABLE_TOO_LARGE']);
    const xlsx = await officeWorkbook(path.join(dir, 'big.xlsx'));
    expect(codes(await inputError(readTableFile(xlsx, { maxRows: 20 })))).toEqual(['TABLE_TOO_LARGE']);
    const bad = path.join(dir, 'bad.csv');
    await writeFile(bad, '指标,期间,累计值\n' + Array.from({ length: 300 }, (_, i) => `不存在的指标${i},2023Q3,1`).join('\n') + '\n');
    const issues = await inputError(readFigureFiles(bad, report, Q3, { now: NOW }, dir));
    expect(issues).toHaveLength(201);
    expect(issues[200]).toMatchObject({ code: 'ISSUES_TRUNCATED', message: expect.stringMatching(/^100 more/) });
  });

  it('a zip bomb is refused before exceljs unpacks it: by the sizes its directory declares, and when a declared size lies', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('数据');
    ws.addRow(['指标', '累计值']);
    ws.addRow(['一般公共预算收入', 'x'.repeat(400_000)]); // compresses to almost nothing
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const file = path.join(dir, 'bomb.xlsx');
    await writeFile(file, bytes);
    expect((await readTableFile(file)).header).toEqual(['指标', '累计值']); // within the default limit it reads
    const declared = await inputError(readTableFile(file, { maxUnpackedBytes: 100_000 }));
    expect(codes(declared)).toEqual(['XLSX_TOO_LARGE']);
    // Lie in the central directory: the 400 KB shared strings declared as 1 KB.
    const lying = Buffer.from(bytes);
    const name = Buffer.from('xl/sharedStrings.xml');
    for (let at = lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
      if (lying.subarray(at + 46, at + 46 + name.length).equals(name)) lying.writeUInt32LE(1000, at + 24);
    }
    await writeFile(file, lying);
    expect(codes(await inputError(readTableFile(file, { maxUnpackedBytes: 100_000 })))).toEqual(['XLSX_TOO_LARGE']);
  });
});

describe('a unit in the value column’s header', () => {
  it('本年累计(万元) converts like a 计量单位 cell; a row’s own unit cell still wins', async () => {
    const file = path.join(dir, '2023Q2.csv');
    await writeFile(file, '指标名称,计量单位,本年累计(万元),增速\n规模以上工业总产值,,10583548,6.2\n粮食产量,吨,118000,2.3\n');
    const r = ready(await readFigureFiles(file, report, Q2, { now: NOW }, dir));
    expect(values(r)).toEqual({ 'industry-output': [1058.3548, 6.2], grain: [11.8, 2.3] });
  });
});
