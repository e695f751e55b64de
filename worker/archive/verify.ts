import path from 'node:path';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { sha256 } from './digest.ts';
import { LEDGER_LOCK_NAME, LEDGER_NAME, parseLedger, type LedgerEntry, type ParsedLedger } from './ledger.ts';
import { loadChecker, SIGNATURE_NAME, type ManifestSignature, type SignatureChecker } from './signing.ts';
import type { Manifest, ManifestLink, VerifyScope } from './snapshot.ts';
import { info, problem, type Finding, type VerifyReport, type Where } from './verify-codes.ts';
import { compareDeliveryLog } from './verify-deliveries.ts';

import { APPROVAL_LOG, DELIVERY_LOG, MANIFEST_NAME as MANIFEST, VERSION_DIR } from './layout.ts';

/**
 * Checks a filesystem archive against its own history: every file against its manifest, every
 * manifest against the ledger and the links later manifests hold, every delivery line against
 * the ledger, and (with a public key) every signature. Nothing is followed through a symlink.
 */
export async function verifyArchive(root: string, scope: VerifyScope = {}): Promise<VerifyReport> {
  const checker = scope.publicKey ? loadChecker(scope.publicKey) : undefined;
  const findings: Finding[] = [];
  const snapshots: string[] = [];
  const heads: Record<string, string | null> = {};
  const only = scope.snapshot?.report ?? scope.report;
  const reports: string[] = [];
  if (only) reports.push(only);
  else {
    for (const e of (await readdir(root, { withFileTypes: true }).catch(() => [])).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue; // .tmp: staging
      if (e.isSymbolicLink()) findings.push(problem('SYMLINK', { report: e.name }, 'the report folder is a symbolic link; not followed'));
      else if (e.isDirectory()) reports.push(e.name);
      else findings.push(problem('FILE_STRAY', { report: e.name }, 'a file at the top of the archive, where only report folders belong'));
    }
  }
  for (const report of reports) {
    const r = await verifyReport(root, report, checker);
    findings.push(...r.findings);
    snapshots.push(...r.snapshots);
    heads[report] = r.head;
  }
  if (!scope.snapshot) return { ok: !findings.some((f) => f.severity === 'problem'), snapshots, findings, heads };

  const s = scope.snapshot;
  const name = `${s.report}/${s.period}/v${s.version}`;
  const mine = findings.filter((f) => f.where.report === s.report && (f.where.period === undefined || (f.where.period === s.period && f.where.version === s.version)));
  if (!snapshots.includes(name) && !mine.some((f) => f.where.period === s.period)) mine.push(problem('FILE_MISSING', { report: s.report, period: s.period, version: s.version }, 'no such snapshot in the archive or its history'));
  return { ok: !mine.some((f) => f.severity === 'problem'), snapshots: snapshots.filter((n) => n === name), findings: mine, heads: { [s.report]: heads[s.report] ?? null } };
}

/** What the ledger says about one version. */
interface Recorded {
  snapshot?: { entry: Extract<LedgerEntry, { kind: 'snapshot' }>; line: number };
  pruned?: Extract<LedgerEntry, { kind: 'pruned' }>;
  deliveries: string[];
  approvals: string[];
}

const key = (period: string, version: number) => `${period}/v${version}`;

function indexLedger(ledger: ParsedLedger | null): Map<string, Recorded> {
  const index = new Map<string, Recorded>();
  ledger?.lines.forEach((l, line) => {
    const e = l.entry;
    if (!e) return;
    const k = key(e.period, e.version);
    const r = index.get(k) ?? { deliveries: [], approvals: [] };
    if (e.kind === 'snapshot') r.snapshot = { entry: e, line };
    else if (e.kind === 'pruned') r.pruned = e;
    else if (e.kind === 'approval') r.approvals.push(e.sha256);
    else r.deliveries.push(e.sha256);
    index.set(k, r);
  });
  return index;
}

interface ReportContext {
  readonly root: string;
  readonly report: string;
  readonly dir: string;
  readonly ledger: ParsedLedger | null;
  readonly index: Map<string, Recorded>;
  /** Line index of the first signed ledger line; from there on everything must be signed. */
  readonly firstSigned: number | undefined;
  readonly checker: SignatureChecker | undefined;
  readonly findings: Finding[];
}

