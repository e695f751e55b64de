import { describe, expect, it } from 'vitest';
import { convertUnit, isCountUnit, normalizeUnit, unitFactor } from '../../worker/domain/units.ts';
import { parseNumberCell } from '../../worker/domain/numbers.ts';

describe('units', () => {
  it.each([
    [10583548, '万元', '亿元', 1058.3548],
    [1.2, '亿元', '万元', 12000],
    [16000, '人', '万人', 1.6],
    [118000, '吨', '万吨', 11.8],
    [800, '公顷', '万亩', 1.2],
    [15, '亩', '公顷', 1],
    [254000, '标箱', '万标箱', 25.4],
    [254000, 'TEU', '万标箱', 25.4],
    [2600, '户', '万户', 0.26],
    [3, '万家', '家', 30000],
    [45.6, '亿千瓦时', '万千瓦时', 456000],
    [12, '（万元）', '亿元', 0.0012],
  ])('%d %s is %d %s', (value, from, to, expected) => {
    expect(convertUnit(value, from, to)).toBe(expected);
  });

  it('never converts between different things', () => {
    expect(unitFactor('个', '家')).toBeUndefined();
    expect(unitFactor('万元', '万美元')).toBeUndefined();
    expect(unitFactor('吨', '亿元')).toBeUndefined();
    expect(unitFactor('人', '人次')).toBeUndefined();
    expect(unitFactor('项目', '项')).toBeUndefined();
  });

  it('folds spellings and knows what counts', () => {
    expect(normalizeUnit(' ％ ')).toBe('%');
    expect(normalizeUnit('ＴＥＵ')).toBe('标箱');
    expect(isCountUnit('家')).toBe(true);
    expect(isCountUnit('万人')).toBe(true);
    expect(isCountUnit('亿元')).toBe(false);
  });

  it('a cell is read in its own unit first, then the unit given for it, then the indicator unit', () => {
    expect(parseNumberCell('10583548', '亿元', '万元')).toEqual({ ok: true, value: 1058.3548 });
    expect(parseNumberCell('12亿元', '亿元', '万元')).toEqual({ ok: true, value: 12 });
    expect(parseNumberCell('12', '亿元')).toEqual({ ok: true, value: 12 });
    expect(parseNumberCell('12', '亿元', '万美元')).toMatchObject({ ok: false, unit: true });
  });
});
