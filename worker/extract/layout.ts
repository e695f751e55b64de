/** The layout of a work report's text: headings, the title line, sentences and clauses. */
import { toHalfWidth } from '../domain/numbers.ts';

export interface Heading {
  readonly level: 1 | 2;
  /** The heading text without its numbering: 一、2022年工作回顾 → 2022年工作回顾. */
  readonly name: string;
  /** True when body text follows the heading on the same line, after its 。. */
  readonly inline: boolean;
}

const CN_ORDINAL = '[一二三四五六七八九十]{1,3}';
/** 一、… (the review, the plan, the government's own work). */
const TOP_HEADING = new RegExp(`^${CN_ORDINAL}、(?<text>.+)$`);
/** (一)… or （一）… after half-width conversion. */
const SUB_HEADING = new RegExp(`^\\(${CN_ORDINAL}\\)(?<text>.+)$`);
const MAX_HEADING = 40;
const MAX_INLINE_HEADING = 30;

/** `line` is normalised text (half-width, no whitespace). */
export function parseHeading(line: string): Heading | null {
  const top = TOP_HEADING.exec(line);
  const sub = top ? null : SUB_HEADING.exec(line);
  const text = (top ?? sub)?.groups?.text;
  if (!text) return null;
  const stop = text.search(/[。!?]/);
  const name = stop < 0 ? text : text.slice(0, stop);
  const inline = stop >= 0 && stop < text.length - 1;
  if (name.length === 0 || name.length > (inline ? MAX_INLINE_HEADING : MAX_HEADING)) return null;
  return { level: top ? 1 : 2, name, inline };
}

const TITLE = /^.{0,30}政府工作报告$/;

/** 2023年玉泉区政府工作报告 as a line of its own. */
export function isTitleLine(line: string): boolean {
  return TITLE.test(line);
}

export interface Span {
  readonly start: number;
  readonly end: number;
}

const SENTENCE_BREAK = /[。;!?]/;

/** Sentences of a line, as spans; `line` may be in any script and width. */
export function sentenceSpans(line: string): Span[] {
  const text = toHalfWidth(line);
  return splitSpans(text, 0, text.length, (i) => SENTENCE_BREAK.test(text[i]!));
}

/**
 * Clauses of a sentence. Reports mix full-width and ASCII punctuation, so both break a clause,
 * except a comma grouping digits (1,234) and a colon between digits (9:30).
 */
export function clauseSpans(line: string, sentence: Span): Span[] {
  const text = toHalfWidth(line);
  return splitSpans(text, sentence.start, sentence.end, (i) => {
    const c = text[i]!;
    if (c === ',') return !(/\d/.test(text[i - 1] ?? '') && /^\d{3}(?!\d)/.test(text.slice(i + 1, i + 5)));
    if (c === ':') return !(/\d/.test(text[i - 1] ?? '') && /\d/.test(text[i + 1] ?? ''));
    return false;
  });
}

function splitSpans(text: string, from: number, to: number, isBreak: (i: number) => boolean): Span[] {
  const spans: Span[] = [];
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i < to && !isBreak(i)) continue;
    if (text.slice(start, i).trim().length > 0) spans.push(trimSpan(text, start, i));
    start = i + 1;
  }
  return spans;
}

function trimSpan(text: string, start: number, end: number): Span {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s]!)) s++;
  while (e > s && /\s/.test(text[e - 1]!)) e--;
  return { start: s, end: e };
}