async function verifyReport(root: string, report: string, checker: SignatureChecker | undefined): Promise<{ findings: Finding[]; snapshots: string[]; head: string | null }> {
  const findings: Finding[] = [];
  const dir = path.join(root, report);
  const st = await lstat(dir).catch(() => undefined);
  if (!st) return { findings: [problem('FILE_MISSING', { report }, 'no such report in the archive')], snapshots: [], head: null };
  if (st.isSymbolicLink()) return { findings: [problem('SYMLINK', { report }, 'the report folder is a symbolic link; not followed')], snapshots: [], head: null };

  const ledger = await readLedgerNoFollow(dir, report, findings);
  for (const b of ledger?.breaks ?? []) findings.push(problem('LEDGER_BROKEN', { report, path: `${LEDGER_NAME}:${b.line}` }, b.detail));
  const firstSigned = ledger?.lines.findIndex((l) => l.signed);
  const ctx: ReportContext = { root, report, dir, ledger, index: indexLedger(ledger), firstSigned: firstSigned === undefined || firstSigned < 0 ? undefined : firstSigned, checker, findings };
  if (checker && ledger) checkLedgerSignatures(ctx, ledger, checker);

  // The folder as it is: periods, version folders, delivery logs; anything else is stray.
  const onDisk: { period: string; version: number }[] = [];
  const logs: { period: string; version: number }[] = [];
  const approvalLogs: { period: string; version: number }[] = [];
  for (const p of await sortedEntries(dir)) {
    if (p.name === LEDGER_NAME || p.name === LEDGER_LOCK_NAME) continue;
    if (p.isSymbolicLink()) findings.push(problem('SYMLINK', { report, path: p.name }, 'a symbolic link where a period folder belongs; not followed'));
    else if (!p.isDirectory()) findings.push(problem('FILE_STRAY', { report, path: p.name }, 'a file where only period folders and the ledger belong'));
    else {
      for (const e of await sortedEntries(path.join(dir, p.name))) {
        const rel = `${p.name}/${e.name}`;
        const v = VERSION_DIR.exec(e.name);
        const log = DELIVERY_LOG.exec(e.name);
        const alog = APPROVAL_LOG.exec(e.name);
        if (e.isSymbolicLink()) findings.push(problem('SYMLINK', { report, period: p.name, ...(v || log || alog ? { version: Number((v ?? log ?? alog)![1]) } : {}), path: rel }, 'a symbolic link inside the archive; not followed'));
        else if (v && e.isDirectory()) onDisk.push({ period: p.name, version: Number(v[1]) });
        else if (log && e.isFile()) logs.push({ period: p.name, version: Number(log[1]) });
        else if (alog && e.isFile()) approvalLogs.push({ period: p.name, version: Number(alog[1]) });
        else findings.push(problem('FILE_STRAY', { report, period: p.name, path: rel }, 'neither a version folder nor a delivery log'));
      }
    }
  }
  onDisk.sort((a, b) => a.period.localeCompare(b.period) || a.version - b.version);

  const snapshots: string[] = [];
  let chainedWithoutLedger = false;
  for (const s of onDisk) {
    snapshots.push(`${report}/${s.period}/v${s.version}`);
    const has = (list: typeof logs) => list.some((l) => l.period === s.period && l.version === s.version);
    const chained = await verifyVersion(ctx, s.period, s.version, has(logs), has(approvalLogs));
    if (chained && !ledger) chainedWithoutLedger = true;
  }
  if (chainedWithoutLedger) findings.push(problem('LEDGER_BROKEN', { report, path: LEDGER_NAME }, 'no ledger, but chained snapshots exist: the ledger was deleted'));

  // What the history names that is no longer on disk.
  for (const [k, r] of ctx.index) {
    const [period, v] = k.split('/v') as [string, string];
    const version = Number(v);
    if (onDisk.some((s) => s.period === period && s.version === version)) continue;
    const where = { report, period, version };
    if (r.pruned) findings.push(info('PRUNED', where, `removed under the retention policy on ${r.pruned.at}; manifest SHA-256 ${r.pruned.manifest?.slice(0, 16) ?? 'unknown'}…`));
    else if (r.snapshot) findings.push(problem('VERSION_DELETED', where, `the ledger recorded it on ${r.snapshot.entry.at}, it is gone, and it was not pruned`));
    else if (r.deliveries.length || r.approvals.length) findings.push(problem('VERSION_DELETED', where, 'the ledger holds delivery or approval records for a version that is not on disk'));
  }
  for (const l of approvalLogs) {
    if (!onDisk.some((s) => s.period === l.period && s.version === l.version)) findings.push(problem('FILE_STRAY', { report, period: l.period, version: l.version, path: `${l.period}/v${l.version}.approvals.jsonl` }, 'an approval log for a version that is not on disk'));
  }
  for (const l of logs) {
    if (!onDisk.some((s) => s.period === l.period && s.version === l.version)) findings.push(problem('FILE_STRAY', { report, period: l.period, version: l.version, path: `${l.period}/v${l.version}.deliveries.jsonl` }, 'a delivery log for a version that is not on disk'));
  }
  return { findings, snapshots, head: ledger?.lines.at(-1)?.hash ?? null };
}

