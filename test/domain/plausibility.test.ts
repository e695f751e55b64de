import { describe, expect, it } from 'vitest';
import { checkPlausibility } from '../../worker/domain/plausibility.ts';
import { parsePeriod } from '../../worker/domain/period.ts';
import type { Indicator } from '../../worker/domain/report.ts';
import { decimalCandidates, hasLeadingZero } from '../../worker/domain/suspect-numbers.ts';
import { figuresOf, sampleReport } from '../support/report.ts';

const Q3 = parsePeriod('2023Q3');
const Q2 = parsePeriod('2023Q2');
const extra: Indicator[] = [
  { id: 'fai', name: '固定资产投资', section: 'econ', kind: 'cumulative', unit: '亿元', target: 45, lead: ['区发改委'], support: [] },
  { id: 'projects', name: '重点项目完成投资', section: 'econ', kind: 'cumulative', unit: '亿元', target: 30, lead: ['区发改委'], support: [], partOf: 'fai' },
];
const report = sampleReport();
const withParts = sampleReport({ indicators: [...report.indicators, ...extra] });
const rules = (fs: ReturnType<typeof checkPlausibility>) => fs.map((f) => `${f.severity}:${f.rule}:${f.candidates.join('|')}`);

describe('suspect numbers', () => {
  it('proposes where a lost decimal point could have been', () => {
    expect(decimalCandidates('2001')).toEqual([200.1, 20.01, 2.001]);
    expect(decimalCandidates('35')).toEqual([3.5]);
    expect(decimalCandidates('05')).toEqual([0.5]);
    expect(decimalCandidates('7')).toEqual([]);
    expect(decimalCandidates('3.5')).toEqual([]);
    expect(hasLeadingZero('05')).toBe(true);
    expect(hasLeadingZero('0.5')).toBe(false);
    expect(hasLeadingZero('0')).toBe(false);
  });
});

describe('checkPlausibility', () => {
  it('passes ordinary figures', () => {
    const f = figuresOf(Q3, { revenue: { value: 14.8, yoy: 2.1 }, gdp: { yoy: 5.4, value: 263.5 }, records: { value: 92.1 } });
    expect(checkPlausibility(report, f)).toEqual([]);
  });

  it('stops a share above 100% and a fall of more than 100%, with candidates', () => {
    const f = figuresOf(Q3, {
      records: { value: 921, raw: { value: '921' } },
      revenue: { value: 14.8, yoy: -758, raw: { value: '14.8', yoy: '-758' } },
    });
    expect(rules(checkPlausibility(report, f))).toEqual(['error:decline-over-100:-75.8|-7.58', 'error:percent-over-100:92.1|9.21']);
  });

  it('warns of growth outside its band, proposing the reading inside it', () => {
    const f = figuresOf(Q3, { gdp: { yoy: 54, raw: { yoy: '54' } } });
    const [finding] = checkPlausibility(report, f);
    expect(finding).toMatchObject({ severity: 'warning', rule: 'implausible-growth', candidates: [5.4], column: '同比增长', file: 'test.csv', row: 2 });
    expect(finding!.message).toBe('[implausible-growth] 地区生产总值同比增长54%，超出通常区间（±30%）；请核实，可能为5.4');
  });

  it('warns of a value many times its target or baseline (201亿元 for 20.1亿元)', () => {
    const f = figuresOf(Q3, { revenue: { value: 201, raw: { value: '201' } } });
    expect(rules(checkPlausibility(report, f))).toEqual(['warning:many-times-baseline:20.1']);
  });
});

