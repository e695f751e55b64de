import type { Redis } from 'ioredis';

/**
 * Who holds a version number of report × period in a shared archive. A claim is taken once
 * (SET NX) and never handed to another writer, so two writers on different machines never write
 * the same version, even on an object store that does not enforce conditional writes
 * (`If-None-Match: *`) and even when a writer holding the archive's lock was paused past it.
 * A number whose writer died before the snapshot was complete stays claimed: it is skipped, like
 * a version the folder store lost in a crash, never reused.
 */
export interface VersionClaims {
  /** True when `writer` now holds the number (or already held it); false when another writer does. */
  claim(report: string, period: string, version: number, writer: string): Promise<boolean>;
  /** Gives a number back, only while `writer` still holds it and before anything was stored under it. */
  release(report: string, period: string, version: number, writer: string): Promise<void>;
}

/** The Redis commands a claim needs (an ioredis client, shared with the rest of the process). */
export type ClaimRedis = Pick<Redis, 'set' | 'get' | 'eval'>;

/** Longer than any writer lives; by then the number's manifest is in the store, and listing sees it. */
const CLAIM_TTL_SECONDS = 400 * 24 * 3600;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Claims in Redis, one key per version: `jibao:archive-version:<archive>:<report>/<period>/v<N>`.
 * `archive` names the store (its bucket and prefix), so archives sharing a Redis stay apart.
 */
export function redisVersionClaims(redis: ClaimRedis, archive: string): VersionClaims {
  const key = (report: string, period: string, version: number) => `jibao:archive-version:${archive}:${report}/${period}/v${version}`;
  return {
    async claim(report, period, version, writer) {
      const k = key(report, period, version);
      if ((await redis.set(k, writer, 'EX', CLAIM_TTL_SECONDS, 'NX')) === 'OK') return true;
      return (await redis.get(k)) === writer;
    },
    async release(report, period, version, writer) {
      await redis.eval(RELEASE, 1, key(report, period, version), writer);
    },
  };
}

/** Without Redis: every number is free here; the store's conditional create is then the only guard. */
export const noVersionClaims: VersionClaims = {
  claim: async () => true,
  release: async () => undefined,
};
