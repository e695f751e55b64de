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

  it('shows a monitor indicator, a 左右 target, a relative target and seasonal indicators', async () => {
    const report = await loadTargets(path.join(JOBS, 'yuquan-2023/targets.yaml'), 'yuquan-2023');
    const byId = (id: string) => report.indicators.find((i) => i.id === id);
    expect(byId('retail-sales')).toMatchObject({ kind: 'monitor', unit: '亿元', baseline: 130 });
    expect(byId('gdp')).toMatchObject({ kind: 'growth', qualifier: '左右' });
    expect(byId('income-sync')).toMatchObject({ kind: 'relative', measure: 'growth', relation: 'in_step', reference: 'gdp', unit: '%' });
    expect(byId('grain-output')).toMatchObject({ kind: 'cumulative', seasonal: 'year-end' });
    expect(byId('sown-area')).toMatchObject({ kind: 'cumulative', seasonal: 'last-year', baseline: 9.6 });
    expect(report.thresholds).toMatchObject({ tolerancePoints: 0.5, tolerancePercent: 2 });
    expect(report.yearEnd).toEqual({ exceeded: false });
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

  const add = (line: string, head = '') => minimal.replace('sections:', `${head}sections:`) + line + '\n';
  const gdp = '  - { id: gdp, name: 地区生产总值, section: econ, kind: growth, unit: "%", target: 6, qualifier: 左右, lead: [甲] }\n';
  const relative = (extra: string) => `  - { id: r, name: 收入同步, section: econ, kind: relative, target_text: 与经济增长同步, measure: growth, relation: in_step${extra}, lead: [甲] }`;

  it('accepts monitor and relative indicators, tolerances, seasonal indicators and the year-end wording', () => {
    const text = add(
      `${gdp}  - { id: m, name: 社会消费品零售总额, section: econ, kind: monitor, unit: 亿元, baseline: 130, lead: [甲] }
${relative(', reference: gdp, tolerance: 0.3')}
  - { id: g, name: 粮食总产量, section: econ, kind: cumulative, unit: 吨, target: 7500, seasonal: year-end, lead: [甲] }
  - { id: s, name: 播种面积, section: econ, kind: cumulative, unit: 万亩, target: 9.7, baseline: 9.6, seasonal: last-year, lead: [甲] }
  - { id: c, name: 全市增速, section: econ, kind: relative, target_text: 高于全市平均水平, measure: growth, relation: above, reference: m, lead: [甲] }`,
      'thresholds: { tolerance_points: 0.3, tolerance_percent: 1 }\nyear_end: { exceeded: true }\n',
    );
    expect(issues(text)).toEqual([]);
    const report = toReport(parseYaml('targets.yaml', text, targetsFileSchema));
    expect(report.indicators.find((i) => i.id === 'r')).toMatchObject({ kind: 'relative', unit: '%', reference: 'gdp', tolerance: 0.3, targetText: '与经济增长同步' });
    expect(report.indicators.find((i) => i.id === 'm')).toMatchObject({ kind: 'monitor', unit: '亿元', baseline: 130 });
    expect(report.indicators.find((i) => i.id === 'g')).toMatchObject({ seasonal: 'year-end' });
    expect(report.thresholds).toMatchObject({ tolerancePoints: 0.3, tolerancePercent: 1, cumulativePoints: 10 });
    expect(report.yearEnd).toEqual({ exceeded: true });
    // Defaults when the file says nothing.
    const plain = toReport(parseYaml('targets.yaml', minimal, targetsFileSchema));
    expect(plain.thresholds).toMatchObject({ tolerancePoints: 0.5, tolerancePercent: 2 });
    expect(plain.yearEnd).toBeUndefined();
  });

  it('rejects bad combinations, naming the path', () => {
    expect(issues(add(relative(', reference: nowhere')))).toEqual(['indicators[1].reference: no indicator with id "nowhere"']);
    expect(issues(add(relative(', reference: r')))).toEqual(['indicators[1].reference: an indicator cannot be its own reference']);
    expect(issues(add(`  - { id: q, name: 定性, section: econ, kind: qualitative, target_text: 完成, lead: [甲] }\n${relative(', reference: q')}`))).toEqual([
      'indicators[2].reference: "q" is qualitative and has no figure to compare with',
    ]);
    expect(issues(add(relative(', unit: 亿元')))).toEqual(['indicators[1].unit: a relative target on growth is in "%"']);
    expect(issues(add(relative('').replace('measure: growth', 'measure: value')))).toEqual(['indicators[1].unit: a relative target on a value needs the unit of that value']);
    expect(issues(add(relative('').replace('measure: growth', 'measure: value') .replace('relation: in_step', 'relation: in_step, unit: 元, reference: a')))).toEqual([
      'indicators[1].reference: "a" is in 亿元, this indicator in 元; a value is compared in the same unit',
    ]);
    expect(issues(add(relative('').replace('relation: in_step', 'relation: faster')))[0]).toMatch(/^indicators\[1\]\.relation: expected relation: above, at_least or in_step/);
    expect(issues(add(gdp.replace('qualifier: 左右', 'tolerance: -0.5')))).toEqual(['indicators[1].tolerance: a tolerance is 0 or more']);
    expect(issues(add('', 'thresholds: { tolerance_points: -1 }\n'))).toEqual(['thresholds.tolerance_points: a tolerance is 0 or more']);
    expect(issues(minimal.replace('target: 10,', 'target: 10, seasonal: last-year,'))).toEqual([
      "indicators[0].seasonal: seasonal: last-year compares with last year's progress and needs baseline (last year's total, above 0)",
    ]);
    expect(issues(minimal.replace('target: 10,', 'target: 10, seasonal: spring,'))).toEqual(['indicators[0].seasonal: expected seasonal: year-end or last-year']);
    // Seasonal is for cumulative amounts only; a monitor has no target or tolerance.
    expect(issues(add(gdp.replace('qualifier: 左右', 'seasonal: year-end'))).join()).toMatch(/indicators\[1\]: Unrecognized key: "seasonal"/);
    expect(issues(add('  - { id: m, name: 监测, section: econ, kind: monitor, unit: 亿元, target: 5, lead: [甲] }')).join()).toMatch(/indicators\[1\]: Unrecognized key: "target"/);
    expect(issues(add('  - { id: m, name: 监测, section: econ, kind: monitor, unit: 亿元, tolerance: 1, lead: [甲] }'))).toEqual([
      'indicators[1].tolerance: a monitor indicator is not judged against a number; remove tolerance',
    ]);
    expect(issues(add('', 'year_end: { exceeded: yes-please }\n')).join()).toMatch(/^year_end\.exceeded/);
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
