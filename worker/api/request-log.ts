import type { FastifyRequest } from 'fastify';
import type { Logger } from '../log.ts';

/** Query parameters that may carry a secret: never written to a log. */
const SECRET_PARAMS = /^(token|access_token|api_key|apikey|key|secret|password)$/i;

/** A URL as logged: its path, and its query with any secret's value replaced. */
export function urlForLog(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const k of [...params.keys()]) if (SECRET_PARAMS.test(k)) params.set(k, '***');
  return `${url.slice(0, q)}?${params.toString()}`;
}

/**
 * The API's request log: Fastify's own (one line per request and its answer), through the
 * process's logger. A request is logged by method, URL (secrets removed), route and address,
 * never by its headers: the Authorization header and cookies do not reach a log line.
 */
export function requestLogger(log: Logger): Logger {
  return log.child(
    {},
    {
      serializers: {
        req: (req: FastifyRequest) => ({ method: req.method, url: urlForLog(req.url), route: req.routeOptions?.url, ip: req.ip }),
        res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
      },
    },
  );
}
