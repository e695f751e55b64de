import type { Block, Cell, Row } from './markup.ts';
import { fontRoleOf, type FontRole, type FontSet } from './fonts.ts';
import { BOTTOM, LINE_PITCH, PAGE, TABLE_SIZE, type Cursor } from './page.ts';
import { breakLines, drawLine, type Measure, type TokenMode } from './text.ts';
import { STATUS_FILL } from './charts.ts';

type TableBlock = Extract<Block, { type: 'table' }>;

const PAD = { x: 2.5, y: 2.5 };
const LINE_GAP = 1;

interface LaidCell {
  readonly lines: readonly string[];
  readonly role: FontRole;
  readonly x: number;
  readonly width: number;
  readonly align: 'left' | 'center';
  readonly status?: Cell['status'];
}

interface LaidRow {
  readonly height: number;
  readonly group: boolean;
  readonly cells: readonly LaidCell[];
}

/** A table broken into lines and measured, before any of it is drawn (a heading asks how much of it must follow). */
export interface LaidTable {
  readonly size: number;
  readonly head: readonly LaidRow[];
  readonly body: readonly LaidRow[];
  readonly headHeight: number;
  /** What must fit where the table starts: all of a short table, else its header and first row. */
  readonly lead: number;
}

const cellText = (c: Cell) => c.runs.map((r) => r.text).join('');
/**
 * How a cell may break: a header between words (完成|进度|（%）); a status label (严重滞后) not unless
 * it must; a body cell as its role says (a unit name whole, an indicator name between words).
 */
const tokenMode = (c: Cell): TokenMode => (c.header ? 'name' : c.status ? 'whole' : c.role);

export function layoutTable(doc: PDFKit.PDFDocument, m: Measure, b: TableBlock): LaidTable | undefined {
  const size = b.variant === 'summary' ? 11 : TABLE_SIZE;
  const body = fitNumbers(m, b.body, size);
  const cols = (b.head[0] ?? body[0])?.cells.reduce((n, c) => n + c.colspan, 0) ?? 0;
  if (cols === 0) return undefined;
  const widths = columnWidths(m, [...b.head, ...body], cols, size);
  const lineHeight = new Map<FontRole, number>();
  const lh = (role: FontRole) => {
    let h = lineHeight.get(role);
    if (h === undefined) {
      doc.font(role).fontSize(size);
      lineHeight.set(role, (h = doc.currentLineHeight(true) + LINE_GAP));
    }
    return h;
  };
  const lay = (row: Row, isHead: boolean): LaidRow => {
    let col = 0;
    let x = PAGE.left;
    let height = 0;
    const cells = row.cells.map((cell): LaidCell => {
      const width = widths.slice(col, col + cell.colspan).reduce((a, w) => a + w, 0);
      const role = fontRoleOf({ cell, row });
      const text = cellText(cell);
      const lines = breakLines(m, text, role, size, width - 2 * PAD.x, tokenMode(cell));
      const align = isHead || (cell.role !== 'name' && !row.group && (cell.role === 'num' || text.length <= 6)) ? 'center' : 'left';
      height = Math.max(height, lines.length * lh(role) - LINE_GAP);
      const out: LaidCell = { lines, role, x, width, align, ...(cell.status ? { status: cell.status } : {}) };
      col += cell.colspan;
      x += width;
      return out;
    });
    return { height: height + 2 * PAD.y, group: row.group, cells };
  };
  const head = b.head.map((r) => lay(r, true));
  const laid = body.map((r) => lay(r, false));
  const headHeight = head.reduce((n, r) => n + r.height, 0);
  const total = headHeight + laid.reduce((n, r) => n + r.height, 0);
  const first = laid[0] ? laid[0].height + (laid[0].group && laid[1] ? laid[1].height : 0) : 0;
  return { size, head, body: laid, headHeight, lead: total <= PAGE.textHeight / 3 ? total : headHeight + first };
}

