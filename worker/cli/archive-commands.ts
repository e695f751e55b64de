import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { createSnapshotStore, parseSnapshotName, type SnapshotKey } from '../archive/index.ts';
import { loadChecker, SIGNING_KEY_ENV, signerFromEnv, SigningKeyError } from '../archive/signing.ts';
import type { Finding, VerifyReport } from '../archive/verify-codes.ts';
import { readDeliveryLog } from '../delivery/deliver.ts';
import { reviewState } from '../pipeline/review.ts';
import { settingsFromEnv } from '../config/settings.ts';
import { loadJobDefinition } from '../config/job-definition.ts';
import { guarded, out } from './common.ts';
import { EXIT } from './errors.ts';

/** "yuquan-2023/2023Q3/v2" or "yuquan-2023_2023Q3_v2" */
export function parseSnapshotId(id: string): SnapshotKey {
  const key = parseSnapshotName(id);
  if (!key) throw new InvalidArgumentError(`"${id}" is not a snapshot id; expected e.g. yuquan-2023/2023Q3/v1`);
  return key;
}

/** The archive JIBAO_ARCHIVE_URL (else JIBAO_ARCHIVE_DIR) names. */
export const archiveFromEnv = () => createSnapshotStore(settingsFromEnv());

export function registerArchiveCommands(program: Command): void {
  const archive = program.command('archive').description('the snapshot archive (JIBAO_ARCHIVE_URL or JIBAO_ARCHIVE_DIR): list, show, verify, prune, public-key');

  archive
    .command('list')
    .description('every snapshot: report, period, version, when, who triggered it')
    .option('-r, --report <id>', 'only this report')
    .action((o: { report?: string }) =>
      guarded(async () => {
        const a = archiveFromEnv();
        for (const s of await a.list(o.report)) {
          const snap = await a.read(s.report, s.period, s.version);
          const t = snap.manifest.trigger;
          out(`${s.report}/${s.period}/v${s.version}  ${snap.manifest.createdAt}  ${t.kind}:${t.by}${t.note ? `  “${t.note}”` : ''}${snap.manifest.sampleData ? '  [示例数据]' : ''}`);
        }
      }),
    );

  archive
    .command('show')
    .description('a snapshot: its manifest (files and checksums, trigger, fonts, template) and its delivery log')
    .argument('<snapshot>', 'e.g. yuquan-2023/2023Q3/v1')
    .action((id: string) =>
      guarded(async () => {
        const ref = parseSnapshotId(id);
        const a = archiveFromEnv();
        const snap = await a.read(ref.report, ref.period, ref.version).catch(() => {
          throw new InvalidArgumentError(`no snapshot ${id} in the archive`);
        });
        const m = snap.manifest;
        out(`snapshot   ${m.report}/${m.period}/v${m.version}${m.supersedes ? ` (supersedes v${m.supersedes})` : ''}`);
        out(`created    ${m.createdAt} by ${m.trigger.kind}:${m.trigger.by}${m.trigger.jobId ? ` (job ${m.trigger.jobId})` : ''}`);
        if (m.trigger.note) out(`note       ${m.trigger.note}`);
        const link = (l: { period: string; version: number; sha256: string } | null) => (l ? `${l.period}/v${l.version} ${l.sha256.slice(0, 16)}…` : 'none');
        out(`chain      ${m.chain ? `previous ${link(m.chain.previous)} · previous period ${link(m.chain.previousPeriod)}` : 'legacy, unchained'}`);
        out(`archive    ${a.location}`);
        out('files');
        for (const f of m.files) out(`  ${f.sha256}  ${String(f.bytes).padStart(8)}  ${f.path}`);
        out('template');
        for (const t of m.template) out(`  ${t.sha256}  ${t.path}`);
        out('fonts');
        for (const f of m.fonts) out(`  ${f.sha256}  ${f.role}: ${f.postscriptName} (${f.file})`);
        const { state, approvals } = await reviewState(a, snap);
        if (m.review) out(`review     ${state.kind}${state.kind === 'superseded' ? ` by v${state.by}` : ''} · reviewers ${m.review.reviewers.join(', ')}${m.review.approveWithinHours ? ` · within ${m.review.approveWithinHours} h` : ''}`);
        else out('review     not required (sent when made)');
        out(`approvals  ${approvals.length === 0 ? 'none' : ''}`);
        for (const a of approvals) out(`  ${a.at}  ${a.decision.padEnd(8)}  ${a.by} (${a.role})${a.comment ? `  “${a.comment}”` : ''}`);
        const log = await readDeliveryLog(snap);
        out(`deliveries ${log.length === 0 ? 'none' : ''}`);
        for (const r of log) out(`  ${r.at}  ${r.status.padEnd(6)}  ${r.kind.padEnd(3)} ${r.address}${r.purpose === 'review' ? ' [reviewer]' : ''}  ${r.via}  ${r.messageId}${r.reason ? `  ${r.reason}` : ''}`);
      }),
    );

  archive
    .command('prune')
    .description("apply each report's retention policy (archive.retention in job.yaml): remove versions beyond keep_versions, never a period's newest")
    .option('-r, --report <id>', 'only this report')
    .option('--dry-run', 'list what would be removed')
    .action((o: { report?: string; dryRun?: boolean }) =>
      guarded(async () => {
        const settings = settingsFromEnv();
        const a = createSnapshotStore(settings);
        const reports = o.report ? [o.report] : [...new Set((await a.list()).map((s) => s.report))];
        let removed = 0;
        for (const id of reports) {
          const def = await loadJobDefinition(settings.jobsDir, id);
          const policy = def.archive.retention;
          if (policy === 'keep-all' || policy.keep_versions === undefined) {
            out(`${id}: keep-all, nothing removed`);
            continue;
          }
          const periods = new Map<string, number[]>();
          for (const s of await a.list(id)) periods.set(s.period, [...(periods.get(s.period) ?? []), s.version]);
          for (const [period, versions] of periods) {
            for (const v of versions.slice(0, Math.max(0, versions.length - policy.keep_versions!))) {
              if (!o.dryRun) await a.remove(id, period, v);
              out(`${o.dryRun ? 'would remove' : 'removed'} ${id}/${period}/v${v}`);
              removed += 1;
            }
          }
        }
        out(`${removed} version(s) ${o.dryRun ? 'to remove' : 'removed'}`);
      }),
    );

  archive
    .command('verify')
    .description(
      'check the archive against its history: checksums, manifests, the chain of versions and periods, the ledger, delivery records, symlinks and (with --public-key) signatures; each finding by its code; exit 1 on any problem',
    )
    .argument('[snapshot]', 'one snapshot, e.g. yuquan-2023/2023Q3/v1')
    .option('--all', 'every snapshot in the archive')
    .option('-r, --report <id>', 'every snapshot of this report')
    .option('--public-key <file>', 'the Ed25519 public key (PEM, from `jibao archive public-key`): signatures are then required and checked')
    .option('--json', 'the findings as JSON')
    .action((id: string | undefined, o: { all?: boolean; report?: string; publicKey?: string; json?: boolean }) =>
      guarded(async () => {
        if (!id && !o.all && !o.report) throw new InvalidArgumentError('give a snapshot id, --report or --all');
        const publicKey = o.publicKey ? await readPublicKey(o.publicKey) : undefined;
        const a = archiveFromEnv();
        const result = await a.verify({ ...(id ? { snapshot: parseSnapshotId(id) } : o.report ? { report: o.report } : {}), ...(publicKey ? { publicKey } : {}) });
        if (o.json) out(JSON.stringify(result, null, 2));
        else printVerify(result);
        return result.ok ? EXIT.ok : EXIT.input;
      }),
    );

  archive
    .command('public-key')
    .description(`print the public key of ${SIGNING_KEY_ENV} (PEM), for archivists to verify a copy with \`archive verify --public-key\``)
    .action(() =>
      guarded(async () => {
        const signer = (() => {
          try {
            return signerFromEnv();
          } catch (e) {
            throw e instanceof SigningKeyError ? new InvalidArgumentError(e.message) : e;
          }
        })();
        if (!signer) throw new InvalidArgumentError(`${SIGNING_KEY_ENV} is not set: the archive is not signed`);
        process.stdout.write(signer.publicKeyPem());
      }),
    );
}

