import { createSnapshotStore, readApprovals, recordApproval, snapshotDigest, snapshotName, type ApprovalRecord, type SnapshotRef, type SnapshotStore } from '../archive/index.ts';
import { loadJobDefinition, type JobDefinition } from '../config/job-definition.ts';
import type { Deliver, DeliveryOutcome } from './run.ts';
import type { Settings } from '../config/settings.ts';
import { renderMessage, type Params } from '../domain/messages.ts';

/**
 * Where a snapshot stands in review (审核、签发). Derived from the write-once manifest (made as a
 * draft or not), the append-only approval log and the period's newer versions; never stored.
 */
export type ReviewState =
  /** Made without review: it went to the recipients when it was made. */
  | { readonly kind: 'not-reviewed' }
  | { readonly kind: 'draft' }
  | { readonly kind: 'approved'; readonly record: ApprovalRecord }
  | { readonly kind: 'rejected'; readonly record: ApprovalRecord }
  /** A newer version of the same report × period exists; this draft can no longer be approved. */
  | { readonly kind: 'superseded'; readonly by: number };

export type ReviewCode = 'SNAPSHOT_SUPERSEDED' | 'SNAPSHOT_REJECTED' | 'SNAPSHOT_APPROVED' | 'SNAPSHOT_NOT_DRAFT';

/** A decision refused by the snapshot's state; the API answers 409 with the code, its text from the catalogue. */
export class ReviewError extends Error {
  override name = 'ReviewError';
  readonly statusCode = 409;
  readonly retryable = false;
  constructor(
    readonly code: ReviewCode,
    readonly params: Params,
    /** The newer version, for SNAPSHOT_SUPERSEDED. */
    readonly newer?: number,
  ) {
    super(`${renderMessage(code, params, 'en') ?? code} [${code}]`);
  }
}

const nameOf = snapshotName;

export function stateOf(ref: SnapshotRef, approvals: readonly ApprovalRecord[], latest: number | undefined): ReviewState {
  if (!ref.manifest.review) return { kind: 'not-reviewed' };
  const rejected = approvals.find((a) => a.decision === 'rejected');
  if (rejected) return { kind: 'rejected', record: rejected };
  const approved = approvals.find((a) => a.decision === 'approved');
  if (approved) return { kind: 'approved', record: approved };
  if (latest !== undefined && latest > ref.version) return { kind: 'superseded', by: latest };
  return { kind: 'draft' };
}

export async function reviewState(archive: SnapshotStore, ref: SnapshotRef): Promise<{ state: ReviewState; approvals: ApprovalRecord[] }> {
  const approvals = await readApprovals(ref);
  return { state: stateOf(ref, approvals, await archive.latestVersion(ref.report, ref.period)), approvals };
}

/** Who decides: the token's name and role over the API, the OS user (`operator`) on the CLI. */
export interface Decider {
  readonly by: string;
  readonly role: string;
  readonly comment?: string;
}

export type ApprovalOutcome =
  /** Recorded now; the approved PDF went (or was queued) to the recipients. */
  | { readonly kind: 'approved'; readonly record: ApprovalRecord; readonly delivery: DeliveryOutcome }
  /** Approved before: nothing new recorded; delivery re-checked (sends only what never went out, normally nothing). */
  | { readonly kind: 'already-approved'; readonly record: ApprovalRecord; readonly delivery: DeliveryOutcome | null };

/** Thrown inside the guard to skip the append when the snapshot is approved already. */
class AlreadyDecided extends Error {
  constructor(readonly record: ApprovalRecord) {
    super('already decided');
  }
}

/**
 * 签发: records the approval (refused for a superseded or rejected draft, by code) and delivers
 * the snapshot's archived PDF — the very file the reviewers were sent, never re-rendered — to
 * the job's recipients through the usual exactly-once delivery.
 */
