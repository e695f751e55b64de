import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { buildCalendar, checkCalendarYear, type CalendarYear, type WorkCalendar } from '../domain/calendar.ts';
import { InputError, type InputIssue } from '../domain/issues.ts';
import { lastFireWithin, nextFires, usesCalendar, type Schedule } from '../domain/schedule.ts';
import { loadYamlFile } from './yaml-file.ts';

export const CALENDAR_FILE = 'cn-holidays.yaml';

/** The calendar shipped with jibao (calendar/cn-holidays.yaml at the package root), found by walking up from here. */
export const SHIPPED_CALENDAR = findShipped(path.dirname(fileURLToPath(import.meta.url)));

function findShipped(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const f = path.join(dir, 'calendar', CALENDAR_FILE);
    if (existsSync(f)) return f;
    if (path.dirname(dir) === dir) return path.resolve(from, '../../calendar', CALENDAR_FILE);
  }
}

/** js-yaml reads an unquoted 2024-10-01 as a Date at UTC midnight; a quoted one stays text. */
const date = z.union([z.date().transform((d) => d.toISOString().slice(0, 10)), z.string()]).pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD').refine((s) => { const t = Date.parse(`${s}T00:00:00Z`); return !Number.isNaN(t) && new Date(t).toISOString().startsWith(s); }, 'not a real date'));
const text = z.string().trim().min(1, 'expected a non-empty text');

const yearSchema = z.strictObject({
  notice: text,
  published: date,
  holidays: z.array(z.strictObject({ name: text, from: date, to: date })).min(1, 'expected the holidays of the notice'),
  workdays: z.array(z.strictObject({ date, for: text })).default([]),
});

const calendarSchema = z.strictObject({
  years: z.record(z.string().regex(/^\d{4}$/, 'expected a year, e.g. 2027'), yearSchema),
});

/** Reads and checks one calendar file; every problem names the file and the entry. */
export async function loadCalendarYears(file: string): Promise<CalendarYear[]> {
  const data = await loadYamlFile(file, calendarSchema, 'working-day calendar');
  const years: CalendarYear[] = [];
  const issues: InputIssue[] = [];
  for (const [key, y] of Object.entries(data.years)) {
    const entry: CalendarYear = { year: Number(key), notice: y.notice, holidays: y.holidays, workdays: y.workdays };
    for (const p of checkCalendarYear(entry)) issues.push({ severity: 'error', file, column: `years.${key}`, message: p, code: 'CALENDAR_INVALID' });
    years.push(entry);
  }
  if (issues.length > 0) throw new InputError(issues);
  return years;
}

/**
 * The shipped calendar (or JIBAO_CALENDAR_FILE instead, for an office that keeps its own) plus the office's own `<jobs folder>/cn-holidays.yaml` if there is one:
 * the office's years are added, and replace a shipped year given in both.
 */
export async function loadWorkCalendar(jobsDir: string | undefined, shipped = process.env['JIBAO_CALENDAR_FILE'] || SHIPPED_CALENDAR): Promise<WorkCalendar> {
  const files = [shipped];
  const byYear = new Map<number, CalendarYear>();
  for (const y of await loadCalendarYears(shipped)) byYear.set(y.year, y);
  const office = jobsDir ? path.join(jobsDir, CALENDAR_FILE) : undefined;
  if (office && existsSync(office)) {
    files.push(office);
    for (const y of await loadCalendarYears(office)) byYear.set(y.year, y);
  }
  return buildCalendar([...byYear.values()], files);
}

/**
 * At start: every year a schedule needs now (the last fire, for catch-up, and the next one) must be
 * in the calendar, else CALENDAR_YEAR_MISSING names the year and the file — never a silent weekend fire.
 */
export function checkCalendarCovers(cal: WorkCalendar, schedules: readonly { readonly id: string; readonly schedule: Schedule; readonly catchUpMs: number }[], now: Date): void {
  const issues: InputIssue[] = [];
  for (const { id, schedule, catchUpMs } of schedules) {
    if (!usesCalendar(schedule.rule)) continue;
    try {
      lastFireWithin(schedule, cal, now, catchUpMs);
      nextFires(schedule, cal, now, 1);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      issues.push(...e.issues.map((i) => ({ ...i, message: `${i.message} (report ${id})` })));
    }
  }
  if (issues.length > 0) throw new InputError(issues);
}
