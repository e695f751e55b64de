import type { Block, Run } from './markup.ts';
import type { FontRole, FontSet } from './fonts.ts';
import { fontRoleOf, missingGlyphs } from './fonts.ts';
import { MissingGlyphError } from './render-errors.ts';

/** Text the layout adds to every page, beyond the blocks. */
export interface PageText {
  /** Printed small at the top of every page, e.g. that the data are illustrative. */
  readonly pageBanner?: string;
}

export { MissingGlyphError } from './render-errors.ts';

/** Every (role, text) pair the layout will draw, for the glyph check before drawing. */
function textsByRole(blocks: readonly Block[], meta: PageText): Map<FontRole, string[]> {
  const out = new Map<FontRole, string[]>();
  const add = (role: FontRole, text: string) => {
    const list = out.get(role);
    if (list) list.push(text);
    else out.set(role, [text]);
  };
  const runs = (rs: readonly Run[], role: FontRole) => rs.forEach((run) => add(fontRoleOf({ run, in: role }), run.text));
  add('body', '— 0123456789 —');
  if (meta.pageBanner) add('body', meta.pageBanner);
  for (const b of blocks) {
    switch (b.type) {
      case 'masthead': add('title', b.name); add('body', `${b.issue}${b.office}${b.date}`); break;
      case 'title': add('title', b.text); break;
      case 'heading': add(fontRoleOf({ heading: b.level }), b.text); break;
      case 'paragraph': case 'notice': runs(b.runs, 'body'); break;
      case 'table': for (const row of [...b.head, ...b.body]) for (const cell of row.cells) add(fontRoleOf({ cell, row }), cell.runs.map((r) => r.text).join('')); break;
      case 'closing': add('body', b.office + b.date); b.lines.forEach((l) => add('body', l.label + l.text)); break;
      case 'chart': add('heading', `${b.title}（续）`); add('body', `${b.title}时序进度（续）…%0123456789.+\u2212e${b.items.map((i) => i.label).join('')}`); break;
      case 'pagebreak': break;
    }
  }
  return out;
}

export function checkGlyphs(blocks: readonly Block[], fonts: FontSet, meta: PageText): void {
  const missing = new Map<FontRole, string[]>();
  for (const [role, texts] of textsByRole(blocks, meta)) {
    let chars = missingGlyphs(fonts[role].font, texts.join(''));
    // What the role's font lacks may come from the configured fallback.
    if (fonts.fallback) chars = missingGlyphs(fonts.fallback.font, chars.join(''));
    if (chars.length > 0) missing.set(role, chars);
  }
  if (missing.size > 0) throw new MissingGlyphError(missing);
}

