/**
 * Drafting a targets file from a work report's text: its headings, every quantitative target
 * or result (name, value, unit, kind, qualifier) and the numbers that look wrong. Pure: text in,
 * draft out; staff review the draft before it becomes a targets file.
 */
import { parseClause, type Measure } from './clause.ts';
import type { DraftIndicator, TargetsDraft } from './draft.ts';
import { findFindings, type Located, type LocatedClause } from './findings.ts';
import { clauseSpans, isTitleLine, parseHeading, sentenceSpans, type Span } from './layout.ts';
import { detectScript, matcherFor } from './script.ts';
import { toHalfWidth } from '../domain/numbers.ts';

export type { DraftFinding, DraftIndicator, DraftKind, DraftRule, TargetsDraft } from './draft.ts';
export { draftToYaml, type DraftYamlOptions } from './to-yaml.ts';

type Role = DraftIndicator['role'];

/** Headings that say which part of the report follows: last year's results or this year's plan. */
const REVIEW_HEADING = /回顾|总结|成绩|过去/;
const PLAN_HEADING = /安排|目标|计划|任务|思路|展望|要求/;
/** Cues that make a whole sentence a target, whatever its section. */
const STRONG_TARGET_CUE = /预期目标|主要目标|力争|争取/;
/** Cues that suggest a target where the section does not say (a review may also 控制在 a rate). */
const WEAK_TARGET_CUE = /控制在|确保|预计|计划|不超过|不高于|基本同步|下达/;
/** A list item: ●地区生产总值增长5%以上. */
const BULLET = /^[●•·▪◆■□○◎]/;
/** 2023年 in an announcing line is not a number of its own. */
const YEAR_MENTION = /(?:19|20)\d\d年/g;

export function extractTargets(text: string): TargetsDraft {
  const script = detectScript(text);
  const normalise = matcherFor(script);
  const outline: Outline = { title: null, sections: [], top: null, sub: null };
  const located: Located[] = [];
  const clauses: LocatedClause[] = [];
  /** After a line that announces targets (预期目标 with no number of its own), its bullet list is targets. */
  let listOfTargets = false;
  let paragraph = 0;
  for (const { line, start } of linesOf(text)) {
    const normal = normalise(line);
    const body = readOutline(line, normal, outline);
    if (!body) {
      if (normal !== '') listOfTargets = false;
      continue;
    }
    paragraph++;
    const bullet = BULLET.test(normal);
    if (!bullet) listOfTargets = STRONG_TARGET_CUE.test(normal) && !/\d/.test(normal.replace(YEAR_MENTION, ''));
    const sectionRoleNow = sectionRole(outline.top, outline.sub);
    const context = { section: outline.sub ?? outline.top, role: bullet && listOfTargets ? 'target' : sectionRoleNow, paragraph };
    // 主要预期目标是:A;B;C — the sentences after a semicolon are still the targets the first one announced.
    let carried: Role | null = null;
    const half = toHalfWidth(body.text);
    for (const sentence of sentenceSpans(body.text)) {
      const found = readSentence(body.text, sentence, start + body.offset, normalise, { ...context, carried });
      located.push(...found.located);
      clauses.push(...found.clauses);
      carried = half[sentence.end] === ';' && found.role === 'target' ? 'target' : null;
    }
  }
  const findings = findFindings(located, clauses, text);
  return { script, title: outline.title, sections: outline.sections, indicators: located.map((l) => l.indicator), findings };
}

/** Where the reader stands in the report: its title, the headings seen, the current ones. */
interface Outline {
  title: string | null;
  sections: string[];
  top: string | null;
  sub: string | null;
}

function* linesOf(text: string): Generator<{ line: string; start: number }> {
  let start = 0;
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    yield { line: raw.replace(/\r$/, ''), start };
    start += raw.length + 1;
  }
}

/**
 * Takes a heading or the title line into `outline`; returns the body text of the line to read
 * for measures (all of it, what follows an inline heading, or nothing).
 */
