import { describe, expect, it } from 'vitest';
import { classifyHeader, locateHeader, periodIn, periodInTitle, unitInTitle } from '../../worker/domain/table-layout.ts';

const rows = (lines: string[][]) => lines.map((cells, i) => ({ row: i + 1, cells }));

describe('value and growth columns by pattern', () => {
  it.each([
    ['1-6月', 'value', 3],
    ['1—6月', 'value', 3],
    ['上半年', 'value', 3],
    ['2023年1-9月', 'value', 3],
    ['本月止累计', 'value', 2],
    ['本年累计', 'value', 2],
    ['累计', 'value', 2],
    ['绝对量', 'value', 1],
    ['绝对值', 'value', 1],
  ])('%s is a %s column (score %d)', (h, role, score) => {
    expect(classifyHeader(h)).toMatchObject({ role, score });
  });

  it.each(['比上年同期增长(%)', '增长(%)', '同比±%', '增速', '比上年同期±%', '1-6月 增长%'])('%s is growth', (h) => {
    expect(classifyHeader(h)?.role).toBe('yoy');
  });

  it('one month alone, and last year, are not this period’s value', () => {
    expect(classifyHeader('6月')?.role).toBe('month-only');
    expect(classifyHeader('本月')?.role).toBe('month-only');
    expect(classifyHeader('6月 绝对值')?.role).toBe('month-only');
    expect(classifyHeader('上年同期')).toBeUndefined();
    expect(classifyHeader('计量单位')).toEqual({ role: 'unit' });
    expect(classifyHeader('确认')).toEqual({ role: 'confirmed' });
    expect(classifyHeader('参照值')).toEqual({ role: 'reference' });
  });
});

describe('the header below title rows', () => {
  it('skips titles and joins a two-row header, carrying a group over its blank merged cells', () => {
    const at = locateHeader(
      rows([
        ['2023年1-6月主要经济指标', '', '', ''],
        ['单位：亿元', '', '', ''],
        ['指标名称', '1-6月', '', '6月'],
        ['', '绝对值', '增长%', '绝对值'],
        ['地区生产总值', '100', '5', '20'],
      ]),
    );
    expect(at).toEqual({ header: ['指标名称', '1-6月 绝对值', '1-6月 增长%', '6月 绝对值'], headerRow: 4, bodyStart: 4, preamble: ['2023年1-6月主要经济指标', '单位：亿元'] });
  });

  it("keeps jibao's own one-row header and its first row of figures", () => {
    expect(locateHeader(rows([['指标', '期间', '累计值'], ['一般公共预算收入', '2023Q3', '14.8']]))).toMatchObject({ header: ['指标', '期间', '累计值'], headerRow: 1, bodyStart: 1 });
  });

  it('finds a header whose names cell is blank', () => {
    expect(locateHeader(rows([['主要指标表'], ['', '本年累计', '增速'], ['地区生产总值', '1', '2']]))).toMatchObject({ headerRow: 2, preamble: ['主要指标表'] });
  });
});

describe('periods and units in titles, headers and names', () => {
  it.each([
    ['2023年1-6月主要经济指标', 'title', { year: 2023, month: 6 }],
    ['2023年1—9月', 'title', { year: 2023, month: 9 }],
    ['2023年上半年', 'title', { year: 2023, month: 6 }],
    ['2023年6月统计月报', 'title', { year: 2023, month: 6 }],
    ['1-6月', 'header', { month: 6 }],
    ['2023Q3-更正', 'name', { year: 2023, month: 9 }],
    ['2023-06 统计月报', 'name', { year: 2023, month: 6 }],
  ] as const)('%s (%s) → %o', (text, where, expected) => {
    expect(periodIn(text, where)).toMatchObject(expected);
  });

  it('a date is not a period, nor a note line', () => {
    expect(periodIn('2023年7月15日', 'title')).toMatchObject({ year: 2023 });
    expect(periodIn('2023年7月15日', 'title')?.month).toBeUndefined();
    expect(periodIn('6月', 'header')).toBeUndefined();
    expect(periodInTitle(['制表日期：2023年7月15日', '2023年1-6月主要指标'])).toMatchObject({ month: 6 });
  });

  it('a unit note, not who made the table', () => {
    expect(unitInTitle(['2023年主要指标', '单位：万元'])).toBe('万元');
    expect(unitInTitle(['（计量单位：亿元）'])).toBe('亿元');
    expect(unitInTitle(['编制单位：测试区统计局'])).toBeUndefined();
  });
});
