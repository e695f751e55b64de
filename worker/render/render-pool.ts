import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { RenderedBriefing } from './briefing.ts';
import { DEFAULT_RENDER_BUDGET, RenderBudgetError, type RenderBudget, type Renderer } from './renderer.ts';
import type { RenderTask } from './render-thread.ts';

/**
 * Renders in worker threads, so a long layout never blocks the queue worker's event loop
 * (BullMQ renews job locks from it). Each thread keeps its parsed fonts across jobs.
 * Every render is bounded: a thread over its heap budget dies (V8 resource limits), and one
 * over its time budget is terminated; either is a RenderBudgetError, and a fresh thread takes
 * the next render.
 */
export function createRenderPool(
  threads = Math.max(1, availableParallelism() - 1),
  budget: RenderBudget = DEFAULT_RENDER_BUDGET,
  /** Fonts each thread parses as it starts, before its first render. */
  preloadFontsDir?: string,
): RenderPool {
  const fromSource = import.meta.url.endsWith('.ts');
  const filename = new URL(fromSource ? './render-thread-entry.mjs' : './render-thread.js', import.meta.url).href;
  const pool = new Piscina({
    filename,
    minThreads: 1,
    maxThreads: threads,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: budget.maxMb },
    ...(preloadFontsDir ? { workerData: { fontsDir: preloadFontsDir } } : {}),
  });
  return {
    async render(input) {
      const { port1, port2 } = new MessageChannel();
      const abort = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      // The clock starts when a thread picks the render up: time waiting for a busy thread is not the render's.
      port1.once('message', () => {
        timer = setTimeout(() => abort.abort(), budget.timeoutMs);
      });
      try {
        // The Buffer arrives as a plain Uint8Array from the thread.
        const task: RenderTask = { input, started: port2 };
        const r = (await pool.run(task, { transferList: [port2], signal: abort.signal })) as Omit<RenderedBriefing, 'pdf'> & { pdf: Uint8Array };
        return { ...r, pdf: Buffer.from(r.pdf.buffer, r.pdf.byteOffset, r.pdf.byteLength) };
      } catch (e) {
        if (abort.signal.aborted) throw new RenderBudgetError('RENDER_TIMEOUT', budget.timeoutMs);
        if ((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') throw new RenderBudgetError('RENDER_MEMORY', budget.maxMb);
        throw e;
      } finally {
        clearTimeout(timer);
        port1.close();
      }
    },
    close: () => pool.destroy(),
  };
}

export interface RenderPool {
  readonly render: Renderer;
  close(): Promise<void>;
}

/**
 * One thread for the embedded commands (`jibao run`, `jibao render`): started at once, so it loads
 * the layout and parses the fonts while the caller reads and evaluates the figures.
 */
export function startRenderThread(budget: RenderBudget, fontsDir: string): RenderPool {
  return createRenderPool(1, budget, fontsDir);
}

/** One bounded render in a thread of its own. */
export async function renderBounded(input: Parameters<Renderer>[0], budget: RenderBudget = DEFAULT_RENDER_BUDGET): Promise<RenderedBriefing> {
  const pool = createRenderPool(1, budget, input.fontsDir);
  try {
    return await pool.render(input);
  } finally {
    await pool.close();
  }
}
