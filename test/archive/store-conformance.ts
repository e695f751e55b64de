import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MANIFEST_NAME, MODEL_NAME, PDF_NAME, type SnapshotKey, type SnapshotRef, type SnapshotStore, type VerifyReport } from '../../worker/archive/index.ts';
import { testManifest } from '../support/archive.ts';
import { sha256 } from '../../worker/archive/digest.ts';

/**
 * What every SnapshotStore must do, as one suite each store's own test file runs with its
 * store: `describeSnapshotStore('folder store', makeFolderStore)`. The fixture opens any number
 * of store instances on one fresh, empty storage (separate instances stand for separate
 * processes or hosts), and changes stored files behind the store's back, as an intruder or a
 * faulty disk would, for `verify` to find.
 */
export interface StoreFixture {
  /** A new store instance on this fixture's storage (own caches, own connections). */
  open(): SnapshotStore;
  /** Behind the store's back: a snapshot's file replaced, removed, or a file added that no manifest lists. */
  readonly tamper: {
    change(key: SnapshotKey, name: string, data: Buffer): Promise<void>;
    remove(key: SnapshotKey, name: string): Promise<void>;
    add(key: SnapshotKey, name: string, data: Buffer): Promise<void>;
    /** A line appended to the snapshot's delivery log without entering the history. */
    appendDelivery(key: SnapshotKey, line: string): Promise<void>;
  };
}

const R = 'yuquan-2023';

/** A snapshot as the pipeline stores one: a binary PDF and JSON data files. */
export function writeSample(store: SnapshotStore, period: string, opts: { jobId?: string; pdf?: Buffer } = {}): Promise<SnapshotRef> {
  const pdf = opts.pdf ?? Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2048)]);
  return store.write(R, period, (version) => ({
    manifest: testManifest({ trigger: { kind: 'cli', by: '李明', ...(opts.jobId ? { jobId: opts.jobId } : {}) } }),
    files: [
      { path: PDF_NAME, data: pdf },
      { path: MODEL_NAME, data: JSON.stringify({ period, version }) + '\n' },
      { path: 'inputs/figures/第三季度.csv', data: '指标,数值\n一般公共预算收入,14.6\n' },
    ],
  }));
}

const problems = (r: VerifyReport) => r.findings.filter((f) => f.severity === 'problem').map((f) => `${f.code} ${f.where.period}/v${f.where.version}`);
const infos = (r: VerifyReport) => r.findings.filter((f) => f.severity === 'info').map((f) => `${f.code} ${f.where.period}/v${f.where.version}`);

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code ?? `uncoded: ${(e as Error).message}`;
  }
}

const event = (deliveryId: string, state: 'intent' | 'accepted' | 'failed', attempt = 'a1') => ({
  deliveryId,
  address: 'leader@example.org',
  kind: 'to',
  status: state === 'accepted' ? 'sent' : state,
  state,
  attempt,
  at: '2023-10-20T01:00:00.000Z',
});

