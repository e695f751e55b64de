import os from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobDefinition } from '../config/job-definition.ts';
import { periodId } from '../domain/period.ts';
import { loadTargets } from '../config/targets-file.ts';
import { lastFireWithin, periodForFire } from '../domain/schedule.ts';
import type { Logger } from '../log.ts';
import { alertOperators } from '../delivery/alert.ts';
import { overdueDrafts } from '../pipeline/review.ts';
import type { Settings } from '../pipeline/settings.ts';
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
  /** With settings, drafts waiting past `approve_within_hours` are looked for every `reviewCheckMs` (default 5 min). */
  readonly settings?: Settings;
  readonly reviewCheckMs?: number;
}

export type FireOutcome = 'enqueued' | 'duplicate' | 'outside-year';

/**
 * node-cron fires each job definition in its time zone; a fire enqueues report × period under a
 * deterministic job id and marks the period as fired in Redis, so any number of schedulers (and
 * restarts) make one job per report × period. A fire missed while down is caught up once on start.
 */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly log: Logger;
  private reviewTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: SchedulerDeps) {
    this.log = deps.log.child({ role: 'scheduler' });
  }

  async start(): Promise<void> {
    for (const def of this.deps.jobs) {
      const task = cron.schedule(def.schedule.cron, (ctx) => void this.fire(def, ctx?.date ?? this.deps.clock()).catch((e: Error) => this.log.error({ report: def.id, err: e.message }, 'fire failed')), {
        timezone: def.schedule.timezone,
        name: `jibao-${def.id}`,
        noOverlap: true,
      });
      this.tasks.push(task);
      this.log.info({ report: def.id, cron: def.schedule.cron, timezone: def.schedule.timezone }, 'scheduled');
    }
    await this.catchUp(this.deps.clock());
    if (this.deps.settings && this.deps.jobs.some((j) => j.review?.approve_within_hours)) {
      const check = () => void this.checkOverdueDrafts(this.deps.clock()).catch((e: Error) => this.log.error({ err: e.message }, 'overdue draft check failed'));
      this.reviewTimer = setInterval(check, this.deps.reviewCheckMs ?? 5 * 60_000);
      check();
    }
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

  stop(): void {
    if (this.reviewTimer) clearInterval(this.reviewTimer);
    this.reviewTimer = undefined;
    for (const t of this.tasks) void t.stop();
    this.tasks.length = 0;
  }

  /** Enqueues the period a fire at `fireTime` reports on, once. */
  async fire(def: JobDefinition, fireTime: Date, reason: 'cron' | 'catch-up' = 'cron'): Promise<FireOutcome> {
    const period = periodId(periodForFire(fireTime, def.schedule.timezone, def.schedule.period));
    const jobId = scheduledJobId(def.id, period);
    const log = this.log.child({ report: def.id, period, jobId, fireTime: fireTime.toISOString(), reason });
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
    for (const def of this.deps.jobs) {
      const windowMs = def.schedule.catch_up_hours * 3600_000;
      const recent = lastFireWithin(def.schedule.cron, def.schedule.timezone, now, windowMs);
      if (recent) {
        await this.fire(def, recent, 'catch-up');
        continue;
      }
      const older = lastFireWithin(def.schedule.cron, def.schedule.timezone, now, Number.POSITIVE_INFINITY);
      if (!older) continue;
      const period = periodId(periodForFire(older, def.schedule.timezone, def.schedule.period));
      if (!(await this.deps.redis.exists(firedKey(def.id, period)))) {
        this.log.warn({ report: def.id, period, fireTime: older.toISOString(), windowHours: def.schedule.catch_up_hours }, 'missed fire outside the catch-up window; skipped (use jibao rerun)');
      }
    }
  }
}
