import os from 'node:os';
import path from 'node:path';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { compileTemplate, HELPERS, TemplateError } from '../../worker/render/template.ts';

async function templatesWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jibao-tpl-'));
  await mkdir(path.join(dir, 'partials'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

describe('helpers', () => {
  it('format Chinese conventions', () => {
    expect(HELPERS['cnNum']!(3)).toBe('三');
    expect(HELPERS['cnNum']!(12)).toBe('十二');
    expect(HELPERS['cnParen']!(0)).toBe('（一）');
    expect(HELPERS['cnDate']!('2023-10-05')).toBe('2023年10月5日');
    expect(HELPERS['fmt']!(1234.5, 2)).toBe('1234.50');
    expect(HELPERS['points']!(6.75)).toBe('6.8');
    expect(HELPERS['signed']!(-6.8)).toBe('−6.8');
    expect(HELPERS['statusText']!('severe')).toBe('严重滞后');
    expect(HELPERS['statusText']!('not_completed')).toBe('未完成');
    expect(HELPERS['statusText']!('not_judged')).toBe('年底考核');
    expect(HELPERS['pct']!(68.75)).toBe('68.8%');
    expect(HELPERS['pctPoints']!(-6.2)).toBe('6.2个百分点');
    expect(HELPERS['arabicItem']!(0)).toBe('1.');
    expect(HELPERS['arabicParen']!(1)).toBe('（2）');
    expect(HELPERS['periodName']!('2023Q3')).toBe('前三季度');
    expect(HELPERS['periodName']!('2023-11')).toBe('1-11月');
  });

  it('formats numbers with units, fixed decimals and thousands separators through templates', async () => {
    const dir = await templatesWith({ 'main.hbs': '{{amount a "亿元"}}|{{amount b "元" 0 group=true}}|{{fmt c 2}}|{{fmt b 0 group=true}}' });
    const { render } = await compileTemplate(dir, 'main');
    expect(render({ a: 20.01, b: 1234567, c: 3.5 })).toBe('20.01亿元|1,234,567元|3.50|1,234,567');
  });
});

describe('compileTemplate', () => {
  it('renders with partials', async () => {
    const dir = await templatesWith({ 'main.hbs': '<p>{{> greet}}</p>', 'partials/greet.hbs': '第{{cnNum n}}期' });
    const { render } = await compileTemplate(dir, 'main');
    expect(render({ n: 3 })).toBe('<p>第三期</p>');
  });

  it('names the file and line of a syntax error', async () => {
    const dir = await templatesWith({ 'main.hbs': '<p>\n{{#if x}}\n</p>' });
    await expect(compileTemplate(dir, 'main')).rejects.toThrow(TemplateError);
    await expect(compileTemplate(dir, 'main')).rejects.toThrow(/main\.hbs: line \d+: syntax error/);
  });

  it('rejects an unknown helper before rendering', async () => {
    const dir = await templatesWith({ 'main.hbs': '<p>\n\n{{money x}}</p>' });
    await expect(compileTemplate(dir, 'main')).rejects.toThrow(/main\.hbs: .*unknown helper money/);
  });

  it('fails on a missing field, naming the partial it is in', async () => {
    const dir = await templatesWith({ 'main.hbs': '<p>{{> row}}</p>', 'partials/row.hbs': '\n{{titel}}' });
    const { render } = await compileTemplate(dir, 'main');
    expect(() => render({ title: 'x' })).toThrow(/partials\/row\.hbs: line 2: "titel" not defined/);
  });

  it('keeps prototype access closed', async () => {
    const dir = await templatesWith({ 'main.hbs': '{{constructor.name}}' });
    const { render } = await compileTemplate(dir, 'main');
    expect(() => render({})).toThrow(TemplateError);
  });

  it('refuses template names that could leave the folder', async () => {
    await expect(compileTemplate('/tmp', '../etc/passwd')).rejects.toThrow(/lowercase letters/);
  });
});

describe('compiled template cache', () => {
  it('recompiles when a template file changes, so staff edits take effect in a running worker', async () => {
    const dir = await templatesWith({ 'main.hbs': '<p>一</p>' });
    expect((await compileTemplate(dir, 'main')).render({})).toBe('<p>一</p>');
    await writeFile(path.join(dir, 'main.hbs'), '<p>二二</p>');
    expect((await compileTemplate(dir, 'main')).render({})).toBe('<p>二二</p>');
    await writeFile(path.join(dir, 'partials/x.hbs'), 'x');
    await writeFile(path.join(dir, 'main.hbs'), '<p>{{> x}}</p>');
    expect((await compileTemplate(dir, 'main')).render({})).toBe('<p>x</p>');
  });
});
