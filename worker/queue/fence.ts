import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { LockLostError, type Fence } from '../pipeline/run.ts';

const CLAIM_TTL_SECONDS = 400 * 24 * 3600;

/**
 * Claims the job's snapshot version: the first attempt's number sticks, later attempts (after a
 * crash or a lost lock) take over the same number, all only while they hold the job's BullMQ lock.
 * ARGV[4] non-empty: move the claim from that version to ARGV[2] (it was taken by another job's
 * snapshot, or the archive was restored to fewer versions). Returns the version, or -1 without the lock.
 */
const CLAIM = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local cur = redis.call('HGET', KEYS[2], 'version')
if cur and (ARGV[4] == '' or cur ~= ARGV[4]) then
  redis.call('HSET', KEYS[2], 'token', ARGV[1])
  return tonumber(cur)
end
redis.call('HSET', KEYS[2], 'version', ARGV[2], 'token', ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return tonumber(ARGV[2])
`;

/** Still the lock holder? Then the lock is extended (as BullMQ's extendLock does) for the step that follows. */
const HOLD = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SREM', KEYS[2], ARGV[3])
return 1
`;

export const claimKey = (jobId: string) => `jibao:snapshot-claim:${jobId}`;

/**
 * The fence of one attempt of a queued briefing job: its BullMQ lock token, checked atomically in
 * Redis. A worker frozen past its lock (a VM pause, a long GC) finds the token gone and stops.
 */
export function jobFence(redis: Redis, job: Job, token: string, lockDurationMs: number): Fence {
  const jobId = String(job.id);
  const lockKey = `${job.queueQualifiedName}:${jobId}:lock`; // BullMQ's own key names
  const stalledKey = `${job.queueQualifiedName}:stalled`;
  const claim = async (proposed: number, replacing?: number): Promise<number> => {
    const v = Number(await redis.eval(CLAIM, 2, lockKey, claimKey(jobId), token, String(proposed), String(CLAIM_TTL_SECONDS), replacing === undefined ? '' : String(replacing)));
    if (v < 0) throw new LockLostError(jobId, 'claim');
    return v;
  };
  return {
    claimVersion: (proposed) => claim(proposed),
    reclaimVersion: (taken, next) => claim(next, taken),
    async check(step) {
      const held = Number(await redis.eval(HOLD, 2, lockKey, stalledKey, token, String(lockDurationMs), jobId));
      if (held !== 1) throw new LockLostError(jobId, step);
    },
  };
}
