import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../log.ts';
import { errorBody, HttpError } from './http-error.ts';

/** What one client may hold of the server: connections, time, bytes, failed logins. */
export interface ApiLimits {
  /** Open connections per client address; more are answered 429 and closed. */
  readonly connectionsPerIp: number;
  /** The whole request (headers and body) must arrive within this. */
  readonly requestTimeoutMs: number;
  /** The headers must arrive within this (slowloris). */
  readonly headersTimeoutMs: number;
  /** An idle socket is closed after this. */
  readonly connectionTimeoutMs: number;
  /** How often the server looks for requests over their time (Node checks on an interval). */
  readonly checkIntervalMs: number;
  readonly bodyBytes: number;
  /** Failed logins per client address within a minute before it gets 429. */
  readonly failedLoginsPerMinute: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = {
  connectionsPerIp: 32,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  connectionTimeoutMs: 60_000,
  checkIntervalMs: 1_000,
  bodyBytes: 64 * 1024,
  failedLoginsPerMinute: 10,
};

/** `JIBAO_API_MAX_CONNECTIONS_PER_IP` (e.g. when many staff share one NAT address). */
export function apiLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ApiLimits> {
  const n = Number(env['JIBAO_API_MAX_CONNECTIONS_PER_IP'] ?? '');
  return Number.isInteger(n) && n > 0 ? { connectionsPerIp: n } : {};
}

/** The server options that cut slow clients off: headers, whole request and idle sockets each have a time limit. */
export function serverLimits(limits: ApiLimits) {
  return {
    bodyLimit: limits.bodyBytes,
    connectionTimeout: limits.connectionTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: 5_000,
    http: { headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs), connectionsCheckingInterval: limits.checkIntervalMs },
  };
}

/**
 * A per-address cap on open connections: one client cannot hold the server's sockets. A socket
 * over the cap is answered 429 and closed at once; should a request on it still be parsed, the
 * onRequest hook refuses it before any handler runs.
 */
export function capConnections(app: FastifyInstance, limits: ApiLimits, log: Logger): void {
  const open = new Map<string, number>();
  const overCap = new WeakSet<object>();
  app.server.prependListener('connection', (socket: Socket) => {
    const ip = socket.remoteAddress ?? 'unknown';
    const n = (open.get(ip) ?? 0) + 1;
    if (n > limits.connectionsPerIp) {
      overCap.add(socket);
      const body = JSON.stringify(errorBody('TOO_MANY_CONNECTIONS'));
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () => socket.destroy());
      log.warn({ audit: 'connection-refused', ip, open: n - 1 }, 'too many connections from one address');
      return;
    }
    open.set(ip, n);
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left <= 0) open.delete(ip);
      else open.set(ip, left);
    });
  });
  app.addHook('onRequest', async (req) => {
    if (overCap.has(req.raw.socket)) throw new HttpError(429, 'TOO_MANY_CONNECTIONS', {}, { connection: 'close' });
  });
}
