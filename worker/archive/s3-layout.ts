/**
 * Where the S3 store keeps what the folder store appends to files. An object store cannot
 * append, so each history line and each event is an object of its own, created once; the
 * snapshot files keep layout.ts's names (`<report>/<period>/v<N>/<file>`).
 *
 *   <report>/ledger/<seq>.json                         one ledger line (seq zero-padded to 12 digits)
 *   <report>/ledger.lock                               the report's lock, without Redis
 *   <report>/<period>/v<N>.deliveries/<seq>-<key>.json one delivery event (key: its event key's digest)
 *   <report>/<period>/v<N>.approvals/<seq>.json        one approval or rejection
 *
 * `<seq>` is the ledger line that recorded the object, so listing a folder gives the log in order.
 */
import { versionDir } from './layout.ts';

const pad = (seq: number) => String(seq).padStart(12, '0');

export const ledgerFolder = (report: string) => `${report}/ledger/`;
export const ledgerEntryName = (report: string, seq: number) => `${ledgerFolder(report)}${pad(seq)}.json`;
export const LEDGER_ENTRY = /^ledger\/(\d{12})\.json$/;

export const deliveriesFolder = (report: string, period: string, version: number) => `${report}/${period}/${versionDir(version)}.deliveries/`;
export const deliveryEventName = (report: string, period: string, version: number, seq: number, keyDigest: string) => `${deliveriesFolder(report, period, version)}${pad(seq)}-${keyDigest.slice(0, 16)}.json`;

export const approvalsFolder = (report: string, period: string, version: number) => `${report}/${period}/${versionDir(version)}.approvals/`;
export const approvalName = (report: string, period: string, version: number, seq: number) => `${approvalsFolder(report, period, version)}${pad(seq)}.json`;

/** `2023Q3/v2.deliveries/…` or `…/v2.approvals/…` inside a report: the log it belongs to. */
export const EVENT_OBJECT = /^([^/]+)\/v(\d+)\.(deliveries|approvals)\/([^/]+)$/;

export const lockName = (report: string) => `${report}/ledger`;
