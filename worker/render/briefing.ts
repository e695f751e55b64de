import { compileTemplate } from './template.ts';
import { pathToFileURL } from 'node:url';
import { parseMarkup, MarkupError } from './markup.ts';
import type { PdfAttachment, PdfMeta } from './pdf.ts';
import { checkGlyphs } from './glyphs.ts';
import type { FontRole, FontSet } from './fonts.ts';
import type { BriefingModel } from './briefing-model.ts';
import { TemplateError } from './template.ts';

export interface RenderedBriefing {
  readonly markup: string;
  readonly pdf: Buffer;
  /** Template files used, main template first. */
  readonly templateFiles: readonly string[];
  /** The font files the PDF was made with, for the snapshot's manifest. */
  readonly fonts: readonly { readonly role: FontRole | 'fallback'; readonly file: string; readonly postscriptName: string }[];
}

interface RenderOptions {
  templatesDir: string;
  template: string;
  model: BriefingModel;
  fonts: FontSet;
  creationDate: Date;
  attachments?: readonly PdfAttachment[];
}

/** Template → markup → blocks: everything before the glyph check and the page layout. */
async function compose(opts: RenderOptions) {
  const { render, files } = await compileTemplate(opts.templatesDir, opts.template);
  const markup = render(opts.model);
  let blocks;
  try {
    blocks = parseMarkup(markup);
  } catch (e) {
    if (e instanceof MarkupError) throw new TemplateError(files[0]!, e.message);
    throw e;
  }
  const meta = { ...pdfMeta(opts.model, opts.creationDate), ...(opts.attachments ? { attachments: opts.attachments } : {}) };
  return { markup, blocks, files, meta };
}

/** What `jibao check` runs: every way a briefing can fail except drawing the pages. */
export async function checkBriefing(opts: RenderOptions): Promise<{ markup: string }> {
  const { markup, blocks, meta } = await compose(opts);
  checkGlyphs(blocks, opts.fonts, meta);
  return { markup };
}

/** Handlebars template → briefing markup → blocks → PDF. Nothing touches the disk but the template read. */
export async function renderBriefing(opts: RenderOptions): Promise<RenderedBriefing> {
  const { markup, blocks, files, meta } = await compose(opts);
  const { renderPdf } = await import('./pdf.ts'); // pdfkit loads only when pages are drawn, not for `check`
  const pdf = await renderPdf(blocks, opts.fonts, meta); // checks every glyph before drawing
  const fonts = Object.values(opts.fonts).filter((f) => f !== undefined).map((f) => ({ role: f.role, file: f.file, postscriptName: f.postscriptName }));
  return { markup, pdf, templateFiles: files, fonts };
}

function pdfMeta(m: BriefingModel, creationDate: Date): PdfMeta {
  return {
    title: m.briefing.title,
    author: m.briefing.office,
    subject: `${m.report.document}目标任务${m.period.title}推进情况`,
    keywords: ['政府工作报告', '目标任务', m.period.title, m.report.region].join(', '),
    creationDate,
    ...(m.report.sampleData ? { pageBanner: '示例数据 · 非官方统计数据 · 仅供演示' } : {}),
  };
}

/** The markup as a standalone page, for previewing a template in a browser. */
export function markupPage(model: BriefingModel, markup: string, fonts?: FontSet): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  // The same font files as the PDF, so the preview shows the same glyphs (file URLs: a local preview).
  const faces = fonts
    ? (['body', 'heading', 'title'] as const).map((r) => `@font-face{font-family:"jibao-${r}";src:url("${pathToFileURL(fonts[r].file).href}")}`).join('')
    : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(model.briefing.title)}</title>
<style>
${faces}
body{font-family:${fonts ? '"jibao-body",' : ''}"Noto Serif SC","Songti SC",serif;max-width:156mm;margin:20mm auto;font-size:16pt;line-height:1.8}
.masthead{text-align:center;color:#c8161d;border-bottom:2px solid #c8161d;padding-bottom:8px}
.masthead .name{font-size:36pt;font-weight:bold}.masthead .issue,.masthead .office,.masthead .date{color:#000}
h1{font-size:22pt;text-align:center}h2{font-size:16pt;font-family:sans-serif}h3{font-size:16pt}
p{text-indent:2em;margin:0}p.small{font-size:12pt}.notice{border:1px solid #c8161d;color:#c8161d;padding:6px;font-size:12pt}
table{border-collapse:collapse;width:100%;font-size:9pt;margin:8px 0}th,td{border:1px solid #444;padding:3px}th{background:#eee}
tr.group td{background:#f6f6f6;font-weight:bold}.status-on_track{background:#e3f1e4}.status-lagging{background:#fff1c7}
.status-severe{background:#f9d6d5}.status-missing{background:#e6e6e6}
.status-not_judged{background:#e1ecf7}.status-exceeded{background:#c6e6c9}.status-completed{background:#e3f1e4}.status-not_completed{background:#f9d6d5}.num{text-align:center}
.closing{border-top:2px solid #000;border-bottom:2px solid #000;margin-top:24px;font-size:14pt}
.closing .printed{display:flex;justify-content:space-between}
</style></head><body>
${markup}
</body></html>
`;
}