async function readLedgerNoFollow(dir: string, report: string, findings: Finding[]): Promise<ParsedLedger | null> {
  const file = path.join(dir, LEDGER_NAME);
  const st = await lstat(file).catch(() => undefined);
  if (!st) return null;
  if (!st.isFile()) {
    findings.push(problem(st.isSymbolicLink() ? 'SYMLINK' : 'LEDGER_BROKEN', { report, path: LEDGER_NAME }, 'the ledger is not a plain file; not read'));
    return parseLedger('');
  }
  return parseLedger(await readFile(file, 'utf8'));
}

function checkLedgerSignatures(ctx: ReportContext, ledger: ParsedLedger, checker: SignatureChecker): void {
  const where = (n: number): Where => ({ report: ctx.report, path: `${LEDGER_NAME}:${n}` });
  if (ctx.firstSigned === undefined) {
    if (ledger.lines.length) ctx.findings.push(problem('SIGNATURE_MISSING', { report: ctx.report, path: LEDGER_NAME }, 'no line of the ledger is signed'));
    return;
  }
  ledger.lines.forEach((l, i) => {
    if (l.signed) {
      if (!checker.check(l.signed.body, l.signed.sig)) ctx.findings.push(problem('SIGNATURE_INVALID', where(i + 1), `the line's signature does not verify with key ${checker.keyId}`));
    } else if (i > ctx.firstSigned!) ctx.findings.push(problem('SIGNATURE_MISSING', where(i + 1), 'unsigned, after signing began'));
  });
}

