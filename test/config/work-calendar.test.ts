import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { jobDefinitionSchema } from '../../worker/config/job-definition.ts';
import { CALENDAR_FILE, checkCalendarCovers, loadWorkCalendar, SHIPPED_CALENDAR } from '../../worker/config/work-calendar.ts';
import { parseYaml } from '../../worker/config/yaml-file.ts';
import { dayKind, isWorkingDay, nextWorkingDay, nthWorkingDay } from '../../worker/domain/calendar.ts';
import { InputError } from '../../worker/domain/issues.ts';
import type { Schedule } from '../../worker/domain/schedule.ts';
import { tempDir } from '../support/cli.ts';

const TZ = 'Asia/Shanghai';
const quarterly: Schedule = { rule: { kind: 'cron', cron: '0 9 20 1,4,7,10 *', fields: cron.parse('0 9 20 1,4,7,10 *'), workday: 'next' }, timeZone: TZ };

async function issuesOf(p: Promise<unknown> | (() => unknown)): Promise<InputError['issues']> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof InputError) return e.issues;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('the shipped working-day calendar (State Council notices 2023–2026)', () => {
  it('loads, validated, with every year 2023–2026 and its notice', async () => {
    const cal = await loadWorkCalendar(undefined);
    expect([...cal.years.keys()]).toEqual([2023, 2024, 2025, 2026]);
    for (const y of cal.years.values()) expect(y.notice).toMatch(new RegExp(`^国务院办公厅关于${y.year}年部分节假日安排的通知`));
    expect(cal.files).toEqual([SHIPPED_CALENDAR]);
  });

  it('knows holidays, weekends and 调休 working days', async () => {
    const cal = await loadWorkCalendar(undefined);
    expect(dayKind(cal, '2024-10-01')).toEqual({ kind: 'holiday', name: '国庆节' });
    expect(dayKind(cal, '2024-09-29')).toEqual({ kind: 'working', makeUpFor: '国庆节' }); // a Sunday
    expect(dayKind(cal, '2024-10-12')).toEqual({ kind: 'working', makeUpFor: '国庆节' }); // a Saturday
    expect(dayKind(cal, '2024-10-13')).toEqual({ kind: 'weekend' });
    expect(isWorkingDay(cal, '2026-02-23')).toBe(false); // 春节 2026: 2-15…2-23
    expect(isWorkingDay(cal, '2026-02-28')).toBe(true); // Saturday, 调休
    expect(isWorkingDay(cal, '2022-12-31')).toBe(false); // 元旦 2023 began in 2022
    expect(nextWorkingDay(cal, '2024-10-01')).toBe('2024-10-08');
    expect(nextWorkingDay(cal, '2025-01-28')).toBe('2025-02-05');
    expect(nextWorkingDay(cal, '2024-10-08')).toBe('2024-10-08');
    expect(nthWorkingDay(cal, 2024, 10, 1)).toBe('2024-10-08');
    expect(nthWorkingDay(cal, 2024, 10, 5)).toBe('2024-10-12');
    expect(nthWorkingDay(cal, 2026, 2, 1)).toBe('2026-02-02');
    expect(nthWorkingDay(cal, 2026, 2, 30)).toBeUndefined();
  });

  it('counts the working days each notice implies', async () => {
    const cal = await loadWorkCalendar(undefined);
    const count = (y: number) => Array.from({ length: 12 }, (_, i) => i + 1).reduce((n, m) => n + Array.from({ length: 31 }, (_, k) => nthWorkingDay(cal, y, m, k + 1)).filter(Boolean).length, 0);
    // Day by day the same as chinese-days 1.5.7's data; from 2025 two more public holidays (the 2024 revision of 全国年节及纪念日放假办法).
    expect([2023, 2024, 2025, 2026].map(count)).toEqual([249, 251, 248, 248]);
  });

  it('a year the calendar lacks is CALENDAR_YEAR_MISSING, naming the year and the file', async () => {
    const cal = await loadWorkCalendar(undefined);
    const [issue] = await issuesOf(() => isWorkingDay(cal, '2027-03-01'));
    expect(issue).toMatchObject({ code: 'CALENDAR_YEAR_MISSING', file: SHIPPED_CALENDAR, column: 'years.2027' });
    expect((await issuesOf(() => nthWorkingDay(cal, 2022, 5, 1)))[0]).toMatchObject({ code: 'CALENDAR_YEAR_MISSING', column: 'years.2022' });
  });
});

