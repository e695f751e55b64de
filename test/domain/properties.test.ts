import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateIndicator, type Status } from '../../worker/domain/evaluate.ts';
import { monthPeriod, parsePeriod, periodId, quarterPeriod, scheduleProgress, previousPeriod, type Quarter } from '../../worker/domain/period.ts';
import { DEFAULT_THRESHOLDS, type Indicator } from '../../worker/domain/report.ts';

const year = fc.integer({ min: 1990, max: 2100 });
const month = fc.integer({ min: 1, max: 12 });
const quarter = fc.constantFrom<Quarter>(1, 2, 3, 4);
const anyPeriod = fc.oneof(
  fc.tuple(year, quarter).map(([y, q]) => quarterPeriod(y, q)),
  fc.tuple(year, month).map(([y, m]) => monthPeriod(y, m)),
);
const RANK: Record<Status, number> = { severe: 0, lagging: 1, on_track: 2, missing: -1, not_judged: -1, not_completed: 0, completed: 2, exceeded: 3 };
const origin = { file: 'f', row: 2 };

describe('period arithmetic (properties)', () => {
  it('prints and parses back to the same period', () => {
    fc.assert(
      fc.property(anyPeriod, (p) => {
        expect(parsePeriod(periodId(p))).toEqual(p);
      }),
    );
  });

  it('时序进度 is months / 12, within (0, 100], and grows with the months', () => {
    fc.assert(
      fc.property(year, month, month, (y, a, b) => {
        const [pa, pb] = [monthPeriod(y, a), monthPeriod(y, b)];
        expect(scheduleProgress(pa)).toBeCloseTo((a * 100) / 12, 9);
        expect(scheduleProgress(pa)).toBeGreaterThan(0);
        expect(scheduleProgress(pa)).toBeLessThanOrEqual(100);
        if (a < b) expect(scheduleProgress(pa)).toBeLessThan(scheduleProgress(pb));
      }),
    );
  });

  it('a quarter has the 时序进度 of its last month, and the previous period ends a step earlier', () => {
    fc.assert(
      fc.property(year, quarter, (y, q) => {
        const p = quarterPeriod(y, q);
        expect(scheduleProgress(p)).toBe(scheduleProgress(monthPeriod(y, q * 3)));
        const prev = previousPeriod(p);
        if (q === 1) expect(prev).toBeUndefined();
        else expect(prev!.month).toBe(p.month - 3);
      }),
    );
  });
});

