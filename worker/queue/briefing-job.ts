import { z } from 'zod';
import type { RecipientOutcome } from '../delivery/deliver.ts';

export const BRIEFINGS_QUEUE = 'briefings';
export const JOB_NAME = 'briefing';

/** What a queued briefing carries; validated when a worker takes it. */
export const briefingJobSchema = z.strictObject({
  report: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  period: z.string().min(4),
  trigger: z.strictObject({ kind: z.enum(['schedule', 'cli', 'api']), by: z.string().min(1), note: z.string().optional() }),
  note: z.string().optional(),
  send: z.boolean().default(true),
  /** Replaces the job definition's recipients for this run ("send only to me"). */
  recipients: z.strictObject({ to: z.array(z.email()).min(1), cc: z.array(z.email()).default([]), bcc: z.array(z.email()).default([]) }).optional(),
  /** Scheduled fires wait for late figures until then (ISO time); ad-hoc runs fail at once. */
  waitUntil: z.string().datetime().optional(),
  retryEverySeconds: z.number().positive().optional(),
  /** Why the last attempt found no figures (set by the worker while it waits). */
  lastNotReady: z.string().optional(),
});

export type BriefingJobData = z.input<typeof briefingJobSchema>;

export type Stage = 'queued' | 'loading' | 'fetching' | 'validating' | 'evaluating' | 'rendering' | 'archiving' | 'delivering' | 'done';
export const STAGE_PERCENT: Record<Stage, number> = {
  queued: 0,
  loading: 5,
  fetching: 15,
  validating: 30,
  evaluating: 40,
  rendering: 50,
  archiving: 80,
  delivering: 90,
  done: 100,
};

export interface BriefingProgress {
  readonly stage: Stage;
  readonly percent: number;
}

interface SentRef {
  readonly address: string;
  readonly messageId: string;
  readonly at: string;
}

export interface BriefingJobResult {
  readonly snapshot: { readonly report: string; readonly period: string; readonly version: number; readonly id: string };
  readonly counts: Record<string, number>;
  /** Per recipient: queued now, already sent (with evidence), pending in an earlier job, or not sent. */
  readonly delivery:
    | { readonly kind: 'not-sent'; readonly reason: 'send-false' }
    | { readonly kind: 'queued'; readonly recipients: readonly RecipientOutcome[] }
    | { readonly kind: 'inline'; readonly sent: readonly SentRef[]; readonly alreadySent: readonly SentRef[]; readonly failed: readonly { readonly address: string; readonly reason: string }[] };
  /** Delivery jobs queued now (one per recipient not already sent or pending). */
  readonly deliveries?: number;
  /** True when an earlier attempt of this job had already archived the snapshot. */
  readonly reused: boolean;
  /** Archived as a draft awaiting approval: `delivery` then describes the mail to its reviewers. */
  readonly draft?: boolean;
  readonly renderMs: number;
}

/** One job per report × period for scheduled fires: the id is the deduplication. No ":" in BullMQ ids. */
export function scheduledJobId(report: string, period: string): string {
  return `scheduled_${report}_${period}`;
}

export function rerunJobId(report: string, period: string, at: Date, nonce: string): string {
  return `rerun_${report}_${period}_${at.getTime()}_${nonce}`;
}

export const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential' as const, delay: 10_000 },
  // Kept long enough for `rerun --wait`, the API and audits; the fire marker guards dedup beyond that.
  removeOnComplete: { age: 90 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 365 * 24 * 3600 },
};
