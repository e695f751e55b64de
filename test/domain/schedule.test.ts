import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cron from 'node-cron';
import { periodId } from '../../worker/domain/period.ts';
import type { WorkCalendar } from '../../worker/domain/calendar.ts';
import { addDays, isWorkingDay } from '../../worker/domain/calendar.ts';
import {
  cronMatches,
  describeFire,
  dueFires,
  fireAt,
  firesBetween,
  lastFireWithin,
  nextFires,
  periodForFire,
  previousFire,
  zonedInstant,
  type Fire,
  type Schedule,
} from '../../worker/domain/schedule.ts';
import { loadWorkCalendar } from '../../worker/config/work-calendar.ts';

const TZ = 'Asia/Shanghai';
const cronSchedule = (expr: string, workday: 'any' | 'next' = 'any', timeZone = TZ): Schedule => ({ rule: { kind: 'cron', cron: expr, fields: cron.parse(expr), workday }, timeZone });
const iso = (fires: readonly Fire[]) => fires.map((f) => f.at.toISOString());

let cal: WorkCalendar;
beforeAll(async () => {
  cal = await loadWorkCalendar(undefined);
});

describe('schedule arithmetic', () => {
  it('derives the period a fire reports on from the local calendar', () => {
    expect(periodId(periodForFire(new Date('2023-10-20T01:00:00Z'), TZ, 'previous-quarter'))).toBe('2023Q3');
    expect(periodId(periodForFire(new Date('2024-01-20T01:00:00Z'), TZ, 'previous-quarter'))).toBe('2023Q4');
    // 2023-03-31 17:00 UTC is already April 1st in Beijing: the quarter that ended is Q1.
    expect(periodId(periodForFire(new Date('2023-03-31T17:00:00Z'), TZ, 'previous-quarter'))).toBe('2023Q1');
    expect(periodId(periodForFire(new Date('2023-03-31T17:00:00Z'), 'UTC', 'previous-quarter'))).toBe('2022Q4');
    expect(periodId(periodForFire(new Date('2023-12-05T01:00:00Z'), TZ, 'previous-month'))).toBe('2023-11');
    expect(periodId(periodForFire(new Date('2024-01-05T01:00:00Z'), TZ, 'previous-month'))).toBe('2023-12');
  });

  it('lists next fires in the time zone, and finds a missed fire within a window', () => {
    const s = cronSchedule('0 9 20 1,4,7,10 *');
    expect(iso(nextFires(s, undefined, new Date('2023-10-21T00:00:00Z'), 2))).toEqual(['2024-01-20T01:00:00.000Z', '2024-04-20T01:00:00.000Z']);
    const fire = new Date('2023-10-20T01:00:00Z');
    expect(lastFireWithin(s, undefined, new Date(fire.getTime() + 3600_000), 72 * 3600_000)?.at).toEqual(fire);
    expect(lastFireWithin(s, undefined, fire, 0)?.at).toEqual(fire); // exactly at the fire
    expect(lastFireWithin(s, undefined, new Date(fire.getTime() + 4 * 86400_000), 72 * 3600_000)).toBeUndefined();
    expect(firesBetween(s, undefined, new Date('2023-01-01T00:00:00Z'), new Date('2023-12-31T00:00:00Z'))).toHaveLength(4);
  });

  it('converts local times to instants, and has no 02:30 on a spring-forward night', () => {
    expect(zonedInstant(TZ, '2024-10-08', 9 * 3600)?.toISOString()).toBe('2024-10-08T01:00:00.000Z');
    expect(zonedInstant('America/New_York', '2024-03-10', 2.5 * 3600)).toBeUndefined();
    expect(zonedInstant('America/New_York', '2024-11-03', 1.5 * 3600)?.toISOString()).toBe('2024-11-03T05:30:00.000Z'); // the earlier 01:30
  });
});