describe('status boundaries (properties)', () => {
  const base = { id: 'x', name: '指标', section: 's', lead: ['甲'], support: [] };
  const target = fc.double({ min: 0.1, max: 1e6, noNaN: true });
  const value = fc.double({ min: 0, max: 2e6, noNaN: true });

  it('cumulative: more done is never a worse status, and the gap is completion − 时序进度', () => {
    fc.assert(
      fc.property(target, value, value, (t, a, b) => {
        const ind: Indicator = { ...base, kind: 'cumulative', unit: '亿元', target: t };
        const p = quarterPeriod(2023, 3);
        const [ea, eb] = [a, b].map((v) => evaluateIndicator(ind, { indicatorId: 'x', origin, value: v }, p, DEFAULT_THRESHOLDS));
        if (a <= b) expect(RANK[ea!.status]).toBeLessThanOrEqual(RANK[eb!.status]);
        expect(ea!.gap).toBeCloseTo(ea!.completion! - ea!.schedule!, 6);
        expect(ea!.status === 'on_track').toBe(ea!.gap! >= 0);
        expect(ea!.status === 'severe').toBe(ea!.gap! < -DEFAULT_THRESHOLDS.cumulativePoints);
      }),
    );
  });

  it('growth: on track exactly when YoY reaches the target, severe beyond the threshold', () => {
    fc.assert(
      fc.property(fc.double({ min: -20, max: 20, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true }), (t, yoy) => {
        const tgt = Math.round(t * 10) / 10;
        const ind: Indicator = { ...base, kind: 'growth', unit: '%', target: tgt };
        const e = evaluateIndicator(ind, { indicatorId: 'x', origin, yoy }, quarterPeriod(2023, 2), DEFAULT_THRESHOLDS);
        const r = Math.round(yoy * 10) / 10;
        expect(e.status).toBe(r - tgt >= -1e-9 ? 'on_track' : r - tgt >= -DEFAULT_THRESHOLDS.growthPoints - 1e-9 ? 'lagging' : 'severe');
      }),
    );
  });

  it('ceiling: lower is never worse; at or under the target is on track (完成 at year end)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 200, noNaN: true }), fc.double({ min: 0, max: 200, noNaN: true }), quarter, (t, a, b, q) => {
        const ind: Indicator = { ...base, kind: 'ceiling', unit: '%', target: t };
        const [ea, eb] = [a, b].map((v) => evaluateIndicator(ind, { indicatorId: 'x', origin, value: v }, quarterPeriod(2023, q), DEFAULT_THRESHOLDS));
        if (a <= b) expect(RANK[ea!.status]).toBeGreaterThanOrEqual(RANK[eb!.status]);
        if (a <= t) expect(ea!.status).toBe(q === 4 ? 'completed' : 'on_track');
      }),
    );
  });

  it('year end (Q4, 12月) only ever says 超额完成/完成/未完成/缺数据, never 达序时, 滞后 or 严重滞后', () => {
    const kinds: Indicator[] = [
      { ...base, kind: 'cumulative', unit: '亿元', target: 50 },
      { ...base, kind: 'cumulative', unit: '吨', target: 50, seasonal: 'year-end' },
      { ...base, kind: 'cumulative', unit: '万亩', target: 50, baseline: 48, seasonal: 'last-year' },
      { ...base, kind: 'growth', unit: '%', target: 6, qualifier: '左右' },
      { ...base, kind: 'level', unit: '%', target: 90, direction: 'higher' },
      { ...base, kind: 'ceiling', unit: '%', target: 4.5 },
      { ...base, kind: 'relative', unit: '%', targetText: '高于全市平均水平', measure: 'growth', relation: 'above' },
    ];
    const allowed = new Set(['exceeded', 'completed', 'not_completed', 'missing']);
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.option(fc.double({ min: 0, max: 200, noNaN: true })),
        fc.option(fc.double({ min: -30, max: 30, noNaN: true })),
        fc.option(fc.double({ min: -30, max: 30, noNaN: true })),
        fc.constantFrom(quarterPeriod(2023, 4), monthPeriod(2023, 12)),
        fc.boolean(),
        (ind, value, yoy, reference, p, exceeded) => {
          const fig = { indicatorId: 'x', origin, ...(value !== null ? { value } : {}), ...(yoy !== null ? { yoy } : {}), ...(reference !== null ? { reference } : {}) };
          const e = evaluateIndicator(ind as Exclude<Indicator, { kind: 'monitor' }>, fig, p, DEFAULT_THRESHOLDS, { yearEnd: { exceeded } });
          expect(allowed.has(e.status)).toBe(true);
          if (!exceeded) expect(e.status).not.toBe('exceeded');
        },
      ),
    );
  });

  it('level: for "higher is better" more is never worse; for "lower" less is never worse', () => {
    fc.assert(
      fc.property(target, value, value, fc.constantFrom<'higher' | 'lower'>('higher', 'lower'), (t, a, b, direction) => {
        const ind: Indicator = { ...base, kind: 'level', unit: '个', target: t, direction };
        const [ea, eb] = [a, b].map((v) => evaluateIndicator(ind, { indicatorId: 'x', origin, value: v }, quarterPeriod(2023, 1), DEFAULT_THRESHOLDS));
        const better = direction === 'higher' ? a <= b : a >= b;
        if (better) expect(RANK[ea!.status]).toBeLessThanOrEqual(RANK[eb!.status]);
      }),
    );
  });
});
