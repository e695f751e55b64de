import { CronExpressionParser } from 'cron-parser';
import type { Period, Quarter } from './period.ts';
import { monthPeriod, quarterPeriod } from './period.ts';
import { isoDateInZone } from './format.ts';

/** Which period a scheduled fire reports on. */
export type PeriodRule = 'previous-quarter' | 'previous-month';

/**
 * The period a fire at `fireTime` reports on, by the calendar in `timeZone`: a fire on
 * 2023-10-20 (Beijing time) with previous-quarter reports on 2023Q3; on 2024-01-20, on 2023Q4.
 */
export function periodForFire(fireTime: Date, timeZone: string, rule: PeriodRule): Period {
  const [y, m] = isoDateInZone(fireTime, timeZone).split('-').map(Number) as [number, number];
  if (rule === 'previous-month') return m === 1 ? monthPeriod(y - 1, 12) : monthPeriod(y, m - 1);
  const q = Math.ceil(m / 3) - 1;
  return q === 0 ? quarterPeriod(y - 1, 4) : quarterPeriod(y, q as Quarter);
}

/** The next `n` fire times after `from`. */
export function nextFires(cron: string, timeZone: string, from: Date, n: number): Date[] {
  const it = CronExpressionParser.parse(cron, { tz: timeZone, currentDate: from });
  return Array.from({ length: n }, () => it.next().toDate());
}

/** The most recent fire at or before `now`, if it is within `windowMs` (a fire missed while down). */
export function lastFireWithin(cron: string, timeZone: string, now: Date, windowMs: number): Date | undefined {
  const it = CronExpressionParser.parse(cron, { tz: timeZone, currentDate: new Date(now.getTime() + 1) });
  const prev = it.prev().toDate();
  return now.getTime() - prev.getTime() <= windowMs ? prev : undefined;
}

/** Every fire in (from, to], oldest first; bounded so a bad expression cannot loop forever. */
export function firesBetween(cron: string, timeZone: string, from: Date, to: Date, max = 1000): Date[] {
  const it = CronExpressionParser.parse(cron, { tz: timeZone, currentDate: from });
  const out: Date[] = [];
  while (out.length < max) {
    const d = it.next().toDate();
    if (d > to) break;
    out.push(d);
  }
  return out;
}
