import { sha256 } from './digest.ts';
import { MANIFEST_NAME } from './layout.ts';
import { snapshotId, type SnapshotKey } from './snapshot-id.ts';
import type { ApprovalGuard, ApprovalRecord, DeliveryEvent, Manifest, SnapshotRef, SnapshotStore } from './snapshot.ts';

/**
 * Which store a snapshot came from, so code holding only the snapshot (a mail composer, the
 * delivery log) reads and records through that store. Every store makes its refs with
 * `snapshotRef`; a ref built by hand is held by no store and is refused.
 */
const holders = new WeakMap<SnapshotRef, SnapshotStore>();

export function snapshotRef(store: SnapshotStore, key: SnapshotKey, manifest: Manifest): SnapshotRef {
  const ref: SnapshotRef = { report: key.report, period: key.period, version: key.version, id: snapshotId(key), manifest };
  holders.set(ref, store);
  return ref;
}

export function storeOf(ref: SnapshotRef): SnapshotStore {
  const store = holders.get(ref);
  if (!store) throw new Error(`snapshot ${snapshotId(ref)} was not read from a store`);
  return store;
}

/** A file of the snapshot, by its name (layout.ts). */
export function readSnapshotFile(ref: SnapshotRef, name: string): Promise<Buffer> {
  return storeOf(ref).readFile(ref, name);
}

/** sha256 of the snapshot's manifest.json bytes: it lists every file's checksum and when and why it was made. */
export async function snapshotDigest(ref: SnapshotRef): Promise<string> {
  return sha256(await readSnapshotFile(ref, MANIFEST_NAME));
}

/**
 * Records one delivery event through the store that holds the snapshot, so its digest enters the
 * history and `verify` can tell a forged or deleted one. Exactly once per event key.
 */
export function recordDelivery<E extends DeliveryEvent>(ref: SnapshotRef, event: E): Promise<boolean> {
  return storeOf(ref).recordDelivery(ref, event);
}

/** Records an approval or rejection through the store that holds the snapshot (its digest enters the history). */
export function recordApproval(ref: SnapshotRef, record: ApprovalRecord, guard?: ApprovalGuard): Promise<void> {
  return storeOf(ref).recordApproval(ref, record, guard);
}

/** A snapshot's delivery log, oldest event first. */
export function readDeliveries(ref: SnapshotRef): Promise<Record<string, unknown>[]> {
  return storeOf(ref).readDeliveries(ref);
}

export function readApprovals(ref: SnapshotRef): Promise<ApprovalRecord[]> {
  return storeOf(ref).readApprovals(ref);
}
