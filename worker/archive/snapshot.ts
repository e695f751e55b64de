/** What an archived snapshot records about itself (manifest.json). */

import type { Readable } from 'node:stream';
import type { SnapshotKey } from './snapshot-id.ts';
import type { VerifyReport } from './verify-codes.ts';

export type TriggerKind = 'schedule' | 'cli' | 'api';

export interface Trigger {
  readonly kind: TriggerKind;
  /** Who: the OS user for the CLI, the token's name for the API, the scheduler's host for a fire. */
  readonly by: string;
  readonly note?: string;
  /** The queued job that made it: a retried job finds its own snapshot instead of making another. */
  readonly jobId?: string;
}

export interface ManifestFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** A link to another manifest: which one, and the SHA-256 of its manifest.json bytes. */
export interface ManifestLink {
  readonly period: string;
  readonly version: number;
  readonly sha256: string;
}

/**
 * Where a manifest sits in the report's history (manifestVersion 2). Editing, swapping or
 * deleting an earlier manifest breaks the link a later one holds.
 */
export interface ManifestChain {
  /** The latest version of the same report × period when this one was written. */
  readonly previous: ManifestLink | null;
  /** The latest version of the report's nearest earlier period in the archive when this one was written. */
  readonly previousPeriod: ManifestLink | null;
}

export interface Manifest {
  /** 1: legacy, unchained; 2: carries `chain`. */
  readonly manifestVersion: 1 | 2;
  readonly report: string;
  readonly period: string;
  readonly version: number;
  readonly createdAt: string;
  readonly trigger: Trigger;
  /** The version of the same report and period this one replaces, if any. */
  readonly supersedes: number | null;
  readonly sampleData: boolean;
  readonly template: readonly { readonly path: string; readonly sha256: string }[];
  readonly fonts: readonly { readonly role: string; readonly file: string; readonly postscriptName: string; readonly sha256: string }[];
  readonly generator: { readonly name: 'jibao'; readonly version: string };
  readonly files: readonly ManifestFile[];
  /** Absent in legacy (manifestVersion 1) snapshots. */
  readonly chain?: ManifestChain;
  /** Present when the snapshot was made as a draft: it reaches the recipients only once approved. */
  readonly review?: ManifestReview;
}

export interface ManifestReview {
  readonly reviewers: readonly string[];
  readonly approveWithinHours?: number;
}

/**
 * One sign-off decision on a snapshot (`vN.approvals.jsonl` beside it), append-only: who, in
 * which role, when, and on which content (the manifest's digest), with the approver's words.
 */
export interface ApprovalRecord {
  readonly decision: 'approved' | 'rejected';
  readonly by: string;
  /** The API token's role, or `operator` for the CLI on the server. */
  readonly role: string;
  readonly at: string;
  readonly comment?: string;
  /** sha256 of the snapshot's manifest.json. */
  readonly contentDigest: string;
}

/** Runs under the report's ledger lock before an approval record is appended; throws to refuse it. */
export type ApprovalGuard = (existing: readonly ApprovalRecord[], latestVersion: number | undefined) => void;

/**
 * A snapshot as code outside the archive holds it: which one, and its manifest. Never a path or an
 * object key: its files are read through the store that returned it (`readFile`, `openFile`).
 */
export interface SnapshotRef extends SnapshotKey {
  /** Its public id, `yuquan-2023_2023Q3_v2` (snapshot-id.ts). */
  readonly id: string;
  readonly manifest: Manifest;
}

/** A file to store in a snapshot, by its name inside the snapshot (layout.ts: `briefing.pdf`, `data/model.json`). */
export interface SnapshotFile {
  readonly path: string;
  readonly data: Uint8Array | string;
}

/** What `write`'s builder returns: the manifest fields the store does not fill in, and the files. */
export interface SnapshotDraft {
  readonly manifest: Omit<Manifest, 'files' | 'version' | 'supersedes' | 'report' | 'period' | 'chain' | 'manifestVersion'>;
  readonly files: readonly SnapshotFile[];
}

/**
 * One delivery event (a line of the snapshot's delivery log): an intent before a send, then its
 * acceptance or failure. The store keeps each event once: a second record with the same
 * `deliveryEventKey` (deliveryId, state, attempt) is not appended again.
 */
