import type { Status } from '../domain/evaluate.ts';
import { MINUS } from '../domain/format.ts';
import type { Block } from './markup.ts';
import type { FontSet } from './fonts.ts';
import { BOTTOM, LINE_PITCH, PAGE, RED, RIGHT, type Cursor } from './page.ts';
import { breakLines, drawLine, type Measure } from './text.ts';

type ChartBlock = Extract<Block, { type: 'chart' }>;

export const STATUS_FILL: Record<Status, string> = {
  on_track: '#e3f1e4',
  lagging: '#fff1c7',
  severe: '#f9d6d5',
  missing: '#e6e6e6',
  not_judged: '#e1ecf7',
  exceeded: '#c6e6c9',
  completed: '#e3f1e4',
  not_completed: '#f9d6d5',
};

/** Hatch per status so black-and-white print tells them apart: 1 / and -1 \ diagonals, 0 horizontal, 2 vertical. */
const STATUS_HATCH: Partial<Record<Status, readonly number[]>> = { lagging: [1], severe: [1, -1], not_completed: [1, -1], not_judged: [0], exceeded: [2] };

const TITLE_SIZE = 11;
const BAR = { size: 9, height: 11, gap: 5, labelWidth: 120, valueWidth: 40 } as const;
const ROW = BAR.height + BAR.gap;
const SCALE_SIZE = 7;
/** Under the bars: the scale, then the 时序进度 label. */
const SCALE_HEIGHT = 12;
const SCHEDULE_HEIGHT = 12;
/** Bars a chart starts with on a page (fewer only when fewer are left). */
const MIN_BARS = 3;

