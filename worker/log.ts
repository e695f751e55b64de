import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs for the long-running roles (worker, scheduler, API). Never log secrets. */
export function createLogger(bindings: Record<string, unknown> = {}, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: process.env['JIBAO_LOG_LEVEL'] ?? 'info',
      base: { app: 'jibao', pid: process.pid, ...bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['smtpUrl', 'token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    destination,
  );
}
