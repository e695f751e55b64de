import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { loadAllJobs, loadJobDefinition, scheduleOf } from '../config/job-definition.ts';
import { loadTargets } from '../config/targets-file.ts';
import { InputError } from '../domain/issues.ts';
import { periodId, type Period } from '../domain/period.ts';
import { describeFire, describeRule, firesAfter, periodForFire, usesCalendar, zonedInstant } from '../domain/schedule.ts';
import { loadWorkCalendar } from '../config/work-calendar.ts';
import { settingsFromEnv } from '../config/settings.ts';
import { checkNote, checkPeriodInYear, MAX_NOTE_CHARS } from '../pipeline/request-checks.ts';
import { redactText } from '../redact.ts';
import type { BriefingJobData, BriefingJobResult, BriefingProgress } from '../queue/briefing-job.ts';
import { ROLES, type Role } from '../queue/role-names.ts';
import { snapshotName } from '../archive/index.ts';
import { guarded, out, periodOption, reportOption, toOption } from './common.ts';
import { EXIT } from './errors.ts';

function redisUrl(): string {
  const url = process.env['REDIS_URL'];
  if (!url) throw new InputError([{ severity: 'error', file: 'environment', column: 'REDIS_URL', message: 'is not set; the queued commands need Redis, e.g. REDIS_URL=redis://127.0.0.1:6379 (jibao run needs none)' }]);
  return url;
}

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number ≥ 0`);
    return n;
  };
}

function isoDateArg(v: string): string {
  const t = Date.parse(`${v}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(t) || !new Date(t).toISOString().startsWith(v)) throw new InvalidArgumentError('--from expects a date YYYY-MM-DD');
  return v;
}

