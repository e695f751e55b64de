import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { snapshotKey } from '../../worker/archive/layout.ts';
import { deliveriesFolder } from '../../worker/archive/s3-layout.ts';
import { S3Store } from '../../worker/archive/s3-store.ts';
import type { SnapshotKey } from '../../worker/archive/index.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startS3, type TestS3 } from '../support/s3.ts';
import { describeSnapshotStore, type StoreFixture } from './store-conformance.ts';

let s3: TestS3;
let redis: TestRedis;
const connections: Redis[] = [];
let fixtures = 0;

beforeAll(async () => {
  [s3, redis] = await Promise.all([startS3(), startRedis()]);
});
afterAll(async () => {
  for (const c of connections) c.disconnect();
  await Promise.all([s3?.stop(), redis?.stop()]);
});

/**
 * A fresh prefix of the bucket on a real s3rver process. Each `open()` is another host: its own
 * S3 client and its own Redis connection. s3rver does not enforce conditional writes, so Redis
 * (the claims and the lock) is what keeps concurrent writers apart here.
 */
async function s3Store(): Promise<StoreFixture> {
  const prefix = `conformance-${fixtures++}`;
  const key = (k: SnapshotKey, name: string) => `${prefix}/${snapshotKey(k)}/${name}`;
  const client = s3.client();
  const put = (Key: string, Body: Buffer | string) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body }));
  return {
    open: () => {
      const connection = new Redis(redis.url);
      connections.push(connection);
      return new S3Store({ bucket: s3.bucket, prefix, client: s3.client(), redis: connection, signer: null });
    },
    tamper: {
      change: async (k, name, data) => void (await put(key(k, name), data)),
      remove: async (k, name) => void (await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key(k, name) }))),
      add: async (k, name, data) => void (await put(key(k, name), data)),
      // An event object the history never recorded, sorting after the recorded ones.
      appendDelivery: async (k, line) => void (await put(`${prefix}/${deliveriesFolder(k.report, k.period, k.version)}999999999999-forged.json`, line)),
    },
  };
}

describeSnapshotStore('S3 store (s3rver process, Redis)', s3Store);
