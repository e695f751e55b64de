import { Parser } from 'htmlparser2';
import { STATUSES, type Status } from '../domain/evaluate.ts';

/** A lean tree: htmlparser2's streaming parser feeds it, so a 10,000-row table builds no full DOM. */
interface Element {
  readonly type: 'tag';
  readonly name: string;
  readonly attribs: Record<string, string>;
  readonly children: ChildNode[];
  readonly startIndex: number;
}
type ChildNode = Element | { readonly type: 'text'; data: string };

function parseTree(html: string): ChildNode[] {
  const root: ChildNode[] = [];
  const stack: Element[] = [];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const el: Element = { type: 'tag', name, attribs, children: [], startIndex: parser.startIndex };
        (stack.at(-1)?.children ?? root).push(el);
        stack.push(el);
      },
      ontext(data) {
        const kids = stack.at(-1)?.children ?? root;
        const last = kids.at(-1);
        if (last?.type === 'text') last.data += data;
        else kids.push({ type: 'text', data });
      },
      onclosetag() {
        stack.pop();
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.end(html);
  return root;
}

/**
 * The briefing markup: the small HTML subset that templates produce and the layout engine
 * draws (documented in templates/README.md). Parsing it into blocks here keeps the layout
 * free of HTML, and rejects what the layout could not draw instead of dropping it.
 */
export interface Run {
  readonly text: string;
  readonly strong?: boolean;
}

/** What a cell holds, from its class: `name` (an indicator's name, left-aligned), `num`, or plain text. */
export type CellRole = 'name' | 'num' | 'text';

export interface Cell {
  readonly runs: readonly Run[];
  readonly header: boolean;
  readonly colspan: number;
  readonly role: CellRole;
  /** From class="status-…": drawn as that status's fill. */
  readonly status?: Status;
}

export interface Row {
  readonly cells: readonly Cell[];
  /** class="group": a section caption spanning the table, kept with the row after it. */
  readonly group: boolean;
}

/** The table's class: `summary` is set larger; the others only name what the table lists. */
export type TableVariant = 'indicators' | 'monitors' | 'tasks' | 'summary' | 'plain';
const TABLE_VARIANTS: readonly TableVariant[] = ['indicators', 'monitors', 'tasks', 'summary'];

export type Block =
  | { readonly type: 'masthead'; readonly name: string; readonly issue: string; readonly office: string; readonly date: string }
  | { readonly type: 'title'; readonly text: string }
  | { readonly type: 'heading'; readonly level: 2 | 3; readonly text: string }
  | { readonly type: 'paragraph'; readonly runs: readonly Run[]; readonly classes: readonly string[] }
  | { readonly type: 'notice'; readonly runs: readonly Run[] }
  | { readonly type: 'table'; readonly variant: TableVariant; readonly head: readonly Row[]; readonly body: readonly Row[] }
  | { readonly type: 'closing'; readonly lines: readonly { label: string; text: string }[]; readonly office: string; readonly date: string }
  | { readonly type: 'pagebreak' }
  | { readonly type: 'chart'; readonly chart: 'completion' | 'status'; readonly title: string; readonly schedule?: number; readonly items: readonly ChartItem[] };

export interface ChartItem {
  readonly label: string;
  readonly value: number;
  /** Drawn as a fill pattern and named, not colour alone. */
  readonly status?: Status;
}

export class MarkupError extends Error {
  override name = 'MarkupError';
}

