import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { WithLock } from './redis-lock.ts';
import type { S3Objects } from './s3-objects.ts';

const STALE_MS = 120_000;
const WAIT_MS = 60_000;

/**
 * One holder at a time within this process (several jobs of one worker), before any lock shared
 * with other processes is asked for: a process never competes with itself.
 */
export function processMutex(): WithLock {
  const tails = new Map<string, Promise<unknown>>();
  return async (name, fn) => {
    const before = tails.get(name) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((r) => (done = r));
    const tail = before.then(() => mine);
    tails.set(name, tail);
    await before;
    try {
      return await fn(async () => true);
    } finally {
      done();
      if (tails.get(name) === tail) tails.delete(name);
    }
  };
}

/**
 * Without Redis: a lock object created with `If-None-Match: *`, so it excludes writers on other
 * hosts only where the store enforces conditional writes (AWS S3, MinIO); elsewhere it is a
 * courtesy and a single writer process is assumed (docs/archive.md). One left by a dead writer
 * is broken after two minutes.
 */
export function objectLock(objects: S3Objects): WithLock {
  return async (name, fn) => {
    const key = `${name}.lock`;
    const token = `${os.hostname()} ${process.pid} ${randomUUID()}`;
    const deadline = Date.now() + WAIT_MS;
    while (!(await objects.create(key, token))) {
      const held = (await objects.list(key)).find((o) => o.name === key);
      if (held?.lastModified && Date.now() - held.lastModified.getTime() > STALE_MS) {
        await objects.delete(key);
        continue;
      }
      if (Date.now() > deadline) throw Object.assign(new Error(`the archive lock ${name} has been held by another writer for over ${WAIT_MS / 1000} s`), { code: 'ARCHIVE_UNAVAILABLE', params: { reason: 'lock' } });
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 50));
    }
    const mine = async () => (await objects.get(key).catch(() => undefined))?.toString('utf8') === token;
    try {
      return await fn(mine);
    } finally {
      // Only our own: if ours was broken as stale, the object may now be another writer's.
      if (await mine()) await objects.delete(key).catch(() => undefined);
    }
  };
}
