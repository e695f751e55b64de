import { randomUUID } from 'node:crypto';
import { MODEL_NAME, PDF_NAME, readDeliveries, readSnapshotFile, recordDelivery, snapshotDigest, type SnapshotRef } from '../archive/index.ts';
import { sha256 } from '../archive/digest.ts';
import type { BriefingModel } from '../render/briefing-model.ts';
import { compileTemplate } from '../render/template.ts';
import type { Settings } from '../config/settings.ts';
import type { BriefingMail, Recipients } from './message.ts';
import { createMailer, type Mailer } from './transport.ts';

export type RecipientKind = 'to' | 'cc' | 'bcc';

export interface DeliveryTarget {
  readonly address: string;
  readonly kind: RecipientKind;
}

/**
 * One line of a snapshot's delivery log (`vN.deliveries.jsonl` beside the snapshot). Each send is
 * an `intent` line written before the message goes out, then an `accepted` line (the server's
 * 250) or a `failed` line (the server refused, or no connection was made). An intent without
 * either means "maybe sent". `status` mirrors `state` for older readers ('sent' = accepted).
 */
export interface DeliveryRecord {
  readonly deliveryId: string;
  readonly address: string;
  readonly kind: RecipientKind;
  readonly status: 'intent' | 'sent' | 'failed';
  readonly state?: DeliveryState;
  readonly via: 'smtp' | 'outbox';
  readonly messageId: string;
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  readonly at: string;
  readonly reason?: string;
  readonly file?: string;
  /** sha256 of the snapshot's manifest.json: which content this delivery is of. */
  readonly contentDigest?: string;
  /** Pairs an intent with its outcome. */
  readonly attempt?: string;
  /** This send follows an intent whose outcome is unknown (the one permitted resend). */
  readonly resend?: boolean;
  /** `review`: the draft mailed to a reviewer (审核稿), not the briefing to a recipient. Absent: the briefing. */
  readonly purpose?: MailPurpose;
}

/** The briefing to its recipients, or the draft to its reviewers: separate deliveries, separate ids. */
export type MailPurpose = 'briefing' | 'review';

export type DeliveryState = 'intent' | 'accepted' | 'failed';

/** Where delivery records go: the snapshot's log by default (another store, or a test's failing one). */
export interface DeliveryRecorder {
  append(snapshot: SnapshotRef, r: DeliveryRecord): Promise<void>;
}

/** The one place a delivery line is written. */
export const fileRecorder: DeliveryRecorder = {
  // Through the archive: each line's digest enters its ledger, so verify can tell a forged one.
  append: async (snapshot, r) => void (await recordDelivery(snapshot, r)),
};

/** What became of one recipient's message. */
export type DeliveryResult =
  | { readonly kind: 'sent'; readonly record: DeliveryRecord }
  /** Skipped: the log already holds the server's acceptance of this very content. */
  | { readonly kind: 'already-sent'; readonly evidence: DeliveryRecord };

/** For the briefing job's result: what became of each recipient when the job finished. */
export type RecipientOutcome = DeliveryTarget & { readonly deliveryId: string } & (
    | { readonly state: 'queued' }
    | { readonly state: 'already-sent'; readonly evidence: { readonly messageId: string; readonly at: string; readonly via: 'smtp' | 'outbox' } }
    | { readonly state: 'pending'; readonly jobState: string }
    | { readonly state: 'not-sent'; readonly reason: string }
  );

export interface MailSettings {
  readonly from: string;
  /** Attach PDFs up to this size; above it, link to the archived copy when a public URL is set. */
  readonly maxAttachmentBytes: number;
  /** Base URL of the jibao API (JIBAO_PUBLIC_URL), for download links. */
  readonly publicUrl?: string;
}

/** Every address once, in to → cc → bcc order (an address in two lists gets one message). */
export function deliveryTargets(r: Recipients): DeliveryTarget[] {
  const seen = new Set<string>();
  const out: DeliveryTarget[] = [];
  for (const kind of ['to', 'cc', 'bcc'] as const) {
    for (const address of r[kind]) {
      const key = address.trim().toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ address: address.trim(), kind });
    }
  }
  return out;
}

/**
 * Deterministic per snapshot content × recipient: the queue's job id and the log's key. The
 * content digest makes a version number reused after an archive restore a new delivery.
 */