export function parseMarkup(html: string): Block[] {
  const children = parseTree(html);
  const lineOf = (el: Element) => html.slice(0, el.startIndex).split('\n').length;
  const fail = (el: Element, msg: string): never => {
    throw new MarkupError(`rendered markup line ${lineOf(el)}: ${msg}`);
  };
  const blocks: Block[] = [];
  for (const node of elements(children)) {
    const cls = classes(node);
    switch (node.name) {
      case 'header':
        if (!cls.includes('masthead')) fail(node, '<header> must have class="masthead"');
        blocks.push({
          type: 'masthead',
          name: childText(node, 'name'),
          issue: childText(node, 'issue'),
          office: childText(node, 'office'),
          date: childText(node, 'date'),
        });
        break;
      case 'h1':
        blocks.push({ type: 'title', text: textOf(node) });
        break;
      case 'h2':
      case 'h3':
        blocks.push({ type: 'heading', level: node.name === 'h2' ? 2 : 3, text: textOf(node) });
        break;
      case 'p':
        blocks.push({ type: 'paragraph', runs: runsOf(node, fail), classes: cls });
        break;
      case 'div':
        if (cls.includes('notice')) blocks.push({ type: 'notice', runs: runsOf(node, fail) });
        else if (cls.includes('page-break')) blocks.push({ type: 'pagebreak' });
        else fail(node, `<div> needs class "notice" or "page-break", got "${cls.join(' ')}"`);
        break;
      case 'table':
        blocks.push(tableOf(node, fail));
        break;
      case 'figure': {
        if (!cls.includes('chart')) fail(node, '<figure> must have class="chart"');
        const kind = node.attribs['data-type'];
        if (kind !== 'completion' && kind !== 'status') fail(node, `data-type="${kind ?? ''}": expected completion or status`);
        const items = elements(node.children).map((el) => {
          const value = Number(el.attribs['data-value']);
          if (!Number.isFinite(value)) fail(el, `data-value="${el.attribs['data-value'] ?? ''}" is not a number`);
          const status = el.attribs['data-status'] || undefined;
          if (status !== undefined && !STATUSES.includes(status as Status)) fail(el, `data-status="${status}": expected one of ${STATUSES.join(', ')}`);
          return { label: el.attribs['data-label'] ?? '', value, ...(status ? { status: status as Status } : {}) };
        });
        const schedule = node.attribs['data-schedule'] === undefined ? undefined : Number(node.attribs['data-schedule']);
        if (schedule !== undefined && !Number.isFinite(schedule)) fail(node, `data-schedule="${node.attribs['data-schedule']}" is not a number`);
        blocks.push({ type: 'chart', chart: kind as 'completion' | 'status', title: node.attribs['data-title'] ?? '', ...(schedule !== undefined ? { schedule } : {}), items });
        break;
      }
      case 'footer': {
        if (!cls.includes('closing')) fail(node, '<footer> must have class="closing"');
        const lines = elements(node.children)
          .filter((e) => classes(e).includes('line'))
          .map((e) => {
            const label = elements(e.children).find((c) => classes(c).includes('label'));
            const full = textOf(e);
            const labelText = label ? textOf(label) : '';
            return { label: labelText, text: full.slice(labelText.length).trim() };
          });
        const printed = elements(node.children).find((e) => classes(e).includes('printed'));
        blocks.push({
          type: 'closing',
          lines,
          office: printed ? childText(printed, 'office') : '',
          date: printed ? childText(printed, 'date') : '',
        });
        break;
      }
      default:
        fail(node, `<${node.name}> is not part of the briefing markup (see templates/README.md)`);
    }
  }
  return blocks;
}

function elements(nodes: readonly ChildNode[]): Element[] {
  return nodes.filter((n): n is Element => n.type === 'tag');
}

function classes(el: Element): string[] {
  return (el.attribs['class'] ?? '').split(/\s+/).filter(Boolean);
}

/** Text content with the template's indentation and newlines collapsed (Chinese has no spaces between words). */
function textOf(node: ChildNode): string {
  return collapse(rawText(node));
}

function rawText(node: ChildNode): string {
  if (node.type === 'text') return node.data;
  return node.children.map(rawText).join('');
}

function collapse(s: string): string {
  return s.replace(/\s*\n\s*/g, '').replace(/[ \t]+/g, ' ').trim();
}

function childText(el: Element, cls: string): string {
  const found = findByClass(el, cls);
  return found ? textOf(found) : '';
}

function findByClass(el: Element, cls: string): Element | undefined {
  for (const c of elements(el.children)) {
    if (classes(c).includes(cls)) return c;
    const deeper = findByClass(c, cls);
    if (deeper) return deeper;
  }
  return undefined;
}

