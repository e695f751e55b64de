import { describe, expect, it } from 'vitest';
import { describeChanges } from '../../worker/domain/changes.ts';
import { emptyCounts, evaluate, evaluateIndicator, isYearEnd, statusScheme, type EvaluationContext } from '../../worker/domain/evaluate.ts';
import type { IndicatorFigure } from '../../worker/domain/figures.ts';
import { parsePeriod } from '../../worker/domain/period.ts';
import { DEFAULT_THRESHOLDS, toleranceOf, type Indicator, type JudgedIndicator } from '../../worker/domain/report.ts';
import { figuresOf, sampleReport } from '../support/report.ts';

const Q3 = parsePeriod('2023Q3');
const Q4 = parsePeriod('2023Q4');
const base = { lead: ['区统计局'], support: [], section: 'econ' };
const origin = { file: 'f.csv', row: 2 };
type Fig = Omit<IndicatorFigure, 'indicatorId' | 'origin'>;
const judge = (ind: JudgedIndicator, fig: Fig | undefined, period = Q3, ctx: EvaluationContext = {}) =>
  evaluateIndicator(ind, fig ? { indicatorId: ind.id, origin, ...fig } : undefined, period, DEFAULT_THRESHOLDS, ctx);

const gdp: JudgedIndicator = { ...base, id: 'gdp', name: '地区生产总值', kind: 'growth', unit: '%', target: 6, qualifier: '左右' };
const revenue: JudgedIndicator = { ...base, id: 'revenue', name: '一般公共预算收入', kind: 'cumulative', unit: '亿元', target: 20 };
const retail: Indicator = { ...base, id: 'retail', name: '社会消费品零售总额', kind: 'monitor', unit: '亿元', baseline: 130 };
const cityAvg: Indicator = { ...base, id: 'city-retail', name: '全市社会消费品零售总额', kind: 'monitor', unit: '亿元' };
const sync: JudgedIndicator = {
  ...base, id: 'sync', name: '城乡居民收入增长与经济增长同步', kind: 'relative', unit: '%',
  targetText: '与经济增长基本同步', measure: 'growth', relation: 'in_step', reference: 'gdp',
};
const aboveCity: JudgedIndicator = {
  ...base, id: 'retail-above', name: '社会消费品零售总额增速高于全市', kind: 'relative', unit: '%',
  targetText: '增速高于全市平均水平', measure: 'growth', relation: 'above', reference: 'city-retail',
};

describe('monitor indicators (监测指标)', () => {
  it('are shown with value and 同比 but never judged nor counted', () => {
    const report = sampleReport({ indicators: [revenue, retail] });
    const e = evaluate(report, figuresOf(Q3, { revenue: { value: 15 }, retail: { value: 97.5, yoy: 7.3 } }));
    expect(e.indicators.map((i) => i.indicator.id)).toEqual(['revenue']);
    expect(e.monitors).toHaveLength(1);
    expect(e.monitors[0]!.explanation).toBe('1-9月为97.50亿元，同比增长7.3%');
    expect(e.counts).toEqual({ ...emptyCounts(), on_track: 1 });
    expect(e.sections[0]!.counts).toEqual(e.counts);
    expect(e.sections[0]!.monitors.map((m) => m.indicator.id)).toEqual(['retail']);
  });

  it('without a figure say so, and still count nothing', () => {
    const e = evaluate(sampleReport({ indicators: [revenue, retail] }), figuresOf(Q4, { revenue: { value: 20 } }));
    expect(e.monitors[0]!.explanation).toBe('暂无1-12月数据');
    expect(e.counts).toEqual({ ...emptyCounts(), completed: 1 });
  });
});

