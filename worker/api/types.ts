import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { preHandlerAsyncHookHandler } from 'fastify';
import type { SnapshotStore } from '../archive/index.ts';
import type { SnapshotRef } from '../archive/index.ts';
import type { JobDefinition } from '../config/job-definition.ts';
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { ApiRole, ApiToken } from './auth.ts';
import type { ApiLimits } from './limits.ts';

/** What the API is built from (cli/roles.ts and the tests hand it in). */
export interface ApiDeps {
  readonly settings: Settings;
  readonly briefings: Queue;
  readonly deliveries: Queue;
  readonly redis: Redis;
  readonly tokens: readonly ApiToken[];
  readonly log: Logger;
  /** Reruns a token may start per minute. */
  readonly rerunsPerMinute?: number;
  /** Domains `send: "me"` may reach with any token (default: JIBAO_SEND_ME_DOMAINS). */
  readonly sendMeDomains?: readonly string[];
  readonly limits?: Partial<ApiLimits>;
}

/**
 * What every route plugin finds on its Fastify instance (decorated once by server.ts, see
 * context.ts), so each rule is written once: the role check, the report and snapshot lookups.
 */
declare module 'fastify' {
  interface FastifyInstance {
    readonly settings: Settings;
    readonly briefings: Queue;
    readonly deliveries: Queue;
    readonly redis: Redis;
    readonly tokens: readonly ApiToken[];
    readonly archive: SnapshotStore;
    readonly sendMeDomains: readonly string[];
    readonly rerunsPerMinute: number;
    /** The role check (a preHandler): throttled failed logins, expiry, the token's reports, role. */
    need(role: ApiRole): preHandlerAsyncHookHandler;
    /** A report's job definition (not `report`: that is Fastify's REPORT method): 404 for an unknown one. */
    reportJob(id: string): Promise<JobDefinition>;
    /** A snapshot by its public id: 400 for a malformed id, 404 outside the archive or unknown. */
    snapshot(id: string): Promise<SnapshotRef>;
  }
  interface FastifyRequest {
    /** The token that passed `need`. */
    token?: ApiToken;
  }
}
