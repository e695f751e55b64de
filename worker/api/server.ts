import Fastify, { type FastifyInstance } from 'fastify';
import { redactText } from '../redact.ts';
import { decorateContext } from './context.ts';
import { apiErrorBody, errorBody, errorStatus, HttpError } from './http-error.ts';
import { apiLimitsFromEnv, capConnections, DEFAULT_API_LIMITS, serverLimits, type ApiLimits } from './limits.ts';
import { registerOpenApi } from './openapi.ts';
import { registerRateLimit } from './rerun-limit.ts';
import { requestLogger } from './request-log.ts';
import { approvalsRoutes } from './routes/approvals.ts';
import { figuresRoutes } from './routes/figures.ts';
import { pageRoutes, staffPage } from './routes/page.ts';
import { reportsRoutes } from './routes/reports.ts';
import { returnsRoutes } from './routes/returns.ts';
import { runsRoutes } from './routes/runs.ts';
import { snapshotsRoutes } from './routes/snapshots.ts';
import { registerSecurityHeaders } from './security.ts';
import type { ApiDeps } from './types.ts';

export type { ApiDeps } from './types.ts';

/**
 * The HTTP API and the staff page, composed: the shared context (types.ts), the cross-cutting
 * plugins, then one plugin per resource. Every request validated; errors are JSON with a code
 * and a Chinese message, never a stack.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const limits: ApiLimits = { ...DEFAULT_API_LIMITS, ...apiLimitsFromEnv(), ...deps.limits };
  // Unknown fields are refused, not silently dropped: a typo in a request must not change its meaning.
  const app = Fastify({
    loggerInstance: requestLogger(deps.log),
    ...serverLimits(limits),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }) as unknown as FastifyInstance;

  decorateContext(app, deps, limits);
  capConnections(app, limits, deps.log);
  await registerSecurityHeaders(app, await staffPage());
  await registerRateLimit(app, deps.redis);
  await registerOpenApi(app);

  // The status comes from the error's classification (catalogue), so no route keeps its own table.
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = errorStatus(err);
    if (status >= 500) req.log.error({ err: redactText(err.message), url: redactText(req.url) }, 'api error');
    if (err instanceof HttpError) for (const [k, v] of Object.entries(err.headers)) void reply.header(k, v);
    void reply.code(status).send(apiErrorBody(err, status));
  });
  app.setNotFoundHandler((_req, reply) => void reply.code(404).send(errorBody('NOT_FOUND')));

  for (const routes of [pageRoutes, reportsRoutes, runsRoutes, snapshotsRoutes, returnsRoutes, figuresRoutes, approvalsRoutes]) await app.register(routes);
  return app;
}
