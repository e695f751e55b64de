import { describe, expect, it } from 'vitest';
import { parsePeriod } from '../../worker/domain/period.ts';
import { prepareBriefing, type Prepared } from '../../worker/pipeline/prepare.ts';
import { settingsFromEnv } from '../../worker/config/settings.ts';
import { compileTemplate } from '../../worker/render/template.ts';

/** The sample report through the real pipeline and the shipped templates (markup and email text, no PDF). */
async function sample(period: string): Promise<{ p: Prepared; markup: string; email: string; html: string }> {
  const settings = settingsFromEnv({});
  const r = await prepareBriefing({ reportId: 'yuquan-2023', period: parsePeriod(period) }, settings);
  if (r.kind !== 'ready') throw new Error(r.reason);
  const briefing = await compileTemplate(settings.templatesDir, 'briefing');
  const email = await compileTemplate(settings.templatesDir, 'email-text');
  const html = await compileTemplate(settings.templatesDir, 'email-html');
  const delivery = { link: null, archived: `yuquan-2023/${period}/v1`, attached: true };
  const ctx = { ...r.prepared.model, delivery };
  return { p: r.prepared, markup: briefing.render(r.prepared.model), email: email.render(ctx), html: html.render(ctx) };
}

describe('the sample briefing at year end (2023Q4)', () => {
  it('says 完成/未完成 in the summary, table, chart, lagging list and email; never 达序时 or 严重滞后', async () => {
    const { p, markup, email, html } = await sample('2023Q4');
    expect(p.model.period.yearEnd).toBe(true);
    expect(html).toContain('纳入考核的24项指标中：完成<strong>22</strong>项，未完成<strong>2</strong>项，缺数据<strong>0</strong>项。');
    expect(html).toContain('<li>社会消费品零售总额：1-12月为139.60亿元，同比增长7.4%</li>');
    expect(html).not.toMatch(/达序时|严重滞后/);
    expect(p.model.statuses.map((s) => `${s.label}${s.count}`)).toEqual(['完成22', '未完成2', '缺数据0']);
    expect(markup).toContain('纳入考核的24项指标中，<strong>完成22项</strong>，未完成2项。');
    expect(markup).toContain('data-status="not_completed"');
    expect(markup).toContain('<h2>三、未完成指标</h2>');
    expect(markup).not.toMatch(/达序时|严重滞后|时序进度<br>/);
    // GDP target 6%左右, 5.8% → inside the ±0.5 point tolerance → 完成.
    expect(p.evaluation.indicators.find((e) => e.indicator.id === 'gdp')).toMatchObject({ status: 'completed', gap: -0.2, tolerance: 0.5 });
    // 城乡居民收入增长与经济增长同步: 6.4% against GDP's 5.8%.
    expect(p.evaluation.indicators.find((e) => e.indicator.id === 'income-sync')).toMatchObject({ status: 'completed', reference: 5.8, gap: 0.6 });
    expect(email).toContain('2023年全年纳入考核的24项指标中：完成22项，未完成2项，缺数据0项。');
    expect(email).toContain('未完成指标：');
    expect(email).toContain('社会消费品零售总额：1-12月为139.60亿元，同比增长7.4%');
    expect(email).not.toMatch(/达序时|严重滞后/);
  });

  it('shows monitor indicators in their own table, outside the counts', async () => {
    const { p, markup } = await sample('2023Q4');
    expect(p.model.monitors.map((m) => [m.name, m.actual, m.yoy, m.baseline])).toEqual([['社会消费品零售总额', '139.60', '7.4', '130.00']]);
    expect(markup).toContain('<table class="monitors">');
    expect(p.model.counts.total).toBe(24);
    expect(p.evaluation.indicators.some((e) => e.indicator.id === 'retail-sales')).toBe(false);
  });
});

describe('the sample briefing during the year (2023Q3)', () => {
  it('keeps 达序时/滞后/严重滞后, sets seasonal indicators aside and marks last year’s progress', async () => {
    const { p, markup, email } = await sample('2023Q3');
    expect(p.model.period.yearEnd).toBe(false);
    expect(p.model.statuses.map((s) => s.label)).toEqual(['达序时', '滞后', '严重滞后', '年底考核', '缺数据']);
    expect(markup).toContain('年底考核1项');
    expect(p.model.sections.flatMap((s) => s.indicators).find((r) => r.id === 'sown-area')).toMatchObject({ schedule: '100.0*', status: 'lagging' });
    expect(p.model.sections.flatMap((s) => s.indicators).find((r) => r.id === 'grain-output')).toMatchObject({ statusLabel: '年底考核', schedule: '—', gap: '—' });
    expect(markup).toContain('带“*”的为季节性指标上年同期完成进度');
    expect(markup).toContain('<h2>三、滞后指标</h2>');
    expect(email).toMatch(/纳入考核的24项指标中：达序时\d+项，滞后\d+项，严重滞后\d+项，年底考核1项，缺数据0项。/);
  });
});