describe("one cron rule: node-cron's (day-of-month AND day-of-week)", () => {
  const EXPRESSIONS = ['0 9 20-26 1,4,7,10 1', '0 9 20 1,4,7,10 *', '30 8 1-7 * 1-5', '0 9 L * *', '0 9 15W * *', '0 9 * * 1#2', '0 9 * * 5L', '0 9 L-2 * *', '0 0 9 13 * 5', '15,45 9,14 * 3,9 2'];
  const tasks: ReturnType<typeof cron.createTask>[] = [];
  afterAll(async () => {
    for (const t of tasks) await t.destroy();
  });

  it('0 9 20-26 1,4,7,10 1 fires on the Monday that falls on the 20th–26th, once a quarter', () => {
    const fires = firesBetween(cronSchedule('0 9 20-26 1,4,7,10 1'), undefined, new Date('2027-01-01T00:00:00Z'), new Date('2027-12-31T00:00:00Z'));
    expect(fires.map((f) => f.local)).toEqual(['2027-01-25 09:00', '2027-04-26 09:00', '2027-07-26 09:00', '2027-10-25 09:00']);
  });

  it.each(EXPRESSIONS)('%s: matches as node-cron matches, every candidate minute of 2023–2030', (expr) => {
    const task = cron.createTask(expr, () => undefined, { timezone: TZ });
    tasks.push(task);
    const f = cron.parse(expr);
    let agreed = 0;
    // Every day, at every hour:minute the expression names (and a minute and a second off them).
    for (let d = '2023-01-01'; d < '2031-01-01'; d = addDays(d, 1)) {
      for (const h of f.hour) {
        for (const m of f.minute) {
          const at = zonedInstant(TZ, d, h * 3600 + m * 60 + (f.second[0] ?? 0))!;
          for (const t of [at, new Date(at.getTime() + 60_000), new Date(at.getTime() + 1000)]) {
            expect(cronMatches(f, TZ, t), `${expr} at ${t.toISOString()}`).toBe(task.match(t));
            agreed++;
          }
        }
      }
    }
    expect(agreed).toBeGreaterThan(8000);
  });

  it.each(EXPRESSIONS)("%s: predicts node-cron's own next runs, several years ahead", (expr) => {
    const task = cron.createTask(expr, () => undefined, { timezone: TZ });
    tasks.push(task);
    const s = cronSchedule(expr);
    // node-cron counts from its own "now": a fire between our two clock readings may be in its list or not.
    const before = new Date();
    const theirs = task.getNextRuns(40).map((d) => d.toISOString());
    const after = new Date();
    const ours = iso(nextFires(s, undefined, before, 41));
    expect(Date.parse(ours[0]!) <= after.getTime() && theirs[0] !== ours[0] ? ours.slice(1) : ours.slice(0, 40)).toEqual(theirs);
    expect(Date.parse(theirs.at(-1)!) - Date.parse(theirs[0]!)).toBeGreaterThan(0);
  });

  it('with POSIX cron the same DOM+DOW expression would fire on up to eleven days a quarter; here it does not', () => {
    const fires = firesBetween(cronSchedule('0 9 20-26 1,4,7,10 1'), undefined, new Date('2023-01-01T00:00:00Z'), new Date('2030-12-31T00:00:00Z'));
    expect(fires).toHaveLength(32); // 4 a year × 8 years
    for (const f of fires) {
      const d = f.local.slice(0, 10);
      expect(new Date(`${d}T00:00:00Z`).getUTCDay()).toBe(1);
      expect(Number(d.slice(8, 10))).toBeGreaterThanOrEqual(20);
      expect(Number(d.slice(8, 10))).toBeLessThanOrEqual(26);
    }
  });
});

