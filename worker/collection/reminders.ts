import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { JobDefinition } from '../config/job-definition.ts';
import { loadTargets } from '../config/targets-file.ts';
import { createMailer, type Mailer } from '../delivery/transport.ts';
import { chineseDate, isoDateInZone } from '../domain/format.ts';
import { monthPeriod, periodId, periodTitle, quarterPeriod, type Period } from '../domain/period.ts';
import type { Logger } from '../log.ts';
import type { Settings } from '../config/settings.ts';
import { redactText } from '../redact.ts';
import { dueDate, jobCalendar } from './due.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import { InputError } from '../domain/issues.ts';
import { returnsStatus, type ReturnsStatus } from './status.ts';
import { templateFileName } from './units.ts';

export interface ReminderDeps {
  readonly jobs: readonly JobDefinition[];
  readonly redis: Redis;
  readonly settings: Settings;
  readonly log: Logger;
  /** Defaults to SMTP_URL, or the outbox. */
  readonly mailer?: Mailer;
  /** Defaults to the shipped calendar plus the office's own beside the job folders. */
  readonly calendar?: WorkCalendar;
}

const calendarWarned = new Set<string>();

/** What a pass did for one report × period (for logs and tests). */
export interface ReminderOutcome {
  readonly report: string;
  readonly period: string;
  readonly sent: readonly string[];
  readonly alreadySent: readonly string[];
  readonly failed: readonly string[];
}

/** Kept long enough to outlive the due day and any restart around it. */
const MARK_TTL_SECONDS = 120 * 24 * 3600;

const markKey = (report: string, period: string, who: string) =>
  `jibao:reminder:${report}:${period}:${createHash('sha256').update(who).digest('hex').slice(0, 16)}`;

/**
 * The period being collected on a local date: the one that ended with the previous month
 * (quarter or month, as the job's schedule reports on); none in a month after no quarter's end.
 */
export function periodCollectedIn(localDate: string, kind: JobDefinition['schedule']['period']): Period | undefined {
  const [y, m] = localDate.split('-').map(Number) as [number, number];
  const year = m === 1 ? y - 1 : y;
  const month = m === 1 ? 12 : m - 1;
  if (kind === 'previous-month') return monthPeriod(year, month);
  return month % 3 === 0 ? quarterPeriod(year, (month / 3) as 1 | 2 | 3 | 4) : undefined;
}

function localTime(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
}

/**
 * One pass: for every job whose returns are due today (local date, from `remind_at`), each unit
 * that has not returned gets one reminder and the office one list of late units. "Once" is a
 * Redis SET NX per report × period × addressee, so any number of schedulers and passes send one;
 * a send that fails clears its mark, so the next pass tries again.
 */
