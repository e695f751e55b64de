import path from 'node:path';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import type { BriefingMail } from './message.ts';
import { toMailOptions } from './message.ts';
import type { SendMailOptions } from 'nodemailer';
import { redactUrl } from '../redact.ts';

export interface DeliveryReceipt {
  readonly via: 'smtp' | 'outbox';
  readonly messageId: string;
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  /** The .eml file, for the outbox. */
  readonly file?: string;
  readonly at: string;
}

export interface TextMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly messageId: string;
}

export interface Mailer {
  /** Sends `mail` to the one address `to` (the envelope), under `messageId`. */
  send(mail: BriefingMail, to: string, messageId: string): Promise<DeliveryReceipt>;
  /** A plain message without attachment (operator alerts). */
  sendText(mail: TextMail): Promise<DeliveryReceipt>;
  readonly describe: string;
}

/** SMTP when `smtpUrl` is set, otherwise .eml files in `outboxDir`. The URL's credentials are never printed. */
export async function createMailer(opts: { smtpUrl?: string | undefined; outboxDir: string; clock: () => Date }): Promise<Mailer> {
  const { default: nodemailer } = await import('nodemailer'); // loaded when mail is sent, not for every command
  return opts.smtpUrl ? smtpMailer(nodemailer, opts.smtpUrl, opts.clock) : outboxMailer(nodemailer, opts.outboxDir, opts.clock);
}

type Nodemailer = (typeof import('nodemailer'))['default'];

const textOptions = (m: TextMail): SendMailOptions => ({ from: m.from, to: [...m.to], subject: m.subject, text: m.text, messageId: m.messageId });

function smtpMailer(nodemailer: Nodemailer, url: string, clock: () => Date): Mailer {
  const transport = nodemailer.createTransport(url);
  const safe = redactUrl(url);
  const sendOptions = async (options: SendMailOptions): Promise<DeliveryReceipt> => {
    const info = await transport.sendMail(options);
    return {
      via: 'smtp',
      messageId: info.messageId,
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
      at: clock().toISOString(),
    };
  };
  return { describe: `SMTP ${safe}`, send: (mail, to, messageId) => sendOptions(toMailOptions(mail, to, messageId)), sendText: (mail) => sendOptions(textOptions(mail)) };
}

function outboxMailer(nodemailer: Nodemailer, dir: string, clock: () => Date): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const sendOptions = async (options: SendMailOptions, messageId: string, all: readonly string[]): Promise<DeliveryReceipt> => {
    const info = await transport.sendMail(options);
    const at = clock();
    const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const safeId = messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9._-]/g, '_');
    const file = path.join(dir, `${stamp}_${safeId}.eml`);
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.tmp`;
    await writeFile(tmp, info.message as Buffer);
    await rename(tmp, file); // a reader never sees half a message
    return { via: 'outbox', messageId: info.messageId, accepted: [...all], rejected: [], file, at: at.toISOString() };
  };
  return {
    describe: `outbox ${dir}`,
    send: (mail, to, messageId) => sendOptions(toMailOptions(mail, to, messageId), messageId, [to]),
    sendText: (mail) => sendOptions(textOptions(mail), mail.messageId, mail.to),
  };
}
