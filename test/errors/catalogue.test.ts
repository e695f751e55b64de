import path from 'node:path';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, CodedInputError } from '../../worker/error-codes.ts';
import { classify, cliLang, failureRecord, errorLines, readFailure, recordCode } from '../../worker/errors/index.ts';
import { errorsMarkdown } from '../../worker/errors/doc.ts';
import { MESSAGES, renderMessage, type Params } from '../../worker/domain/messages.ts';
import { readFigureTable, type RawTable } from '../../worker/domain/figure-table.ts';
import { formatIssue, InputError } from '../../worker/domain/issues.ts';
import { parsePeriod, PeriodError } from '../../worker/domain/period.ts';
import { checkPlausibility } from '../../worker/domain/plausibility.ts';
import { RenderBudgetError } from '../../worker/render/renderer.ts';
import { TemplateError } from '../../worker/render/template.ts';
import { SourceUnavailableError } from '../../worker/sources/source.ts';
import { readFigureFiles } from '../../worker/sources/file-source.ts';
import { describeFailure } from '../../worker/delivery/alert.ts';
import { apiErrorBody } from '../../worker/api/http-error.ts';
import { reportError } from '../../worker/cli/errors.ts';
import { sampleReport, figuresOf } from '../support/report.ts';
import { englishSentence } from '../support/english.ts';
import { ROOT } from '../support/cli.ts';

/** Identifiers a Chinese message may name as they are typed (settings, formats, headers). */
const IDENTIFIERS = ['source.token_env', 'source.max_bytes', 'allow_outside_jobs_dir', 'fonts/fonts.yaml', 'JIBAO_SEND_ME_DOMAINS', 'JIBAO_DEBUG', 'Authorization: Bearer', 'email=', '--help', 'true', 'period', 'as_of', 'figures', 'indicator', 'value', 'yoy', 'HTTP', 'JSON', 'CSV', 'XLSX', 'Excel', 'WPS', 'API', '.xlsx', '.csv', 'GB'];
const VARIANTS = [undefined, 'no-data', 'no-rows', 'column', 'table', 'row', 'stated', 'conflict', 'serial', 'unreal', 'future', 'early', 'not-date', 'reference', 'yoy', 'value', 'source', 'not-file', 'not-json', 'schema', 'period'];

/** Params whose every value is Chinese text, so that any English left in a rendering is the template's own. */
const chineseParams = (variant: string | undefined): Params =>
  new Proxy({}, { get: (_t, key) => (key === 'variant' ? variant : key === 'header' || key === 'expected' || key === 'sheets' ? ['甲', '乙'] : '值') }) as Params;

const Q3 = parsePeriod('2023Q3');
const report = sampleReport();
const HEADER = ['指标', '期间', '累计值', '同比增长', '状态', '备注', '数据截至', '来源'];
const table = (rows: string[][]): RawTable => ({ file: 'figures/2023Q3.csv', header: HEADER, headerRow: 1, rows: rows.map((cells, i) => ({ row: i + 2, cells })) });

describe('the message catalogue', () => {
  it('has an entry, with both languages, for every code of the list (an appended code without one fails here)', () => {
    const missing = ERROR_CODES.filter((c) => !Object.hasOwn(MESSAGES, c));
    expect(missing).toEqual([]);
  });

  it('renders every code in Chinese without an English sentence, in every variant, and in English', () => {
    for (const [code, entry] of Object.entries(MESSAGES)) {
      for (const variant of VARIANTS) {
        const zh = entry.zh(chineseParams(variant));
        expect(zh, code).toMatch(/[\u4e00-\u9fff]/);
        expect(englishSentence(zh, IDENTIFIERS), `${code} (${variant}): ${zh}`).toBeUndefined();
      }
      expect(entry.en({}), code).toBeTruthy();
    }
  });

  it('docs/errors.md is generated from the catalogue and agrees with it', async () => {
    const file = path.join(ROOT, 'docs/errors.md');
    if (process.env['UPDATE_DOCS']) await writeFile(file, errorsMarkdown());
    expect(await readFile(file, 'utf8')).toBe(errorsMarkdown());
    for (const code of Object.keys(MESSAGES)) expect(await readFile(file, 'utf8')).toContain(`\`${code}\``);
  });
});

