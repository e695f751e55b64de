import { deflateSync } from 'node:zlib';
import type * as fontkit from 'fontkit';

/**
 * What pdfkit recomputes for every document and the render can keep across documents of one
 * process (a queued worker's thread, the benchmark): each font's shaping results and its last
 * subsets. Both are pure functions of the font and their input, so a cached answer is the
 * answer, byte for byte; test/render/font-cache.test.ts compares them with pdfkit's own.
 */

/** pdfkit's EmbeddedFont, as far as this module uses it (not in @types/pdfkit). */
export interface EmbeddedFont {
  readonly font: fontkit.Font;
  layoutCache?: Record<string, unknown>;
  readonly subset: TtfSubset;
  readonly document: { ref(data?: object): PdfReference };
  embed(): unknown;
}

/** pdfkit's PDFReference: a PDF object, its stream deflated when it ends unless already filtered. */
interface PdfReference {
  compress: boolean;
  readonly data: Record<string, unknown>;
  write(chunk: Uint8Array): void;
  end(chunk?: Uint8Array): void;
  finalize(): void;
}

/** fontkit's TTFSubset internals that `encode` runs on. */
export interface TtfSubset {
  readonly font: fontkit.Font & FontInternals;
  readonly glyphs: number[];
  glyf: Uint8Array[];
  offset: number;
  loca: { offsets: number[] };
  hmtx: { metrics: { advance: number; bearing: number }[] };
  encode(): Uint8Array;
  includeGlyph(gid: number): number;
  _addGlyph(gid: number): number;
  glyphEncoder?: unknown;
}

interface FontInternals {
  readonly loca: { readonly offsets: readonly number[] };
  readonly _variationProcessor?: unknown;
  _getTableStream(tag: string): { pos: number; readInt16BE(): number; readBuffer(n: number): Uint8Array };
  getGlyph(gid: number): fontkit.Glyph & { _getMetrics(): { leftBearing: number } };
}

/**
 * Shaped words per font: a briefing's words recur in every briefing (the sample has about 1,200 in
 * its body font). A document that leaves more than this starts the next one afresh, so a very long
 * briefing (2,500 indicators) keeps no more in memory than pdfkit's own per-document cache would.
 */
const MAX_WORDS = 3_000;
/** Encoded subsets per font, by glyph list: a warm render with changed figures mostly uses the same glyphs. */
const MAX_SUBSETS = 4;

const adopted = new WeakSet<object>();

/** Called with pdfkit's current font after every switch: an embedded font joins both caches once. */
export function adoptFont(f: object | undefined): void {
  if (!f || adopted.has(f) || !('subset' in f)) return; // a standard font (pdfkit's Helvetica) has neither
  adopted.add(f);
  shareLayoutCache(f as EmbeddedFont);
  cacheSubset(f as EmbeddedFont);
}

const layouts = new WeakMap<fontkit.Font, Record<string, unknown>>();
/** Each cached subset deflated once, as pdfkit would deflate it (zlib's defaults). */
const deflated = new WeakMap<Uint8Array, Uint8Array>();
const subsets = new WeakMap<fontkit.Font, Map<string, Uint8Array>>();

/** Lets `f` share the shaping results of every earlier document using the same font. */
export function shareLayoutCache(f: EmbeddedFont): void {
  if (!f.layoutCache) return; // the document turned the cache off
  let shared = layouts.get(f.font);
  if (!shared || Object.keys(shared).length > MAX_WORDS) layouts.set(f.font, (shared = Object.create(null) as Record<string, unknown>));
  f.layoutCache = shared;
}

/** Makes `f`'s subset come from the cache when an earlier document used the same glyphs in the same order. */
export function cacheSubset(f: EmbeddedFont): void {
  const subset = f.subset;
  if (typeof subset._addGlyph !== 'function' || !('glyphEncoder' in subset)) return; // not a TrueType subset
  let byGlyphs = subsets.get(f.font);
  if (!byGlyphs) subsets.set(f.font, (byGlyphs = new Map()));
  const cache = byGlyphs;
  const encode = subset.encode.bind(subset);
  subset._addGlyph = addGlyphFast;
  deflateFontFileOnce(f);
  subset.encode = () => {
    const key = subset.glyphs.join(',');
    const hit = cache.get(key);
    if (hit) return hit;
    const bytes = encode();
    if (cache.size >= MAX_SUBSETS) cache.delete(cache.keys().next().value!);
    cache.set(key, bytes);
    return bytes;
  };
}

/**
 * The font file is the first object pdfkit's embed() creates, and its only stream is the subset:
 * written here already deflated (the same bytes pdfkit's own deflate gives, once per cached subset),
 * with the same dictionary, in the same key order (Length, then Filter).
 */
function deflateFontFileOnce(f: EmbeddedFont): void {
  const embed = f.embed.bind(f);
  f.embed = () => {
    const doc = f.document;
    const ref = doc.ref;
    doc.ref = (data?: object) => {
      doc.ref = ref;
      const fontFile = ref.call(doc, data);
      const end = fontFile.end.bind(fontFile);
      fontFile.end = (chunk?: Uint8Array) => {
        if (!chunk || !fontFile.compress || fontFile.data['Filter']) return end(chunk);
        let bytes = deflated.get(chunk);
        if (!bytes) deflated.set(chunk, (bytes = deflateSync(chunk)));
        fontFile.write(bytes); // sets Length, then Filter: FlateDecode
        fontFile.compress = false;
        fontFile.finalize();
      };
      return fontFile;
    };
    try {
      return embed();
    } finally {
      doc.ref = ref;
    }
  };
}

const addGlyph = (subset: TtfSubset, gid: number): number => Object.getPrototypeOf(subset)._addGlyph.call(subset, gid);

/**
 * fontkit's TTFSubset._addGlyph without decoding a simple glyph's outline, which it only needs
 * for a composite (whose component ids it rewrites) or a variable font: the glyph's bytes are
 * copied as they are either way. Composites and variable fonts take fontkit's own path.
 */
export function addGlyphFast(this: TtfSubset, gid: number): number {
  const font = this.font;
  if (font._variationProcessor) return addGlyph(this, gid);
  const start = font.loca.offsets[gid]!;
  const length = font.loca.offsets[gid + 1]! - start;
  const stream = font._getTableStream('glyf');
  stream.pos += start;
  if (length > 0 && stream.readInt16BE() < 0) return addGlyph(this, gid); // numberOfContours < 0: a composite
  const glyph = font.getGlyph(gid) as ReturnType<FontInternals["getGlyph"]>;
  const data = font._getTableStream('glyf');
  data.pos += start;
  const buffer = data.readBuffer(length);
  this.glyf.push(buffer);
  this.loca.offsets.push(this.offset);
  this.hmtx.metrics.push({ advance: glyph.advanceWidth, bearing: glyph._getMetrics().leftBearing });
  this.offset += buffer.length;
  return this.glyf.length - 1;
}
