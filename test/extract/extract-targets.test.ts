import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { targetsFileSchema } from '../../worker/config/targets-file.ts';
import { parseYaml } from '../../worker/config/yaml-file.ts';
import { draftToYaml, extractTargets, type DraftIndicator, type TargetsDraft } from '../../worker/extract/extract-targets.ts';

/** The sample report's text, kept with its job (a copy of ../shared/seed/yuquan-2023-work-report.txt). */
const SEED = path.resolve(import.meta.dirname, '../../jobs/yuquan-2023/work-report.txt');
const TARGETS_SENTENCE = '主要预期目标是:地区生产总值增长6%左右,一般公共预算收入完成25亿元,城镇登记失业率控制在4.5%以内,城乡居民收入增长与经济增长基本同步';
const TRADITIONAL_SENTENCE = '地區生產總值增長6%左右，一般公共預算收入完成25億元，城鎮登記失業率控制在4.5%以內，城鄉居民收入增長與經濟增長基本同步';
const SIX_SECTIONS = ['筑牢生态保护屏障', '筑牢安全稳定屏障', '聚焦改革创新', '优化产业结构', '统筹建设管理', '改善民生福祉'];

/** What the CLI prints for each indicator with --json. */
const essentials = (i: DraftIndicator) => ({ name: i.name, value: i.value, unit: i.unit, kind: i.kind, qualifier: i.qualifier });
const findingsOf = (draft: TargetsDraft, rule: string) => draft.findings.filter((f) => f.rule === rule);

describe('extractTargets: a sentence of targets', () => {
  it('reads the four targets of the 主要预期目标 sentence, with ASCII punctuation', () => {
    const draft = extractTargets(TARGETS_SENTENCE);
    expect(draft.script).toBe('simplified');
    expect(draft.indicators.map(essentials)).toEqual([
      { name: '地区生产总值', value: 6, unit: '%', kind: 'growth', qualifier: '左右' },
      { name: '一般公共预算收入', value: 25, unit: '亿元', kind: 'cumulative', qualifier: null },
      { name: '城镇登记失业率', value: 4.5, unit: '%', kind: 'ceiling', qualifier: '以内' },
      { name: '城乡居民收入增长', value: null, unit: '', kind: 'qualitative', qualifier: '同步' },
    ]);
    expect(draft.indicators.every((i) => i.role === 'target')).toBe(true);
    expect(draft.indicators[0]!.raw).toBe('地区生产总值增长6%左右');
    expect(draft.indicators[3]!.targetText).toBe('与经济增长基本同步');
    expect(draft.findings).toEqual([]);
  });

  it('reads the same sentence in traditional script, keeping the original snippets', () => {
    const simplified = extractTargets(TARGETS_SENTENCE);
    const traditional = extractTargets(TRADITIONAL_SENTENCE);
    expect(traditional.script).toBe('traditional');
    expect(extractTargets(`（一）築牢生態保護屏障\n${TRADITIONAL_SENTENCE}`).sections).toEqual(['筑牢生态保护屏障']);
    expect(traditional.indicators.map(essentials)).toEqual(simplified.indicators.map(essentials));
    expect(traditional.indicators.map((i) => i.raw)).toEqual(['地區生產總值增長6%左右', '一般公共預算收入完成25億元', '城鎮登記失業率控制在4.5%以內', '城鄉居民收入增長與經濟增長基本同步']);
  });

  it('gives a clause without a subject the one before it, and its snippet', () => {
    const [amount, growth] = extractTargets('地区生产总值实现358亿元,同比增长2%').indicators;
    expect(essentials(amount!)).toEqual({ name: '地区生产总值', value: 358, unit: '亿元', kind: 'cumulative', qualifier: null });
    expect(essentials(growth!)).toEqual({ name: '地区生产总值', value: 2, unit: '%', kind: 'growth', qualifier: null });
    expect(growth!.raw).toBe('地区生产总值实现358亿元,同比增长2%');
  });

  it('tells rates, amounts, limits and handed-down targets apart', () => {
    const draft = extractTargets('居民电子健康档案建档率达到91%；城镇新增就业1.1万人；单位地区生产总值能耗下降3%；粮食总产量稳定在7500吨以上；城镇调查失业率不超过5.5%；能耗“双控”完成自治区下达的目标任务。');
    expect(draft.indicators.map(essentials)).toEqual([
      { name: '居民电子健康档案建档率', value: 91, unit: '%', kind: 'level', qualifier: null },
      { name: '城镇新增就业', value: 1.1, unit: '万人', kind: 'cumulative', qualifier: null },
      { name: '单位地区生产总值能耗', value: -3, unit: '%', kind: 'growth', qualifier: null },
      { name: '粮食总产量', value: 7500, unit: '吨', kind: 'cumulative', qualifier: '以上' },
      { name: '城镇调查失业率', value: 5.5, unit: '%', kind: 'ceiling', qualifier: null },
      { name: '能耗“双控”', value: null, unit: '', kind: 'qualitative', qualifier: '完成上级下达任务' },
    ]);
  });

  it('splits lists: one value per name with 分别, and items that share a verb', () => {
    const draft = extractTargets('刑事案件、治安案件同比分别下降15%和8%；新建口袋公园65处、绿道40公里。');
    expect(draft.indicators.map(essentials)).toEqual([
      { name: '刑事案件', value: -15, unit: '%', kind: 'growth', qualifier: null },
      { name: '治安案件', value: -8, unit: '%', kind: 'growth', qualifier: null },
      { name: '新建口袋公园', value: 65, unit: '处', kind: 'cumulative', qualifier: null },
      { name: '新建绿道', value: 40, unit: '公里', kind: 'cumulative', qualifier: null },
    ]);
  });

  it('takes the role from the section: results under 回顾, targets under 安排', () => {
    const draft = extractTargets('一、2022年工作回顾\n城镇登记失业率控制在4%以内。\n二、2023年工作安排\n城镇登记失业率控制在4.5%以内。');
    expect(draft.indicators.map((i) => [i.value, i.role, i.section])).toEqual([
      [4, 'result', '2022年工作回顾'],
      [4.5, 'target', '2023年工作安排'],
    ]);
  });
});

