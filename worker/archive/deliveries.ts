import { storeHolding } from './fs-archive.ts';
import type { ApprovalGuard, ApprovalRecord, SnapshotRef } from './snapshot.ts';

/**
 * Records one line of a snapshot's delivery log through the store that holds the snapshot, so
 * the line's digest enters the archive's ledger and `verify` can tell a forged or deleted one.
 * Delivery code calls this instead of writing the log itself.
 */
export function recordDelivery(ref: SnapshotRef, record: object): Promise<void> {
  return storeHolding(ref).recordDelivery(ref, record);
}

/** Records an approval or rejection through the store that holds the snapshot (its digest enters the ledger). */
export function recordApproval(ref: SnapshotRef, record: ApprovalRecord, guard?: ApprovalGuard): Promise<void> {
  return storeHolding(ref).recordApproval(ref, record, guard);
}

/** A snapshot's delivery log, oldest line first. */
export function readDeliveries(ref: SnapshotRef): Promise<Record<string, unknown>[]> {
  return storeHolding(ref).readDeliveries(ref);
}

export function readApprovals(ref: SnapshotRef): Promise<ApprovalRecord[]> {
  return storeHolding(ref).readApprovals(ref);
}