describe('左右 tolerance', () => {
  it('uses the report default for 左右 targets: points for "%", percent of the target for amounts', () => {
    expect(toleranceOf(gdp, DEFAULT_THRESHOLDS)).toBe(0.5);
    expect(toleranceOf({ ...revenue, qualifier: '左右' }, DEFAULT_THRESHOLDS)).toBe(2);
    expect(toleranceOf(revenue, DEFAULT_THRESHOLDS)).toBe(0);
    expect(toleranceOf({ ...gdp, qualifier: '以上' }, DEFAULT_THRESHOLDS)).toBe(0);
    expect(toleranceOf({ ...gdp, tolerance: 0.3 }, DEFAULT_THRESHOLDS)).toBe(0.3);
  });

  it('growth inside the tolerance is on target; outside it is judged from the edge of the band', () => {
    const inside = judge(gdp, { yoy: 5.5 });
    expect(inside).toMatchObject({ status: 'on_track', gap: -0.5, tolerance: 0.5 });
    expect(inside.explanation).toBe('1-9月同比增长5.5%，低于预期目标0.5个百分点，在允许范围（±0.5个百分点）内');
    const outside = judge(gdp, { yoy: 5.4 });
    expect(outside.status).toBe('lagging');
    expect(outside.explanation).toContain('超出允许范围（±0.5个百分点）');
    expect(judge(gdp, { yoy: 4.5 }).status).toBe('lagging'); // 1.0 beyond the band
    expect(judge(gdp, { yoy: 4.4 }).status).toBe('severe');
    // Without 左右 the same figure lags.
    expect(judge({ ...gdp, qualifier: '以上' }, { yoy: 5.5 }).status).toBe('lagging');
    // A per-indicator tolerance replaces the default.
    expect(judge({ ...gdp, tolerance: 0.2 }, { yoy: 5.7 }).status).toBe('lagging');
    expect(judge({ ...gdp, tolerance: 0.3 }, { yoy: 5.7 }).status).toBe('on_track');
  });

  it('at year end a 左右 target inside the tolerance is 完成, outside it 未完成', () => {
    expect(judge(gdp, { yoy: 5.8 }, Q4)).toMatchObject({ status: 'completed', gap: -0.2 });
    expect(judge(gdp, { yoy: 5.8 }, Q4).explanation).toBe('1-12月同比增长5.8%，低于预期目标0.2个百分点，在允许范围（±0.5个百分点）内，完成年度目标');
    expect(judge(gdp, { yoy: 5.4 }, Q4).status).toBe('not_completed');
  });

  it('amounts: percent of the target, i.e. points of completion', () => {
    const about = { ...revenue, qualifier: '左右' };
    expect(judge(about, { value: 19.6 }, Q4)).toMatchObject({ completion: 98, status: 'completed' });
    expect(judge(about, { value: 19.58 }, Q4)).toMatchObject({ completion: 97.9, status: 'not_completed' });
    expect(judge(about, { value: 14.6 }, Q3)).toMatchObject({ completion: 73, gap: -2, status: 'on_track' });
    expect(judge(revenue, { value: 14.6 }, Q3).status).toBe('lagging');
  });

  it('levels in other units and ceilings take it too', () => {
    const days: JudgedIndicator = { ...base, id: 'days', name: '优良天数', kind: 'level', unit: '天', target: 300, direction: 'higher', qualifier: '左右' };
    expect(judge(days, { value: 294 }).status).toBe('on_track'); // 2% of 300 = 6 days
    expect(judge(days, { value: 293 }).status).toBe('lagging');
    const unemployment: JudgedIndicator = { ...base, id: 'u', name: '城镇调查失业率', kind: 'ceiling', unit: '%', target: 5.5, qualifier: '左右' };
    expect(judge(unemployment, { value: 5.9 })).toMatchObject({ status: 'on_track' });
    expect(judge(unemployment, { value: 5.9 }).explanation).toBe('当前为5.9%，略超控制目标0.4个百分点，在允许范围内');
    expect(judge(unemployment, { value: 6.1 }).status).toBe('severe');
    expect(judge(unemployment, { value: 6.1 }, Q4).status).toBe('not_completed');
  });
});

