import PDFDocument from 'pdfkit';
import type { Block, Cell, Row, Run } from './markup.ts';
import { fontRuns, type FontRole, type FontSet } from './fonts.ts';
import { checkGlyphs, type PageText } from './glyphs.ts';

/** GB/T 9704-2012 page geometry, in points (1 mm = 72 / 25.4 pt). */
const MM = 72 / 25.4;
export const PAGE = {
  width: 210 * MM,
  height: 297 * MM,
  top: 37 * MM,
  left: 28 * MM,
  textWidth: 156 * MM,
  textHeight: 225 * MM,
} as const;
const BOTTOM = PAGE.top + PAGE.textHeight;
const BODY_SIZE = 16; // 3号
const TITLE_SIZE = 22; // 2号
const LINE_PITCH = PAGE.textHeight / 22; // 22 lines per page
const TABLE_SIZE = 9; // 小五
const SMALL_SIZE = 12; // 小四
const RED = '#c8161d';

const STATUS_FILL: Record<string, string> = {
  'status-on_track': '#e3f1e4',
  'status-lagging': '#fff1c7',
  'status-severe': '#f9d6d5',
  'status-missing': '#e6e6e6',
  'status-not_judged': '#e1ecf7',
  'status-exceeded': '#c6e6c9',
  'status-completed': '#e3f1e4',
  'status-not_completed': '#f9d6d5',
};

/** Hatch per status so black-and-white print tells them apart: 1 / and -1 \ diagonals, 0 horizontal, 2 vertical. */
const STATUS_HATCH: Record<string, readonly number[]> = { lagging: [1], severe: [1, -1], not_completed: [1, -1], not_judged: [0], exceeded: [2] };

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
  doc.font = ((src: string, size?: number) => font(alias[src] ?? src, size)) as typeof doc.font;

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

