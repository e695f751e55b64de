import path from 'node:path';
import { readdir, realpath, stat } from 'node:fs/promises';
import cron from 'node-cron';
import { load } from 'js-yaml';
import { z } from 'zod';
import { InputError, type InputIssue } from '../domain/issues.ts';
import { loadYamlFile } from './yaml-file.ts';
import { CodedInputError, withCode } from '../error-codes.ts';
import { urlCredentials } from '../redact.ts';
import type { Schedule, ScheduleRule } from '../domain/schedule.ts';

const text = z.string().trim().min(1, 'expected a non-empty text');
const email = z.email({ error: 'expected an email address' });

const timeZone = text.refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected an IANA time zone, e.g. Asia/Shanghai', params: { code: 'CONFIG_FORMAT', format: 'timezone' } },
);

/** Our column → the header a source uses for it, for statistics offices' own layouts. */
const columnMap = z
  .strictObject({
    indicator: text.optional(),
    period: text.optional(),
    value: text.optional(),
    yoy: text.optional(),
    status: text.optional(),
    note: text.optional(),
    asOf: text.optional(),
    source: text.optional(),
  })
  .optional();

/** `archive.retention` as an object: how many versions prune keeps, and how long storage locks them. */
export const retentionSchema = z.strictObject({
  /** Absent: prune keeps every version. */
  keep_versions: z.number().int().min(1).optional(),
  lock_days: z.number().int().min(1).max(36500).optional(),
  lock_mode: z.enum(['governance', 'compliance']).default('governance'),
});

/** How long an archive that can lock objects (S3 Object Lock) keeps a report's snapshots write-once. */
export interface StorageLock {
  readonly days: number;
  readonly mode: 'governance' | 'compliance';
}

/**
 * The storage lock a job definition's text asks for (`archive.retention.lock_days`), read from
 * the job.yaml archived with a snapshot; undefined when it asks for none or cannot be read.
 */
export function storageLockOf(jobYaml: string): StorageLock | undefined {
  try {
    const r = retentionSchema.safeParse((load(jobYaml) as { archive?: { retention?: unknown } } | undefined)?.archive?.retention);
    return r.success && r.data.lock_days ? { days: r.data.lock_days, mode: r.data.lock_mode } : undefined;
  } catch {
    return undefined;
  }
}

