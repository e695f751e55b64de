import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { RenderedBriefing } from './briefing.ts';
import type { Renderer } from './renderer.ts';

/**
 * Renders in worker threads, so a long layout never blocks the queue worker's event loop
 * (BullMQ renews job locks from it). Each thread keeps its parsed fonts across jobs.
 */
export function createRenderPool(threads = Math.max(1, availableParallelism() - 1)): { render: Renderer; close(): Promise<void> } {
  const fromSource = import.meta.url.endsWith('.ts');
  const filename = new URL(fromSource ? './render-thread-entry.mjs' : './render-thread.js', import.meta.url).href;
  const pool = new Piscina({ filename, minThreads: 1, maxThreads: threads, idleTimeout: 60_000 });
  return {
    async render(input) {
      // The Buffer arrives as a plain Uint8Array from the thread.
      const r = (await pool.run(input)) as Omit<RenderedBriefing, 'pdf'> & { pdf: Uint8Array };
      return { ...r, pdf: Buffer.from(r.pdf.buffer, r.pdf.byteOffset, r.pdf.byteLength) };
    },
    close: () => pool.destroy(),
  };
}
