import { InputError, issueText } from '../domain/issues.ts';
import { classify, renderMessage, type MessageCode, type Params } from '../errors/index.ts';

/**
 * An answer other than success: its code and values render the Chinese message from the catalogue
 * (a code not in it yet gets the general message of its status until its entry is added).
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: MessageCode | (string & {}),
    readonly params: Params = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(renderMessage(code, params, 'en') ?? code);
  }
}

const CODE_BY_STATUS: Record<number, MessageCode> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 429: 'RATE_LIMITED' };

/** One problem of a refused input, as the API lists it: where, what kind, and what to do, in Chinese. */
export interface ErrorDetail {
  readonly file?: string;
  readonly row?: number;
  readonly column?: string;
  readonly code?: string;
  readonly message: string;
}

/** Every error the API answers: `{ code, message, details }`, the message in Chinese (staff read it). */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details: readonly ErrorDetail[];
}

export const errorBody = (code: string, params: Params = {}, status = 400): ErrorBody => ({
  code,
  message: renderMessage(code, params, 'zh') ?? renderMessage(CODE_BY_STATUS[status] ?? 'BAD_REQUEST', {}, 'zh')!,
  details: [],
});

/** The status of any error: an HttpError's own, a refused request's, else the catalogue's. */
export function errorStatus(err: Error & { statusCode?: number; validation?: unknown }): number {
  if (err instanceof HttpError) return err.statusCode;
  if (err.validation) return 400;
  return err.statusCode && err.statusCode < 500 ? err.statusCode : classify(err).status;
}

/** The body for any error: an input error lists every issue; an internal one says nothing of its cause. */
export function apiErrorBody(err: unknown, status: number): ErrorBody {
  if (status >= 500) return errorBody('INTERNAL');
  if (err instanceof HttpError) return errorBody(err.code, err.params, status);
  const c = classify(err);
  if (err instanceof InputError) {
    const details = err.issues.map((i) => ({
      ...(i.file ? { file: i.file } : {}),
      ...(i.row !== undefined ? { row: i.row } : {}),
      ...(i.column !== undefined ? { column: i.column } : {}),
      ...(i.code ? { code: i.code } : {}),
      message: issueText(i, 'zh'),
    }));
    const message = details.length === 1 ? details[0]!.message : `共发现 ${details.length} 个问题；请逐条改正后重新提交，未保存、未归档任何内容`;
    return { code: c.code, message, details };
  }
  const v = (err as { validation?: { instancePath?: string; params?: { missingProperty?: string; additionalProperty?: string } }[] }).validation;
  if (v) {
    const fields = v.map((x) => x.params?.missingProperty ?? x.params?.additionalProperty ?? x.instancePath?.replace(/^\//, '') ?? '').filter(Boolean);
    return { code: 'BAD_REQUEST', message: fields.length > 0 ? `请求格式有误：字段${fields.map((f) => `“${f}”`).join('、')}缺失、多余或不合要求` : '请求格式有误', details: [] };
  }
  // A code the catalogue lacks still travels; its message is the general one for the status.
  return errorBody(c.code !== 'INTERNAL' ? c.code : (CODE_BY_STATUS[status] ?? 'BAD_REQUEST'), c.params, status);
}
