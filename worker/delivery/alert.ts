import { randomUUID } from 'node:crypto';
import type { JobDefinition } from '../config/job-definition.ts';
import type { Settings } from '../config/settings.ts';
import { readFailure } from '../errors/index.ts';
import { createMailer, type DeliveryReceipt } from './transport.ts';

/** Tells a report's operators that a job failed for good; through the same mail path as briefings. */
export async function alertOperators(settings: Settings, job: JobDefinition, subject: string, text: string): Promise<DeliveryReceipt | undefined> {
  if (job.operators.length === 0) return undefined;
  const mailer = await createMailer({ smtpUrl: settings.smtpUrl, outboxDir: settings.outboxDir, clock: settings.clock });
  return mailer.sendText({
    from: job.mail.from,
    to: job.operators,
    subject: `[jibao] ${subject}`,
    text,
    messageId: `<alert.${job.id}.${randomUUID()}@jibao>`,
  });
}

/** A job's failure reason as operators read it: in Chinese, with its code. Never a secret. */
export function describeFailure(message: string): string {
  const { code, text } = readFailure(message);
  return code ? `${text}（错误代码：${code}）` : text;
}