/** Checks one version folder; returns whether its manifest is chained. */
async function verifyVersion(ctx: ReportContext, period: string, version: number, hasLog: boolean, hasApprovals: boolean): Promise<boolean> {
  const where: Where = { report: ctx.report, period, version };
  const at = (p: string): Where => ({ ...where, path: `${period}/v${version}/${p}` });
  const vdir = path.join(ctx.dir, period, `v${version}`);
  const recorded = ctx.index.get(key(period, version));
  const out = ctx.findings;

  const bytes = await readPlain(vdir, MANIFEST, at(MANIFEST), out);
  let manifest: Manifest | undefined;
  if (bytes) {
    try {
      manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
    } catch {
      out.push(problem('MANIFEST_EDITED', at(MANIFEST), 'not valid JSON'));
    }
    const digest = sha256(bytes);
    if (recorded?.snapshot && recorded.snapshot.entry.manifest !== digest) {
      out.push(problem('MANIFEST_EDITED', at(MANIFEST), `SHA-256 ${digest.slice(0, 16)}…, the ledger recorded ${recorded.snapshot.entry.manifest.slice(0, 16)}…`));
    }
    if (manifest && (manifest.report !== ctx.report || manifest.period !== period || manifest.version !== version)) {
      out.push(problem('MANIFEST_EDITED', at(MANIFEST), `says it is ${manifest.report}/${manifest.period}/v${manifest.version}`));
    }
  }
  if (manifest && Array.isArray(manifest.files)) await checkFiles(vdir, manifest, at, out);

  const chained = !!manifest?.chain;
  if (!recorded?.snapshot && (chained || ctx.ledger)) {
    out.push(problem('VERSION_UNRECORDED', where, recorded?.pruned ? 'the ledger says it was pruned, yet it is here' : 'not in the ledger: it was placed in the archive, not written by jibao'));
  }
  if (manifest && !chained) out.push(info('LEGACY', where, 'written before manifests were chained: its files are checked, its place in the history is not proven'));
  if (manifest?.chain) checkChain(ctx, period, version, manifest, at(MANIFEST));

  await checkSignature(ctx, vdir, bytes, chained, recorded?.snapshot?.line, at);
  if (ctx.ledger) {
    const log = hasLog ? await readFile(path.join(ctx.dir, period, `v${version}.deliveries.jsonl`), 'utf8') : '';
    const logWhere: Where = { ...where, path: `${period}/v${version}.deliveries.jsonl` };
    for (const d of compareDeliveryLog(log, recorded?.deliveries ?? [])) {
      out.push(d.kind === 'deleted'
        ? problem('DELIVERY_DELETED', logWhere, `the ledger's delivery record ${d.record} for this version is not in the log`)
        : problem('DELIVERY_FORGED', { ...logWhere, path: `${logWhere.path}:${d.line}` }, d.kind === 'edited' ? 'the line differs from the record the ledger holds' : 'a line the ledger never recorded'));
    }
    // Approvals the same way: a sign-off written into the file by hand is forged.
    const approvals = hasApprovals ? await readFile(path.join(ctx.dir, period, `v${version}.approvals.jsonl`), 'utf8') : '';
    const aWhere: Where = { ...where, path: `${period}/v${version}.approvals.jsonl` };
    for (const d of compareDeliveryLog(approvals, recorded?.approvals ?? [])) {
      out.push(d.kind === 'deleted'
        ? problem('APPROVAL_DELETED', aWhere, `the ledger's approval record ${d.record} for this version is not in the log`)
        : problem('APPROVAL_FORGED', { ...aWhere, path: `${aWhere.path}:${d.line}` }, d.kind === 'edited' ? 'the line differs from the record the ledger holds' : 'a line the ledger never recorded'));
    }
  }
  return chained;
}

/** A regular file's bytes; a symlink is reported and not read, a missing file reported. */
async function readPlain(dir: string, name: string, where: Where, out: Finding[]): Promise<Buffer | undefined> {
  const file = path.join(dir, name);
  const st = await lstat(file).catch(() => undefined);
  if (!st) {
    out.push(problem('FILE_MISSING', where, 'not on disk'));
    return undefined;
  }
  if (st.isSymbolicLink()) {
    out.push(problem('SYMLINK', where, 'a symbolic link inside a snapshot; not followed'));
    return undefined;
  }
  if (!st.isFile()) {
    out.push(problem('FILE_CHANGED', where, 'not a plain file'));
    return undefined;
  }
  return readFile(file);
}

async function checkFiles(vdir: string, manifest: Manifest, at: (p: string) => Where, out: Finding[]): Promise<void> {
  const listed = new Set<string>();
  for (const f of manifest.files) {
    const rel = path.normalize(String(f.path));
    if (path.isAbsolute(rel) || rel.startsWith('..')) {
      out.push(problem('MANIFEST_EDITED', at(MANIFEST), `lists ${f.path}, outside the snapshot`));
      continue;
    }
    listed.add(rel);
    const data = await readPlain(vdir, rel, at(rel), out);
    if (!data) continue;
    if (data.byteLength !== f.bytes) out.push(problem('FILE_CHANGED', at(rel), `${data.byteLength} bytes, the manifest says ${f.bytes}`));
    else if (sha256(data) !== f.sha256) out.push(problem('FILE_CHANGED', at(rel), `SHA-256 ${sha256(data).slice(0, 16)}…, the manifest says ${String(f.sha256).slice(0, 16)}…`));
  }
  for (const e of await walk(vdir)) {
    if (e.rel === MANIFEST || e.rel === SIGNATURE_NAME || listed.has(e.rel)) continue;
    if (e.symlink) out.push(problem('SYMLINK', at(e.rel), 'a symbolic link inside a snapshot; not followed'));
    else out.push(problem('FILE_STRAY', at(e.rel), 'on disk, not in the manifest'));
  }
}

