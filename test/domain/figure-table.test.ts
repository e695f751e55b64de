import { describe, expect, it } from 'vitest';
import { mergeFigures, readFigureTable, type RawTable } from '../../worker/domain/figure-table.ts';
import { parseNumberCell, toHalfWidth } from '../../worker/domain/numbers.ts';
import { parsePeriod } from '../../worker/domain/period.ts';
import { sampleReport } from '../support/report.ts';

const Q3 = parsePeriod('2023Q3');
const report = sampleReport();
const HEADER = ['指标', '期间', '累计值', '同比增长', '状态', '备注', '数据截至', '来源'];
const table = (rows: string[][], header = HEADER): RawTable => ({
  file: 'figures/2023Q3.csv',
  header,
  headerRow: 1,
  rows: rows.map((cells, i) => ({ row: i + 2, cells })),
});

describe('relative targets', () => {
  const rel = sampleReport({
    indicators: [
      ...report.indicators,
      { id: 'income', name: '居民收入增长', section: 'econ', lead: ['区统计局'], support: [], kind: 'relative', targetText: '与经济增长同步', measure: 'growth', relation: 'in_step', unit: '%' },
    ],
  });

  it('read a staff status, a reference figure and the growth from one row', () => {
    const read = readFigureTable(table([['居民收入增长', '2023Q3', '', '5.1', '达序时', '', '', '']], [...HEADER]), rel, Q3);
    expect(read.issues).toEqual([]);
    expect(read.indicators[0]).toMatchObject({ indicatorId: 'income', yoy: 5.1, status: 'on_track' });
  });

  it('refuse a status that is not one', () => {
    const read = readFigureTable(table([['居民收入增长', '2023Q3', '', '5.1', '差不多', '', '', '']]), rel, Q3);
    expect(read.issues.map((i) => i.code)).toEqual(['FIGURE_STATUS_INVALID']);
  });
});

describe('parseNumberCell', () => {
  it.each([
    ['1,234.5', '亿元', 1234.5],
    ['358亿元', '亿元', 358],
    ['３５８．２', '亿元', 358.2],
    ['6.5%', '%', 6.5],
    ['-1.2', '%', -1.2],
    ['12000万元', '亿元', 1.2],
    [' 42 ', '个', 42],
  ])('%j in %s is %d', (raw, unit, value) => {
    expect(parseNumberCell(raw, unit)).toEqual({ ok: true, value });
  });

  it.each(['', '—', '-', '－', '——', '暂无'])('%j is no figure', (raw) => {
    expect(parseNumberCell(raw, '亿元')).toEqual({ ok: true, value: undefined });
  });

  it('refuses text and units it cannot convert', () => {
    expect(parseNumberCell('约20', '亿元').ok).toBe(false);
    expect(parseNumberCell('20吨', '亿元')).toEqual({ ok: false, unit: true, expected: 'a number in 亿元 (the cell says 吨, which does not convert to 亿元)' });
    expect(parseNumberCell('1.2.3', '亿元').ok).toBe(false);
  });

  it('turns full-width characters into ASCII', () => {
    expect(toHalfWidth('２０２３Ｑ３　')).toBe('2023Q3 ');
  });
});

