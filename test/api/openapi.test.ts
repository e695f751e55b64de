import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, TOKENS } from '../support/api.ts';

type Stack = Awaited<ReturnType<typeof startApiStack>>;

/** Every method × path the server has registered (HEAD, added by Fastify for each GET, left out), from its route tree. */
function registeredRoutes(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)(?:[├└]── )?(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4 + (line.includes('── ') ? 1 : 0);
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('').replace(/\/\/+/g, '/');
    for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD')) out.push(`${method} ${path}`);
  }
  return out.sort();
}

describe('the OpenAPI document, generated from the route schemas', () => {
  let stack: Stack;
  let doc: Record<string, unknown> & { paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>> };
  beforeAll(async () => {
    stack = await startApiStack({ worker: false });
    const r = await stack.app.inject({ method: 'GET', url: '/api/openapi.json' }); // open: no token needed
    expect(r.statusCode).toBe(200);
    doc = r.json();
  });
  afterAll(() => stack?.stop());

  it('is a valid OpenAPI 3 document', async () => {
    expect(doc['openapi']).toMatch(/^3\./);
    // validate() dereferences in place: hand it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
    // The validator does refuse a broken document (so the pass above means something).
    const broken = structuredClone(doc);
    broken.paths['/api/reports']!['get']!.responses = { '200': { content: {} } };
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow();
  });

  it('lists every registered route, and no other', () => {
    const registered = registeredRoutes(stack.app.printRoutes({ commonPrefix: false }));
    expect(registered.length).toBeGreaterThanOrEqual(17);
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
      .sort();
    expect(documented).toEqual(registered);
  });

  it('marks every route behind a token, and documents its error answers as ErrorBody', () => {
    const open = ['/', '/healthz', '/api/openapi.json'];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (open.includes(path)) {
          expect(op.security, `${method} ${path}`).toBeUndefined();
          continue;
        }
        expect(op.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
        for (const status of ['401', '403']) expect(JSON.stringify(op.responses[status]), `${method} ${path} ${status}`).toContain('#/components/schemas/ErrorBody');
      }
    }
  });

  it('the answers match their documented shapes: a listed report keeps every field', async () => {
    const r = await stack.app.inject({ method: 'GET', url: '/api/reports', headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    const report = r.json().reports.find((x: { id: string }) => x.id === 'yuquan-2023');
    expect(Object.keys(report).sort()).toEqual(['id', 'latestSnapshot', 'nextRun', 'schedule', 'title', 'year']);
  });
});
