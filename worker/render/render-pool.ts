import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { RenderedBriefing } from './briefing.ts';
import { DEFAULT_RENDER_BUDGET, RenderBudgetError, type RenderBudget, type RenderInput, type Renderer } from './renderer.ts';
import { failureError, type RenderTask, type ThreadResult } from './render-thread.ts';

export interface RenderPool {
  readonly render: Renderer;
  /** Loads the layout and parses the fonts in a thread now, ahead of the first render (errors show in that render). */
  warm(fontsDir: string): void;
  close(): Promise<void>;
}

/** The smallest heap a render thread is started with (see createRenderPool). */
export const MIN_THREAD_HEAP_MB = 16;

type TaskOf<K extends RenderTask['kind']> = Omit<Extract<RenderTask, { kind: K }>, 'started'>;

/**
 * Renders in worker threads, so a long layout never blocks the queue worker's event loop
 * (BullMQ renews job locks from it). Each thread keeps its parsed fonts across jobs.
 * Every render is bounded: a thread over its heap budget dies (V8 resource limits), and one
 * over its time budget is terminated; either is a RenderBudgetError, and a fresh thread takes
 * the next render.
 */
export function createRenderPool(threads = Math.max(1, availableParallelism() - 1), budget: RenderBudget = DEFAULT_RENDER_BUDGET): RenderPool {
  const filename = new URL('./render-thread-entry.cjs', import.meta.url).href; // why CommonJS: see that file
  // Node 22 and later abort the whole process, not just the thread, when a thread's heap limit is
  // near what its start-up snapshot needs (always at ≤ 2 MB here, once under CI load at 8 MB); the
  // floor keeps a wide margin. No render fits in it (the sample needs about 32 MB), so a smaller
  // budget still fails as RENDER_MEMORY with the configured limit.
  const heapMb = Math.max(budget.maxMb, MIN_THREAD_HEAP_MB);
  const pool = new Piscina({ filename, minThreads: 1, maxThreads: threads, idleTimeout: 60_000, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
  // A thread that dies outside a task (while starting up) is reported here, not to any task: the
  // renders still waiting for a thread fail with it instead of waiting for ever.
  const waiting = new Set<(e: unknown) => void>();
  pool.on('error', (e: unknown) => {
    for (const fail of waiting) fail(e);
  });

  async function run<K extends RenderTask['kind']>(task: TaskOf<K>): Promise<RenderedBriefing | null> {
    const { port1, port2 } = new MessageChannel();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let failEarly: (e: unknown) => void = () => undefined;
    const early = new Promise<never>((_, reject) => (failEarly = reject));
    const fail = (e: unknown) => {
      failEarly(e); // first: this is the reason, not the abort that follows
      abort.abort();
    };
    waiting.add(fail);
    // The clock starts when a thread picks the task up: time waiting for a busy thread is not the render's.
    port1.once('message', () => {
      waiting.delete(fail);
      timer = setTimeout(() => {
        timedOut = true;
        abort.abort(); // piscina terminates the thread running it
      }, budget.timeoutMs);
    });
    try {
      const r = (await Promise.race([pool.run({ ...task, started: port2 }, { transferList: [port2], signal: abort.signal }), early])) as ThreadResult;
      if (!r.ok) throw failureError(r.failure);
      return r.rendered;
    } catch (e) {
      if (timedOut) throw new RenderBudgetError('RENDER_TIMEOUT', budget.timeoutMs);
      if ((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') throw new RenderBudgetError('RENDER_MEMORY', budget.maxMb);
      throw e;
    } finally {
      waiting.delete(fail);
      clearTimeout(timer);
      port1.close();
    }
  }

  return {
    async render(input: RenderInput) {
      // The Buffer arrives as a plain Uint8Array from the thread.
      const r = (await run<'render'>({ kind: 'render', input })) as Omit<RenderedBriefing, 'pdf'> & { pdf: Uint8Array };
      return { ...r, pdf: Buffer.from(r.pdf.buffer, r.pdf.byteOffset, r.pdf.byteLength) };
    },
    warm(fontsDir) {
      run<'warm'>({ kind: 'warm', fontsDir }).catch(() => undefined);
    },
    close: () => pool.destroy(),
  };
}

/**
 * One thread for the embedded commands (`jibao run`, `jibao render`), warming up at once: it loads
 * the layout and parses the fonts while the caller reads and evaluates the figures.
 */
export function startRenderThread(budget: RenderBudget, fontsDir: string): RenderPool {
  const pool = createRenderPool(1, budget);
  pool.warm(fontsDir);
  return pool;
}

/** One bounded render in a thread of its own. */
export async function renderBounded(input: RenderInput, budget: RenderBudget = DEFAULT_RENDER_BUDGET): Promise<RenderedBriefing> {
  const pool = createRenderPool(1, budget);
  try {
    return await pool.render(input);
  } finally {
    await pool.close();
  }
}