/** A fill that reads in black-and-white print too: a tint plus a hatch that differs per status. */
function fillStatus(d: PDFKit.PDFDocument, x: number, y: number, w: number, h: number, status: Status | undefined): void {
  if (w <= 0 || h <= 0) return;
  d.save().rect(x, y, w, h).fill(status ? STATUS_FILL[status] : '#eeeeee').restore();
  const hatch = (status && STATUS_HATCH[status]) ?? [];
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

function titleLines(m: Measure, title: string): string[] {
  return breakLines(m, title, 'heading', TITLE_SIZE, PAGE.textWidth, 'name');
}

const titleLineHeight = TITLE_SIZE * 1.45;

function drawTitle(cur: Cursor, fonts: FontSet, m: Measure, lines: readonly string[]): void {
  cur.doc.fillColor('black');
  for (const line of lines) {
    drawLine(cur.doc, fonts, line, 'heading', TITLE_SIZE, PAGE.left + (PAGE.textWidth - m.width(line, 'heading', TITLE_SIZE)) / 2, cur.y);
    cur.y += titleLineHeight;
  }
  cur.y += 4;
}

/** What must fit where a chart starts: its title, its first bars and its scale (all of a status chart). */
export function chartLead(m: Measure, b: ChartBlock): number {
  const title = titleLines(m, b.title).length * titleLineHeight + 4;
  if (b.chart === 'status') return title + 18 + 26;
  return title + Math.min(MIN_BARS, b.items.length) * ROW + SCALE_HEIGHT + (b.schedule !== undefined ? SCHEDULE_HEIGHT : 0);
}

/**
 * Completion of each indicator against 时序进度: bars with their value, a dashed line at 时序进度.
 * A chart longer than the page continues on the next with its title (续), its scale and its
 * 时序进度 line on every page, never below the type area. The axis is bounded (completionAxis): a
 * bar beyond it ends at the edge with a break mark, a negative one is marked at zero, and the
 * label always prints the real number.
 */
export function drawCompletionChart(cur: Cursor, fonts: FontSet, m: Measure, b: ChartBlock): void {
  if (b.items.length === 0) return;
  const d = cur.doc;
  const plotX = PAGE.left + BAR.labelWidth;
  const plotW = PAGE.textWidth - BAR.labelWidth - BAR.valueWidth;
  const axis = completionAxis(b.items.map((i) => i.value), b.schedule);
  const xOf = (v: number) => plotX + (Math.min(Math.max(v, 0), axis.max) / axis.max) * plotW;
  const foot = SCALE_HEIGHT + (b.schedule !== undefined ? SCHEDULE_HEIGHT : 0);
  const title = titleLines(m, b.title);
  const more = titleLines(m, `${b.title}（续）`);
  let i = 0;
  while (i < b.items.length) {
    const lines = i === 0 ? title : more;
    const left = b.items.length - i;
    cur.ensure(lines.length * titleLineHeight + 4 + Math.min(MIN_BARS, left) * ROW + foot);
    drawTitle(cur, fonts, m, lines);
    const top = cur.y;
    const n = Math.max(1, Math.min(left, Math.floor((BOTTOM - top - foot) / ROW)));
    const bottom = top + n * ROW;
    // Gridlines and the scale under this page's bars.
    for (const v of axis.ticks) {
      d.save().moveTo(xOf(v), top).lineTo(xOf(v), bottom).lineWidth(0.3).strokeColor('#bbbbbb').stroke().restore();
      const label = `${v}%`;
      d.fillColor('#666666');
      drawLine(d, fonts, label, 'body', SCALE_SIZE, xOf(v) - m.width(label, 'body', SCALE_SIZE) / 2, bottom + 2);
    }
    for (let y = top; y < bottom; y += ROW, i++) {
      const item = b.items[i]!;
      const { label, size } = fitLabel(m, item.label, BAR.labelWidth - 6);
      d.fillColor('black');
      drawLine(d, fonts, label, 'body', size, plotX - 6 - m.width(label, 'body', size), y + (BAR.height - size) / 2 - 1);
      fillStatus(d, plotX, y, xOf(item.value) - plotX, BAR.height, item.status);
      if (item.value > axis.max) barBreak(d, xOf(axis.max), y, BAR.height);
      if (item.value < 0) belowZero(d, plotX, y, BAR.height);
      // The value fits the space right of the bar (the value column at the edge): smaller type, never clipped.
      const value = percentLabel(item.value);
      const lx = Math.max(xOf(item.value), item.value < 0 ? plotX + 4 : plotX) + 3;
      const fit = Math.max(6, Math.min(BAR.size, (BAR.size * (RIGHT - lx)) / m.width(value, 'body', BAR.size)));
      d.fillColor('black');
      drawLine(d, fonts, value, 'body', fit, lx, y + (BAR.height - fit) / 2 - 1);
    }
    if (b.schedule !== undefined) {
      const sx = xOf(b.schedule);
      d.save().moveTo(sx, top - 2).lineTo(sx, bottom).dash(3, { space: 2 }).lineWidth(1).strokeColor(RED).stroke().undash().restore();
      const label = `时序进度${percentLabel(b.schedule)}`;
      d.fillColor(RED);
      drawLine(d, fonts, label, 'body', 8, Math.min(RIGHT - m.width(label, 'body', 8), sx - m.width(label, 'body', 8) / 2), bottom + SCALE_HEIGHT);
    }
    d.fillColor('black');
    cur.y = bottom + foot;
    if (i < b.items.length) cur.newPage();
  }
  cur.y = Math.min(BOTTOM, cur.y + LINE_PITCH * 0.4);
}

/** A label in smaller type (down to 7 pt) to fit the width, and only then cut with "…", so it never runs into the bars. */
function fitLabel(m: Measure, label: string, width: number): { label: string; size: number } {
  const w = m.width(label, 'body', BAR.size);
  if (w <= width) return { label, size: BAR.size };
  const size = Math.max(7, (BAR.size * width) / w);
  if (m.width(label, 'body', size) <= width) return { label, size };
  const chars = [...label];
  while (chars.length > 1 && m.width(`${chars.join('')}…`, 'body', size) > width) chars.pop();
  return { label: `${chars.join('')}…`, size };
}

/** Status counts as one stacked bar, each part labelled with its name and count in a legend under it. */
export function drawStatusChart(cur: Cursor, fonts: FontSet, m: Measure, b: ChartBlock): void {
  const d = cur.doc;
  const total = b.items.reduce((n, i) => n + i.value, 0);
  if (total === 0) return;
  const barH = 18;
  cur.ensure(chartLead(m, b));
  drawTitle(cur, fonts, m, titleLines(m, b.title));
  let x = PAGE.left;
  for (const item of b.items) {
    const w = (item.value / total) * PAGE.textWidth;
    fillStatus(d, x, cur.y, w, barH, item.status);
    x += w;
  }
  let lx = PAGE.left;
  let ly = cur.y + barH + 6;
  for (const item of b.items) {
    const label = `${item.label} ${item.value}`;
    const w = 18 + m.width(label, 'body', 9);
    if (lx + w > RIGHT && lx > PAGE.left) { lx = PAGE.left; ly += 14; }
    fillStatus(d, lx, ly, 14, 9, item.status);
    d.fillColor('black');
    drawLine(d, fonts, label, 'body', 9, lx + 18, ly);
    lx += w + 16;
  }
  cur.y = ly + 20;
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

/** "85.3%", "−0.5%" (the one minus sign); beyond a million, "1.0e+23%", so a label of any size stays short. */
export function percentLabel(v: number): string {
  const s = Math.abs(v) >= 1e6 ? v.toExponential(1) : v.toFixed(1);
  return `${s === '-0.0' ? '0.0' : s.replace(/^-/, MINUS)}%`;
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