describe('fires on working days (workday: next, working_day N)', () => {
  const RANGE = [new Date('2022-12-31T16:00:00Z'), new Date('2026-12-31T15:59:59Z')] as const; // 2023-01-01 … 2026-12-31 Beijing time

  it('moves the 2024 National Day fire to the next working day, and says why', () => {
    const s = cronSchedule('0 9 1 10 *', 'next');
    const [fire] = nextFires(s, cal, new Date('2024-09-20T00:00:00Z'), 1);
    expect(fire?.local).toBe('2024-10-08 09:00');
    expect(fire?.movedFrom).toEqual({ date: '2024-10-01', reason: '国庆节' });
    expect(describeFire(fire!)).toBe('2024-10-08 09:00 (moved from 2024-10-01: 国庆节)');
    // A weekend fire moves to Monday; a fire on a 调休 Saturday stays.
    expect(describeFire(nextFires(cronSchedule('0 9 1 9 *', 'next'), cal, new Date('2024-08-01T00:00:00Z'), 1)[0]!)).toBe('2024-09-02 09:00 (moved from 2024-09-01: 周日)');
    expect(nextFires(cronSchedule('0 9 12 10 *', 'next'), cal, new Date('2024-10-01T00:00:00Z'), 1)[0]).toMatchObject({ local: '2024-10-12 09:00' });
    expect(nextFires(cronSchedule('0 9 12 10 *', 'next'), cal, new Date('2024-10-01T00:00:00Z'), 1)[0]?.movedFrom).toBeUndefined();
  });

  it('a moved fire reports on the period of the day it was scheduled for', () => {
    // 2023-09-30 (中秋节、国庆节) → 2023-10-07, a 调休 Saturday; previous-month of September is August.
    const [f] = nextFires(cronSchedule('0 9 30 9 *', 'next'), cal, new Date('2023-09-01T00:00:00Z'), 1);
    expect(describeFire(f!)).toBe('2023-10-07 09:00 (moved from 2023-09-30: 中秋节、国庆节)');
    expect(periodId(periodForFire(f!.at, TZ, 'previous-month', f!.movedFrom))).toBe('2023-08');
    expect(periodId(periodForFire(f!.at, TZ, 'previous-month'))).toBe('2023-09');
  });

  it('several fires moving onto one working day fire once there', () => {
    // 10-01 and 10-05 fall in 国庆节、中秋节 2025 (10-01…10-08): one fire on 10-09, named after the first.
    const fires = firesBetween(cronSchedule('0 9 1,5 10 *', 'next'), cal, new Date('2025-09-01T00:00:00Z'), new Date('2025-12-31T00:00:00Z'));
    expect(fires.map(describeFire)).toEqual(['2025-10-09 09:00 (moved from 2025-10-01: 国庆节、中秋节)']);
    // Every day at 09:00: the eight days off add no fire; 10-09 fires once, as its own.
    const daily = firesBetween(cronSchedule('0 9 * * *', 'next'), cal, new Date('2025-09-30T12:00:00Z'), new Date('2025-10-10T12:00:00Z'));
    expect(daily.map(describeFire)).toEqual(['2025-10-09 09:00', '2025-10-10 09:00']);
  });

  it('nth working day of the quarter months: 调休 counted', () => {
    const s: Schedule = { rule: { kind: 'working-day', n: 5, months: [1, 4, 7, 10], hour: 9, minute: 0 }, timeZone: TZ };
    const fires = firesBetween(s, cal, ...RANGE).map((f) => f.local);
    expect(fires).toHaveLength(16);
    // 2024-10: 1–7 off, 8 Tue, 9, 10, 11, 12 (Saturday, a 调休 working day) → the 5th is the 12th.
    expect(fires).toContain('2024-10-12 09:00');
    // 2026-01: 1–3 off, 4 (Sunday, 调休), 5, 6, 7, 8 → the 8th.
    expect(fires).toContain('2026-01-08 09:00');
    expect(fires).toContain('2025-01-08 09:00'); // 1 off; 2, 3, 6, 7, 8
  });

  it.each([
    ['0 9 1 * *', 'next'],
    ['0 9 20-26 1,4,7,10 1', 'next'],
    ['30 8,17 * * *', 'next'],
    ['0 9 L * *', 'next'],
    ['working-day 3', ''],
  ] as const)("%s %s: the predicted sequence and the instant test agree on every candidate minute of 2023–2026", (expr, workday) => {
    const s: Schedule = expr.startsWith('working-day')
      ? { rule: { kind: 'working-day', n: 3, months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], hour: 9, minute: 30 }, timeZone: TZ }
      : cronSchedule(expr, workday as 'next');
    const predicted = firesBetween(s, cal, ...RANGE, 5000);
    const set = new Set(iso(predicted));
    expect(set.size).toBe(predicted.length); // no fire twice
    for (let i = 1; i < predicted.length; i++) expect(predicted[i]!.at > predicted[i - 1]!.at).toBe(true);
    const hours = s.rule.kind === 'cron' ? s.rule.fields.hour : [s.rule.hour];
    const minutes = s.rule.kind === 'cron' ? s.rule.fields.minute : [s.rule.minute];
    let checked = 0;
    for (let d = '2023-01-01'; d < '2027-01-01'; d = addDays(d, 1)) {
      for (const h of hours) {
        for (const m of minutes) {
          const at = zonedInstant(TZ, d, h * 3600 + m * 60)!;
          expect(fireAt(s, cal, at) !== undefined, `${expr} at ${d} ${h}:${m}`).toBe(set.has(at.toISOString()));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1400);
    for (const f of predicted) {
      expect(isWorkingDay(cal, f.local.slice(0, 10))).toBe(true);
      if (f.movedFrom && s.rule.kind === 'cron') {
        expect(isWorkingDay(cal, f.movedFrom.date)).toBe(false);
        expect(cronMatches(s.rule.fields, TZ, zonedInstant(TZ, f.movedFrom.date, (Number(f.local.slice(11, 13)) * 60 + Number(f.local.slice(14, 16))) * 60)!)).toBe(true);
      }
    }
    // The last fire before each predicted fire's next second is that fire (catch-up looks back with the same rule).
    for (const f of predicted.slice(0, 50)) expect(previousFire(s, cal, new Date(f.at.getTime() + 1000))?.at).toEqual(f.at);
  });

  it("the scheduler's decisions, clock stepped irregularly over four years, are the predicted fires", () => {
    const s = cronSchedule('0 9 20-26 1,4,7,10 1', 'next');
    const weekly = cronSchedule('0 9 * * 6', 'next'); // every Saturday: moves to Monday unless a 调休 Saturday
    for (const sched of [s, weekly]) {
      const predicted = iso(firesBetween(sched, cal, ...RANGE, 5000));
      const fired: string[] = [];
      let last = RANGE[0];
      let seed = 7;
      while (last < RANGE[1]) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        // Steps from one minute to three days: timers wake late, machines sleep.
        const now = new Date(Math.min(RANGE[1].getTime(), last.getTime() + 60_000 + (seed % (3 * 86_400_000))));
        const { due, missed } = dueFires(sched, cal, last, now, 4 * 86_400_000);
        expect(missed).toEqual([]);
        fired.push(...iso(due));
        last = now;
      }
      expect(fired).toEqual(predicted);
    }
  });

  it('a fire older than the window when the scheduler wakes is missed, not run', () => {
    const s = cronSchedule('0 9 20 1,4,7,10 *');
    const { due, missed } = dueFires(s, undefined, new Date('2023-01-01T00:00:00Z'), new Date('2023-04-25T00:00:00Z'), 72 * 3600_000);
    expect(due).toEqual([]);
    expect(iso(missed)).toEqual(['2023-01-20T01:00:00.000Z', '2023-04-20T01:00:00.000Z']);
  });
});
