import { parsePeriod, periodEndDate } from '../domain/period.ts';
import { sha256 } from './digest.ts';
import { isVersionEntry, type ParsedLedger } from './ledger.ts';
import type { ManifestChain, ManifestLink } from './snapshot.ts';

/**
 * A report's history as a store sees it while holding the report's lock: its ledger, and what
 * it holds now. The chain a new manifest carries is computed from this alone, so any store
 * (the folder, a bucket) links its manifests the same way.
 */
export interface HistoryView {
  readonly ledger: ParsedLedger | null;
  /** Versions of a period whose manifest is stored. */
  stored(period: string): Promise<number[]>;
  /** Periods the store holds a version of. */
  periods(): Promise<string[]>;
  /** A stored manifest's bytes, if any. */
  manifest(period: string, version: number): Promise<Uint8Array | undefined>;
}

const entriesOf = (view: HistoryView) => (view.ledger?.lines ?? []).flatMap((l) => (l.entry ? [l.entry] : []));

/** Highest version of a period stored or in the ledger: a deleted or pruned number is never reused. */
export async function highestVersion(view: HistoryView, period: string): Promise<number | null> {
  const known = [...(await view.stored(period)), ...entriesOf(view).flatMap((e) => (isVersionEntry(e) && e.period === period ? [e.version] : []))];
  return known.length ? Math.max(...known) : null;
}

/** The digest the history knows for a version: the ledger's, else its stored manifest's. */
async function digestOf(view: HistoryView, period: string, version: number): Promise<string | undefined> {
  const recorded = entriesOf(view).reverse().find((e) => isVersionEntry(e) && e.period === period && e.version === version);
  if (recorded && isVersionEntry(recorded) && recorded.manifest) return recorded.manifest;
  const bytes = await view.manifest(period, version);
  return bytes ? sha256(bytes) : undefined;
}

async function link(view: HistoryView, period: string, version: number | null): Promise<ManifestLink | null> {
  if (version === null) return null;
  const digest = await digestOf(view, period, version);
  return digest ? { period, version, sha256: digest } : null;
}

function endOf(period: string): string | undefined {
  try {
    return periodEndDate(parsePeriod(period));
  } catch {
    return undefined;
  }
}

/** The report's nearest earlier period (by end date) that the store holds or held. */
async function earlierPeriod(view: HistoryView, period: string): Promise<string | undefined> {
  const end = endOf(period);
  if (!end) return undefined;
  const names = new Set([...(await view.periods()), ...entriesOf(view).map((e) => e.period)]);
  let best: { name: string; end: string } | undefined;
  for (const name of names) {
    const e = endOf(name);
    if (e && e < end && (!best || e > best.end || (e === best.end && name > best.name))) best = { name, end: e };
  }
  return best?.name;
}

/** The links a new version's manifest carries: to the version it supersedes and to the latest of the earlier period. */
export async function chainFor(view: HistoryView, period: string, previous: number | null): Promise<ManifestChain> {
  const earlier = await earlierPeriod(view, period);
  return {
    previous: await link(view, period, previous),
    previousPeriod: earlier ? await link(view, earlier, await highestVersion(view, earlier)) : null,
  };
}
