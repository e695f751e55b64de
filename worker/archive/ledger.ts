import { open, readFile } from 'node:fs/promises';
import { sha256 } from './digest.ts';
import type { Signer } from './signing.ts';

/**
 * The append-only history of one report's archive (`<archive>/<report>/ledger.jsonl`). Each line
 * carries the hash of the line before it, so an edited or removed line breaks every later link;
 * a version, a tombstone or a delivery record it names cannot silently disappear.
 */
export const LEDGER_NAME = 'ledger.jsonl';
export const LEDGER_LOCK_NAME = 'ledger.lock';

export type LedgerRecord =
  /** A version was stored; `manifest` is the SHA-256 of its manifest.json bytes. `legacy`: found unchained when the ledger began. */
  | { readonly kind: 'snapshot'; readonly period: string; readonly version: number; readonly manifest: string; readonly legacy?: true }
  /** A version was removed under retention (a tombstone). */
  | { readonly kind: 'pruned'; readonly period: string; readonly version: number; readonly manifest: string | null }
  /** A line was appended to a version's delivery log; `sha256` is of that line's text. */
  | { readonly kind: 'delivery'; readonly period: string; readonly version: number; readonly sha256: string; readonly legacy?: true }
  /** A line was appended to a version's approval log (签发 or rejection); `sha256` is of that line's text. */
  | { readonly kind: 'approval'; readonly period: string; readonly version: number; readonly sha256: string };

/** Entries that store or remove a version (the others annotate one). */
export const isVersionEntry = (e: LedgerRecord): e is Extract<LedgerRecord, { kind: 'snapshot' | 'pruned' }> => e.kind === 'snapshot' || e.kind === 'pruned';

export type LedgerEntry = LedgerRecord & { readonly seq: number; readonly prev: string | null; readonly at: string };

export interface LedgerLine {
  readonly text: string;
  /** SHA-256 of the line's text: what the next line's `prev` must be. */
  readonly hash: string;
  /** Undefined when the line is not a readable entry. */
  readonly entry?: LedgerEntry;
  /** The text that was signed (the line without its `sig`), and the signature, if signed. */
  readonly signed?: { readonly body: string; readonly sig: string };
}

export interface ParsedLedger {
  readonly lines: readonly LedgerLine[];
  /** Line numbers (1-based) and what is wrong with them. */
  readonly breaks: readonly { readonly line: number; readonly detail: string }[];
}

const SIG_SUFFIX = /,"sig":"([A-Za-z0-9+/=]+)"\}$/;

export function parseLedger(text: string): ParsedLedger {
  const raw = text.split('\n');
  const tail = raw.pop() ?? '';
  const lines: LedgerLine[] = [];
  const breaks: { line: number; detail: string }[] = [];
  const all = tail === '' ? raw : [...raw, tail];
  all.forEach((t, i) => {
    const n = i + 1;
    const hash = sha256(t);
    let entry: LedgerEntry | undefined;
    try {
      entry = JSON.parse(t) as LedgerEntry;
      if (typeof entry !== 'object' || entry === null || !['snapshot', 'pruned', 'delivery', 'approval'].includes(entry.kind) || typeof entry.period !== 'string' || !Number.isInteger(entry.version)) {
        breaks.push({ line: n, detail: 'not a ledger entry' });
        entry = undefined;
      }
    } catch {
      breaks.push({ line: n, detail: 'not valid JSON' });
    }
    if (entry) {
      const expected = i === 0 ? null : lines[i - 1]!.hash;
      if (entry.seq !== i) breaks.push({ line: n, detail: `seq ${entry.seq}, expected ${i} (a line was removed or inserted before it)` });
      else if (entry.prev !== expected) breaks.push({ line: n, detail: 'does not carry the hash of the line before it (that line was edited, removed or inserted)' });
    }
    const m = SIG_SUFFIX.exec(t);
    lines.push({ text: t, hash, ...(entry ? { entry } : {}), ...(m ? { signed: { body: t.slice(0, m.index) + '}', sig: m[1]! } } : {}) });
  });
  if (tail !== '') breaks.push({ line: all.length, detail: 'incomplete last line (no newline)' });
  return { lines, breaks };
}

export async function readLedger(file: string): Promise<ParsedLedger | null> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  return text === null ? null : parseLedger(text);
}

/**
 * Appends entries after the ledger's last line, whatever it holds (a damaged line stays visible
 * as damaged; it is not silently skipped). The caller holds the ledger's lock.
 */
export async function appendLedger(file: string, current: ParsedLedger | null, records: readonly LedgerRecord[], signer?: Signer, now = new Date()): Promise<ParsedLedger> {
  const lines = [...(current?.lines ?? []), ...nextLedgerLines(current, records, signer, now)];
  const text = lines.slice(current?.lines.length ?? 0).map((l) => l.text + '\n').join('');
  const rawTail = current && current.breaks.some((b) => b.detail.startsWith('incomplete')) ? '\n' : '';
  if (text === '') return current ?? { lines: [], breaks: [] };
  await appendSynced(file, rawTail + text);
  return { lines, breaks: current?.breaks ?? [] };
}

/**
 * The lines that follow the ledger's last line for `records`: each carries the next seq and the
 * hash of the line before it, signed when a signer is given. Where they are stored is the store's.
 */
export function nextLedgerLines(current: ParsedLedger | null, records: readonly LedgerRecord[], signer?: Signer, now = new Date()): LedgerLine[] {
  const lines: LedgerLine[] = [];
  let seq = current?.lines.length ?? 0;
  let prev = current?.lines.at(-1)?.hash ?? null;
  for (const r of records) {
    const entry = { seq, prev, at: now.toISOString(), ...r } as LedgerEntry;
    const body = JSON.stringify(entry);
    const line = signer ? `${body.slice(0, -1)},"sig":"${signer.sign(body)}"}` : body;
    const hash = sha256(line);
    lines.push({ text: line, hash, entry, ...(signer ? { signed: { body, sig: '' } } : {}) });
    seq += 1;
    prev = hash;
  }
  return lines;
}

/** One write of whole lines, synced: a crash leaves the line or nothing. */
export function appendSynced(file: string, text: string): Promise<void> {
  return writeSyncedAs(file, text, 'a');
}

/** Opens with `flag` ('a' append, 'wx' a new file only), writes, and syncs before closing. */
export async function writeSyncedAs(file: string, data: Uint8Array | string, flag: 'a' | 'wx'): Promise<void> {
  const fh = await open(file, flag);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
