import type { Period, Quarter } from './period.ts';
import { monthPeriod, quarterPeriod } from './period.ts';
import { isoDateInZone } from './format.ts';
import { addDays, dayOffReason, isWorkingDay, monthOf, nthWorkingDay, weekdayOf, yearOf, type WorkCalendar } from './calendar.ts';

/** Which period a scheduled fire reports on. */
export type PeriodRule = 'previous-quarter' | 'previous-month';

/**
 * The period a fire at `fireTime` reports on, by the calendar in `timeZone`: a fire on
 * 2023-10-20 (Beijing time) with previous-quarter reports on 2023Q3; on 2024-01-20, on 2023Q4.
 * A fire moved off a day off reports on what its scheduled day would have: moving changes when, not what.
 */
export function periodForFire(fireTime: Date, timeZone: string, rule: PeriodRule, movedFrom?: { readonly date: string }): Period {
  const [y, m] = (movedFrom?.date ?? isoDateInZone(fireTime, timeZone)).split('-').map(Number) as [number, number];
  if (rule === 'previous-month') return m === 1 ? monthPeriod(y - 1, 12) : monthPeriod(y, m - 1);
  const q = Math.ceil(m / 3) - 1;
  return q === 0 ? quarterPeriod(y - 1, 4) : quarterPeriod(y, q as Quarter);
}

// ---------------------------------------------------------------------------------------------
// One definition of when a schedule fires. The scheduler fires from it, `jibao schedule` and the
// API predict from it, catch-up looks back with it. Cron fields are node-cron's (its parser, its
// tokens); the day rule is node-cron's too: day-of-month AND day-of-week must both match
// (`0 9 20-26 1,4,7,10 1` is the Monday that falls on the 20th–26th), unlike POSIX cron's "either".
// ---------------------------------------------------------------------------------------------

/** node-cron's parsed fields (`cron.parse`): numbers, or tokens such as L, 15W, L-2, 1#2, 5L. */
export interface CronFields {
  readonly second: readonly number[];
  readonly minute: readonly number[];
  readonly hour: readonly number[];
  readonly dayOfMonth: readonly (number | string)[];
  readonly month: readonly number[];
  readonly dayOfWeek: readonly (number | string)[];
}

export type ScheduleRule =
  /** A cron expression; with workday 'next', a fire on a day off moves to the next working day, same time. */
  | { readonly kind: 'cron'; readonly cron: string; readonly fields: CronFields; readonly workday: 'any' | 'next' }
  /** The nth working day of each listed month, at hour:minute. */
  | { readonly kind: 'working-day'; readonly n: number; readonly months: readonly number[]; readonly hour: number; readonly minute: number };

export interface Schedule {
  readonly rule: ScheduleRule;
  readonly timeZone: string;
}

/** A fire: the instant, its local date and time, and where it was moved from and why. */
export interface Fire {
  readonly at: Date;
  /** "YYYY-MM-DD HH:mm" (":ss" when not 0) in the schedule's time zone. */
  readonly local: string;
  readonly movedFrom?: { readonly date: string; readonly reason: string };
}

/** Whether a schedule consults the working-day calendar at all. */
export const usesCalendar = (rule: ScheduleRule): boolean => rule.kind === 'working-day' || rule.workday === 'next';

/** "0 9 20 1,4,7,10 *", "0 9 20 1,4,7,10 * (workday: next)", "working day 5 of months 1,4,7,10 at 09:00" */
export function describeRule(rule: ScheduleRule): string {
  if (rule.kind === 'cron') return rule.workday === 'next' ? `${rule.cron}  (workday: next)` : rule.cron;
  return `working day ${rule.n} of months ${rule.months.join(',')} at ${pad(rule.hour)}:${pad(rule.minute)}`;
}

/** Whether the cron day fields match a local date, by node-cron's rule (both must match). */
export function cronDayMatches(f: CronFields, date: string): boolean {
  const y = yearOf(date);
  const m = monthOf(date);
  const d = Number(date.slice(8, 10));
  return f.month.includes(m) && dayOfMonthMatches(f.dayOfMonth, y, m, d) && dayOfWeekMatches(f.dayOfWeek, y, m, d, weekdayOf(date));
}

