import path from 'node:path';
import { readdir, writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.ts';
import { englishSentence } from '../support/english.ts';

const HEADER = '指标,期间,累计值,同比增长,状态,备注,数据截至,来源';
const GOOD = '一般公共预算收入,2023Q3,14.8,2.1,,,2023-10-20,区财政局';

/** The staff's own mistakes, each with the code the CLI must carry in either language. */
const CASES: [string, string[], string[]][] = [
  ['unknown.csv', [HEADER, GOOD, '一般公共预算收人,2023Q3,14.8,,,,,'], ['FIGURE_UNKNOWN_INDICATOR']],
  ['nonnumeric.csv', [HEADER, '一般公共预算收入,2023Q3,十四点八,,,,,'], ['FIGURE_NOT_A_NUMBER']],
  ['duplicate.csv', [HEADER, GOOD, GOOD], ['FIGURE_DUPLICATE']],
  ['period.csv', [HEADER, '一般公共预算收入,2023Q2,10.1,,,,,'], ['FIGURE_PERIOD_CONFLICT']],
  ['badperiod.csv', [HEADER, '一般公共预算收入,三季度,10.1,,,,,'], ['FIGURE_PERIOD_INVALID']],
  ['unit.csv', ['指标,期间,累计值,计量单位', '一般公共预算收入,2023Q3,14.8,公斤'], ['FIGURE_UNIT_UNKNOWN']],
  ['dates.csv', [HEADER, '一般公共预算收入,2023Q3,14.8,,,,45123,', '地区生产总值,2023Q3,263.5,,,,2023-02-30,'], ['FIGURE_DATE_INVALID', 'FIGURE_DATE_INVALID']],
  ['cells.csv', [HEADER, '一般公共预算收入,2023Q3,-5,,,,,', '地区生产总值,2023Q3,263.5,abc,,,,'], ['FIGURE_NEGATIVE', 'FIGURE_NOT_A_NUMBER']],
  ['empty.csv', [HEADER], ['TABLE_EMPTY']],
  ['notable.txt', ['x'], ['TABLE_UNSUPPORTED']],
];

describe('the CLI in a Chinese locale: every message Chinese, every line its code', () => {
  let dir: string;
  let archive: string;
  let outbox: string;
  const write = async (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    await writeFile(file, lines.join('\n') + '\n');
    return file;
  };
  beforeAll(async () => {
    dir = await tempDir('zh-figures');
    archive = await tempDir('zh-archive');
    outbox = await tempDir('zh-outbox');
  });

  // JIBAO_LANG=zh, and the POSIX locale alone (JIBAO_LANG unset).
  const LOCALES = [
    ['JIBAO_LANG=zh', { JIBAO_LANG: 'zh' }],
    ['LANG=zh_CN.UTF-8', { JIBAO_LANG: '', LC_ALL: '', LC_MESSAGES: '', LANG: 'zh_CN.UTF-8' }],
  ] as const;

  for (const [locale, langEnv] of LOCALES) {
    it.each(CASES)(`${locale}: check --figures %s`, async (name, lines, codes) => {
      const file = await write(name, lines);
      const r = await runCli(['check', '--report', 'yuquan-2023', '--period', '2023Q3', '--figures', file], { env: { JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: outbox, ...langEnv } });
      expect(r.code).toBe(1);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('错误：'));
      expect(errors.map((l) => /\[([A-Z0-9_]+)\]$/.exec(l)?.[1])).toEqual(codes);
      // Each line names the file, and the row and column where there is one.
      for (const l of errors) expect(l).toContain(name);
      expect(r.stderr).toContain(`共发现 ${codes.length} 个问题；未生成、未归档任何内容。`);
      // No English wording anywhere: codes, the file's path and the cells' own text aside.
      expect(englishSentence(r.stderr)).toBeUndefined();
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await readdir(archive)).toEqual([]);
    });
  }

  it('locates a cell in Chinese: file, row, column, what was expected', async () => {
    const file = await write('nonnumeric2.csv', [HEADER, '一般公共预算收入,2023Q3,十四点八,,,,,']);
    const r = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023Q3', '--figures', file], { env: { JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: outbox, JIBAO_LANG: 'zh' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^错误：.*nonnumeric2\.csv，第 2 行，“累计值”列：“十四点八”不是一般公共预算收入可用的数值；应填写以亿元为单位的数字，如 1234\.5 \[FIGURE_NOT_A_NUMBER\]$/m);
  });

  it('refuses a malformed period argument in Chinese, with its code', async () => {
    const r = await runCli(['run', '--report', 'yuquan-2023', '--period', '三季度'], { env: { JIBAO_LANG: 'zh' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[PERIOD_INVALID]');
    expect(englishSentence(r.stderr)).toBeUndefined();
  });

  it('a missing figure file: Chinese, FILE_NOT_FOUND; and the same in English without the locale', async () => {
    const args = ['check', '--report', 'yuquan-2023', '--period', '2023Q3', '--figures', path.join(dir, 'nope.csv')];
    const zh = await runCli(args, { env: { JIBAO_LANG: 'zh' } });
    expect(zh.code).toBe(1);
    expect(zh.stderr).toMatch(/^错误：.*nope\.csv：找不到该文件或文件夹；应为 CSV 或 XLSX 数据文件 \[FILE_NOT_FOUND\]$/m);
    const en = await runCli(args, { env: { JIBAO_LANG: '', LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8' } });
    expect(en.code).toBe(1);
    expect(en.stderr).toMatch(/^error: .*nope\.csv: no such file or folder; .* \[FILE_NOT_FOUND\]$/m);
  });
});