describe('relative targets', () => {
  const report = sampleReport({ indicators: [gdp, sync, cityAvg, aboveCity] });
  const ctx = (figures: Record<string, Fig>): EvaluationContext => ({
    indicators: report.indicators,
    figures: new Map(Object.entries(figures).map(([id, f]) => [id, { indicatorId: id, origin, ...f }])),
  });

  it('are judged against the reference indicator’s figure (its growth for measure growth)', () => {
    const c = ctx({ gdp: { yoy: 5.4, value: 263.5 } });
    const e = judge(sync, { yoy: 6.2 }, Q3, c);
    expect(e).toMatchObject({ status: 'on_track', reference: 5.4, gap: 0.8 });
    expect(e.explanation).toBe('1-9月同比增长6.2%，地区生产总值同比增长5.4%，高0.8个百分点，符合目标要求（目标为“与经济增长基本同步”）');
    // 同步 uses the tolerance: 0.5 below is still in step, 0.6 below is not.
    expect(judge(sync, { yoy: 4.9 }, Q3, c).status).toBe('on_track');
    expect(judge(sync, { yoy: 4.8 }, Q3, c).status).toBe('lagging');
    expect(judge(sync, { yoy: 3.8 }, Q3, c).status).toBe('severe');
    expect(judge(sync, { yoy: 6.2 }, Q4, c).status).toBe('completed');
    expect(judge(sync, { yoy: 4.8 }, Q4, c).status).toBe('not_completed');
  });

  it('can take a monitor indicator as the reference; "above" means strictly above', () => {
    const c = ctx({ 'city-retail': { value: 3000, yoy: 7.1 } });
    expect(judge(aboveCity, { yoy: 7.3 }, Q3, c)).toMatchObject({ status: 'on_track', reference: 7.1 });
    expect(judge(aboveCity, { yoy: 7.1 }, Q3, c).status).toBe('lagging');
    expect(judge(aboveCity, { yoy: 7.1 }, Q4, c).status).toBe('not_completed');
    expect(judge({ ...aboveCity, relation: 'at_least' }, { yoy: 7.1 }, Q3, c).status).toBe('on_track');
  });

  it('take a reference given in the figure row before the reference indicator’s', () => {
    const c = ctx({ 'city-retail': { yoy: 7.1 } });
    const e = judge(aboveCity, { yoy: 7.3, reference: 7.5 }, Q3, c);
    expect(e).toMatchObject({ status: 'lagging', reference: 7.5, gap: -0.2 });
    expect(e.explanation).toContain('参照值同比增长7.5%');
    const noRefIndicator: JudgedIndicator = { ...aboveCity, reference: undefined };
    expect(judge(noRefIndicator, { yoy: 7.3, reference: 7.1 }).status).toBe('on_track');
  });

  it('compare values in the same unit for measure value', () => {
    const income: JudgedIndicator = {
      ...base, id: 'inc', name: '农村居民人均可支配收入', kind: 'relative', unit: '元', targetText: '不低于全市平均水平', measure: 'value', relation: 'at_least',
    };
    expect(judge(income, { value: 20385, reference: 20100 })).toMatchObject({ status: 'on_track', gap: 285 });
    expect(judge(income, { value: 19500, reference: 20100 }).status).toBe('lagging'); // 600 short, within 5%
    expect(judge(income, { value: 18000, reference: 20100 }).status).toBe('severe');
  });

  it('without a reference figure take the status staff set, else are 缺数据', () => {
    expect(judge(sync, { status: 'lagging' }, Q3, ctx({})).status).toBe('lagging');
    expect(judge(sync, { yoy: 6.2, status: 'on_track' }, Q3, ctx({})).status).toBe('on_track');
    expect(judge(sync, { status: 'on_track' }, Q4, ctx({})).status).toBe('completed');
    expect(judge(sync, { status: 'severe' }, Q4, ctx({})).status).toBe('not_completed');
    const noRef = judge(sync, { yoy: 6.2 }, Q3, ctx({}));
    expect(noRef.status).toBe('missing');
    expect(noRef.explanation).toBe('暂无1-9月参照值（地区生产总值增速）');
    expect(judge(sync, undefined, Q3, ctx({ gdp: { yoy: 5 } })).status).toBe('missing');
  });

  it('in a whole report, read the reference from the period’s figures', () => {
    const e = evaluate(report, figuresOf(Q3, { gdp: { yoy: 5.6 }, sync: { yoy: 6.2 }, 'city-retail': { yoy: 7 }, 'retail-above': { yoy: 6.8 } }));
    expect(e.indicators.map((i) => `${i.indicator.id}:${i.status}`)).toEqual(['gdp:on_track', 'sync:on_track', 'retail-above:lagging']);
    expect(e.monitors.map((m) => m.indicator.id)).toEqual(['city-retail']);
  });
});