export async function remindPass(deps: ReminderDeps, now: Date = deps.settings.clock()): Promise<ReminderOutcome[]> {
  const outcomes: ReminderOutcome[] = [];
  let mailer = deps.mailer;
  let cal: WorkCalendar | undefined = deps.calendar;
  for (const job of deps.jobs) {
    const c = job.collection;
    if (!c) continue;
    const tz = job.schedule.timezone;
    const today = isoDateInZone(now, tz);
    const period = periodCollectedIn(today, job.schedule.period);
    if (!period || localTime(now, tz) < c.remind_at) continue;
    const report = await loadTargets(job.targetsFile, job.id);
    if (period.year !== report.year) continue; // another year's report: its collection is over
    let due: string;
    try {
      cal ??= await jobCalendar(job);
      due = dueDate(period, c.due, cal);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      // A calendar without the year: said, not guessed by weekdays (and said once per process, not every minute).
      const said = `${job.id}:${periodId(period)}`;
      if (!calendarWarned.has(said)) deps.log.error({ code: e.issues[0]?.code, report: job.id, period: periodId(period), err: e.message }, 'cannot tell the due day of the returns; no reminders');
      calendarWarned.add(said);
      continue;
    }
    if (due !== today) continue;
    const pid = periodId(period);
    // Once a pass has sent everything, the rest of the day's passes read no files at all.
    const doneKey = markKey(job.id, pid, 'pass-done');
    if ((await deps.redis.exists(doneKey)) === 1) continue;
    const status = await returnsStatus(job, report, period, today);
    const outcome = { report: job.id, period: pid, sent: [] as string[], alreadySent: [] as string[], failed: [] as string[] };
    const once = async (who: string, send: () => Promise<unknown>) => {
      const key = markKey(job.id, pid, who);
      if ((await deps.redis.set(key, now.toISOString(), 'EX', MARK_TTL_SECONDS, 'NX')) !== 'OK') {
        outcome.alreadySent.push(who);
        return;
      }
      try {
        await send();
        outcome.sent.push(who);
        deps.log.info({ code: 'REMINDER_SENT', report: job.id, period: pid, to: who }, 'reminder sent');
      } catch (e) {
        await deps.redis.del(key);
        outcome.failed.push(who);
        deps.log.error({ code: 'REMINDER_FAILED', report: job.id, period: pid, to: who, err: redactText((e as Error).message) }, 'reminder not sent; the next pass tries again');
      }
    };
    mailer ??= await createMailer({ smtpUrl: deps.settings.smtpUrl, outboxDir: deps.settings.outboxDir, clock: deps.settings.clock });
    const late = status.units.filter((u) => u.state === 'missing');
    for (const u of late) {
      const to = c.units[u.unit] ?? [];
      if (to.length === 0) {
        deps.log.warn({ code: 'REMINDER_NO_ADDRESS', report: job.id, period: pid, unit: u.unit }, 'a late unit has no address in collection.units');
        continue;
      }
      await once(`unit:${u.unit}`, () =>
        mailer!.sendText({
          from: job.mail.from,
          to,
          subject: `【催报】请于今日报送${periodTitle(period)}目标任务推进数据（${u.unit}）`,
          text: unitText(job, u.unit, period, today),
          messageId: `<reminder.${job.id}.${pid}.${markKey(job.id, pid, u.unit).slice(-16)}@jibao>`,
        }),
      );
    }
    const troubled = status.units.filter((u) => u.state === 'errors');
    if (c.office.length > 0 && (late.length > 0 || troubled.length > 0)) {
      await once('office', () =>
        mailer!.sendText({
          from: job.mail.from,
          to: c.office,
          subject: `【报送情况】${periodTitle(period)}：${late.length}个单位未报送`,
          text: officeText(job, status, period, today),
          messageId: `<reminder.${job.id}.${pid}.office@jibao>`,
        }),
      );
    }
    if (outcome.failed.length === 0) await deps.redis.set(doneKey, now.toISOString(), 'EX', MARK_TTL_SECONDS);
    outcomes.push(outcome);
  }
  return outcomes;
}

function unitText(job: JobDefinition, unit: string, period: Period, due: string): string {
  return [
    `${unit}：`,
    '',
    `${job.title}${periodTitle(period)}（${periodId(period)}）数据的报送截止日期为今日（${chineseDate(due)}），截至目前尚未收到贵单位的报送表。`,
    `请填写报送模板（${templateFileName(unit, periodId(period))}）后于今日报送。已报送的请忽略本邮件。`,
    '',
    '（本邮件由 jibao 自动发送）',
  ].join('\n');
}

function officeText(job: JobDefinition, s: ReturnsStatus, period: Period, due: string): string {
  const line = (state: string) => s.units.filter((u) => u.state === state).map((u) => `  ${u.unit}`);
  const missing = line('missing');
  const errors = s.units.filter((u) => u.state === 'errors').map((u) => `  ${u.unit}（${u.files.join('、')}）`);
  return [
    `${job.title}`,
    `${periodTitle(period)}（${periodId(period)}）报送截止：${chineseDate(due)}`,
    '',
    `未报送（${missing.length}个）：`,
    ...(missing.length ? missing : ['  无']),
    '',
    `报送有误（${errors.length}个）：`,
    ...(errors.length ? errors : ['  无']),
    '',
    `已报送：${s.units.filter((u) => u.state === 'returned' || u.state === 'incomplete').length}个。详见 jibao figures status --report ${s.report} --period ${s.period}。`,
  ].join('\n');
}

/** The scheduler role's reminder loop: a pass now and every `everyMs`, never two at once. */
export function startReminders(deps: ReminderDeps, everyMs = 60_000): { stop(): void } {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    remindPass(deps)
      .catch((e: Error) => deps.log.error({ code: 'REMINDER_PASS_FAILED', err: redactText(e.message) }, 'reminder pass failed'))
      .finally(() => (running = false));
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
