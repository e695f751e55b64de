import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SHIPPED_CALENDAR } from '../../worker/config/work-calendar.ts';
import { runCli } from '../support/cli.ts';
import { fixtureReport } from '../support/fixture-report.ts';

describe('jibao schedule and start: job definitions checked up front', () => {
  it('prints the next fires in the time zone with the period each reports on', async () => {
    const fx = await fixtureReport({ id: 'sched-2027', year: 2027 });
    const r = await runCli(['schedule', '--count', '3'], { env: { JIBAO_JOBS_DIR: fx.jobsDir } });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('sched-2027  0 9 20 1,4,7,10 *  (Asia/Shanghai; targets for 2027)');
    expect(lines.slice(1)).toHaveLength(3);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {2}\d{4}-\d{2}-20 09:00 {2}→ \d{4}Q[1-4]/);
  });

  it('refuses a bad cron expression or time zone, naming the file, before anything starts', async () => {
    const fx = await fixtureReport({ id: 'badcron-2023', year: 2023 });
    const file = path.join(fx.jobsDir, fx.id, 'job.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('cron: "0 9 20 1,4,7,10 *"', 'cron: "0 9 32 * *"').replace('timezone: Asia/Shanghai', 'timezone: Asia/Beijing'));
    const r = await runCli(['start', '--roles', 'scheduler'], { env: { JIBAO_JOBS_DIR: fx.jobsDir, REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/badcron-2023\/job\.yaml, column schedule\.cron: expected a cron expression/);
    expect(r.stderr).toMatch(/badcron-2023\/job\.yaml, column schedule\.timezone: expected an IANA time zone/);
  });

  it('shows a fire in the 2024 National Day holiday on the next working day, and why', async () => {
    const fx = await fixtureReport({ id: 'natday-2024', year: 2024, cron: '0 9 1 10 *' });
    const file = path.join(fx.jobsDir, fx.id, 'job.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('  timezone: Asia/Shanghai', '  workday: next\n  timezone: Asia/Shanghai'));
    const r = await runCli(['schedule', '--from', '2024-09-01', '--count', '2'], { env: { JIBAO_JOBS_DIR: fx.jobsDir } });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual([
      'natday-2024  0 9 1 10 *  (workday: next)  (Asia/Shanghai; targets for 2024)',
      '  2024-10-08 09:00 (moved from 2024-10-01: 国庆节)  → 2024Q3',
      '  2025-10-09 09:00 (moved from 2025-10-01: 国庆节、中秋节)  → 2025Q3  (outside 2024: not run)',
    ]);
    // The nth working day of the quarter months, 调休 Saturdays counted.
    await writeFile(file, (await readFile(file, 'utf8')).replace('  cron: "0 9 1 10 *"\n  workday: next', '  working_day: 5\n  months: [1, 4, 7, 10]\n  at: "09:00"'));
    const w = await runCli(['schedule', '--from', '2024-10-01', '--count', '2'], { env: { JIBAO_JOBS_DIR: fx.jobsDir } });
    expect(w.stdout.trim().split('\n').slice(1)).toEqual(['  2024-10-12 09:00  → 2024Q3', '  2025-01-08 09:00  → 2024Q4']);
    // A date that does not exist is refused as a usage error.
    const bad = await runCli(['schedule', '--from', '2024-02-30'], { env: { JIBAO_JOBS_DIR: fx.jobsDir } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/option '--from <date>' argument '2024-02-30' is invalid/);
  });

  it('lists a DOM+DOW expression by node-cron\'s rule: both must match', async () => {
    const fx = await fixtureReport({ id: 'domdow-2027', year: 2027, cron: '0 9 20-26 1,4,7,10 1' });
    const r = await runCli(['schedule', '--from', '2027-01-01', '--count', '4'], { env: { JIBAO_JOBS_DIR: fx.jobsDir } });
    expect(r.stdout.trim().split('\n').slice(1).map((l) => l.slice(2, 18))).toEqual(['2027-01-25 09:00', '2027-04-26 09:00', '2027-07-26 09:00', '2027-10-25 09:00']);
  });

  it('refuses to start when the calendar lacks a year a schedule needs, naming the year and the file', async () => {
    const fx = await fixtureReport({ id: 'nocal-2023', year: 2023 });
    const file = path.join(fx.jobsDir, fx.id, 'job.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('  timezone: Asia/Shanghai', '  workday: next\n  timezone: Asia/Shanghai'));
    // A calendar with 2023 only: today's fires need a later year.
    const shipped = await readFile(SHIPPED_CALENDAR, 'utf8');
    const only2023 = path.join(fx.jobsDir, 'only-2023.yaml');
    await writeFile(only2023, shipped.slice(0, shipped.indexOf('  2024:')));
    const r = await runCli(['start', '--roles', 'scheduler'], { env: { JIBAO_JOBS_DIR: fx.jobsDir, JIBAO_CALENDAR_FILE: only2023, REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(r.code).toBe(1);
    const year = new Date().getUTCFullYear();
    expect(r.stderr).toContain(`${only2023}, column years.${year}:`);
    expect(r.stderr).toMatch(/\(report nocal-2023\) \[CALENDAR_YEAR_MISSING\]/);
    // jibao schedule says the same.
    const s = await runCli(['schedule'], { env: { JIBAO_JOBS_DIR: fx.jobsDir, JIBAO_CALENDAR_FILE: only2023 } });
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('[CALENDAR_YEAR_MISSING]');
  });
});