describe('figure-file issues carry code and values, and render in either language', () => {
  const read = readFigureTable(
    table([
      ['一般公共预算收人', '2023Q3', '14.8', '', '', '', '', ''],
      ['一般公共预算收入', '2023Q3', '十四点八', '', '', '', '', ''],
      ['地区生产总值', '2023Q3', '', 'abc', '', '', '2023-02-30', ''],
      ['固定资产投资', '三季度', '1', '', '', '', '', ''],
    ]),
    report,
    Q3,
  );

  it('keeps the code and the cell values as params', () => {
    expect(read.issues.map((i) => i.code)).toEqual(['FIGURE_UNKNOWN_INDICATOR', 'FIGURE_NOT_A_NUMBER', 'FIGURE_DATE_INVALID', 'FIGURE_PERIOD_INVALID']);
    expect(read.issues[0]!.params).toMatchObject({ name: '一般公共预算收人', hint: '一般公共预算收入' });
    expect(read.issues[1]!.params).toMatchObject({ variant: 'value', cell: '十四点八', name: '一般公共预算收入', unit: '亿元' });
  });

  it('renders each issue in Chinese with file, row and column, the code last, and no English', () => {
    const lines = read.issues.map((i) => formatIssue(i, 'zh'));
    expect(lines[1]).toBe('错误：figures/2023Q3.csv，第 3 行，“累计值”列：“十四点八”不是一般公共预算收入可用的数值；应填写以亿元为单位的数字，如 1234.5 [FIGURE_NOT_A_NUMBER]');
    for (const l of lines) expect(englishSentence(l), l).toBeUndefined();
  });

  it('calls a place in a YAML or JSON file a field (项), in a spreadsheet a column (列)', () => {
    const at = (file: string) => formatIssue({ severity: 'error', file, column: 'template', message: 'x', code: 'CONFIG_TYPE', params: { expected: 'string' } }, 'zh');
    expect(at('jobs/r/job.yaml')).toContain('jobs/r/job.yaml，“template”项：');
    expect(at('figures/2023Q3.json')).toContain('“template”项：');
    expect(at('figures/2023Q3.XLSX')).toContain('“template”列：');
  });

  it('renders the English line exactly as the message field (the CLI in English)', () => {
    for (const i of read.issues) expect(formatIssue(i, 'en')).toBe(`error: ${i.file}, row ${i.row}, column ${i.column}: ${i.message} [${i.code}]`);
    expect(read.issues[0]!.message).toBe('unknown indicator or task "一般公共预算收人"; did you mean "一般公共预算收入"? (names and ids are those of the targets file)');
  });

  it('gives every plausibility rule a code; the Chinese text is the finding without the rule name', () => {
    const f = checkPlausibility(report, figuresOf(Q3, { revenue: { value: 148000 }, gdp: { yoy: -120 } }));
    expect(f.length).toBeGreaterThan(0);
    for (const x of f) {
      expect(x.code).toMatch(/^FIGURE_[A-Z0-9_]+$/);
      expect(x.message.startsWith(`[${x.rule}] `)).toBe(true);
      expect(englishSentence(formatIssue(x, 'zh'))).toBeUndefined();
    }
  });
});