export const jobDefinitionSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected an id of lowercase letters, digits and hyphens'),
  title: text,
  targets: text.default('targets.yaml'),
  schedule: z
    .strictObject({
      /** node-cron syntax; when day-of-month and day-of-week are both restricted, both must match. */
      cron: text.refine((c) => cron.validate(c), { error: 'expected a cron expression, e.g. "0 9 20 1,4,7,10 *"', params: { code: 'CONFIG_FORMAT', format: 'cron' } }).optional(),
      /** next: a cron fire on a holiday or weekend moves to the next working day, same time (调休 counted). */
      workday: z.enum(['any', 'next']).default('any'),
      /** Instead of cron: the Nth working day of each of `months`, at `at`. */
      working_day: z.number().int().min(1).max(15).optional(),
      months: z.array(z.number().int().min(1).max(12)).min(1).optional(),
      at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time HH:MM, e.g. "09:00"').optional(),
      timezone: timeZone.default('Asia/Shanghai'),
      /** Which period a fire reports on. */
      period: z.enum(['previous-quarter', 'previous-month']).default('previous-quarter'),
      /** A fire missed while the scheduler was down is run once on start if it is this recent. */
      catch_up_hours: z.number().nonnegative().default(72),
      /** When the figures are not out yet: try again every … until … after the fire, then alert. */
      not_ready: z
        .strictObject({
          retry_every_seconds: z.number().positive().default(3600),
          give_up_after_hours: z.number().positive().default(14 * 24),
        })
        .default({ retry_every_seconds: 3600, give_up_after_hours: 14 * 24 }),
    })
    .superRefine((s, ctx) => {
      if ((s.cron === undefined) === (s.working_day === undefined)) ctx.addIssue({ code: 'custom', path: ['cron'], message: 'expected either cron or working_day (the Nth working day of the month), not both or neither', params: { code: 'SCHEDULE_RULE' } });
      if (s.working_day === undefined && (s.months !== undefined || s.at !== undefined)) ctx.addIssue({ code: 'custom', path: [s.months !== undefined ? 'months' : 'at'], message: 'goes with working_day only', params: { code: 'SCHEDULE_RULE', variant: 'working-day-only' } });
      if (s.working_day !== undefined && s.workday === 'next') ctx.addIssue({ code: 'custom', path: ['workday'], message: 'goes with cron only (a working_day fire is on a working day already)', params: { code: 'SCHEDULE_RULE', variant: 'cron-only' } });
    })
    .transform((s) => ({ ...s, rule: scheduleRule(s) })),
  source: z.discriminatedUnion(
    'type',
    [
      z.strictObject({
        type: z.literal('files'),
        /** A folder of CSV/XLSX files (each row names its period) or one file. */
        path: text,
        /** Worksheet to read in XLSX files; the first by default. */
        sheet: text.optional(),
        columns: columnMap,
        max_bytes: z.number().int().positive().optional(),
      }),
      z.strictObject({
        type: z.literal('http'),
        /** {report} and {period} are replaced, e.g. https://stats.example.org/figures?report={report}&period={period} */
        url: z
          .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
          // Never echo the URL here: it is what holds the secret.
          .refine((u) => urlCredentials(u) === undefined, {
            error: withCode('SOURCE_URL_CREDENTIALS', 'carries credentials (user:password@ or a token in the query); put the token in an environment variable and name it in source.token_env'),
          }),
        /** Name of the environment variable holding a bearer token; the token itself never goes in a file. */
        token_env: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'expected an environment variable name, e.g. JIBAO_SOURCE_TOKEN').optional(),
        /** Waiting for the answer's headers, per attempt. */
        timeout_ms: z.number().int().positive().default(10_000),
        /** Receiving the whole body once the headers are in, per attempt; a slower body is an outage. */
        body_timeout_ms: z.number().int().positive().default(30_000),
        /** The largest body accepted, counted as it streams in (not only from Content-Length). */
        max_bytes: z.number().int().positive().default(20 * 1024 * 1024),
        retries: z.number().int().min(0).max(10).default(3),
        columns: columnMap,
      }),
    ],
    { error: 'expected source.type: files or http' },
  ),
  /** A template name under the templates folder, e.g. briefing or county/briefing. */
  template: text.default('briefing'),
  /**
   * Paths (targets, source.path, template) must stay inside the jobs folder (templates: the
   * templates folder), also through `..` and symlinks, unless this says otherwise on purpose.
   */
  allow_outside_jobs_dir: z.boolean().default(false),
  briefing: z
    .strictObject({
      name: text.default('政府工作报告目标任务推进情况'),
      sent_to: text.optional(),
      copied_to: text.optional(),
      // 第N期: per-kind (Q3 第3期, 2023-06 第6期) or sequential over all of the year's briefings.
      issue_numbering: z.enum(['per-kind', 'sequential'], { error: 'expected issue_numbering: per-kind or sequential' }).default('per-kind'),
    })
    .default({ name: '政府工作报告目标任务推进情况', issue_numbering: 'per-kind' }),
  recipients: z.strictObject({
    to: z.array(email).min(1, 'expected at least one recipient'),
    cc: z.array(email).default([]),
    bcc: z.array(email).default([]),
  }),
  operators: z.array(email).default([]),
  /**
   * 审核、签发: every run is archived as a draft and mailed to the reviewers only; an approval
   * (jibao approve, the API) delivers exactly that PDF to the recipients. Absent: sent at once.
   */
  review: z
    .strictObject({
      required: z.boolean().default(true),
      reviewers: z.array(email).min(1, 'expected at least one reviewer'),
      /** A draft not approved (or rejected) within this many hours alerts the operators, once. */
      approve_within_hours: z.number().positive().optional(),
    })
    .optional(),
  mail: z.strictObject({
    from: email,
    /** Larger PDFs are sent as a download link when JIBAO_PUBLIC_URL is set (attached otherwise). */
    max_attachment_bytes: z.number().int().positive().default(10 * 1024 * 1024),
  }),
  archive: z
    .strictObject({
      /**
       * keep-all (default), or the newest N versions of each period (the newest is never removed);
       * with `lock_days`, on a bucket with Object Lock every object of a snapshot is stored
       * write-once for that many days (`lock_mode`: governance, the default, or compliance).
       */
      retention: z.union([z.literal('keep-all'), retentionSchema]).default('keep-all'),
    })
    .default({ retention: 'keep-all' }),
  /** Collecting the figures from the lead units (报送): when they are due and whom to remind. */
  collection: z
    .strictObject({
      /** The Nth working day of the month after the period (the 5th working day of October for Q3). */
      due: z.strictObject({ working_day: z.number().int().min(1).max(20) }),
      /** Local time (the schedule's time zone) on the due day from which reminders go out. */
      remind_at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day, e.g. "09:00"').default('09:00'),
      /** Contact addresses per lead unit (牵头单位), named as in the targets file. */
      units: z.record(text, z.array(email).min(1, 'expected at least one address')).default({}),
      /** The office that collects: gets the list of late units on the due day. */
      office: z.array(email).default([]),
    })
    .optional(),
});

/** The schedule's one definition (worker/domain/schedule.ts), from the validated block. */
function scheduleRule(s: { cron?: string | undefined; workday: 'any' | 'next'; working_day?: number | undefined; months?: number[] | undefined; at?: string | undefined }): ScheduleRule {
  if (s.working_day !== undefined) {
    const [h, m] = (s.at ?? '09:00').split(':').map(Number) as [number, number];
    return { kind: 'working-day', n: s.working_day, months: s.months ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], hour: h, minute: m };
  }
  // superRefine has refused a block with neither; the empty string never reaches here.
  const c = s.cron ?? '';
  return { kind: 'cron', cron: c, fields: cron.parse(c), workday: s.workday };
}

