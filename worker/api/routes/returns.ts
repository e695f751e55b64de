import type { FastifyInstance } from 'fastify';
import { loadTargets } from '../../config/targets-file.ts';
import { isoDateInZone } from '../../domain/format.ts';
import { parsePeriod, PeriodError } from '../../domain/period.ts';
import { checkPeriodInYear } from '../../pipeline/request-checks.ts';
import { returnsStatus } from '../../collection/index.ts';
import { AUTH_ERRORS, bearer, errors, open, REPORT_ID } from '../schemas.ts';

/** A 400 the server's error handler answers with this code. */
class BadRequest extends Error {
  readonly statusCode = 400;
  constructor(
    message: string,
    readonly code: 'BAD_REQUEST' | 'PERIOD_OUT_OF_YEAR' = 'BAD_REQUEST',
  ) {
    super(message);
  }
}

/** GET /api/reports/:id/periods/:period/returns: which lead units have returned, which not, which with errors. */
export async function returnsRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string; period: string } }>(
    '/api/reports/:id/periods/:period/returns',
    {
      preHandler: app.need('viewer'),
      schema: {
        summary: "Which lead units have returned a period's figures, which not, which with errors",
        security: bearer,
        params: {
          type: 'object',
          properties: { id: { type: 'string', pattern: REPORT_ID }, period: { type: 'string', maxLength: 20 } },
          required: ['id', 'period'],
        },
        response: {
          200: open({
            report: { type: 'string' },
            period: { type: 'string' },
            due: { type: 'string' },
            units: { type: 'array', items: open({ unit: { type: 'string' }, state: { type: 'string', enum: ['returned', 'incomplete', 'errors', 'missing'] } }) },
            otherFiles: { type: 'array', items: { type: 'string' } },
            otherIssues: { type: 'array', items: open() },
          }),
          ...errors(400, ...AUTH_ERRORS, 404),
        },
      },
    },
    async (req) => {
      const job = await app.reportJob(req.params.id);
      let period;
      try {
        period = parsePeriod(req.params.period);
      } catch (e) {
        throw new BadRequest(e instanceof PeriodError ? e.message : 'bad period');
      }
      const report = await loadTargets(job.targetsFile, job.id);
      try {
        checkPeriodInYear(period, report, job.targetsFile);
      } catch (e) {
        throw new BadRequest((e as Error).message, 'PERIOD_OUT_OF_YEAR');
      }
      if (job.source.type !== 'files') throw new BadRequest(`${job.id} reads its figures over HTTP: it has no folder for the units' returns`);
      return returnsStatus(job, report, period, isoDateInZone(app.settings.clock(), job.schedule.timezone));
    },
  );
}
