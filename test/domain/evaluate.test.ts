import { describe, expect, it } from 'vitest';
import { emptyCounts, evaluate, evaluateIndicator } from '../../worker/domain/evaluate.ts';
import { parsePeriod } from '../../worker/domain/period.ts';
import { DEFAULT_THRESHOLDS, type JudgedIndicator } from '../../worker/domain/report.ts';
import { figuresOf, sampleReport } from '../support/report.ts';

const Q3 = parsePeriod('2023Q3');
const report = sampleReport();
const ind = (id: string) => report.indicators.find((i) => i.id === id)! as JudgedIndicator;
const origin = { file: 'f.csv', row: 2 };
const at = (id: string, fig: { value?: number; yoy?: number; status?: 'on_track' | 'lagging' | 'severe'; note?: string }, period = Q3) =>
  evaluateIndicator(ind(id), { indicatorId: id, origin, ...fig }, period, DEFAULT_THRESHOLDS);

describe('cumulative indicators', () => {
  it('compares completion with 时序进度 and explains it in one sentence', () => {
    const e = at('revenue', { value: 14.8 });
    expect(e.completion).toBe(68.8);
    expect(e.schedule).toBe(75);
    expect(e.gap).toBe(-6.2);
    expect(e.status).toBe('lagging');
    expect(e.explanation).toBe('1-9月完成14.80亿元，完成年度目标的68.8%，低于时序进度6.2个百分点');
  });

  it('is on track at exactly 时序进度, lagging up to 10 points behind, severe beyond', () => {
    expect(at('revenue', { value: 21.5 * 0.75 }).status).toBe('on_track');
    expect(at('revenue', { value: 21.5 * 0.75 }).explanation).toContain('与时序进度持平');
    expect(at('revenue', { value: 21.5 * 0.65 }).status).toBe('lagging'); // exactly 10 points behind
    expect(at('revenue', { value: 21.5 * 0.649 }).status).toBe('severe');
    expect(at('revenue', { value: 22 }).explanation).toContain('已完成全年目标');
  });

  it('uses the rounded figures it prints, so the gap is their difference', () => {
    // 16.1 / 21.5 = 74.883…% prints as 74.9; the gap is 74.9 − 75.0 = −0.1, not −0.117.
    const e = at('revenue', { value: 16.1 });
    expect(e.completion).toBe(74.9);
    expect(e.gap).toBe(-0.1);
  });

  it('uses monthly 时序进度 for monthly periods', () => {
    const e = at('revenue', { value: 19.7 }, parsePeriod('2023-11'));
    expect(e.schedule).toBe(91.7);
    expect(e.completion).toBe(91.6);
    expect(e.gap).toBe(-0.1);
    expect(e.explanation.startsWith('1-11月完成')).toBe(true);
  });
});

describe('growth indicators', () => {
  it('compares YoY growth with the target growth in 百分点; 时序进度 does not apply', () => {
    const e = at('gdp', { yoy: 5.4, value: 263.5 });
    expect(e.gap).toBe(-0.6);
    expect(e.status).toBe('lagging');
    expect(e.schedule).toBeUndefined();
    expect(e.explanation).toBe('1-9月同比增长5.4%，低于预期目标0.6个百分点');
    expect(at('gdp', { yoy: 6 }).status).toBe('on_track');
    expect(at('gdp', { yoy: 5 }).status).toBe('lagging');
    expect(at('gdp', { yoy: 4.9 }).status).toBe('severe');
    expect(at('gdp', { yoy: -1.2 }).explanation).toContain('同比下降1.2%');
  });

  it('is missing without a growth rate, even when an amount is given', () => {
    expect(at('gdp', { value: 263.5 }).status).toBe('missing');
  });
});

describe('level indicators', () => {
  it('higher is better', () => {
    expect(at('records', { value: 92.1 }).status).toBe('on_track');
    expect(at('records', { value: 92.1 }).gap).toBe(0.1);
    expect(at('records', { value: 92.1 }).explanation).toBe('当前为92.1%，优于目标0.1个百分点');
    expect(at('records', { value: 88 }).status).toBe('lagging'); // 4 below 92 is 4.3% of the target
    expect(at('records', { value: 87 }).status).toBe('severe');
  });

  it('lower is better', () => {
    expect(at('pm25', { value: 28 }).status).toBe('on_track');
    expect(at('pm25', { value: 31 }).status).toBe('lagging');
    expect(at('pm25', { value: 31 }).explanation).toBe('当前为31微克/立方米，未达目标1微克/立方米');
    expect(at('pm25', { value: 33 }).status).toBe('severe');
  });
});

describe('ceiling indicators', () => {
  it('must stay at or under the target; any excess is serious', () => {
    expect(at('unemployment', { value: 4.5 }).status).toBe('on_track');
    expect(at('unemployment', { value: 3.8 }).explanation).toBe('当前为3.8%，控制在目标以内0.7个百分点');
    expect(at('unemployment', { value: 4.6 }).status).toBe('severe');
    expect(at('unemployment', { value: 4.6 }).explanation).toContain('超出控制目标0.1个百分点');
  });
});

describe('qualitative indicators', () => {
  it('take the status staff set', () => {
    expect(at('sync', { status: 'lagging' }).status).toBe('lagging');
    expect(at('sync', { status: 'on_track' }).explanation).toBe('目标为“与经济增长基本同步”，目前达序时');
    expect(at('sync', {}).status).toBe('missing');
  });
});

describe('missing figures', () => {
  it('are 缺数据, never zero', () => {
    for (const i of report.indicators) {
      const e = evaluateIndicator(i as JudgedIndicator, undefined, Q3, DEFAULT_THRESHOLDS);
      expect(e.status).toBe('missing');
      expect(e.completion).toBeUndefined();
      expect(e.gap).toBeUndefined();
      expect(e.explanation).toMatch(/^暂无1-9月/);
    }
    const e = at('revenue', { note: '统计部门尚未发布' });
    expect(e.explanation).toBe('暂无1-9月完成数据（统计部门尚未发布）');
  });
});

describe('evaluate (a whole report)', () => {
  it('counts statuses, orders lagging worst first and evaluates tasks', () => {
    const figs = figuresOf(
      Q3,
      { revenue: { value: 14.8 }, gdp: { yoy: 4 }, records: { value: 93 }, pm25: { value: 31 }, unemployment: { value: 4 } },
      { school: { status: 'behind', note: '装修进度滞后' } },
    );
    const e = evaluate(report, figs);
    expect(e.counts).toEqual({ ...emptyCounts(), on_track: 2, lagging: 2, severe: 1, missing: 1 });
    expect(e.lagging.map((l) => l.indicator.id)).toEqual(['gdp', 'revenue', 'pm25']);
    expect(e.sections[0]!.counts).toEqual(e.counts);
    expect(e.tasks[0]).toMatchObject({ status: 'lagging', taskStatus: 'behind', milestone: '内外装修' });
    expect(e.taskCounts).toEqual({ ...emptyCounts(), lagging: 1 });
    expect(e.schedule).toBe(75);
  });

  it('applies per-report thresholds', () => {
    const strict = sampleReport({ thresholds: { ...DEFAULT_THRESHOLDS, cumulativePoints: 5 } });
    const e = evaluate(strict, figuresOf(Q3, { revenue: { value: 14.8 } }));
    expect(e.indicators[0]!.status).toBe('severe');
  });
});
