import type { Redis } from 'ioredis';

/**
 * Who is writing a version number of report × period in a shared archive. A claim is taken with
 * SET NX and held as a lease the writer renews before each object it stores (`confirm`), so two
 * writers on different machines never write the same version — even on an object store that
 * does not enforce conditional writes (`If-None-Match: *`), and even when a writer holding the
 * report's lock was paused past it: on waking, its `confirm` fails before it stores anything more.
 * A writer that dies leaves its number to the next writer once the lease lapses: no gap.
 */
export interface VersionClaims {
  /** True when `writer` now holds the number (or already held it); false while another writer does. */
  claim(report: string, period: string, version: number, writer: string): Promise<boolean>;
  /** True, and the lease renewed, while `writer` still holds the number. */
  confirm(report: string, period: string, version: number, writer: string): Promise<boolean>;
  /** Gives the number back (only while `writer` holds it). */
  release(report: string, period: string, version: number, writer: string): Promise<void>;
}

/** The Redis commands a claim needs (an ioredis client, shared with the rest of the process). */
export type ClaimRedis = Pick<Redis, 'set' | 'get' | 'eval'>;

/** Longer than storing one snapshot's objects takes; renewed before each of them. */
export const CLAIM_LEASE_MS = 60_000;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const CONFIRM = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * Claims in Redis, one key per version: `jibao:archive-version:<archive>:<report>/<period>/v<N>`.
 * `archive` names the store (its bucket and prefix), so archives sharing a Redis stay apart.
 */
export function redisVersionClaims(redis: ClaimRedis, archive: string, leaseMs = CLAIM_LEASE_MS): VersionClaims {
  const key = (report: string, period: string, version: number) => `jibao:archive-version:${archive}:${report}/${period}/v${version}`;
  return {
    async claim(report, period, version, writer) {
      const k = key(report, period, version);
      if ((await redis.set(k, writer, 'PX', leaseMs, 'NX')) === 'OK') return true;
      return (await redis.get(k)) === writer;
    },
    async confirm(report, period, version, writer) {
      return Number(await redis.eval(CONFIRM, 1, key(report, period, version), writer, String(leaseMs))) === 1;
    },
    async release(report, period, version, writer) {
      await redis.eval(RELEASE, 1, key(report, period, version), writer);
    },
  };
}

/** Without Redis: every number is free here; the store's lock and conditional creates are then the only guard. */
export const noVersionClaims: VersionClaims = {
  claim: async () => true,
  confirm: async () => true,
  release: async () => undefined,
};
