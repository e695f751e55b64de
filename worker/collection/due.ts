import path from 'node:path';
import type { JobDefinition } from '../config/job-definition.ts';
import { loadWorkCalendar } from '../config/work-calendar.ts';
import { nthWorkingDay, type WorkCalendar } from '../domain/calendar.ts';
import { InputError } from '../domain/issues.ts';
import type { Period } from '../domain/period.ts';

/** When a period's figures are due from the units. */
export interface DueRule {
  /** The Nth working day of the month after the period. */
  readonly working_day: number;
}

/**
 * The due date (ISO) of a period's returns: the Nth working day of the month after the period,
 * by the working-day calendar (public holidays off, 调休 make-up days on). A year the calendar
 * lacks is CALENDAR_YEAR_MISSING, never a guess by weekdays.
 */
export function dueDate(period: Period, rule: DueRule, cal: WorkCalendar): string {
  const year = period.month === 12 ? period.year + 1 : period.year;
  const month = period.month === 12 ? 1 : period.month + 1;
  const day = nthWorkingDay(cal, year, month, rule.working_day);
  if (day) return day;
  throw new InputError([{ severity: 'error', file: 'collection.due', message: `${year}-${String(month).padStart(2, '0')} has fewer than ${rule.working_day} working days`, code: 'COLLECTION_DUE_INVALID' }]);
}

/** The job's calendar: the shipped one plus the office's own beside the job folders. */
export function jobCalendar(job: JobDefinition): Promise<WorkCalendar> {
  return loadWorkCalendar(path.dirname(job.dir));
}

/** A job's due date for a period, if it has a `collection:` block. */
export async function jobDueDate(job: JobDefinition, period: Period): Promise<string | undefined> {
  return job.collection ? dueDate(period, job.collection.due, await jobCalendar(job)) : undefined;
}
