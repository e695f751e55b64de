import { describe, expect, it } from 'vitest';
import { dueDate, periodCollectedIn, reportingUnits, unknownUnits } from '../../worker/collection/index.ts';
import { sampleReport } from '../support/report.ts';
import { loadWorkCalendar } from '../../worker/config/work-calendar.ts';
import { buildCalendar } from '../../worker/domain/calendar.ts';
import { jobDefinitionSchema } from '../../worker/config/job-definition.ts';
import { parsePeriod, periodId } from '../../worker/domain/period.ts';

describe('dueDate', () => {
  it('is the Nth working day of the month after the period by the holiday calendar, 调休 included', async () => {
    const cal = await loadWorkCalendar(undefined);
    expect(dueDate(parsePeriod('2023Q2'), { working_day: 5 }, cal)).toBe('2023-07-07');
    expect(dueDate(parsePeriod('2023Q2'), { working_day: 6 }, cal)).toBe('2023-07-10');
    // National Day 2023: 09-29 to 10-06 off; Saturday 10-07 and Sunday 10-08 are make-up working days.
    expect(dueDate(parsePeriod('2023Q3'), { working_day: 1 }, cal)).toBe('2023-10-07');
    expect(dueDate(parsePeriod('2023Q3'), { working_day: 5 }, cal)).toBe('2023-10-11');
    // The year turns after Q4; 2024-01-01 is 元旦.
    expect(dueDate(parsePeriod('2023Q4'), { working_day: 1 }, cal)).toBe('2024-01-02');
    expect(dueDate(parsePeriod('2023-11'), { working_day: 2 }, cal)).toBe('2023-12-04');
  });

  it('is CALENDAR_YEAR_MISSING for a year the calendar lacks, never a weekday guess', () => {
    const cal = buildCalendar([], ['calendar/cn-holidays.yaml']);
    expect(() => dueDate(parsePeriod('2023Q3'), { working_day: 5 }, cal)).toThrow(/CALENDAR_YEAR_MISSING/);
  });
});

describe('periodCollectedIn', () => {
  it("is the quarter that ended with last month, or last month's period", () => {
    expect(periodId(periodCollectedIn('2023-10-06', 'previous-quarter')!)).toBe('2023Q3');
    expect(periodId(periodCollectedIn('2024-01-05', 'previous-quarter')!)).toBe('2023Q4');
    expect(periodCollectedIn('2023-11-06', 'previous-quarter')).toBeUndefined();
    expect(periodId(periodCollectedIn('2023-11-06', 'previous-month')!)).toBe('2023-10');
  });
});

describe('the collection: block of a job definition', () => {
  const base = {
    id: 'x-2023',
    title: 't',
    schedule: { cron: '0 9 20 1,4,7,10 *' },
    source: { type: 'files', path: 'figures' },
    recipients: { to: ['a@example.org'] },
    mail: { from: 'j@example.org' },
  };
  it('takes a working-day rule, a time, unit and office addresses', () => {
    const ok = jobDefinitionSchema.parse({ ...base, collection: { due: { working_day: 5 }, units: { 区发改委: ['fgw@example.org'] }, office: ['o@example.org'] } });
    expect(ok.collection).toEqual({ due: { working_day: 5 }, remind_at: '09:00', units: { 区发改委: ['fgw@example.org'] }, office: ['o@example.org'] });
  });
  it('refuses a bad time, a bad address and a working day past the month, each at its path', () => {
    const r = jobDefinitionSchema.safeParse({ ...base, collection: { due: { working_day: 25 }, remind_at: '9点', units: { 区发改委: ['not-an-address'] } } });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['collection.due.working_day', 'collection.remind_at', 'collection.units.区发改委.0']);
  });
});

describe('reporting units', () => {
  it('give each item to its first lead unit, and tell which configured names lead nothing', () => {
    const report = sampleReport();
    const two = { ...report, tasks: [{ ...report.tasks[0]!, lead: ['区教育局', '区住建局'] }] };
    expect(reportingUnits(two).map((u) => [u.unit, u.indicators.length, u.tasks.length])).toEqual([['区统计局', 6, 0], ['区教育局', 0, 1]]);
    expect(unknownUnits(['区统计局', '区住建局', '区统计厅'], two)).toEqual(['区住建局', '区统计厅']);
  });
});