export async function approveSnapshot(settings: Settings, ref: SnapshotRef, who: Decider, deliver: Deliver, clock: () => Date = settings.clock): Promise<ApprovalOutcome> {
  if (!ref.manifest.review) throw new ReviewError('SNAPSHOT_NOT_DRAFT', { snapshot: nameOf(ref) });
  const record: ApprovalRecord = { decision: 'approved', by: who.by, role: who.role, at: clock().toISOString(), ...(who.comment ? { comment: who.comment } : {}), contentDigest: await snapshotDigest(ref) };
  let superseded = false;
  try {
    await recordApproval(ref, record, (existing, latest) => {
      const rejected = existing.find((a) => a.decision === 'rejected');
      if (rejected) throw new ReviewError('SNAPSHOT_REJECTED', { snapshot: nameOf(ref), by: rejected.by, at: rejected.at });
      const approved = existing.find((a) => a.decision === 'approved');
      superseded = latest !== undefined && latest > ref.version;
      if (approved) throw new AlreadyDecided(approved);
      if (superseded) throw new ReviewError('SNAPSHOT_SUPERSEDED', { snapshot: nameOf(ref), newer: latest, report: ref.report, period: ref.period }, latest);
    });
  } catch (e) {
    if (!(e instanceof AlreadyDecided)) throw e;
    // Delivery is idempotent: re-checking it sends nothing already accepted. A superseded version is left alone.
    const def = superseded ? undefined : await job(settings, ref);
    const delivery = def ? await deliver(ref, def, def.recipients, ref.manifest.trigger.note) : null;
    return { kind: 'already-approved', record: e.record, delivery };
  }
  const def = await job(settings, ref);
  return { kind: 'approved', record, delivery: await deliver(ref, def, def.recipients, ref.manifest.trigger.note) };
}

export type RejectionOutcome = { readonly kind: 'rejected' | 'already-rejected'; readonly record: ApprovalRecord };

/** Sends a draft back: recorded with the reason; nothing is sent, and the draft can no longer be approved. */
export async function rejectSnapshot(ref: SnapshotRef, who: Decider & { readonly comment: string }, clock: () => Date = () => new Date()): Promise<RejectionOutcome> {
  if (!ref.manifest.review) throw new ReviewError('SNAPSHOT_NOT_DRAFT', { snapshot: nameOf(ref) });
  const record: ApprovalRecord = { decision: 'rejected', by: who.by, role: who.role, at: clock().toISOString(), comment: who.comment, contentDigest: await snapshotDigest(ref) };
  try {
    await recordApproval(ref, record, (existing) => {
      const approved = existing.find((a) => a.decision === 'approved');
      if (approved) throw new ReviewError('SNAPSHOT_APPROVED', { snapshot: nameOf(ref), by: approved.by, at: approved.at });
      const rejected = existing.find((a) => a.decision === 'rejected');
      if (rejected) throw new AlreadyDecided(rejected);
    });
  } catch (e) {
    if (e instanceof AlreadyDecided) return { kind: 'already-rejected', record: e.record };
    throw e;
  }
  return { kind: 'rejected', record };
}

function job(settings: Settings, ref: SnapshotRef): Promise<JobDefinition> {
  return loadJobDefinition(settings.jobsDir, ref.report);
}

export interface OverdueDraft {
  readonly job: JobDefinition;
  readonly snapshot: SnapshotRef;
  readonly dueAt: Date;
}

/**
 * Drafts still waiting past their job's `approve_within_hours`: the newest version of each
 * period, made for review, with neither approval nor rejection.
 */
export async function overdueDrafts(settings: Settings, jobs: readonly JobDefinition[], now: Date, archive: SnapshotStore = createSnapshotStore(settings)): Promise<OverdueDraft[]> {
  const out: OverdueDraft[] = [];
  for (const def of jobs) {
    const hours = def.review?.approve_within_hours;
    if (!def.review?.required || !hours) continue;
    const newest = new Map<string, number>();
    for (const s of await archive.list(def.id)) newest.set(s.period, Math.max(s.version, newest.get(s.period) ?? 0));
    for (const [period, version] of newest) {
      const ref = await archive.read(def.id, period, version).catch(() => undefined);
      if (!ref?.manifest.review) continue;
      if ((await archive.readApprovals(ref)).length > 0) continue;
      const dueAt = new Date(Date.parse(ref.manifest.createdAt) + hours * 3600_000);
      if (now >= dueAt) out.push({ job: def, snapshot: ref, dueAt });
    }
  }
  return out;
}
