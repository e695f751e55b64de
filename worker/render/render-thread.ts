/** A worker-thread task: render one briefing. Fonts are parsed once per thread and kept. */
import { renderInProcess, type RenderInput } from './renderer.ts';
import type { RenderedBriefing } from './briefing.ts';

export default async function renderTask(input: RenderInput): Promise<RenderedBriefing> {
  return renderInProcess({ ...input, creationDate: new Date(input.creationDate) });
}
