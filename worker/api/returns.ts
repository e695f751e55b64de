import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobDefinition } from '../config/job-definition.ts';
import { loadTargets } from '../config/targets-file.ts';
import { isoDateInZone } from '../domain/format.ts';
import { parsePeriod, PeriodError } from '../domain/period.ts';
import type { Settings } from '../config/settings.ts';
import { checkPeriodInYear } from '../pipeline/request-checks.ts';
import { returnsStatus } from '../collection/index.ts';
import type { ApiRole } from './auth.ts';

export interface ReturnsRouteDeps {
  readonly settings: Settings;
  /** The server's role check (a preHandler). */
  readonly need: (role: ApiRole) => (req: FastifyRequest) => Promise<void>;
  /** The server's job lookup: 404 for an unknown report. */
  readonly report: (id: string) => Promise<JobDefinition>;
}

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
export function registerReturnsRoutes(app: FastifyInstance, deps: ReturnsRouteDeps): void {
  app.get<{ Params: { id: string; period: string } }>(
    '/api/reports/:id/periods/:period/returns',
    {
      preHandler: deps.need('viewer'),
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }, period: { type: 'string', maxLength: 20 } },
          required: ['id', 'period'],
        },
      },
    },
    async (req) => {
      const job = await deps.report(req.params.id);
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
      return returnsStatus(job, report, period, isoDateInZone(deps.settings.clock(), job.schedule.timezone));
    },
  );
}