function runsOf(el: Element, fail: (el: Element, msg: string) => never): Run[] {
  // Most table cells are one plain text: skip the walk and the merging (a 10,000-row table has 100,000 cells).
  const only = el.children.length === 1 ? el.children[0] : undefined;
  if (only?.type === 'text') {
    const text = only.data.replace(/\s*\n\s*/g, '').trim();
    return text ? [{ text }] : [];
  }
  if (el.children.length === 0) return [];
  const runs: Run[] = [];
  const walk = (n: ChildNode, strong: boolean) => {
    if (n.type === 'text') {
      const text = n.data.replace(/\s*\n\s*/g, '');
      if (text) runs.push(strong ? { text, strong } : { text });
    } else if (n.type === 'tag') {
      if (n.name === 'strong' || n.name === 'b') n.children.forEach((c) => walk(c, true));
      else if (n.name === 'span' || n.name === 'em') n.children.forEach((c) => walk(c, strong));
      else if (n.name === 'br') runs.push({ text: '\n' });
      else fail(n, `<${n.name}> is not allowed inside text; use <strong>, <em>, <span> or <br>`);
    }
  };
  el.children.forEach((c) => walk(c, false));
  // Merge neighbours of the same weight; trim the paragraph's ends.
  const merged: Run[] = [];
  for (const r of runs) {
    const last = merged[merged.length - 1];
    if (last && !!last.strong === !!r.strong) merged[merged.length - 1] = { ...last, text: last.text + r.text };
    else merged.push(r);
  }
  if (merged.length > 0) {
    merged[0] = { ...merged[0]!, text: merged[0]!.text.trimStart() };
    const n = merged.length - 1;
    merged[n] = { ...merged[n]!, text: merged[n]!.text.trimEnd() };
  }
  return merged.filter((r) => r.text !== '');
}

function tableOf(el: Element, fail: (el: Element, msg: string) => never): Block {
  const head: Row[] = [];
  const body: Row[] = [];
  const rowOf = (tr: Element): Row => ({
    group: classes(tr).includes('group'),
    cells: elements(tr.children).map((c): Cell => {
      if (c.name !== 'td' && c.name !== 'th') fail(c, `<${c.name}> inside <tr>; expected <td> or <th>`);
      if (c.attribs['rowspan'] !== undefined && c.attribs['rowspan'] !== '1') fail(c, 'rowspan is not supported; repeat the cell or use a group row (<tr class="group">)');
      const span = Number(c.attribs['colspan'] ?? '1');
      if (!Number.isInteger(span) || span < 1) fail(c, `colspan="${c.attribs['colspan']}" is not a positive whole number`);
      const cls = c.attribs['class'] ? classes(c) : [];
      const role: CellRole = cls.includes('num') ? 'num' : cls.includes('name') ? 'name' : 'text';
      const statusClass = cls.find((k) => k.startsWith('status-'));
      const status = statusClass?.slice(7) as Status | undefined;
      if (status !== undefined && !STATUSES.includes(status)) fail(c, `class "${statusClass}": expected status- followed by one of ${STATUSES.join(', ')}`);
      return { runs: runsOf(c, fail), header: c.name === 'th', colspan: span, role, ...(status ? { status } : {}) };
    }),
  });
  for (const part of elements(el.children)) {
    if (part.name === 'thead' || part.name === 'tbody') {
      for (const tr of elements(part.children)) {
        if (tr.name !== 'tr') fail(tr, `<${tr.name}> inside <${part.name}>; expected <tr>`);
        (part.name === 'thead' ? head : body).push(rowOf(tr));
      }
    } else if (part.name === 'tr') body.push(rowOf(part));
    else fail(part, `<${part.name}> inside <table>; expected <thead>, <tbody> or <tr>`);
  }
  const width = (r: Row) => r.cells.reduce((n, c) => n + c.colspan, 0);
  const cols = head[0] ? width(head[0]) : body[0] ? width(body[0]) : 0;
  for (const r of [...head, ...body]) {
    if (width(r) !== cols) fail(el, `a table row has ${width(r)} columns where the table has ${cols}`);
  }
  const variant = TABLE_VARIANTS.find((v) => classes(el).includes(v)) ?? 'plain';
  return { type: 'table', variant, head, body };
}
