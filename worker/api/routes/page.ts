import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_ROOT } from '../../config/settings.ts';
import { createMetrics } from '../metrics.ts';
import { AUTH_ERRORS, bearer, errors, fileAnswer } from '../schemas.ts';

let page: Promise<string> | undefined;
/**
 * The staff page, read once: served as is, and hashed for the Content-Security-Policy (security.ts).
 * Found from the package root, not from this module, which the CLI bundle moves to dist/bundle/.
 */
export const staffPage = (): Promise<string> => (page ??= readFile(path.join(PACKAGE_ROOT, 'worker', 'api', 'staff-page.html'), 'utf8'));

const health = { type: 'object', required: ['ok', 'redis'], properties: { ok: { type: 'boolean' }, redis: { type: 'string', enum: ['up', 'down'] } } } as const;

/** The staff page, the health check and the Prometheus metrics. */
export async function pageRoutes(app: FastifyInstance): Promise<void> {
  const html = await staffPage();
  const metrics = createMetrics(app.briefings, app.deliveries);

  app.get('/', { schema: { summary: 'The staff page (HTML)', response: { 200: fileAnswer('text/html', 'The staff page') } } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(html));

  app.get(
    '/healthz',
    {
      // Probed every few seconds: its requests are not worth a log line each.
      logLevel: 'warn',
      schema: {
        summary: 'Health: whether Redis answers',
        response: {
          200: health,
          503: health,
        },
      },
    },
    async (_req, reply) => {
      const redis = await app.redis.ping().then(() => 'up' as const, () => 'down' as const);
      return reply.code(redis === 'up' ? 200 : 503).send({ ok: redis === 'up', redis });
    },
  );

  app.get(
    '/metrics',
    { preHandler: app.need('viewer'), schema: { summary: 'Prometheus metrics: jobs by state, render durations', security: bearer, response: { 200: fileAnswer('text/plain', 'Prometheus text format'), ...errors(...AUTH_ERRORS) } } },
    async (_req, reply) => reply.type(metrics.contentType).send(await metrics.render()),
  );
}
