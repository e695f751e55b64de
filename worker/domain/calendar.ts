import { InputError } from './issues.ts';

/**
 * The working-day calendar of mainland China: Monday–Friday work, Saturday and Sunday off, except
 * the public holidays and the 调休 make-up working days of each year's State Council notice.
 * Dates are calendar dates ("YYYY-MM-DD"), with no time zone: the caller picks the local day.
 */
export interface CalendarYear {
  readonly year: number;
  /** The notice's title, for messages. */
  readonly notice: string;
  readonly holidays: readonly { readonly name: string; readonly from: string; readonly to: string }[];
  readonly workdays: readonly { readonly date: string; readonly for: string }[];
}

export interface WorkCalendar {
  /** The files the years came from, for the missing-year error. */
  readonly files: readonly string[];
  readonly years: ReadonlyMap<number, CalendarYear>;
  /** date → holiday name; date → the holiday a make-up working day belongs to. */
  readonly holidayName: ReadonlyMap<string, string>;
  readonly makeUpFor: ReadonlyMap<string, string>;
}

export type DayKind =
  | { readonly kind: 'working'; readonly makeUpFor?: string }
  | { readonly kind: 'holiday'; readonly name: string }
  | { readonly kind: 'weekend' };

export const CALENDAR_YEAR_MISSING = 'CALENDAR_YEAR_MISSING';

/** Builds the lookup tables; a date listed twice (two holidays, or holiday and working day) is refused. */
export function buildCalendar(years: readonly CalendarYear[], files: readonly string[]): WorkCalendar {
  const holidayName = new Map<string, string>();
  const makeUpFor = new Map<string, string>();
  const byYear = new Map<number, CalendarYear>();
  for (const y of [...years].sort((a, b) => a.year - b.year)) {
    byYear.set(y.year, y);
    for (const h of y.holidays) for (const d of datesBetween(h.from, h.to)) holidayName.set(d, h.name);
    for (const w of y.workdays) makeUpFor.set(w.date, w.for);
  }
  return { files, years: byYear, holidayName, makeUpFor };
}

/** Problems inside one year's entry: ranges backwards or too long, dates in the wrong year, overlaps, make-up days on weekdays. */
export function checkCalendarYear(y: CalendarYear): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  y.holidays.forEach((h, i) => {
    if (h.to < h.from) problems.push(`holidays[${i}] (${h.name}): ends ${h.to} before it starts ${h.from}`);
    const days = datesBetween(h.from, h.to);
    if (days.length > 15) problems.push(`holidays[${i}] (${h.name}): ${days.length} days; a holiday is at most 15`);
    // A notice may start a holiday in the year before (元旦 2023 began on 2022-12-31), never later.
    if (!(yearOf(h.from) === y.year || (yearOf(h.from) === y.year - 1 && h.name.includes('元旦'))) || yearOf(h.to) !== y.year) {
      problems.push(`holidays[${i}] (${h.name}): ${h.from}…${h.to} is outside ${y.year}`);
    }
    for (const d of days) {
      if (seen.has(d)) problems.push(`holidays[${i}] (${h.name}): ${d} is listed twice (also ${seen.get(d)})`);
      seen.set(d, h.name);
    }
  });
  y.workdays.forEach((w, i) => {
    if (yearOf(w.date) !== y.year) problems.push(`workdays[${i}]: ${w.date} is outside ${y.year}`);
    if (!isWeekend(w.date)) problems.push(`workdays[${i}]: ${w.date} is a ${weekdayName(w.date)}, already a working day; a make-up working day is a Saturday or Sunday`);
    if (seen.has(w.date)) problems.push(`workdays[${i}]: ${w.date} is also a holiday (${seen.get(w.date)})`);
  });
  return problems;
}

/** What kind of day `date` is; a year the calendar lacks is an error naming the year and the files. */
export function dayKind(cal: WorkCalendar, date: string): DayKind {
  const name = cal.holidayName.get(date);
  if (name !== undefined) return { kind: 'holiday', name };
  const mk = cal.makeUpFor.get(date);
  if (mk !== undefined) return { kind: 'working', makeUpFor: mk };
  requireYear(cal, yearOf(date));
  return isWeekend(date) ? { kind: 'weekend' } : { kind: 'working' };
}

export function isWorkingDay(cal: WorkCalendar, date: string): boolean {
  return dayKind(cal, date).kind === 'working';
}

/** Why a day is not a working day, in Chinese for staff: the holiday's name, or 周六/周日. */
export function dayOffReason(cal: WorkCalendar, date: string): string | undefined {
  const k = dayKind(cal, date);
  return k.kind === 'holiday' ? k.name : k.kind === 'weekend' ? weekdayName(date) : undefined;
}

/** `date` itself if it is a working day, else the first working day after it. */
export function nextWorkingDay(cal: WorkCalendar, date: string): string {
  let d = date;
  // The longest run of days off in a notice is 9 (春节 2026); 40 leaves room for any office's year.
  for (let i = 0; i < 40; i++, d = addDays(d, 1)) if (isWorkingDay(cal, d)) return d;
  throw new InputError([{ severity: 'error', file: cal.files.join(', '), message: `no working day within 40 days of ${date}; check the calendar`, code: 'CALENDAR_INVALID' }]);
}

/** The `n`th working day (1-based) of `month` in `year`, or undefined if the month has fewer. */
export function nthWorkingDay(cal: WorkCalendar, year: number, month: number, n: number): string | undefined {
  requireYear(cal, year);
  let count = 0;
  for (let d = isoDate(year, month, 1); monthOf(d) === month; d = addDays(d, 1)) {
    if (isWorkingDay(cal, d) && ++count === n) return d;
  }
  return undefined;
}

/** Throws CALENDAR_YEAR_MISSING unless the calendar has `year`. */
export function requireYear(cal: WorkCalendar, year: number): void {
  if (cal.years.has(year)) return;
  const have = [...cal.years.keys()];
  throw new InputError([
    {
      severity: 'error',
      file: cal.files.join(', '),
      column: `years.${year}`,
      message: `the working-day calendar has no ${year} (it has ${have.length ? `${have[0]}–${have.at(-1)}` : 'no year'}); a schedule needs it: add ${year}'s holidays and make-up working days from the State Council's notice (国务院办公厅关于${year}年部分节假日安排的通知)`,
      code: CALENDAR_YEAR_MISSING,
    },
  ]);
}

// ---- plain date arithmetic on "YYYY-MM-DD", in UTC so no time zone shifts a day ----

export const isoDate = (y: number, m: number, d: number): string => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
export const yearOf = (date: string): number => Number(date.slice(0, 4));
export const monthOf = (date: string): number => Number(date.slice(5, 7));
export const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
/** 0 = Sunday … 6 = Saturday */
export const weekdayOf = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();
const isWeekend = (date: string): boolean => weekdayOf(date) === 0 || weekdayOf(date) === 6;
const weekdayName = (date: string): string => `周${'日一二三四五六'[weekdayOf(date)]}`;

export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length < 400; d = addDays(d, 1)) out.push(d);
  return out;
}
