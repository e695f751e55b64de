import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import { storageLockOf } from '../config/job-definition.ts';
import { CodedError } from '../errors/index.ts';
import { sha256 } from './digest.ts';
import { deliveryEventKey } from './events.ts';
import { snapshotRef } from './held.ts';
import { chainFor, highestVersion, type HistoryView } from './history-chain.ts';
import { isSnapshotFileName, MANIFEST_NAME, parseVersionDir, SIGNATURE_NAME, snapshotKey } from './layout.ts';
import { nextLedgerLines, parseLedger, type LedgerLine, type LedgerRecord, type ParsedLedger } from './ledger.ts';
import { redisLock, type WithLock } from './redis-lock.ts';
import { sharedS3Client } from './s3-client.ts';
import { withSharedRedis } from './shared-redis.ts';
import { approvalName, approvalsFolder, deliveriesFolder, deliveryEventName, ledgerEntryName, ledgerFolder, lockName } from './s3-layout.ts';
import { objectLock, processMutex } from './s3-lock.ts';
import { S3Objects, type ObjectRetention } from './s3-objects.ts';
import { verifyS3Archive } from './s3-verify.ts';
import { signerFromEnv, type ManifestSignature, type Signer } from './signing.ts';
import { snapshotId, type SnapshotKey } from './snapshot-id.ts';
import type { ApprovalGuard, ApprovalRecord, DeliveryEvent, Manifest, SnapshotDraft, SnapshotRef, SnapshotStore, VerifyReport, VerifyScope } from './snapshot.ts';
import { CLAIM_LEASE_MS, noVersionClaims, redisVersionClaims, type VersionClaims } from './version-claim.ts';

export interface S3StoreOptions {
  readonly bucket: string;
  /** Key prefix without leading or trailing `/`; '' for the bucket's root. */
  readonly prefix: string;
  /** Default: a client from the AWS SDK's variables (s3-client.ts). */
  readonly client?: S3Client | undefined;
  /**
   * With Redis, version claims and the report's lock hold across hosts on any S3 store. Default:
   * REDIS_URL, if set, through a connection shared while in use (shared-redis.ts).
   */
  readonly redis?: Redis | undefined;
  readonly redisUrl?: string | undefined;
  /** Signs each manifest and ledger line; default JIBAO_ARCHIVE_SIGNING_KEY, if set; null: never. */
  readonly signer?: Signer | null | undefined;
}

/**
 * What this process knows of one archive, shared by every store made on it (callers make a store
 * per use): the in-process mutex, the ledger lines read so far (a line is never rewritten: only
 * newer ones are listed), and manifests seen (write-once; `verify` always reads afresh).
 */
interface ProcessState {
  readonly mutex: WithLock;
  readonly ledgers: Map<string, { last: string | undefined; texts: string[] }>;
  readonly manifests: Map<string, Manifest>;
}

const states = new WeakMap<S3Client, Map<string, ProcessState>>();

/** Per client and archive: in production one client per process; a test's second client is another machine. */
function processState(client: S3Client, location: string): ProcessState {
  let byLocation = states.get(client);
  if (!byLocation) states.set(client, (byLocation = new Map()));
  let state = byLocation.get(location);
  if (!state) byLocation.set(location, (state = { mutex: processMutex(), ledgers: new Map(), manifests: new Map() }));
  return state;
}

/** A version number another writer holds or has stored: the next one is tried. */
class VersionTaken extends Error {}

const MAX_ATTEMPTS = 40;
const JOB_YAML = 'inputs/job.yaml';

/**
 * The archive in an S3-compatible bucket, under `<prefix>/`, with the folder store's tree
 * (layout.ts) for snapshot files and one object per history line and per event (s3-layout.ts).
 *
 * - A snapshot becomes visible when its manifest is stored, after every file: a version without
 *   a manifest is invisible to every reader, and the next writer of that number clears it.
 * - Version numbers: the report's lock (Redis, else a conditional lock object) serialises
 *   writers; the number is claimed in Redis (a lease, confirmed before each object) and every
 *   object is created with `If-None-Match: *`, so two writers never store the same version —
 *   with Redis on any store, without it where the store enforces conditional writes.
 * - Events and history lines are objects created once; none is ever rewritten.
 * - With `archive.retention.lock_days` in the snapshot's job definition and Object Lock on the
 *   bucket, every object of the snapshot is stored with that retention: write-once in storage.
 */