/** Draws a laid-out table from the cursor, repeating the header on every page it continues on. */
export function drawTable(cur: Cursor, fonts: FontSet, m: Measure, t: LaidTable): void {
  const d = cur.doc;
  const drawRow = (row: LaidRow, isHead: boolean) => {
    for (const c of row.cells) {
      const fill = isHead ? '#eeeeee' : row.group ? '#f6f6f6' : c.status ? STATUS_FILL[c.status] : undefined;
      if (fill) d.save().rect(c.x, cur.y, c.width, row.height).fill(fill).restore();
      d.save().rect(c.x, cur.y, c.width, row.height).lineWidth(0.5).strokeColor('#444444').stroke().restore();
      d.font(c.role).fontSize(t.size);
      const lh = d.currentLineHeight(true) + LINE_GAP;
      let y = cur.y + (row.height - (c.lines.length * lh - LINE_GAP)) / 2;
      d.fillColor('black');
      for (const line of c.lines) {
        const x = c.align === 'left' ? c.x + PAD.x : c.x + (c.width - m.width(line, c.role, t.size)) / 2;
        drawLine(d, fonts, line, c.role, t.size, x, y);
        y += lh;
      }
    }
    cur.y += row.height;
  };
  cur.ensure(t.lead);
  t.head.forEach((r) => drawRow(r, true));
  for (let i = 0; i < t.body.length; i++) {
    const row = t.body[i]!;
    // A group caption travels with the row after it.
    const h = row.height + (row.group && t.body[i + 1] ? t.body[i + 1]!.height : 0);
    if (cur.y + h > BOTTOM + 0.5) {
      cur.newPage();
      t.head.forEach((r) => drawRow(r, true)); // the header on every page the table spans
    }
    drawRow(row, false);
  }
  cur.y += LINE_PITCH * 0.4;
  d.x = PAGE.left;
}

/**
 * Column widths: every column at least its widest unbreakable token (a word, a number with its
 * unit, a header word), the rest of the width shared in proportion to how much wider each column
 * would like to be. Only when the minimums alone exceed the width are they scaled down (and a
 * token then breaks, as it must).
 */
function columnWidths(m: Measure, rows: readonly Row[], cols: number, size: number): number[] {
  const floor = m.width('完成', 'body', size) + 2 * PAD.x;
  const min = new Array<number>(cols).fill(floor);
  const natural: { row: number; width: number }[][] = Array.from({ length: cols }, () => []);
  rows.forEach((row, r) => {
    let col = 0;
    for (const cell of row.cells) {
      if (cell.colspan === 1) {
        const role = fontRoleOf({ cell, row });
        const text = cellText(cell);
        min[col] = Math.max(min[col]!, m.widestToken(text, role, size, tokenMode(cell)) + 2 * PAD.x);
        const widest = text.includes('\n') ? Math.max(...text.split('\n').map((l) => m.width(l, role, size))) : m.width(text, role, size);
        natural[col]!.push({ row: r, width: widest + 2 * PAD.x });
      }
      col += cell.colspan;
    }
  });
  // A column wants the width that puts most of its cells on one line; one long outlier may wrap.
  const pref = natural.map((ws, i) => {
    const sorted = ws.map((r) => r.width).sort((a, b) => a - b);
    const p85 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.85))] ?? floor;
    return Math.max(min[i]!, p85);
  });
  const total = PAGE.textWidth;
  const sumMin = min.reduce((a, b) => a + b, 0);
  const sumPref = pref.reduce((a, b) => a + b, 0);
  if (sumPref <= total) return pref.map((p) => (p / sumPref) * total);
  if (sumMin >= total) return min.map((w) => (w / sumMin) * total);
  const out = shareWidth(min, pref, natural, total);
  if (process.env.JIBAO_DEBUG_COLS) console.error({ min: min.map(Math.round), pref: pref.map(Math.round), out: out.map(Math.round) });
  return out;
}

/**
 * The width above the minimums, given where it saves the most lines: from the minimums, again and
 * again the column whose next widening (to where one of its cells loses a line) shortens the
 * table most per point, estimated on up to 120 rows; what is left goes to the columns still short
 * of their preferred width.
 */