describe('the year’s last period', () => {
  it('is Q4 or 12月', () => {
    expect(isYearEnd(Q4)).toBe(true);
    expect(isYearEnd(parsePeriod('2023-12'))).toBe(true);
    expect(isYearEnd(parsePeriod('2023-11'))).toBe(false);
    expect(isYearEnd(Q3)).toBe(false);
  });

  it('has its own statuses and labels; 超额完成 only where the report asks for it', () => {
    expect(statusScheme(Q3).statuses.map((s) => s.label)).toEqual(['达序时', '滞后', '严重滞后', '年底考核', '缺数据']);
    expect(statusScheme(Q4).statuses.map((s) => s.label)).toEqual(['完成', '未完成', '缺数据']);
    expect(statusScheme(Q4, { exceeded: true }).statuses.map((s) => s.label)).toEqual(['超额完成', '完成', '未完成', '缺数据']);
    expect(statusScheme(Q4).yearEnd).toBe(true);
  });

  it('says 完成 / 未完成 for cumulative indicators, 超额完成 when asked', () => {
    expect(judge(revenue, { value: 20 }, Q4)).toMatchObject({ status: 'completed', completion: 100, schedule: 100, gap: 0 });
    const short = judge(revenue, { value: 19 }, Q4);
    expect(short).toMatchObject({ status: 'not_completed', completion: 95, gap: -5 });
    expect(short.explanation).toBe('1-12月完成19.00亿元，完成年度目标的95.0%，未完成年度目标，差5.0个百分点');
    expect(judge(revenue, { value: 21 }, Q4).status).toBe('completed');
    expect(judge(revenue, { value: 21 }, Q4, { yearEnd: { exceeded: true } })).toMatchObject({ status: 'exceeded' });
    expect(judge(revenue, { value: 20 }, Q4, { yearEnd: { exceeded: true } }).status).toBe('completed');
    // Monthly: 12月 is the year's last period as well; 11月 is not.
    expect(judge(revenue, { value: 19 }, parsePeriod('2023-12')).status).toBe('not_completed');
    expect(judge(revenue, { value: 19 }, parsePeriod('2023-11')).status).toBe('on_track');
  });

  it('says 完成 / 未完成 for growth, level, ceiling and qualitative indicators; a ceiling is never 超额', () => {
    const ex = { yearEnd: { exceeded: true } };
    const plain: JudgedIndicator = { ...gdp, qualifier: '以上' };
    expect(judge(plain, { yoy: 6.3 }, Q4, ex).status).toBe('exceeded');
    expect(judge(plain, { yoy: 6 }, Q4, ex).status).toBe('completed');
    expect(judge(plain, { yoy: 5.9 }, Q4, ex).status).toBe('not_completed');
    // Above the target but inside its 左右 band is 完成, not 超额完成.
    expect(judge(gdp, { yoy: 6.3 }, Q4, ex).status).toBe('completed');
    expect(judge(gdp, { yoy: 6.6 }, Q4, ex).status).toBe('exceeded');
    const records: JudgedIndicator = { ...base, id: 'r', name: '建档率', kind: 'level', unit: '%', target: 92, direction: 'higher' };
    expect(judge(records, { value: 92.6 }, Q4).status).toBe('completed');
    expect(judge(records, { value: 91.9 }, Q4).status).toBe('not_completed');
    const cap: JudgedIndicator = { ...base, id: 'c', name: '失业率', kind: 'ceiling', unit: '%', target: 4.5 };
    expect(judge(cap, { value: 3.7 }, Q4, ex).status).toBe('completed');
    expect(judge(cap, { value: 4.6 }, Q4, ex).status).toBe('not_completed');
    const q: JudgedIndicator = { ...base, id: 'q', name: '能耗', kind: 'qualitative', unit: '', targetText: '完成市下达目标' };
    expect(judge(q, { status: 'on_track' }, Q4)).toMatchObject({ status: 'completed', explanation: '目标为“完成市下达目标”，全年完成' });
    expect(judge(q, { status: 'lagging' }, Q4).status).toBe('not_completed');
    expect(judge(q, undefined, Q4).status).toBe('missing');
  });

  it('lists 未完成 indicators as the lagging ones, and counts by the year-end statuses', () => {
    const report = sampleReport({ indicators: [revenue, gdp], yearEnd: { exceeded: true } });
    const e = evaluate(report, figuresOf(Q4, { revenue: { value: 21 }, gdp: { yoy: 5.2 } }));
    expect(e.scheme.yearEnd).toBe(true);
    expect(e.counts).toEqual({ ...emptyCounts(), exceeded: 1, not_completed: 1 });
    expect(e.lagging.map((l) => l.indicator.id)).toEqual(['gdp']);
  });
});

