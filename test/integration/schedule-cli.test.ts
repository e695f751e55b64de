import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
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
});
