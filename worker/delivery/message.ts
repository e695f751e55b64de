import type { SendMailOptions } from 'nodemailer';

export interface Recipients {
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
}

export interface BriefingMail {
  readonly from: string;
  readonly recipients: Recipients;
  readonly subject: string;
  readonly text: string;
  /** Chinese file name of the attachment, e.g. 玉泉区2023年前三季度政府工作报告目标任务推进情况.pdf */
  readonly attachmentName: string;
  readonly pdf: Buffer;
  /** Stable id so that a resend can be recognised by the receiving side. */
  readonly messageId: string;
}

/** The nodemailer message for a briefing; nodemailer encodes the Chinese subject and file name (RFC 2047/2231). */
export function toMailOptions(m: BriefingMail): SendMailOptions {
  return {
    from: m.from,
    to: [...m.recipients.to],
    cc: [...m.recipients.cc],
    bcc: [...m.recipients.bcc],
    subject: m.subject,
    text: m.text,
    messageId: m.messageId,
    attachments: [{ filename: m.attachmentName, content: m.pdf, contentType: 'application/pdf' }],
  };
}
