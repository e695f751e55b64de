import { InputError, type InputIssue } from './domain/issues.ts';
import { isMessageCode, MESSAGES, type MessageCode } from './domain/messages.ts';

export * from './errors/index.ts';

/**
 * Stable codes for refused inputs and requests: printed with the message (CLI, queue failure
 * reasons, alerts) and returned as `code` by the API, so scripts and tests never match sentences.
 * They are the catalogue's (worker/domain/messages.ts): one list, each code with its Chinese and
 * English text and its classification; docs/errors.md is generated from it.
 */
export type ErrorCode = MessageCode;
export const ERROR_CODES = Object.keys(MESSAGES) as readonly ErrorCode[];

/** "… [CODE]": the code travels inside the message, so every path that prints a message carries it. */
export const withCode = (code: ErrorCode, message: string): string => `${message} [${code}]`;

/**
 * Bad input with a stable code; still an InputError, so every entry point treats it as exit 1 / permanent.
 * Issues given `params` render in Chinese from the catalogue; without, the Chinese lead of the code
 * is followed by the English detail.
 */
export class CodedInputError extends InputError {
  constructor(code: ErrorCode, issues: readonly Omit<InputIssue, 'severity' | 'code'>[]) {
    super(issues.map((i) => ({ ...i, severity: 'error' as const, code })));
  }
}

/** The code of an error, if it carries one the catalogue knows. */
export function errorCode(e: unknown): ErrorCode | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return isMessageCode(c) ? c : undefined;
}
