// A worker thread for tests: renders briefing markup with the real layout and posts the PDF back.
// A test can terminate it, so a layout that never ends fails the test instead of hanging vitest.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { parseMarkup } = await import('../../worker/render/markup.ts');
const { loadFonts } = await import('../../worker/render/fonts.ts');
const { renderPdf } = await import('../../worker/render/pdf.ts');
const fonts = await loadFonts(workerData.fontsDir);
const meta = { title: 't', author: 'a', subject: 's', keywords: 'k', creationDate: new Date('2023-10-20T00:00:00Z') };
const pdf = await renderPdf(parseMarkup(workerData.markup), fonts, meta);
parentPort.postMessage(pdf);
