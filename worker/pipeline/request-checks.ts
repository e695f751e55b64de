import { CodedInputError } from '../error-codes.ts';
import { periodId, type Period } from '../domain/period.ts';
import type { Report } from '../domain/report.ts';
import { displayPath } from '../display-path.ts';

/** The longest note (更正说明) any path accepts — CLI, API, queue — in characters (code points). */
export const MAX_NOTE_CHARS = 500;

export const noteLength = (note: string): number => [...note].length;

/** A note over the cap is refused the same way wherever it comes from (`where`: --note, note). */
export function checkNote(note: string | undefined, where = '--note'): void {
  if (note === undefined) return;
  const n = noteLength(note);
  if (n > MAX_NOTE_CHARS) throw new CodedInputError('NOTE_TOO_LONG', [{ file: where, message: `is ${n} characters; at most ${MAX_NOTE_CHARS}`, params: { length: n, max: MAX_NOTE_CHARS } }]);
}

/**
 * A briefing measures a period's figures against one year's targets: a period of another year would
 * be archived and sent as that year's briefing against the wrong targets, and a source can never
 * have its figures (a scheduled job would wait for them in vain). So it is refused up front.
 */
export function checkPeriodInYear(period: Period, report: Report, targetsFile: string): void {
  if (period.year === report.year) return;
  throw new CodedInputError('PERIOD_OUT_OF_YEAR', [
    {
      file: displayPath(targetsFile),
      column: 'report.year',
      message: `the period ${periodId(period)} is not in ${report.year}, the year these targets are for; expected ${report.year}Q1–${report.year}Q4 or ${report.year}-01–${report.year}-12`,
      params: { period: periodId(period), year: report.year },
    },
  ]);
}
