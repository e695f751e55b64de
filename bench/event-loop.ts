/**
 * Why the queued worker renders in a thread: BullMQ renews a job's lock from the worker's event
 * loop, so a long render on that loop stalls every job's lock renewal. This renders a large
 * briefing (2,500 indicators) on the loop and in a render thread and prints the longest
 * event-loop stall of each, against the lock renewal period (half the lock duration).
 * Usage: npm run bench:event-loop
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { parsePeriod } from '../worker/domain/period.ts';
import { prepareBriefing } from '../worker/pipeline/prepare.ts';
import { renderInProcess, type RenderInput } from '../worker/render/renderer.ts';
import { settingsFromEnv } from '../worker/config/settings.ts';
import { createRenderPool } from '../worker/render/render-pool.ts';
import { writeSyntheticReport } from './synthetic-report.ts';

const N = 2500;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'jibao-bench-loop-'));
writeSyntheticReport(tmp, 'big-2023', N);

const settings = { ...settingsFromEnv(), jobsDir: tmp };
const ready = await prepareBriefing({ reportId: 'big-2023', period: parsePeriod('2023Q3') }, settings);
if (ready.kind !== 'ready') throw new Error('not ready');
const input: RenderInput = { templatesDir: settings.templatesDir, fontsDir: settings.fontsDir, template: 'briefing', model: ready.prepared.model, creationDate: new Date() };

async function measure(label: string, render: () => Promise<{ pdf: Buffer }>): Promise<void> {
  // The longest gap between ticks of a 5 ms timer is how long the loop could not renew a lock.
  let last = performance.now();
  let longest = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  const t = performance.now();
  const { pdf } = await render();
  const ms = performance.now() - t;
  await new Promise((r) => setTimeout(r, 50)); // let a timer that was held up fire and be counted
  clearInterval(tick);
  console.log(`${label.padEnd(24)} render ${ms.toFixed(0).padStart(5)} ms, ${(pdf.length / 1024).toFixed(0)} KB; longest event-loop stall ${longest.toFixed(0).padStart(5)} ms`);
}

await renderInProcess(input); // warm fonts in this thread
await measure('on the event loop', () => renderInProcess(input));
const pool = createRenderPool(1);
await pool.render(input); // warm the thread
await measure('in a render thread', () => pool.render(input));
await pool.close();
console.log(`lock renewal runs every ${60_000 / 2} ms (lockDuration 60 s): a stall longer than that loses the lock of every job on the worker`);
rmSync(tmp, { recursive: true, force: true });