describe('extractTargets: sections', () => {
  it('lists headings without their numbering, once, in order of first appearance', () => {
    const text = ['一、回顾', '二、安排', '（一）稳增长', '(二)惠民生', '一、回顾', '工作正文。', '二、安排', '（一）稳增长。今年地区生产总值增长6%左右。'].join('\n');
    const draft = extractTargets(text);
    expect(draft.sections).toEqual(['回顾', '安排', '稳增长', '惠民生']);
    // A heading followed by body text on the same line: the body is read too, under that heading.
    expect(draft.indicators.map((i) => [i.name, i.section])).toEqual([['地区生产总值', '稳增长']]);
  });
});

describe('extractTargets: the seed report (yuquan 2023)', () => {
  const draft = extractTargets(readFileSync(SEED, 'utf8'));
  const finding = (rule: string, rawPart: string) => findingsOf(draft, rule).find((f) => f.raw.includes(rawPart));

  it('finds its title and its six 2023 headings in order', () => {
    expect(draft.title).toBe('2023年玉泉区政府工作报告');
    expect(draft.sections.filter((s) => SIX_SECTIONS.includes(s))).toEqual(SIX_SECTIONS);
    expect(draft.sections).toContain('2022年工作回顾');
  });

  it('reads the review as results, values as written', () => {
    expect(draft.indicators.length).toBeGreaterThanOrEqual(50);
    expect(draft.indicators.every((i) => i.role === 'result')).toBe(true);
    const byName = (name: string) => draft.indicators.filter((i) => i.name === name).map(essentials);
    expect(byName('地区生产总值')).toEqual([
      { name: '地区生产总值', value: 358, unit: '亿元', kind: 'cumulative', qualifier: null },
      { name: '地区生产总值', value: 2, unit: '%', kind: 'growth', qualifier: null },
    ]);
    expect(byName('一般公共预算收入')).toEqual([{ name: '一般公共预算收入', value: 2001, unit: '亿元', kind: 'cumulative', qualifier: null }]);
    expect(byName('机扫率')).toEqual([{ name: '机扫率', value: 91, unit: '%', kind: 'level', qualifier: null }]);
    expect(byName('城镇新增就业')).toEqual([{ name: '城镇新增就业', value: 11, unit: '万人', kind: 'cumulative', qualifier: null }]);
  });

  it('flags the numbers that lost their decimal point, with candidate readings', () => {
    expect(finding('amount-exceeds-whole', '一般公共预算收入完成2001亿元')?.candidates).toEqual([200.1, 20.01, 2.001]);
    expect(finding('implausible-growth', '同比增长35%')?.candidates).toEqual([3.5]);
    expect(finding('percent-over-100', '本科上线率达到831%')?.candidates).toEqual([83.1, 8.31]);
    const falls = findingsOf(draft, 'percent-over-100').filter((f) => f.raw.includes('下降758%和108%'));
    expect(falls.map((f) => f.candidates)).toEqual([[75.8, 7.58], [10.8, 1.08]]);
    const doc = findingsOf(draft, 'no-decimal-point');
    expect(doc).toHaveLength(1);
    expect(doc[0]!.candidates).toEqual([]);
    expect(doc[0]!.indicator).toBeNull();
  });

  it('ties each finding to its indicator and leaves the plausible numbers alone', () => {
    for (const f of draft.findings.filter((x) => x.indicator !== null)) expect(draft.indicators[f.indicator!]!.raw).toBe(f.raw);
    const flagged = draft.findings.map((f) => f.raw);
    expect(flagged.some((r) => r.includes('社会消费品零售总额完成130亿元'))).toBe(false);
    expect(flagged.some((r) => r.includes('中考上线人数同比增长10%'))).toBe(false);
  });
});