export function deliveryId(s: { report: string; period: string; version: number }, contentDigest: string, address: string, purpose: MailPurpose = 'briefing'): string {
  return `${purpose === 'review' ? 'review' : 'delivery'}_${s.report}_${s.period}_v${s.version}_${contentDigest.slice(0, 16)}_${sha256(address.trim().toLowerCase()).slice(0, 16)}`;
}

/** The id before content digests (logs written by earlier releases), so an upgrade does not resend. */
function legacyDeliveryId(s: { report: string; period: string; version: number }, address: string): string {
  return `delivery_${s.report}_${s.period}_v${s.version}_${sha256(address.trim().toLowerCase()).slice(0, 16)}`;
}

export { snapshotDigest };

/** The snapshot's delivery log, read through the archive that holds it. */
export async function readDeliveryLog(snapshot: SnapshotRef): Promise<DeliveryRecord[]> {
  return (await readDeliveries(snapshot)) as unknown as DeliveryRecord[];
}

/** A failed send: permanent ones (5xx, a refused address) are not retried. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly permanent: boolean,
    /** The server certainly did not take the message (it answered with an error, or was never reached). */
    readonly definite = true,
    readonly code: 'SMTP_REFUSED' | 'SMTP_TEMPORARY' | 'SEND_FAILED' | 'DELIVERY_UNCONFIRMED' = permanent ? 'SMTP_REFUSED' : 'SMTP_TEMPORARY',
  ) {
    super(message);
  }
}

/** The server accepted the message but the acceptance could not be logged; never a reason to send again. */
export class AcceptanceNotRecordedError extends Error {
  override name = 'AcceptanceNotRecordedError';
  readonly code = 'ACCEPTANCE_NOT_RECORDED';
  constructor(readonly record: DeliveryRecord, cause: unknown) {
    super(`${record.address}: accepted by the server (${record.messageId}) but the delivery log could not be written: ${(cause as Error).message}`);
  }
}

/** Errors raised before the connection existed: nothing can have reached the server. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** SMTP outcomes by what a retry could change: 4xx and connection trouble may pass; 5xx will not. */
export function classifySendError(e: unknown): DeliveryError {
  const err = e as Error & { responseCode?: number; code?: string; originalCode?: string; syscall?: string; response?: string };
  const code = err.responseCode;
  const text = (err.response ?? err.message).split('\n')[0]!;
  if (code !== undefined && code >= 500) return new DeliveryError(`SMTP ${code}: ${text}`, true);
  if (code !== undefined && code >= 400) return new DeliveryError(`SMTP ${code} (temporary): ${text}`, false);
  if (err.code === 'EENVELOPE' && /address|recipient/i.test(text)) return new DeliveryError(`invalid address: ${text}`, true);
  // A dropped connection or a timeout after the message went out may follow the server's acceptance.
  const neverConnected = err.syscall === 'connect' || NEVER_CONNECTED.has(err.originalCode ?? '') || NEVER_CONNECTED.has(err.code ?? '');
  return new DeliveryError(`${err.code ?? 'send failed'}: ${text}`, false, neverConnected, 'SEND_FAILED');
}

/** What a mail is made of, read from the archived snapshot: its model and the very PDF bytes. */
async function mailParts(snapshot: SnapshotRef): Promise<{ model: BriefingModel; pdf: Buffer }> {
  const [model, pdf] = await Promise.all([readSnapshotFile(snapshot, MODEL_NAME), readSnapshotFile(snapshot, PDF_NAME)]);
  return { model: JSON.parse(model.toString('utf8')) as BriefingModel, pdf };
}

/**
 * The email for a snapshot, built from what the archive holds (its PDF and model), so the
 * queued delivery worker needs nothing but the snapshot.
 */
export async function composeBriefingMail(settings: Settings, snapshot: SnapshotRef, mail: MailSettings, recipients: Recipients, note?: string): Promise<BriefingMail> {
  const { model, pdf } = await mailParts(snapshot);
  const link = pdf.byteLength > mail.maxAttachmentBytes && mail.publicUrl
    ? `${mail.publicUrl.replace(/\/$/, '')}/api/snapshots/${encodeURIComponent(snapshot.id)}/pdf`
    : null;
  const context = {
    ...model,
    note: note ?? model.note,
    delivery: { link, archived: `${snapshot.report}/${snapshot.period}/v${snapshot.version}`, attached: link === null },
  };
  const [text, html] = await Promise.all([compileTemplate(settings.templatesDir, 'email-text'), compileTemplate(settings.templatesDir, 'email-html')]);
  return {
    from: mail.from,
    recipients: { to: recipients.to, cc: recipients.cc, bcc: [] },
    subject: `${model.report.sampleData ? '【示例数据】' : ''}${context.note ? '【更正】' : ''}${model.briefing.title}（${model.briefing.name}第${model.briefing.issueNumber}期）`,
    text: text.render(context),
    html: html.render(context),
    ...(link ? {} : { attachment: { name: `${model.briefing.title}.pdf`, pdf } }),
  };
}

