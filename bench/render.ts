/**
 * The sample Q3 briefing rendered N times in one process: cold first render (fonts parsed),
 * median warm render, peak RSS, PDF size; and the same briefing printed by headless Chromium from
 * the `--html` page (the jsreport/Gotenberg/Puppeteer route), with the ratio.
 * Then the ratios against Typst from the shared side-by-side benchmark (bench/typst.ts): cold first
 * render, warm render of the sample, and warm render of 2,500 indicators with peak RSS.
 * Usage: npm run bench:render [-- --renders 30 --chromium-runs 5 --typst-rounds 3]
 */
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parsePeriod } from '../worker/domain/period.ts';
import { prepareBriefing } from '../worker/pipeline/prepare.ts';
import { settingsFromEnv } from '../worker/config/settings.ts';
import { loadFonts } from '../worker/render/fonts.ts';
import { markupPage, renderBriefing } from '../worker/render/briefing.ts';
import { typstRatios } from './typst.ts';

const { values } = parseArgs({ options: { renders: { type: 'string', default: '30' }, 'chromium-runs': { type: 'string', default: '5' }, 'typst-rounds': { type: 'string', default: '3' } } });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const settings = settingsFromEnv();
const ready = await prepareBriefing({ reportId: 'yuquan-2023', period: parsePeriod('2023Q3') }, settings);
if (ready.kind !== 'ready') throw new Error('sample figures not ready');
const p = ready.prepared;

let t = performance.now();
const fonts = await loadFonts(settings.fontsDir);
const render = () => renderBriefing({ templatesDir: settings.templatesDir, template: p.job.template, model: p.model, fonts, creationDate: p.issuedAt });
let out = await render();
const cold = performance.now() - t;
const warm: number[] = [];
let peak = process.memoryUsage().rss;
for (let i = 0; i < Number(values.renders); i++) {
  t = performance.now();
  out = await render();
  warm.push(performance.now() - t);
  peak = Math.max(peak, process.memoryUsage().rss);
}
const pdfkitMs = median(warm);
console.log(`pdfkit   cold ${cold.toFixed(0)} ms (fonts parsed, first render; goal ≤ 1000), warm median ${pdfkitMs.toFixed(0)} ms over ${warm.length} (goal ≤ 150)`);
console.log(`         peak RSS ${(peak / 1048576).toFixed(0)} MB, PDF ${(out.pdf.length / 1024).toFixed(0)} KB (goal ≤ 400 KB)`);

// The same briefing with one absurd figure (新建口袋公园 200000000 against a target of 20): the chart
// clips the bar and the table writes the number short; before the bounded axis this never finished.
{
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'jibao-bench-absurd-'));
  const csv = path.join(tmp, '2023Q3.csv');
  writeFileSync(csv, readFileSync(path.join(settings.jobsDir, 'yuquan-2023/figures/2023Q3.csv'), 'utf8').replace('新建口袋公园,2023Q3,17,', '新建口袋公园,2023Q3,200000000,'));
  const absurd = await prepareBriefing({ reportId: 'yuquan-2023', period: parsePeriod('2023Q3'), figuresFile: csv }, settings);
  if (absurd.kind !== 'ready') throw new Error('absurd figures not ready');
  const a = absurd.prepared;
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    await renderBriefing({ templatesDir: settings.templatesDir, template: a.job.template, model: a.model, fonts, creationDate: a.issuedAt });
    times.push(performance.now() - t);
  }
  console.log(`absurd   one figure 200000000 (1e9 % of its target): warm median ${median(times).toFixed(0)} ms over ${times.length} (bounded; unbounded before)`);
  rmSync(tmp, { recursive: true, force: true });
}

const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync('which', [c]).status === 0);
if (Number(values['chromium-runs']) === 0) {
  console.log('no Chromium comparison (--chromium-runs 0)');
} else if (!chromium) {
  console.log('chromium not installed (apt-get install -y chromium): no comparison');
} else {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'jibao-bench-chromium-'));
  const html = path.join(tmp, 'briefing.html');
  writeFileSync(html, markupPage(p.model, out.markup, fonts));
  const times: number[] = [];
  const pdf = path.join(tmp, 'chromium.pdf');
  for (let i = 0; i < Number(values['chromium-runs']); i++) {
    t = performance.now();
    execFileSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${path.join(tmp, `profile${i}`)}`, '--no-pdf-header-footer', `--print-to-pdf=${pdf}`, `file://${html}`], { stdio: 'ignore' });
    times.push(performance.now() - t);
  }
  const chromiumMs = median(times);
  const fontsLine = spawnSync('pdffonts', [pdf], { encoding: 'utf8' }).stdout?.split('\n').slice(2).filter(Boolean).length;
  if (fontsLine !== undefined) console.log(`chromium embedded ${fontsLine} font object(s) (pdffonts)`);
  console.log(`chromium print-to-pdf median ${chromiumMs.toFixed(0)} ms per briefing over ${times.length} runs, PDF ${(statSync(pdf).size / 1024).toFixed(0)} KB`);
  console.log(`ratio    pdfkit warm is ${(chromiumMs / pdfkitMs).toFixed(1)}× faster than Chromium (goal ≥ 10×); cold ${(chromiumMs / cold).toFixed(1)}×`);
  rmSync(tmp, { recursive: true, force: true });
}

// Goals (issue 16): warm sample ≤ 1.2×, cold ≤ 2×, 2,500 indicators ≤ 1.0× with no more memory.
await typstRatios(path.resolve(import.meta.dirname, '..'), ['cold', 'warm-sample', 'warm-syn2500'], Number(values['typst-rounds']));
