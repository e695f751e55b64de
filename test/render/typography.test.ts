import path from 'node:path';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { parsePeriod } from '../../worker/domain/period.ts';
import { prepareBriefing } from '../../worker/pipeline/prepare.ts';
import { settingsFromEnv } from '../../worker/config/settings.ts';
import { loadFonts } from '../../worker/render/fonts.ts';
import { renderBriefing } from '../../worker/render/briefing.ts';
import { issueNumber } from '../../worker/render/briefing-model.ts';
import { BOTTOM, PAGE } from '../../worker/render/page.ts';
import { tempDir } from '../support/cli.ts';

/** One piece of text on a page, in top-down coordinates (pt from the page's top edge). */
interface Item {
  readonly str: string;
  readonly x: number;
  readonly top: number;
  readonly bottom: number;
}

async function pageItems(pdf: Uint8Array): Promise<Item[][]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: Item[][] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const h = page.view[3]!;
    const content = await page.getTextContent();
    pages.push(
      content.items.flatMap((it) => {
        if (!('str' in it) || it.str.trim() === '') return [];
        const base = h - (it.transform[5] as number);
        return [{ str: it.str, x: it.transform[4] as number, top: base - it.height * 0.9, bottom: base + it.height * 0.2 }];
      }),
    );
  }
  await doc.destroy();
  return pages;
}

/** What the layout put in the type area (the banner above it and the page number below it left out). */
const body = (items: readonly Item[]) => items.filter((i) => i.top >= PAGE.top - 2 && i.bottom <= BOTTOM + 4);

interface Spec {
  readonly name: string;
  readonly kind: 'cumulative' | 'growth' | 'level';
  readonly unit: string;
  readonly target: number;
  readonly lead: string;
  readonly value: number;
  readonly yoy?: number;
  readonly decimals?: number;
}

/** A report in a temporary jobs folder: no key tasks, figures without a 来源 column. */
async function jobsWith(indicators: readonly Spec[], sections = 3): Promise<string> {
  const jobs = await tempDir('typo-jobs');
  const dir = path.join(jobs, 'typo-2023');
  await mkdir(path.join(dir, 'figures'), { recursive: true });
  const ind = indicators.map((s, i) => {
    const common = `id: ind-${i}, name: ${s.name}, section: s${i % sections}, lead: [${s.lead}]${s.decimals !== undefined ? `, decimals: ${s.decimals}` : ''}`;
    if (s.kind === 'growth') return `  - { ${common}, kind: growth, unit: "%", value_unit: ${s.unit}, target: ${s.target}, qualifier: 左右 }`;
    if (s.kind === 'level') return `  - { ${common}, kind: level, unit: ${s.unit}, target: ${s.target}, direction: higher }`;
    return `  - { ${common}, kind: cumulative, unit: ${s.unit}, target: ${s.target} }`;
  });
  const names = ['筑牢生态安全屏障推进绿色低碳发展', '聚焦改革创新', '优化产业结构', '统筹建设管理', '改善民生福祉'];
  await writeFile(
    path.join(dir, 'targets.yaml'),
    `report: { id: typo-2023, year: 2023, title: 测试区2023年政府工作报告目标任务推进情况, document: 2023年测试区政府工作报告, region: 测试市测试区, office: 测试区人民政府办公室, sample_data: true, sample_notice: 示例数据：测试用 }
sections: [${Array.from({ length: sections }, (_, i) => `{ id: s${i}, name: ${names[i % names.length]}${i >= names.length ? i : ''} }`).join(', ')}]
indicators:
${ind.join('\n')}
`,
  );
  await writeFile(
    path.join(dir, 'job.yaml'),
    `id: typo-2023
title: 测试简报
schedule: { cron: "0 9 20 1,4,7,10 *", timezone: Asia/Shanghai }
source: { type: files, path: figures }
briefing: { name: 目标任务推进情况, sent_to: 区委、区人大常委会、区政协, copied_to: 区政府各部门 }
recipients: { to: [leader@example.org] }
operators: [ops@example.org]
mail: { from: jibao@example.org }
`,
  );
  const rows = indicators.map((s) => `${s.name},2023Q3,${s.value},${s.yoy ?? ''},,,2023-10-20`);
  await writeFile(path.join(dir, 'figures/2023Q3.csv'), ['指标,期间,累计值,同比增长,状态,备注,数据截至', ...rows].join('\n') + '\n');
  return jobs;
}

