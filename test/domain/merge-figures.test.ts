import { describe, expect, it } from 'vitest';
import { mergeFigures, readFigureTable, type RawTable } from '../../worker/domain/figure-table.ts';
import { InputError } from '../../worker/domain/issues.ts';
import { parsePeriod } from '../../worker/domain/period.ts';
import { sampleReport } from '../support/report.ts';

const Q3 = parsePeriod('2023Q3');
const HEADER = ['指标', '期间', '累计值', '同比增长', '状态', '备注', '数据截至', '来源'];
const table = (file: string, rows: string[][]): RawTable => ({ file, header: HEADER, headerRow: 1, rows: rows.map((cells, i) => ({ row: i + 2, cells })) });

describe('mergeFigures: one indicator in two files', () => {
  const report = sampleReport();
  const read = (file: string, rows: string[][]) => ({ ...readFigureTable(table(file, rows), report, Q3), file });

  it('is an error naming both files when both give the same as-of date', () => {
    const a = read('figures/区发改委.xlsx', [['revenue', '2023Q3', '14.0', '', '', '', '2023-10-10', '']]);
    const b = read('figures/区财政局.xlsx', [['revenue', '2023Q3', '14.8', '', '', '', '2023-10-10', '']]);
    let err: unknown;
    try {
      mergeFigures('test-2023', Q3, [a, b]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const issues = (err as InputError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'FIGURE_REPORTED_TWICE', file: 'figures/区财政局.xlsx', row: 2 });
    expect(issues[0]!.message).toContain('figures/区发改委.xlsx');
    expect(issues[0]!.message).toContain('figures/区财政局.xlsx');
  });

  it('is an error when neither gives an as-of date', () => {
    const a = read('a.csv', [['revenue', '2023Q3', '14.0', '', '', '', '', '']]);
    const b = read('b.csv', [['revenue', '2023Q3', '14.8', '', '', '', '', '']]);
    expect(() => mergeFigures('test-2023', Q3, [a, b])).toThrow(/FIGURE_REPORTED_TWICE/);
  });

  it('takes the newer one, in either order, when the as-of dates differ', () => {
    const a = read('a.csv', [['revenue', '2023Q3', '14.0', '', '', '', '2023-10-10', '']]);
    const b = read('b.csv', [['revenue', '2023Q3', '14.8', '', '', '', '2023-10-20', '']]);
    expect(mergeFigures('test-2023', Q3, [a, b]).indicators.get('revenue')!.value).toBe(14.8);
    expect(mergeFigures('test-2023', Q3, [b, a]).indicators.get('revenue')!.value).toBe(14.8);
  });
});

describe('mergeFigures: a blank row reports nothing', () => {
  const report = sampleReport();
  const read = (file: string, rows: string[][]) => ({ ...readFigureTable(table(file, rows), report, Q3), file });

  it('neither conflicts with nor replaces a figure of another file', () => {
    const stats = read('stats.csv', [['revenue', '2023Q3', '14.0', '', '', '', '', '']]);
    const blank = read('区统计局_2023Q3_报送模板.xlsx', [['revenue', '2023Q3', '', '', '', '', '', '区统计局']]);
    for (const order of [[stats, blank], [blank, stats]]) {
      const merged = mergeFigures('test-2023', Q3, order);
      expect(merged.indicators.get('revenue')).toMatchObject({ value: 14, origin: { file: 'stats.csv' } });
      expect(merged.sources).toEqual(['stats.csv']);
    }
  });
});
