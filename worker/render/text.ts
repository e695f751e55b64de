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
const NO_LINE_START_ALL = /[，。、；：！？）」』》”’%％‰*,.;:!?)\]}（「『《“‘([{]/g;
/** Visible ASCII, the minus sign and the like: numbers, codes and Latin words, kept whole. */
const LATIN = /^[\x21-\x7e\u2212\u00b7\u2014~～]+$/;
const NUMBERISH = /^[（「『《“‘([{]*[+\-\u2212]?\d/;
/** One-character endings of Chinese unit and office names (区…局, 市…委): never left alone on a line. */
/** One-character beginnings of office names (区财政局, 市委): kept with the word after them. */
const NAME_PREFIX = /^[区市县镇乡]$/;
const SPLIT_WORDS = new Set(['百分点', '千分点', '百分比']);
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
    // Words ICU splits that a reader does not (百分 点).
    else if (joinable && SPLIT_WORDS.has(last + segment)) segs[n] = last + segment;
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
      if (NO_LINE_START.test(seg)) unitChars = 99; // and ends a number's unit
      return;
    } else if (attached && NUMBERISH.test(cur.parts[0]!) && HAN.test(seg) && unitChars + seg.length <= (unitChars === 0 ? 3 : 2)) {
      cur.parts.push(seg); // a number's unit: a soft part
      unitChars += seg.length;
      return;
    } else if (attached && cur.parts.length === 1 && NAME_PREFIX.test(lastPart) && HAN.test(seg)) {
      cur.parts[0] = lastPart + seg; // 区 | 工业: a district's prefix stays with the name it starts
    } else if (attached && NAME_SUFFIX.test(seg) && HAN.test(lastPart) && lastPart.length <= 5) {
      cur.parts[cur.parts.length - 1] = lastPart + seg;
      // 信息 化 局: a lone character before the suffix belongs to the word before it (信息化局).
      const before = tokens.at(-2);
      const prev = before?.parts.at(-1) ?? '';
      if (lastPart.length === 1 && before && before.parts.length === 1 && HAN.test(prev) && prev.length + 2 <= 5 && !spaces.has(i - 1)) {
        before.parts[0] = prev + lastPart + seg;
        tokens.pop();
      }
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
export function drawLine(doc: PDFKit.PDFDocument, fonts: FontSet, text: string, role: FontRole, size: number, x: number, y: number, characterSpacing = 0): void {
  if (text === '') return;
  const runs = fontRuns(fonts, role, text);
  runs.forEach((r, i) => {
    doc.font(r.font).fontSize(size);
    const o = { lineBreak: false, continued: i < runs.length - 1, ...(characterSpacing ? { characterSpacing } : {}) };
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

/** A stretch of one line in one font role. */
export interface Piece {
  readonly text: string;
  readonly role: FontRole;
}

/**
 * Body text as lines of `width` (the first indented): Chinese breaks between characters as in print,
 * but never inside a number with its unit (14.81亿元), a Latin word, a two-character word, 百分点,
 * an office name (统计局), or before closing / after opening punctuation. Each run keeps its role (strong runs in the heading face).
 */
export function paragraphLines(m: Measure, runs: readonly { text: string; role: FontRole }[], size: number, width: number, indent: number): Piece[][] {
  const tokens: { text: string; role: FontRole; glue: boolean }[] = [];
  for (const run of runs) {
    for (const para of run.text.split('\n')) {
      if (para !== run.text.split('\n')[0]) tokens.push({ text: '\n', role: run.role, glue: false });
      for (const t of tokenize(para, 'name')) {
        const glueFirst = NO_LINE_START.test(t.text) && tokens.length > 0;
        const pieces = keepWhole(t.text) ? [t.text] : splitHan(t.text);
        pieces.forEach((p, i) => tokens.push({ text: (i === 0 && t.spaceBefore ? ' ' : '') + p, role: run.role, glue: i === 0 && glueFirst }));
      }
    }
  }
  const lines: Piece[][] = [];
  let line: Piece[] = [];
  let lw = 0;
  let limit = width - indent;
  const flush = () => {
    lines.push(line);
    line = [];
    lw = 0;
    limit = width;
  };
  const push = (text: string, role: FontRole, w: number) => {
    const last = line.at(-1);
    if (last && last.role === role) line[line.length - 1] = { text: last.text + text, role };
    else line.push({ text, role });
    lw += w;
  };
  // Glued tokens (closing punctuation) travel with the token before them.
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '\n') { flush(); continue; }
    let j = i + 1;
    let w = m.width(t.text, t.role, size);
    while (j < tokens.length && tokens[j]!.glue) w += m.width(tokens[j++]!.text, tokens[j - 1]!.role, size);
    if (lw + w > limit && line.length > 0) flush();
    for (let k = i; k < j; k++) {
      const g = tokens[k]!;
      const text = line.length === 0 ? g.text.trimStart() : g.text;
      const gw = m.width(text, g.role, size);
      if (lw + gw > limit && line.length > 0) flush(); // a single token wider than the line
      push(text, g.role, gw);
    }
    i = j - 1;
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/** In body text: a number with its unit, Latin, 百分点, an office name (统计局) or a two-character word. */
function keepWhole(token: string): boolean {
  const bare = token.replace(NO_LINE_START_ALL, '');
  if (/^[+\-\u2212]?\d|^[\x21-\x7e]/.test(bare)) return true;
  return bare.length <= 2 || SPLIT_WORDS.has(bare) || (bare.length <= 5 && NAME_SUFFIX.test(bare.at(-1)!));
}

/** A Chinese word as its characters, punctuation kept with the character before it (or after, if opening). */
function splitHan(word: string): string[] {
  const out: string[] = [];
  let carry = '';
  for (const ch of word) {
    if (NO_LINE_END.test(ch)) { carry += ch; continue; }
    if (NO_LINE_START.test(ch) && out.length > 0 && carry === '') out[out.length - 1] += ch;
    else { out.push(carry + ch); carry = ''; }
  }
  if (carry) out.push(carry);
  return out;
}