/** Whether the whole cron expression (no calendar) matches an instant in a time zone: node-cron's `task.match`. */
export function cronMatches(f: CronFields, timeZone: string, at: Date): boolean {
  const p = localParts(at, timeZone);
  return f.second.includes(p.second) && f.minute.includes(p.minute) && f.hour.includes(p.hour) && cronDayMatches(f, p.date);
}

interface DayFire {
  /** Seconds since local midnight. */
  readonly time: number;
  readonly movedFrom?: { readonly date: string; readonly reason: string };
}

/** The fires of one local date, by time of day. */
export function firesOnDay(s: Schedule, cal: WorkCalendar | undefined, date: string): DayFire[] {
  const rule = s.rule;
  if (rule.kind === 'working-day') {
    if (!rule.months.includes(monthOf(date))) return [];
    return nthWorkingDay(need(cal), yearOf(date), monthOf(date), rule.n) === date ? [{ time: rule.hour * 3600 + rule.minute * 60 }] : [];
  }
  const times = (d: string): number[] => (cronDayMatches(rule.fields, d) ? timesOfDay(rule.fields) : []);
  if (rule.workday === 'any') return times(date).map((time) => ({ time }));
  const c = need(cal);
  if (!isWorkingDay(c, date)) return [];
  const byTime = new Map<number, DayFire>();
  for (const time of times(date)) byTime.set(time, { time });
  // Fires of the days off just before this working day move here (the earliest kept per time).
  const earliest = [...c.years.keys()][0] ?? yearOf(date);
  for (let d = addDays(date, -1); yearOf(d) >= earliest && !isWorkingDay(c, d); d = addDays(d, -1)) {
    for (const time of times(d)) {
      const kept = byTime.get(time);
      // Walking back, a later find is an earlier day: it replaces another moved fire, never the day's own.
      if (kept === undefined || kept.movedFrom !== undefined) byTime.set(time, { time, movedFrom: { date: d, reason: dayOffReason(c, d) ?? '' } });
    }
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

/** How far prediction looks for a fire before it gives up (an expression such as 30 February never fires). */
const MAX_DAYS = 366 * 100; // as node-cron

/**
 * Fires after `from` (exclusive), oldest first, up to `until` (inclusive) if given, lazily: a caller
 * that stops early never makes the calendar look at a later year (which it may lack).
 */
export function* firesAfter(s: Schedule, cal: WorkCalendar | undefined, from: Date, until?: Date): Generator<Fire> {
  let date = isoDateInZone(from, s.timeZone);
  // Never look at a day after `until`: its year may be one the calendar lacks and need not have.
  const lastDate = until ? isoDateInZone(until, s.timeZone) : undefined;
  // On the first day, times before `from` are skipped without building them (a fire every second).
  const p = localParts(from, s.timeZone);
  const fromTime = steadyOffset(s.timeZone, date) !== undefined ? p.hour * 3600 + p.minute * 60 + p.second : 0;
  for (let i = 0; i < MAX_DAYS && (lastDate === undefined || date <= lastDate); i++, date = addDays(date, 1)) {
    for (const f of firesOnDay(s, cal, date)) {
      if (i === 0 && f.time < fromTime) continue;
      const fire = toFire(s.timeZone, date, f);
      if (!fire || fire.at <= from) continue;
      if (until && fire.at > until) return;
      yield fire;
    }
  }
}

/** The next `n` fires after `from` (exclusive), oldest first, up to `until` (inclusive) if given. */
export function nextFires(s: Schedule, cal: WorkCalendar | undefined, from: Date, n: number, until?: Date): Fire[] {
  const out: Fire[] = [];
  if (n <= 0) return out;
  for (const f of firesAfter(s, cal, from, until)) if (out.push(f) >= n) break;
  return out;
}

/** Every fire in (from, to], oldest first; bounded so a bad expression cannot loop forever. */
export function firesBetween(s: Schedule, cal: WorkCalendar | undefined, from: Date, to: Date, max = 1000): Fire[] {
  return nextFires(s, cal, from, max, to);
}

/** The most recent fire at or before `now`, looking back at most `maxDays` days. */
export function previousFire(s: Schedule, cal: WorkCalendar | undefined, now: Date, maxDays = MAX_DAYS): Fire | undefined {
  let date = isoDateInZone(now, s.timeZone);
  for (let i = 0; i < maxDays; i++, date = addDays(date, -1)) {
    const day = firesOnDay(s, cal, date);
    for (let j = day.length - 1; j >= 0; j--) {
      const fire = toFire(s.timeZone, date, day[j]!);
      if (fire && fire.at <= now) return fire;
    }
  }
  return undefined;
}

/** The most recent fire at or before `now`, if it is within `windowMs` (a fire missed while down). */
export function lastFireWithin(s: Schedule, cal: WorkCalendar | undefined, now: Date, windowMs: number): Fire | undefined {
  const maxDays = Number.isFinite(windowMs) ? Math.ceil(windowMs / 86_400_000) + 2 : MAX_DAYS;
  const prev = previousFire(s, cal, now, maxDays);
  return prev && now.getTime() - prev.at.getTime() <= windowMs ? prev : undefined;
}

/** The fire at exactly `at`, if the schedule fires then: the test of an instant against the one definition. */
export function fireAt(s: Schedule, cal: WorkCalendar | undefined, at: Date): Fire | undefined {
  if (at.getMilliseconds() !== 0) return undefined;
  const p = localParts(at, s.timeZone);
  const time = p.hour * 3600 + p.minute * 60 + p.second;
  const f = firesOnDay(s, cal, p.date).find((x) => x.time === time);
  const fire = f && toFire(s.timeZone, p.date, f);
  return fire && fire.at.getTime() === at.getTime() ? fire : undefined;
}

/**
 * What a scheduler that last looked at `lastTick` does at `now`: the fires in (lastTick, now] within
 * `windowMs` of now are due; older ones (the process was paused or the machine slept) are missed.
 */
export function dueFires(s: Schedule, cal: WorkCalendar | undefined, lastTick: Date, now: Date, windowMs: number): { due: Fire[]; missed: Fire[] } {
  const all = firesBetween(s, cal, lastTick, now);
  const due = all.filter((f) => now.getTime() - f.at.getTime() <= windowMs);
  return { due, missed: all.filter((f) => !due.includes(f)) };
}

/** "2024-10-08 09:00 (moved from 2024-10-01: 国庆节)" */
export function describeFire(f: Fire): string {
  return f.movedFrom ? `${f.local} (moved from ${f.movedFrom.date}: ${f.movedFrom.reason})` : f.local;
}

// ---- node-cron's day tokens, matched as node-cron matches them ----

function lastDayOfMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function nearestWeekday(y: number, m: number, target: number): number {
  const last = lastDayOfMonth(y, m);
  if (target < 1 || target > last) return -1;
  const wd = new Date(Date.UTC(y, m - 1, target)).getUTCDay();
  if (wd === 6) return target === 1 ? target + 2 : target - 1;
  if (wd === 0) return target === last ? target - 2 : target + 1;
  return target;
}

function dayOfMonthMatches(field: readonly (number | string)[], y: number, m: number, d: number): boolean {
  return field.some((v) => {
    if (v === d) return true;
    if (typeof v !== 'string') return false;
    const last = lastDayOfMonth(y, m);
    if (v === 'L') return d === last;
    const w = /^(L|\d+)W$/.exec(v);
    if (w) return nearestWeekday(y, m, w[1] === 'L' ? last : Number(w[1])) === d;
    const off = /^L-(\d+)$/.exec(v);
    if (off) return last - Number(off[1]) >= 1 && last - Number(off[1]) === d;
    return false;
  });
}

function dayOfWeekMatches(field: readonly (number | string)[], y: number, m: number, d: number, weekday: number): boolean {
  return field.some((v) => {
    if (v === weekday) return true;
    if (typeof v !== 'string') return false;
    const nth = /^([0-7])#([1-5])$/.exec(v);
    if (nth) return Number(nth[1]) % 7 === weekday && Math.floor((d - 1) / 7) + 1 === Number(nth[2]);
    const lastWd = /^([0-7])L$/i.exec(v);
    if (lastWd) return Number(lastWd[1]) % 7 === weekday && d + 7 > lastDayOfMonth(y, m);
    return false;
  });
}

// ---- local time ↔ instant ----

const timesCache = new WeakMap<CronFields, number[]>();
function timesOfDay(f: CronFields): number[] {
  let t = timesCache.get(f);
  if (!t) {
    t = [];
    for (const h of [...f.hour].sort((a, b) => a - b)) for (const mi of [...f.minute].sort((a, b) => a - b)) for (const s of [...f.second].sort((a, b) => a - b)) t.push(h * 3600 + mi * 60 + s);
    timesCache.set(f, t);
  }
  return t;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local date and time of an instant in a time zone. */
export function localParts(at: Date, timeZone: string): { date: string; hour: number; minute: number; second: number } {
  const p: Record<string, string> = {};
  for (const x of formatter(timeZone).formatToParts(at)) p[x.type] = x.value;
  return { date: `${p['year']}-${p['month']}-${p['day']}`, hour: Number(p['hour']), minute: Number(p['minute']), second: Number(p['second']) };
}

/**
 * The instant of a local date and time, or undefined when that local time does not exist (a
 * daylight-saving gap). In a repeated hour the earlier instant is taken. Asia/Shanghai has neither.
 */
export function zonedInstant(timeZone: string, date: string, time: number): Date | undefined {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d) + time * 1000;
  const offsetAt = (t: number): number => {
    const p = localParts(new Date(t), timeZone);
    const [py, pm, pd] = p.date.split('-').map(Number) as [number, number, number];
    return Date.UTC(py, pm - 1, pd, p.hour, p.minute, p.second) - t;
  };
  const candidates = [...new Set([wall - offsetAt(wall - 86_400_000), wall - offsetAt(wall + 86_400_000), wall - offsetAt(wall)])].sort((a, b) => a - b);
  for (const t of candidates) if (t + offsetAt(t) === wall) return new Date(t);
  return undefined;
}

/** The zone's UTC offset (ms) through a whole local day, or undefined when it changes near that day (DST). */
const dayOffsets = new Map<string, number | undefined>();
function steadyOffset(timeZone: string, date: string): number | undefined {
  const key = `${timeZone}|${date}`;
  if (dayOffsets.has(key)) return dayOffsets.get(key);
  const midnight = Date.parse(`${date}T00:00:00Z`);
  const offsetAt = (t: number): number => {
    const p = localParts(new Date(t), timeZone);
    return Date.parse(`${p.date}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}Z`) - t;
  };
  const before = offsetAt(midnight - 14 * 3600_000);
  const offset = before === offsetAt(midnight + 38 * 3600_000) ? before : undefined;
  if (dayOffsets.size > 5000) dayOffsets.clear();
  dayOffsets.set(key, offset);
  return offset;
}

function toFire(timeZone: string, date: string, f: DayFire): Fire | undefined {
  // A fire every second is 86,400 candidates a day: plain arithmetic unless the offset changes that day.
  const offset = steadyOffset(timeZone, date);
  const at = offset !== undefined ? new Date(Date.parse(`${date}T00:00:00Z`) + f.time * 1000 - offset) : zonedInstant(timeZone, date, f.time);
  if (!at) return undefined;
  const hh = Math.floor(f.time / 3600);
  const mm = Math.floor((f.time % 3600) / 60);
  const ss = f.time % 60;
  const local = `${date} ${pad(hh)}:${pad(mm)}${ss ? `:${pad(ss)}` : ''}`;
  return f.movedFrom ? { at, local, movedFrom: f.movedFrom } : { at, local };
}

const pad = (n: number): string => String(n).padStart(2, '0');

function need(cal: WorkCalendar | undefined): WorkCalendar {
  if (!cal) throw new Error('this schedule uses the working-day calendar, but none was loaded');
  return cal;
}