export interface DeliveryEvent {
  readonly deliveryId: string;
  readonly status: string;
  readonly state?: string;
  readonly attempt?: string;
}

/**
 * Where snapshots are kept: the folder store (folder-store.ts, a path or `file://` in
 * JIBAO_ARCHIVE_URL) or object storage (s3-store.ts, `s3://bucket/prefix`); `createSnapshotStore`
 * (index.ts) picks one from the settings. Every implementation passes
 * test/archive/store-conformance.ts. The contract:
 * - a written version is complete or absent, never overwritten; numbers count up from 1 per
 *   report × period with no gap and no reuse, also under concurrent writers on several hosts;
 * - only `remove` (retention) deletes a version, and it leaves a tombstone in the history;
 * - every version, delivery event and approval enters the report's hash-chained history, so
 *   `verify` finds a changed, missing, stray or forged file by its code (verify-codes.ts);
 * - files are named by layout.ts; no caller sees a path or key.
 */
export interface SnapshotStore {
  /** For people (CLI output, logs): the folder or the `s3://bucket/prefix`. Never opened by code. */
  readonly location: string;
  /** Every snapshot, oldest first per period, reports and periods in name order. */
  list(report?: string): Promise<SnapshotKey[]>;
  versions(report: string, period: string): Promise<number[]>;
  latestVersion(report: string, period: string): Promise<number | undefined>;
  /** Throws CodedError NOT_FOUND (kind `snapshot`) when there is no such snapshot. */
  read(report: string, period: string, version: number): Promise<SnapshotRef>;
  /** The snapshot a queued job already made, if an earlier attempt got that far. */
  findByJob(report: string, period: string, jobId: string): Promise<SnapshotRef | undefined>;
  /**
   * Stores a new version. `build` gets the version number and the one it supersedes (the
   * period's highest so far, stored or pruned) and returns the manifest fields and files; the
   * store adds the file list, checksums, chain and signature.
   */
  write(report: string, period: string, build: (version: number, supersedes: number | null) => SnapshotDraft): Promise<SnapshotRef>;
  /** A file of the snapshot by its name (layout.ts); CodedError SNAPSHOT_FILE_MISSING if it has none such. */
  readFile(ref: SnapshotKey, name: string): Promise<Buffer>;
  /** The same as a stream, for downloads. */
  openFile(ref: SnapshotKey, name: string): Promise<Readable>;
  /** Removes an old version under retention; the history keeps a tombstone so it reads as pruned, not deleted. The newest of a period is never removed. */
  remove(report: string, period: string, version: number): Promise<void>;
  /**
   * Appends one delivery event to the snapshot's log and enters its digest in the history, so a
   * forged, edited or deleted record is found by `verify`. Exactly once: an event whose key is
   * already in the log is not appended again (false).
   */
  recordDelivery<E extends DeliveryEvent>(ref: SnapshotKey, event: E): Promise<boolean>;
  /** The delivery log (one parsed event each), oldest first. */
  readDeliveries(ref: SnapshotKey): Promise<Record<string, unknown>[]>;
  /**
   * Appends an approval or rejection and enters its digest in the history (like a delivery
   * event). `guard` sees the records so far and the period's newest version under the same
   * lock, so two approvers cannot both record conflicting decisions.
   */
  recordApproval(ref: SnapshotKey, record: ApprovalRecord, guard?: ApprovalGuard): Promise<void>;
  /** The approval log of a snapshot, oldest first. */
  readApprovals(ref: SnapshotKey): Promise<ApprovalRecord[]>;
  /** Checks the stored history: every finding by its code (see verify-codes.ts). */
  verify(scope?: VerifyScope): Promise<VerifyReport>;
}

export interface VerifyScope {
  readonly report?: string;
  /** Only the findings about this snapshot (and about its report's history as a whole). */
  readonly snapshot?: { readonly report: string; readonly period: string; readonly version: number };
  /** SPKI PEM of the Ed25519 key that signed the archive: signatures are then required and checked. */
  readonly publicKey?: string;
}

export type { SnapshotKey, VerifyReport };
