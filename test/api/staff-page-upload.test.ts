import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, TOKENS } from '../support/api.ts';
import { ROOT, tempDir } from '../support/cli.ts';
import { englishSentence } from '../support/english.ts';
import { sampleFigures } from './upload-helpers.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const APPROVER = 'approver-token-0123456789abcdef';
/** Phone-sized screenshots of each step, kept for a person to look at. */
const SHOTS = path.join(os.tmpdir(), 'jibao-staff-page-shots');

describe('staff page: upload, review and delivery on a phone in headless Chromium', () => {
  let stack: Awaited<ReturnType<typeof startApiStack>>;
  let browser: Browser;
  let base: string;
  let jobs: string;

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('Chromium is not installed: apt-get install -y chromium (.ci/run does)');
    jobs = await tempDir('page-upload-jobs');
    await cp(path.join(ROOT, 'jobs/yuquan-2023'), path.join(jobs, 'yuquan-2023'), { recursive: true });
    await mkdir(SHOTS, { recursive: true });
    stack = await startApiStack({ jobsDir: jobs, tokens: `viewer:${TOKENS.viewer},staff:王芳:${TOKENS.staff},approver:李审核:${APPROVER}` });
    base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
    // The machine may lack a CJK system font: give Chromium the Noto Sans SC the PDFs use, so the
    // screenshots show the Chinese a person must check (without it every character is a box).
    const fontsConf = path.join(jobs, 'fonts.conf');
    await writeFile(fontsConf, `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>${path.join(ROOT, 'node_modules/@expo-google-fonts/noto-sans-sc')}</dir><cachedir>${path.join(jobs, 'fontcache')}</cachedir></fontconfig>`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      env: { ...process.env, FONTCONFIG_FILE: fontsConf },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const phone = async (token: string): Promise<{ page: Page; csp: string[]; close: () => Promise<void> }> => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const csp: string[] = [];
    page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) csp.push(m.text()); });
    await page.goto(base);
    await page.fill('#token', token);
    await page.click('#login-btn');
    await page.waitForSelector('#app:not(.hidden)');
    await page.selectOption('#report', 'yuquan-2023');
    return { page, csp, close: () => context.close() };
  };

  it('staff upload a bad file (Chinese row error in place, nothing stored), then a good one (the run finishes)', async () => {
    const { page, csp, close } = await phone(TOKENS.staff);
    // Months as well as quarters.
    const periods = await page.$$eval('#up-period option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(periods).toEqual(['Q1', 'Q2', 'Q3', 'Q4', '-01', '-02', '-03', '-04', '-05', '-06', '-07', '-08', '-09', '-10', '-11', '-12']);
    await page.selectOption('#up-period', 'Q3');
    await page.setInputFiles('#up-file', { name: '口袋公园更正.csv', mimeType: 'text/csv', buffer: Buffer.from(await sampleFigures(true)) });
    await page.click('#up-btn');
    await page.waitForSelector('#up-errors:not(.hidden)');
    const row = (await page.textContent('#up-errors tbody tr'))!;
    expect(row).toContain('口袋公园更正.csv，第 3 行');
    expect(row).toMatch(/“[^”]+”列/);
    expect(englishSentence(row.replace('口袋公园更正.csv', ''))).toBeUndefined();
    expect(await page.textContent('#up-message')).toContain('未通过校验，未保存任何内容');
    expect(await page.textContent('#up-name')).toBe('口袋公园更正.csv');
    await page.screenshot({ path: path.join(SHOTS, '1-bad-upload.png'), fullPage: true });
    expect(await readdir(path.join(jobs, 'yuquan-2023/figures/uploads')).catch(() => [])).toEqual([]);
    expect(await readdir(stack.settings.archiveDir)).toEqual([]);

    await page.setInputFiles('#up-file', { name: '口袋公园更正.csv', mimeType: 'text/csv', buffer: Buffer.from(await sampleFigures(false)) });
    await page.fill('#up-note', '新建口袋公园由17个更正为18个');
    // A preview first: the PDF in the page, nothing archived.
    await page.click('#preview-btn');
    await page.waitForSelector('#up-preview:not(.hidden)', { timeout: 30_000 });
    expect(await page.getAttribute('#up-preview', 'src')).toMatch(/^blob:/);
    expect(await page.textContent('#up-message')).toBe('预览如下（未保存、未存档）');
    expect(await readdir(stack.settings.archiveDir)).toEqual([]);
    await page.waitForTimeout(1000); // the PDF viewer draws the first page
    await page.screenshot({ path: path.join(SHOTS, '2a-preview.png'), fullPage: true });
    await page.click('#up-btn');
    await page.waitForSelector('#up-result >> text=已生成', { timeout: 30_000 });
    expect(await page.isHidden('#up-errors')).toBe(true);
    expect(await page.textContent('#up-stage')).toBe('完成');
    await page.waitForSelector('#history >> text=新建口袋公园由17个更正为18个');
    expect(await page.textContent('#history')).toContain('待审核');
    expect(await readdir(path.join(jobs, 'yuquan-2023/figures/uploads/2023Q3'))).toHaveLength(1);
    await page.screenshot({ path: path.join(SHOTS, '2-good-upload.png'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(csp).toEqual([]);
    await close();
  }, 60_000);

  it('an approver opens the draft (PDF in the page), signs it off and sees each recipient delivered', async () => {
    const { page, csp, close } = await phone(APPROVER);
    await page.click('#history button[data-snapshot="yuquan-2023_2023Q3_v1"]');
    await page.waitForSelector('#detail:not(.hidden)');
    await expect.poll(() => page.textContent('#detail-state')).toBe('待审核');
    expect(await page.getAttribute('#detail-pdf', 'src')).toMatch(/^blob:/);
    // The reviewer got the draft; nothing has gone to the recipients yet.
    await expect.poll(() => page.textContent('#deliveries'), { timeout: 15_000 }).toContain('reviewer@example.org');
    expect(await page.textContent('#deliveries')).not.toContain('leadership@example.org');
    await page.screenshot({ path: path.join(SHOTS, '3-draft.png'), fullPage: true });
    await page.fill('#decide-text', '同意签发');
    await page.click('#approve-btn');
    await expect.poll(() => page.textContent('#detail-state')).toBe('已签发');
    const delivered = async () => page.$$eval('#deliveries tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    await expect.poll(delivered, { timeout: 30_000 }).toEqual(
      expect.arrayContaining([
        ['leadership@example.org', '简报', '已送达'],
        ['district-office@example.org', '简报', '已送达'],
      ]),
    );
    expect(await page.isHidden('#decide')).toBe(true);
    await expect.poll(() => page.textContent('#decide-result')).toBe('已签发，已送达全部收件人');
    await page.screenshot({ path: path.join(SHOTS, '4-approved-delivered.png'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(csp).toEqual([]);
    await close();
  }, 60_000);
});
