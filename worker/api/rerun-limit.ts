import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { HttpError } from './http-error.ts';

/**
 * @fastify/rate-limit on the API's Redis, so every API process shares the count; on no route
 * unless it asks (`config.rateLimit`). Over the limit: 429 with Retry-After and the catalogue's
 * RATE_LIMITED, answered by the server's error handler like every other error.
 */
export async function registerRateLimit(app: FastifyInstance, redis: Redis): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    redis,
    nameSpace: 'jibao:rate:',
    errorResponseBuilder: (_req, ctx) => new HttpError(ctx.statusCode, 'RATE_LIMITED', { max: ctx.max }),
  });
}

/**
 * The rerun limit: accepted reruns per token per minute. It runs as the route's last preHandler,
 * after the role check (which sets the token) and the request's own checks, so a refused request
 * does not count.
 */
export function rerunLimit(perMinute: number): RateLimitOptions {
  return {
    hook: 'preHandler',
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => `rerun:${req.token!.digest.toString('hex').slice(0, 16)}`,
  };
}