async function render(jobsDir: string) {
  const settings = { ...settingsFromEnv(), jobsDir };
  const ready = await prepareBriefing({ reportId: 'typo-2023', period: parsePeriod('2023Q3') }, settings);
  if (ready.kind !== 'ready') throw new Error('figures not ready');
  const p = ready.prepared;
  const fonts = await loadFonts(settings.fontsDir);
  const out = await renderBriefing({ templatesDir: settings.templatesDir, template: p.job.template, model: p.model, fonts, creationDate: p.issuedAt });
  // To look at the pages: JIBAO_TYPO_OUT=/some/dir npx vitest run test/render/typography.test.ts
  if (process.env.JIBAO_TYPO_OUT) await writeFile(path.join(process.env.JIBAO_TYPO_OUT, `typo-${p.model.counts.total}.pdf`), out.pdf);
  return { ...out, model: p.model, pages: await pageItems(out.pdf) };
}

/** The defects a leader noticed, each in one indicator: long names and unit names, amounts, signs. */
const DEFECTS: Spec[] = [
  { name: '城乡居民人均可支配收入增长与经济增长同步', kind: 'cumulative', unit: '亿元', target: 21.5, lead: '呼和浩特市生态环境局玉泉区分局', value: 14.8123 },
  { name: '地区生产总值', kind: 'growth', unit: '亿元', target: 6, lead: '区发展和改革委员会', value: 263.4567, yoy: -0.84 },
  { name: '规模以上工业增加值', kind: 'growth', unit: '亿元', target: 8, lead: '区工业和信息化局', value: 31.3612, yoy: 8.1 },
  { name: '新建口袋公园', kind: 'cumulative', unit: '处', target: 20, lead: '区城管执法局', value: 17 },
  { name: '农作物播种面积', kind: 'level', unit: '万亩', target: 9.7, lead: '区农牧局', value: 9.52 },
  { name: '一般公共预算收入', kind: 'cumulative', unit: '亿元', target: 3.5, lead: '区财政局、区税务局', value: 2.7512, decimals: 1 },
  ...Array.from({ length: 18 }, (_, i): Spec => ({ name: `市级以上重点项目完成投资${i + 1}`, kind: 'cumulative', unit: '亿元', target: 45, lead: '区住房和城乡建设局', value: 35.1 - i * 1.5 })),
];

/** Where a word may not be split: a line of a cell never starts with these (区…局, 亿…元, 7500以…上). */
const BAD_LINE_START = /^[局元上下右点率值]/;

