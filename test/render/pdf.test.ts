import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFonts } from '../../worker/render/fonts.ts';
import { parseMarkup } from '../../worker/render/markup.ts';
import { renderPdf } from '../../worker/render/pdf.ts';
import { MissingGlyphError } from '../../worker/render/glyphs.ts';
import { pdfPages } from '../support/pdf.ts';

const FONTS = path.resolve(import.meta.dirname, '../../fonts');
const meta = { title: 't', author: 'a', subject: 's', keywords: 'k', creationDate: new Date('2023-10-20T00:00:00Z') };

describe('renderPdf', () => {
  it('refuses characters the fonts lack, listing them, instead of printing tofu', async () => {
    const fonts = await loadFonts(FONTS);
    const blocks = parseMarkup('<h1>地区生产总值</h1><p>增长😀良好\u{E000}</p>');
    const err = await renderPdf(blocks, fonts, meta).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingGlyphError);
    expect((err as Error).message).toContain('"😀" (U+1F600)');
    expect((err as Error).message).toContain('(U+E000)');
    expect((err as Error).message).toContain('body font');
  });

  it('renders a table that spans pages', async () => {
    const fonts = await loadFonts(FONTS);
    const rows = Array.from({ length: 80 }, (_, i) => `<tr><td>指标${i}</td><td class="num">${i}.5</td></tr>`).join('');
    const blocks = parseMarkup(`<table><thead><tr><th>指标</th><th>数值</th></tr></thead><tbody>${rows}</tbody></table>`);
    const pdf = await renderPdf(blocks, fonts, meta);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length ?? 0;
    expect(pages).toBeGreaterThan(1);
  });
});

describe('font fallback', () => {
  it('draws a character the role font lacks with the fallback font, and it extracts as text', async () => {
    const fonts = await loadFonts(FONTS);
    expect(fonts.body.font.hasGlyphForCodePoint(0x30ede)).toBe(false); // 𰻞 is not in Noto Serif SC
    const pdf = await renderPdf(parseMarkup('<h1>𰻞𰻞面</h1><p>城南新开𰻞𰻞面馆一家。</p><table><tr><td>𰻞</td></tr></table>'), fonts, meta);
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-Regular/);
    const text = (await pdfPages(pdf)).join('');
    expect(text).toContain('城南新开𰻞𰻞面馆一家。');
  });

  it('without a fallback the same character stops the render', async () => {
    const { fallback: _, ...noFallback } = await loadFonts(FONTS);
    const err = await renderPdf(parseMarkup('<p>𰻞</p>'), noFallback, meta).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingGlyphError);
    expect((err as Error).message).toContain('(U+30EDE)');
  });
});

describe('parseMarkup', () => {
  it('rejects elements the layout cannot draw, with the markup line', () => {
    expect(() => parseMarkup('<p>a</p>\n<marquee>b</marquee>')).toThrow(/line 2: <marquee> is not part of the briefing markup/);
    expect(() => parseMarkup('<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>')).toThrow(/has 1 columns where the table has 2/);
  });

  it('collapses template whitespace and keeps strong runs', () => {
    expect(parseMarkup('<p>\n  总体<strong>良好</strong>。\n</p>')).toEqual([
      { type: 'paragraph', classes: [], runs: [{ text: '总体' }, { text: '良好', strong: true }, { text: '。' }] },
    ]);
  });
});
