import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';

const STALE_MS = 120_000;
const WAIT_MS = 60_000;

/**
 * Runs `fn` holding an exclusive lock file (created with O_EXCL, so it works across processes
 * and across hosts sharing the folder). Appends to a hash chain must be serialised: two writers
 * reading the same last line would fork the chain. A lock left by a dead process on this host,
 * or older than two minutes (any host), is broken.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const token = `${os.hostname()} ${process.pid} ${randomUUID()}`;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const fh = await open(file, 'wx');
      try {
        await fh.writeFile(token);
      } finally {
        await fh.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (await isStale(file)) {
        await rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${file} has been held by another writer for over ${WAIT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
    }
  }
  try {
    return await fn();
  } finally {
    // Only our own lock: if ours was broken as stale, the file may now be someone else's.
    if ((await readFile(file, 'utf8').catch(() => '')) === token) await rm(file, { force: true });
  }
}

async function isStale(file: string): Promise<boolean> {
  const [text, st] = await Promise.all([readFile(file, 'utf8').catch(() => ''), stat(file).catch(() => undefined)]);
  if (!st) return false; // released meanwhile: just try again
  const [host, pid] = text.split(' ');
  if (host === os.hostname() && pid && !isAlive(Number(pid))) return true;
  return Date.now() - st.mtimeMs > STALE_MS;
}

/** Whether a process of this host is running (EPERM: it is, under another user). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