describe('the scale check: a value ≥ 100× off its baseline scaled to the period', () => {
  const codes = (fs: ReturnType<typeof checkPlausibility>) => fs.map((f) => `${f.severity}:${f.code}:${f.candidates.join('|')}`);
  const big = sampleReport({
    indicators: [
      { id: 'output', name: '规模以上工业总产值', section: 'econ', kind: 'cumulative', unit: '亿元', target: 1100, baseline: 1000, lead: ['甲'], support: [] },
      { id: 'retail', name: '社会消费品零售总额', section: 'econ', kind: 'growth', unit: '%', valueUnit: '亿元', target: 7, baselineValue: 300, lead: ['甲'], support: [] },
      { id: 'rate', name: '建档率', section: 'econ', kind: 'level', unit: '%', target: 92, baseline: 90, direction: 'higher', lead: ['甲'], support: [] },
      { id: 'parks', name: '新建口袋公园', section: 'econ', kind: 'cumulative', unit: '处', target: 20, lead: ['甲'], support: [] },
    ],
  });
  const Q2 = parsePeriod('2023Q2');

  it('refuses 10583548 (万元 read as 亿元) against 1000 × 6/12, proposing 1058.3548', () => {
    const [f] = checkPlausibility(big, figuresOf(Q2, { output: { value: 10583548 } }));
    expect(f).toMatchObject({ severity: 'error', code: 'FIGURE_SCALE_SUSPECT', rule: 'scale-suspect', candidates: [1058.3548], column: '累计值' });
    expect(f!.message).toContain('1058.3548亿元（除以10000，如把万元读作亿元）');
  });

  it('in both directions and for every kind with a baseline: a growth amount, a rate written as a fraction, the 2001 of a lost decimal point', () => {
    expect(codes(checkPlausibility(big, figuresOf(Q2, { retail: { value: 0.015234, yoy: 7 } })))).toEqual(['error:FIGURE_SCALE_SUSPECT:152.34|15.234']);
    expect(codes(checkPlausibility(big, figuresOf(Q3, { rate: { value: 0.5 } })))).toEqual(['error:FIGURE_SCALE_SUSPECT:50|500']);
    expect(codes(checkPlausibility(report, figuresOf(Q3, { revenue: { value: 2001, raw: { value: '2001' } } })))).toEqual(['error:FIGURE_SCALE_SUSPECT:20.01|2.001']);
  });

  it('stays quiet up to 99×, for zero, and without a baseline or target to scale', () => {
    expect(checkPlausibility(big, figuresOf(Q2, { output: { value: 5.1 }, parks: { value: 0 } }))).toEqual([]);
    expect(checkPlausibility(big, figuresOf(Q2, { retail: { yoy: 7.2 } }))).toEqual([]);
    expect(checkPlausibility(report, figuresOf(Q3, { gdp: { value: 1e9, yoy: 5 } }))).toEqual([]); // gdp has no baseline value
  });

  it('a confirmed value is only a warning', () => {
    expect(codes(checkPlausibility(big, figuresOf(Q2, { output: { value: 10583548, confirmed: true } })))).toEqual(['warning:FIGURE_SCALE_SUSPECT:1058.3548']);
  });

  it('compares with the previous period: a falling cumulative value, a jump', () => {
    const prev = figuresOf(Q2, { revenue: { value: 10.2 } });
    expect(rules(checkPlausibility(report, figuresOf(Q3, { revenue: { value: 9.8 } }), prev))).toEqual(['warning:cumulative-decrease:']);
    // 60 after 1.2 is 50 times; 6 would be five times, the most a quarter plausibly adds.
    expect(rules(checkPlausibility(report, figuresOf(Q3, { revenue: { value: 60, raw: { value: '60' } } }), figuresOf(Q2, { revenue: { value: 1.2 } })))).toEqual([
      'warning:many-times-previous:6',
    ]);
  });

  it('does not call a seasonal amount’s harvest jump suspect', () => {
    const grain: Indicator = { id: 'grain', name: '粮食总产量', section: 'econ', lead: ['区农牧局'], support: [], kind: 'cumulative', unit: '万吨', target: 10, baseline: 9.8, seasonal: 'year-end' };
    const seasonal = sampleReport({ indicators: [...report.indicators, grain] });
    const prev = figuresOf(Q2, { grain: { value: 0.3 } });
    expect(rules(checkPlausibility(seasonal, figuresOf(Q3, { grain: { value: 8.9, raw: { value: '8.9' } } }), prev))).toEqual([]);
  });

  it('warns of a part larger than its whole', () => {
    const f = figuresOf(Q3, { fai: { value: 31.4 }, projects: { value: 35.1, raw: { value: '35.1' } } });
    expect(rules(checkPlausibility(withParts, f))).toEqual(['warning:part-exceeds-whole:']);
  });

  it('warns of a leading zero', () => {
    const f = figuresOf(Q3, { gdp: { yoy: 5, raw: { yoy: '05%' } } });
    expect(rules(checkPlausibility(report, f))).toEqual(['warning:leading-zero:0.5']);
  });

  it('warns once when many numbers and not one has a decimal point', () => {
    const ids = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x${i}`, { value: 10 + i, raw: { value: String(10 + i) } }]));
    const wide = sampleReport({
      indicators: Array.from({ length: 10 }, (_, i) => ({ id: `x${i}`, name: `指标${i}`, section: 'econ', kind: 'cumulative' as const, unit: '个', target: 100, lead: ['甲'], support: [] })),
    });
    expect(rules(checkPlausibility(wide, figuresOf(Q3, ids)))).toEqual(['warning:no-decimal-point:']);
    const withOne = { ...ids, x0: { value: 10.5, raw: { value: '10.5' } } };
    expect(checkPlausibility(wide, figuresOf(Q3, withOne))).toEqual([]);
  });
});