export class S3Store implements SnapshotStore {
  readonly location: string;
  private readonly objects: S3Objects;
  private readonly known: ProcessState;
  private signerCache: Signer | null | undefined;

  constructor(private readonly options: S3StoreOptions) {
    this.location = `s3://${options.bucket}/${options.prefix}`;
    this.objects = new S3Objects(options.client ?? sharedS3Client(), options.bucket, options.prefix);
    this.known = processState(this.objects.client, this.location);
  }

  /** The lock and the claims shared with other hosts: through Redis when there is one, else the store's conditional creates. */
  private async coordinated<T>(fn: (lock: WithLock, claims: VersionClaims) => Promise<T>): Promise<T> {
    if (this.options.redis) return fn(redisLock(this.options.redis, this.location), redisVersionClaims(this.options.redis, this.location));
    const url = this.options.redisUrl ?? process.env['REDIS_URL'];
    if (!url) return fn(objectLock(this.objects), noVersionClaims);
    return withSharedRedis(url, (redis) => fn(redisLock(redis, this.location), redisVersionClaims(redis, this.location)));
  }

  private signer(): Signer | undefined {
    if (this.signerCache === undefined) this.signerCache = this.options.signer !== undefined ? this.options.signer : (signerFromEnv() ?? null);
    return this.signerCache ?? undefined;
  }

  private ref(key: SnapshotKey, manifest: Manifest): SnapshotRef {
    return snapshotRef(this, key, manifest);
  }

  // ── reading ────────────────────────────────────────────────────────────────────────────

  /** Every stored snapshot (a manifest present), by listing `<report>/` or the whole prefix. */
  private async stored(under: string): Promise<SnapshotKey[]> {
    const out: SnapshotKey[] = [];
    for (const o of await this.objects.list(under)) {
      const m = /^([^/]+)\/([^/]+)\/v(\d+)\/manifest\.json$/.exec(o.name);
      if (m) out.push({ report: m[1]!, period: m[2]!, version: Number(m[3]) });
    }
    return out.sort((a, b) => (a.report < b.report ? -1 : a.report > b.report ? 1 : a.period < b.period ? -1 : a.period > b.period ? 1 : a.version - b.version));
  }

  list(report?: string): Promise<SnapshotKey[]> {
    return this.stored(report ? `${report}/` : '');
  }

  /** The period's version folders (one delimited listing), those with a manifest; a manifest once seen is known. */
  async versions(report: string, period: string): Promise<number[]> {
    const out: number[] = [];
    for (const f of await this.objects.folders(`${report}/${period}/`)) {
      const version = parseVersionDir(f);
      if (version !== undefined && (await this.manifestOf({ report, period, version }))) out.push(version);
    }
    return out.sort((a, b) => a - b);
  }

  private async manifestOf(key: SnapshotKey): Promise<Manifest | undefined> {
    const name = `${snapshotKey(key)}/${MANIFEST_NAME}`;
    let manifest = this.known.manifests.get(name);
    if (!manifest) {
      const bytes = await this.objects.get(name);
      if (!bytes) return undefined;
      manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
      this.known.manifests.set(name, manifest);
    }
    return manifest;
  }

  async latestVersion(report: string, period: string): Promise<number | undefined> {
    return (await this.versions(report, period)).at(-1);
  }

  async read(report: string, period: string, version: number): Promise<SnapshotRef> {
    const key = { report, period, version };
    const manifest = await this.manifestOf(key);
    if (!manifest) throw new CodedError('NOT_FOUND', { kind: 'snapshot', id: snapshotId(key) });
    return this.ref(key, manifest);
  }

  async findByJob(report: string, period: string, jobId: string): Promise<SnapshotRef | undefined> {
    for (const v of (await this.versions(report, period)).reverse()) {
      const snap = await this.read(report, period, v).catch(() => undefined);
      if (snap?.manifest.trigger.jobId === jobId) return snap;
    }
    return undefined;
  }