async function readPublicKey(file: string): Promise<string> {
  const pem = await readFile(file, 'utf8').catch(() => {
    throw new InvalidArgumentError(`cannot read the public key file ${file}`);
  });
  try {
    loadChecker(pem);
  } catch (e) {
    throw new InvalidArgumentError(`${file}: ${(e as Error).message}`);
  }
  return pem;
}

const snapshotName = (f: Finding) => `${f.where.report}${f.where.period ? `/${f.where.period}` : ''}${f.where.version !== undefined ? `/v${f.where.version}` : ''}`;

/** One line per snapshot (ok or each finding), then what concerns the history as a whole. */
function printVerify(r: VerifyReport): void {
  const label = (f: Finding) => `${f.severity === 'problem' ? 'FAIL' : 'info'}  ${snapshotName(f)}  ${f.code}  ${f.where.path ? `${f.where.path}: ` : ''}${f.detail}`;
  let bad = 0;
  for (const s of r.snapshots) {
    const mine = r.findings.filter((f) => snapshotName(f) === s);
    if (!mine.some((f) => f.severity === 'problem')) out(`ok    ${s}`);
    else bad += 1;
    for (const f of mine) out(label(f));
  }
  const rest = r.findings.filter((f) => !r.snapshots.includes(snapshotName(f)));
  for (const f of rest) out(label(f));
  for (const [report, head] of Object.entries(r.heads)) if (head) out(`ledger ${report} head ${head}`);
  const elsewhere = rest.filter((f) => f.severity === 'problem').length;
  out(`${r.snapshots.length - bad} verified, ${bad} with problems${elsewhere ? `, ${elsewhere} problem(s) in the history` : ''}`);
}