/**
 * The mail to a draft's reviewers: the draft PDF itself (the very bytes an approval sends on),
 * its status counts, plausibility warnings and 更正说明, and how to sign it off or send it back.
 */
export async function composeReviewMail(settings: Settings, snapshot: SnapshotRef, mail: MailSettings, reviewers: Recipients, note?: string): Promise<BriefingMail> {
  const { model, pdf } = await mailParts(snapshot);
  const idPart = encodeURIComponent(snapshot.id);
  const base = mail.publicUrl?.replace(/\/$/, '');
  const link = pdf.byteLength > mail.maxAttachmentBytes && base ? `${base}/api/snapshots/${idPart}/pdf` : null;
  const hours = snapshot.manifest.review?.approveWithinHours;
  const deadline = hours ? new Date(Date.parse(snapshot.manifest.createdAt) + hours * 3600_000) : null;
  const context = {
    ...model,
    note: note ?? model.note,
    delivery: { link, archived: `${snapshot.report}/${snapshot.period}/v${snapshot.version}`, attached: link === null },
    review: {
      id: `${snapshot.report}/${snapshot.period}/v${snapshot.version}`,
      supersedes: snapshot.manifest.supersedes,
      deadline: deadline ? deadline.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : null,
      api: base ? `${base}/api/snapshots/${idPart}` : null,
    },
  };
  const [text, html] = await Promise.all([compileTemplate(settings.templatesDir, 'email-review-text'), compileTemplate(settings.templatesDir, 'email-review-html')]);
  return {
    from: mail.from,
    recipients: { to: reviewers.to, cc: reviewers.cc, bcc: [] },
    subject: `【待审核】${model.report.sampleData ? '【示例数据】' : ''}${model.briefing.title}（${model.briefing.name}第${model.briefing.issueNumber}期，第${snapshot.version}版）`,
    text: text.render(context),
    html: html.render(context),
    ...(link ? {} : { attachment: { name: `【审核稿】${model.briefing.title}.pdf`, pdf } }),
  };
}

export interface DeliverOptions {
  /** `review`: a draft to a reviewer; its id and records stay apart from the briefing's. */
  readonly purpose?: MailPurpose;
  readonly recorder?: DeliveryRecorder;
  /** Called right before the message goes out (a queued job checks it still holds its lock). */
  readonly beforeSend?: () => Promise<void>;
  readonly clock?: () => Date;
  /** Tries to append the acceptance before giving up (it is kept elsewhere then, never resent). */
  readonly recordTries?: number;
}

/**
 * Sends one recipient's message at most twice, and only once when nothing fails in between.
 * Before sending, an intent is logged; after the server's 250, the acceptance. A retry finds:
 * an acceptance → nothing is sent (skipped, with the record as evidence); an intent without an
 * outcome (a crash while the server held its 250, a connection lost after the data) → "maybe
 * sent": one resend, with the same Message-ID so that clients that fold duplicates show one; a
 * second such intent → no third copy, DELIVERY_UNCONFIRMED. A failure to log the acceptance is
 * retried as logging, never as a send (AcceptanceNotRecordedError carries the record).
 */
