import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { targetsFileSchema } from '../../worker/config/targets-file.ts';
import { parseYaml } from '../../worker/config/yaml-file.ts';
import { ROOT, runCli, tempDir } from '../support/cli.ts';
import { validateDraft } from '../extract/validate-draft.ts';

const SEED = path.join(ROOT, 'jobs/yuquan-2023/work-report.txt');

describe('jibao targets extract', () => {
  it('prints the four indicators of a targets sentence as JSON', async () => {
    const dir = await tempDir('extract');
    const file = path.join(dir, 'report.txt');
    // Written in GB18030 would need an encoder; UTF-8 with a BOM is what Notepad saves.
    await writeFile(file, '\uFEFF主要预期目标是:地区生产总值增长6%左右,一般公共预算收入完成25亿元,城镇登记失业率控制在4.5%以内,城乡居民收入增长与经济增长基本同步\n');
    const r = await runCli(['targets', 'extract', file, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.indicators.map((i: { name: string; kind: string; value: number | null; unit: string; qualifier: string | null }) => [i.name, i.kind, i.value, i.unit, i.qualifier])).toEqual([
      ['地区生产总值', 'growth', 6, '%', '左右'],
      ['一般公共预算收入', 'cumulative', 25, '亿元', null],
      ['城镇登记失业率', 'ceiling', 4.5, '%', '以内'],
      ['城乡居民收入', 'relative', null, '%', null],
    ]);
    expect(json.findings).toEqual([]);
  });

  it("flags the seed report's lost decimal points, and drafts a YAML that the targets schema accepts", async () => {
    const r = await runCli(['targets', 'extract', SEED, '--json']);
    expect(r.code).toBe(0);
    const { findings } = JSON.parse(r.stdout) as { findings: { raw: string; rule: string; candidates: number[] }[] };
    const byRaw = (s: string) => findings.find((f) => f.raw.includes(s));
    expect(byRaw('2001亿元')!.candidates).toContain(20.01);
    expect(byRaw('同比增长35%')!.candidates).toEqual([3.5]);
    expect(byRaw('831%')!.candidates).toContain(83.1);
    expect(findings.some((f) => f.rule === 'no-decimal-point')).toBe(true);
    expect(r.stderr).toMatch(/^finding: \[no-decimal-point\]/m);

    const yaml = await runCli(['targets', 'extract', SEED, '--id', 'yuquan-2023']);
    expect(yaml.code).toBe(0);
    const parsed = parseYaml('draft.yaml', yaml.stdout, targetsFileSchema);
    expect(parsed.report.id).toBe('yuquan-2023');
    expect(parsed.indicators.find((i) => i.name === '一般公共预算收入')).toMatchObject({ kind: 'cumulative', baseline: 2001 }); // as written: never corrected silently
    expect(yaml.stdout).toContain('可能为200.1或20.01或2.001');
  });

  it('drafts real 主要预期目标 wording: relative targets, ceilings, lists that share a verb, and lists unread numbers', async () => {
    const dir = await tempDir('extract');
    const file = path.join(dir, 'report.txt');
    // 福建省 2023 and 罗湖区 2023 (test/fixtures/work-reports), plus a clause the grammar does not read.
    await writeFile(
      file,
      '2023年经济社会发展的主要预期目标是:地区生产总值增长6%左右,城镇居民、农村居民人均可支配收入分别增长7%、7.5%,城镇调查失业率5.5%左右,居民消费价格涨幅3%左右,粮食总产量稳定在507万吨以上,居民人均可支配收入增速与GDP增速基本同步,研发经费投入强度提高0.2个百分点。\n',
    );
    const json = await runCli(['targets', 'extract', file, '--json']);
    expect(json.code).toBe(0);
    const { indicators, findings } = JSON.parse(json.stdout) as { indicators: { name: string; kind: string; value: number | null }[]; findings: { rule: string; raw: string }[] };
    expect(indicators.map((i) => [i.name, i.kind, i.value])).toEqual([
      ['地区生产总值', 'growth', 6],
      ['城镇居民人均可支配收入', 'growth', 7],
      ['农村居民人均可支配收入', 'growth', 7.5],
      ['城镇调查失业率', 'ceiling', 5.5],
      ['居民消费价格涨幅', 'ceiling', 3],
      ['粮食总产量', 'cumulative', 507],
      ['居民人均可支配收入', 'relative', null],
    ]);
    expect(findings).toEqual([{ rule: 'unused-number', raw: '研发经费投入强度提高0.2个百分点', candidates: [] }]);
    expect(json.stderr).toMatch(/^finding: \[unused-number\].*“0\.2”/m);

    const yaml = await runCli(['targets', 'extract', file, '--id', 'fujian-2023']);
    expect(yaml.code).toBe(0);
    const draft = validateDraft(yaml.stdout);
    expect(draft.indicators.find((i) => i.kind === 'relative')).toMatchObject({ relation: 'in_step', measure: 'growth', reference: 'ind-01' });
  });

  it('names a missing file', async () => {
    const r = await runCli(['targets', 'extract', '/nonexistent/report.txt']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: \/nonexistent\/report\.txt: no such file$/m);
  });
});
