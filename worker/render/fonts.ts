import path from 'node:path';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import * as fontkit from 'fontkit';
import { InputError } from '../domain/issues.ts';
import { loadYamlFile } from '../config/yaml-file.ts';
import type { Cell, Row, Run } from './markup.ts';
import { FONT_ROLES, isFontsFile, type FontRole } from './font-roles.ts';

export { FONT_ROLES, type FontRole } from './font-roles.ts';

/** A parsed font: what pdfkit embeds and what the glyph check asks. */
export interface LoadedFont {
  readonly role: FontRole | 'fallback';
  readonly file: string;
  readonly font: fontkit.Font;
  /** The face inside the file, recorded in the manifest beside the file's SHA-256. */
  readonly postscriptName: string;
}

export type FontSet = Record<FontRole, LoadedFont> & { readonly fallback?: LoadedFont };

const require = createRequire(import.meta.url);
// Parsed fonts are kept for the life of the process: a worker parses each file once, not once per job.
const cache = new Map<string, fontkit.Font>();

function resolveFontFile(spec: string, fontsDir: string, configFile: string): string {
  if (spec.startsWith('npm:')) {
    try {
      return require.resolve(spec.slice(4));
    } catch {
      throw new InputError([{ severity: 'error', file: configFile, message: `font ${spec} is not installed; run npm ci` }]);
    }
  }
  const file = path.resolve(fontsDir, spec);
  if (!existsSync(file)) throw new InputError([{ severity: 'error', file: configFile, message: `font file ${spec} not found in ${fontsDir}` }]);
  return file;
}

function openFont(file: string, postscriptName?: string): fontkit.Font {
  const key = `${file}#${postscriptName ?? ''}`;
  let font = cache.get(key);
  if (!font) {
    const opened = fontkit.openSync(file, postscriptName);
    if ('fonts' in opened) throw new Error(`${file} is a font collection; set postscript_name to one of ${opened.fonts.map((f) => f.postscriptName).join(', ')}`);
    font = opened as fontkit.Font;
    cache.set(key, font);
  }
  return font;
}

export async function loadFonts(fontsDir: string): Promise<FontSet> {
  const configFile = path.join(fontsDir, 'fonts.yaml');
  const schema = { accepts: isFontsFile, load: async () => (await import('./fonts-file.ts')).fontsFileSchema };
  const config = await loadYamlFile(configFile, schema, 'font configuration');
  const load = (role: FontRole | 'fallback', spec: { file: string; postscript_name?: string | undefined }): LoadedFont => {
    const file = resolveFontFile(spec.file, fontsDir, configFile);
    const font = openFont(file, spec.postscript_name);
    return { role, file, font, postscriptName: font.postscriptName };
  };
  const set = {} as Record<FontRole, LoadedFont> & { fallback?: LoadedFont };
  for (const role of FONT_ROLES) set[role] = load(role, config.roles[role]);
  if (config.fallback) set.fallback = load('fallback', config.fallback);
  return set;
}

/** Whether each code point has a glyph, per font: fontkit's cmap lookup allocates, and a briefing asks it for every character it draws. */
const glyphKnown = new WeakMap<fontkit.Font, Map<number, boolean>>();

function hasGlyph(font: fontkit.Font, cp: number): boolean {
  let known = glyphKnown.get(font);
  if (!known) glyphKnown.set(font, (known = new Map()));
  let has = known.get(cp);
  if (has === undefined) known.set(cp, (has = font.hasGlyphForCodePoint(cp)));
  return has;
}

/** Characters of `text` that `font` has no glyph for (whitespace and controls excepted). */
export function missingGlyphs(font: fontkit.Font, text: string): string[] {
  const missing: string[] = [];
  // Each distinct character once: a long table repeats the same few hundred.
  for (const ch of new Set(text)) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x21 || (cp >= 0x7f && cp <= 0xa0) || ch.trim() === '') continue;
    if (!hasGlyph(font, cp)) missing.push(ch);
  }
  return missing;
}

/** Splits `text` into runs of the role's font and of the fallback, for the characters the role lacks. */
export function fontRuns(fonts: FontSet, role: FontRole, text: string): { text: string; font: FontRole | 'fallback' }[] {
  const primary = fonts[role].font;
  const fallback = fonts.fallback?.font;
  if (!fallback) return [{ text, font: role }];
  const fromFallback = (cp: number) => cp > 0x20 && !hasGlyph(primary, cp) && hasGlyph(fallback, cp);
  let any = false;
  for (let i = 0; i < text.length && !any; i++) {
    const cp = text.codePointAt(i)!;
    if (cp > 0xffff) i++; // by code point, as for-of below
    any = fromFallback(cp);
  }
  if (!any) return text === '' ? [] : [{ text, font: role }]; // the common case: the role's font has every character
  const runs: { text: string; font: FontRole | 'fallback' }[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const font: FontRole | 'fallback' = fromFallback(cp) ? 'fallback' : role;
    const last = runs[runs.length - 1];
    if (last && last.font === font) last.text += ch;
    else runs.push({ text: ch, font });
  }
  return runs;
}

/** What the layout draws text for; `fontRoleOf` names its font role. */
export type Drawn =
  | { readonly cell: Cell; readonly row: Row }
  | { readonly run: Run; readonly in: FontRole }
  | { readonly heading: 2 | 3 };

/** The font role of a piece of the briefing: the one rule both the glyph check and the layout follow. */
export function fontRoleOf(x: Drawn): FontRole {
  if ('cell' in x) return x.cell.header || x.row.group ? 'heading' : x.cell.role === 'num' ? 'number' : 'body';
  if ('run' in x) return x.run.strong ? 'heading' : x.in;
  return x.heading === 2 ? 'heading' : 'kai';
}