export function describeSnapshotStore(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`SnapshotStore conformance: ${name}`, () => {
    it('writes once: files read back byte for byte, by name and as a stream; a new write is a new version, the old one unchanged', async () => {
      const fx = await makeStore();
      const store = fx.open();
      const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(4096)]);
      const v1 = await writeSample(store, '2023Q3', { pdf });
      expect({ report: v1.report, period: v1.period, version: v1.version, id: v1.id }).toEqual({ report: R, period: '2023Q3', version: 1, id: `${R}_2023Q3_v1` });
      expect(v1).not.toHaveProperty('dir');
      expect(v1.manifest.files.find((f) => f.path === PDF_NAME)).toEqual({ path: PDF_NAME, bytes: pdf.byteLength, sha256: sha256(pdf) });
      expect(await store.readFile(v1, PDF_NAME)).toEqual(pdf);
      expect(await bytesOf(await store.openFile(v1, PDF_NAME))).toEqual(pdf);
      expect((await store.readFile(v1, 'inputs/figures/第三季度.csv')).toString('utf8')).toContain('一般公共预算收入');
      const manifestBytes = await store.readFile(v1, MANIFEST_NAME);
      expect(JSON.parse(manifestBytes.toString('utf8'))).toEqual(v1.manifest);

      const v2 = await writeSample(fx.open(), '2023Q3');
      expect([v2.version, v2.manifest.supersedes]).toEqual([2, 1]);
      expect(v2.manifest.chain?.previous).toEqual({ period: '2023Q3', version: 1, sha256: sha256(manifestBytes) });
      const again = await fx.open().read(R, '2023Q3', 1);
      expect(again.manifest).toEqual(v1.manifest);
      expect(await fx.open().readFile(again, PDF_NAME)).toEqual(pdf);
      expect(await store.readFile(v1, MANIFEST_NAME)).toEqual(manifestBytes);
      expect((await store.verify()).ok).toBe(true);
    });

    it('a builder that throws stores nothing, and its number is offered again', async () => {
      const fx = await makeStore();
      const store = fx.open();
      await expect(
        store.write(R, '2023Q3', () => {
          throw new Error('render failed');
        }),
      ).rejects.toThrow('render failed');
      expect(await store.versions(R, '2023Q3')).toEqual([]);
      expect((await writeSample(store, '2023Q3')).version).toBe(1);
    });

    it('numbers versions 1..20 with no gap and no duplicate under 20 concurrent writers on separate instances', async () => {
      const fx = await makeStore();
      const refs = await Promise.all(Array.from({ length: 20 }, () => writeSample(fx.open(), '2023Q4')));
      const numbers = refs.map((r) => r.version).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const store = fx.open();
      expect(await store.versions(R, '2023Q4')).toEqual(numbers);
      expect(await store.latestVersion(R, '2023Q4')).toBe(20);
      for (const r of refs) expect(r.manifest.supersedes).toBe(r.version === 1 ? null : r.version - 1);
      // Each version holds its own writer's files.
      for (const r of refs) expect(JSON.parse((await store.readFile(r, MODEL_NAME)).toString('utf8'))).toEqual({ period: '2023Q4', version: r.version });
      const report = await store.verify();
      expect(problems(report)).toEqual([]);
      expect(report.snapshots).toHaveLength(20);
    });

    it('lists, finds a job’s snapshot, and names what is absent by code', async () => {
      const fx = await makeStore();
      const store = fx.open();
      await writeSample(store, '2023Q2');
      const q3 = await writeSample(store, '2023Q3', { jobId: 'job-7' });
      await writeSample(store, '2023Q3');
      expect(await store.list()).toEqual([
        { report: R, period: '2023Q2', version: 1 },
        { report: R, period: '2023Q3', version: 1 },
        { report: R, period: '2023Q3', version: 2 },
      ]);
      expect(await store.list('other-2023')).toEqual([]);
      expect(await store.latestVersion(R, '2023Q1')).toBeUndefined();
      expect((await store.findByJob(R, '2023Q3', 'job-7'))?.version).toBe(q3.version);
      expect(await store.findByJob(R, '2023Q3', 'job-8')).toBeUndefined();
      expect(await codeOf(store.read(R, '2023Q3', 9))).toBe('NOT_FOUND');
      expect(await codeOf(store.readFile(q3, 'data/nothing.json'))).toBe('SNAPSHOT_FILE_MISSING');
      expect(await codeOf(store.openFile(q3, 'data/nothing.json'))).toBe('SNAPSHOT_FILE_MISSING');
      // A name that would leave the snapshot is refused, not resolved.
      for (const bad of ['../v2/briefing.pdf', '/etc/passwd', 'data/../../v2/briefing.pdf', '', 'data//model.json']) {
        expect(await codeOf(store.readFile(q3, bad))).toBe('SNAPSHOT_FILE_MISSING');
      }
    });

    it('verify finds a changed, a missing and a stray file, each by its code, in the snapshot concerned', async () => {
      const fx = await makeStore();
      const store = fx.open();
      const v1 = await writeSample(store, '2023Q3');
      const v2 = await writeSample(store, '2023Q3');
      const v3 = await writeSample(store, '2023Q3');
      expect((await store.verify()).ok).toBe(true);
      await fx.tamper.change(v1, PDF_NAME, Buffer.from('%PDF-1.7 forged'));
      await fx.tamper.remove(v2, MODEL_NAME);
      await fx.tamper.add(v3, 'data/extra.json', Buffer.from('{}'));
      const r = await fx.open().verify();
      expect(r.ok).toBe(false);
      expect(problems(r).sort()).toEqual(['FILE_CHANGED 2023Q3/v1', 'FILE_MISSING 2023Q3/v2', 'FILE_STRAY 2023Q3/v3']);
      expect(problems(await store.verify({ snapshot: { report: R, period: '2023Q3', version: 2 } }))).toEqual(['FILE_MISSING 2023Q3/v2']);
    });

    it('records each delivery event exactly once, also when the same event is recorded concurrently from several instances', async () => {
      const fx = await makeStore();
      const store = fx.open();
      const ref = await writeSample(store, '2023Q3');
      expect(await store.recordDelivery(ref, event('d1', 'intent'))).toBe(true);
      expect(await store.recordDelivery(ref, event('d1', 'intent'))).toBe(false);
      const accepted = await Promise.all(Array.from({ length: 5 }, () => fx.open().recordDelivery(ref, event('d1', 'accepted'))));
      expect(accepted.filter(Boolean)).toHaveLength(1);
      // Another attempt, or another delivery, is another event.
      expect(await store.recordDelivery(ref, event('d1', 'intent', 'a2'))).toBe(true);
      expect(await store.recordDelivery(ref, event('d2', 'intent'))).toBe(true);
      const log = await fx.open().readDeliveries(ref);
      expect(log.map((e) => `${String(e['deliveryId'])} ${String(e['state'])} ${String(e['attempt'])}`)).toEqual(['d1 intent a1', 'd1 accepted a1', 'd1 intent a2', 'd2 intent a1']);
      expect(log[0]).toEqual(event('d1', 'intent'));
      // The snapshot's own files are untouched; the history holds every event, so verify passes.
      expect((await store.verify()).ok).toBe(true);
      await fx.tamper.appendDelivery(ref, JSON.stringify(event('d9', 'accepted')));
      expect(problems(await store.verify())).toEqual(['DELIVERY_FORGED 2023Q3/v1']);
    });

    it('records approvals in order; a guard that refuses leaves nothing recorded', async () => {
      const fx = await makeStore();
      const store = fx.open();
      const ref = await writeSample(store, '2023Q3');
      const rec = (by: string) => ({ decision: 'approved' as const, by, role: 'approver', at: '2023-10-21T00:00:00.000Z', contentDigest: sha256(Buffer.from('x')) });
      await expect(
        store.recordApproval(ref, rec('王主任'), (existing, latest) => {
          expect([existing, latest]).toEqual([[], 1]);
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      expect(await store.readApprovals(ref)).toEqual([]);
      await store.recordApproval(ref, rec('张主任'));
      await fx.open().recordApproval(ref, { ...rec('王副主任'), comment: '同意' });
      expect((await fx.open().readApprovals(ref)).map((a) => a.by)).toEqual(['张主任', '王副主任']);
      expect((await store.verify()).ok).toBe(true);
    });

    it('retention: remove leaves a tombstone (verify passes, reporting PRUNED), never removes the newest, never reuses the number', async () => {
      const fx = await makeStore();
      const store = fx.open();
      const v1 = await writeSample(store, '2023Q3');
      await store.recordDelivery(v1, event('d1', 'accepted'));
      await writeSample(store, '2023Q3');
      await expect(store.remove(R, '2023Q3', 2)).rejects.toThrow();
      await store.remove(R, '2023Q3', 1);
      expect(await store.versions(R, '2023Q3')).toEqual([2]);
      expect(await codeOf(fx.open().read(R, '2023Q3', 1))).toBe('NOT_FOUND');
      const r = await fx.open().verify();
      expect(r.ok).toBe(true);
      expect(infos(r)).toContain('PRUNED 2023Q3/v1');
      const v3 = await writeSample(fx.open(), '2023Q3');
      expect([v3.version, v3.manifest.supersedes]).toEqual([3, 2]);
      expect((await store.verify()).ok).toBe(true);
    });
  });
}
