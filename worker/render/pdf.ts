import PDFDocument from 'pdfkit';
import type { Block, Run } from './markup.ts';
import { fontRoleOf, fontRuns, type FontRole, type FontSet } from './fonts.ts';
import { checkGlyphs, type PageText } from './glyphs.ts';
import { BODY_SIZE, BOTTOM, Cursor, LINE_PITCH, MM, PAGE, RED, SMALL_SIZE, TITLE_SIZE } from './page.ts';
import { balanceLines, drawLine, Measure, paragraphLines } from './text.ts';
import { adoptFont } from './font-cache.ts';
import { drawTable, layoutTable, type LaidTable } from './tables.ts';
import { chartLead, drawCompletionChart, drawStatusChart } from './charts.ts';

export { PAGE } from './page.ts';
export { balanceLines } from './text.ts';
export { completionAxis, percentLabel } from './charts.ts';

export interface PdfAttachment {
  readonly name: string;
  readonly data: Uint8Array;
  readonly description: string;
  readonly type: string;
}

export interface PdfMeta extends PageText {
  /** Files carried inside the PDF (PDF/A-3 "Data" attachments), e.g. the snapshot's input JSON. */
  readonly attachments?: readonly PdfAttachment[];
  readonly title: string;
  readonly author: string;
  readonly subject: string;
  readonly keywords: string;
  readonly creationDate: Date;
}

/**
 * Lays out briefing blocks as an A4 PDF after GB/T 9704: fixed body line pitch, 一、 headings
 * in the heading role, (一) in kai, red masthead, closing block, page numbers "— N —".
 */
export async function renderPdf(blocks: readonly Block[], fonts: FontSet, meta: PdfMeta): Promise<Buffer> {
  checkGlyphs(blocks, fonts, meta); // cheap next to layout, and a PDF with tofu must never exist
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: PAGE.top, left: PAGE.left, right: PAGE.width - PAGE.left - PAGE.textWidth, bottom: PAGE.height - BOTTOM },
    bufferPages: true,
    autoFirstPage: true,
    lang: 'zh-CN',
    displayTitle: true,
    // PDF/A-3b: fonts embedded, XMP metadata and an sRGB output intent; A-3 allows the attached JSON.
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    info: {
      Title: meta.title,
      Author: meta.author,
      Subject: meta.subject,
      Keywords: meta.keywords,
      Creator: 'jibao',
      Producer: 'jibao (pdfkit)',
      CreationDate: meta.creationDate,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // Roles that share a face (number = body by default) share one registered font: pdfkit caches a
  // font under the name it was opened with, except when it turns out equal to one already open, so an
  // alias would be re-opened and compared (JSON of its name table) on every switch to it.
  const alias: Record<string, string> = {};
  const opened = new Map<unknown, string>();
  for (const [name, f] of Object.entries(fonts)) {
    if (!f) continue;
    const first = opened.get(f.font);
    if (first) alias[name] = first;
    else {
      opened.set(f.font, name);
      doc.registerFont(name, f.font as unknown as string);
    }
  }
  const font = doc.font.bind(doc) as (src: string, size?: number) => PDFKit.PDFDocument;
  doc.font = ((src: string, size?: number) => {
    font(alias[src] ?? src, size);
    adoptFont((doc as unknown as { _font?: object })._font);
    return doc;
  }) as typeof doc.font;

  new Layout(doc, fonts).draw(blocks);
  decoratePages(doc, meta);
  for (const a of meta.attachments ?? []) {
    doc.file(Buffer.from(a.data), { name: a.name, type: a.type, description: a.description, relationship: 'Data', creationDate: meta.creationDate, modifiedDate: meta.creationDate } as never);
  }
  doc.end();
  return done;
}

