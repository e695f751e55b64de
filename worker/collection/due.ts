import type { Period } from '../domain/period.ts';

/** When a period's figures are due from the units. */
export interface DueRule {
  /** The Nth working day of the month after the period. */
  readonly working_day: number;
}

/**
 * The due date (ISO) of a period's returns: the Nth working day of the month after the period.
 * Working days here are Monday to Friday only (public holidays and 调休 are not known to this
 * function yet); every caller goes through it, so the holiday calendar replaces it in one place.
 */
export function dueDate(period: Period, rule: DueRule): string {
  const year = period.month === 12 ? period.year + 1 : period.year;
  const month = period.month === 12 ? 1 : period.month + 1;
  let n = 0;
  for (let day = 1; day <= 31; day++) {
    const d = new Date(Date.UTC(year, month - 1, day));
    if (d.getUTCMonth() !== month - 1) break;
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6 && ++n === rule.working_day) return d.toISOString().slice(0, 10);
  }
  throw new RangeError(`${year}-${month} has fewer than ${rule.working_day} working days`);
}
