import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, TOKENS } from '../support/api.ts';

describe('GET /api/reports/:id/periods/:period/returns', () => {
  let stack: Awaited<ReturnType<typeof startApiStack>>;
  beforeAll(async () => {
    stack = await startApiStack({ worker: false });
  });
  afterAll(async () => stack?.stop());
  const get = (url: string, token?: string) => stack.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it("answers a viewer with each lead unit's state; the sample's own file is another source, not a unit's return", async () => {
    const r = await get('/api/reports/yuquan-2023/periods/2023Q3/returns', TOKENS.viewer);
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const body = r.json() as { report: string; period: string; due: string; units: { unit: string; state: string }[]; otherFiles: string[] };
    expect(body).toMatchObject({ report: 'yuquan-2023', period: '2023Q3', due: '2023-10-11' });
    expect(body.units).toHaveLength(15);
    expect(new Set(body.units.map((u) => u.state))).toEqual(new Set(['missing']));
    expect(body.otherFiles).toEqual([expect.stringContaining('2023Q3.csv')]);
  });

  it('refuses without a token, a bad period, a period of another year and an unknown report, each by its code', async () => {
    expect((await get('/api/reports/yuquan-2023/periods/2023Q3/returns')).json()).toMatchObject({ code: 'UNAUTHORIZED' });
    const bad = await get('/api/reports/yuquan-2023/periods/2023Q9/returns', TOKENS.viewer);
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'BAD_REQUEST']);
    const other = await get('/api/reports/yuquan-2023/periods/2024Q1/returns', TOKENS.viewer);
    expect([other.statusCode, other.json().code]).toEqual([400, 'PERIOD_OUT_OF_YEAR']);
    const none = await get('/api/reports/nosuch-2023/periods/2023Q3/returns', TOKENS.viewer);
    expect([none.statusCode, none.json().code]).toEqual([404, 'NOT_FOUND']);
  });
});