describe('extractTargets: findings on made-up text', () => {
  const amounts = (n: number, withDecimal: boolean) =>
    Array.from({ length: n }, (_, i) => `项目${i + 1}完成${i + 10}个`).join('，') + (withDecimal ? '，一般公共预算收入完成20.01亿元。' : '。');

  it('raises no-decimal-point only when many numbers carry no point at all', () => {
    expect(findingsOf(extractTargets(amounts(25, false)), 'no-decimal-point')).toHaveLength(1);
    expect(findingsOf(extractTargets(amounts(25, true)), 'no-decimal-point')).toEqual([]);
    expect(findingsOf(extractTargets(amounts(5, false)), 'no-decimal-point')).toEqual([]);
  });

  it('flags a leading zero on the indicator it belongs to', () => {
    const draft = extractTargets('城镇登记失业率控制在05%以内，地区生产总值增长6%左右。');
    const [zero, ...rest] = findingsOf(draft, 'leading-zero');
    expect(rest).toEqual([]);
    expect(zero).toMatchObject({ rule: 'leading-zero', candidates: [0.5], raw: '城镇登记失业率控制在05%以内', indicator: 0 });
    expect(essentials(draft.indicators[0]!)).toEqual({ name: '城镇登记失业率', value: 5, unit: '%', kind: 'ceiling', qualifier: '以内' });
  });

  it('keeps the growth band for economic aggregates and incomes, not for everything', () => {
    const draft = extractTargets('地区生产总值增长45%；社会消费品零售总额增长12%；高考本科上线人数同比增长45%。');
    expect(findingsOf(draft, 'implausible-growth').map((f) => [f.raw, f.candidates])).toEqual([['地区生产总值增长45%', [4.5]]]);
  });

  it('compares amounts with the 地区生产总值 of the same text, keeping candidates below it', () => {
    const draft = extractTargets('地区生产总值实现358亿元；固定资产投资完成4289亿元；工业总产值实现1175亿元；一般公共预算收入完成21亿元。');
    expect(findingsOf(draft, 'amount-exceeds-whole').map((f) => [f.raw, f.candidates])).toEqual([['固定资产投资完成4289亿元', [42.89, 4.289]]]);
  });
});

