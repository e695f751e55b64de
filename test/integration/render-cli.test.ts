import path from 'node:path';
import { readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.ts';
import { pdfPages } from '../support/pdf.ts';

describe('jibao render', () => {
  it('writes the PDF and, with --html, the markup as a standalone page; nothing archived', async () => {
    const dir = await tempDir('render');
    const archive = await tempDir('render-archive');
    const pdf = path.join(dir, 'q3.pdf');
    const html = path.join(dir, 'q3.html');
    const r = await runCli(['render', '-r', 'yuquan-2023', '-p', '2023年1-9月', '--out', pdf, '--html', html], { env: { JIBAO_ARCHIVE_DIR: archive } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await pdfPages(await readFile(pdf))).join('')).toContain('玉泉区2023年前三季度政府工作报告目标任务推进情况');
    const page = await readFile(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<title>玉泉区2023年前三季度政府工作报告目标任务推进情况</title>');
    expect(page).toContain('@font-face{font-family:"jibao-body";src:url("file://');
    expect(page).toContain('<figure class="chart" data-type="completion" data-schedule="75.0"');
    expect(await readdir(archive)).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['q3.html', 'q3.pdf']); // no temporary files left
  });
});
