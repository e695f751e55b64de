/**
 * What `jibao archive verify` can find, by a stable code: scripts and archivists match on the
 * code, never on the English detail.
 */
export const PROBLEM_CODES = [
  'FILE_CHANGED', // a file's bytes or size differ from its manifest entry
  'FILE_MISSING', // listed in the manifest (or the manifest itself), not on disk
  'FILE_STRAY', // on disk, in no manifest
  'MANIFEST_EDITED', // manifest.json differs from the digest the history recorded for it
  'CHAIN_BROKEN', // a manifest's link to an earlier one does not match that manifest
  'VERSION_DELETED', // the history names a version that is gone and was not pruned
  'VERSION_UNRECORDED', // a chained version the history never recorded (planted or copied in)
  'LEDGER_BROKEN', // the ledger is missing, unreadable, or a line does not carry the previous line's hash
  'SYMLINK', // a symbolic link inside the archive (never followed)
  'DELIVERY_FORGED', // a delivery record the history does not hold (added or edited)
  'DELIVERY_DELETED', // a delivery record the history holds, gone from the log
  'APPROVAL_FORGED', // an approval or rejection the history does not hold (added or edited)
  'APPROVAL_DELETED', // an approval or rejection the history holds, gone from the log
  'SIGNATURE_INVALID', // a signature that does not verify with the given public key
  'SIGNATURE_MISSING', // a public key was given, and something written under signing is unsigned
] as const;

/** Information, not failure. */
export const INFO_CODES = [
  'PRUNED', // removed under the retention policy; the tombstone keeps its manifest digest
  'LEGACY', // written before manifests were chained: checksums checked, history unproven
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];
export type InfoCode = (typeof INFO_CODES)[number];

export type Finding =
  | { readonly severity: 'problem'; readonly code: ProblemCode; readonly where: Where; readonly detail: string }
  | { readonly severity: 'info'; readonly code: InfoCode; readonly where: Where; readonly detail: string };

/** What a finding is about: a report's history, a period, a snapshot, or a file in one. */
export interface Where {
  readonly report: string;
  readonly period?: string;
  readonly version?: number;
  /** Relative to the report's folder. */
  readonly path?: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  /** Snapshots checked: report/period/vN. */
  readonly snapshots: readonly string[];
  readonly findings: readonly Finding[];
  /**
   * Per report, the hash of the ledger's last line: an archivist who notes it elsewhere can later
   * tell that nothing was cut off the end (the one edit a hash chain alone cannot show).
   */
  readonly heads: Readonly<Record<string, string | null>>;
}

export const problem = (code: ProblemCode, where: Where, detail: string): Finding => ({ severity: 'problem', code, where, detail });
export const info = (code: InfoCode, where: Where, detail: string): Finding => ({ severity: 'info', code, where, detail });