/** Every non-folder entry under `dir`, symlinks included but never entered. */
async function walk(dir: string, base = dir): Promise<{ rel: string; symlink: boolean }[]> {
  const out: { rel: string; symlink: boolean }[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p, base)));
    else out.push({ rel: path.relative(base, p), symlink: e.isSymbolicLink() });
  }
  return out;
}

/**
 * A link must name a manifest the history knows, with the digest it has: the ledger's digest
 * when the ledger recorded it (so an edit of the linked manifest is reported there, once), else
 * the digest of the manifest on disk.
 */
function checkChain(ctx: ReportContext, period: string, version: number, manifest: Manifest, where: Where): Promise<void> {
  return (async () => {
    const chain = manifest.chain!;
    const links: [string, ManifestLink | null][] = [['previous version', chain.previous], ['previous period', chain.previousPeriod]];
    for (const [label, link] of links) {
      if (!link) continue;
      const name = `${link.period}/v${link.version}`;
      if (label === 'previous version' && (link.period !== period || !(link.version < version))) {
        ctx.findings.push(problem('CHAIN_BROKEN', where, `names ${name} as its previous version`));
        continue;
      }
      const known = await knownDigest(ctx, link.period, link.version);
      if (known === undefined) ctx.findings.push(problem('CHAIN_BROKEN', where, `links to ${name} (${label}), which is neither in the archive nor in its history`));
      else if (known !== link.sha256) ctx.findings.push(problem('CHAIN_BROKEN', where, `links to ${name} (${label}) with SHA-256 ${link.sha256.slice(0, 16)}…, but that manifest is ${known.slice(0, 16)}…`));
    }
    if (chain.previous === null) {
      const earlier = [...ctx.index.keys()].some((k) => k.startsWith(`${period}/v`) && Number(k.slice(period.length + 2)) < version);
      if (earlier) ctx.findings.push(problem('CHAIN_BROKEN', where, 'claims to be the first version of its period, but the history holds an earlier one'));
    }
  })();
}

async function knownDigest(ctx: ReportContext, period: string, version: number): Promise<string | undefined> {
  const r = ctx.index.get(key(period, version));
  if (r?.snapshot) return r.snapshot.entry.manifest;
  if (r?.pruned?.manifest) return r.pruned.manifest;
  const file = path.join(ctx.dir, period, `v${version}`, MANIFEST);
  const st = await lstat(file).catch(() => undefined);
  return st?.isFile() ? sha256(await readFile(file)) : undefined;
}

async function checkSignature(ctx: ReportContext, vdir: string, manifest: Buffer | undefined, chained: boolean, ledgerLine: number | undefined, at: (p: string) => Where): Promise<void> {
  const file = path.join(vdir, SIGNATURE_NAME);
  const st = await lstat(file).catch(() => undefined);
  if (!ctx.checker) return;
  if (!st) {
    const signingHadBegun = ctx.firstSigned === undefined || ledgerLine === undefined || ledgerLine >= ctx.firstSigned;
    if (chained && signingHadBegun) ctx.findings.push(problem('SIGNATURE_MISSING', at(SIGNATURE_NAME), 'the manifest is not signed'));
    return;
  }
  if (!st.isFile() || !manifest) return; // a symlink is reported by the walk; a missing manifest already
  let sig: ManifestSignature | undefined;
  try {
    sig = JSON.parse(await readFile(file, 'utf8')) as ManifestSignature;
  } catch {
    sig = undefined;
  }
  if (!sig || typeof sig.signature !== 'string') ctx.findings.push(problem('SIGNATURE_INVALID', at(SIGNATURE_NAME), 'not a signature file'));
  else if (sig.keyId !== ctx.checker.keyId) ctx.findings.push(problem('SIGNATURE_INVALID', at(SIGNATURE_NAME), `signed by key ${String(sig.keyId)}, not by the given key ${ctx.checker.keyId}`));
  else if (!ctx.checker.check(manifest, sig.signature)) ctx.findings.push(problem('SIGNATURE_INVALID', at(SIGNATURE_NAME), 'the signature does not match the manifest'));
}

async function sortedEntries(dir: string) {
  return (await readdir(dir, { withFileTypes: true }).catch(() => [])).sort((a, b) => a.name.localeCompare(b.name));
}
