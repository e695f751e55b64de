import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseSnapshotId } from '../archive/snapshot-id.ts';
import type { Logger } from '../log.ts';
import { allows, authenticate, isExpired, mayAccessReport, type ApiRole, type ApiToken } from './auth.ts';
import { HttpError } from './http-error.ts';

export interface AccessDeps {
  readonly tokens: readonly ApiToken[];
  readonly redis: Redis;
  readonly briefings: Queue;
  readonly clock: () => Date;
  readonly log: Logger;
  readonly failedLoginsPerMinute: number;
}

/**
 * The role check every protected route runs as its preHandler. Failed logins (a token presented
 * but unknown or expired) are counted per client address in Redis, shared by every API process;
 * past the limit the address gets 429 until its minute is over, whatever it presents. Each failure
 * is logged with the address, never the token. A token limited to some reports (`reports=`) gets
 * 403 REPORT_OUT_OF_SCOPE on any route about another report, before its role is looked at.
 */
export function createAccess(deps: AccessDeps): (role: ApiRole) => preHandlerAsyncHookHandler {
  const failKey = (ip: string) => `jibao:login-fail:${ip}`;
  const throttled = async (ip: string): Promise<number | undefined> => {
    const n = Number(await deps.redis.get(failKey(ip))) || 0;
    if (n < deps.failedLoginsPerMinute) return undefined;
    const ttl = await deps.redis.ttl(failKey(ip));
    return ttl > 0 ? ttl : 60;
  };
  const loginFailed = async (req: FastifyRequest, reason: 'unknown-token' | 'expired', tokenName?: string) => {
    const n = await deps.redis.incr(failKey(req.ip));
    if (n === 1) await deps.redis.expire(failKey(req.ip), 60);
    deps.log.warn({ audit: 'login-failed', ip: req.ip, reason, failures: n, ...(tokenName ? { tokenName } : {}), url: req.url.split('?')[0] }, 'failed login');
  };

  /** The report a request is about, if its route is report-scoped. */
  const reportOf = async (req: FastifyRequest): Promise<string | undefined> => {
    const url = req.routeOptions.url ?? '';
    const id = (req.params as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') return undefined;
    if (url.startsWith('/api/reports/:id')) return id;
    if (url.startsWith('/api/snapshots/:id')) return parseSnapshotId(id)?.report;
    if (url.startsWith('/api/runs/:id')) {
      const job = /^[A-Za-z0-9_-]{1,200}$/.test(id) ? await deps.briefings.getJob(id) : undefined;
      return typeof job?.data?.report === 'string' ? job.data.report : undefined;
    }
    return undefined;
  };

  return (role) => async (req) => {
    const presented = req.headers.authorization !== undefined;
    if (presented) {
      const wait = await throttled(req.ip);
      if (wait !== undefined) throw new HttpError(429, 'LOGIN_THROTTLED', { wait }, { 'retry-after': String(wait) });
    }
    const token = authenticate(deps.tokens, req.headers.authorization);
    if (!token) {
      if (presented) await loginFailed(req, 'unknown-token');
      throw new HttpError(401, 'UNAUTHORIZED');
    }
    if (isExpired(token, deps.clock())) {
      await loginFailed(req, 'expired', token.name);
      throw new HttpError(401, 'TOKEN_EXPIRED', { expires: token.expires });
    }
    if (token.reports) {
      const report = await reportOf(req);
      if (report !== undefined && !mayAccessReport(token, report)) {
        deps.log.warn({ audit: 'report-out-of-scope', tokenName: token.name, report, url: req.url.split('?')[0] }, 'token used outside its reports');
        throw new HttpError(403, 'REPORT_OUT_OF_SCOPE', { reports: token.reports.join('、') });
      }
    }
    if (!allows(token, role)) throw new HttpError(403, 'FORBIDDEN', { role, has: token.role });
    req.token = token;
  };
}
