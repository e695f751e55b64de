import type { SendMailOptions } from 'nodemailer';

export interface Recipients {
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
}

/** The content of a briefing email, the same for every recipient of a snapshot. */
export interface BriefingMail {
  readonly from: string;
  /** Shown in the To/Cc headers (Bcc never is). */
  readonly recipients: Recipients;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The PDF attached under a Chinese name, or absent when the email carries a link instead. */
  readonly attachment?: { readonly name: string; readonly pdf: Uint8Array };
}

/**
 * The nodemailer message for one recipient: headers as addressed to everyone, envelope to this one
 * recipient only, and a Message-ID fixed per snapshot × recipient so that a resend after an
 * uncertain crash is recognisable as the same message. nodemailer encodes the Chinese subject
 * (RFC 2047) and attachment name (RFC 2231, with an RFC 2047 `name=` fallback).
 */
export function toMailOptions(m: BriefingMail, envelopeTo: string, messageId: string): SendMailOptions {
  return {
    from: m.from,
    to: [...m.recipients.to],
    cc: [...m.recipients.cc],
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId,
    envelope: { from: m.from, to: [envelopeTo] },
    ...(m.attachment ? { attachments: [{ filename: m.attachment.name, content: Buffer.from(m.attachment.pdf), contentType: 'application/pdf' }] } : {}),
  };
}