/** A job's schedule as the domain sees it. */
export const scheduleOf = (def: { schedule: { rule: ScheduleRule; timezone: string } }): Schedule => ({ rule: def.schedule.rule, timeZone: def.schedule.timezone });

export type JobDefinitionFile = z.output<typeof jobDefinitionSchema>;

/** A validated job definition with its paths resolved against its folder. */
export interface JobDefinition extends JobDefinitionFile {
  readonly dir: string;
  readonly file: string;
  readonly targetsFile: string;
}

export const JOB_FILE = 'job.yaml';

export async function loadJobDefinition(jobsDir: string, reportId: string): Promise<JobDefinition> {
  const dir = path.resolve(jobsDir, reportId);
  const file = path.join(dir, JOB_FILE);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(reportId)) {
    throw new InputError([{ severity: 'error', file: jobsDir, message: `"${reportId}" is not a report id; expected e.g. yuquan-2023`, code: 'REPORT_UNKNOWN', params: { variant: 'not-id', id: reportId } }]);
  }
  try {
    await stat(file);
  } catch {
    const known = await listReportIds(jobsDir);
    throw new InputError([
      { severity: 'error', file, message: `no such report "${reportId}"; known reports: ${known.join(', ') || '(none)'}`, code: 'REPORT_UNKNOWN', params: { id: reportId, known } },
    ]);
  }
  const def = await loadYamlFile(file, jobDefinitionSchema, 'job definition');
  if (def.id !== reportId) {
    throw new InputError([{ severity: 'error', file, column: 'id', message: `is "${def.id}" but the folder is "${reportId}"; they must match`, code: 'CONFIG_ID_MISMATCH', params: { value: def.id, expected: reportId, of: 'folder' } }]);
  }
  const targetsFile = path.resolve(dir, def.targets);
  // A files source is relative to the job's folder.
  const source = def.source.type === 'files' ? { ...def.source, path: path.resolve(dir, def.source.path) } : def.source;
  if (!def.allow_outside_jobs_dir) {
    const root = await realOrSelf(path.resolve(jobsDir));
    const outside: { field: string; shown: string }[] = [];
    if (!isInside(root, await resolveReal(targetsFile))) outside.push({ field: 'targets', shown: def.targets });
    if (source.type === 'files' && !isInside(root, await resolveReal(source.path))) outside.push({ field: 'source.path', shown: def.source.type === 'files' ? def.source.path : '' });
    // A template is a name under the templates folder: no absolute path, no `..`.
    if (path.isAbsolute(def.template) || def.template.split(/[\\/]/).includes('..')) outside.push({ field: 'template', shown: def.template });
    if (outside.length > 0) {
      throw new CodedInputError(
        'PATH_OUTSIDE_JOBS',
        outside.map((o) => ({
          file,
          column: o.field,
          message: `"${o.shown}" resolves outside the ${o.field === 'template' ? 'templates' : 'jobs'} folder (through ".." or a symbolic link); move it inside, or set allow_outside_jobs_dir: true in the job definition if that is intended`,
        })),
      );
    }
  }
  return { ...def, dir, file, targetsFile, source };
}

/** Whether `p` (already resolved) lies inside `root` or is `root`. */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!path.isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${path.sep}`));
}

const realOrSelf = (p: string) => realpath(p).catch(() => p);

/**
 * Where a path really leads, symlinks followed. A path that does not exist yet resolves through
 * its nearest existing ancestor, so a missing file under a symlinked folder is still caught.
 */
export async function resolveReal(p: string): Promise<string> {
  const abs = path.resolve(p);
  const tail: string[] = [];
  for (let dir = abs; ; dir = path.dirname(dir)) {
    const real = await realpath(dir).catch(() => undefined);
    if (real !== undefined) return path.join(real, ...tail.reverse());
    if (path.dirname(dir) === dir) return abs;
    tail.push(path.basename(dir));
  }
}

export async function listReportIds(jobsDir: string): Promise<string[]> {
  const entries = await readdir(jobsDir, { withFileTypes: true }).catch(() => []);
  const ids: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    if (await stat(path.join(jobsDir, e.name, JOB_FILE)).then(() => true, () => false)) ids.push(e.name);
  }
  return ids.sort();
}

/** Every job definition under jobs/, all validated up front: one bad file stops the start, named. */
export async function loadAllJobs(jobsDir: string): Promise<JobDefinition[]> {
  const ids = await listReportIds(jobsDir);
  const jobs: JobDefinition[] = [];
  const issues: InputIssue[] = [];
  for (const id of ids) {
    try {
      jobs.push(await loadJobDefinition(jobsDir, id));
    } catch (e) {
      if (e instanceof InputError) issues.push(...e.issues);
      else throw e;
    }
  }
  if (issues.length > 0) throw new InputError(issues);
  return jobs;
}