describe('errors are classified once: code, retryable, fault, status', () => {
  it.each([
    ['an input error', new InputError([{ severity: 'error', file: 'a.csv', message: 'x', code: 'FIGURE_NEGATIVE' }]), 'FIGURE_NEGATIVE', false, 'input'],
    ['an input error without a code', new InputError([{ severity: 'error', file: 'a.csv', message: 'x' }]), 'INPUT_INVALID', false, 'input'],
    ['a bad period', new PeriodError('"x" is not a period', { text: 'x' }), 'PERIOD_INVALID', false, 'input'],
    ['a template error', new TemplateError('t.hbs', 'line 3: oops'), 'TEMPLATE_INVALID', false, 'input'],
    ['a render over budget', new RenderBudgetError('RENDER_MEMORY', 512), 'RENDER_MEMORY', false, 'system'],
    ['a source outage', new SourceUnavailableError('HTTP 503'), 'SOURCE_UNAVAILABLE', true, 'source'],
    ['a slow source', new SourceUnavailableError('slow', 'SOURCE_SLOW'), 'SOURCE_SLOW', true, 'source'],
    ['anything else', new Error('boom'), 'INTERNAL', true, 'system'],
  ])('%s', (_name, e, code, retryable, fault) => {
    expect(classify(e)).toMatchObject({ code, retryable, fault });
  });

  it('gives the HTTP status from the catalogue: figure problems 422, request problems 400, internal 500', () => {
    expect(classify(new InputError([{ severity: 'error', file: 'a.csv', message: 'x', code: 'FIGURE_NEGATIVE' }])).status).toBe(422);
    expect(classify(new CodedInputError('NOTE_TOO_LONG', [{ file: 'note', message: 'x' }])).status).toBe(400);
    expect(classify(new Error('boom')).status).toBe(500);
  });

  it('picks the language: JIBAO_LANG first, then LC_ALL / LC_MESSAGES / LANG; English otherwise', () => {
    expect(cliLang({ JIBAO_LANG: 'zh' })).toBe('zh');
    expect(cliLang({ LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(cliLang({ LANG: 'zh_CN.UTF-8', JIBAO_LANG: 'en' })).toBe('en');
    expect(cliLang({ LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(cliLang({ LANG: 'en_GB.UTF-8' })).toBe('en');
    expect(cliLang({})).toBe('en');
  });
});

describe('the failure record and the operators’ alert', () => {
  it('records "CODE: 中文" for a refused figure file, with every issue located', () => {
    const e = new InputError(readFigureTable(table([['一般公共预算收入', '2023Q3', '十四点八', '', '', '', '', '']]), report, Q3).issues);
    const record = failureRecord(e);
    expect(recordCode(record)).toBe('FIGURE_NOT_A_NUMBER');
    expect(record).toContain('figures/2023Q3.csv，第 2 行，“累计值”列');
    expect(englishSentence(record)).toBeUndefined();
  });

  it('records a render over budget and a source outage in Chinese, the English detail kept only where no values were given', () => {
    expect(failureRecord(new RenderBudgetError('RENDER_TIMEOUT', 30000))).toBe('RENDER_TIMEOUT: 简报排版超过时间上限（30000 ms），已中止；请检查数据中是否有异常大的数值，或调高上限');
    const outage = failureRecord(new SourceUnavailableError('figure source https://stats.example.org/x unavailable after 3 attempt(s): HTTP 503'));
    expect(outage).toMatch(/^SOURCE_UNAVAILABLE: 数据源暂时无法访问，稍后将重试（figure source .* HTTP 503）$/);
  });

  it('alerts in Chinese with the code, whatever the reason looks like; never a secret', () => {
    expect(describeFailure('FIGURE_NOT_A_NUMBER: 错误：a.csv，第 2 行：…')).toBe('错误：a.csv，第 2 行：…（错误代码：FIGURE_NOT_A_NUMBER）');
    expect(describeFailure('figure source https://u:secret@h.example/x unavailable [SOURCE_UNAVAILABLE]')).toMatch(/^数据源暂时无法访问，稍后将重试（.*）（错误代码：SOURCE_UNAVAILABLE）$/);
    expect(describeFailure('figure source https://u:secret@h.example/x unavailable [SOURCE_UNAVAILABLE]')).not.toContain('secret');
    expect(describeFailure('SMTP 550 mailbox unavailable')).toBe('详情（原文）：SMTP 550 mailbox unavailable');
  });

  it('reads any failure reason back as a code and Chinese text (the run status on the page)', () => {
    expect(readFailure(failureRecord(new RenderBudgetError('RENDER_MEMORY', 512)))).toEqual({ code: 'RENDER_MEMORY', text: '简报排版超过内存上限（512 MB），已中止；请检查数据中是否有异常大的数值，或调高上限' });
    expect(readFailure('figure source x unavailable after 3 attempt(s): HTTP 503 [SOURCE_UNAVAILABLE]')).toEqual({ code: 'SOURCE_UNAVAILABLE', text: '数据源暂时无法访问，稍后将重试（figure source x unavailable after 3 attempt(s): HTTP 503）' });
    expect(readFailure('figures not ready: no figures for 2023Q4 in jobs/x (0 file(s) read)')).toMatchObject({ code: 'FIGURES_NOT_READY', text: expect.stringMatching(/^该期间的数据尚未就绪（/) });
    expect(readFailure('SMTP 550 no such user')).toEqual({ code: undefined, text: '详情（原文）：SMTP 550 no such user' });
  });

  it('prints the CLI lines in Chinese from the same classification', () => {
    expect(errorLines(new PeriodError('"三季度" is not a period', { text: '三季度' }), 'zh')).toEqual(['“三季度”不是有效的期间；应写作如 2023Q3、2023-09 或 2023年1-9月 [PERIOD_INVALID]']);
    expect(errorLines(new PeriodError('"三季度" is not a period', { text: '三季度' }), 'en')).toEqual(['"三季度" is not a period']);
  });
});

describe('the API body of a refused figure file', () => {
  it('is { code, message, details } with every problem located and in Chinese', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'jibao-body-'));
    const file = path.join(dir, 'bad.csv');
    await writeFile(file, [HEADER.join(','), '一般公共预算收人,2023Q3,14.8,,,,,', '地区生产总值,2023Q3,,abc,,,,'].join('\n') + '\n');
    const e = await readFigureFiles(file, report, Q3, {}, dir).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    const body = apiErrorBody(e, classify(e).status);
    expect(classify(e).status).toBe(422);
    expect(body.code).toBe('FIGURE_UNKNOWN_INDICATOR');
    expect(body.message).toMatch(/共发现 2 个问题/);
    expect(body.details).toEqual([
      { file: 'bad.csv', row: 2, column: '指标', code: 'FIGURE_UNKNOWN_INDICATOR', message: expect.stringContaining('没有名为“一般公共预算收人”的指标或任务') },
      { file: 'bad.csv', row: 3, column: '同比增长', code: 'FIGURE_NOT_A_NUMBER', message: expect.stringContaining('“abc”不是地区生产总值可用的同比增速') },
    ]);
    for (const d of body.details) expect(englishSentence(d.message)).toBeUndefined();
    // An internal error says nothing of its cause.
    expect(apiErrorBody(new Error('ECONNREFUSED 10.0.0.5'), 500)).toEqual({ code: 'INTERNAL', message: renderMessage('INTERNAL', {}, 'zh'), details: [] });
  });
});

describe('the CLI prints and exits by the classification', () => {
  const run = (e: unknown, lang: 'zh' | 'en') => {
    const lines: string[] = [];
    const exit = reportError(e, (l) => lines.push(l), lang);
    return { exit, lines };
  };

  it('keeps the English lines as they were, and prints Chinese ones under zh, with the same exit status', () => {
    const budget = new RenderBudgetError('RENDER_MEMORY', 512);
    expect(run(budget, 'en')).toEqual({ exit: 2, lines: [`error: ${budget.message}`, 'nothing was archived or sent; check the figures for absurd values, or raise the budget.'] });
    expect(run(budget, 'zh')).toEqual({ exit: 2, lines: ['错误：简报排版超过内存上限（512 MB），已中止；请检查数据中是否有异常大的数值，或调高上限 [RENDER_MEMORY]', '未归档、未发送任何内容。'] });
    expect(run(new SourceUnavailableError('HTTP 503', 'SOURCE_SLOW'), 'en')).toEqual({ exit: 4, lines: ['error: HTTP 503 [SOURCE_SLOW]', 'nothing was rendered or archived; try again later.'] });
    expect(run(new SourceUnavailableError('HTTP 503', 'SOURCE_SLOW'), 'zh').exit).toBe(4);
    expect(run(new PeriodError('"x" is not a period', { text: 'x' }), 'zh')).toEqual({ exit: 1, lines: ['错误：“x”不是有效的期间；应写作如 2023Q3、2023-09 或 2023年1-9月 [PERIOD_INVALID]'] });
    const template = new TemplateError('t.hbs', 'line 3: unclosed {{#if}}');
    expect(run(template, 'en')).toEqual({ exit: 1, lines: ['error: t.hbs: line 3: unclosed {{#if}}', 'nothing was archived.'] });
    expect(run(template, 'zh').lines[0]).toBe('错误：简报模板有误，无法排版（t.hbs: line 3: unclosed {{#if}}） [TEMPLATE_INVALID]');
  });

  it('carries a code the catalogue does not have yet (another change’s) through the CLI and the API, as a system error', () => {
    const e = Object.assign(new Error('draft v1 was superseded by v2'), { code: 'SOME_NEW_CODE' });
    expect(classify(e)).toMatchObject({ code: 'SOME_NEW_CODE', fault: 'system', retryable: true, status: 500 });
    expect(run(e, 'zh')).toMatchObject({ exit: 2, lines: ['内部错误：draft v1 was superseded by v2 [SOME_NEW_CODE]', expect.any(String)] });
    const refused = Object.assign(new Error('refused'), { code: 'SOME_NEW_CODE', statusCode: 409 });
    expect(apiErrorBody(refused, 409)).toEqual({ code: 'SOME_NEW_CODE', message: renderMessage('BAD_REQUEST', {}, 'zh'), details: [] });
  });
});