describe('checked at start', () => {
  it('refuses a schedule whose next fire falls in a year the calendar lacks', async () => {
    const cal = await loadWorkCalendar(undefined);
    // On 2026-12-10 the next quarterly fire is 2027-01-20: 2027 is not in the file.
    const issues = await issuesOf(() => checkCalendarCovers(cal, [{ id: 'q-2026', schedule: quarterly, catchUpMs: 72 * 3600_000 }], new Date('2026-12-10T00:00:00Z')));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'CALENDAR_YEAR_MISSING', column: 'years.2027', file: SHIPPED_CALENDAR });
    expect(issues[0]!.message).toContain('q-2026');
    // A schedule without workday: next needs no calendar; inside the calendar's years, all is well.
    const plain: Schedule = { ...quarterly, rule: { ...quarterly.rule, workday: 'any' } as Schedule['rule'] };
    expect(() => checkCalendarCovers(cal, [{ id: 'p', schedule: plain, catchUpMs: 0 }], new Date('2026-12-10T00:00:00Z'))).not.toThrow();
    expect(() => checkCalendarCovers(cal, [{ id: 'q', schedule: quarterly, catchUpMs: 72 * 3600_000 }], new Date('2025-12-10T00:00:00Z'))).not.toThrow();
  });

  it("an office extends the calendar with its jobs folder's own file", async () => {
    const jobsDir = await tempDir('cal-office');
    await writeFile(
      path.join(jobsDir, CALENDAR_FILE),
      `years:
  2027:
    notice: 国务院办公厅关于2027年部分节假日安排的通知（测试用，非真实数据）
    published: 2026-11-01
    holidays:
      - { name: 元旦, from: 2027-01-01, to: 2027-01-03 }
    workdays: []
`,
    );
    const cal = await loadWorkCalendar(jobsDir);
    expect(cal.files).toEqual([SHIPPED_CALENDAR, path.join(jobsDir, CALENDAR_FILE)]);
    expect(isWorkingDay(cal, '2024-10-01')).toBe(false); // the shipped years are still there
    expect(nextWorkingDay(cal, '2027-01-01')).toBe('2027-01-04');
    expect(() => checkCalendarCovers(cal, [{ id: 'q', schedule: quarterly, catchUpMs: 72 * 3600_000 }], new Date('2026-12-10T00:00:00Z'))).not.toThrow();
  });

  it('refuses a wrong calendar file, naming the file and the entry', async () => {
    const dir = await tempDir('cal-bad');
    const file = path.join(dir, 'bad.yaml');
    await writeFile(
      file,
      `years:
  2027:
    notice: 测试
    published: 2026-11-01
    holidays:
      - { name: 国庆节, from: 2027-10-07, to: 2027-10-01 }
      - { name: 春节, from: 2028-02-01, to: 2028-02-03 }
    workdays:
      - { date: 2027-10-11, for: 国庆节 }
`,
    );
    const issues = await issuesOf(loadWorkCalendar(undefined, file));
    expect(issues.map((i) => [i.file, i.column, i.code])).toEqual([
      [file, 'years.2027', 'CALENDAR_INVALID'], // ends before it starts
      [file, 'years.2027', 'CALENDAR_INVALID'], // 2028 dates in 2027
      [file, 'years.2027', 'CALENDAR_INVALID'], // 2027-10-11 is a Monday: already a working day
    ]);
    await writeFile(file, (await readFile(SHIPPED_CALENDAR, 'utf8')).replace('2024-10-12, for: 国庆节', '2024-10-32, for: 国庆节'));
    expect((await issuesOf(loadWorkCalendar(undefined, file)))[0]).toMatchObject({ file, column: 'years.2024.workdays[7].date' });
  });
});

describe('the schedule block of a job definition', () => {
  const job = (schedule: string) => `id: t\ntitle: t\nschedule:\n${schedule}\nsource: { type: files, path: f }\nrecipients: { to: [a@example.org] }\nmail: { from: b@example.org }\n`;

  it('takes cron with workday: next, or working_day with months and at', () => {
    const a = parseYaml('job.yaml', job('  cron: "0 9 20 1,4,7,10 *"\n  workday: next'), jobDefinitionSchema);
    expect(a.schedule.rule).toMatchObject({ kind: 'cron', cron: '0 9 20 1,4,7,10 *', workday: 'next' });
    const b = parseYaml('job.yaml', job('  working_day: 5\n  months: [1, 4, 7, 10]\n  at: "09:00"'), jobDefinitionSchema);
    expect(b.schedule.rule).toEqual({ kind: 'working-day', n: 5, months: [1, 4, 7, 10], hour: 9, minute: 0 });
  });

  it.each([
    ['  cron: "0 9 1 * *"\n  working_day: 5', 'schedule.cron'],
    ['  timezone: Asia/Shanghai', 'schedule.cron'],
    ['  cron: "0 9 1 * *"\n  months: [1]', 'schedule.months'],
    ['  working_day: 5\n  workday: next', 'schedule.workday'],
    ['  working_day: 5\n  at: "9am"', 'schedule.at'],
    ['  cron: "0 9 1 * *"\n  workday: previous', 'schedule.workday'],
  ])('refuses %j at %s', (block, column) => {
    let issues: InputError['issues'] = [];
    try {
      parseYaml('job.yaml', job(block), jobDefinitionSchema);
    } catch (e) {
      issues = (e as InputError).issues;
    }
    expect(issues.map((i) => i.column)).toContain(column);
  });
});
