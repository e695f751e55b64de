import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as fontkit from 'fontkit';
import { loadFonts } from '../../worker/render/fonts.ts';
import { parseMarkup } from '../../worker/render/markup.ts';
import { renderPdf } from '../../worker/render/pdf.ts';
import { addGlyphFast, type TtfSubset } from '../../worker/render/font-cache.ts';

const FONTS = path.resolve(import.meta.dirname, '../../fonts');
const meta = { title: 't', author: 'a', subject: 's', keywords: 'k', creationDate: new Date('2023-10-20T00:00:00Z') };
const TEXT = '玉泉区2023年前三季度政府工作报告目标任务推进情况：地区生产总值增长6.2%，（一）规模以上工业增加值−3.5个百分点；“十四五”规划 GDP Q3 达序时 严重滞后 𰻞';

/** Composite glyphs (numberOfContours < 0) among the font's first glyphs (the Noto fonts have none; an office's font may): fontkit's own path. */
function composites(font: fontkit.Font, limit: number): number[] {
  const f = font as unknown as TtfSubset['font'];
  const out: number[] = [];
  for (let gid = 0; gid < Math.min(font.numGlyphs, 20_000) && out.length < limit; gid++) {
    const start = f.loca.offsets[gid]!;
    if (f.loca.offsets[gid + 1]! === start) continue;
    const s = f._getTableStream('glyf');
    s.pos += start;
    if (s.readInt16BE() < 0) out.push(gid);
  }
  return out;
}

describe('font subsets without decoding simple glyphs', () => {
  it('encode to the same bytes as fontkit', async () => {
    const fonts = await loadFonts(FONTS);
    for (const f of new Set(Object.values(fonts).map((x) => x!.font))) {
      const gids = [...f.layout(TEXT).glyphs.map((g) => g.id), ...composites(f, 5)];
      const plain = f.createSubset() as unknown as TtfSubset;
      const fast = f.createSubset() as unknown as TtfSubset;
      fast._addGlyph = addGlyphFast;
      for (const g of gids) {
        plain.includeGlyph(g);
        fast.includeGlyph(g);
      }
      expect(Buffer.from(fast.encode()).equals(Buffer.from(plain.encode()))).toBe(true);
    }
  });
});

describe('shaping and subsets kept across documents', () => {
  it('leave every document byte-identical to the one rendered before anything was cached', async () => {
    const fonts = await loadFonts(FONTS);
    const a = parseMarkup(`<h1>${TEXT}</h1><p>${TEXT}</p><table><tr><th>指标</th><th>完成</th></tr><tr><td>${TEXT}</td><td class="num">98.5</td></tr></table>`);
    const b = parseMarkup('<h2>一、总体情况</h2><p>截至9月底，25项指标中17项达序时进度，其中3项已超额完成。</p>');
    const first = await renderPdf(a, fonts, meta); // this file's first render: the caches are empty
    await renderPdf(b, fonts, meta);
    const again = await renderPdf(a, fonts, meta); // now from the shaping and subset caches
    expect(again.equals(first)).toBe(true);
  });
});
