import type { BriefingModel } from './briefing-model.ts';
import { renderBriefing, type RenderedBriefing } from './briefing.ts';
import { loadFonts } from './fonts.ts';
import type { PdfAttachment } from './pdf.ts';

/** Everything a render needs, as plain data, so it can cross into a render thread. */
export interface RenderInput {
  readonly templatesDir: string;
  readonly fontsDir: string;
  readonly template: string;
  readonly model: BriefingModel;
  readonly creationDate: Date;
  readonly attachments?: readonly PdfAttachment[];
}

/** Renders a briefing; in process by default, in a worker thread for the queued worker. */
export type Renderer = (input: RenderInput) => Promise<RenderedBriefing>;

export const renderInProcess: Renderer = async (input) => {
  const fonts = await loadFonts(input.fontsDir);
  return renderBriefing({
    templatesDir: input.templatesDir,
    template: input.template,
    model: input.model,
    fonts,
    creationDate: input.creationDate,
    ...(input.attachments ? { attachments: input.attachments } : {}),
  });
};
