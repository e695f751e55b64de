import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, TOKENS } from '../support/api.ts';
import { englishSentence } from '../support/english.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

describe('staff page in a real headless Chromium', () => {
  let stack: Awaited<ReturnType<typeof startApiStack>>;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('Chromium is not installed: apt-get install -y chromium (.ci/run does)');
    stack = await startApiStack();
    base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('logs in with a token, starts a rerun, watches it finish, downloads the PDF — on a phone screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true, locale: 'zh-CN' });
    const page = await context.newPage();
    const console: string[] = [];
    page.on('console', (m) => console.push(m.text()));
    await page.goto(base);
    // The page's own script and style run under the API's Content-Security-Policy.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('header')!).backgroundColor)).toBe('rgb(200, 22, 29)');
    await page.fill('#token', 'wrong-token-0123456789');
    await page.click('#login-btn');
    await expect.poll(() => page.textContent('#login-error')).toContain('登录失败');
    // The API's Chinese message, not an English error text.
    expect(await page.textContent('#login-error')).toBe('登录失败：需要有效的访问令牌；请重新登录');
    await page.fill('#token', TOKENS.staff);
    await page.click('#login-btn');
    await page.waitForSelector('#app:not(.hidden)');
    expect(await page.textContent('#reports')).toContain('玉泉区2023年政府工作报告目标任务季度推进简报');
    await page.selectOption('#report', 'yuquan-2023');
    await page.selectOption('#period', 'Q3');
    // A refused request shows the API's Chinese message in place.
    await page.selectOption('#send', 'me');
    await page.fill('#email', 'not-an-address');
    await page.click('#run-btn');
    await expect.poll(() => page.textContent('#run-result')).toContain('提交失败：');
    const refused = (await page.textContent('#run-result'))!;
    expect(refused).toMatch(/[\u4e00-\u9fff]/);
    expect(englishSentence(refused)).toBeUndefined();
    await page.fill('#note', '更正一般公共预算收入数据');
    await page.selectOption('#send', 'none');
    await page.click('#run-btn');
    await page.waitForSelector('#run-result >> text=已生成', { timeout: 30_000 });
    expect(await page.textContent('#run-stage')).toBe('完成');
    await page.screenshot({ path: `${stack.settings.archiveDir}/../staff-page.png`, fullPage: true });
    // The history lists the new version with its 更正说明.
    await page.waitForSelector('#history >> text=更正一般公共预算收入数据');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#run-result button')]);
    expect(download.suggestedFilename()).toBe('yuquan-2023_2023Q3_v1.pdf');
    const file = await download.path();
    expect((await readFile(file!)).subarray(0, 5).toString()).toBe('%PDF-');
    // Nothing overflows the phone's width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(console.filter((t) => /Content.Security.Policy/i.test(t))).toEqual([]);
    await context.close();
  }, 60_000);
});
