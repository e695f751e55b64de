import path from 'node:path';
import type { Readable } from 'node:stream';
import { constants } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { parsePeriod, periodEndDate } from '../domain/period.ts';
import { CodedError } from '../errors/index.ts';
import { sha256 } from './digest.ts';
import { deliveryEventKey } from './events.ts';
import { withFileLock } from './file-lock.ts';
import { snapshotRef } from './held.ts';
import { abandonedStaging, stagingName } from './staging.ts';
import { approvalLogName, deliveryLogName, isSnapshotFileName, LEDGER_LOCK_NAME, LEDGER_NAME, MANIFEST_NAME, parseVersionDir, SIGNATURE_NAME, snapshotKey } from './layout.ts';
import { appendLedger, appendSynced, isVersionEntry, readLedger, writeSyncedAs, type LedgerRecord, type ParsedLedger } from './ledger.ts';
import { signerFromEnv, type ManifestSignature, type Signer } from './signing.ts';
import { snapshotId, type SnapshotKey } from './snapshot-id.ts';
import type { ApprovalGuard, ApprovalRecord, DeliveryEvent, Manifest, ManifestChain, ManifestLink, SnapshotDraft, SnapshotRef, SnapshotStore, VerifyReport, VerifyScope } from './snapshot.ts';
import { verifyArchive } from './verify.ts';

export interface FolderStoreOptions {
  /** Signs each manifest and ledger line; default: JIBAO_ARCHIVE_SIGNING_KEY, if set. `null`: never sign. */
  readonly signer?: Signer | null;
  /** Staging folders older than this are abandoned whoever made them (staging.ts; default one hour). */
  readonly stagingMaxAgeMs?: number;
}

/**
 * A write-once archive on the filesystem: <root>/<report>/<period>/v<N>/.
 * A snapshot is written in full to a temporary folder, synced, then renamed into place;
 * rename refuses an existing version, so a version is never overwritten and a crash leaves
 * either the whole snapshot or none of it.
 */
export class FolderStore implements SnapshotStore {
  private signerCache: Signer | null | undefined;

  constructor(
    readonly root: string,
    private readonly options: FolderStoreOptions = {},
  ) {}

  get location(): string {
    return this.root;
  }

  private periodDir(report: string, period: string): string {
    return path.join(this.root, report, period);
  }

  private dir(s: SnapshotKey): string {
    return path.join(this.root, ...snapshotKey(s).split('/'));
  }

  /** Read when first needed, so commands that only read the archive never parse the key. */
  private signer(): Signer | undefined {
    if (this.signerCache === undefined) this.signerCache = this.options.signer !== undefined ? this.options.signer : (signerFromEnv() ?? null);
    return this.signerCache ?? undefined;
  }

  private ref(report: string, period: string, version: number, manifest: Manifest): SnapshotRef {
    return snapshotRef(this, { report, period, version }, manifest);
  }

  /**
   * Runs `fn` holding the report's ledger lock, with the ledger as it stands. A report whose
   * ledger does not exist yet (an archive from before the ledger) first has its existing
   * unchained versions and delivery lines entered as legacy, so they are protected from then on.
   */
  private history<T>(report: string, fn: (ledger: ParsedLedger | null, append: (records: readonly LedgerRecord[]) => Promise<void>) => Promise<T>): Promise<T> {
    const dir = path.join(this.root, report);
    const file = path.join(dir, LEDGER_NAME);
    return mkdir(dir, { recursive: true }).then(() =>
      withFileLock(path.join(dir, LEDGER_LOCK_NAME), async () => {
        let ledger = await readLedger(file);
        const append = async (records: readonly LedgerRecord[]) => {
          ledger = await appendLedger(file, ledger, records, this.signer());
        };
        if (ledger === null) await append(await this.legacyRecords(report));
        return fn(ledger, append);
      }),
    );
  }

  private async legacyRecords(report: string): Promise<LedgerRecord[]> {
    const records: LedgerRecord[] = [];
    for (const s of await this.list(report)) {
      const text = await readFile(path.join(this.dir(s), MANIFEST_NAME), 'utf8').catch(() => undefined);
      // A chained or unreadable version missing from the ledger stays unrecorded: verify reports it.
      const manifest = text === undefined ? undefined : parseManifest(text);
      if (text === undefined || !manifest || manifest.chain) continue;
      records.push({ kind: 'snapshot', period: s.period, version: s.version, manifest: sha256(text), legacy: true });
      const log = await readFile(path.join(this.periodDir(report, s.period), deliveryLogName(s.version)), 'utf8').catch(() => '');
      for (const line of log.split('\n').filter(Boolean)) records.push({ kind: 'delivery', period: s.period, version: s.version, sha256: sha256(line), legacy: true });
    }
    return records;
  }

