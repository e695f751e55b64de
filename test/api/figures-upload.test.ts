import path from 'node:path';
import { cp, readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES, safeUploadName } from '../../worker/api/routes/figures.ts';
import { ROOT, tempDir } from '../support/cli.ts';
import { startApiStack, TOKENS } from '../support/api.ts';
import { englishSentence } from '../support/english.ts';
import { multipartBody, sampleFigures } from './upload-helpers.ts';

const APPROVER = 'approver-token-0123456789abcdef';

describe('POST /api/reports/:id/figures: staff upload a corrected figure file', () => {
  let stack: Awaited<ReturnType<typeof startApiStack>>;
  let jobs: string;
  let uploads: string;
  beforeAll(async () => {
    jobs = await tempDir('upload-jobs');
    await cp(path.join(ROOT, 'jobs/yuquan-2023'), path.join(jobs, 'yuquan-2023'), { recursive: true });
    uploads = path.join(jobs, 'yuquan-2023/figures/uploads/2023Q3');
    stack = await startApiStack({ jobsDir: jobs, tokens: `viewer:${TOKENS.viewer},staff:王芳:${TOKENS.staff},approver:李审核:${APPROVER},admin:${TOKENS.admin}` });
  });
  afterAll(() => stack?.stop());

  const upload = (fields: Record<string, string>, file?: { name: string; data: Buffer | string }, token = TOKENS.staff) => {
    const { payload, headers } = multipartBody(fields, file);
    return stack.app.inject({ method: 'POST', url: '/api/reports/yuquan-2023/figures', payload, headers: { ...headers, authorization: `Bearer ${token}` } });
  };
  const waitRun = async (runId: string) => {
    let run: Record<string, unknown> = {};
    for (let i = 0; i < 300 && run['state'] !== 'completed' && run['state'] !== 'failed'; i++) {
      run = (await stack.app.inject({ method: 'GET', url: `/api/runs/${runId}`, headers: { authorization: `Bearer ${TOKENS.viewer}` } })).json();
      await new Promise((r) => setTimeout(r, 100));
    }
    return run;
  };

  it('refuses a viewer (403) and a request without a file or period (400)', async () => {
    expect((await upload({ period: '2023Q3' }, { name: 'a.csv', data: 'x' }, TOKENS.viewer)).statusCode).toBe(403);
    expect((await upload({ period: '2023Q3' })).json()).toMatchObject({ code: 'BAD_REQUEST' });
    expect((await upload({}, { name: 'a.csv', data: await sampleFigures(false) })).statusCode).toBe(400);
    expect((await upload({ period: '2023Q9' }, { name: 'a.csv', data: await sampleFigures(false) })).json()).toMatchObject({ code: 'PERIOD_INVALID' });
  });

  it('a bad file: 422 listing every problem with file, row, column, code and a Chinese message; nothing stored or archived', async () => {
    const r = await upload({ period: '2023Q3', note: '更正口袋公园' }, { name: '../../etc/更正 数据.csv', data: await sampleFigures(true) });
    expect(r.statusCode).toBe(422);
    const body = r.json();
    expect(Object.keys(body).sort()).toEqual(['code', 'details', 'message']);
    expect(body.details.length).toBeGreaterThan(0);
    const d = body.details[0];
    // The file as staff named it (made safe), never the server's temp path.
    expect(d).toMatchObject({ file: '更正_数据.csv', row: 3, code: expect.stringMatching(/^FIGURE_/) });
    expect(d.column).toBeTruthy();
    expect(d.message).toMatch(/[\u4e00-\u9fff]/);
    expect(englishSentence(d.message)).toBeUndefined();
    expect(r.body).not.toContain('jibao-upload-');
    expect(await readdir(uploads).catch(() => [])).toEqual([]);
    expect(await readdir(stack.settings.archiveDir)).toEqual([]);
    expect(await stack.briefings.count()).toBe(0);
  });

  it('a file over the size bound is refused (413 TABLE_TOO_LARGE) and not stored', async () => {
    const r = await upload({ period: '2023Q3' }, { name: 'big.csv', data: Buffer.alloc(MAX_UPLOAD_BYTES + 1, 'a') });
    expect(r.statusCode).toBe(413);
    expect(r.json().details[0]).toMatchObject({ code: 'TABLE_TOO_LARGE', file: 'big.csv' });
    expect(await readdir(uploads).catch(() => [])).toEqual([]);
  });

  it('a file of another type is refused with TABLE_UNSUPPORTED', async () => {
    const r = await upload({ period: '2023Q3' }, { name: 'figures.exe', data: 'MZ' });
    expect(r.statusCode).toBe(422);
    expect(r.json().details[0]).toMatchObject({ code: 'TABLE_UNSUPPORTED', file: 'figures.exe' });
  });

  it('a good file: 202 with a run id, stored under uploads/<period>/, read by the run (the manifest names it); a second upload is kept beside the first', async () => {
    const first = await upload({ period: '2023Q3', note: '更正口袋公园为18个' }, { name: '口袋公园更正.csv', data: await sampleFigures(false) });
    expect(first.statusCode).toBe(202);
    const { runId, stored } = first.json();
    expect(stored).toMatch(/^\d{8}T\d{9}Z_[0-9a-f]{8}_口袋公园更正\.csv$/);
    expect(await readdir(uploads)).toEqual([stored]);
    const run = await waitRun(runId);
    expect(run).toMatchObject({ state: 'completed', snapshot: 'yuquan-2023_2023Q3_v1' });
    const manifest = (await stack.app.inject({ method: 'GET', url: '/api/snapshots/yuquan-2023_2023Q3_v1/manifest', headers: { authorization: `Bearer ${TOKENS.viewer}` } })).json();
    expect(JSON.stringify(manifest.files)).toContain(`inputs/figures/${stored}`);
    expect(manifest.trigger).toMatchObject({ kind: 'api', by: '王芳', note: '更正口袋公园为18个' });
    expect(stack.logs.find((l) => l['audit'] === 'figures-upload')).toMatchObject({ tokenName: '王芳', report: 'yuquan-2023', period: '2023Q3', file: stored });

    const second = await upload({ period: '2023Q3' }, { name: '口袋公园更正.csv', data: await sampleFigures(false) });
    expect(second.statusCode).toBe(202);
    expect((await readdir(uploads)).sort()).toEqual([stored, second.json().stored].sort());
    expect(await waitRun(second.json().runId)).toMatchObject({ state: 'completed', snapshot: 'yuquan-2023_2023Q3_v2' });
    // The newest upload is what the source reads: v2 was made from the second file, not the first.
    const v2 = (await stack.app.inject({ method: 'GET', url: '/api/snapshots/yuquan-2023_2023Q3_v2/manifest', headers: { authorization: `Bearer ${TOKENS.viewer}` } })).json();
    expect(JSON.stringify(v2.files)).toContain(`inputs/figures/${second.json().stored}`);
    expect(JSON.stringify(v2.files)).not.toContain(`inputs/figures/${stored}`);
  }, 60_000);

  it('serves the delivery log per recipient: the reviewer mailed for the draft, the recipients after approval', async () => {
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    const id = 'yuquan-2023_2023Q3_v2';
    const poll = async (pred: (b: { recipients: { address: string; purpose: string; status: string }[] }) => boolean) => {
      let body = { review: '', recipients: [] as { address: string; purpose: string; status: string }[] };
      for (let i = 0; i < 200 && !pred(body); i++) {
        body = (await stack.app.inject({ method: 'GET', url: `/api/snapshots/${id}/deliveries`, headers: auth(TOKENS.viewer) })).json();
        await new Promise((r) => setTimeout(r, 100));
      }
      return body;
    };
    const draft = await poll((b) => b.recipients.some((r) => r.purpose === 'review' && r.status === 'sent'));
    expect(draft.review).toBe('draft');
    expect(draft.recipients).toContainEqual(expect.objectContaining({ address: 'reviewer@example.org', purpose: 'review', status: 'sent' }));
    expect(draft.recipients.filter((r) => r.purpose === 'briefing')).toEqual([]);
    expect((await stack.app.inject({ method: 'POST', url: `/api/snapshots/${id}/approval`, headers: auth(APPROVER), payload: {} })).statusCode).toBe(200);
    const after = await poll((b) => b.recipients.filter((r) => r.purpose === 'briefing' && r.status === 'sent').length === 2);
    expect(after.review).toBe('approved');
    // Each recipient is its own delivery job: the log's order is whichever finished first.
    expect(after.recipients.filter((r) => r.purpose === 'briefing').map((r) => [r.address, r.status]).sort()).toEqual([
      ['district-office@example.org', 'sent'],
      ['leadership@example.org', 'sent'],
    ]);
    expect((await stack.app.inject({ method: 'GET', url: '/api/snapshots/..%2F..%2Fetc_2023Q3_v1/deliveries', headers: auth(TOKENS.viewer) })).statusCode).toBe(400);
  }, 60_000);
});

