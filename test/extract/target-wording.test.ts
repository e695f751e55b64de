/**
 * Issue 10 §4: the wording of real 主要预期目标 that the extractor must read, the numbers it must
 * not drop silently, and the lost decimal points it must find by context (never correcting them).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { draftToYaml, extractTargets, type DraftIndicator, type TargetsDraft } from '../../worker/extract/extract-targets.ts';
import { validateDraft } from './validate-draft.ts';

const SEED = path.resolve(import.meta.dirname, '../../jobs/yuquan-2023/work-report.txt');
const targets = (sentence: string) => extractTargets(`主要预期目标是:${sentence}`);
const essentials = (i: DraftIndicator) => ({ name: i.name, value: i.value, unit: i.unit, kind: i.kind, qualifier: i.qualifier });
const relativeOf = (i: DraftIndicator) => ({ name: i.name, kind: i.kind, relation: i.relation, measure: i.measure, referenceText: i.referenceText });
const findingsOf = (draft: TargetsDraft, rule: string) => draft.findings.filter((f) => f.rule === rule);

describe('target wording', () => {
  it('reads absolute targets in any unit', () => {
    const draft = targets('港口货物吞吐量达到3.2亿吨,粮食总产量稳定在60万吨以上,粮食产量保持在1.3万亿斤以上,集装箱吞吐量突破120万标箱');
    expect(draft.indicators.map(essentials)).toEqual([
      { name: '港口货物吞吐量', value: 3.2, unit: '亿吨', kind: 'cumulative', qualifier: null },
      { name: '粮食总产量', value: 60, unit: '万吨', kind: 'cumulative', qualifier: '以上' },
      { name: '粮食产量', value: 1.3, unit: '万亿斤', kind: 'cumulative', qualifier: '以上' },
      { name: '集装箱吞吐量', value: 120, unit: '万标箱', kind: 'cumulative', qualifier: '以上' },
    ]);
    expect(draft.indicators.every((i) => i.role === 'target')).toBe(true);
  });

  it('shares one verb among a list of names: 城镇、农村… and 城乡…分别', () => {
    expect(targets('城镇、农村常住居民人均可支配收入分别增长6%和7.5%左右').indicators.map(essentials)).toEqual([
      { name: '城镇常住居民人均可支配收入', value: 6, unit: '%', kind: 'growth', qualifier: '左右' },
      { name: '农村常住居民人均可支配收入', value: 7.5, unit: '%', kind: 'growth', qualifier: '左右' },
    ]);
    expect(targets('城乡居民人均可支配收入分别增长7%和8%以上').indicators.map((i) => [i.name, i.value, i.qualifier])).toEqual([
      ['城镇居民人均可支配收入', 7, '以上'],
      ['农村居民人均可支配收入', 8, '以上'],
    ]);
    // Each value written with its own tail keeps it.
    expect(targets('城镇居民、农村居民人均可支配收入分别增长5.2%左右、7.6%以上').indicators.map((i) => [i.name, i.value, i.qualifier])).toEqual([
      ['城镇居民人均可支配收入', 5.2, '左右'],
      ['农村居民人均可支配收入', 7.6, '以上'],
    ]);
  });

  it('reads 增幅 and 增速 as growth, continuing the subject after an amount', () => {
    expect(targets('固定资产投资增幅16%以上,社会消费品零售总额增速8%,财政总收入达到20亿元、增幅12%以上').indicators.map(essentials)).toEqual([
      { name: '固定资产投资', value: 16, unit: '%', kind: 'growth', qualifier: '以上' },
      { name: '社会消费品零售总额', value: 8, unit: '%', kind: 'growth', qualifier: null },
      { name: '财政总收入', value: 20, unit: '亿元', kind: 'cumulative', qualifier: null },
      { name: '财政总收入', value: 12, unit: '%', kind: 'growth', qualifier: '以上' },
    ]);
  });

  it('holds prices and unemployment under a ceiling, however written', () => {
    const draft = targets('物价涨幅控制在3%以内,居民消费价格涨幅3%左右,城镇调查失业率5.5%左右,城镇登记失业率控制在5.5%以内');
    expect(draft.indicators.map(essentials)).toEqual([
      { name: '物价涨幅', value: 3, unit: '%', kind: 'ceiling', qualifier: '以内' },
      { name: '居民消费价格涨幅', value: 3, unit: '%', kind: 'ceiling', qualifier: '左右' },
      { name: '城镇调查失业率', value: 5.5, unit: '%', kind: 'ceiling', qualifier: '左右' },
      { name: '城镇登记失业率', value: 5.5, unit: '%', kind: 'ceiling', qualifier: '以内' },
    ]);
    // A share that is not a price stays a level.
    expect(targets('森林覆盖率达到35%').indicators[0]).toMatchObject({ kind: 'level' });
  });

  it('keeps relative targets as the relative kind, with relation, measure and what they are compared with', () => {
    const draft = targets('实现GDP增速高于全市平均水平,城乡居民收入增长与经济增长同步,力争农村居民可支配收入增速快于城镇居民,人均可支配收入不低于全省平均水平');
    expect(draft.indicators.map(relativeOf)).toEqual([
      { name: 'GDP', kind: 'relative', relation: 'above', measure: 'growth', referenceText: '全市平均水平' },
      { name: '城乡居民收入', kind: 'relative', relation: 'in_step', measure: 'growth', referenceText: '经济增长' },
      { name: '农村居民可支配收入', kind: 'relative', relation: 'above', measure: 'growth', referenceText: '城镇居民' },
      { name: '人均可支配收入', kind: 'relative', relation: 'at_least', measure: 'value', referenceText: '全省平均水平' },
    ]);
    // Many indicators at once are no one indicator.
    expect(targets('各项主要经济指标超出全市平均水平').indicators).toEqual([]);
  });

  it('reads a bullet list announced by a 预期目标 line, and sentences after a semicolon of targets', () => {
    const bullets = extractTargets('全年经济社会发展预期目标\n\n●地区生产总值增长5%以上\n\n●城镇新增就业110万人以上\n\n工作回顾\n●城镇新增就业100万人');
    expect(bullets.indicators.map((i) => [i.name, i.value, i.role])).toEqual([
      ['地区生产总值', 5, 'target'],
      ['城镇新增就业', 110, 'target'],
      ['城镇新增就业', 100, 'result'],
    ]);
    const national = extractTargets('主要预期目标是:国内生产总值增长5%左右;城镇新增就业1200万人左右。过去一年城镇新增就业1206万人。');
    expect(national.indicators.map((i) => [i.value, i.role])).toEqual([[5, 'target'], [1200, 'target'], [1206, 'result']]);
  });

  it('reads 翻番 as growth of 100% and names handed-down and city-set targets', () => {
    expect(targets('规上工业产值再次实现翻番').indicators.map(essentials)).toEqual([{ name: '规上工业产值', value: 100, unit: '%', kind: 'growth', qualifier: null }]);
    expect(targets('完成城镇就业市定目标任务,空气优良天数占比完成市定目标,完成省、市下达的节能减排任务,完成节能减排降碳任务').indicators.map((i) => [i.name, i.kind])).toEqual([
      ['城镇就业', 'qualitative'],
      ['空气优良天数占比', 'qualitative'],
      ['节能减排', 'qualitative'],
      ['节能减排降碳', 'qualitative'],
    ]);
    // The year's whole programme is no indicator (the seed's review).
    expect(extractTargets('较好完成了区十八届人大一次会议确定的目标任务。').indicators).toEqual([]);
  });
});

describe('numbers in a target paragraph that the draft did not use', () => {
  it('lists each one as a finding, with its clause', () => {
    const draft = targets('地区生产总值增长6%左右,研发经费投入强度提高0.2个百分点,城镇新增就业1.2万人。');
    expect(draft.indicators.map((i) => i.value)).toEqual([6, 1.2]);
    const unused = findingsOf(draft, 'unused-number');
    expect(unused.map((f) => [f.raw, f.candidates, f.indicator])).toEqual([['研发经费投入强度提高0.2个百分点', [], null]]);
    expect(unused[0]!.message).toContain('“0.2”');
  });

  it('ignores years, date ranges, ordinals and names with digits, and paragraphs without targets', () => {
    const draft = targets('2023年1-6月地区生产总值增长6%左右,第3季度PM2.5浓度控制在35微克以内。');
    expect(findingsOf(draft, 'unused-number').map((f) => f.raw)).toEqual(['第3季度PM2.5浓度控制在35微克以内']);
    expect(findingsOf(draft, 'unused-number')[0]!.message).toContain('“35”');
    // The review is read as results: its unread numbers are not findings.
    expect(findingsOf(extractTargets(readFileSync(SEED, 'utf8')), 'unused-number')).toEqual([]);
  });

  it('shows them in the YAML draft', () => {
    const yaml = draftToYaml(targets('地区生产总值增长6%左右,研发经费投入强度提高0.2个百分点。'), { reportId: 'r-2023', year: 2023 });
    expect(yaml).toMatch(/^# .*\[unused-number\].*“0\.2”/m);
  });
});

describe('lost decimal points found by context, never corrected', () => {
  it('a part larger than its whole: 其中 after a total (a real county review, one point removed)', () => {
    // 2023年县人民政府年度工作总结报告 (https://m.wnwk.com/doc/663091.html): the published figures, then the part without its point.
    const published = '完成财政总收入16.55亿元,增长11.1%,其中公共财政预算收入12.7亿元,增长16.5%;全社会固定资产投资159.75亿元,增长23.8%,其中工业投资137.39亿元,增长16.3%。';
    expect(findingsOf(extractTargets(published), 'part-exceeds-whole')).toEqual([]);
    const draft = extractTargets(published.replace('12.7亿元', '127亿元'));
    const [f, ...rest] = findingsOf(draft, 'part-exceeds-whole');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ raw: '其中公共财政预算收入127亿元', candidates: [12.7, 1.27] });
    expect(draft.indicators[f!.indicator!]!.value).toBe(127); // as written
  });

  it('key-project investment or revenue larger than the 地区生产总值 (泽州县 2022 review, one point removed)', () => {
    // https://qiantufanwen.com/8877.html
    const published = '地区生产总值达到556.4亿元,首次突破500亿元大关;固定资产投资完成157.5亿元;一般公共预算收入完成51.4亿元。58个重点项目进展顺利,全年完成投资141.6亿元;签约项目79个,总投资290.5亿元。';
    expect(findingsOf(extractTargets(published), 'amount-exceeds-whole')).toEqual([]);
    const lost = extractTargets(published.replace('141.6亿元', '1416亿元'));
    expect(findingsOf(lost, 'amount-exceeds-whole').map((f) => [f.raw, f.candidates])).toEqual([['全年完成投资1416亿元', [141.6, 14.16, 1.416]]]);
    // A multi-year total (签约项目总投资) may exceed one year's GDP.
    expect(findingsOf(extractTargets(published.replace('290.5亿元', '2905亿元')), 'amount-exceeds-whole')).toEqual([]);
    // The seed: 59 key projects' 385亿元 against its 358亿元 GDP.
    const seed = findingsOf(extractTargets(readFileSync(SEED, 'utf8')), 'amount-exceeds-whole');
    expect(seed.find((f) => f.raw.includes('完成年度投资385亿元'))?.candidates).toEqual([38.5, 3.85]);
  });

  it('an area larger than the region whose area the text states', () => {
    // The region's area is stated for the test; the other sentences are the seed's.
    const text = '全区总面积208平方公里。农作物播种面积达到96万亩,推广6000亩大豆玉米带状复合种植,累计征收房屋面积66万平方米,道路清扫保洁面积达到1310万平方米。';
    const draft = extractTargets(text);
    expect(findingsOf(draft, 'area-exceeds-region').map((f) => [f.raw, f.candidates])).toEqual([['农作物播种面积达到96万亩', [9.6]]]);
    expect(findingsOf(draft, 'area-exceeds-region')[0]!.message).toContain('总面积208平方公里');
    expect(findingsOf(extractTargets(text.replace('全区总面积208平方公里。', '')), 'area-exceeds-region')).toEqual([]);
    // 长沙县: 1756 km² is 263万亩; a real 10.2万亩 is plausible.
    expect(findingsOf(extractTargets('县域总面积1756平方公里,总人口94万。建设高标准农田10.2万亩。'), 'area-exceeds-region')).toEqual([]);
  });

  it('a count implausible against the population (the seed: 城镇新增就业11万人 among 53万人民群众)', () => {
    const draft = extractTargets(readFileSync(SEED, 'utf8'));
    const counts = findingsOf(draft, 'implausible-count');
    expect(counts.map((f) => [f.raw, f.candidates])).toEqual([['城镇新增就业11万人', [1.1]]]);
    // Visitors are not residents: 接待游客近530万人(次) is no finding.
    expect(counts.some((f) => f.raw.includes('游客'))).toBe(false);
    expect(draft.indicators.find((i) => i.name === '城镇新增就业')?.value).toBe(11); // as written
    // More people than live there at all; and nothing without a stated population.
    expect(findingsOf(extractTargets('常住人口52.6万人。参加基本养老保险人数达到480万人。'), 'implausible-count').map((f) => f.candidates)).toEqual([[48, 4.8]]);
    expect(findingsOf(extractTargets('城镇新增就业11万人。'), 'implausible-count')).toEqual([]);
  });
});

describe('draftToYaml: relative targets', () => {
  it('writes kind: relative with measure, relation and the reference id when the draft has it, else asks for it', () => {
    const draft = targets('地区生产总值增长6%左右,城镇居民人均可支配收入增长6%,居民人均可支配收入与经济增长同步,力争农村居民人均可支配收入增速快于城镇居民,GDP增速高于全市平均水平');
    const yaml = draftToYaml(draft, { reportId: 'r-2023', year: 2023 });
    const file = validateDraft(yaml);
    const relative = file.indicators.filter((i) => i.kind === 'relative');
    expect(relative).toEqual([
      expect.objectContaining({ name: '居民人均可支配收入', relation: 'in_step', measure: 'growth', reference: 'ind-01', unit: '%', target_text: '与经济增长同步' }),
      expect.objectContaining({ name: '农村居民人均可支配收入', relation: 'above', measure: 'growth', reference: 'ind-02', target_text: '快于城镇居民' }),
      expect.objectContaining({ name: 'GDP', relation: 'above', measure: 'growth', target_text: '高于全市平均水平' }),
    ]);
    expect(relative[2]).not.toHaveProperty('reference');
    // The comment sits in the GDP entry, right above its lead.
    expect(yaml).toMatch(/target_text: 高于全市平均水平\n\s+# reference: 填写参照指标的id\n\s+lead:/);
    expect(yaml.match(/# reference: 填写参照指标的id/g)).toHaveLength(1);
  });

  it('drafts every real fixture paragraph into a file that validates', () => {
    const dir = path.resolve(import.meta.dirname, '../fixtures/work-reports');
    for (const f of ['echeng-2023.yaml', 'luohu-2023.yaml', 'fujian-2023.yaml', 'shandong-2023.yaml']) {
      const text = (readFileSync(path.join(dir, f), 'utf8').split('text: |\n')[1] ?? '').split('\nexpected:')[0]!.replace(/^ {2}/gm, '');
      const file = validateDraft(draftToYaml(extractTargets(text), { reportId: 'r-2023', year: 2023 }));
      expect(file.indicators.length).toBeGreaterThan(4);
    }
  });
});
