import type { FontRole } from './font-roles.ts';

// The render's own errors, in a module of their own: the side that starts render threads tells
// them apart without loading the layout, its fonts code or Handlebars.

/** A template that cannot be compiled or rendered, named by file and line. */
export class TemplateError extends Error {
  override name = 'TemplateError';
  readonly code = 'TEMPLATE_INVALID';
  readonly retryable = false;
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
  }
}

/** Characters that a font role lacks; the render stops rather than print tofu. */
export class MissingGlyphError extends Error {
  override name = 'MissingGlyphError';
  readonly code = 'GLYPH_MISSING';
  readonly retryable = false;
  constructor(readonly missing: ReadonlyMap<FontRole, readonly string[]>) {
    super(
      `the briefing uses characters its fonts cannot show: ${[...missing]
        .map(([role, chars]) => `${chars.map((c) => `"${c}" (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ')} in the ${role} font`)
        .join('; ')}; map a font that has them in fonts/fonts.yaml (a role or the fallback), or change the text`,
    );
  }
}