export async function deliverOne(snapshot: SnapshotRef, mail: BriefingMail, target: DeliveryTarget, mailer: Mailer, opts: DeliverOptions = {}): Promise<DeliveryResult> {
  const recorder = opts.recorder ?? fileRecorder;
  const clock = opts.clock ?? (() => new Date());
  const contentDigest = await snapshotDigest(snapshot);
  const purpose = opts.purpose ?? 'briefing';
  const id = deliveryId(snapshot, contentDigest, target.address, purpose);
  const legacy = legacyDeliveryId(snapshot, target.address);
  const mine = (await readDeliveryLog(snapshot)).filter((r) => r.deliveryId === id || (purpose === 'briefing' && r.contentDigest === undefined && r.deliveryId === legacy));
  const done = mine.find((r) => r.status === 'sent');
  if (done) return { kind: 'already-sent', evidence: done };
  const settled = new Set(mine.filter((r) => r.status === 'failed' && r.attempt).map((r) => r.attempt));
  const maybeSent = mine.filter((r) => r.status === 'intent' && !settled.has(r.attempt));
  const messageId = `<${id}@jibao>`;
  const via = mailer.describe.startsWith('SMTP') ? ('smtp' as const) : ('outbox' as const);
  if (maybeSent.length >= 2) {
    throw new DeliveryError(`DELIVERY_UNCONFIRMED: ${target.address}: ${maybeSent.length} sends of ${messageId} have no known outcome; not sending a third copy`, true, false, 'DELIVERY_UNCONFIRMED');
  }
  await opts.beforeSend?.();
  const attempt = randomUUID();
  const base = { deliveryId: id, ...target, via, messageId, contentDigest, attempt, ...(maybeSent.length > 0 ? { resend: true } : {}), ...(purpose === 'review' ? { purpose } : {}) };
  // If this line cannot be written, nothing has been sent yet: the error is an ordinary retry.
  await recorder.append(snapshot, { ...base, status: 'intent', state: 'intent', accepted: [], rejected: [], at: clock().toISOString() });
  let receipt;
  try {
    receipt = await mailer.send(mail, target.address, messageId);
  } catch (e) {
    const err = classifySendError(e);
    if (err.definite) {
      // A failed line only for a certain refusal; if it cannot be written the intent stays "maybe sent".
      await recorder
        .append(snapshot, { ...base, status: 'failed', state: 'failed', accepted: [], rejected: [target.address], at: clock().toISOString(), reason: err.message })
        .catch(() => undefined);
    }
    throw err;
  }
  const rec: DeliveryRecord = {
    ...base,
    status: 'sent',
    state: 'accepted',
    messageId: receipt.messageId,
    accepted: receipt.accepted,
    rejected: receipt.rejected,
    at: receipt.at,
    ...(receipt.file ? { file: receipt.file } : {}),
  };
  await recordAcceptance(recorder, snapshot, rec, opts.recordTries ?? 3);
  return { kind: 'sent', record: rec };
}

/** Appends an acceptance, retrying the write only; throws AcceptanceNotRecordedError when it cannot. */
export async function recordAcceptance(recorder: DeliveryRecorder, snapshot: SnapshotRef, rec: DeliveryRecord, tries = 3): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await recorder.append(snapshot, rec);
    } catch (e) {
      if (i + 1 >= tries) throw new AcceptanceNotRecordedError(rec, e);
      await new Promise((r) => setTimeout(r, 100 * 2 ** i));
    }
  }
}

export interface InlineResult {
  /** Accepted by the server now (`recorded: false`: the log line could not be written). */
  readonly sent: readonly DeliveryRecord[];
  /** Not sent again: the log already holds this content's acceptance. */
  readonly alreadySent: readonly DeliveryRecord[];
  readonly failed: readonly { readonly target: DeliveryTarget; readonly reason: string; readonly code?: string }[];
}

/** `jibao run`'s delivery: every recipient in turn, temporary failures retried a few times. */
export async function deliverInline(
  settings: Settings,
  snapshot: SnapshotRef,
  mail: BriefingMail,
  targets: readonly DeliveryTarget[],
  retries = 3,
  baseDelayMs = 1000,
  opts: DeliverOptions = {},
): Promise<InlineResult> {
  const mailer = await createMailer({ smtpUrl: settings.smtpUrl, outboxDir: settings.outboxDir, clock: settings.clock });
  const sent: DeliveryRecord[] = [];
  const alreadySent: DeliveryRecord[] = [];
  const failed: { target: DeliveryTarget; reason: string; code?: string }[] = [];
  for (const target of targets) {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await deliverOne(snapshot, mail, target, mailer, { clock: settings.clock, ...opts });
        if (r.kind === 'sent') sent.push(r.record);
        else alreadySent.push(r.evidence);
        break;
      } catch (e) {
        if (e instanceof AcceptanceNotRecordedError) {
          sent.push({ ...e.record, reason: e.message }); // sent; the missing log line is no reason to send again
          break;
        }
        const err = e as DeliveryError;
        if (err.permanent || attempt >= retries) {
          failed.push({ target, reason: err.message, ...(err.code ? { code: err.code } : {}) });
          break;
        }
        await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** attempt));
      }
    }
  }
  return { sent, alreadySent, failed };
}
