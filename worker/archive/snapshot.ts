/** What an archived snapshot records about itself (manifest.json). */

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

export interface Manifest {
  readonly manifestVersion: 1;
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
}

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
  remove(report: string, period: string, version: number): Promise<void>;
}
