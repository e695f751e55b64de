import { describe, expect, it } from 'vitest';
import {
  monthPeriod,
  monthRangeLabel,
  parsePeriod,
  periodEndDate,
  periodId,
  periodName,
  periodTitle,
  previousPeriod,
  quarterPeriod,
  scheduleProgress,
  PeriodError,
} from '../../worker/domain/period.ts';

describe('period', () => {
  it.each([
    ['2023Q1', 25, '一季度', '1-3月'],
    ['2023Q2', 50, '上半年', '1-6月'],
    ['2023Q3', 75, '前三季度', '1-9月'],
    ['2023Q4', 100, '全年', '1-12月'],
  ])('%s: 时序进度 %d%%, %s, %s', (text, schedule, name, months) => {
    const p = parsePeriod(text);
    expect(scheduleProgress(p)).toBe(schedule);
    expect(periodName(p)).toBe(name);
    expect(monthRangeLabel(p)).toBe(months);
    expect(periodId(p)).toBe(text);
  });

  it('gives monthly YTD 时序进度 as months elapsed / 12', () => {
    for (let m = 1; m <= 12; m++) {
      const p = monthPeriod(2023, m);
      expect(scheduleProgress(p)).toBeCloseTo((m / 12) * 100, 10);
    }
    expect(scheduleProgress(parsePeriod('2023-11'))).toBeCloseTo(91.6667, 3);
    expect(periodTitle(parsePeriod('2023-11'))).toBe('2023年1-11月');
    expect(monthRangeLabel(parsePeriod('2023-01'))).toBe('1月');
  });

  it('reads the Chinese forms statistics offices write', () => {
    expect(parsePeriod('2023年1-9月')).toEqual(quarterPeriod(2023, 3));
    expect(parsePeriod('2023年1—6月')).toEqual(quarterPeriod(2023, 2));
    expect(parsePeriod('2023年1-11月')).toEqual(monthPeriod(2023, 11));
    expect(parsePeriod('2023年前三季度')).toEqual(quarterPeriod(2023, 3));
    expect(parsePeriod('2023年全年')).toEqual(quarterPeriod(2023, 4));
    expect(parsePeriod(' 2023q2 ')).toEqual(quarterPeriod(2023, 2));
  });

  it.each(['2023Q5', '2023-13', '2023-00', 'Q3', '23Q3', '2023年3-9月', ''])('rejects %j with a hint', (text) => {
    expect(() => parsePeriod(text)).toThrow(PeriodError);
    expect(() => parsePeriod(text)).toThrow(/expected e\.g\. 2023Q3/);
  });

  it('knows period ends and predecessors', () => {
    expect(periodEndDate(parsePeriod('2023Q1'))).toBe('2023-03-31');
    expect(periodEndDate(parsePeriod('2024-02'))).toBe('2024-02-29');
    expect(periodEndDate(parsePeriod('2023Q4'))).toBe('2023-12-31');
    expect(previousPeriod(parsePeriod('2023Q3'))).toEqual(quarterPeriod(2023, 2));
    expect(previousPeriod(parsePeriod('2023Q1'))).toBeUndefined();
    expect(previousPeriod(parsePeriod('2023-05'))).toEqual(monthPeriod(2023, 4));
  });
});
