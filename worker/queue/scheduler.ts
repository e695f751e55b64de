import os from 'node:os';
import path from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { scheduleOf, type JobDefinition } from '../config/job-definition.ts';
import { checkCalendarCovers, loadWorkCalendar } from '../config/work-calendar.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import { InputError } from '../domain/issues.ts';
import { periodId } from '../domain/period.ts';
import { loadTargets } from '../config/targets-file.ts';
import { dueFires, lastFireWithin, nextFires, periodForFire, usesCalendar } from '../domain/schedule.ts';
import type { Logger } from '../log.ts';
import { alertOperators } from '../delivery/alert.ts';
import { overdueDrafts } from '../pipeline/review.ts';
import type { Settings } from '../config/settings.ts';
import { JOB_NAME, JOB_OPTIONS, scheduledJobId, type BriefingJobData } from './briefing-job.ts';

const FIRED_TTL_SECONDS = 400 * 24 * 3600;
const firedKey = (report: string, period: string) => `jibao:fired:${report}:${period}`;
/** Set once per overdue draft by whichever scheduler alerts first (SET NX): the others stay quiet. */
export const overdueKey = (report: string, period: string, version: number) => `jibao:review-overdue:${report}:${period}:v${version}`;

export interface SchedulerDeps {
  readonly jobs: readonly JobDefinition[];
  readonly queue: Queue;
  readonly redis: Redis;
  readonly log: Logger;
  readonly clock: () => Date;
  /** The working-day calendar; loaded from the shipped file and the jobs folder's own when not given. */
  readonly calendar?: WorkCalendar;
  /** With settings, drafts waiting past `approve_within_hours` are looked for every `reviewCheckMs` (default 5 min). */
  readonly settings?: Settings;
  readonly reviewCheckMs?: number;
}

/** The longest a scheduler sleeps before it looks at the clock again (a clock set forward, a VM resumed). */
const MAX_SLEEP_MS = 15 * 60_000;

export type FireOutcome = 'enqueued' | 'duplicate' | 'outside-year';

/**
 * Each job definition fires from its one schedule definition (worker/domain/schedule.ts): the
 * scheduler sleeps until the next predicted fire, then runs every fire due since it last looked, so
 * firing, `jibao schedule`, the API's next run and catch-up can never disagree. A fire enqueues
 * report × period under a deterministic job id and marks the period as fired in Redis, so any number
 * of schedulers (and restarts) make one job per report × period. A fire missed while down is
 * caught up once on start.
 */
