import os from 'node:os';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { createSnapshotStore } from '../archive/index.ts';
import { deliverNow, type Deliver, type DeliveryOutcome } from '../pipeline/run.ts';
import { approveSnapshot, rejectSnapshot, ReviewError } from '../pipeline/review.ts';
import { settingsFromEnv, type Settings } from '../config/settings.ts';
import { checkNote } from '../pipeline/request-checks.ts';
import { parseSnapshotId } from './archive-commands.ts';
import { guarded, out } from './common.ts';
import { EXIT } from './errors.ts';

const operator = () => process.env['JIBAO_USER'] || os.userInfo().username;

async function snapshot(settings: Settings, id: string) {
  const ref = parseSnapshotId(id);
  return createSnapshotStore(settings).read(ref.report, ref.period, ref.version).catch(() => {
    throw new InvalidArgumentError(`no snapshot ${id} in the archive`);
  });
}

/**
 * With REDIS_URL, the approved briefing goes through the deliveries queue (the workers send it,
 * exactly once); without, it is sent from this process, as `jibao run` does.
 */
async function deliverer(settings: Settings): Promise<{ deliver: Deliver; close(): Promise<void> }> {
  const url = process.env['REDIS_URL'];
  if (!url) return { deliver: deliverNow(settings), close: async () => undefined };
  const [{ Queue }, { redisConnection }, { DELIVERIES_QUEUE }, { queueDeliveries }] = await Promise.all([
    import('bullmq'),
    import('../queue/connection.ts'),
    import('../queue/delivery-job.ts'),
    import('../queue/delivery-processor.ts'),
  ]);
  const redis = redisConnection(url, 'producer');
  const queue = new Queue(DELIVERIES_QUEUE, { connection: redis });
  return {
    deliver: queueDeliveries(settings, queue),
    async close() {
      await queue.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function printDelivery(d: DeliveryOutcome | null): number {
  if (!d) return EXIT.ok;
  if (d.kind === 'queued') {
    for (const r of d.recipients) out(`  email     ${r.address} (${r.kind}) ${r.state}${r.state === 'already-sent' ? ` ${r.evidence.messageId}` : r.state === 'not-sent' ? `: ${r.reason}` : ''}`);
    return EXIT.ok;
  }
  for (const r of d.sent) out(`  email     ${r.address} (${r.kind}) sent ${r.messageId}`);
  for (const r of d.alreadySent) out(`  email     ${r.address} (${r.kind}) already-sent ${r.messageId} (not sent again)`);
  for (const f of d.failed) process.stderr.write(`error: email to ${f.target.address} failed: ${f.reason}\n`);
  return d.failed.length > 0 ? EXIT.delivery : EXIT.ok;
}

/** A refusal by state (superseded, rejected…) is the user's to fix: its code, exit 1. */
function refused(e: unknown): number {
  if (!(e instanceof ReviewError)) throw e;
  process.stderr.write(`error: ${e.message}\n`);
  return EXIT.input;
}

export function registerReviewCommands(program: Command): void {
  program
    .command('approve')
    .description('签发: approve a draft and send exactly its archived PDF to the recipients (through the deliveries queue with REDIS_URL, else from here)')
    .argument('<snapshot>', 'e.g. yuquan-2023/2023Q3/v2')
    .option('--comment <text>', 'the approver\'s comment, kept with the approval')
    .action((id: string, o: { comment?: string }) =>
      guarded(async () => {
        const settings = settingsFromEnv();
        checkNote(o.comment, '--comment');
        const ref = await snapshot(settings, id);
        const d = await deliverer(settings);
        try {
          const r = await approveSnapshot(settings, ref, { by: operator(), role: 'operator', ...(o.comment ? { comment: o.comment } : {}) }, d.deliver);
          out(r.kind === 'approved' ? `approved  ${id} by ${r.record.by} at ${r.record.at}` : `already approved ${id} by ${r.record.by} at ${r.record.at}; nothing more is sent`);
          return printDelivery(r.delivery);
        } catch (e) {
          return refused(e);
        } finally {
          await d.close();
        }
      }),
    );

  program
    .command('reject')
    .description('退回: reject a draft with a reason; nothing is sent and the draft can no longer be approved')
    .argument('<snapshot>', 'e.g. yuquan-2023/2023Q3/v2')
    .requiredOption('--reason <text>', 'why it goes back, kept with the rejection')
    .action((id: string, o: { reason: string }) =>
      guarded(async () => {
        const settings = settingsFromEnv();
        if (!o.reason.trim()) throw new InvalidArgumentError('--reason must not be empty');
        checkNote(o.reason, '--reason');
        const ref = await snapshot(settings, id);
        try {
          const r = await rejectSnapshot(ref, { by: operator(), role: 'operator', comment: o.reason }, settings.clock);
          out(r.kind === 'rejected' ? `rejected  ${id} by ${r.record.by} at ${r.record.at}` : `already rejected ${id} by ${r.record.by} at ${r.record.at}`);
        } catch (e) {
          return refused(e);
        }
      }),
    );
}