class Layout {
  private y = PAGE.top;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly fonts: FontSet,
  ) {}

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
    for (const b of blocks) {
      switch (b.type) {
        case 'masthead': this.masthead(b); break;
        case 'title': this.title(b.text); break;
        case 'heading': this.heading(b.level, b.text); break;
        case 'paragraph': this.paragraph(b.runs, b.classes.includes('small') ? SMALL_SIZE : BODY_SIZE); break;
        case 'notice': this.notice(b.runs); break;
        case 'table': this.table(b.head, b.body, b.classes); break;
        case 'closing': this.closing(b); break;
        case 'pagebreak': this.newPage(); break;
        case 'chart': b.chart === 'completion' ? this.completionChart(b) : this.statusChart(b); break;
      }
    }
  }

  private newPage(): void {
    this.doc.addPage();
    this.y = PAGE.top;
  }

  private ensure(height: number): void {
    if (this.y + height > BOTTOM + 0.5 && this.y > PAGE.top) this.newPage();
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

  private heading(level: 2 | 3, text: string): void {
    const d = this.doc;
    const role: FontRole = level === 2 ? 'heading' : 'kai';
    const gap = this.gapFor(role, BODY_SIZE, LINE_PITCH);
    // Keep a heading with at least two lines of what follows.
    this.ensure(LINE_PITCH * 3);
    d.outline.addItem(text);
    d.fillColor('black');
    this.write(text, role, BODY_SIZE, { width: PAGE.textWidth, indent: BODY_SIZE * 2, lineGap: gap }, { x: PAGE.left, y: this.y });
    this.y = d.y;
  }

  private paragraph(runs: readonly Run[], size: number, opts: { indent?: number; color?: string } = {}): void {
    if (runs.length === 0) return;
    const d = this.doc;
    const pitch = size === BODY_SIZE ? LINE_PITCH : size * 1.6;
    const gap = this.gapFor('body', size, pitch);
    const indent = opts.indent ?? size * 2;
    this.ensure(pitch);
    d.fillColor(opts.color ?? 'black');
    d.x = PAGE.left;
    d.y = this.y;
    runs.forEach((r, i) => {
      const continued = i < runs.length - 1;
      const role: FontRole = r.strong ? 'heading' : 'body';
      if (i === 0) this.write(r.text, role, size, { width: PAGE.textWidth, indent, lineGap: gap, continued }, { x: PAGE.left, y: this.y });
      else this.write(r.text, role, size, { continued, lineGap: gap });
    });
    this.y = d.y;
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

  private table(head: readonly Row[], rawBody: readonly Row[], classes: readonly string[]): void {
    const d = this.doc;
    const size = classes.includes('summary') ? 11 : TABLE_SIZE;
    const pad = { x: 2.5, y: 2.5 };
    const body = fitNumbers(d, rawBody, size);
    const cols = (head[0] ?? body[0])?.cells.reduce((n, c) => n + c.colspan, 0) ?? 0;
    if (cols === 0) return;
    const widths = columnWidths(d, [...head, ...body], cols, size, pad.x);
    const roleOf = (row: Row, cell: Cell): FontRole => (cell.header || row.classes.includes('group') ? 'heading' : cell.classes.includes('num') ? 'number' : 'body');
    const cellText = (c: Cell) => c.runs.map((r) => r.text).join('');
    const cellWidth = (start: number, span: number) => widths.slice(start, start + span).reduce((a, b) => a + b, 0);
    const rowHeight = (row: Row) => {
      let col = 0;
      let h = 0;
      for (const c of row.cells) {
        d.font(roleOf(row, c)).fontSize(size);
        h = Math.max(h, d.heightOfString(cellText(c) || ' ', { width: cellWidth(col, c.colspan) - 2 * pad.x, lineGap: 1 }));
        col += c.colspan;
      }
      return h + 2 * pad.y;
    };
    const drawRow = (row: Row, isHead: boolean) => {
      const h = rowHeight(row);
      let x = PAGE.left;
      let col = 0;
      for (const c of row.cells) {
        const w = cellWidth(col, c.colspan);
        const fill = isHead ? '#eeeeee' : row.classes.includes('group') ? '#f6f6f6' : c.classes.map((k) => STATUS_FILL[k]).find(Boolean);
        if (fill) d.save().rect(x, this.y, w, h).fill(fill).restore();
        d.save().rect(x, this.y, w, h).lineWidth(0.5).strokeColor('#444444').stroke().restore();
        const numeric = c.classes.includes('num');
        const align = isHead || (!c.classes.includes('name') && !row.classes.includes('group') && (numeric || cellText(c).length <= 6)) ? 'center' : 'left';
        d.font(roleOf(row, c)).fontSize(size).fillColor('black');
        const th = d.heightOfString(cellText(c) || ' ', { width: w - 2 * pad.x, lineGap: 1 });
        this.write(cellText(c), roleOf(row, c), size, { width: w - 2 * pad.x, align, lineGap: 1 }, { x: x + pad.x, y: this.y + (h - th) / 2 });
        x += w;
        col += c.colspan;
      }
      this.y += h;
    };
    const headHeight = head.reduce((n, r) => n + rowHeight(r), 0);
    const total = headHeight + body.reduce((n, r) => n + rowHeight(r), 0);
    // A short table is kept whole; a long one starts where at least its header and first row fit.
    this.ensure(total <= PAGE.textHeight / 3 ? total : headHeight + (body[0] ? rowHeight(body[0]) : 0));
    head.forEach((r) => drawRow(r, true));
    for (let i = 0; i < body.length; i++) {
      const row = body[i]!;
      let h = rowHeight(row);
      // A group caption travels with the row after it.
      if (row.classes.includes('group') && body[i + 1]) h += rowHeight(body[i + 1]!);
      if (this.y + h > BOTTOM) {
        this.newPage();
        head.forEach((r) => drawRow(r, true)); // repeat the header on every page the table spans
      }
      drawRow(row, false);
    }
    this.y += LINE_PITCH * 0.4;
    d.x = PAGE.left;
  }

  /** A fill that reads in black-and-white print too: a tint plus a hatch that differs per status. */
  private fillStatus(x: number, y: number, w: number, h: number, status: string): void {
    const d = this.doc;
    if (w <= 0 || h <= 0) return;
    d.save().rect(x, y, w, h).fill(STATUS_FILL[`status-${status}`] ?? '#eeeeee').restore();
    const hatch = STATUS_HATCH[status] ?? [];
    if (hatch.length > 0) {
      d.save().rect(x, y, w, h).clip();
      d.lineWidth(0.4).strokeColor('#555555');
      for (const dir of hatch) {
        for (let i = -h; i < w + h; i += 4) {
          if (dir === 0) { if (i >= 0 && i <= h) d.moveTo(x, y + i).lineTo(x + w, y + i).stroke(); }
          else if (dir === 2) { if (i >= 0 && i <= w) d.moveTo(x + i, y).lineTo(x + i, y + h).stroke(); }
          else if (dir > 0) d.moveTo(x + i, y + h).lineTo(x + i + h, y).stroke();
          else d.moveTo(x + i, y).lineTo(x + i + h, y + h).stroke();
        }
      }
      d.restore();
    }
    d.save().rect(x, y, w, h).lineWidth(0.5).strokeColor('#333333').stroke().restore();
  }

  private chartTitle(title: string, height: number): void {
    const d = this.doc;
    d.font('heading').fontSize(11);
    this.ensure(height + 20);
    d.fillColor('black').text(title, PAGE.left, this.y, { width: PAGE.textWidth, align: 'center' });
    this.y = d.y + 4;
  }

  /**
   * Completion of each indicator against 时序进度: bars with their value, a dashed line at 时序进度.
   * The axis is bounded (completionAxis): a bar beyond it ends at the edge with a break mark, a
   * negative one is marked at zero, and the label always prints the real number.
   */
  private completionChart(b: Extract<Block, { type: 'chart' }>): void {
    if (b.items.length === 0) return;
    const d = this.doc;
    const size = 9;
    const barH = 11;
    const gap = 5;
    const labelW = 120;
    const valueW = 40;
    const plotX = PAGE.left + labelW;
    const plotW = PAGE.textWidth - labelW - valueW;
    const axis = completionAxis(b.items.map((i) => i.value), b.schedule);
    const xOf = (v: number) => plotX + (Math.min(Math.max(v, 0), axis.max) / axis.max) * plotW;
    const height = b.items.length * (barH + gap) + 24;
    this.chartTitle(b.title, Math.min(height, PAGE.textHeight / 2));
    const top = this.y;
    // Gridlines and scale.
    d.font('body').fontSize(7).fillColor('#666666');
    for (const v of axis.ticks) {
      d.save().moveTo(xOf(v), top).lineTo(xOf(v), top + b.items.length * (barH + gap)).lineWidth(0.3).strokeColor('#bbbbbb').stroke().restore();
      d.text(`${v}%`, xOf(v) - 10, top + b.items.length * (barH + gap) + 2, { width: 20, align: 'center', lineBreak: false });
    }
    let y = top;
    for (const item of b.items) {
      if (y + barH > BOTTOM) {
        this.newPage();
        y = this.y;
      }
      d.font('body').fontSize(size).fillColor('black');
      d.text(item.label, PAGE.left, y + (barH - size) / 2 - 1, { width: labelW - 6, align: 'right', lineBreak: false, ellipsis: true });
      this.fillStatus(plotX, y, xOf(item.value) - plotX, barH, item.status);
      if (item.value > axis.max) barBreak(d, xOf(axis.max), y, barH);
      if (item.value < 0) belowZero(d, plotX, y, barH);
      // The label fits the space right of the bar (the value column at the edge): smaller type, never clipped.
      const label = percentLabel(item.value);
      const lx = Math.max(xOf(item.value), item.value < 0 ? plotX + 4 : plotX) + 3;
      d.font('body').fontSize(size);
      const fit = Math.max(6, Math.min(size, (size * (PAGE.left + PAGE.textWidth - lx)) / d.widthOfString(label)));
      d.fontSize(fit).fillColor('black').text(label, lx, y + (barH - fit) / 2 - 1, { lineBreak: false });
      y += barH + gap;
    }
    if (b.schedule !== undefined) {
      const sx = xOf(b.schedule);
      d.save().moveTo(sx, top - 2).lineTo(sx, y).dash(3, { space: 2 }).lineWidth(1).strokeColor(RED).stroke().undash().restore();
      d.font('body').fontSize(8).fillColor(RED).text(`时序进度${percentLabel(b.schedule)}`, sx - 40, y + 10, { width: 80, align: 'center', lineBreak: false });
    }
    d.fillColor('black');
    this.y = y + 26;
  }

  /** Status counts as one stacked bar, each part labelled with its name and count. */
  private statusChart(b: Extract<Block, { type: 'chart' }>): void {
    const d = this.doc;
    const total = b.items.reduce((n, i) => n + i.value, 0);
    if (total === 0) return;
    const barH = 18;
    this.chartTitle(b.title, barH + 40);
    let x = PAGE.left;
    for (const item of b.items) {
      const w = (item.value / total) * PAGE.textWidth;
      this.fillStatus(x, this.y, w, barH, item.status);
      x += w;
    }
    // Legend under the bar: the same patterns with names and counts.
    let lx = PAGE.left;
    const ly = this.y + barH + 6;
    d.font('body').fontSize(9);
    for (const item of b.items) {
      this.fillStatus(lx, ly, 14, 9, item.status);
      const label = `${item.label} ${item.value}`;
      d.fillColor('black').text(label, lx + 18, ly, { lineBreak: false });
      lx += 18 + d.widthOfString(label) + 16;
    }
    this.y = ly + 20;
  }

  private closing(b: Extract<Block, { type: 'closing' }>): void {
    const d = this.doc;
    // 版记 sits at the foot of the last page: rules above and below, a thin rule between lines.
    const size = 14;
    d.font('body').fontSize(size);
    const lineH = size * 2;
    const height = (b.lines.length + 1) * lineH + 4;
    if (this.y + height + 8 > BOTTOM) this.newPage();
    let y = BOTTOM - height;
    const rule = (at: number, width: number) =>
      d.save().moveTo(PAGE.left, at).lineTo(PAGE.left + PAGE.textWidth, at).lineWidth(width).strokeColor('black').stroke().restore();
    rule(y, 1);
    for (const l of b.lines) {
      d.fillColor('black').text(`${l.label}${l.text}`, PAGE.left + size, y + (lineH - size) / 2 - 2, { width: PAGE.textWidth - 2 * size, lineBreak: false });
      y += lineH;
      rule(y, 0.5);
    }
    d.text(b.office, PAGE.left + size, y + (lineH - size) / 2 - 2, { lineBreak: false });
    const w = d.widthOfString(b.date);
    d.text(b.date, PAGE.left + PAGE.textWidth - w - size, y + (lineH - size) / 2 - 2, { lineBreak: false });
    y += lineH;
    rule(y, 1);
    this.y = BOTTOM;
  }
}

/** Values up to this (%) stretch the completion axis; a larger one is an outlier, drawn clipped with its number. */
const AXIS_CAP = 300;

/**
 * The completion chart's axis: from 0 to a round maximum of at least 100 % (the whole target) and at
 * most AXIS_CAP, in steps of 25 or 50 — at most seven ticks whatever the values (1e23, −1e23, NaN).
 * An outlier does not squeeze the other bars: it is left out of the scale.
 */
export function completionAxis(values: readonly number[], schedule?: number): { max: number; ticks: number[] } {
  let top = 100;
  for (const v of schedule === undefined ? values : [...values, schedule]) if (v > top && v <= AXIS_CAP) top = v;
  const step = top <= 150 ? 25 : 50;
  const n = Math.ceil(top / step);
  return { max: n * step, ticks: Array.from({ length: n + 1 }, (_, i) => i * step) };
}

/** "85.3%" as before; beyond a million, "1.0e+23%", so a label of any size stays short. */
export function percentLabel(v: number): string {
  if (Math.abs(v) >= 1e6) return `${v.toExponential(1)}%`;
  const s = v.toFixed(1);
  return `${s === '-0.0' ? '0.0' : s}%`;
}

/** A break mark across the end of a clipped bar: a white gap between two slanted strokes. */
function barBreak(d: PDFKit.PDFDocument, x: number, y: number, h: number): void {
  const a = x - 9;
  d.save().polygon([a, y + h + 1], [a + 4, y - 1], [a + 7, y - 1], [a + 3, y + h + 1]).fill('white');
  d.moveTo(a, y + h + 1).lineTo(a + 4, y - 1).moveTo(a + 3, y + h + 1).lineTo(a + 7, y - 1).lineWidth(0.6).strokeColor('#333333').stroke().restore();
}

/** A value below zero: a small triangle pointing left at the zero line. */
function belowZero(d: PDFKit.PDFDocument, x: number, y: number, h: number): void {
  d.save().polygon([x - 1, y + h / 2], [x + 4, y + 1.5], [x + 4, y + h - 1.5]).fill('#333333').restore();
}

/** A number cell wider than this many digits is written in scientific form (2 decimals, fewer if needed). */
const NUMBER_DIGITS = 10;
const PLAIN_NUMBER = /^([+\-\u2212]?)(\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?)$/i;

/**
 * Numbers in `num` cells that would not fit a numeric column (1e23 written out, 9.999999999999999e+22)
 * become short scientific notation, so a column never has to grow or break a number across lines.
 */
function fitNumbers(doc: PDFKit.PDFDocument, rows: readonly Row[], size: number): readonly Row[] {
  let limit = 0;
  const fit = (c: Cell): Cell => {
    if (!c.classes.includes('num') || c.runs.length !== 1) return c;
    const text = c.runs[0]!.text.trim();
    if (text.length <= NUMBER_DIGITS) return c; // the common case, without measuring
    const m = PLAIN_NUMBER.exec(text);
    const n = m ? Number(m[2]!.replace(/,/g, '')) : NaN;
    if (!Number.isFinite(n)) return c;
    doc.font('number').fontSize(size);
    limit ||= doc.widthOfString('0'.repeat(NUMBER_DIGITS));
    if (doc.widthOfString(text) <= limit) return c;
    let out = text;
    for (const digits of [2, 1, 0]) {
      out = `${m![1]}${n.toExponential(digits)}`;
      if (doc.widthOfString(out) <= limit) break;
    }
    return { ...c, runs: [{ ...c.runs[0]!, text: out }] };
  };
  return rows.map((r) => (r.cells.some((c) => c.classes.includes('num')) ? { ...r, cells: r.cells.map(fit) } : r));
}

const NO_LINE_START = /^[，。、；：！？）」』》”’%％]/;
const WORDS = new Intl.Segmenter('zh-CN', { granularity: 'word' });

/**
 * Breaks a centred title into lines of about equal width, between words (ICU's Chinese word
 * segmentation), so that no number, Latin word or Chinese word is split and no line starts
 * with closing punctuation. Uses the current font.
 */
export function balanceLines(doc: PDFKit.PDFDocument, text: string, width: number): string {
  const total = doc.widthOfString(text);
  if (total <= width || text.includes('\n')) return text;
  const lines = Math.ceil(total / width);
  const words = [...WORDS.segment(text)].map((s) => s.segment);
  const out: string[] = [];
  let line = '';
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const rest = words.slice(i).join('');
    const target = (doc.widthOfString(line + rest)) / (lines - out.length);
    const breakHere = line !== '' && out.length < lines - 1 && !NO_LINE_START.test(word) &&
      doc.widthOfString(line + word) - target > target - doc.widthOfString(line);
    if (breakHere) {
      out.push(line);
      line = word;
    } else line += word;
  }
  out.push(line);
  // A line still wider than the type area (one very long word) is left to the normal wrapping.
  return out.join('\n');
}

