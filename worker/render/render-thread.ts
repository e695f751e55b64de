/** A worker-thread task: render one briefing, or warm the thread up. Fonts are parsed once per thread and kept. */
import type { MessagePort } from 'node:worker_threads';
import { renderInProcess, type RenderInput } from './renderer.ts';
import type { RenderedBriefing } from './briefing.ts';

export type RenderTask =
  | {
      readonly kind: 'render';
      readonly input: RenderInput;
      /** Told when this thread starts the task: the time budget runs from then, not from the queue. */
      readonly started: MessagePort;
    }
  /** Loads the layout and parses the fonts before the first render (the caller reads the figures meanwhile). */
  | { readonly kind: 'warm'; readonly fontsDir: string; readonly started: MessagePort };

export default async function renderTask(task: RenderTask): Promise<RenderedBriefing | null> {
  task.started.postMessage('started');
  task.started.close();
  if (task.kind === 'warm') {
    const [{ loadFonts }] = await Promise.all([import('./fonts.ts'), import('./briefing.ts'), import('./pdf.ts')]);
    await loadFonts(task.fontsDir);
    return null;
  }
  return renderInProcess({ ...task.input, creationDate: new Date(task.input.creationDate) });
}
