/**
 * The JSON schemas routes share: they validate requests, shape answers, and are what the OpenAPI
 * document (openapi.ts) is generated from, so the document cannot drift from the routes.
 */

export const REPORT_ID = '^[a-z0-9][a-z0-9-]{0,63}$';
export const RUN_ID = '^[A-Za-z0-9_-]{1,200}$';

/** The body of every error answer (http-error.ts): registered once, referenced as `ErrorBody#`. */
export const errorBodySchema = {
  $id: 'ErrorBody',
  type: 'object',
  description: 'Every error: a code from the catalogue (docs/errors.md) and its message in Chinese; an input error lists each issue.',
  required: ['code', 'message', 'details'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    details: {
      type: 'array',
      items: {
        type: 'object',
        required: ['message'],
        properties: { file: { type: 'string' }, row: { type: 'integer' }, column: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

/** The error answers a route may give, each `ErrorBody`. */
export function errors(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((s) => [s, { $ref: 'ErrorBody#' }]));
}

/** The answers of a route behind `need(role)`: 401 (no or bad token), 403 (role or reports), 429 (failed logins). */
export const AUTH_ERRORS = [401, 403, 429] as const;

/** Marks a route as needing a bearer token in the OpenAPI document. */
export const bearer = [{ bearer: [] }];

/** An object whose properties are listed only in part: the others are passed through as they are. */
export const open = (properties: Record<string, unknown> = {}, description?: string) => ({
  type: 'object',
  additionalProperties: true,
  properties,
  ...(description ? { description } : {}),
});

export const reportParams = { type: 'object', properties: { id: { type: 'string', pattern: REPORT_ID } }, required: ['id'] } as const;
export const snapshotParams = { type: 'object', properties: { id: { type: 'string', maxLength: 120, description: 'report_period_vN' } }, required: ['id'] } as const;
export const runParams = { type: 'object', properties: { id: { type: 'string', pattern: RUN_ID } }, required: ['id'] } as const;

/** A file answer (PDF, page, metrics) in the OpenAPI document. */
export const fileAnswer = (mediaType: string, description: string) => ({
  description,
  content: { [mediaType]: { schema: { type: 'string', ...(mediaType === 'application/pdf' ? { format: 'binary' } : {}) } } },
});

/** A snapshot's review state, as lists and the review route show it. */
export const reviewView = {
  type: 'object',
  required: ['state'],
  properties: { state: { type: 'string', enum: ['not-reviewed', 'draft', 'approved', 'rejected', 'superseded'] }, supersededBy: { type: 'integer' } },
} as const;
