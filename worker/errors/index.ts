/**
 * Errors classified once: every error jibao raises carries a stable `code` (and may carry
 * `retryable` and `params`); the catalogue (domain/messages.ts) gives each code its texts, its
 * fault and its HTTP status. The CLI, the API and the queue all read the classification here
 * instead of keeping their own lists of error classes.
 */
import { formatIssue, InputError } from '../domain/issues.ts';
import { isMessageCode, isRetryableCode, messageEntry, renderMessage, type Fault, type Lang, type MessageCode, type Params } from '../domain/messages.ts';
import { redactText } from '../redact.ts';

export { MESSAGES, renderMessage, isMessageCode, type Lang, type MessageCode, type Params, type Fault } from '../domain/messages.ts';

export interface Classified {
  /** A catalogue code; or a code an error carries that the catalogue does not have yet, kept as it is. */
  readonly code: MessageCode | (string & {});
  readonly retryable: boolean;
  readonly fault: Fault;
  /** The HTTP status the error answers with when it reaches the API. */
  readonly status: number;
  readonly params: Params;
}

/** The code, fault, retryability and status of any thrown value. Unknown errors are INTERNAL and retried. */
export function classify(e: unknown): Classified {
  const err = (e ?? {}) as { code?: unknown; retryable?: unknown; params?: unknown; statusCode?: unknown; name?: unknown; limit?: unknown };
  let code: string = 'INTERNAL';
  if (e instanceof InputError) code = isMessageCode(e.code) ? e.code : 'INPUT_INVALID';
  else if (isMessageCode(err.code)) code = err.code;
  // commander's own errors carry codes such as commander.unknownOption.
  else if (err.name === 'CommanderError' || (typeof err.code === 'string' && err.code.startsWith('commander.'))) code = 'USAGE';
  // A code not in the catalogue (yet): carried through as it is, classified as the system's.
  else if (typeof err.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(err.code)) code = err.code;
  const entry = messageEntry(code);
  const params: Params =
    typeof err.params === 'object' && err.params !== null ? (err.params as Params) : typeof err.limit === 'number' ? { limit: err.limit } : {};
  const statusCode = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : undefined;
  return {
    code,
    // An input error's issues may carry a code of a retryable kind; the error as a whole is input.
    retryable: typeof err.retryable === 'boolean' ? err.retryable : isRetryableCode(code),
    fault: e instanceof InputError ? 'input' : (entry?.fault ?? 'system'),
    status: statusCode ?? entry?.status ?? 500,
    params,
  };
}

export const isRetryable = (e: unknown): boolean => classify(e).retryable;

/**
 * The language of the CLI's messages: JIBAO_LANG (zh or en) wins, then the POSIX locale
 * (LC_ALL, LC_MESSAGES, LANG: zh_CN.UTF-8 → zh); English otherwise.
 */
export function cliLang(env: NodeJS.ProcessEnv = process.env): Lang {
  const forced = (env['JIBAO_LANG'] ?? '').trim().toLowerCase();
  if (forced.startsWith('zh')) return 'zh';
  if (forced.startsWith('en')) return 'en';
  const locale = [env['LC_ALL'], env['LC_MESSAGES'], env['LANG']].find((v) => v !== undefined && v !== '') ?? '';
  return locale.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/**
 * The error's lines in `lang`: each issue of an input error, else the catalogue's text for its code.
 * Where Chinese has no rendering of an English detail (a template's parse error, a source's HTTP
 * status), the detail follows the Chinese text in brackets; never a secret (redacted).
 */
export function errorLines(e: unknown, lang: Lang): string[] {
  if (e instanceof InputError) return e.issues.map((i) => formatIssue(i, lang));
  const c = classify(e);
  const raw = e instanceof Error ? redactText(e.message) : redactText(String(e));
  if (lang === 'en') return [raw];
  const text = renderMessage(c.code, c.params, 'zh');
  // With its values the Chinese text is complete; without, the English detail follows it.
  const detail = raw.replace(/ \[[A-Z][A-Z0-9_]+\]$/, '');
  if (text === undefined) return [`${detail} [${c.code}]`];
  return [Object.keys(c.params).length > 0 || c.code === 'INTERNAL' ? `${text} [${c.code}]` : `${text}（${detail}） [${c.code}]`];
}

/**
 * The job's failure record: "CODE: text", the text in Chinese (operators' alerts and the staff
 * page show it as is). The code leads so that anything reading the record can branch on it.
 */
export function failureRecord(e: unknown): string {
  const c = classify(e);
  const text = e instanceof InputError ? e.issues.map((i) => formatIssue(i, 'zh')).join('\n') : errorLines(e, 'zh')[0]!.replace(/ \[[A-Z_]+\]$/, '');
  return `${c.code}: ${text}`;
}

/**
 * A job's failure reason read back for staff and operators: its code, and its text in Chinese.
 * A failure record ("CODE: 中文说明") as it is; a message ending in [CODE] (a source outage that
 * used up its retries) gets the code's Chinese text with the English detail after it; the queue's
 * "figures not ready: …" its code; anything else (a mail server's answer) the original text.
 * Never a secret.
 */
export function readFailure(reason: string): { code: string | undefined; text: string } {
  const text = redactText(reason);
  const code = recordCode(text);
  if (code) return { code, text: text.slice(code.length + 2) };
  const tail = / \[([A-Z][A-Z0-9_]+)\]$/.exec(text);
  if (tail && isMessageCode(tail[1])) return { code: tail[1], text: `${renderMessage(tail[1], {}, 'zh')}（${text.slice(0, tail.index)}）` };
  const notReady = /^figures not ready: (.*)$/s.exec(text);
  if (notReady) return { code: 'FIGURES_NOT_READY', text: `${renderMessage('FIGURES_NOT_READY', {}, 'zh')}（${notReady[1]}）` };
  return { code: undefined, text: `详情（原文）：${text}` };
}

/** The code leading a failure record, if any. */
export function recordCode(record: string): string | undefined {
  return /^([A-Z][A-Z0-9_]+): /.exec(record)?.[1];
}

/** An error with a code from the catalogue and its values; the message is the English text. */
export class CodedError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly code: MessageCode,
    readonly params: Params = {},
    detail?: string,
  ) {
    super(detail ?? renderMessage(code, params, 'en')!);
    this.name = 'CodedError';
    this.retryable = isRetryableCode(code);
  }
}
