import { fontRuns, type FontRole, type FontSet } from './fonts.ts';
import type { CellRole } from './markup.ts';

/**
 * Text measurement and line breaking for the fixed-layout parts (table cells, chart labels): the
 * layout decides every line itself and draws it without pdfkit's wrapping, so a word is only split
 * where the rules below allow and nothing is drawn below the type area.
 */

const WORDS = new Intl.Segmenter('zh-CN', { granularity: 'word' });
const HAN = /^\p{Script=Han}+$/u;
/** Characters that may not start a line (closing punctuation, %, the seasonal-basis mark). */
const NO_LINE_START = /^[，。、；：！？）」』》”’%％‰*,.;:!?)\]}]/;
/** Characters that may not end a line (opening punctuation). */
const NO_LINE_END = /[（「『《“‘([{]$/;
/** Visible ASCII, the minus sign and the like: numbers, codes and Latin words, kept whole. */
const LATIN = /^[\x21-\x7e\u2212\u00b7\u2014~～]+$/;
const NUMBERISH = /^[+\-\u2212]?\d/;
/** One-character endings of Chinese unit and office names (区…局, 市…委): never left alone on a line. */
const NAME_SUFFIX = /^[局委办院所站会厅队馆组部处司署社室科府段中]$/;

/** How a cell's text breaks: as its role says, or (a status label such as 严重滞后) not at all unless it must. */
export type TokenMode = CellRole | 'whole';

/**
 * A piece of text no line break may enter, as the parts between which it may still break when it
 * alone is wider than the column (a number and its unit: 2809.61 | 亿元).
 */
export interface Token {
  readonly text: string;
  readonly parts: readonly string[];
  /** A space before it: dropped at a line's start, kept between words. */
  readonly spaceBefore: boolean;
}

const tokenCache = new Map<string, Token[]>();

/**
 * Splits text into unbreakable tokens: ICU's Chinese word segmentation, then kept together what a
 * reader reads as one: a run of digits and Latin (1-9, −6.2, 1.00e+23), a number with its unit
 * (2809.61亿元, 7500以上, 20万人; breakable between only when unavoidable), single characters ICU
 * could not group (住建, 城管), an office name's last character (环境局), and punctuation with the
 * word it belongs to. In a plain text cell, each name in a 、-list up to four characters (区财政局) is one token.
 */
export function tokenize(text: string, role: TokenMode = 'text'): Token[] {
  const key = `${role}\u0000${text}`;
  const hit = tokenCache.get(key);
  if (hit) return hit;
  const out: Token[] = [];
  if (role === 'whole') out.push({ text, parts: [text], spaceBefore: false });
  else if (role === 'text') {
    for (const item of text.split(/(?<=[、，,])/)) {
      const bare = item.replace(/[、，,]$/, '');
      if (bare.length <= 4 && !/\s/.test(bare)) out.push({ text: item, parts: [item], spaceBefore: false });
      else out.push(...segmentTokens(item));
    }
  } else out.push(...segmentTokens(text));
  if (tokenCache.size > 50_000) tokenCache.clear();
  tokenCache.set(key, out);
  return out;
}

function segmentTokens(text: string): Token[] {
  // The common cells (a number, a dash, 达序时) skip the segmenter.
  if (LATIN.test(text) || text.length <= 1) return [{ text, parts: [text], spaceBefore: false }];
  const segs: string[] = [];
  /** segs[i] was glued from ICU's single characters (so it may take one more). */
  const singles: boolean[] = [];
  let space = false;
  const spaces = new Set<number>();
  for (const { segment } of WORDS.segment(text)) {
    if (/^\s+$/.test(segment)) { space = true; continue; }
    const n = segs.length - 1;
    const last = segs[n];
    const joinable = last !== undefined && !space;
    // Digits and Latin split by ICU (1 - 9, 1.00e + 23, − 6.2) are one run.
    if (joinable && LATIN.test(last) && LATIN.test(segment)) segs[n] = last + segment;
    // Single Han characters ICU could not group (玉 泉, 住 建): one word, up to four characters.
    else if (joinable && segment.length === 1 && HAN.test(segment) && singles[n] && last.length < 4 && !NAME_SUFFIX.test(segment)) segs[n] = last + segment;
    else {
      if (space) spaces.add(segs.length);
      segs.push(segment);
      singles.push(segment.length === 1 && HAN.test(segment) && !NAME_SUFFIX.test(segment));
    }
    space = false;
  }
  const tokens: { parts: string[]; spaceBefore: boolean }[] = [];
  let unitChars = 0;
  segs.forEach((seg, i) => {
    const cur = tokens.at(-1);
    const lastPart = cur?.parts.at(-1) ?? '';
    const attached = cur !== undefined && !spaces.has(i);
    if (attached && (NO_LINE_START.test(seg) || NO_LINE_END.test(lastPart))) {
      cur.parts[cur.parts.length - 1] = lastPart + seg; // punctuation holds to its word
    } else if (attached && NUMBERISH.test(cur.parts[0]!) && HAN.test(seg) && unitChars + seg.length <= (unitChars === 0 ? 3 : 2)) {
      cur.parts.push(seg); // a number's unit: a soft part
      unitChars += seg.length;
      return;
    } else if (attached && NAME_SUFFIX.test(seg) && HAN.test(lastPart) && lastPart.length <= 5) {
      cur.parts[cur.parts.length - 1] = lastPart + seg;
    } else tokens.push({ parts: [seg], spaceBefore: spaces.has(i) });
    unitChars = 0;
  });
  return tokens.map((t) => ({ text: t.parts.join(''), parts: t.parts, spaceBefore: t.spaceBefore }));
}

/**
 * Widths of text in a role's font, summed per character and cached: the characters of a briefing
 * repeat, and measuring each string with pdfkit would dominate the layout of a long table.
 * A character the role's font lacks is measured in the fallback font that will draw it.
 */
export class Measure {
  private readonly perChar = new Map<string, Map<string, number>>();

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly fonts: FontSet,
  ) {}

  width(text: string, role: FontRole, size: number): number {
    let table = this.perChar.get(role);
    if (!table) this.perChar.set(role, (table = new Map()));
    let w = 0;
    for (const ch of text) {
      let cw = table.get(ch);
      if (cw === undefined) {
        const runs = fontRuns(this.fonts, role, ch);
        this.doc.font(runs[0]!.font).fontSize(1000);
        cw = this.doc.widthOfString(ch) / 1000;
        table.set(ch, cw);
      }
      w += cw;
    }
    return w * size;
  }

  /** The widest token of the text: the narrowest a column can be without splitting a word. */
  widestToken(text: string, role: FontRole, size: number, cellRole: TokenMode = 'text'): number {
    let max = 0;
    for (const line of text.split('\n')) for (const t of tokenize(line, cellRole)) max = Math.max(max, this.width(t.text, role, size));
    return max;
  }
}

/**
 * The lines of `text` in `width`: greedy, breaking only between tokens; a token wider than the
 * whole width breaks between its parts (a number and its unit) and, only if still too wide, between
 * characters. "\n" in the text is a forced break.
 */
export function breakLines(m: Measure, text: string, role: FontRole, size: number, width: number, cellRole: TokenMode = 'text'): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    if (m.width(para, role, size) <= width) {
      lines.push(para);
      continue;
    }
    let line = '';
    let lw = 0;
    const flush = () => {
      if (line !== '') lines.push(line);
      line = '';
      lw = 0;
    };
    const add = (s: string, w: number) => {
      line += s;
      lw += w;
    };
    for (const t of tokenize(para, cellRole)) {
      const space = t.spaceBefore && line !== '' ? ' ' : '';
      const w = m.width(space + t.text, role, size);
      if (lw + w <= width) { add(space + t.text, w); continue; }
      flush();
      const alone = m.width(t.text, role, size);
      if (alone <= width) { add(t.text, alone); continue; }
      // Unavoidable: between the token's parts, then between characters.
      for (const part of t.parts) {
        const pw = m.width(part, role, size);
        if (lw + pw <= width) { add(part, pw); continue; }
        flush();
        if (pw <= width) { add(part, pw); continue; }
        for (const ch of part) {
          const cw = m.width(ch, role, size);
          if (lw + cw > width && line !== '' && !NO_LINE_START.test(ch)) flush();
          add(ch, cw);
        }
      }
    }
    flush();
  }
  return lines.length > 0 ? lines : [''];
}

/**
 * One line of text at (x, y) in the role's font, the fallback font for characters the role lacks;
 * never wrapped and never paginated by pdfkit (no width is passed).
 */
export function drawLine(doc: PDFKit.PDFDocument, fonts: FontSet, text: string, role: FontRole, size: number, x: number, y: number): void {
  if (text === '') return;
  const runs = fontRuns(fonts, role, text);
  runs.forEach((r, i) => {
    doc.font(r.font).fontSize(size);
    const o = { lineBreak: false, continued: i < runs.length - 1 };
    if (i === 0) doc.text(r.text, x, y, o);
    else doc.text(r.text, o);
  });
}

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
    const target = doc.widthOfString(line + rest) / (lines - out.length);
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