/**
 * Auto table layout: each column gets at least its widest unbreakable token, and the rest of
 * the width is shared in proportion to how much wider each column would like to be.
 */
function columnWidths(doc: PDFKit.PDFDocument, rows: readonly Row[], cols: number, size: number, padX: number): number[] {
  const floor = size * 2 + 2 * padX;
  const min = new Array<number>(cols).fill(floor);
  const natural: number[][] = Array.from({ length: cols }, () => []);
  for (const row of rows) {
    let col = 0;
    for (const c of row.cells) {
      if (c.colspan === 1) {
        doc.font(c.header ? 'heading' : 'body').fontSize(size);
        const text = c.runs.map((r) => r.text).join('');
        const tokens = text.match(/[\x21-\x7e\u2212]+|（[^）]{0,3}）|[^\s]/g) ?? [];
        const longest = Math.max(0, ...tokens.map((t) => doc.widthOfString(t)));
        const widest = Math.max(...text.split('\n').map((l) => doc.widthOfString(l)));
        // A header may wrap at any character; a body cell keeps numbers whole and up to four CJK characters a line.
        const atom = c.header ? Math.max(longest, doc.widthOfString('完成')) : Math.max(longest, doc.widthOfString(text.slice(0, 4)));
        min[col] = Math.max(min[col]!, atom + 2 * padX);
        natural[col]!.push(widest + 2 * padX);
      }
      col += c.colspan;
    }
  }
  // A column wants the width that puts most of its cells on one line; one long outlier may wrap.
  const pref = natural.map((ws, i) => {
    const sorted = [...ws].sort((a, b) => a - b);
    const p85 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.85))] ?? floor;
    return Math.max(min[i]!, p85);
  });
  const total = PAGE.textWidth;
  const sumMin = min.reduce((a, b) => a + b, 0);
  const sumPref = pref.reduce((a, b) => a + b, 0);
  if (sumPref <= total) return pref.map((p) => (p / sumPref) * total);
  if (sumMin >= total) return min.map((m) => (m / sumMin) * total);
  const extra = total - sumMin;
  const want = pref.map((p, i) => p - min[i]!);
  const sumWant = want.reduce((a, b) => a + b, 0);
  return min.map((m, i) => m + (want[i]! / sumWant) * extra);
}
