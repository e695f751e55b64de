import type { BriefingModel } from './briefing-model.ts';
import type { RenderedBriefing } from './briefing.ts';
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

/** What one render may take: wall time from the moment its thread starts it, and the thread's heap. */
export interface RenderBudget {
  /** JIBAO_RENDER_TIMEOUT_MS */
  readonly timeoutMs: number;
  /** JIBAO_RENDER_MAX_MB: the render thread's old-generation heap. */
  readonly maxMb: number;
}

export const DEFAULT_RENDER_BUDGET: RenderBudget = { timeoutMs: 60_000, maxMb: 512 };

/**
 * A render that went over its budget. Deterministic for the same input and budget, so never
 * retried; `code` is what the queue's failure record, the alert and the CLI carry.
 */
export class RenderBudgetError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: 'RENDER_TIMEOUT' | 'RENDER_MEMORY',
    readonly limit: number,
  ) {
    super(
      code === 'RENDER_TIMEOUT'
        ? `RENDER_TIMEOUT: 简报排版超过时间上限（${limit} ms），已中止 — the briefing did not render within ${limit} ms (JIBAO_RENDER_TIMEOUT_MS); the render was stopped`
        : `RENDER_MEMORY: 简报排版超过内存上限（${limit} MB），已中止 — the render needed more than ${limit} MB (JIBAO_RENDER_MAX_MB); the render was stopped`,
    );
    this.name = 'RenderBudgetError';
  }
}

export const renderInProcess: Renderer = async (input) => {
  // Loaded on first use: the CLI's error reporting imports this module for RenderBudgetError alone.
  const [{ loadFonts }, { renderBriefing }] = await Promise.all([import('./fonts.ts'), import('./briefing.ts')]);
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
