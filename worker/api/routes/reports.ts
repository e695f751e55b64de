import type { FastifyInstance } from 'fastify';
import { listReportIds, scheduleOf, type JobDefinition } from '../../config/job-definition.ts';
import { loadTargets } from '../../config/targets-file.ts';
import { loadWorkCalendar } from '../../config/work-calendar.ts';
import { InputError } from '../../domain/issues.ts';
import { periodId } from '../../domain/period.ts';
import { firesAfter, periodForFire, usesCalendar } from '../../domain/schedule.ts';
import { snapshotId } from '../../archive/snapshot-id.ts';
import { mayAccessReport } from '../auth.ts';
import { AUTH_ERRORS, bearer, errors } from '../schemas.ts';

const reportSummary = {
  type: 'object',
  required: ['id', 'title', 'year', 'schedule', 'nextRun', 'latestSnapshot'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    year: { type: 'integer' },
    schedule: { type: 'object', required: ['cron', 'timezone'], properties: { cron: { type: 'string' }, timezone: { type: 'string' } } },
    nextRun: {
      type: ['object', 'null'],
      description: "The next scheduled run for a period of the targets' year; null when none is left",
      properties: { at: { type: 'string', format: 'date-time' }, period: { type: 'string' }, movedFrom: { type: 'object', required: ['date', 'reason'], properties: { date: { type: 'string' }, reason: { type: 'string' } } } },
    },
    latestSnapshot: { type: ['string', 'null'] },
  },
} as const;

/** The next fire that reports on a period of the targets' year, if any is left (a calendar year missing shows as none: start refuses it). */
async function nextRun(def: JobDefinition, jobsDir: string, year: number, now: Date) {
  const cal = usesCalendar(def.schedule.rule) ? await loadWorkCalendar(jobsDir) : undefined;
  try {
    // Lazily, stopping at the first fire for the targets' year: later years need not be in the calendar.
    for (const f of firesAfter(scheduleOf(def), cal, now, new Date(Date.UTC(year + 2, 0, 1)))) {
      const period = periodForFire(f.at, def.schedule.timezone, def.schedule.period, f.movedFrom);
      if (period.year === year) return { at: f.at.toISOString(), period: periodId(period), ...(f.movedFrom ? { movedFrom: f.movedFrom } : {}) };
    }
    return null;
  } catch (e) {
    if (e instanceof InputError) return null;
    throw e;
  }
}

/** GET /api/reports: each report the token may reach, with its schedule, next run and latest snapshot. */
export async function reportsRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/reports',
    {
      preHandler: app.need('viewer'),
      schema: {
        summary: 'The reports, with schedule, next run and latest snapshot',
        security: bearer,
        response: { 200: { type: 'object', required: ['reports'], properties: { reports: { type: 'array', items: reportSummary } } }, ...errors(...AUTH_ERRORS) },
      },
    },
    async (req) => {
      const now = app.settings.clock();
      const out = [];
      for (const id of await listReportIds(app.settings.jobsDir)) {
        if (!mayAccessReport(req.token!, id)) continue; // a token limited to some reports sees only those
        const def = await app.reportJob(id);
        const year = (await loadTargets(def.targetsFile, def.id)).year;
        const latest = (await app.archive.list(id)).at(-1);
        out.push({
          id,
          title: def.title,
          year,
          schedule: { cron: def.schedule.cron, timezone: def.schedule.timezone },
          nextRun: await nextRun(def, app.settings.jobsDir, year, now),
          latestSnapshot: latest ? snapshotId(latest) : null,
        });
      }
      return { reports: out };
    },
  );
}
