import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_VERSION } from '../config/settings.ts';
import { errorBodySchema } from './schemas.ts';

/** Where the OpenAPI document is served: openly, like the page (it says what the API accepts, no data). */
export const OPENAPI_PATH = '/api/openapi.json';

/**
 * The OpenAPI 3 document, generated from the route schemas by @fastify/swagger: registered before
 * any route so every route is in it.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.addSchema(errorBodySchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'jibao API',
        version: PACKAGE_VERSION,
        description: 'Quarterly briefings: reports, reruns, snapshots, figure uploads, review. Errors are `ErrorBody`, the message in Chinese; codes are listed in docs/errors.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from JIBAO_API_TOKENS (role viewer, staff, approver or admin)' } } },
    },
    // Shared schemas keep their $id as their name under components.schemas.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json['$id'] ?? `def-${i}`) },
  });
  app.get(OPENAPI_PATH, { schema: { summary: 'This OpenAPI document', response: { 200: { type: 'object', additionalProperties: true } } } }, async () => app.swagger());
}
