/** A worker-thread task: render one briefing, or warm the thread up. Fonts are parsed once per thread and kept. */
import type { MessagePort } from 'node:worker_threads';
import { renderInProcess, type RenderInput } from './renderer.ts';
import type { RenderedBriefing } from './briefing.ts';
import type { FontRole } from './font-roles.ts';
import { MissingGlyphError, TemplateError } from './render-errors.ts'; // not the modules that throw them: the pool's side loads this file

export type RenderTask =
  | {
      readonly kind: 'render';
      readonly input: RenderInput;
      /** Told when this thread starts the task: the time budget runs from then, not from the queue. */
      readonly started: MessagePort;
    }
  /** Loads the layout and parses the fonts before the first render (the caller reads the figures meanwhile). */
  | { readonly kind: 'warm'; readonly fontsDir: string; readonly started: MessagePort };

/**
 * An error the caller must tell apart (bad template, missing glyphs: fix the input, do not retry).
 * An Error crossing the thread boundary arrives as a plain Error, so these travel as data.
 */
export type ThreadFailure =
  | { readonly kind: 'template'; readonly file: string; readonly message: string }
  | { readonly kind: 'glyph'; readonly missing: readonly (readonly [FontRole, readonly string[]])[] };

export type ThreadResult = { readonly ok: true; readonly rendered: RenderedBriefing | null } | { readonly ok: false; readonly failure: ThreadFailure };

export default async function renderTask(task: RenderTask): Promise<ThreadResult> {
  task.started.postMessage('started');
  task.started.close();
  try {
    if (task.kind === 'warm') {
      const [{ loadFonts }] = await Promise.all([import('./fonts.ts'), import('./briefing.ts'), import('./pdf.ts')]);
      await loadFonts(task.fontsDir);
      return { ok: true, rendered: null };
    }
    return { ok: true, rendered: await renderInProcess({ ...task.input, creationDate: new Date(task.input.creationDate) }) };
  } catch (e) {
    if (e instanceof TemplateError) return { ok: false, failure: { kind: 'template', file: e.file, message: e.message } };
    if (e instanceof MissingGlyphError) return { ok: false, failure: { kind: 'glyph', missing: [...e.missing] } };
    throw e;
  }
}

/** The error as the caller's side knows it. */
export function failureError(f: ThreadFailure): Error {
  if (f.kind === 'glyph') return new MissingGlyphError(new Map(f.missing));
  const e = new TemplateError(f.file, '');
  e.message = f.message; // the message as thrown, file included
  return e;
}
