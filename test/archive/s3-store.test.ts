import { Readable } from 'node:stream';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../worker/archive/s3-store.ts';
import type { SnapshotDraft } from '../../worker/archive/snapshot.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startS3, type TestS3 } from '../support/s3.ts';

let s3: TestS3;
let redisServer: TestRedis;
const redises: Redis[] = [];
let n = 0;

beforeAll(async () => {
  [s3, redisServer] = await Promise.all([startS3(), startRedis()]);
});
afterAll(async () => {
  for (const r of redises) r.disconnect();
  await Promise.all([s3.stop(), redisServer.stop()]);
});

/** A store on its own client and Redis connection, as on another machine; `prefix` keeps tests apart. */
function store(prefix: string, withRedis = true): S3Store {
  const redis = withRedis ? new Redis(redisServer.url) : undefined;
  if (redis) redises.push(redis);
  return new S3Store({ bucket: s3.bucket, prefix, client: s3.client(), redis, signer: null });
}

const draft = (note: string, jobYaml = 'report: r\n'): SnapshotDraft => ({
  manifest: {
    createdAt: new Date().toISOString(),
    trigger: { kind: 'cli', by: 'test', note },
    sampleData: true,
    template: [],
    fonts: [],
    generator: { name: 'jibao', version: '0' },
  },
  files: [
    { path: 'briefing.pdf', data: Buffer.from(`%PDF ${note}`) },
    { path: 'data/figures.json', data: `{"note":"${note}"}\n` },
    { path: 'inputs/job.yaml', data: jobYaml },
  ],
});

const raw = (key: string, body: string) => s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
const del = (key: string) => s3.client().send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key }));

