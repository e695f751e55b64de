/** A worker-thread task: render one briefing. Fonts are parsed once per thread and kept. */
import { renderInProcess, type RenderInput } from '../pipeline/run.ts';

export default async function renderTask(input: RenderInput): Promise<{ pdf: Uint8Array; markup: string; templateFiles: readonly string[] }> {
  const r = await renderInProcess({ ...input, creationDate: new Date(input.creationDate) });
  return { pdf: r.pdf, markup: r.markup, templateFiles: r.templateFiles };
}
