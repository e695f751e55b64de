import { InputError, type InputIssue } from './domain/issues.ts';
import { isMessageCode, type MessageCode } from './domain/messages.ts';

export * from './errors/index.ts';

/**
 * Stable codes for refused inputs and requests: printed with the message (CLI, queue failure
 * reasons, alerts) and returned as `code` by the API, so scripts and tests never match sentences.
 * Each has its Chinese and English text and its classification in the catalogue
 * (worker/domain/messages.ts, which also holds the figure-file codes); a test checks that every
 * code here is there, and docs/errors.md is generated from it.
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
  'INPUT_INVALID',
  'CONFIG_INVALID',
  'PERIOD_INVALID',
  'FIGURES_NOT_READY',
  'TEMPLATE_INVALID',
  'GLYPH_MISSING',
  'RENDER_TIMEOUT',
  'RENDER_MEMORY',
  'TOKEN_CONFIG_INVALID',
  'USAGE',
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

/**
 * Bad input with a stable code; still an InputError, so every entry point treats it as exit 1 / permanent.
 * Issues given `params` render in Chinese from the catalogue; without, the Chinese lead of the code
 * is followed by the English detail.
 */
export class CodedInputError extends InputError {
  constructor(code: ErrorCode | MessageCode, issues: readonly Omit<InputIssue, 'severity' | 'code'>[]) {
    super(issues.map((i) => ({ ...i, severity: 'error' as const, code })));
  }
}

/** The code of an error, if it carries one the catalogue or the list knows. */
export function errorCode(e: unknown): ErrorCode | MessageCode | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return isMessageCode(c) || (typeof c === 'string' && (ERROR_CODES as readonly string[]).includes(c)) ? (c as ErrorCode | MessageCode) : undefined;
}