  /** The digest the history knows for a version: the ledger's, else (legacy, or no ledger) its manifest on disk. */
  private async digestOf(report: string, period: string, version: number, ledger: ParsedLedger | null): Promise<string | undefined> {
    const recorded = [...(ledger?.lines ?? [])].reverse().find((l) => l.entry && isVersionEntry(l.entry) && l.entry.period === period && l.entry.version === version)?.entry;
    if (recorded && isVersionEntry(recorded) && recorded.manifest) return recorded.manifest;
    const text = await readFile(path.join(this.dir({ report, period, version }), MANIFEST_NAME)).catch(() => undefined);
    return text ? sha256(text) : undefined;
  }

  /** Highest version of a period on disk or in the ledger: a deleted or pruned number is never reused. */
  private async highestVersion(report: string, period: string, ledger: ParsedLedger | null): Promise<number | null> {
    const known = [...(await this.versions(report, period)), ...(ledger?.lines ?? []).flatMap((l) => (l.entry && isVersionEntry(l.entry) && l.entry.period === period ? [l.entry.version] : []))];
    return known.length ? Math.max(...known) : null;
  }

  private async link(report: string, period: string, version: number | null, ledger: ParsedLedger | null): Promise<ManifestLink | null> {
    if (version === null) return null;
    const digest = await this.digestOf(report, period, version, ledger);
    return digest ? { period, version, sha256: digest } : null;
  }

  /** The report's nearest earlier period (by end date) that the archive holds or held. */
  private async earlierPeriod(report: string, period: string, ledger: ParsedLedger | null): Promise<string | undefined> {
    const end = endOf(period);
    if (!end) return undefined;
    const names = new Set([...(await readdir(path.join(this.root, report)).catch(() => [] as string[])), ...(ledger?.lines ?? []).flatMap((l) => (l.entry ? [l.entry.period] : []))]);
    let best: { name: string; end: string } | undefined;
    for (const name of names) {
      const e = endOf(name);
      if (e && e < end && (!best || e > best.end || (e === best.end && name > best.name))) best = { name, end: e };
    }
    return best?.name;
  }

  private async chainFor(report: string, period: string, previous: number | null, ledger: ParsedLedger | null): Promise<ManifestChain> {
    const earlier = await this.earlierPeriod(report, period, ledger);
    return {
      previous: await this.link(report, period, previous, ledger),
      previousPeriod: earlier ? await this.link(report, earlier, await this.highestVersion(report, earlier, ledger), ledger) : null,
    };
  }

  async versions(report: string, period: string): Promise<number[]> {
    const names = await readdir(this.periodDir(report, period)).catch(() => [] as string[]);
    return names.map(parseVersionDir).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  }

  /** Every snapshot, oldest first per period: [report, period, version]. */
  async list(report?: string): Promise<SnapshotKey[]> {
    const out: SnapshotKey[] = [];
    const reports = report ? [report] : (await readdir(this.root).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
    for (const r of reports) {
      for (const p of (await readdir(path.join(this.root, r)).catch(() => [] as string[])).sort()) {
        for (const v of await this.versions(r, p)) out.push({ report: r, period: p, version: v });
      }
    }
    return out;
  }

  async latestVersion(report: string, period: string): Promise<number | undefined> {
    return (await this.versions(report, period)).at(-1);
  }

  async read(report: string, period: string, version: number): Promise<SnapshotRef> {
    const key = { report, period, version };
    const text = await readFile(path.join(this.dir(key), MANIFEST_NAME), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') throw new CodedError('NOT_FOUND', { kind: 'snapshot', id: snapshotId(key) });
      throw e;
    });
    return this.ref(report, period, version, JSON.parse(text) as Manifest);
  }

  /** The file's path, for this store's own reads; a name that could leave the snapshot is refused. */
  private filePath(ref: SnapshotKey, name: string): string {
    if (!isSnapshotFileName(name)) throw new CodedError('SNAPSHOT_FILE_MISSING', { snapshot: snapshotId(ref), name });
    return path.join(this.dir(ref), ...name.split('/'));
  }

