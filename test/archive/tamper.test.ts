import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { chmod, cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../worker/archive/digest.ts';
import { FolderStore } from '../../worker/archive/folder-store.ts';
import { recordDelivery } from '../../worker/archive/index.ts';
import { loadSigner, SigningKeyError } from '../../worker/archive/signing.ts';
import type { Manifest, SnapshotRef } from '../../worker/archive/snapshot.ts';
import { testManifest } from '../support/archive.ts';
import type { VerifyReport } from '../../worker/archive/verify-codes.ts';
import { tempDir } from '../support/cli.ts';

const R = 'yuquan-2023';

function write(a: FolderStore, period: string, pdf = `%PDF ${period} ${Math.random()}`): Promise<SnapshotRef> {
  return a.write(R, period, () => ({
    manifest: testManifest(),
    files: [
      { path: 'briefing.pdf', data: pdf },
      { path: 'data/figures.json', data: `{"period":"${period}"}\n` },
    ],
  }));
}

/** Q2 v1, Q3 v1 (two deliveries), Q3 v2, Q3 v3. */
async function history(opts: ConstructorParameters<typeof FolderStore>[1] = { signer: null }): Promise<{ a: FolderStore; root: string; dir: (p: string) => string }> {
  const root = await tempDir('tamper');
  const a = new FolderStore(root, opts);
  await write(a, '2023Q2');
  const q3 = await write(a, '2023Q3');
  await a.recordDelivery(q3, { deliveryId: 'd1', address: 'leadership@example.org', status: 'sent' });
  await a.recordDelivery(q3, { deliveryId: 'd2', address: 'district-office@example.org', status: 'sent' });
  await write(a, '2023Q3');
  await write(a, '2023Q3');
  return { a, root, dir: (p) => path.join(root, R, p) };
}

/** Undo the write-once modes so a test can play the forger. */
async function unlock(file: string): Promise<void> {
  await chmod(path.dirname(file), 0o755).catch(() => undefined);
  await chmod(file, 0o644).catch(() => undefined);
}

async function edit(file: string, change: (text: string) => string): Promise<void> {
  await unlock(file);
  await writeFile(file, change(await readFile(file, 'utf8')));
}

const codes = (r: VerifyReport, severity: 'problem' | 'info' = 'problem') =>
  [...new Set(r.findings.filter((f) => f.severity === severity).map((f) => `${f.code} ${f.where.period ?? ''}${f.where.version !== undefined ? `/v${f.where.version}` : ''}`.trim()))].sort();

describe('archive verify: each kind of tampering by its code', () => {
  it('an untouched history verifies, with the chain of versions and of periods in each manifest', async () => {
    const { a, dir } = await history();
    const r = await a.verify();
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.snapshots).toEqual([`${R}/2023Q2/v1`, `${R}/2023Q3/v1`, `${R}/2023Q3/v2`, `${R}/2023Q3/v3`]);
    expect(r.heads[R]).toMatch(/^[0-9a-f]{64}$/);
    const m1 = await readFile(dir('2023Q3/v1/manifest.json'));
    const m3 = JSON.parse(await readFile(dir('2023Q3/v3/manifest.json'), 'utf8')) as Manifest;
    expect(m3.manifestVersion).toBe(2);
    expect(m3.chain!.previous).toEqual({ period: '2023Q3', version: 2, sha256: sha256(await readFile(dir('2023Q3/v2/manifest.json'))) });
    expect(m3.chain!.previousPeriod).toEqual({ period: '2023Q2', version: 1, sha256: sha256(await readFile(dir('2023Q2/v1/manifest.json'))) });
    const m2 = JSON.parse(await readFile(dir('2023Q3/v2/manifest.json'), 'utf8')) as Manifest;
    expect(m2.chain!.previous!.sha256).toBe(sha256(m1));
  });

  it('FILE_CHANGED: a flipped byte', async () => {
    const { a, dir } = await history();
    await edit(dir('2023Q3/v2/briefing.pdf'), (t) => t.replace('%PDF', '%PDX'));
    expect(codes(await a.verify())).toEqual(['FILE_CHANGED 2023Q3/v2']);
  });

  it('FILE_MISSING and FILE_STRAY: a removed file, an added one', async () => {
    const { a, dir } = await history();
    await unlock(dir('2023Q3/v1/data/figures.json'));
    await chmod(dir('2023Q3/v1/data'), 0o755);
    await rm(dir('2023Q3/v1/data/figures.json'));
    await writeFile(dir('2023Q3/v1/extra.txt'), 'x');
    await writeFile(dir('2023Q3/notes.txt'), 'x');
    expect(codes(await a.verify())).toEqual(['FILE_MISSING 2023Q3/v1', 'FILE_STRAY 2023Q3', 'FILE_STRAY 2023Q3/v1']);
  });

  it("MANIFEST_EDITED: an edit of the manifest's own fields (who triggered it)", async () => {
    const { a, dir } = await history();
    await edit(dir('2023Q3/v2/manifest.json'), (t) => t.replace('李明', '王强'));
    const r = await a.verify();
    expect(codes(r)).toEqual(['MANIFEST_EDITED 2023Q3/v2']);
    expect(r.ok).toBe(false);
  });

  it('MANIFEST_EDITED: a consistent forgery, the PDF swapped and its checksum recomputed in the manifest', async () => {
    const { a, dir } = await history();
    const forged = '%PDF forged briefing';
    await edit(dir('2023Q3/v1/briefing.pdf'), () => forged);
    await edit(dir('2023Q3/v1/manifest.json'), (t) => {
      const m = JSON.parse(t) as { files: { path: string; bytes: number; sha256: string }[] };
      const f = m.files.find((x) => x.path === 'briefing.pdf')!;
      f.bytes = Buffer.byteLength(forged);
      f.sha256 = sha256(forged);
      return JSON.stringify(m, null, 2) + '\n';
    });
    expect(codes(await a.verify())).toEqual(['MANIFEST_EDITED 2023Q3/v1']);
  });

  it('CHAIN_BROKEN: the forger also rewrote the whole ledger consistently; the next manifest still holds the old digest', async () => {
    const { a, dir } = await history();
    await edit(dir('2023Q3/v1/manifest.json'), (t) => t.replace('李明', '王强'));
    const newDigest = sha256(await readFile(dir('2023Q3/v1/manifest.json')));
    // Re-hash every line from the edited one on, as a careful forger would.
    const lines = (await readFile(dir('ledger.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    let prev: string | null = null;
    const out: string[] = [];
    for (const e of lines) {
      if (e['kind'] === 'snapshot' && e['period'] === '2023Q3' && e['version'] === 1) e['manifest'] = newDigest;
      e['prev'] = prev;
      const text = JSON.stringify(e);
      out.push(text);
      prev = sha256(text);
    }
    await writeFile(dir('ledger.jsonl'), out.join('\n') + '\n');
    const r = await a.verify();
    expect(codes(r)).toEqual(['CHAIN_BROKEN 2023Q3/v2']);
    expect(r.findings.find((f) => f.code === 'CHAIN_BROKEN')!.detail).toContain('2023Q3/v1');
  });

  it('LEDGER_BROKEN: an edited ledger line (its digest changed to match a forged manifest) and a deleted one', async () => {
    const { a, dir } = await history();
    await edit(dir('2023Q3/v1/manifest.json'), (t) => t.replace('李明', '王强'));
    const newDigest = sha256(await readFile(dir('2023Q3/v1/manifest.json')));
    await edit(dir('ledger.jsonl'), (t) => t.replace(/("version":1,"manifest":")[0-9a-f]+("\}\n\{"seq":2)/, `$1${newDigest}$2`));
    const r = await a.verify();
    expect(codes(r)).toContain('LEDGER_BROKEN');
    expect(codes(r)).toContain('CHAIN_BROKEN 2023Q3/v2'); // v2 still links to the digest v1 had
    const b = await history();
    await edit(b.dir('ledger.jsonl'), (t) => t.split('\n').filter((_, i) => i !== 2).join('\n'));
    expect(codes(await b.a.verify())).toContain('LEDGER_BROKEN');
  });

  it('VERSION_DELETED: the newest version deleted (the ledger still names it), and a middle one', async () => {
    const { a, root, dir } = await history();
    await unlock(dir('2023Q3/v3/manifest.json'));
    await rm(dir('2023Q3/v3'), { recursive: true, force: true });
    expect(codes(await a.verify())).toEqual(['VERSION_DELETED 2023Q3/v3']);
    // The next version does not reuse the deleted number, and links to what the history knew.
    const v4 = await write(new FolderStore(root, { signer: null }), '2023Q3');
    expect(v4.version).toBe(4);
    expect(v4.manifest.chain!.previous!.version).toBe(3);
    expect(codes(await a.verify())).toEqual(['VERSION_DELETED 2023Q3/v3']);
    const b = await history();
    await rm(b.dir('2023Q3/v2'), { recursive: true, force: true });
    expect(codes(await b.a.verify())).toEqual(['VERSION_DELETED 2023Q3/v2']);
  });

  it('PRUNED is information, not a problem: the tombstone explains the gap', async () => {
    const { a, dir } = await history();
    await a.remove(R, '2023Q3', 1);
    const r = await a.verify();
    expect(r.ok).toBe(true);
    expect(codes(r)).toEqual([]);
    expect(codes(r, 'info')).toEqual(['PRUNED 2023Q3/v1']);
    expect(await readFile(dir('ledger.jsonl'), 'utf8')).toMatch(/"kind":"pruned","period":"2023Q3","version":1,"manifest":"[0-9a-f]{64}"/);
    // v2 links to the pruned v1: the tombstone's digest still proves the link.
    expect(r.findings.some((f) => f.code === 'CHAIN_BROKEN')).toBe(false);
  });

  it('SYMLINK: a file replaced by a link, a version folder that is a link, a linked ledger; none followed', async () => {
    const { a, dir, root } = await history();
    const outside = path.join(root, '..', `outside-${path.basename(root)}`);
    await cp(dir('2023Q3/v2'), outside, { recursive: true });
    await unlock(dir('2023Q3/v2/briefing.pdf'));
    await rm(dir('2023Q3/v2/briefing.pdf'));
    await symlink(path.join(outside, 'briefing.pdf'), dir('2023Q3/v2/briefing.pdf'));
    await mkdir(dir('2024Q1'));
    await symlink(outside, dir('2024Q1/v1'));
    const r = await a.verify();
    expect(codes(r)).toEqual(['SYMLINK 2023Q3/v2', 'SYMLINK 2024Q1/v1']);
    expect(r.snapshots).not.toContain(`${R}/2024Q1/v1`);
    const b = await history();
    await cp(b.dir('ledger.jsonl'), `${b.root}-ledger`);
    await rm(b.dir('ledger.jsonl'));
    await symlink(`${b.root}-ledger`, b.dir('ledger.jsonl'));
    expect(codes(await b.a.verify())).toContain('SYMLINK');
  });

  it('DELIVERY_FORGED and DELIVERY_DELETED: an added, an edited and a removed delivery record', async () => {
    const log = '2023Q3/v1.deliveries.jsonl';
    const added = await history();
    await edit(added.dir(log), (t) => t + JSON.stringify({ deliveryId: 'd3', address: 'someone@example.org', status: 'sent' }) + '\n');
    const r = await added.a.verify();
    expect(codes(r)).toEqual(['DELIVERY_FORGED 2023Q3/v1']);
    expect(r.findings[0]!.where.path).toBe(`${log}:3`);
    const edited = await history();
    await edit(edited.dir(log), (t) => t.replace('"status":"sent"}\n{', '"status":"failed"}\n{'));
    expect(codes(await edited.a.verify())).toEqual(['DELIVERY_FORGED 2023Q3/v1']);
    const removed = await history();
    await edit(removed.dir(log), (t) => t.split('\n').slice(1).join('\n'));
    expect(codes(await removed.a.verify())).toEqual(['DELIVERY_DELETED 2023Q3/v1']);
    const gone = await history();
    await rm(gone.dir(log));
    expect(codes(await gone.a.verify())).toEqual(['DELIVERY_DELETED 2023Q3/v1']);
  });

  it('a delivery recorded through the free function (what deliver.ts calls) enters the ledger of the store that holds the snapshot', async () => {
    const { a } = await history();
    const snap = await a.read(R, '2023Q2', 1);
    await recordDelivery(snap, { deliveryId: 'x', status: 'sent' });
    expect((await a.verify()).ok).toBe(true);
    // A ref built by hand is held by no store: refused, never guessed from a path.
    expect(() => recordDelivery({ ...snap }, { deliveryId: 'y', status: 'sent' })).toThrow(/not read from a store/);
  });

  it('LEDGER_BROKEN and VERSION_UNRECORDED: the ledger deleted', async () => {
    const { a, dir } = await history();
    await rm(dir('ledger.jsonl'));
    const r = await a.verify();
    expect(codes(r)).toEqual(['LEDGER_BROKEN', 'VERSION_UNRECORDED 2023Q2/v1', 'VERSION_UNRECORDED 2023Q3/v1', 'VERSION_UNRECORDED 2023Q3/v2', 'VERSION_UNRECORDED 2023Q3/v3']);
  });

  it('VERSION_UNRECORDED: a version planted by copying one in and renumbering its manifest', async () => {
    const { a, dir } = await history();
    await cp(dir('2023Q3/v3'), dir('2023Q3/v4'), { recursive: true });
    await edit(dir('2023Q3/v4/manifest.json'), (t) => t.replace('"version": 3', '"version": 4'));
    expect(codes(await a.verify())).toEqual(['VERSION_UNRECORDED 2023Q3/v4']);
  });

  it('verify of one snapshot reports what concerns it and its history, not other snapshots', async () => {
    const { a, dir } = await history();
    await edit(dir('2023Q3/v2/briefing.pdf'), (t) => t + 'x');
    expect((await a.verify({ snapshot: { report: R, period: '2023Q3', version: 1 } })).ok).toBe(true);
    const two = await a.verify({ snapshot: { report: R, period: '2023Q3', version: 2 } });
    expect(codes(two)).toEqual(['FILE_CHANGED 2023Q3/v2']);
    expect(codes(await a.verify({ snapshot: { report: R, period: '2023Q3', version: 9 } }))).toEqual(['FILE_MISSING 2023Q3/v9']);
  });

  it('concurrent writers and deliveries keep one unbroken chain and distinct versions', async () => {
    const root = await tempDir('tamper-race');
    const stores = [0, 1, 2, 3, 4].map(() => new FolderStore(root, { signer: null }));
    const snaps = await Promise.all(stores.map((s) => write(s, '2023Q4')));
    expect(snaps.map((s) => s.version).sort()).toEqual([1, 2, 3, 4, 5]);
    await Promise.all(snaps.flatMap((s, i) => [0, 1, 2].map((k) => stores[i]!.recordDelivery(s, { deliveryId: `d${k}`, status: 'sent' }))));
    const r = await stores[0]!.verify();
    expect(r.findings).toEqual([]);
    expect((await readFile(path.join(root, R, 'ledger.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(20);
  });
});

describe('an archive from before the ledger', () => {
  /** Two unchained (manifestVersion 1) versions with a delivery log, as the earlier jibao wrote them. */
  async function legacyArchive(): Promise<string> {
    const root = await tempDir('legacy');
    for (const v of [1, 2]) {
      const dir = path.join(root, R, '2023Q3', `v${v}`);
      await mkdir(dir, { recursive: true });
      const pdf = `%PDF legacy v${v}`;
      await writeFile(path.join(dir, 'briefing.pdf'), pdf);
      const manifest = { manifestVersion: 1, report: R, period: '2023Q3', version: v, createdAt: '2023-10-20T00:00:00.000Z', trigger: { kind: 'cli', by: 'x' }, supersedes: v === 1 ? null : 1, sampleData: true, template: [], fonts: [], generator: { name: 'jibao', version: '0.0.0' }, files: [{ path: 'briefing.pdf', bytes: pdf.length, sha256: sha256(pdf) }] };
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    }
    await writeFile(path.join(root, R, '2023Q3', 'v1.deliveries.jsonl'), '{"deliveryId":"old","status":"sent"}\n');
    return root;
  }

  it('still verifies, each version reported as LEGACY information', async () => {
    const root = await legacyArchive();
    const r = await new FolderStore(root, { signer: null }).verify();
    expect(r.ok).toBe(true);
    expect(codes(r, 'info')).toEqual(['LEGACY 2023Q3/v1', 'LEGACY 2023Q3/v2']);
  });

  it('the first new write enters the legacy versions and their deliveries in the ledger, so they are protected from then on', async () => {
    const root = await legacyArchive();
    const a = new FolderStore(root, { signer: null });
    const v3 = await write(a, '2023Q3');
    expect(v3.manifest.chain!.previous).toEqual({ period: '2023Q3', version: 2, sha256: sha256(await readFile(path.join(root, R, '2023Q3/v2/manifest.json'))) });
    expect((await a.verify()).ok).toBe(true);
    await writeFile(path.join(root, R, '2023Q3/v1/manifest.json'), (await readFile(path.join(root, R, '2023Q3/v1/manifest.json'), 'utf8')).replace('"x"', '"y"'));
    await writeFile(path.join(root, R, '2023Q3/v1.deliveries.jsonl'), '{"deliveryId":"old","status":"failed"}\n');
    expect(codes(await a.verify())).toEqual(['DELIVERY_FORGED 2023Q3/v1', 'MANIFEST_EDITED 2023Q3/v1']);
  });

  it('an unreadable legacy manifest does not stop the next write, and stays reported', async () => {
    const root = await legacyArchive();
    await writeFile(path.join(root, R, '2023Q3/v2/manifest.json'), '{ not json');
    const a = new FolderStore(root, { signer: null });
    expect((await write(a, '2023Q3')).version).toBe(3);
    expect(codes(await a.verify())).toEqual(['MANIFEST_EDITED 2023Q3/v2', 'VERSION_UNRECORDED 2023Q3/v2']);
  });
});

describe('signed archives (Ed25519)', () => {
  const keys = () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), b64: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'), pub: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  };

  it('every manifest and ledger line is signed; the public key verifies them, another key does not', async () => {
    const k = keys();
    const signer = loadSigner(k.b64);
    expect(signer.publicKeyPem()).toBe(k.pub);
    const { a, dir } = await history({ signer });
    expect(JSON.parse(await readFile(dir('2023Q3/v2/manifest.sig'), 'utf8'))).toMatchObject({ algorithm: 'Ed25519', keyId: signer.keyId });
    expect((await a.verify({ publicKey: k.pub })).findings).toEqual([]);
    const other = keys();
    expect(codes(await a.verify({ publicKey: other.pub }))).toContain('SIGNATURE_INVALID 2023Q3/v2');
  });

  it('SIGNATURE_INVALID: a forger who rewrites a manifest and the whole ledger consistently cannot re-sign it', async () => {
    const k = keys();
    const { a, dir } = await history({ signer: loadSigner(k.pem) });
    await edit(dir('2023Q3/v3/manifest.json'), (t) => t.replace('李明', '王强'));
    const digest = sha256(await readFile(dir('2023Q3/v3/manifest.json')));
    await edit(dir('ledger.jsonl'), (t) => t.replace(/("version":3,"manifest":")[0-9a-f]+/, `$1${digest}`));
    const r = await a.verify({ publicKey: k.pub });
    expect(codes(r)).toEqual(['SIGNATURE_INVALID', 'SIGNATURE_INVALID 2023Q3/v3']);
    // Without the key, the edited last line is what a hash chain alone cannot show; the head changes, though.
    expect((await a.verify()).ok).toBe(true);
  });

  it('SIGNATURE_MISSING: a public key given for an unsigned archive, or a signature file removed', async () => {
    const k = keys();
    const unsigned = await history();
    expect(codes(await unsigned.a.verify({ publicKey: k.pub }))).toContain('SIGNATURE_MISSING');
    const signed = await history({ signer: loadSigner(k.pem) });
    await unlock(signed.dir('2023Q3/v1/manifest.sig'));
    await rm(signed.dir('2023Q3/v1/manifest.sig'));
    expect(codes(await signed.a.verify({ publicKey: k.pub }))).toEqual(['SIGNATURE_MISSING 2023Q3/v1']);
  });

  it('a bad key is refused without its text in the message', () => {
    const secret = 'c2VjcmV0LXNpZ25pbmcta2V5LXRoYXQtaXMtbm90LWEta2V5';
    let err: unknown;
    try {
      loadSigner(secret);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SigningKeyError);
    expect(String((err as Error).message)).not.toContain(secret.slice(0, 20));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadSigner(rsa)).toThrow(SigningKeyError);
  });
});

// Keep the list helper honest: every version folder is a plain folder name.
it('lists only version folders, never the ledger', async () => {
  const { a, dir } = await history();
  expect((await a.list()).map((s) => `${s.period}/v${s.version}`)).toEqual(['2023Q2/v1', '2023Q3/v1', '2023Q3/v2', '2023Q3/v3']);
  expect((await readdir(dir(''))).sort()).toEqual(['2023Q2', '2023Q3', 'ledger.jsonl']);
});