function readOutline(line: string, normal: string, outline: Outline): { text: string; offset: number } | null {
  if (normal === '') return null;
  const heading = parseHeading(normal);
  if (!heading) {
    if (outline.title !== null || !isTitleLine(normal)) return { text: line, offset: 0 };
    outline.title = normal;
    return null;
  }
  if (!outline.sections.includes(heading.name)) outline.sections.push(heading.name);
  if (heading.level === 1) [outline.top, outline.sub] = [heading.name, null];
  else outline.sub = heading.name;
  if (!heading.inline) return null;
  const offset = line.search(/[。！？!?]/) + 1;
  return { text: line.slice(offset), offset };
}

function sectionRole(top: string | null, sub: string | null): Role | null {
  for (const heading of [top, sub]) {
    if (heading && REVIEW_HEADING.test(heading)) return 'result';
    if (heading && PLAN_HEADING.test(heading)) return 'target';
  }
  return null;
}

function sentenceRole(sentence: string, fromSection: Role | null, carried: Role | null): Role {
  if (STRONG_TARGET_CUE.test(sentence) || carried === 'target') return 'target';
  if (fromSection) return fromSection;
  return WEAK_TARGET_CUE.test(sentence) ? 'target' : 'result';
}

interface Subject {
  readonly measure: Measure;
  readonly name: string;
  /** Where its clause starts, so a continuing clause's raw snippet shows the subject too. */
  readonly start: number;
}

interface SentenceContext {
  readonly section: string | null;
  readonly role: Role | null;
  /** The role the sentence before hands on (after a semicolon in a paragraph of targets). */
  readonly carried: Role | null;
  /** Number of the paragraph (non-empty body line), for findings about a whole paragraph. */
  readonly paragraph: number;
}

/** The measures of one sentence; a clause without a subject (同比增长2%) takes the one before it. */
function readSentence(
  line: string,
  sentence: Span,
  lineStart: number,
  normalise: (text: string) => string,
  context: SentenceContext,
): { located: Located[]; clauses: LocatedClause[]; role: Role } {
  const role = sentenceRole(normalise(line.slice(sentence.start, sentence.end)), context.role, context.carried);
  const located: Located[] = [];
  const clauses: LocatedClause[] = [];
  let subject: Subject | null = null;
  for (const clause of clauseSpans(line, sentence)) {
    const raw = line.slice(clause.start, clause.end);
    const text = normalise(raw);
    clauses.push({ raw, text, pos: lineStart + clause.start, paragraph: context.paragraph });
    for (const measure of parseClause(text)) {
      const before: Subject | null = subject;
      const own = measure.name !== '';
      if (!own && !before) continue;
      const carried: Measure = own || !before ? measure : continueSubject(measure, before.measure);
      const name: string = own || !before ? measure.name : before.name;
      const start: number = own || !before ? clause.start : before.start;
      located.push({
        indicator: {
          name,
          value: carried.value,
          unit: carried.unit,
          kind: carried.kind,
          qualifier: carried.qualifier,
          raw: line.slice(start, clause.end),
          role,
          section: context.section,
          targetText: carried.targetText,
          ...relativeFields(carried),
        },
        numberText: carried.numberText,
        pos: lineStart + clause.start,
        paragraph: context.paragraph,
      });
      subject = { measure: carried, name, start };
    }
  }
  return { located, clauses, role };
}

function relativeFields(m: Measure): Pick<DraftIndicator, 'relation' | 'measure' | 'referenceText'> {
  if (m.kind !== 'relative') return {};
  return { relation: m.relation!, measure: m.measure!, referenceText: m.referenceText! };
}

/**
 * A bare number after a measure continues it: 增长6%左右,力争7% is a growth target too, and
 * 下降3%,力争4% a fall. A clause with its own verb (同比增长2%) keeps its own kind.
 */
function continueSubject(measure: Measure, subject: Measure): Measure {
  if (measure.hasVerb || (measure.unit === '%') !== (subject.unit === '%')) return measure;
  const fall = subject.kind === 'growth' && (subject.value ?? 0) < 0 && measure.value !== null;
  return { ...measure, kind: subject.kind, value: fall ? -measure.value! : measure.value };
}
