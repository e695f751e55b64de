/**
 * Benchmark of the embedded job. Prints:
 *  - the whole `jibao run` as a fresh process (cold: Node start, the bundle (or tsx without a build), font loading, render, archive), N times
 *  - in one process: the first (cold) and the following (warm) renders of the sample Q3 briefing, peak RSS, PDF size
 *  - the ratio of a whole `jibao render` process to a whole Typst process (bench/typst.ts)
 * Usage: npm run bench:run [-- --runs 5 --renders 20 --typst-rounds 3]
 */
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jibaoMode } from './mode.ts';
import { typstRatios } from './typst.ts';
import { parsePeriod } from '../worker/domain/period.ts';
import { prepareBriefing } from '../worker/pipeline/prepare.ts';
import { settingsFromEnv } from '../worker/config/settings.ts';
import { loadFonts } from '../worker/render/fonts.ts';
import { renderBriefing } from '../worker/render/briefing.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, renders: { type: 'string', default: '20' }, 'typst-rounds': { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const renders = Number(values.renders);
const root = path.resolve(import.meta.dirname, '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'jibao-bench-'));
const processTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  execFileSync(process.execPath, [path.join(root, 'bin/jibao.js'), 'run', '--report', 'yuquan-2023', '--period', '2023Q3'], {
    env: { ...process.env, JIBAO_ARCHIVE_DIR: path.join(tmp, 'archive'), JIBAO_OUTBOX_DIR: path.join(tmp, 'outbox'), SMTP_URL: '' },
    stdio: 'ignore',
  });
  processTimes.push(performance.now() - t);
}
rmSync(tmp, { recursive: true, force: true });

const settings = settingsFromEnv();
const t0 = performance.now();
const ready = await prepareBriefing({ reportId: 'yuquan-2023', period: parsePeriod('2023Q3') }, settings);
if (ready.kind !== 'ready') throw new Error('sample figures not ready');
const p = ready.prepared;
const fonts = await loadFonts(settings.fontsDir);
const renderOnce = () => renderBriefing({ templatesDir: settings.templatesDir, template: p.job.template, model: p.model, fonts, creationDate: p.issuedAt });
let pdf = (await renderOnce()).pdf;
const cold = performance.now() - t0;
const warm: number[] = [];
let peakRss = process.memoryUsage().rss;
for (let i = 0; i < renders; i++) {
  const t = performance.now();
  pdf = (await renderOnce()).pdf;
  warm.push(performance.now() - t);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

console.log(`machine                 ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, Node ${process.version}`);
console.log(`code                    ${jibaoMode(root)}`);
console.log(`jibao run (process)     median ${ms(median(processTimes))}, min ${ms(Math.min(...processTimes))}, max ${ms(Math.max(...processTimes))} over ${runs} runs (goal < 3000 ms)`);
console.log(`in-process cold         ${ms(cold)} (load job, targets, figures, fonts; first render)`);
console.log(`in-process warm render  median ${ms(median(warm))} over ${renders} renders`);
console.log(`peak RSS                ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
console.log(`PDF size                ${(pdf.length / 1024).toFixed(0)} KB`);

// Goal (issue 16): a whole `jibao render` process ≤ 2× a whole Typst process.
await typstRatios(root, ['whole'], Number(values['typst-rounds']));