export function registerQueueCommands(program: Command): void {
  program
    .command('start')
    .description('run the service roles in this process on Redis (REDIS_URL): worker, scheduler, api (default: all); stops gracefully on SIGTERM/SIGINT')
    .addOption(new Option('--roles <list>', `comma-separated roles: ${ROLES.join(', ')}`).default(ROLES.join(',')))
    .addOption(new Option('-c, --concurrency <n>', 'briefings a worker runs at once').argParser(positiveInt('--concurrency')).default(1))
    .addOption(new Option('--render-threads <n>', 'render threads (0: render on the worker thread)').argParser(positiveInt('--render-threads')))
    .addOption(new Option('--port <n>', 'API port').argParser(positiveInt('--port')).env('PORT').default(8080))
    .addOption(new Option('--host <address>', 'API listen address (0.0.0.0 in a container)').default('127.0.0.1'))
    .action((o: { roles: string; concurrency: number; renderThreads?: number; port: number; host: string }) =>
      guarded(async () => {
        const roles = o.roles.split(',').map((r) => r.trim()).filter(Boolean);
        const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
        if (unknown.length > 0 || roles.length === 0) throw new InvalidArgumentError(`unknown role(s) ${unknown.join(', ')}; expected ${ROLES.join(', ')}`);
        // BullMQ, ioredis, fastify and the rest load only for the commands that use them.
        const [{ createLogger }, { startRoles }] = await Promise.all([import('../log.ts'), import('./roles.ts')]);
        const log = createLogger();
        // Tuning from the environment, all read here: a positive number or the role's default.
        const env = (name: string) => Number(process.env[name] ?? '') || undefined;
        const stalled = env('JIBAO_STALLED_INTERVAL_MS');
        const lock = env('JIBAO_LOCK_DURATION_MS');
        const mails = env('JIBAO_MAILS_PER_MINUTE');
        const reruns = env('JIBAO_RERUNS_PER_MINUTE');
        const running = await startRoles({
          roles: roles as Role[],
          redisUrl: redisUrl(),
          settings: settingsFromEnv(),
          log,
          concurrency: o.concurrency,
          ...(o.renderThreads !== undefined ? { renderThreads: o.renderThreads } : {}),
          ...(stalled ? { stalledIntervalMs: stalled } : {}),
          ...(lock ? { lockDurationMs: lock } : {}),
          ...(mails ? { mailsPerMinute: mails } : {}),
          ...(reruns ? { rerunsPerMinute: reruns } : {}),
          port: o.port,
          host: o.host,
        });
        log.info({ roles }, 'started');
        await new Promise<void>((resolve) => {
          const shutdown = (signal: string) => {
            log.info({ signal }, 'shutting down');
            void running.stop().then(resolve);
          };
          process.once('SIGTERM', () => shutdown('SIGTERM'));
          process.once('SIGINT', () => shutdown('SIGINT'));
        });
      }),
    );

  program
    .command('rerun')
    .description('enqueue an ad-hoc run of a report and period on Redis (REDIS_URL); --wait follows it to the end')
    .addOption(reportOption())
    .addOption(periodOption().makeOptionMandatory())
    .option('-n, --note <text>', `why it is rerun (更正说明), at most ${MAX_NOTE_CHARS} characters: recorded and shown on the briefing`)
    .option('--no-send', 'archive only; send no email')
    .addOption(toOption())
    .option('-w, --wait', 'show the stages as they run and the result')
    .action((o: { report: string; period: Period; note?: string; send: boolean; wait?: boolean; to?: string[] }) =>
      guarded(async () => {
        const settings = settingsFromEnv();
        // Fail here, not in a worker: a report that does not exist, a period outside its year, a note too long.
        checkNote(o.note);
        const def = await loadJobDefinition(settings.jobsDir, o.report);
        checkPeriodInYear(o.period, await loadTargets(def.targetsFile, def.id), def.targetsFile);
        const [{ Queue, QueueEvents }, { redisConnection }, { BRIEFINGS_QUEUE, JOB_NAME, JOB_OPTIONS, rerunJobId }] = await Promise.all([
          import('bullmq'),
          import('../queue/connection.ts'),
          import('../queue/briefing-job.ts'),
        ]);
        const connection = redisConnection(redisUrl(), 'producer');
        const queue = new Queue(BRIEFINGS_QUEUE, { connection });
        const eventsConnection = o.wait ? redisConnection(redisUrl(), 'worker') : undefined;
        const events = eventsConnection ? new QueueEvents(BRIEFINGS_QUEUE, { connection: eventsConnection }) : undefined;
        try {
          await events?.waitUntilReady();
          const period = periodId(o.period);
          const data: BriefingJobData = {
            report: o.report,
            period,
            trigger: { kind: 'cli', by: process.env['JIBAO_USER'] || os.userInfo().username, ...(o.note ? { note: o.note } : {}) },
            ...(o.note ? { note: o.note } : {}),
            send: o.send,
            ...(o.to ? { recipients: { to: o.to, cc: [], bcc: [] } } : {}),
          };
          const job = await queue.add(JOB_NAME, data, { ...JOB_OPTIONS, jobId: rerunJobId(o.report, period, settings.clock(), randomUUID().slice(0, 8)) });
          out(`queued ${job.id}`);
          if (!events) return EXIT.ok;
          events.on('progress', ({ jobId, data: p }) => {
            if (jobId !== job.id) return;
            const { stage, percent } = p as BriefingProgress;
            const filled = Math.round(percent / 5);
            out(`[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${String(percent).padStart(3)}% ${stage}`);
          });
          try {
            const result = (await job.waitUntilFinished(events)) as BriefingJobResult;
            out(`snapshot ${snapshotName(result.snapshot)} (version ${result.snapshot.version})${result.deliveries ? `, ${result.deliveries} email(s) queued` : ''}`);
            return EXIT.ok;
          } catch (e) {
            process.stderr.write(`failed: ${redactText((e as Error).message)}\n`);
            return EXIT.input;
          }
        } finally {
          // BullMQ does not close connections it was given.
          await events?.close();
          await queue.close();
          for (const c of [connection, eventsConnection]) await c?.quit().catch(() => c.disconnect());
        }
      }),
    );

  program
    .command('schedule')
    .description("print each report's next scheduled runs in its time zone, the period each reports on, and fires moved off holidays and weekends")
    .option('-r, --report <id>', 'only this report')
    .addOption(new Option('-n, --count <n>', 'how many fires').argParser(positiveInt('--count')).default(4))
    .addOption(new Option('--from <date>', 'list fires from this date (YYYY-MM-DD, in the schedule\'s time zone) instead of now').argParser(isoDateArg))
    .action((o: { report?: string; count: number; from?: string }) =>
      guarded(async () => {
        const settings = settingsFromEnv();
        const jobs = o.report ? [await loadJobDefinition(settings.jobsDir, o.report)] : await loadAllJobs(settings.jobsDir);
        // The scheduler's own definition and calendar: what is printed here is what fires.
        const cal = jobs.some((d) => usesCalendar(d.schedule.rule)) ? await loadWorkCalendar(settings.jobsDir) : undefined;
        for (const def of jobs) {
          const tz = def.schedule.timezone;
          const year = (await loadTargets(def.targetsFile, def.id)).year;
          // Just before local midnight of --from, so a fire at 00:00 that day is listed.
          const from = o.from ? new Date(zonedInstant(tz, o.from, 0)!.getTime() - 1) : settings.clock();
          out(`${def.id}  ${describeRule(def.schedule.rule)}  (${tz}; targets for ${year})`);
          // Lazily: the fires the calendar covers are printed before a missing year stops the listing.
          let shown = 0;
          if (o.count > 0) {
            for (const fire of firesAfter(scheduleOf(def), cal, from)) {
              const period = periodForFire(fire.at, tz, def.schedule.period, fire.movedFrom);
              out(`  ${describeFire(fire)}  → ${periodId(period)}${period.year === year ? '' : `  (outside ${year}: not run)`}`);
              if (++shown >= o.count) break;
            }
          }
        }
      }),
    );
}