  /**
   * A snapshot's plain file, opened without following a symbolic link (ELOOP): a link planted in
   * the archive is never served (verify reports it as SYMLINK). Missing, a folder or a link alike
   * read as SNAPSHOT_FILE_MISSING.
   */
  private async openPlain(ref: SnapshotKey, name: string): Promise<FileHandle> {
    const missing = () => new CodedError('SNAPSHOT_FILE_MISSING', { snapshot: snapshotId(ref), name });
    const fh = await open(this.filePath(ref, name), constants.O_RDONLY | constants.O_NOFOLLOW).catch((e: NodeJS.ErrnoException) => {
      throw ['ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP'].includes(e.code ?? '') ? missing() : e;
    });
    if ((await fh.stat()).isFile()) return fh;
    await fh.close();
    throw missing();
  }

  async readFile(ref: SnapshotKey, name: string): Promise<Buffer> {
    const fh = await this.openPlain(ref, name);
    try {
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  /** Opened here, so a missing file fails as the promise, not later as a stream error. */
  async openFile(ref: SnapshotKey, name: string): Promise<Readable> {
    return (await this.openPlain(ref, name)).createReadStream();
  }

  /**
   * Removes an old version (retention). The newest version of a period is never removed. The
   * tombstone goes into the ledger first (with the manifest's digest), then the folder is
   * renamed away, so a reader sees the whole snapshot or none, and verify reads it as pruned.
   */
  async remove(report: string, period: string, version: number): Promise<void> {
    await this.history(report, async (_ledger, append) => {
      const versions = await this.versions(report, period);
      if (!versions.includes(version)) throw new Error(`no snapshot ${report}/${period}/v${version}`);
      if (version === versions.at(-1)) throw new Error(`${report}/${period}/v${version} is the newest version of its period and is never removed`);
      const dir = this.dir({ report, period, version });
      const manifest = await readFile(path.join(dir, MANIFEST_NAME)).catch(() => undefined);
      await append([{ kind: 'pruned', period, version, manifest: manifest ? sha256(manifest) : null }]);
      const gone = path.join(this.root, '.tmp', stagingName(`removed_${report}_${period}_v${version}`));
      await mkdir(path.dirname(gone), { recursive: true });
      await chmod(dir, 0o755);
      await rename(dir, gone);
      await removeTree(gone);
      await rm(path.join(this.periodDir(report, period), deliveryLogName(version)), { force: true });
      await rm(path.join(this.periodDir(report, period), approvalLogName(version)), { force: true });
    });
  }

  /**
   * The digest goes into the ledger before the line goes into the log: a crash between the two
   * shows as a deleted record (the send is then retried), never as an unexplained one.
   */
  async recordDelivery<E extends DeliveryEvent>(ref: SnapshotKey, event: E): Promise<boolean> {
    const line = JSON.stringify(event);
    const key = deliveryEventKey(event);
    return this.history(ref.report, async (_ledger, append) => {
      // Under the lock: a retried write that did land the first time is not appended twice.
      if ((await this.readDeliveries(ref)).some((e) => deliveryEventKey(e as unknown as DeliveryEvent) === key)) return false;
      await append([{ kind: 'delivery', period: ref.period, version: ref.version, sha256: sha256(line) }]);
      await appendSynced(path.join(this.periodDir(ref.report, ref.period), deliveryLogName(ref.version)), line + '\n');
      return true;
    });
  }

  /** Ledger first, then the line, as for deliveries: a crash between shows as a deleted record, never a forged one. */
  async recordApproval(ref: SnapshotKey, record: ApprovalRecord, guard?: ApprovalGuard): Promise<void> {
    const line = JSON.stringify(record);
    await this.history(ref.report, async (_ledger, append) => {
      guard?.(await this.readApprovals(ref), await this.latestVersion(ref.report, ref.period));
      await append([{ kind: 'approval', period: ref.period, version: ref.version, sha256: sha256(line) }]);
      await appendSynced(path.join(this.periodDir(ref.report, ref.period), approvalLogName(ref.version)), line + '\n');
    });
  }

  async readApprovals(ref: SnapshotKey): Promise<ApprovalRecord[]> {
    const text = await readFile(path.join(this.periodDir(ref.report, ref.period), approvalLogName(ref.version)), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ApprovalRecord);
  }

  async readDeliveries(ref: SnapshotKey): Promise<Record<string, unknown>[]> {
    const text = await readFile(path.join(this.periodDir(ref.report, ref.period), deliveryLogName(ref.version)), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  verify(scope: VerifyScope = {}): Promise<VerifyReport> {
    return verifyArchive(this.root, scope);
  }

  /** The snapshot a queued job already made, if an earlier attempt got that far. */
  async findByJob(report: string, period: string, jobId: string): Promise<SnapshotRef | undefined> {
    for (const v of (await this.versions(report, period)).reverse()) {
      const snap = await this.read(report, period, v).catch(() => undefined);
      if (snap?.manifest.trigger.jobId === jobId) return snap;
    }
    return undefined;
  }

  /** Staging folders left by writers that died mid-write (by host and age: staging.ts); a live writer's folder is kept. */
  private async removeAbandonedStaging(tmpRoot: string): Promise<void> {
    for (const dir of await abandonedStaging(tmpRoot, { ...(this.options.stagingMaxAgeMs !== undefined ? { maxAgeMs: this.options.stagingMaxAgeMs } : {}) })) await removeTree(dir);
  }

  /**
   * Stores a new version. `build` gets the version number and the one it supersedes and
   * returns the manifest fields and files; the file list, checksums and the chain are added
   * here. Under the report's ledger lock: the version is claimed, renamed into place and
   * entered in the ledger before the next writer reads the chain's end.
   */
  write(
    report: string,
    period: string,
    build: (version: number, supersedes: number | null) => SnapshotDraft,
  ): Promise<SnapshotRef> {
    return this.history(report, (ledger, append) => this.writeLocked(report, period, build, ledger, append));
  }

  private async writeLocked(
    report: string,
    period: string,
    build: (version: number, supersedes: number | null) => SnapshotDraft,
    ledger: ParsedLedger | null,
    append: (records: readonly LedgerRecord[]) => Promise<void>,
  ): Promise<SnapshotRef> {
    const tmpRoot = path.join(this.root, '.tmp');
    await mkdir(tmpRoot, { recursive: true });
    await this.removeAbandonedStaging(tmpRoot);
    await mkdir(this.periodDir(report, period), { recursive: true });
    const signer = this.signer();
    for (let attempt = 0; attempt < 20; attempt++) {
      const previous = await this.highestVersion(report, period, ledger);
      const version = (previous ?? 0) + 1;
      const chain = await this.chainFor(report, period, previous, ledger);
      const { manifest: fields, files } = build(version, previous);
      const tmp = path.join(tmpRoot, stagingName(`${report}_${period}_v${version}`));
      try {
        const entries = [];
        for (const f of files) {
          const data = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data;
          await writeSynced(path.join(tmp, f.path), data);
          entries.push({ path: f.path, bytes: data.byteLength, sha256: sha256(data) });
        }
        const manifest: Manifest = { ...fields, manifestVersion: 2, report, period, version, supersedes: previous, files: entries, chain };
        const manifestText = JSON.stringify(manifest, null, 2) + '\n';
        await writeSynced(path.join(tmp, MANIFEST_NAME), manifestText);
        if (signer) {
          const sig: ManifestSignature = { algorithm: 'Ed25519', keyId: signer.keyId, signature: signer.sign(manifestText) };
          await writeSynced(path.join(tmp, SIGNATURE_NAME), JSON.stringify(sig) + '\n');
        }
        await makeReadOnly(tmp);
        const dir = this.dir({ report, period, version });
        try {
          await rename(tmp, dir);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOTEMPTY' || code === 'EEXIST') continue; // another writer took this version: take the next
          throw e;
        }
        await syncDir(path.dirname(dir));
        await append([{ kind: 'snapshot', period, version, manifest: sha256(manifestText) }]);
        return this.ref(report, period, version, manifest);
      } finally {
        await removeTree(tmp);
      }
    }
    throw new Error(`could not claim a new version of ${report} ${period} after 20 attempts`);
  }
}

function parseManifest(text: string): Manifest | undefined {
  try {
    return JSON.parse(text) as Manifest;
  } catch {
    return undefined;
  }
}

function endOf(period: string): string | undefined {
  try {
    return periodEndDate(parsePeriod(period));
  } catch {
    return undefined;
  }
}

async function writeSynced(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeSyncedAs(file, data, 'wx');
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function removeTree(dir: string): Promise<void> {
  await chmod(dir, 0o755).catch(() => undefined); // undo makeReadOnly's folder bit so the tree can be removed
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) await chmod(path.join(dir, e.name), 0o755).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

/** Files 0444, folders 0555: a snapshot is not edited in place by accident. */
async function makeReadOnly(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await makeReadOnly(p);
    else await chmod(p, 0o444);
  }
  await chmod(dir, 0o555);
}
