import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { recordDelivery } from '../archive/deliveries.ts';
import { sha256 } from '../archive/digest.ts';
import type { SnapshotRef } from '../archive/snapshot.ts';
import type { BriefingModel } from '../render/briefing-model.ts';
import { compileTemplate } from '../render/template.ts';
import type { Settings } from '../pipeline/settings.ts';
import type { BriefingMail, Recipients } from './message.ts';
import { createMailer, type Mailer } from './transport.ts';

export type RecipientKind = 'to' | 'cc' | 'bcc';

export interface DeliveryTarget {
  readonly address: string;
  readonly kind: RecipientKind;
}

/** One line of a snapshot's delivery log (`vN.deliveries.jsonl` beside the snapshot). */
export interface DeliveryRecord {
  readonly deliveryId: string;
  readonly address: string;
  readonly kind: RecipientKind;
  readonly status: 'sent' | 'failed';
  readonly via: 'smtp' | 'outbox';
  readonly messageId: string;
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  readonly at: string;
  readonly reason?: string;
  readonly file?: string;
}

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

/** Deterministic per snapshot × recipient: the queue's job id and the log's key. */
export function deliveryId(s: { report: string; period: string; version: number }, address: string): string {
  return `delivery_${s.report}_${s.period}_v${s.version}_${sha256(address.trim().toLowerCase()).slice(0, 16)}`;
}

export function deliveryLogPath(snapshot: { dir: string; version: number }): string {
  return path.join(path.dirname(snapshot.dir), `v${snapshot.version}.deliveries.jsonl`);
}

export async function readDeliveryLog(snapshot: { dir: string; version: number }): Promise<DeliveryRecord[]> {
  const text = await readFile(deliveryLogPath(snapshot), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as DeliveryRecord);
}

async function record(snapshot: SnapshotRef, r: DeliveryRecord): Promise<void> {
  // Through the archive: the line's digest enters its ledger, so verify can tell a forged one.
  await recordDelivery(snapshot, r);
}

/** A failed send: permanent ones (5xx, a refused address) are not retried. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}

/** SMTP outcomes by what a retry could change: 4xx and connection trouble may pass; 5xx will not. */
export function classifySendError(e: unknown): DeliveryError {
  const err = e as Error & { responseCode?: number; code?: string; response?: string };
  const code = err.responseCode;
  const text = (err.response ?? err.message).split('\n')[0]!;
  if (code !== undefined && code >= 500) return new DeliveryError(`SMTP ${code}: ${text}`, true);
  if (code !== undefined && code >= 400) return new DeliveryError(`SMTP ${code} (temporary): ${text}`, false);
  if (err.code === 'EENVELOPE' && /address|recipient/i.test(text)) return new DeliveryError(`invalid address: ${text}`, true);
  return new DeliveryError(`${err.code ?? 'send failed'}: ${text}`, false);
}

/**
 * The email for a snapshot, built from what the archive holds (its PDF and model), so the
 * queued delivery worker needs nothing but the snapshot.
 */
export async function composeBriefingMail(settings: Settings, snapshot: SnapshotRef, mail: MailSettings, recipients: Recipients, note?: string): Promise<BriefingMail> {
  const model = JSON.parse(await readFile(path.join(snapshot.dir, 'data/model.json'), 'utf8')) as BriefingModel;
  const pdf = await readFile(snapshot.pdf);
  const link = pdf.byteLength > mail.maxAttachmentBytes && mail.publicUrl
    ? `${mail.publicUrl.replace(/\/$/, '')}/api/snapshots/${encodeURIComponent(`${snapshot.report}_${snapshot.period}_v${snapshot.version}`)}/pdf`
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
 * Sends one recipient's message once. A send already logged as sent is not repeated; the
 * record is appended the moment the server accepts, which leaves only the time between the
 * server's "250 OK" and that append in which a crash could lead to a second copy (with the same
 * Message-ID, which mail clients use to fold duplicates).
 */
export async function deliverOne(snapshot: SnapshotRef, mail: BriefingMail, target: DeliveryTarget, mailer: Mailer): Promise<DeliveryRecord> {
  const id = deliveryId(snapshot, target.address);
  const done = (await readDeliveryLog(snapshot)).find((r) => r.deliveryId === id && r.status === 'sent');
  if (done) return done;
  const messageId = `<${id}@jibao>`;
  try {
    const receipt = await mailer.send(mail, target.address, messageId);
    const rec: DeliveryRecord = { deliveryId: id, ...target, status: 'sent', via: receipt.via, messageId: receipt.messageId, accepted: receipt.accepted, rejected: receipt.rejected, at: receipt.at, ...(receipt.file ? { file: receipt.file } : {}) };
    await record(snapshot, rec);
    return rec;
  } catch (e) {
    const err = classifySendError(e);
    if (err.permanent) {
      await record(snapshot, { deliveryId: id, ...target, status: 'failed', via: mailer.describe.startsWith('SMTP') ? 'smtp' : 'outbox', messageId, accepted: [], rejected: [target.address], at: new Date().toISOString(), reason: err.message });
    }
    throw err;
  }
}

export interface InlineResult {
  readonly sent: readonly DeliveryRecord[];
  readonly failed: readonly { readonly target: DeliveryTarget; readonly reason: string }[];
}

/** `jibao run`'s delivery: every recipient in turn, temporary failures retried a few times. */
export async function deliverInline(settings: Settings, snapshot: SnapshotRef, mail: BriefingMail, targets: readonly DeliveryTarget[], retries = 3, baseDelayMs = 1000): Promise<InlineResult> {
  const mailer = await createMailer({ smtpUrl: settings.smtpUrl, outboxDir: settings.outboxDir, clock: settings.clock });
  const sent: DeliveryRecord[] = [];
  const failed: { target: DeliveryTarget; reason: string }[] = [];
  for (const target of targets) {
    for (let attempt = 0; ; attempt++) {
      try {
        sent.push(await deliverOne(snapshot, mail, target, mailer));
        break;
      } catch (e) {
        const err = e as DeliveryError;
        if (err.permanent || attempt >= retries) {
          failed.push({ target, reason: err.message });
          break;
        }
        await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** attempt));
      }
    }
  }
  return { sent, failed };
}
