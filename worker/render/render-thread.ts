/** A worker-thread task: render one briefing. Fonts are parsed once per thread and kept. */
import { workerData, type MessagePort } from 'node:worker_threads';
import { renderInProcess, type RenderInput } from './renderer.ts';
import type { RenderedBriefing } from './briefing.ts';
// Loaded when the thread starts, not on its first render: the caller prepares the figures meanwhile.
import './briefing.ts';
import './pdf.ts';
import { loadFonts } from './fonts.ts';

const preload = (workerData as { fontsDir?: string } | null)?.fontsDir;
if (preload) loadFonts(preload).catch(() => undefined); // a broken font setup is reported by the render itself

export interface RenderTask {
  readonly input: RenderInput;
  /** Told when this thread starts the render: the time budget runs from then, not from the queue. */
  readonly started: MessagePort;
}

export default async function renderTask(task: RenderTask): Promise<RenderedBriefing> {
  task.started.postMessage('started');
  task.started.close();
  return renderInProcess({ ...task.input, creationDate: new Date(task.input.creationDate) });
}
