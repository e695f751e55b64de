import path from 'node:path';
import { copyFile, mkdir } from 'node:fs/promises';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAllJobs } from '../../worker/config/job-definition.ts';
import { loadTargets } from '../../worker/config/targets-file.ts';
import { dueDate, jobCalendar, lastPeriodFigures, remindPass, reportingUnits, writeTemplate } from '../../worker/collection/index.ts';
import { parsePeriod } from '../../worker/domain/period.ts';
import { createLogger } from '../../worker/log.ts';
import { settingsFromEnv, type Settings } from '../../worker/config/settings.ts';
import { ROOT, tempDir } from '../support/cli.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';
import { createSnapshotStore } from '../../worker/archive/index.ts';

const Q3 = parsePeriod('2023Q3');
const RETURNED = ['区财政局', '区水务局'];

describe('reminders on the due day', () => {
  let redis: TestRedis;
  let smtp: TestSmtp;
  let clients: Redis[];
  let jobsDir: string;
  let settings: Settings;
  const logs: Record<string, unknown>[] = [];
  const log = createLogger({}, new Writable({ write: (c, _e, cb) => { for (const l of String(c).split('\n').filter(Boolean)) logs.push(JSON.parse(l)); cb(); } }));

  beforeAll(async () => {
    [redis, smtp] = await Promise.all([startRedis(), startSmtp()]);
    clients = [new Redis(redis.url), new Redis(redis.url)];
    const root = await tempDir('remind');
    jobsDir = path.join(root, 'jobs');
    const dir = path.join(jobsDir, 'yuquan-2023');
    await mkdir(path.join(dir, 'figures'), { recursive: true });
    for (const f of ['job.yaml', 'targets.yaml']) await copyFile(path.join(ROOT, 'jobs/yuquan-2023', f), path.join(dir, f));
    settings = { ...settingsFromEnv({}), jobsDir, archiveDir: path.join(root, 'archive'), outboxDir: path.join(root, 'outbox'), smtpUrl: smtp.url };
    // Two units have returned their templates, filled.
    const [job] = await loadAllJobs(jobsDir);
    const report = await loadTargets(job!.targetsFile, job!.id);
    const last = await lastPeriodFigures(createSnapshotStore(settings), job!, report, Q3);
    for (const items of reportingUnits(report).filter((u) => RETURNED.includes(u.unit))) {
      const file = await writeTemplate({ report, period: Q3, items, last, generatedAt: new Date() }, path.join(dir, 'figures'));
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      const ws = wb.worksheets[0]!;
      for (let r = 4; r <= ws.rowCount; r++) {
        const row = ws.getRow(r);
        if (row.getCell(6).protection?.locked === false) row.getCell(6).value = 1;
        else row.getCell(8).value = '序时推进';
        row.getCell(9).value = new Date(Date.UTC(2023, 9, 3));
      }
      await wb.xlsx.writeFile(file);
    }
  });
  afterAll(async () => {
    for (const c of clients ?? []) c.disconnect();
    await Promise.all([redis?.stop(), smtp?.stop()]);
  });

  /** A moment on a local (Beijing) date and time. */
  const at = (date: string, time: string) => new Date(`${date}T${time}:00+08:00`);

  it('sends nothing before the due day or before remind_at', async () => {
    const jobs = await loadAllJobs(jobsDir);
    const due = dueDate(Q3, jobs[0]!.collection!.due, await jobCalendar(jobs[0]!));
    expect(due).toBe('2023-10-11'); // the 5th working day of October 2023, after National Day and its two make-up days
    // The 5th weekday (10-06) is a holiday: no reminder then.
    expect(await remindPass({ jobs, redis: clients[0]!, settings, log }, at('2023-10-06', '09:30'))).toEqual([]);
    const dayBefore = new Date(at(due, '10:00').getTime() - 24 * 3600_000);
    expect(await remindPass({ jobs, redis: clients[0]!, settings, log }, dayBefore)).toEqual([]);
    expect(await remindPass({ jobs, redis: clients[0]!, settings, log }, at(due, '08:59'))).toEqual([]);
    expect(await smtp.received()).toEqual([]);
  });

  it('reaches each late unit and the office once, through a real SMTP server, however many schedulers and passes run', async () => {
    const jobs = await loadAllJobs(jobsDir);
    const c = jobs[0]!.collection!;
    const due = dueDate(Q3, c.due, await jobCalendar(jobs[0]!));
    const late = Object.keys(c.units).filter((u) => !RETURNED.includes(u));
    expect(late).toHaveLength(13);
    // Two schedulers at once, then a later pass of one of them.
    const first = await Promise.all(clients.map((redis) => remindPass({ jobs, redis, settings, log }, at(due, '09:00'))));
    const later = await remindPass({ jobs, redis: clients[0]!, settings, log }, at(due, '11:30'));
    const sent = first.flatMap((o) => o.flatMap((x) => x.sent));
    expect(sent.sort()).toEqual([...late.map((u) => `unit:${u}`), 'office'].sort());
    expect(later).toEqual([]); // the day's reminders are done: nothing read, nothing sent

    const mails = await smtp.received();
    expect(mails).toHaveLength(14);
    const to = mails.map((m) => m.envelope.to).flat().sort();
    expect(to).toEqual([...late.map((u) => c.units[u]![0]!), ...c.office].sort());
    const office = mails.find((m) => m.envelope.to.includes(c.office[0]!))!;
    expect(office.mail.subject).toContain('13个单位未报送');
    for (const u of late) expect(office.mail.text).toContain(u);
    for (const u of RETURNED) expect(office.mail.text).not.toContain(u);
    const toUnit = mails.find((m) => m.envelope.to.includes(c.units['区发改委']![0]!))!;
    expect(toUnit.mail.subject).toContain('区发改委');
    expect(toUnit.mail.text).toContain('区发改委_2023Q3_报送模板.xlsx');
    expect(logs.filter((l) => l['code'] === 'REMINDER_SENT')).toHaveLength(14);
  });

  it('a reminder that could not be sent is not marked as sent: the next pass sends it', async () => {
    await clients[0]!.flushall();
    const down = await startSmtp({ down: true });
    try {
      const jobs = await loadAllJobs(jobsDir);
      const due = dueDate(Q3, jobs[0]!.collection!.due, await jobCalendar(jobs[0]!));
      const deps = { jobs, redis: clients[0]!, settings: { ...settings, smtpUrl: down.url }, log };
      const failed = await remindPass(deps, at(due, '09:05'));
      expect(failed[0]).toMatchObject({ sent: [], alreadySent: [] });
      expect(failed[0]!.failed).toHaveLength(14);
      await down.start();
      const retried = await remindPass(deps, at(due, '09:10'));
      expect(retried[0]!.sent).toHaveLength(14);
      expect(await down.received()).toHaveLength(14);
    } finally {
      await down.stop();
    }
  });
});
