import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The text of each page, as a reader's search or copy would get it. */
export async function pdfPages(data: Uint8Array): Promise<string[]> {
  const doc = await getDocument({ data: new Uint8Array(data), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((it) => ('str' in it ? it.str : '')).join(''));
  }
  await doc.destroy();
  return pages;
}

/** The files attached to a PDF, by name. */
export async function pdfAttachments(data: Uint8Array): Promise<Record<string, Uint8Array>> {
  const doc = await getDocument({ data: new Uint8Array(data), isEvalSupported: false }).promise;
  const files = ((await doc.getAttachments()) ?? {}) as Record<string, { filename: string; content: Uint8Array }>;
  await doc.destroy();
  return Object.fromEntries(Object.values(files).map((f) => [f.filename, f.content]));
}