function decoratePages(doc: PDFKit.PDFDocument, meta: PdfMeta): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing below the type area must not open a new page
    const n = i - range.start + 1;
    // 页码: 4号 (14 pt), 一字线 either side, 7 mm under the type area; odd pages right, even pages left (each 空一字).
    const label = `— ${n} —`;
    doc.font('body').fontSize(14).fillColor('black');
    const w = doc.widthOfString(label);
    const x = n % 2 === 1 ? PAGE.left + PAGE.textWidth - w - 14 : PAGE.left + 14;
    doc.text(label, x, BOTTOM + 7 * MM, { lineBreak: false });
    if (meta.pageBanner) {
      doc.font('body').fontSize(9).fillColor('#777777');
      doc.text(meta.pageBanner, PAGE.left, PAGE.top - 14 * MM, { width: PAGE.textWidth, align: 'center', lineBreak: false });
    }
    doc.page.margins.bottom = saved;
  }
}

/** Widest spacing (in em) justification may add between characters: below what PDF text extraction reads as a space. */
const JUSTIFY_MAX = 0.08;

/**
 * Lays the blocks out page by page: body text through pdfkit's paragraph wrapping (fixed line
 * pitch), tables and charts through their own modules (lines decided here, never below the type
 * area). A heading is kept with the start of what follows it.
 */
