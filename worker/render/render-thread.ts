/** A worker-thread task: render one briefing. Fonts are parsed once per thread and kept. */
import type { MessagePort } from 'node:worker_threads';
import { renderInProcess, type RenderInput } from './renderer.ts';
import type { RenderedBriefing } from './briefing.ts';

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
