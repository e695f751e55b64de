import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, TOKENS } from '../support/api.ts';
import { englishSentence } from '../support/english.ts';
import { JOB_NAME, JOB_OPTIONS } from '../../worker/queue/briefing-job.ts';

const auth = (t: string) => ({ authorization: `Bearer ${t}` });

describe('HTTP API: roles, validation, runs, snapshots, metrics', () => {
  let stack: Awaited<ReturnType<typeof startApiStack>>;
  beforeAll(async () => {
    stack = await startApiStack({ rerunsPerMinute: 3 });
  });
  afterAll(() => stack?.stop());

  const inject = (method: 'GET' | 'POST', url: string, token?: string, payload?: unknown) =>
    stack.app.inject({ method, url, headers: token ? auth(token) : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('refuses requests without a token (401) and with a weaker role (403), and serves health and the page openly', async () => {
    expect((await inject('GET', '/healthz')).json()).toEqual({ ok: true, redis: 'up' });
    expect((await inject('GET', '/')).headers['content-type']).toContain('text/html');
    expect((await inject('GET', '/api/reports')).statusCode).toBe(401);
    expect((await inject('GET', '/api/reports', 'not-a-token-at-all-xxxxxx')).statusCode).toBe(401);
    const weak = await inject('POST', '/api/reports/yuquan-2023/runs', TOKENS.viewer, { period: '2023Q3' });
    expect(weak.statusCode).toBe(403);
    expect(weak.json()).toEqual({ code: 'FORBIDDEN', message: expect.stringContaining('工作人员'), details: [] });
    expect(englishSentence(weak.json().message)).toBeUndefined();
  });

  it('lists reports with schedule, next run and latest snapshot', async () => {
    const r = await inject('GET', '/api/reports', TOKENS.viewer);
    expect(r.statusCode).toBe(200);
    // The sample's year is over: no scheduled run is left for it.
    expect(r.json().reports.find((x: { id: string }) => x.id === 'yuquan-2023')).toMatchObject({ id: 'yuquan-2023', year: 2023, schedule: { timezone: 'Asia/Shanghai' }, nextRun: null });
  });

  // Every error body is { code, message, details }, the message in Chinese (staff read it on the page).
  it.each([
    [{ period: '2023Q9' }, 400, 'PERIOD_INVALID', /2023Q9/],
    [{}, 400, 'BAD_REQUEST', /period/],
    [{ period: '2023Q3', send: 'everyone' }, 400, 'BAD_REQUEST', /send/],
    [{ period: '2023Q3', send: 'me' }, 400, 'BAD_REQUEST', /邮箱/],
    [{ period: '2023Q3', colour: 'red' }, 400, 'BAD_REQUEST', /colour/],
    [{ period: '2023Q3', note: 'x'.repeat(501) }, 400, 'NOTE_TOO_LONG', /501/],
  ])('rejects a bad run request %j with %i %s', async (body, status, code, names) => {
    const r = await inject('POST', '/api/reports/yuquan-2023/runs', TOKENS.staff, body);
    expect(r.statusCode).toBe(status);
    const answer = r.json();
    expect(Object.keys(answer).sort()).toEqual(['code', 'details', 'message']);
    expect(answer.code).toBe(code);
    expect(answer.message).toMatch(/[\u4e00-\u9fff]/);
    expect(answer.message).toMatch(names);
    expect(englishSentence(answer.message)).toBeUndefined();
    expect(r.body).not.toMatch(/\n\s+at /);
  });

  it('rejects unknown reports and ids that could reach outside the archive', async () => {
    expect((await inject('POST', '/api/reports/nowhere-2023/runs', TOKENS.staff, { period: '2023Q3' })).statusCode).toBe(404);
    expect((await inject('POST', '/api/reports/..%2Fetc/runs', TOKENS.staff, { period: '2023Q3' })).statusCode).toBe(400);
    for (const id of ['..%2F..%2Fetc%2Fpasswd', 'yuquan-2023_2023Q3_v1%2F..%2F..', 'yuquan-2023_2023Q3_v99']) {
      const r = await inject('GET', `/api/snapshots/${id}/pdf`, TOKENS.viewer);
      expect([400, 404]).toContain(r.statusCode);
    }
    expect((await inject('GET', '/api/runs/nope', TOKENS.viewer)).statusCode).toBe(404);
  });

  it('a run that failed for good shows its code and a Chinese reason (the failure record)', async () => {
    // A period no parser accepts, queued as a stale client might: refused by the worker, not retried.
    await stack.briefings.add(JOB_NAME, { report: 'yuquan-2023', period: '2023Q9', trigger: { kind: 'api', by: 'test' }, send: false }, { ...JOB_OPTIONS, jobId: 'bad-period-run' });
    let run: Record<string, unknown> = {};
    for (let i = 0; i < 150 && run['state'] !== 'failed'; i++) {
      run = (await inject('GET', '/api/runs/bad-period-run', TOKENS.viewer)).json();
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(run).toMatchObject({ state: 'failed', errorCode: 'PERIOD_INVALID', error: expect.stringContaining('“2023Q9”不是有效的期间') });
    expect(englishSentence(String(run['error']))).toBeUndefined();
    expect((await stack.briefings.getJob('bad-period-run'))!.attemptsMade).toBe(1);
  });

  it('runs a rerun to completion (202, then state and snapshot), audit-logged with the token name; serves the PDF and manifest', async () => {
    const r = await inject('POST', '/api/reports/yuquan-2023/runs', TOKENS.staff, { period: '2023年1-9月', note: '更正一般公共预算收入', send: 'none' });
    expect(r.statusCode).toBe(202);
    const { runId } = r.json();
    let run: Record<string, unknown> = {};
    for (let i = 0; i < 150 && run['state'] !== 'completed' && run['state'] !== 'failed'; i++) {
      run = (await inject('GET', `/api/runs/${runId}`, TOKENS.viewer)).json();
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(run).toMatchObject({ state: 'completed', stage: 'done', progress: 100, snapshot: 'yuquan-2023_2023Q3_v1', error: null });
    expect(stack.logs.find((l) => l['audit'] === 'rerun')).toMatchObject({ tokenName: '王芳', role: 'staff', report: 'yuquan-2023', period: '2023Q3', note: '更正一般公共预算收入' });
    const snaps = (await inject('GET', '/api/reports/yuquan-2023/snapshots', TOKENS.viewer)).json().snapshots;
    expect(snaps[0]).toMatchObject({ id: 'yuquan-2023_2023Q3_v1', correction: '更正一般公共预算收入', trigger: { kind: 'api', by: '王芳' } });
    const pdf = await inject('GET', '/api/snapshots/yuquan-2023_2023Q3_v1/pdf', TOKENS.viewer);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['cache-control']).toBe('no-store'); // an authenticated download stays out of shared caches
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(String(pdf.headers['content-disposition'])).toContain(`filename*=UTF-8''${encodeURIComponent('玉泉区2023年前三季度政府工作报告目标任务推进情况.pdf')}`);
    expect((await inject('GET', '/api/snapshots/yuquan-2023_2023Q3_v1/manifest', TOKENS.viewer)).json()).toMatchObject({ version: 1, trigger: { note: '更正一般公共预算收入' } });
    const metrics = await inject('GET', '/metrics', TOKENS.viewer);
    expect(metrics.body).toMatch(/^jibao_jobs\{queue="briefings",state="completed"\} 1$/m);
    expect(metrics.body).toMatch(/^jibao_render_duration_seconds_count 1$/m);
  });

  it('rate-limits accepted reruns per token: 429 RATE_LIMITED with Retry-After; refused requests and other tokens do not count', async () => {
    // Refused before anything is queued: these do not use up the token's reruns.
    for (let i = 0; i < 4; i++) expect((await inject('POST', '/api/reports/yuquan-2023/runs', TOKENS.admin, { period: '2024Q1', send: 'none' })).statusCode).toBe(400);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await inject('POST', '/api/reports/yuquan-2023/runs', TOKENS.admin, { period: '2023Q1', send: 'none' }));
    expect(answers.map((r) => r.statusCode)).toEqual([202, 202, 202, 429]);
    const limited = answers[3]!;
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', details: [] });
    expect(limited.json().message).toContain('3');
    expect(englishSentence(limited.json().message)).toBeUndefined();
    const retry = Number(limited.headers['retry-after']);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    expect((await inject('POST', '/api/reports/yuquan-2023/runs', TOKENS.staff, { period: '2023Q1', send: 'none' })).statusCode).toBe(202);
  });
});