describe('the S3 store on a real S3-compatible server (s3rver), beyond the conformance suite (s3-conformance.test.ts)', () => {
  it('writes, lists and reads snapshots by name; the chain links versions and periods', async () => {
    const a = store(`t${n++}`);
    const v1 = await a.write('r', '2023Q2', () => draft('q2'));
    const v2 = await a.write('r', '2023Q3', () => draft('one'));
    const v3 = await a.write('r', '2023Q3', (version, supersedes) => {
      expect([version, supersedes]).toEqual([2, 1]);
      return draft('two');
    });
    expect([v1.id, v2.id, v3.id]).toEqual(['r_2023Q2_v1', 'r_2023Q3_v1', 'r_2023Q3_v2']);
    expect(await a.list()).toEqual([{ report: 'r', period: '2023Q2', version: 1 }, { report: 'r', period: '2023Q3', version: 1 }, { report: 'r', period: '2023Q3', version: 2 }]);
    expect(await a.versions('r', '2023Q3')).toEqual([1, 2]);
    expect(v3.manifest.chain?.previous?.version).toBe(1);
    expect(v2.manifest.chain?.previousPeriod).toMatchObject({ period: '2023Q2', version: 1 });
    expect((await a.readFile(v3, 'briefing.pdf')).toString()).toBe('%PDF two');
    const chunks: Buffer[] = [];
    for await (const c of (await a.openFile(v3, 'data/figures.json')) as Readable) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).toString()).toContain('two');
    await expect(a.readFile(v3, 'nope.txt')).rejects.toMatchObject({ code: 'SNAPSHOT_FILE_MISSING' });
    await expect(a.readFile(v3, '../v1/briefing.pdf')).rejects.toMatchObject({ code: 'SNAPSHOT_FILE_MISSING' });
    await expect(a.read('r', '2023Q3', 9)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await a.verify({ report: 'r' })).ok).toBe(true);
  });

  it('a version without its manifest is invisible, and the next writer of that number clears it', async () => {
    const prefix = `t${n++}`;
    const a = store(prefix);
    await a.write('r', '2023Q3', () => draft('one'));
    // A writer that died after its files, before its manifest.
    await raw(`${prefix}/r/2023Q3/v2/briefing.pdf`, 'half');
    await raw(`${prefix}/r/2023Q3/v2/leftover.bin`, 'x');
    expect(await a.versions('r', '2023Q3')).toEqual([1]);
    expect((await a.verify({ report: 'r' })).ok).toBe(true);
    const v2 = await a.write('r', '2023Q3', () => draft('two'));
    expect(v2.version).toBe(2);
    expect((await a.readFile(v2, 'briefing.pdf')).toString()).toBe('%PDF two');
    expect((await a.verify({ report: 'r' })).ok).toBe(true);
  });

  it('records each delivery event once and each approval, as objects of their own', async () => {
    const a = store(`t${n++}`);
    const s = await a.write('r', '2023Q3', () => draft('one'));
    const ev = { deliveryId: 'd1', status: 'intent', state: 'intent', attempt: '1' };
    expect(await a.recordDelivery(s, ev)).toBe(true);
    expect(await a.recordDelivery(s, ev)).toBe(false);
    expect(await a.recordDelivery(s, { ...ev, status: 'accepted', state: 'accepted' })).toBe(true);
    expect((await a.readDeliveries(s)).map((e) => e['status'])).toEqual(['intent', 'accepted']);
    await a.recordApproval(s, { decision: 'approved', by: 'boss', role: 'approver', at: new Date().toISOString(), contentDigest: 'x' }, (existing, latest) => {
      expect(existing).toEqual([]);
      expect(latest).toBe(1);
    });
    expect((await a.readApprovals(s)).map((r) => r.by)).toEqual(['boss']);
    expect((await a.verify({ report: 'r' })).ok).toBe(true);
  });

  it('verify finds changed, missing, stray and forged objects by their codes; prune leaves a tombstone', async () => {
    const prefix = `t${n++}`;
    const a = store(prefix);
    await a.write('r', '2023Q3', () => draft('one'));
    const s2 = await a.write('r', '2023Q3', () => draft('two'));
    await a.write('r', '2023Q3', () => draft('three'));
    await a.recordDelivery(s2, { deliveryId: 'd1', status: 'accepted' });
    await a.remove('r', '2023Q3', 1);
    expect(await a.versions('r', '2023Q3')).toEqual([2, 3]);
    const clean = await a.verify({ report: 'r' });
    expect(clean.ok).toBe(true);
    expect(clean.findings.map((f) => f.code)).toContain('PRUNED');

    await raw(`${prefix}/r/2023Q3/v2/briefing.pdf`, 'forged');
    await del(`${prefix}/r/2023Q3/v3/data/figures.json`);
    await raw(`${prefix}/r/2023Q3/v3/extra.txt`, 'planted');
    await raw(`${prefix}/r/2023Q3/v2.deliveries/000000000099-abcdef0123456789.json`, '{"deliveryId":"x","status":"accepted"}');
    const codes = (await a.verify({ report: 'r' })).findings.filter((f) => f.severity === 'problem').map((f) => f.code).sort();
    expect(codes).toEqual(['DELIVERY_FORGED', 'FILE_CHANGED', 'FILE_MISSING', 'FILE_STRAY']);
  });

  it('without Redis, one writer process still never reuses a version', async () => {
    const a = store(`t${n++}`, false);
    const made = await Promise.all(Array.from({ length: 6 }, (_, i) => a.write('r', '2023Q1', () => draft(`p${i}`))));
    expect(made.map((s) => s.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('Object Lock', () => {
  it('reads lock_days and the mode from a job definition', async () => {
    const { storageLockOf } = await import('../../worker/config/job-definition.ts');
    expect(storageLockOf('archive:\n  retention: { keep_versions: 3, lock_days: 3650, lock_mode: compliance }\n')).toEqual({ days: 3650, mode: 'compliance' });
    expect(storageLockOf('archive:\n  retention: { lock_days: 30 }\n')).toEqual({ days: 30, mode: 'governance' });
    expect(storageLockOf('archive:\n  retention: keep-all\n')).toBeUndefined();
    expect(storageLockOf('archive: { retention: { keep_versions: 2 } }')).toBeUndefined();
    expect(storageLockOf(': not yaml [')).toBeUndefined();
  });

  it('on a bucket with Object Lock, every object of a snapshot and of its history is written with the report\'s retention', async () => {
    const client = s3.client();
    const puts: { Key?: string; ObjectLockMode?: string; ObjectLockRetainUntilDate?: Date }[] = [];
    // s3rver has no Object Lock (it answers MethodNotAllowed): the bucket's answer is the one fault
    // made here; the writes themselves go to the real server and are only observed.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetObjectLockConfigurationCommand') return { output: { ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' }, $metadata: {} }, response: {} } as never;
        if (context.commandName === 'PutObjectCommand') puts.push(args.input as (typeof puts)[number]);
        return next(args);
      },
      { step: 'initialize', name: 'observe-object-lock' },
    );
    const prefix = `t${n++}`;
    const a = new S3Store({ bucket: s3.bucket, prefix, client, redis: undefined, redisUrl: redisServer.url, signer: null });
    const before = Date.now();
    const s = await a.write('r', '2023Q3', () => draft('locked', 'id: r\narchive:\n  retention: { lock_days: 10, lock_mode: compliance }\n'));
    await a.recordDelivery(s, { deliveryId: 'd1', status: 'accepted' });
    const ours = puts.filter((p) => !p.Key!.endsWith('.lock'));
    expect(ours.map((p) => p.Key!.slice(prefix.length + 1)).sort()).toEqual(
      ['r/2023Q3/v1/briefing.pdf', 'r/2023Q3/v1/data/figures.json', 'r/2023Q3/v1/inputs/job.yaml', 'r/2023Q3/v1/manifest.json', 'r/ledger/000000000000.json', 'r/ledger/000000000001.json', expect.stringMatching(/^r\/2023Q3\/v1\.deliveries\/000000000001-[0-9a-f]{16}\.json$/)].sort(),
    );
    for (const p of ours) {
      expect(p.ObjectLockMode, p.Key).toBe('COMPLIANCE');
      const days = (p.ObjectLockRetainUntilDate!.getTime() - before) / 86_400_000;
      expect(days, p.Key).toBeGreaterThan(9.99);
      expect(days, p.Key).toBeLessThan(10.01);
    }
    // A report without lock_days: nothing locked, on the same bucket.
    puts.length = 0;
    await a.write('q', '2023Q3', () => draft('plain'));
    expect(puts.filter((p) => p.ObjectLockMode)).toEqual([]);
  });
});

describe('listing', () => {
  it('reads every page of a listing', async () => {
    const prefix = `t${n++}`;
    const c = s3.client();
    // Keys whose folder order differs from their order by name (`v1.deliveries/` sorts before `v1/`).
    const keys = Array.from({ length: 30 }, (_, i) => `r/2023Q${(i % 3) + 1}/v${i}${i % 2 ? '.deliveries' : ''}/a.json`);
    for (const k of [...keys].reverse()) await c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${k}`, Body: '{}' }));
    const { S3Objects } = await import('../../worker/archive/s3-objects.ts');
    const objects = new S3Objects(c, s3.bucket, prefix, 7);
    expect((await objects.list('r/')).map((o) => o.name)).toEqual([...keys].sort());
    expect((await objects.list('r/', 'r/2023Q2/v9')).map((o) => o.name.split('/')[1])).toEqual(Array(10).fill('2023Q3')); // after a key, by name
    // (s3rver finds a folder only from the objects right inside it, so one level: a period's versions.)
    expect(await objects.folders('r/2023Q1/')).toEqual(['v0', 'v12', 'v15.deliveries', 'v18', 'v21.deliveries', 'v24', 'v27.deliveries', 'v3.deliveries', 'v6', 'v9.deliveries']);
  });
});

describe('a writer that loses the report\'s lock mid-write', () => {
  it('stores no manifest and no history line; its number goes to the next writer', async () => {
    const prefix = `t${n++}`;
    const redis = new Redis(redisServer.url);
    redises.push(redis);
    const client = s3.client();
    // As if the writer had been paused past the lock's lifetime: the lock is gone before its first file is stored.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand') for (const k of await redis.keys(`jibao:archive-lock:*/${prefix}:*`)) await redis.del(k);
        return next(args);
      },
      { step: 'initialize', name: 'lose-the-lock' },
    );
    const own = new Redis(redisServer.url);
    redises.push(own);
    const a = new S3Store({ bucket: s3.bucket, prefix, client, redis: own, signer: null });
    await expect(a.write('r', '2023Q3', () => draft('late'))).rejects.toMatchObject({ code: 'ARCHIVE_UNAVAILABLE' });
    const b = store(prefix);
    expect(await b.versions('r', '2023Q3')).toEqual([]);
    expect((await b.write('r', '2023Q3', () => draft('next'))).version).toBe(1);
    expect((await b.verify({ report: 'r' })).ok).toBe(true);
  });
});
