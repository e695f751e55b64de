import { InputError, type InputIssue } from './domain/issues.ts';

/**
 * Stable codes for refused inputs and requests: printed with the message (CLI, queue failure
 * reasons, alerts) and returned as `code` by the API, so scripts and tests never match sentences.
 */
export const ERROR_CODES = [
  'PERIOD_OUT_OF_YEAR',
  'SOURCE_URL_CREDENTIALS',
  'PATH_OUTSIDE_JOBS',
  'SOURCE_TOO_LARGE',
  'SOURCE_SLOW',
  'SOURCE_UNAVAILABLE',
  'NOTE_TOO_LONG',
  'TOKEN_EXPIRED',
  'LOGIN_THROTTLED',
  'SEND_ME_REFUSED',
  // The API's general answers, so that a client can branch on every error it gets.
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'TOO_MANY_CONNECTIONS',
  'INTERNAL',
  // Review (审核、签发), issue 12.
  'SNAPSHOT_SUPERSEDED',
  'SNAPSHOT_REJECTED',
  'SNAPSHOT_APPROVED',
  'SNAPSHOT_NOT_DRAFT',
  'REPORT_OUT_OF_SCOPE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** "… [CODE]": the code travels inside the message, so every path that prints a message carries it. */
export const withCode = (code: ErrorCode, message: string): string => `${message} [${code}]`;

/** Bad input with a stable code; still an InputError, so every entry point treats it as exit 1 / permanent. */
export class CodedInputError extends InputError {
  constructor(
    readonly code: ErrorCode,
    issues: readonly Omit<InputIssue, 'severity'>[],
  ) {
    super(issues.map((i) => ({ ...i, severity: 'error' as const, code })));
  }
}

/** The code of an error, if it carries one. */
export function errorCode(e: unknown): ErrorCode | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' && (ERROR_CODES as readonly string[]).includes(c) ? (c as ErrorCode) : undefined;
}
