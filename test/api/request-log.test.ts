import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, TOKENS } from '../support/api.ts';

// The request log (Fastify's, through the process logger) names each request by method, URL and
// route, never by a secret: no Authorization header, no ?token= or access_token value, no cookie.

const SECRET_QUERY = 'query-secret-0123456789abcdef';
const SECRET_COOKIE = 'cookie-secret-0123456789abcdef';
const WRONG = 'wrong-token-0123456789abcdef';

describe('request log without tokens', () => {
  let stack: Awaited<ReturnType<typeof startApiStack>>;
  beforeAll(async () => {
    stack = await startApiStack({ worker: false });
  });
  afterAll(() => stack?.stop());

  it('logs each request and its answer, and no token in any line', async () => {
    const requests = [
      { url: '/api/reports', headers: { authorization: `Bearer ${TOKENS.viewer}` } },
      { url: `/api/reports?token=${SECRET_QUERY}`, headers: { authorization: `Bearer ${TOKENS.staff}` } },
      { url: `/api/runs/nope?access_token=${SECRET_QUERY}&x=1`, headers: { authorization: `Bearer ${TOKENS.admin}`, cookie: `jibao-token=${SECRET_COOKIE}` } },
      { url: '/api/reports', headers: { authorization: `Bearer ${WRONG}` } },
      { url: '/nowhere', headers: { authorization: `Bearer ${TOKENS.viewer}`, cookie: `session=${SECRET_COOKIE}` } },
    ];
    for (const r of requests) await stack.app.inject({ method: 'GET', ...r });
    const lines = stack.logs.filter((l) => l['req'] || l['res']);
    // One line as each request comes in, one as it is answered, each with the request id.
    expect(lines.filter((l) => l['msg'] === 'incoming request')).toHaveLength(requests.length);
    expect(lines.filter((l) => l['msg'] === 'request completed')).toHaveLength(requests.length);
    expect(lines.find((l) => l['msg'] === 'incoming request' && String((l['req'] as { url: string }).url).startsWith('/api/runs'))).toMatchObject({
      req: { method: 'GET', url: '/api/runs/nope?access_token=***&x=1', route: '/api/runs/:id' },
    });
    const all = JSON.stringify(stack.logs);
    for (const secret of [TOKENS.viewer, TOKENS.staff, TOKENS.admin, WRONG, SECRET_QUERY, SECRET_COOKIE]) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/authorization|cookie/i);
  });
});
