import path from 'node:path';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.ts';
import { englishSentence } from '../support/english.ts';

// `jibao check` in a Chinese locale: what passes and what a configuration file gets wrong, both in
// Chinese, each problem with its code. Template and file names are names, not English wording.
const NAMES = ['briefing', 'email-text', 'email-review-text', 'email-review-html', 'aliases'];
const ZH = { JIBAO_LANG: 'zh' };

describe('jibao check in Chinese', () => {
  let jobs: string;
  beforeAll(async () => {
    jobs = await tempDir('zh-check-jobs');
    for (const id of ['yuquan-2023', 'bad-job', 'bad-targets']) await cp(path.join(ROOT, 'jobs/yuquan-2023'), path.join(jobs, id), { recursive: true });
    const job = (id: string) => path.join(jobs, id, 'job.yaml');
    // A job definition with a misspelt field, a bad time zone, a wrong kind of value and a value not allowed.
    await writeFile(
      job('bad-job'),
      (await readFile(job('bad-job'), 'utf8'))
        .replace('id: yuquan-2023', 'id: bad-job\nsubtitle: 多余')
        .replace('timezone: Asia/Shanghai', 'timezone: Mars/Olympus')
        .replace('period: previous-quarter', 'period: previous-week')
        .replace('approve_within_hours: 48', 'approve_within_hours: 四十八'),
    );
    // A targets file with a duplicate section and a misspelt field (so sample_data lacks its notice).
    await writeFile(job('bad-targets'), (await readFile(job('bad-targets'), 'utf8')).replace('id: yuquan-2023', 'id: bad-targets'));
    const targets = path.join(jobs, 'bad-targets', 'targets.yaml');
    const t = (await readFile(targets, 'utf8')).replace('  id: yuquan-2023', '  id: bad-targets');
    await writeFile(targets, t.replace('    name: 筑牢生态保护屏障', '    name: 筑牢生态保护屏障\n  - id: ecology\n    name: 重复篇章').replace('  sample_notice:', '  sample_notice_x:'));
  });

  it('says what passed in Chinese', async () => {
    const r = await runCli(['check', '--report', 'yuquan-2023', '--period', '2023Q3'], { env: { ...ZH, JIBAO_JOBS_DIR: jobs } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('通过'));
    expect(lines).toHaveLength(5); // job definition, targets, templates, figures, briefing
    expect(r.stdout).toMatch(/^通过 {2}简报 /m);
    expect(r.stdout).not.toMatch(/^ok /m);
    expect(englishSentence(r.stdout, NAMES)).toBeUndefined();
  });

  it('a job definition with schema errors: every problem in Chinese with its code', async () => {
    const r = await runCli(['check', '--report', 'bad-job'], { env: { ...ZH, JIBAO_JOBS_DIR: jobs } });
    expect(r.code).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('错误：'));
    const codes = errors.map((l) => /\[([A-Z0-9_]+)\]$/.exec(l)?.[1]).sort();
    expect(codes).toEqual(['CONFIG_FORMAT', 'CONFIG_TYPE', 'CONFIG_UNKNOWN_KEYS', 'CONFIG_VALUE']);
    expect(r.stderr).toContain('应为数字');
    expect(r.stderr).toContain('“previous-quarter”、“previous-month”');
    expect(englishSentence(r.stderr)).toBeUndefined();
  });

  it('a targets file with schema errors: every problem in Chinese with its code', async () => {
    const r = await runCli(['check', '--report', 'bad-targets'], { env: { ...ZH, JIBAO_JOBS_DIR: jobs } });
    expect(r.code).toBe(1);
    const codes = r.stderr.split('\n').filter((l) => l.startsWith('错误：')).map((l) => /\[([A-Z0-9_]+)\]$/.exec(l)?.[1]);
    expect(codes).toContain('CONFIG_UNKNOWN_KEYS');
    expect(codes).toContain('TARGETS_SAMPLE_NOTICE');
    expect(englishSentence(r.stderr)).toBeUndefined();
    // In English the schema's own words stay, with the same codes.
    const en = await runCli(['check', '--report', 'bad-targets'], { env: { JIBAO_JOBS_DIR: jobs } });
    expect(en.stderr).toMatch(/sample_data is true: say in sample_notice that the figures are illustrative \[TARGETS_SAMPLE_NOTICE\]/);
  });

  it('an unknown report and a file that is not YAML: Chinese, with codes', async () => {
    const unknown = await runCli(['check', '--report', 'nowhere-2023'], { env: { ...ZH, JIBAO_JOBS_DIR: jobs } });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/没有报告“nowhere-2023”；现有报告：.*“yuquan-2023” \[REPORT_UNKNOWN\]$/m);
    expect(englishSentence(unknown.stderr)).toBeUndefined();
    await cp(path.join(jobs, 'yuquan-2023'), path.join(jobs, 'not-yaml'), { recursive: true });
    await writeFile(path.join(jobs, 'not-yaml', 'job.yaml'), 'id: not-yaml\ntitle: [未闭合\n');
    const yaml = await runCli(['check', '--report', 'not-yaml'], { env: { ...ZH, JIBAO_JOBS_DIR: jobs } });
    expect(yaml.code).toBe(1);
    expect(yaml.stderr).toMatch(/\[CONFIG_YAML\]$/m);
    expect(englishSentence(yaml.stderr)).toBeUndefined();
  });
});
