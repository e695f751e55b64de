import path from 'node:path';
import { readdir, writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.ts';

const HEADER = '指标,期间,累计值,同比增长,状态,备注,数据截至,来源';
const GOOD = '一般公共预算收入,2023Q3,14.8,2.1,,,2023-10-20,区财政局';

describe('bad figure files: one clear line each, exit 1, no stack trace, nothing written', () => {
  let dir: string;
  let archive: string;
  let outbox: string;
  const env = () => ({ JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: outbox });
  const write = async (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    await writeFile(file, lines.join('\n') + '\n');
    return file;
  };

  beforeAll(async () => {
    dir = await tempDir('figures');
    archive = await tempDir('archive');
    outbox = await tempDir('outbox');
  });

  const cases: [string, string[], RegExp][] = [
    ['unknown.csv', [HEADER, GOOD, '一般公共预算收人,2023Q3,14.8,,,,,'], /^error: .*unknown\.csv, row 3, column 指标: unknown indicator or task "一般公共预算收人"; did you mean "一般公共预算收入"\?/m],
    ['nonnumeric.csv', [HEADER, '一般公共预算收入,2023Q3,十四点八,,,,,'], /^error: .*nonnumeric\.csv, row 2, column 累计值: "十四点八" is not usable for 一般公共预算收入; expected a number in 亿元, e\.g\. 1234\.5 \[FIGURE_NOT_A_NUMBER\]$/m],
    ['duplicate.csv', [HEADER, GOOD, GOOD], /^error: .*duplicate\.csv, row 3, column 指标: duplicate row for "一般公共预算收入" \(first given in row 2\)/m],
    ['period.csv', [HEADER, '一般公共预算收入,2023Q2,10.1,,,,,'], /^error: .*period\.csv, row 2, column 期间: period 2023Q2 does not match the requested 2023Q3 \[FIGURE_PERIOD_CONFLICT\]$/m],
    ['badperiod.csv', [HEADER, '一般公共预算收入,三季度,10.1,,,,,'], /^error: .*badperiod\.csv, row 2, column 期间: "三季度" is not a period; expected e\.g\. 2023Q3/m],
  ];

  for (const command of ['check', 'run'] as const) {
    it.each(cases)(`${command} --figures %s`, async (name, lines, expected) => {
      const file = await write(name, lines);
      const r = await runCli([command, '--report', 'yuquan-2023', '--period', '2023Q3', '--figures', file], { env: env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(expected);
      expect(r.stderr).toContain('nothing was rendered or archived');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(await readdir(archive)).toEqual([]);
      expect(await readdir(outbox)).toEqual([]);
    });
  }

  it('names a missing file', async () => {
    const r = await runCli(['check', '--report', 'yuquan-2023', '--period', '2023Q3', '--figures', path.join(dir, 'nope.csv')], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*nope\.csv: no such file or folder; expected a CSV or XLSX figure file \[FILE_NOT_FOUND\]$/m);
  });

  it('reports every problem of a file at once', async () => {
    const file = await write('many.csv', [HEADER, '一般公共预算收人,2023Q3,1,,,,,', '地区生产总值,2023Q3,,abc,,,,', GOOD, GOOD]);
    const r = await runCli(['check', '--report', 'yuquan-2023', '--period', '2023Q3', '--figures', file], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(3);
    expect(r.stderr).toContain('3 problem(s) found');
  });

  it('rejects a figure whose text has a character no font can show, naming it, before archiving', async () => {
    const file = await write('emoji.csv', [HEADER, '一般公共预算收入,2023Q3,14.8,2.1,,进度良好👍,2023-10-20,区财政局']);
    const r = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023Q3', '--figures', file], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"👍" (U+1F44D)');
    expect(await readdir(archive)).toEqual([]);
  });

  it('rejects a malformed period argument with usage help', async () => {
    const r = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023Q7']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"2023Q7" is not a period; expected e.g. 2023Q3');
  });

  it('accepts a good single-period file, which may omit the period column', async () => {
    const file = await write('good.csv', ['指标,累计值,同比增长', '一般公共预算收入,14.8,2.1', '地区生产总值,263.5,5.4']);
    const r = await runCli(['check', '--report', 'yuquan-2023', '--period', '2023Q3', '--figures', file], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok  figures');
    expect(r.stdout).toContain('缺数据 21');
  });
});

describe('jibao --help', () => {
  it('lists the commands, and each has its own help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['run', 'render', 'check']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
    const run = await runCli(['run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--figures <file>');
    expect(run.stdout).toContain('--period <period>');
  });
});
