import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadJobDefinition, listReportIds } from '../../worker/config/job-definition.ts';
import { loadTargets, targetsFileSchema, toReport } from '../../worker/config/targets-file.ts';
import { parseYaml } from '../../worker/config/yaml-file.ts';
import { InputError } from '../../worker/domain/issues.ts';
import { INDICATOR_KINDS } from '../../worker/domain/report.ts';

const JOBS = path.resolve(import.meta.dirname, '../../jobs');

describe('the sample report yuquan-2023', () => {
  it('has a valid job definition', async () => {
    const job = await loadJobDefinition(JOBS, 'yuquan-2023');
    expect(job.schedule).toMatchObject({ cron: '0 9 20 1,4,7,10 *', timezone: 'Asia/Shanghai', period: 'previous-quarter', catch_up_hours: 72 });
    expect(job.recipients.to.every((a) => a.endsWith('@example.org'))).toBe(true);
    expect(await listReportIds(JOBS)).toContain('yuquan-2023');
  });

  it('covers every indicator kind, the six 2023 sections, baselines and key tasks, and says it is sample data', async () => {
    const report = await loadTargets(path.join(JOBS, 'yuquan-2023/targets.yaml'), 'yuquan-2023');
    expect(report.sections.map((s) => s.name)).toEqual(['筑牢生态保护屏障', '筑牢安全稳定屏障', '聚焦改革创新', '优化产业结构', '统筹建设管理', '改善民生福祉']);
    expect(new Set(report.indicators.map((i) => i.kind))).toEqual(new Set(INDICATOR_KINDS));
    expect(report.indicators.filter((i) => i.kind !== 'qualitative').length).toBeGreaterThanOrEqual(15);
    expect(report.tasks.map((t) => t.name)).toEqual(expect.arrayContaining(['华润万象城和城南万达广场', '生活垃圾分类场站', '呼市四中新址']));
    expect(report.tasks.length).toBeGreaterThanOrEqual(6);
    expect(report.sampleData).toBe(true);
    expect(report.sampleNotice).toContain('示例数据');
    // Restored decimal points: the seed's 2001亿元 is 20.01亿元.
    expect(report.indicators.find((i) => i.name === '一般公共预算收入')).toMatchObject({ baseline: 20.01 });
  });
});

describe('targets file validation', () => {
  const minimal = `
report: { id: t-2023, year: 2023, title: 标题, document: 报告, region: 区, office: 办公室 }
sections: [{ id: econ, name: 经济 }]
indicators:
  - { id: a, name: 指标甲, section: econ, kind: cumulative, unit: 亿元, target: 10, lead: [甲] }
`;
  const issues = (text: string) => {
    try {
      toReport(parseYaml('targets.yaml', text, targetsFileSchema));
    } catch (e) {
      if (e instanceof InputError) return e.issues.map((i) => `${i.column}: ${i.message}`);
      throw e;
    }
    return [];
  };

  it('accepts a minimal file', () => {
    expect(issues(minimal)).toEqual([]);
  });

  it('names the path inside the file and what is expected', () => {
    expect(issues(minimal.replace('target: 10', 'target: "十"'))).toEqual(['indicators[0].target: expected a number']);
    expect(issues(minimal.replace('kind: cumulative', 'kind: total'))).toEqual([
      'indicators[0].kind: expected kind: cumulative, growth, level, ceiling, qualitative, monitor or relative',
    ]);
    expect(issues(minimal.replace('section: econ, kind', 'section: social, kind'))).toEqual([
      'indicators[0].section: unknown section "social"; expected one of econ',
    ]);
    expect(issues(minimal.replace('lead: [甲]', 'lead: []'))).toEqual(['indicators[0].lead: expected at least one lead unit (牵头单位)']);
    expect(issues(minimal.replace('lead: [甲] }', 'lead: [甲], colour: red }')).join()).toMatch(/indicators\[0\]: Unrecognized key: "colour"/);
    expect(issues(minimal.replace('kind: cumulative, unit: 亿元', 'kind: level, unit: "%"'))[0]).toMatch(/^indicators\[0\]\.direction/);
    expect(issues(minimal.replace('office: 办公室', 'office: 办公室, sample_data: true'))).toEqual([
      'report.sample_notice: sample_data is true: say in sample_notice that the figures are illustrative',
    ]);
  });

  it('reports YAML syntax errors with a line', () => {
    try {
      parseYaml('targets.yaml', 'report: [unclosed\n  x: 1', targetsFileSchema);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).issues[0]).toMatchObject({ file: 'targets.yaml', row: expect.any(Number) });
    }
  });

  it('rejects a job for an unknown report, naming the known ones', async () => {
    await expect(loadJobDefinition(JOBS, 'nowhere-2023')).rejects.toThrow(/no such report "nowhere-2023"; known reports: .*yuquan-2023/);
    await expect(loadJobDefinition(JOBS, '../etc')).rejects.toThrow(/is not a report id/);
  });
});
