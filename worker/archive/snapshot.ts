/** What an archived snapshot records about itself (manifest.json). */

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

export interface SnapshotRef {
  readonly report: string;
  readonly period: string;
  readonly version: number;
  /** Folder of the snapshot. */
  readonly dir: string;
  readonly pdf: string;
  readonly manifest: Manifest;
}

/** A file to store in a snapshot, by its path inside the snapshot. */
export interface SnapshotFile {
  readonly path: string;
  readonly data: Uint8Array | string;
}

/**
 * Where snapshots are kept. The filesystem (`FsArchive`) is the default; another store (object
 * storage, a database) implements the same contract: a written version is complete or absent,
 * never overwritten, and only `remove` under a retention policy ever deletes one.
 */
export interface SnapshotStore {
  list(report?: string): Promise<{ report: string; period: string; version: number }[]>;
  versions(report: string, period: string): Promise<number[]>;
  latestVersion(report: string, period: string): Promise<number | undefined>;
  read(report: string, period: string, version: number): Promise<SnapshotRef>;
  findByJob(report: string, period: string, jobId: string): Promise<SnapshotRef | undefined>;
  write(
    report: string,
    period: string,
    build: (version: number, supersedes: number | null) => { manifest: Omit<Manifest, 'files' | 'version' | 'supersedes' | 'report' | 'period'>; files: readonly SnapshotFile[] },
  ): Promise<SnapshotRef>;
  /** Removes an old version under retention; the history keeps a tombstone so it reads as pruned, not deleted. */
  remove(report: string, period: string, version: number): Promise<void>;
  /**
   * Appends one record to a snapshot's delivery log and enters its digest in the history, so a
   * forged, edited or deleted record is found by `verify`. The record is stored as one JSON line.
   */
  recordDelivery(ref: SnapshotRef, record: object): Promise<void>;
  /**
   * Appends an approval or rejection beside the snapshot and enters its digest in the history
   * (like a delivery record). `guard` sees the records so far and the period's newest version
   * under the same lock, so two approvers cannot both record conflicting decisions.
   */
  recordApproval(ref: SnapshotRef, record: ApprovalRecord, guard?: ApprovalGuard): Promise<void>;
  /** The approval log of a snapshot, oldest first. */
  readApprovals(ref: SnapshotRef): Promise<ApprovalRecord[]>;
  /** The delivery log of a snapshot (one parsed JSON line each), oldest first. */
  readDeliveries(ref: SnapshotRef): Promise<Record<string, unknown>[]>;
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

export type { VerifyReport };