describe('POST /api/reports/:id/preview: the PDF without using up an archive version', () => {
  let stack: Awaited<ReturnType<typeof startApiStack>>;
  beforeAll(async () => {
    const jobs = await tempDir('preview-jobs');
    await cp(path.join(ROOT, 'jobs/yuquan-2023'), path.join(jobs, 'yuquan-2023'), { recursive: true });
    stack = await startApiStack({ jobsDir: jobs, worker: false });
  });
  afterAll(() => stack?.stop());
  const preview = (fields: Record<string, string>, file?: { name: string; data: string }, token = TOKENS.staff) => {
    const { payload, headers } = multipartBody(fields, file);
    return stack.app.inject({ method: 'POST', url: '/api/reports/yuquan-2023/preview', payload, headers: { ...headers, authorization: `Bearer ${token}` } });
  };

  it('renders the job source\'s figures, or a chosen file, as an inline PDF; a bad file is a 422; nothing is archived, stored or queued', async () => {
    const plain = await preview({ period: '2023Q3' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('application/pdf');
    expect(String(plain.headers['content-disposition'])).toMatch(/^inline;/);
    expect(plain.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const withFile = await preview({ period: '2023Q3', note: '预览更正' }, { name: 'fix.csv', data: await sampleFigures(false) });
    expect(withFile.statusCode).toBe(200);
    expect(withFile.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const bad = await preview({ period: '2023Q3' }, { name: 'fix.csv', data: await sampleFigures(true) });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().details[0]).toMatchObject({ file: 'fix.csv', row: 3 });
    expect((await preview({ period: '2023Q3' }, undefined, TOKENS.viewer)).statusCode).toBe(403);
    expect(await readdir(stack.settings.archiveDir)).toEqual([]);
    expect(await stack.briefings.count()).toBe(0);
    expect(await readdir(path.join(stack.settings.jobsDir, 'yuquan-2023/figures'))).not.toContain('uploads');
  }, 60_000);
});

describe('safeUploadName', () => {
  it.each([
    ['../../etc/passwd.csv', 'passwd.csv'],
    ['C:\\Users\\a\\..\\数据 表.XLSX', '数据_表.xlsx'],
    ['.hidden.csv', 'hidden.csv'],
    ['/', 'figures'],
    ['a\0b;rm -rf.csv', 'a_b_rm_-rf.csv'],
  ])('%j → %j', (given, safe) => expect(safeUploadName(given).name).toBe(safe));
});