class Layout {
  private readonly cur: Cursor;
  private readonly m: Measure;
  /** Tables laid out once: a heading before one asks its lead, then it is drawn. */
  private readonly tables = new Map<Block, LaidTable | undefined>();

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly fonts: FontSet,
  ) {
    this.cur = new Cursor(doc);
    this.m = new Measure(doc, fonts);
  }

  private get y(): number {
    return this.cur.y;
  }

  private set y(v: number) {
    this.cur.y = v;
  }

  /**
   * doc.text in the role's font, switching to the fallback font for characters the role lacks.
   * With `at`, starts a new text at that point; without, continues the current one.
   */
  private write(text: string, role: FontRole, size: number, opts: PDFKit.Mixins.TextOptions & { continued?: boolean }, at?: { x: number; y: number }): void {
    const d = this.doc;
    const runs = fontRuns(this.fonts, role, text);
    runs.forEach((r, i) => {
      d.font(r.font).fontSize(size);
      const o = { ...opts, continued: i < runs.length - 1 ? true : (opts.continued ?? false) };
      if (i === 0 && at) d.text(r.text, at.x, at.y, o);
      else d.text(r.text, o);
    });
  }

  draw(blocks: readonly Block[]): void {
    blocks.forEach((b, i) => {
      switch (b.type) {
        case 'masthead': this.masthead(b); break;
        case 'title': this.title(b.text); break;
        case 'heading': this.heading(b.level, b.text, blocks.slice(i + 1)); break;
        case 'paragraph': this.paragraph(b.runs, b.classes.includes('small') ? SMALL_SIZE : BODY_SIZE, blocks[i + 1]?.type === 'table' ? blocks.slice(i + 1) : []); break;
        case 'notice': this.notice(b.runs); break;
        case 'table': { const t = this.table(b); if (t) drawTable(this.cur, this.fonts, this.m, t); break; }
        case 'closing': this.closing(b); break;
        case 'pagebreak': this.cur.newPage(); break;
        case 'chart': b.chart === 'completion' ? drawCompletionChart(this.cur, this.fonts, this.m, b) : drawStatusChart(this.cur, this.fonts, this.m, b); break;
      }
    });
  }

  private table(b: Extract<Block, { type: 'table' }>): LaidTable | undefined {
    if (!this.tables.has(b)) this.tables.set(b, layoutTable(this.doc, this.m, b));
    return this.tables.get(b);
  }

  /** How much of `next` must stand on the same page as a heading before it. */
  private lead(next: readonly Block[]): number {
    const b = next[0];
    if (!b) return 0;
    switch (b.type) {
      case 'table': return this.table(b)?.lead ?? 0;
      case 'chart': return b.chart === 'status' && b.items.every((i) => i.value === 0) ? this.lead(next.slice(1)) : chartLead(this.m, b);
      case 'heading': return LINE_PITCH + this.lead(next.slice(1));
      case 'paragraph': return (b.classes.includes('small') ? SMALL_SIZE * 1.6 : LINE_PITCH) * 2;
      case 'notice': return SMALL_SIZE * 3;
      default: return LINE_PITCH * 2;
    }
  }

  /** Line gap that makes a line of `size` in `role` advance by `pitch`. */
  private gapFor(role: FontRole, size: number, pitch: number): number {
    this.doc.font(role).fontSize(size);
    return Math.max(0, pitch - this.doc.currentLineHeight(true));
  }

  private masthead(b: Extract<Block, { type: 'masthead' }>): void {
    const d = this.doc;
    // 版头: red name centred, issue number, then office left / date right above a red rule.
    // The name stays on one line: the largest size up to 36 pt that fits the type area.
    d.font('title').fontSize(36);
    const size = Math.max(20, Math.min(36, Math.floor((36 * PAGE.textWidth * 0.96) / d.widthOfString(b.name))));
    d.fontSize(size).fillColor(RED);
    d.text(b.name, PAGE.left, this.y, { width: PAGE.textWidth, align: 'center' });
    this.y = d.y + 6;
    d.font('body').fontSize(BODY_SIZE).fillColor('black');
    d.text(b.issue, PAGE.left, this.y, { width: PAGE.textWidth, align: 'center' });
    this.y = d.y + 10;
    d.text(b.office, PAGE.left + BODY_SIZE, this.y, { lineBreak: false });
    const w = d.widthOfString(b.date);
    d.text(b.date, PAGE.left + PAGE.textWidth - w - BODY_SIZE, this.y, { lineBreak: false });
    this.y += d.currentLineHeight(true) + 4 * MM;
    d.save().moveTo(PAGE.left, this.y).lineTo(PAGE.left + PAGE.textWidth, this.y).lineWidth(1.2).strokeColor(RED).stroke().restore();
    this.y += 10 * MM;
  }

  private title(raw: string): void {
    const d = this.doc;
    const gap = this.gapFor('title', TITLE_SIZE, LINE_PITCH * 1.25);
    const text = balanceLines(d, raw, PAGE.textWidth);
    const h = d.heightOfString(text, { width: PAGE.textWidth, lineGap: gap });
    this.ensure(h);
    d.fillColor('black');
    this.write(text, 'title', TITLE_SIZE, { width: PAGE.textWidth, align: 'center', lineGap: gap }, { x: PAGE.left, y: this.y });
    this.y = d.y + LINE_PITCH * 0.5;
  }

  private heading(level: 2 | 3, text: string, next: readonly Block[]): void {
    const d = this.doc;
    const role = fontRoleOf({ heading: level });
    const gap = this.gapFor(role, BODY_SIZE, LINE_PITCH);
    // Keep a heading with the start of what follows: a table's header and first row, a chart's first bars.
    const own = d.heightOfString(text, { width: PAGE.textWidth - BODY_SIZE * 2, lineGap: gap });
    this.ensure(own + Math.min(this.lead(next), PAGE.textHeight - own));
    d.outline.addItem(text);
    d.fillColor('black');
    this.write(text, role, BODY_SIZE, { width: PAGE.textWidth, indent: BODY_SIZE * 2, lineGap: gap }, { x: PAGE.left, y: this.y });
    this.y = d.y;
  }

  /** Body text at a fixed line pitch, broken by paragraphLines and continued on the next page line by line. */
  private paragraph(runs: readonly Run[], size: number, introduces: readonly Block[]): void {
    if (runs.length === 0) return;
    const d = this.doc;
    const pitch = size === BODY_SIZE ? LINE_PITCH : size * 1.6;
    d.font('body').fontSize(size);
    const lineHeight = Math.min(pitch, d.currentLineHeight(true));
    const indent = size * 2;
    const lines = paragraphLines(this.m, runs.map((run) => ({ text: run.text, role: fontRoleOf({ run, in: 'body' }) })), size, PAGE.textWidth, indent);
    // A short paragraph that introduces a table (监测指标。以下…) stays with the table's start.
    if (introduces.length > 0 && lines.length <= 3) this.ensure(lines.length * pitch + Math.min(this.lead(introduces), PAGE.textHeight / 2));
    d.fillColor('black');
    lines.forEach((line, i) => {
      if (this.y + lineHeight > BOTTOM + 0.5) this.cur.newPage();
      const left = PAGE.left + (i === 0 ? indent : 0);
      // Justified as print sets Chinese: the slack spread between the Chinese characters of every line
      // but the last, numbers and Latin kept tight; only up to JUSTIFY_MAX, beyond which a reader's
      // copy or search of the PDF would find spaces between the characters (ragged right instead).
      const parts = line.flatMap((p) => p.text.split(/([\x21-\x7e\u2212]+)/).filter(Boolean).map((text) => ({ text, role: p.role, tight: /^[\x21-\x7e\u2212]/.test(text) })));
      const gaps = parts.reduce((n, p) => n + (p.tight ? 0 : [...p.text].length), 0) - (parts.at(-1)?.tight ? 0 : 1);
      const slack = PAGE.left + PAGE.textWidth - left - parts.reduce((w, p) => w + this.m.width(p.text, p.role, size), 0);
      const spacing = i < lines.length - 1 && gaps > 0 && slack > 0 && slack / gaps <= size * JUSTIFY_MAX ? slack / gaps : 0;
      let x = left;
      for (const p of parts) {
        const cs = p.tight ? 0 : spacing;
        drawLine(d, this.fonts, p.text, p.role, size, x, this.y, cs);
        x += this.m.width(p.text, p.role, size) + [...p.text].length * cs;
      }
      this.y += pitch;
    });
  }

  private notice(runs: readonly Run[]): void {
    const d = this.doc;
    const size = SMALL_SIZE;
    const pad = 6;
    const text = runs.map((r) => r.text).join('');
    d.font('body').fontSize(size);
    const gap = Math.max(0, size * 1.5 - d.currentLineHeight(true));
    const h = d.heightOfString(text, { width: PAGE.textWidth - 2 * pad, lineGap: gap }) + 2 * pad;
    this.ensure(h + 4);
    d.save().rect(PAGE.left, this.y, PAGE.textWidth, h).lineWidth(0.8).strokeColor(RED).stroke().restore();
    d.fillColor(RED);
    this.write(text, 'body', size, { width: PAGE.textWidth - 2 * pad, lineGap: gap }, { x: PAGE.left + pad, y: this.y + pad });
    d.fillColor('black');
    this.y += h + LINE_PITCH * 0.4;
  }

  private ensure(height: number): void {
    this.cur.ensure(height);
  }

  private closing(b: Extract<Block, { type: 'closing' }>): void {
    const d = this.doc;
    // 版记 sits at the foot of the last page: rules above and below, a thin rule between lines.
    const size = 14;
    d.font('body').fontSize(size);
    const lineH = size * 2;
    const height = (b.lines.length + 1) * lineH + 4;
    if (this.y + height + 8 > BOTTOM) this.cur.newPage();
    let y = BOTTOM - height;
    const rule = (at: number, width: number) =>
      d.save().moveTo(PAGE.left, at).lineTo(PAGE.left + PAGE.textWidth, at).lineWidth(width).strokeColor('black').stroke().restore();
    rule(y, 1);
    for (const l of b.lines) {
      d.fillColor('black');
      drawLine(d, this.fonts, `${l.label}${l.text}`, 'body', size, PAGE.left + size, y + (lineH - size) / 2 - 2);
      y += lineH;
      rule(y, 0.5);
    }
    drawLine(d, this.fonts, b.office, 'body', size, PAGE.left + size, y + (lineH - size) / 2 - 2);
    drawLine(d, this.fonts, b.date, 'body', size, PAGE.left + PAGE.textWidth - this.m.width(b.date, 'body', size) - size, y + (lineH - size) / 2 - 2);
    y += lineH;
    rule(y, 1);
    this.y = BOTTOM;
  }
}