describe('readFigureTable', () => {
  it('reads indicators by name or id and tasks with their status', () => {
    const t = readFigureTable(
      table([
        ['一般公共预算收入', '2023Q3', '14.8', '2.1', '', '', '2023-10-20', '区财政局'],
        ['gdp', '2023年1-9月', '263.5', '5.4', '', '', '2023/10/20', '区统计局'],
        ['城乡居民收入增长与经济增长同步', '2023Q3', '', '', '滞后', '说明', '', ''],
        ['呼市四中新址', '2023Q3', '', '', '序时推进', '内外装修', '', ''],
      ]),
      report,
      Q3,
    );
    expect(t.issues).toEqual([]);
    expect(t.indicators).toMatchObject([
      { indicatorId: 'revenue', value: 14.8, yoy: 2.1, asOf: '2023-10-20', source: '区财政局', origin: { row: 2 } },
      { indicatorId: 'gdp', value: 263.5, yoy: 5.4, asOf: '2023-10-20' },
      { indicatorId: 'sync', status: 'lagging', note: '说明' },
    ]);
    expect(t.tasks).toMatchObject([{ taskId: 'school', status: 'on_schedule', note: '内外装修' }]);
  });

  it('accepts English headers', () => {
    const t = readFigureTable(table([['revenue', '2023Q3', '14.8', '']], ['indicator', 'period', 'value', 'yoy']), report, Q3);
    expect(t.issues).toEqual([]);
    expect(t.indicators[0]).toMatchObject({ indicatorId: 'revenue', value: 14.8 });
  });

  it('names file, row and column for every bad cell, and suggests the closest name', () => {
    const t = readFigureTable(
      table([
        ['一般公共预算收人', '2023Q3', '14.8', '', '', '', '', ''],
        ['地区生产总值', '2023Q3', '二百', 'x', '', '', '', ''],
        ['城镇登记失业率', '2023Q2', '3.8', '', '', '', '', ''],
        ['居民电子健康档案建档率', '2023Q3', '92', '', '', '', '', ''],
        ['居民电子健康档案建档率', '2023Q3', '93', '', '', '', '', ''],
        ['呼市四中新址', '2023Q3', '', '', '快完了', '', '', ''],
      ]),
      report,
      Q3,
    );
    const lines = t.issues.map((i) => `${i.file}|${i.row}|${i.column}|${i.message}`);
    expect(lines).toEqual([
      'figures/2023Q3.csv|2|指标|unknown indicator or task "一般公共预算收人"; did you mean "一般公共预算收入"? (names and ids are those of the targets file)',
      'figures/2023Q3.csv|3|累计值|"二百" is not usable for 地区生产总值; expected a number in 亿元, e.g. 1234.5',
      'figures/2023Q3.csv|3|同比增长|"x" is not usable for 地区生产总值; expected a growth rate in percent, e.g. 5.2',
      'figures/2023Q3.csv|4|期间|period 2023Q2 does not match the requested 2023Q3',
      'figures/2023Q3.csv|6|指标|duplicate row for "居民电子健康档案建档率" (first given in row 5); keep one row per indicator and period',
      'figures/2023Q3.csv|7|状态|"快完了" is not a task status; expected one of 已完成、序时推进、滞后、未启动',
    ]);
  });

  it('in a folder, skips rows of other periods instead of failing', () => {
    const t = readFigureTable(table([['revenue', '2023Q2', '10', '', '', '', '', '']]), report, Q3, { requirePeriod: true });
    expect(t.issues).toEqual([]);
    expect(t.otherPeriods).toBe(1);
    expect(t.indicators).toEqual([]);
  });

  it('reports a missing indicator column and an empty body', () => {
    expect(readFigureTable(table([['x']], ['名称']), report, Q3).issues[0]!.message).toMatch(/no indicator column/);
    expect(readFigureTable(table([]), report, Q3).issues[0]!.message).toMatch(/no rows of figures/);
  });
});

describe('mergeFigures', () => {
  it('takes the newest as-of date for each indicator and states it', () => {
    const a = readFigureTable(table([['revenue', '2023Q3', '14.0', '', '', '', '2023-10-10', '']]), report, Q3);
    const b = readFigureTable({ ...table([['revenue', '2023Q3', '14.8', '', '', '', '2023-10-20', '']]), file: 'figures/revised.csv' }, report, Q3);
    const merged = mergeFigures('test-2023', Q3, [
      { ...b, file: 'figures/revised.csv' },
      { ...a, file: 'figures/2023Q3.csv' },
    ]);
    expect(merged.indicators.get('revenue')!.value).toBe(14.8);
    expect(merged.asOf).toBe('2023-10-20');
    expect(merged.sources).toEqual(['figures/revised.csv']);
  });
});