  private fileName(ref: SnapshotKey, name: string): string {
    if (!isSnapshotFileName(name)) throw new CodedError('SNAPSHOT_FILE_MISSING', { snapshot: snapshotId(ref), name });
    return `${snapshotKey(ref)}/${name}`;
  }

  async readFile(ref: SnapshotKey, name: string): Promise<Buffer> {
    const bytes = await this.objects.get(this.fileName(ref, name));
    if (!bytes) throw new CodedError('SNAPSHOT_FILE_MISSING', { snapshot: snapshotId(ref), name });
    return bytes;
  }

  async openFile(ref: SnapshotKey, name: string): Promise<Readable> {
    const body = await this.objects.open(this.fileName(ref, name));
    if (!body) throw new CodedError('SNAPSHOT_FILE_MISSING', { snapshot: snapshotId(ref), name });
    return body;
  }

  private async readEvents(folder: string): Promise<string[]> {
    const texts = await this.objects.getAll((await this.objects.list(folder)).map((o) => o.name));
    return texts.flatMap((b) => (b ? [b.toString('utf8')] : []));
  }

  async readDeliveries(ref: SnapshotKey): Promise<Record<string, unknown>[]> {
    return (await this.readEvents(deliveriesFolder(ref.report, ref.period, ref.version))).map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  async readApprovals(ref: SnapshotKey): Promise<ApprovalRecord[]> {
    return (await this.readEvents(approvalsFolder(ref.report, ref.period, ref.version))).map((l) => JSON.parse(l) as ApprovalRecord);
  }

  verify(scope: VerifyScope = {}): Promise<VerifyReport> {
    return verifyS3Archive(this.objects, scope);
  }

  // ── the history ─────────────────────────────────────────────────────────────────────────

  /** The report's ledger: its line objects in order; lines never change, so only those after the last known are fetched. */
  private async readLedger(report: string): Promise<ParsedLedger | null> {
    let known = this.known.ledgers.get(report);
    if (!known) this.known.ledgers.set(report, (known = { last: undefined, texts: [] }));
    for (const o of await this.objects.list(ledgerFolder(report), known.last)) {
      if (!o.name.endsWith('.json') || (known.last !== undefined && o.name <= known.last)) continue;
      const text = (await this.objects.get(o.name))?.toString('utf8');
      if (text === undefined) continue;
      known.texts.push(text);
      known.last = o.name;
    }
    return known.texts.length ? parseLedger(known.texts.map((t) => t + '\n').join('')) : null;
  }

  /**
   * Runs `fn` holding the report's lock, with its ledger and a way to add lines to it. Each line
   * is an object named by its seq and created once: a second writer that somehow got past the
   * lock finds the name taken and fails instead of forking the chain.
   */
  private history<T>(
    report: string,
    fn: (view: HistoryView, append: (records: readonly LedgerRecord[], retention?: ObjectRetention) => Promise<LedgerLine[]>, claims: VersionClaims, held: () => Promise<boolean>) => Promise<T>,
  ): Promise<T> {
    return this.known.mutex(lockName(report), () => this.coordinated((lock, claims) => lock(lockName(report), async (held) => {
      let ledger = await this.readLedger(report);
      const view: HistoryView = {
        get ledger() {
          return ledger;
        },
        stored: (period) => this.versions(report, period),
        periods: () => this.objects.folders(`${report}/`),
        manifest: (period, version) => this.objects.get(`${snapshotKey({ report, period, version })}/${MANIFEST_NAME}`),
      };
      const append = async (records: readonly LedgerRecord[], retention?: ObjectRetention) => {
        // A writer that lost the lock (paused past it) must not add to the chain beside the next holder.
        if (!(await held())) throw new CodedError('ARCHIVE_UNAVAILABLE', { reason: `the lock of ${report} was lost` });
        const lines = nextLedgerLines(ledger, records, this.signer());
        for (const l of lines) {
          const name = ledgerEntryName(report, l.entry!.seq);
          if (!(await this.objects.create(name, l.text, retention))) throw new CodedError('ARCHIVE_UNAVAILABLE', { reason: `ledger line ${l.entry!.seq} of ${report} was written by another writer` });
        }
        ledger = { lines: [...(ledger?.lines ?? []), ...lines], breaks: ledger?.breaks ?? [] };
        return lines;
      };
      return fn(view, append, claims, held);
    })));
  }

  /** The Object Lock retention the snapshot's own job definition asks for, where the bucket can lock. */
  private async retentionFor(jobYaml: Uint8Array | string | undefined, now = new Date()): Promise<ObjectRetention | undefined> {
    if (jobYaml === undefined) return undefined;
    const lock = storageLockOf(typeof jobYaml === 'string' ? jobYaml : Buffer.from(jobYaml).toString('utf8'));
    if (!lock || !(await this.objects.objectLock())) return undefined;
    return { mode: lock.mode === 'compliance' ? 'COMPLIANCE' : 'GOVERNANCE', until: new Date(now.getTime() + lock.days * 86_400_000) };
  }

  /** The retention of an existing snapshot's objects (its archived job definition), for its events. */
  private async retentionOf(ref: SnapshotKey): Promise<ObjectRetention | undefined> {
    if (!(await this.objects.objectLock())) return undefined;
    return this.retentionFor(await this.objects.get(`${snapshotKey(ref)}/${JOB_YAML}`));
  }

  // ── writing ─────────────────────────────────────────────────────────────────────────────

  write(report: string, period: string, build: (version: number, supersedes: number | null) => SnapshotDraft): Promise<SnapshotRef> {
    return this.history(report, async (view, append, claims, held) => {
      const writer = randomUUID();
      // A number held by a writer that lost the lock mid-write (paused or dead) is waited for: its lease lapses.
      const deadline = Date.now() + CLAIM_LEASE_MS + 10_000;
      let tried = 0;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; ) {
        const previous = await highestVersion(view, period);
        const version = Math.max((previous ?? 0) + 1, tried + 1);
        if (!(await claims.claim(report, period, version, writer))) {
          if (Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 250));
          continue;
        }
        attempt++;
        try {
          return await this.writeVersion(view, append, { report, period, version }, previous, build, { claims, writer, held });
        } catch (e) {
          await claims.release(report, period, version, writer).catch(() => undefined);
          if (!(e instanceof VersionTaken)) throw e;
          tried = version;
        }
      }
      throw new CodedError('ARCHIVE_UNAVAILABLE', { reason: `no free version of ${report} ${period} after ${MAX_ATTEMPTS} attempts` });
    });
  }

  private async writeVersion(
    view: HistoryView,
    append: (records: readonly LedgerRecord[], retention?: ObjectRetention) => Promise<LedgerLine[]>,
    key: SnapshotKey,
    previous: number | null,
    build: (version: number, supersedes: number | null) => SnapshotDraft,
    { claims, writer, held }: { claims: VersionClaims; writer: string; held: () => Promise<boolean> },
  ): Promise<SnapshotRef> {
    const dir = `${snapshotKey(key)}/`;
    const create = async (name: string, data: Uint8Array | string, retention: ObjectRetention | undefined) => {
      // The lease is checked before every object: a writer that lost it stores nothing more.
      if (!(await claims.confirm(key.report, key.period, key.version, writer))) throw new VersionTaken();
      if (!(await this.objects.create(`${dir}${name}`, data, retention))) throw new VersionTaken();
    };
    // Objects of a writer that died before its manifest: invisible, and cleared by the next holder of the number.
    const leftovers = await this.objects.list(dir);
    if (leftovers.some((o) => o.name === `${dir}${MANIFEST_NAME}`)) throw new VersionTaken();
    for (const o of leftovers) await this.objects.delete(o.name);

    const chain = await chainFor(view, key.period, previous);
    const draft = build(key.version, previous);
    const retention = await this.retentionFor(draft.files.find((f) => f.path === JOB_YAML)?.data);
    for (const f of draft.files) if (!isSnapshotFileName(f.path) || f.path === MANIFEST_NAME || f.path === SIGNATURE_NAME) throw new Error(`a snapshot file may not be named ${f.path}`);
    // The files side by side (each after its own confirmation); the manifest only once all are stored.
    const files = await Promise.all(
      draft.files.map(async (f) => {
        const data = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data;
        await create(f.path, data, retention);
        return { path: f.path, bytes: data.byteLength, sha256: sha256(data) };
      }),
    );
    const manifest: Manifest = { ...draft.manifest, manifestVersion: 2, report: key.report, period: key.period, version: key.version, supersedes: previous, files, chain };
    const text = JSON.stringify(manifest, null, 2) + '\n';
    const signer = this.signer();
    if (signer) {
      const sig: ManifestSignature = { algorithm: 'Ed25519', keyId: signer.keyId, signature: signer.sign(text) };
      await create(SIGNATURE_NAME, JSON.stringify(sig) + '\n', retention);
    }
    // Last: the manifest makes the snapshot visible, and only while this writer still holds the report's lock.
    if (!(await held())) throw new CodedError('ARCHIVE_UNAVAILABLE', { reason: `the lock of ${key.report} was lost` });
    await create(MANIFEST_NAME, text, retention);
    await append([{ kind: 'snapshot', period: key.period, version: key.version, manifest: sha256(text) }], retention);
    this.known.manifests.set(`${dir}${MANIFEST_NAME}`, manifest);
    return this.ref(key, manifest);
  }

  /**
   * The tombstone first (with the manifest's digest), then the objects. With Object Lock the
   * bucket keeps the locked object versions until their retention ends; what is removed here is
   * the current version (a delete marker), so readers see the snapshot gone.
   */
  async remove(report: string, period: string, version: number): Promise<void> {
    await this.history(report, async (_view, append) => {
      const versions = await this.versions(report, period);
      if (!versions.includes(version)) throw new CodedError('NOT_FOUND', { kind: 'snapshot', id: snapshotId({ report, period, version }) });
      if (version === versions.at(-1)) throw new Error(`${report}/${period}/v${version} is the newest version of its period and is never removed`);
      const key = { report, period, version };
      const manifest = await this.objects.get(`${snapshotKey(key)}/${MANIFEST_NAME}`);
      await append([{ kind: 'pruned', period, version, manifest: manifest ? sha256(manifest) : null }]);
      // The manifest first: the snapshot is invisible from the first delete on.
      await this.objects.delete(`${snapshotKey(key)}/${MANIFEST_NAME}`);
      this.known.manifests.delete(`${snapshotKey(key)}/${MANIFEST_NAME}`);
      for (const folder of [`${snapshotKey(key)}/`, deliveriesFolder(report, period, version), approvalsFolder(report, period, version)]) {
        for (const o of await this.objects.list(folder)) await this.objects.delete(o.name);
      }
    });
  }

  /**
   * One object per event, named by the ledger line that records it and by its event key. The
   * ledger line first: a crash between the two shows as a deleted record (and the event is
   * recorded again when retried), never as an unexplained one.
   */
  async recordDelivery(ref: SnapshotKey, event: DeliveryEvent): Promise<boolean> {
    const line = JSON.stringify(event);
    const keyDigest = sha256(deliveryEventKey(event));
    const retention = await this.retentionOf(ref);
    return this.history(ref.report, async (_view, append) => {
      const folder = deliveriesFolder(ref.report, ref.period, ref.version);
      if ((await this.objects.list(folder)).some((o) => o.name.endsWith(`-${keyDigest.slice(0, 16)}.json`))) return false;
      const [l] = await append([{ kind: 'delivery', period: ref.period, version: ref.version, sha256: sha256(line) }], retention);
      if (!(await this.objects.create(deliveryEventName(ref.report, ref.period, ref.version, l!.entry!.seq, keyDigest), line, retention))) return false;
      return true;
    });
  }

  async recordApproval(ref: SnapshotKey, record: ApprovalRecord, guard?: ApprovalGuard): Promise<void> {
    const line = JSON.stringify(record);
    const retention = await this.retentionOf(ref);
    await this.history(ref.report, async (_view, append) => {
      guard?.(await this.readApprovals(ref), await this.latestVersion(ref.report, ref.period));
      const [l] = await append([{ kind: 'approval', period: ref.period, version: ref.version, sha256: sha256(line) }], retention);
      await this.objects.create(approvalName(ref.report, ref.period, ref.version, l!.entry!.seq), line, retention);
    });
  }
}
