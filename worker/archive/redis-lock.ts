import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Runs `fn` while holding the named lock, shared by every process that uses the same lock service.
 * `held()` tells, and renews, whether the lock is still this holder's: a holder paused past it
 * (a VM pause, a long GC) finds out before its next write instead of writing beside the next holder.
 */
export type WithLock = <T>(name: string, fn: (held: () => Promise<boolean>) => Promise<T>) => Promise<T>;

export type LockRedis = Pick<Redis, 'set' | 'eval'>;

const TTL_MS = 30_000;
const WAIT_MS = 60_000;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * A lock in Redis (SET NX PX with a token), renewed while held, so appends to a report's hash
 * chain on a shared object store are serialised across machines. A holder that dies frees it
 * after 30 s. It is a mutual exclusion for the common case, not a guarantee under a long pause:
 * what must never happen twice (a version number, an event) is claimed separately.
 */
export function redisLock(redis: LockRedis, namespace: string): WithLock {
  return async (name, fn) => {
    const key = `jibao:archive-lock:${namespace}:${name}`;
    const token = `${os.hostname()} ${process.pid} ${randomUUID()}`;
    const deadline = Date.now() + WAIT_MS;
    while ((await redis.set(key, token, 'PX', TTL_MS, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw Object.assign(new Error(`the archive lock ${name} has been held by another writer for over ${WAIT_MS / 1000} s`), { code: 'ARCHIVE_UNAVAILABLE', params: { reason: 'lock' } });
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
    }
    const renew = setInterval(() => void redis.eval(EXTEND, 1, key, token, String(TTL_MS)).catch(() => undefined), TTL_MS / 3);
    renew.unref();
    try {
      return await fn(async () => Number(await redis.eval(EXTEND, 1, key, token, String(TTL_MS))) === 1);
    } finally {
      clearInterval(renew);
      await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  };
}
