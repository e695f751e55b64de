import { randomUUID } from 'node:crypto';
import type { JobDefinition } from '../config/job-definition.ts';
import type { Settings } from '../pipeline/settings.ts';
import { recordCode, renderMessage, isMessageCode } from '../errors/index.ts';
import { redactText } from '../redact.ts';
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

/**
 * A job's failure reason as operators read it, in Chinese with its code: a failure record
 * ("CODE: 中文说明") as it is; a message ending in [CODE] gets the code's Chinese text, its English
 * detail after it; anything else (a mail server's answer) is shown as received. Never a secret.
 */
export function describeFailure(message: string): string {
  const text = redactText(message);
  const code = recordCode(text);
  if (code) return `${text.slice(code.length + 2)}（错误代码：${code}）`;
  const tail = / \[([A-Z][A-Z0-9_]+)\]$/.exec(text);
  if (tail && isMessageCode(tail[1])) {
    return `${renderMessage(tail[1], {}, 'zh')}（${text.slice(0, tail.index)}）（错误代码：${tail[1]}）`;
  }
  return `详情（原文）：${text}`;
}