describe('draftToYaml', () => {
  const validate = (yaml: string) => parseYaml('draft.yaml', yaml, targetsFileSchema);

  it('writes a targets file that validates, with placeholders, snippets and a machine-draft header', () => {
    const draft = extractTargets(`2024年某区政府工作报告\n二、2024年工作安排\n${TARGETS_SENTENCE}。`);
    const yaml = draftToYaml(draft, { reportId: 'mou-2024', year: 2024, region: '某市某区' });
    const file = validate(yaml);
    expect(file.report).toMatchObject({ id: 'mou-2024', year: 2024, region: '某市某区', document: '2024年某区政府工作报告' });
    expect(file.sections).toEqual([{ id: 'sec-01', name: '2024年工作安排' }]);
    expect(file.indicators.map((i) => [i.id, i.name, i.kind, i.section, i.lead])).toEqual([
      ['ind-01', '地区生产总值', 'growth', 'sec-01', ['待定']],
      ['ind-02', '一般公共预算收入', 'cumulative', 'sec-01', ['待定']],
      ['ind-03', '城镇登记失业率', 'ceiling', 'sec-01', ['待定']],
      ['ind-04', '城乡居民收入增长', 'qualitative', 'sec-01', ['待定']],
    ]);
    expect(file.indicators[3]).toMatchObject({ target_text: '与经济增长基本同步', qualifier: '同步' });
    expect(file.indicators[0]).toMatchObject({ unit: '%', target: 6, qualifier: '左右' });
    expect(yaml.startsWith('# 机器草稿')).toBe(true);
    expect(yaml).toContain('# 原文：城镇登记失业率控制在4.5%以内');
  });

  it('drafts the seed report from its results (it has no targets), findings as comments', () => {
    const draft = extractTargets(readFileSync(SEED, 'utf8'));
    const yaml = draftToYaml(draft, { reportId: 'yuquan-2023', year: 2023 });
    const file = validate(yaml);
    expect(file.sections.map((s) => s.name)).toEqual(expect.arrayContaining(SIX_SECTIONS));
    // 358亿元 and 同比增长2% become one growth indicator with its amount, as in the hand-written file.
    expect(file.indicators.find((i) => i.name === '地区生产总值')).toMatchObject({ kind: 'growth', target: 2, value_unit: '亿元', baseline_value: 358 });
    expect(new Set(file.indicators.map((i) => i.name)).size).toBe(file.indicators.length);
    expect(yaml).toContain('疑点 [amount-exceeds-whole] 一般公共预算收入2001亿元');
    expect(yaml).toContain('[no-decimal-point]');
    expect(yaml).toContain('文中未找到本年目标');
    // Comments are comments: the parsed document holds no trace of them.
    expect(JSON.stringify(parseDocument(yaml).toJS())).not.toContain('原文');
  });

  it('puts last year’s result under the target of the same name as its baseline', () => {
    const text = '一、2022年工作回顾\n地区生产总值实现358亿元，同比增长2%；城镇登记失业率控制在4%以内。\n二、2023年工作安排\n地区生产总值增长6%左右，城镇登记失业率控制在4.5%以内。';
    const file = validate(draftToYaml(extractTargets(text), { reportId: 'r-2023', year: 2023 }));
    expect(file.indicators.map((i) => i.kind === 'qualitative' || i.kind === 'monitor' || i.kind === 'relative' ? i : { name: i.name, target: i.target, baseline: i.baseline })).toEqual([
      { name: '地区生产总值', target: 6, baseline: 2 },
      { name: '城镇登记失业率', target: 4.5, baseline: 4 },
    ]);
    expect(file.indicators[0]).toMatchObject({ value_unit: '亿元', baseline_value: 358 });
  });

  it('refuses a report id the targets file would reject', () => {
    expect(() => draftToYaml(extractTargets(TARGETS_SENTENCE), { reportId: 'Yuquan 2023', year: 2023 })).toThrow(/report id/);
  });
});
