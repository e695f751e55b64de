import type { FastifyInstance } from 'fastify';
import { createSnapshotStore, parseSnapshotId, type SnapshotRef } from '../archive/index.ts';
import { loadJobDefinition } from '../config/job-definition.ts';
import { InputError } from '../domain/issues.ts';
import { createAccess } from './access.ts';
import { sendMeDomainsFromEnv } from './auth.ts';
import { HttpError } from './http-error.ts';
import type { ApiLimits } from './limits.ts';
import type { ApiDeps } from './types.ts';

/** Reruns a token may start per minute when the caller does not say. */
export const DEFAULT_RERUNS_PER_MINUTE = 10;

/**
 * Decorates the root instance with what the route plugins use (declared in types.ts), so that
 * each plugin reads `app.settings`, `app.need('staff')`, `app.snapshot(id)` rather than being
 * handed a bag of options.
 */
export function decorateContext(app: FastifyInstance, deps: ApiDeps, limits: ApiLimits): void {
  // The API's Redis also serves a store that needs a lock across hosts (the S3 store).
  const archive = createSnapshotStore(deps.settings, { redis: deps.redis });
  app.decorate('settings', deps.settings);
  app.decorate('briefings', deps.briefings);
  app.decorate('deliveries', deps.deliveries);
  app.decorate('redis', deps.redis);
  app.decorate('tokens', deps.tokens);
  app.decorate('archive', archive);
  app.decorate('sendMeDomains', deps.sendMeDomains ?? sendMeDomainsFromEnv());
  app.decorate('rerunsPerMinute', deps.rerunsPerMinute ?? DEFAULT_RERUNS_PER_MINUTE);
  app.decorate('need', createAccess({ tokens: deps.tokens, redis: deps.redis, briefings: deps.briefings, clock: deps.settings.clock, log: deps.log, failedLoginsPerMinute: limits.failedLoginsPerMinute }));

  app.decorate('reportJob', async (id: string) => {
    try {
      return await loadJobDefinition(deps.settings.jobsDir, id);
    } catch (e) {
      if (e instanceof InputError && e.issues.some((i) => i.message.startsWith('no such report'))) throw new HttpError(404, 'NOT_FOUND', { kind: 'report', id });
      throw e;
    }
  });

  // A snapshot id names one snapshot of the store (its parts are checked by the id's pattern) and nothing else.
  app.decorate('snapshot', async (id: string): Promise<SnapshotRef> => {
    const key = parseSnapshotId(id);
    if (!key) throw new HttpError(400, 'BAD_REQUEST', { snapshot: id });
    const snap = await archive.read(key.report, key.period, key.version).catch(() => undefined);
    if (!snap) throw new HttpError(404, 'NOT_FOUND', { kind: 'snapshot', id });
    return snap;
  });
}
