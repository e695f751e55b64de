/** GB/T 9704-2012 page geometry and the layout's cursor: where the next block goes, and when a page ends. */

/** 1 mm in points (72 / 25.4). */
export const MM = 72 / 25.4;
export const PAGE = {
  width: 210 * MM,
  height: 297 * MM,
  top: 37 * MM,
  left: 28 * MM,
  textWidth: 156 * MM,
  textHeight: 225 * MM,
} as const;
/** The foot of the type area: nothing the layout draws goes below it (page numbers excepted). */
export const BOTTOM = PAGE.top + PAGE.textHeight;
export const RIGHT = PAGE.left + PAGE.textWidth;
export const BODY_SIZE = 16; // 3号
export const TITLE_SIZE = 22; // 2号
export const LINE_PITCH = PAGE.textHeight / 22; // 22 lines per page
export const TABLE_SIZE = 9; // 小五
export const SMALL_SIZE = 12; // 小四
export const RED = '#c8161d';

/** The vertical position on the current page, and where the layout opens the next page. */
export class Cursor {
  y = PAGE.top;

  constructor(readonly doc: PDFKit.PDFDocument) {}

  newPage(): void {
    this.doc.addPage();
    this.y = PAGE.top;
  }

  /** Room left on this page. */
  get room(): number {
    return BOTTOM - this.y;
  }

  /** Starts a new page unless `height` fits below the cursor (a page that is still empty always takes it). */
  ensure(height: number): void {
    if (this.y + height > BOTTOM + 0.5 && this.y > PAGE.top) this.newPage();
  }
}
