import os from 'node:os';
import path from 'node:path';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { deliveryLogName, approvalLogName, LEDGER_LOCK_NAME, LEDGER_NAME, MANIFEST_NAME } from './layout.ts';
import { parseLedger } from './ledger.ts';
import { EVENT_OBJECT, LEDGER_ENTRY } from './s3-layout.ts';
import type { S3Objects } from './s3-objects.ts';
import type { VerifyScope } from './snapshot.ts';
import { verifyArchive } from './verify.ts';
import { problem, type Finding, type VerifyReport } from './verify-codes.ts';

/**
 * `verify` on the S3 store: the objects are laid out as the folder store's tree in a temporary
 * folder — the ledger's line objects as `ledger.jsonl`, each version's event objects, in order,
 * as its `vN.deliveries.jsonl` / `vN.approvals.jsonl` — and checked by the very same rules
 * (verify.ts), so both stores report the same codes for the same damage. Every byte is read
 * anyway to check its checksum. A version folder without a manifest that the ledger does not
 * name is a write in progress (or abandoned): invisible to readers, and not reported.
 */
export async function verifyS3Archive(objects: S3Objects, scope: VerifyScope = {}): Promise<VerifyReport> {
  const only = scope.snapshot?.report ?? scope.report;
  const listed = await objects.list(only ? `${only}/` : '');
  const extra: Finding[] = [];
  const ledgers = new Map<string, string[]>();
  const logs = new Map<string, string[]>();
  const files: string[] = [];
  for (const { name } of listed) {
    const segs = name.split('/');
    if (segs.some((s) => s === '' || s === '.' || s === '..')) {
      extra.push(problem('FILE_STRAY', { report: segs[0] || '(root)', path: name }, 'an object whose key is not a plain path; not read'));
      continue;
    }
    const report = segs[0]!;
    const rel = segs.slice(1).join('/');
    if (rel === LEDGER_LOCK_NAME) continue;
    if (LEDGER_ENTRY.test(rel)) ledgers.set(report, [...(ledgers.get(report) ?? []), name]);
    else if (EVENT_OBJECT.test(rel)) {
      const [, period, v, kind] = EVENT_OBJECT.exec(rel)!;
      const log = `${report}/${period}/${kind === 'deliveries' ? deliveryLogName(Number(v)) : approvalLogName(Number(v))}`;
      logs.set(log, [...(logs.get(log) ?? []), name]);
    } else files.push(name);
  }

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'jibao-s3-verify-'));
  try {
    const put = async (rel: string, data: Uint8Array | string) => {
      const file = path.join(tmp, ...rel.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, data);
    };
    const lines = async (names: readonly string[]) => (await objects.getAll(names)).map((b) => (b?.toString('utf8') ?? '') + '\n').join('');
    const recorded = new Set<string>();
    for (const [report, names] of ledgers) {
      const text = await lines(names);
      await put(`${report}/${LEDGER_NAME}`, text);
      for (const l of parseLedger(text).lines) if (l.entry?.kind === 'snapshot' || l.entry?.kind === 'pruned') recorded.add(`${report}/${l.entry.period}/v${l.entry.version}/`);
    }
    const withManifest = new Set(files.filter((n) => n.endsWith(`/${MANIFEST_NAME}`)).map((n) => n.slice(0, -MANIFEST_NAME.length)));
    // A version folder without a manifest that the ledger does not name is a write in progress.
    const wanted = files.filter((name) => {
      const dir = /^[^/]+\/[^/]+\/v\d+\//.exec(name)?.[0];
      return !dir || withManifest.has(dir) || recorded.has(dir);
    });
    await objects.forEach(wanted, async (name, data) => {
      if (data) await put(name, data);
    });
    for (const [log, names] of logs) await put(log, await lines(names));
    const report = await verifyArchive(tmp, scope);
    const findings = [...report.findings, ...extra.filter((f) => !scope.snapshot)];
    return { ...report, findings, ok: !findings.some((f) => f.severity === 'problem') };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
