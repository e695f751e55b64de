import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { isAlive } from './file-lock.ts';

/**
 * The folder store's staging folders (`<root>/.tmp/`): a snapshot is written there in full, then
 * renamed into place. Several hosts may share the archive folder, so a staging folder's name
 * says whose it is — host, process and start time — and only an abandoned one is removed: one
 * of this host whose process is gone, or any one older than `maxAgeMs` (a write takes seconds;
 * the ledger lock it runs under is broken after two minutes). A process id means nothing on
 * another host, so it alone never condemns a folder.
 */
export const STAGING_MAX_AGE_MS = 3600_000;

export interface StagingOwner {
  readonly host: string;
  readonly pid: number;
}

const me = (): StagingOwner => ({ host: safeHost(os.hostname()), pid: process.pid });

/** Host names go into a file name: anything outside [A-Za-z0-9.-] becomes `-`. */
function safeHost(host: string): string {
  return host.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 100) || 'unknown';
}

/** `<label>_h<host>_pid<pid>_t<ms>_<uuid>`: unique, and readable by `stagingOwner`. */
export function stagingName(label: string, now = Date.now(), owner: StagingOwner = me()): string {
  return `${label}_h${owner.host}_pid${owner.pid}_t${now}_${randomUUID()}`;
}

const NAME = /_h([A-Za-z0-9.-]+)_pid(\d+)_t(\d+)_[0-9a-f-]{36}$/;

/** Who made a staging folder and when, from its name; undefined for a name from before hosts were recorded. */
export function stagingOwner(name: string): (StagingOwner & { readonly startedAt: number }) | undefined {
  const m = NAME.exec(name);
  return m ? { host: m[1]!, pid: Number(m[2]), startedAt: Number(m[3]) } : undefined;
}

export interface AbandonOptions {
  readonly now?: number;
  readonly maxAgeMs?: number;
  readonly self?: StagingOwner;
  readonly alive?: (pid: number) => boolean;
}

/**
 * Whether a staging folder is abandoned. Its age counts from the later of the time in its name
 * and its last change on disk, so neither a clock behind on the writer's host nor a copy's old
 * timestamp makes a live folder look old.
 */
export function isAbandoned(name: string, mtimeMs: number, opts: AbandonOptions = {}): boolean {
  const now = opts.now ?? Date.now();
  const self = opts.self ?? me();
  const owner = stagingOwner(name);
  const age = now - Math.max(owner?.startedAt ?? 0, mtimeMs);
  if (age > (opts.maxAgeMs ?? STAGING_MAX_AGE_MS)) return true;
  if (!owner || owner.host !== self.host || owner.pid === self.pid) return false;
  return !(opts.alive ?? isAlive)(owner.pid);
}

/** The abandoned staging folders under `tmpRoot`, for the store to remove. */
export async function abandonedStaging(tmpRoot: string, opts: AbandonOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(tmpRoot).catch(() => [] as string[])) {
    const st = await stat(path.join(tmpRoot, name)).catch(() => undefined);
    if (st && isAbandoned(name, st.mtimeMs, opts)) out.push(path.join(tmpRoot, name));
  }
  return out;
}
