import path from 'node:path';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import type { BriefingMail } from './message.ts';
import { toMailOptions } from './message.ts';

export interface DeliveryReceipt {
  readonly via: 'smtp' | 'outbox';
  readonly messageId: string;
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  /** The .eml file, for the outbox. */
  readonly file?: string;
  readonly at: string;
}

export interface Mailer {
  send(mail: BriefingMail): Promise<DeliveryReceipt>;
  readonly describe: string;
}

/** SMTP when `smtpUrl` is set, otherwise .eml files in `outboxDir`. The URL's credentials are never printed. */
export async function createMailer(opts: { smtpUrl?: string | undefined; outboxDir: string; clock: () => Date }): Promise<Mailer> {
  const { default: nodemailer } = await import('nodemailer'); // loaded when mail is sent, not for every command
  return opts.smtpUrl ? smtpMailer(nodemailer, opts.smtpUrl, opts.clock) : outboxMailer(nodemailer, opts.outboxDir, opts.clock);
}

type Nodemailer = (typeof import('nodemailer'))['default'];

function smtpMailer(nodemailer: Nodemailer, url: string, clock: () => Date): Mailer {
  const transport = nodemailer.createTransport(url);
  const safe = url.replace(/\/\/[^@/]*@/, '//***@');
  return {
    describe: `SMTP ${safe}`,
    async send(mail) {
      const info = await transport.sendMail(toMailOptions(mail));
      return {
        via: 'smtp',
        messageId: info.messageId,
        accepted: info.accepted.map(String),
        rejected: info.rejected.map(String),
        at: clock().toISOString(),
      };
    },
  };
}

function outboxMailer(nodemailer: Nodemailer, dir: string, clock: () => Date): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    describe: `outbox ${dir}`,
    async send(mail) {
      const info = await transport.sendMail(toMailOptions(mail));
      const at = clock();
      const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      const safeId = mail.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9._-]/g, '_');
      const file = path.join(dir, `${stamp}_${safeId}.eml`);
      await mkdir(dir, { recursive: true });
      const tmp = `${file}.tmp`;
      await writeFile(tmp, info.message as Buffer);
      await rename(tmp, file); // a reader never sees half a message
      const all = [...mail.recipients.to, ...mail.recipients.cc, ...mail.recipients.bcc];
      return { via: 'outbox', messageId: info.messageId, accepted: all, rejected: [], file, at: at.toISOString() };
    },
  };
}