describe('a briefing with the names, units and numbers of a real district', () => {
  it('breaks no word inside a cell, no header one character a line, one minus sign, decimals by unit and indicator', async () => {
    const r = await render(await jobsWith(DEFECTS));
    const items = r.pages.flatMap(body);
    const strs = items.map((i) => i.str);
    // No cell line starts inside a word; no header letter alone (完/成/进/度).
    expect(strs.filter((s) => BAD_LINE_START.test(s))).toEqual([]);
    expect(strs.filter((s) => /^[完成进度时序同比目标]$/.test(s))).toEqual([]);
    // Amounts whole on one line, in their unit's decimals (亿元 2) or the indicator's own (decimals: 1).
    const has = (s: string) => strs.some((x) => x.split(' ').includes(s));
    for (const s of ['14.81', '263.46亿元', '31.36亿元', '2.8']) expect(has(s), s).toBe(true);
    expect(strs.join(' ')).not.toMatch(/\d\.\d{3,}/);
    // A unit name short enough is never split, a long one only between words (…环境局 | 玉泉区分局).
    expect(has('区城管执法局')).toBe(true);
    expect(strs.some((s) => s.endsWith('环境局') || s.includes('呼和浩特市生态环境局玉泉区分局'))).toBe(true);
    // Growth rows say 增速（%）and carry their amounts' unit.
    const growth = r.model.sections.flatMap((s) => s.indicators).filter((i) => i.kind === 'growth');
    expect(growth.map((g) => g.unit)).toEqual(['增速（%）', '增速（%）']);
    // One minus sign: U+2212, never a hyphen before a digit.
    const all = r.pages.flat().map((i) => i.str).join(' ');
    expect(all).toContain('−0.8');
    expect(all).not.toMatch(/(^|[^\d])-\d/);
    // No empty 重点任务 section and no row of zeros for tasks; 数据说明 names no file.
    expect(all).not.toContain('重点任务推进情况');
    expect(all).not.toContain('重点任务（项）');
    expect(all).toMatch(/四、\s*数据说明/);
    expect(all).not.toMatch(/figures|\.csv|\//);
    // Justified lines still read as words: copy and search find no spaces between the characters.
    expect(r.pages.map((p) => p.map((i) => i.str).join('')).join('')).not.toMatch(/\p{Script=Han} \p{Script=Han} \p{Script=Han} \p{Script=Han}/u);
    // No heading is the last line of a page: something of its section stands under it.
    for (const page of r.pages) {
      const b = body(page);
      for (const h of b.filter((i) => /^[一二三四五六七八九十]+、/.test(i.str))) {
        expect(b.some((i) => i.top > h.bottom + 2)).toBe(true);
      }
    }
  }, 60_000);
});

/** N cumulative indicators with names of 6 to 20 characters, in five sections. */
function many(n: number): Spec[] {
  const words = ['市级以上', '重点项目', '完成投资', '城镇新增', '就业人数', '农村生活', '垃圾处理', '公共服务'];
  return Array.from({ length: n }, (_, i) => ({
    name: `${words.slice(0, 1 + (i % 5)).join('')}${i}`,
    kind: 'cumulative',
    unit: i % 3 === 0 ? '亿元' : i % 3 === 1 ? '个' : '万平方米',
    target: 100,
    lead: i % 4 === 0 ? '呼和浩特市生态环境局玉泉区分局' : '区统计局',
    value: (i * 37) % 140,
  }));
}

describe('long briefings', () => {
  for (const n of [25, 250, 2500]) {
    it(`${n} indicators: pages as many as the content needs, none near empty, no page of scale labels alone`, async () => {
      const r = await render(await jobsWith(many(n), 5));
      const pages = r.pages.map(body);
      const used = pages.map((b) => (b.length === 0 ? 0 : Math.max(...b.map((i) => i.bottom)) - PAGE.top));
      const need = used.reduce((a, u) => a + u, 0) / PAGE.textHeight;
      expect(pages.length).toBeLessThanOrEqual(Math.ceil(need * 1.1));
      // Every page but the last is at least half full; the last holds more than a line.
      used.slice(0, -1).forEach((u) => expect(u / PAGE.textHeight).toBeGreaterThan(0.5));
      expect(pages.at(-1)!.length).toBeGreaterThan(3);
      for (const b of pages) {
        expect(b.every((i) => /^\d+%$/.test(i.str))).toBe(false);
        // Nothing below the type area.
        for (const i of b) expect(i.bottom).toBeLessThanOrEqual(BOTTOM + 4);
      }
      // The chart's scale (0% … 100%) is on every page the chart is on.
      const chartPages = r.pages.filter((p) => p.some((i) => i.str.startsWith('累计类指标完成进度')));
      expect(chartPages.length).toBeGreaterThan(0);
      for (const p of chartPages) expect(p.some((i) => i.str === '100%')).toBe(true);
    }, 240_000);
  }
});

describe('issue numbers (第N期)', () => {
  const P = parsePeriod;
  it('per kind: a quarter by its quarter, a month by its month', () => {
    expect(issueNumber(P('2023Q4'), 'per-kind', [P('2023-06')])).toBe(4);
    expect(issueNumber(P('2023-06'), 'per-kind', [])).toBe(6);
  });

  it('sequential: every briefing of the year in period order, whatever its kind, stable on a rerun', () => {
    const briefed = [P('2022Q4'), P('2023-06'), P('2023Q2'), P('2023Q3'), P('2023-11')];
    expect(issueNumber(P('2023-06'), 'sequential', briefed)).toBe(1);
    expect(issueNumber(P('2023Q2'), 'sequential', briefed)).toBe(2);
    expect(issueNumber(P('2023Q3'), 'sequential', briefed)).toBe(3);
    expect(issueNumber(P('2023Q4'), 'sequential', briefed)).toBe(5);
    expect(issueNumber(P('2023Q1'), 'sequential', [])).toBe(1);
  });

  it('a job that says issue_numbering: sequential counts the periods its archive holds', async () => {
    const jobsDir = await jobsWith(DEFECTS.slice(0, 3));
    const job = path.join(jobsDir, 'typo-2023/job.yaml');
    await writeFile(job, (await readFile(job, 'utf8')).replace('briefing: { name: 目标任务推进情况,', 'briefing: { name: 目标任务推进情况, issue_numbering: sequential,'));
    const archiveDir = await tempDir('typo-archive');
    for (const p of ['2023-05', '2023-06', '2023Q2']) await mkdir(path.join(archiveDir, 'typo-2023', p, 'v1'), { recursive: true });
    const settings = { ...settingsFromEnv(), jobsDir, archiveDir };
    const ready = await prepareBriefing({ reportId: 'typo-2023', period: parsePeriod('2023Q3') }, settings);
    expect(ready.kind === 'ready' && ready.prepared.model.briefing.issueNumber).toBe(4);
    // The same archive under the default scheme: Q3 is 第3期.
    const perKind = await prepareBriefing({ reportId: 'typo-2023', period: parsePeriod('2023Q3') }, { ...settings, jobsDir: await jobsWith(DEFECTS.slice(0, 3)) });
    expect(perKind.kind === 'ready' && perKind.prepared.model.briefing.issueNumber).toBe(3);
  });
});