function shareWidth(min: readonly number[], pref: readonly number[], natural: readonly (readonly { row: number; width: number }[])[], total: number): number[] {
  const cols = min.length;
  const rowsOf = new Map<number, Float64Array>();
  for (let c = 0; c < cols; c++) {
    for (const { row, width } of natural[c]!) {
      let r = rowsOf.get(row);
      if (!r) rowsOf.set(row, (r = new Float64Array(cols)));
      r[c] = width - 2 * PAD.x;
    }
  }
  const all = [...rowsOf.values()];
  const step = Math.max(1, Math.ceil(all.length / 120));
  const rows = all.filter((_, i) => i % step === 0);
  const w = [...min];
  let extra = total - min.reduce((a, b) => a + b, 0);
  const lines = (nat: number, width: number) => (nat <= width - 2 * PAD.x + 0.01 ? 1 : Math.ceil(nat / (width - 2 * PAD.x)));
  const height = (ws: readonly number[]) => {
    let h = 0;
    for (const r of rows) {
      let mx = 1;
      for (let c = 0; c < cols; c++) if (r[c]! > 0) mx = Math.max(mx, lines(r[c]!, ws[c]!));
      h += mx;
    }
    return h;
  };
  for (let iter = 0; iter < 200 && extra > 0.5; iter++) {
    const base = height(w);
    let best: { c: number; to: number; ratio: number } | undefined;
    for (let c = 0; c < cols; c++) {
      // The widths at which one of this column's cells loses a line, nearest first.
      const targets = new Set<number>();
      for (const r of rows) {
        const n = r[c]!;
        const l = n > 0 ? lines(n, w[c]!) : 1;
        if (l > 1) targets.add(n / (l - 1) + 2 * PAD.x + 0.02);
      }
      const sorted = [...targets].filter((t) => t - w[c]! <= extra).sort((a, b) => a - b).slice(0, 6);
      for (const to of sorted) {
        const trial = [...w];
        trial[c] = to;
        const gain = base - height(trial);
        const ratio = gain / (to - w[c]!);
        if (gain > 0 && (!best || ratio > best.ratio)) best = { c, to, ratio };
      }
    }
    if (!best) break;
    extra -= best.to - w[best.c]!;
    w[best.c] = best.to;
  }
  const want = pref.map((p, i) => Math.max(0, p - w[i]!));
  const sumWant = want.reduce((a, b) => a + b, 0);
  return w.map((x, i) => x + (sumWant > 0 ? (want[i]! / sumWant) * extra : extra / cols));
}

/** A number cell wider than this many digits is written in scientific form (2 decimals, fewer if needed). */
const NUMBER_DIGITS = 10;
const PLAIN_NUMBER = /^([+\-\u2212]?)(\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?)$/i;

/**
 * Numbers in `num` cells that would not fit a numeric column (1e23 written out, 9.999999999999999e+22)
 * become short scientific notation, so a column never has to grow or break a number across lines.
 */
function fitNumbers(m: Measure, rows: readonly Row[], size: number): readonly Row[] {
  const limit = m.width('0'.repeat(NUMBER_DIGITS), 'number', size);
  const fit = (c: Cell): Cell => {
    if (c.role !== 'num' || c.runs.length !== 1) return c;
    const text = c.runs[0]!.text.trim();
    if (text.length <= NUMBER_DIGITS) return c; // the common case, without measuring
    const match = PLAIN_NUMBER.exec(text);
    const n = match ? Number(match[2]!.replace(/,/g, '')) : NaN;
    if (!Number.isFinite(n)) return c;
    if (m.width(text, 'number', size) <= limit) return c;
    let out = text;
    for (const digits of [2, 1, 0]) {
      out = `${match![1]}${n.toExponential(digits)}`;
      if (m.width(out, 'number', size) <= limit) break;
    }
    return { ...c, runs: [{ ...c.runs[0]!, text: out }] };
  };
  return rows.map((r) => (r.cells.some((c) => c.role === 'num') ? { ...r, cells: r.cells.map(fit) } : r));
}