describe('seasonal indicators', () => {
  const grain: JudgedIndicator = { ...base, id: 'grain', name: '粮食总产量', kind: 'cumulative', unit: '吨', target: 7500, seasonal: 'year-end' };
  const sown: JudgedIndicator = { ...base, id: 'sown', name: '农作物播种面积', kind: 'cumulative', unit: '万亩', target: 9.7, baseline: 9.6, seasonal: 'last-year' };

  it('year-end: not judged against 时序进度 before the last period, with or without a figure', () => {
    const e = judge(grain, { value: 2150 });
    expect(e).toMatchObject({ status: 'not_judged', completion: 28.7 });
    expect(e.schedule).toBeUndefined();
    expect(e.gap).toBeUndefined();
    expect(e.explanation).toBe('1-9月完成2150吨，完成年度目标的28.7%；该指标年底考核，不按时序进度评价');
    expect(judge(grain, undefined).status).toBe('not_judged');
    expect(judge(grain, { value: 7720 }, Q4).status).toBe('completed');
    expect(judge(grain, { value: 7000 }, Q4).status).toBe('not_completed');
    expect(judge(grain, undefined, Q4).status).toBe('missing');
    const e2 = evaluate(sampleReport({ indicators: [grain, revenue] }), figuresOf(Q3, { revenue: { value: 15 } }));
    expect(e2.counts).toEqual({ ...emptyCounts(), on_track: 1, not_judged: 1 });
    expect(e2.lagging).toEqual([]);
  });

  it('last-year: completion is compared with last year’s progress at the same point', () => {
    // last year to date = 9.52 / (1 − 0.8%) = 9.597; over last year's 9.6 = 100.0%
    const e = judge(sown, { value: 9.52, yoy: -0.8 });
    expect(e).toMatchObject({ completion: 98.1, schedule: 100, scheduleBasis: 'last_year', gap: -1.9, status: 'lagging' });
    expect(e.explanation).toBe('1-9月完成9.52万亩，完成年度目标的98.1%，低于上年同期进度（100.0%）1.9个百分点');
    // Early in the year a small share is on track when last year was as small.
    expect(judge(sown, { value: 1.85, yoy: 2.8 }, parsePeriod('2023Q1'))).toMatchObject({ completion: 19.1, schedule: 18.7, status: 'on_track' });
    expect(judge(sown, { value: 1.85 }, parsePeriod('2023Q1')).status).toBe('missing');
    expect(judge(sown, { value: 9.52, yoy: -0.8 }, Q4).status).toBe('not_completed');
  });
});

describe('更正说明 (describeChanges)', () => {
  it('names year-end statuses, corrected reference values and monitor figures', () => {
    const report = sampleReport({ indicators: [revenue, retail, sync] });
    const facts = (value: number, status: string, retailValue: number, reference: number) => ({
      figures: { indicators: { revenue: { value }, retail: { value: retailValue }, sync: { yoy: 6.2, reference } }, tasks: {} },
      evaluation: { indicators: [{ id: 'revenue', status }, { id: 'sync', status: 'completed' }] as never },
    });
    expect(describeChanges(report, facts(19, 'not_completed', 139.6, 5.8), facts(20.2, 'completed', 139.8, 5.7))).toEqual([
      '一般公共预算收入：累计值由19.00亿元更正为20.20亿元，状态由未完成变为完成',
      '社会消费品零售总额：累计值由139.60亿元更正为139.80亿元',
      '城乡居民收入增长与经济增长同步：参照值由5.8%更正为5.7%',
    ]);
  });
});
