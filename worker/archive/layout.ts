/**
 * The one place that names a snapshot's files and where they sit relative to the archive's root.
 * Every store keys its objects by these names (the folder store as paths under its root, an
 * object store as keys under its prefix), so the two hold the same tree and `verify` reads alike.
 *
 *   <report>/ledger.jsonl                         the report's hash-chained history
 *   <report>/<period>/v<N>/manifest.json          write-once snapshot: manifest, signature, files
 *   <report>/<period>/v<N>/manifest.sig
 *   <report>/<period>/v<N>/briefing.pdf
 *   <report>/<period>/v<N>/data/model.json, data/figures.json, …
 *   <report>/<period>/v<N>.deliveries.jsonl       delivery events, beside the write-once folder
 *   <report>/<period>/v<N>.approvals.jsonl        approval events
 */
import { LEDGER_LOCK_NAME, LEDGER_NAME } from './ledger.ts';
import { SIGNATURE_NAME } from './signing.ts';

export { LEDGER_LOCK_NAME, LEDGER_NAME, SIGNATURE_NAME };

export const MANIFEST_NAME = 'manifest.json';
export const PDF_NAME = 'briefing.pdf';
/** The model the PDF was rendered from (title, issue number, figures as shown). */
export const MODEL_NAME = 'data/model.json';
/** The period's figures as collected, read by the next period's comparison. */
export const FIGURES_NAME = 'data/figures.json';
export const EVALUATION_NAME = 'data/evaluation.json';
/** The markup the PDF was laid out from. */
export const MARKUP_NAME = 'briefing.html';
/** The job definition, targets and figure files the snapshot was made from: `inputs/<name>`. */
export function inputName(name: string): string {
  return `inputs/${name}`;
}

export const VERSION_DIR = /^v(\d+)$/;
/** The names `deliveryLogName` and `approvalLogName` give, read back. */
export const DELIVERY_LOG = /^v(\d+)\.deliveries\.jsonl$/;
export const APPROVAL_LOG = /^v(\d+)\.approvals\.jsonl$/;

/** `v3`: a version's folder (or key segment) inside its period. */
export function versionDir(version: number): string {
  return `v${version}`;
}

/** The version a folder name names, or undefined when it is not a version folder. */
export function parseVersionDir(name: string): number | undefined {
  const m = VERSION_DIR.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** A version's delivery log lives beside its folder, so the write-once folder never changes. */
export function deliveryLogName(version: number): string {
  return `v${version}.deliveries.jsonl`;
}

/** A version's approvals and rejections, beside its folder like the delivery log. */
export function approvalLogName(version: number): string {
  return `v${version}.approvals.jsonl`;
}

/** `report/period/vN`: the snapshot's folder relative to the root (always `/`-separated: also an object-key prefix). */
export function snapshotKey(s: { readonly report: string; readonly period: string; readonly version: number }): string {
  return `${s.report}/${s.period}/${versionDir(s.version)}`;
}

/**
 * A file name inside a snapshot as a store accepts it: relative, `/`-separated, no `..` or empty
 * segment. Anything else is refused before it can name a key or path outside the snapshot.
 */
export function isSnapshotFileName(name: string): boolean {
  return name.length > 0 && !name.startsWith('/') && !name.includes('\\') && name.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}
