import { z } from 'zod';

export const DELIVERIES_QUEUE = 'deliveries';
export const DELIVERY_JOB_NAME = 'delivery';

/** One recipient of one snapshot's content; the job id is the delivery id, so it exists once. */
export const deliveryJobSchema = z.strictObject({
  report: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  period: z.string().min(4),
  version: z.number().int().positive(),
  address: z.email(),
  kind: z.enum(['to', 'cc', 'bcc']),
  /** The To/Cc headers every recipient's copy shows. */
  headers: z.strictObject({ to: z.array(z.string()), cc: z.array(z.string()) }),
  note: z.string().optional(),
  /** `review`: the draft to a reviewer (审核稿); absent: the briefing to a recipient. */
  purpose: z.enum(['briefing', 'review']).optional(),
  /** sha256 of the snapshot's manifest.json when queued: a different snapshot under the same version is not sent. */
  contentDigest: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** The server's acceptance, kept here when the delivery log could not be written: a retry only records it. */
  accepted: z.looseObject({ deliveryId: z.string(), messageId: z.string(), status: z.literal('sent') }).optional(),
});

export type DeliveryJobData = z.input<typeof deliveryJobSchema>;

export const DELIVERY_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential' as const, delay: 30_000 },
  removeOnComplete: { age: 365 * 24 * 3600 },
  removeOnFail: { age: 365 * 24 * 3600 },
};