export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastTick = new Map<string, Date>();
  private readonly log: Logger;
  private calendar: WorkCalendar | undefined;
  private stopped = false;
  private reviewTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: SchedulerDeps) {
    this.log = deps.log.child({ role: 'scheduler' });
    this.calendar = deps.calendar;
  }

  /**
   * The working-day calendar the jobs need, loaded and checked before anything connects: a year a
   * schedule needs now and the calendar lacks is CALENDAR_YEAR_MISSING, naming the year and the file.
   */
  static async prepareCalendar(jobs: readonly JobDefinition[], now: Date): Promise<WorkCalendar | undefined> {
    if (!jobs.some((d) => usesCalendar(d.schedule.rule))) return undefined;
    const cal = await loadWorkCalendar(path.dirname(jobs[0]!.dir));
    checkCalendarCovers(cal, jobs.map((def) => ({ id: def.id, schedule: scheduleOf(def), catchUpMs: def.schedule.catch_up_hours * 3600_000 })), now);
    return cal;
  }

  /** Checks the calendar (if not given already), catches up, then arms the timers. */
  async start(): Promise<void> {
    const now = this.deps.clock();
    this.calendar ??= await Scheduler.prepareCalendar(this.deps.jobs, now);
    const cal = this.calendar;
    await this.catchUp(now);
    for (const def of this.deps.jobs) {
      this.lastTick.set(def.id, now);
      this.arm(def);
      const next = nextFires(scheduleOf(def), cal, now, 1)[0];
      this.log.info({ report: def.id, schedule: def.schedule.cron ?? `working_day ${def.schedule.working_day}`, workday: def.schedule.workday, timezone: def.schedule.timezone, next: next?.at.toISOString() }, 'scheduled');
    }
    if (this.deps.settings && this.deps.jobs.some((j) => j.review?.approve_within_hours)) {
      const check = () => void this.checkOverdueDrafts(this.deps.clock()).catch((e: Error) => this.log.error({ err: e.message }, 'overdue draft check failed'));
      this.reviewTimer = setInterval(check, this.deps.reviewCheckMs ?? 5 * 60_000);
      check();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.reviewTimer) clearInterval(this.reviewTimer);
    this.reviewTimer = undefined;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Alerts a report's operators about each draft not approved in time, once: the Redis key is
   * claimed with SET NX, so of several schedulers (and restarts) only one ever sends it.
   */
  async checkOverdueDrafts(now: Date): Promise<{ report: string; period: string; version: number }[]> {
    const settings = this.deps.settings;
    if (!settings) return [];
    const alerted: { report: string; period: string; version: number }[] = [];
    for (const d of await overdueDrafts(settings, this.deps.jobs, now)) {
      const s = d.snapshot;
      const key = overdueKey(s.report, s.period, s.version);
      if ((await this.deps.redis.set(key, now.toISOString(), 'EX', FIRED_TTL_SECONDS, 'NX')) !== 'OK') continue;
      const log = this.log.child({ report: s.report, period: s.period, version: s.version });
      try {
        await alertOperators(
          settings,
          d.job,
          `简报稿逾期未签发：${s.report} ${s.period} 第${s.version}版`,
          [
            `简报稿 ${s.report}/${s.period}/v${s.version} 生成于 ${s.manifest.createdAt}，应于 ${d.dueAt.toISOString()} 前签发（${d.job.review?.approve_within_hours} 小时内），至今未签发也未退回。`,
            `审核人：${(s.manifest.review?.reviewers ?? []).join('、')}`,
            '',
            `签发：jibao approve ${s.report}/${s.period}/v${s.version}`,
            `退回：jibao reject ${s.report}/${s.period}/v${s.version} --reason "原因"`,
          ].join('\n'),
        );
        log.warn({ code: 'REVIEW_OVERDUE', dueAt: d.dueAt.toISOString() }, 'draft not approved in time; operators alerted');
        alerted.push({ report: s.report, period: s.period, version: s.version });
      } catch (e) {
        // Not sent: let a later check (here or in another scheduler) try again.
        await this.deps.redis.del(key);
        log.error({ err: (e as Error).message }, 'could not alert operators about an overdue draft');
      }
    }
    return alerted;
  }

  /** Fires every fire of `def` due in (last look, now]; older ones than the catch-up window are logged as missed. */
  async tick(def: JobDefinition, now: Date): Promise<void> {
    const last = this.lastTick.get(def.id) ?? now;
    const { due, missed } = dueFires(scheduleOf(def), this.calendar, last, now, def.schedule.catch_up_hours * 3600_000);
    this.lastTick.set(def.id, now);
    for (const f of missed) this.log.warn({ report: def.id, fireTime: f.at.toISOString(), windowHours: def.schedule.catch_up_hours }, 'missed fire outside the catch-up window; skipped (use jibao rerun)');
    for (const f of due) await this.fire(def, f.at, 'cron', f.movedFrom);
  }

  private arm(def: JobDefinition): void {
    if (this.stopped) return;
    const now = this.deps.clock();
    let delay = MAX_SLEEP_MS;
    try {
      const next = nextFires(scheduleOf(def), this.calendar, now, 1)[0];
      if (next) delay = Math.min(MAX_SLEEP_MS, Math.max(0, next.at.getTime() - now.getTime()));
    } catch (e) {
      // A calendar year ran out while running: say so loudly, look again later (the office may add it and restart).
      this.log.error({ report: def.id, err: e instanceof Error ? e.message : String(e), code: e instanceof InputError ? e.issues[0]?.code : undefined }, 'cannot predict the next fire');
    }
    const t = setTimeout(() => {
      void this.tick(def, this.deps.clock())
        .catch((e: Error) => this.log.error({ report: def.id, err: e.message }, 'fire failed'))
        .finally(() => this.arm(def));
    }, delay + 5);
    this.timers.set(def.id, t);
  }

  private async loadCalendar(): Promise<WorkCalendar | undefined> {
    if (this.calendar || !this.deps.jobs.some((d) => usesCalendar(d.schedule.rule))) return this.calendar;
    this.calendar = await loadWorkCalendar(path.dirname(this.deps.jobs[0]!.dir));
    return this.calendar;
  }

  /** Enqueues the period a fire at `fireTime` reports on, once. */
  async fire(def: JobDefinition, fireTime: Date, reason: 'cron' | 'catch-up' = 'cron', movedFrom?: { date: string; reason: string }): Promise<FireOutcome> {
    const period = periodId(periodForFire(fireTime, def.schedule.timezone, def.schedule.period, movedFrom));
    const jobId = scheduledJobId(def.id, period);
    const log = this.log.child({ report: def.id, period, jobId, fireTime: fireTime.toISOString(), reason, ...(movedFrom ? { movedFrom } : {}) });
    const year = (await loadTargets(def.targetsFile, def.id)).year;
    if (Number(period.slice(0, 4)) !== year) {
      log.info({ year }, "the period is outside the report's year; not run");
      return 'outside-year';
    }
    const key = firedKey(def.id, period);
    if (await this.deps.redis.exists(key)) {
      log.debug('already fired for this period');
      return 'duplicate';
    }
    const data: BriefingJobData = {
      report: def.id,
      period,
      trigger: { kind: 'schedule', by: `scheduler@${os.hostname()}` },
      send: true,
      waitUntil: new Date(fireTime.getTime() + def.schedule.not_ready.give_up_after_hours * 3600_000).toISOString(),
      retryEverySeconds: def.schedule.not_ready.retry_every_seconds,
    };
    // Two schedulers may both get here: the job id lets only one job exist.
    const job = await this.deps.queue.add(JOB_NAME, data, { ...JOB_OPTIONS, jobId });
    await this.deps.redis.set(key, fireTime.toISOString(), 'EX', FIRED_TTL_SECONDS, 'NX');
    log.info({ created: job.id === jobId }, reason === 'catch-up' ? 'caught up a missed fire' : 'fired');
    return 'enqueued';
  }

  /** Runs the most recent fire once if it is inside the catch-up window; logs an older missed one. */
  async catchUp(now: Date): Promise<void> {
    const cal = await this.loadCalendar();
    for (const def of this.deps.jobs) {
      const windowMs = def.schedule.catch_up_hours * 3600_000;
      const recent = lastFireWithin(scheduleOf(def), cal, now, windowMs);
      if (recent) {
        await this.fire(def, recent.at, 'catch-up', recent.movedFrom);
        continue;
      }
      // An older missed fire is only reported: look back a year at most (and within the calendar's years).
      let older;
      try {
        older = lastFireWithin(scheduleOf(def), cal, now, 400 * 86_400_000);
      } catch (e) {
        if (e instanceof InputError) continue; // looking back past the calendar's first year: nothing to report
        throw e;
      }
      if (!older) continue;
      const period = periodId(periodForFire(older.at, def.schedule.timezone, def.schedule.period, older.movedFrom));
      if (!(await this.deps.redis.exists(firedKey(def.id, period)))) {
        this.log.warn({ report: def.id, period, fireTime: older.at.toISOString(), windowHours: def.schedule.catch_up_hours }, 'missed fire outside the catch-up window; skipped (use jibao rerun)');
      }
    }
  }
}
