import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { sha256 } from './digest.ts';
import type { Manifest, SnapshotFile, SnapshotRef, SnapshotStore } from './snapshot.ts';

const VERSION_DIR = /^v(\d+)$/;
export const PDF_NAME = 'briefing.pdf';
export const MANIFEST_NAME = 'manifest.json';

/**
 * A write-once archive on the filesystem: <root>/<report>/<period>/v<N>/.
 * A snapshot is written in full to a temporary folder, synced, then renamed into place;
 * rename refuses an existing version, so a version is never overwritten and a crash leaves
 * either the whole snapshot or none of it.
 */
export class FsArchive implements SnapshotStore {
  constructor(readonly root: string) {}

  private periodDir(report: string, period: string): string {
    return path.join(this.root, report, period);
  }

  async versions(report: string, period: string): Promise<number[]> {
    const names = await readdir(this.periodDir(report, period)).catch(() => [] as string[]);
    return names.map((n) => VERSION_DIR.exec(n)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1])).sort((a, b) => a - b);
  }

  /** Every snapshot, oldest first per period: [report, period, version]. */
  async list(report?: string): Promise<{ report: string; period: string; version: number }[]> {
    const out: { report: string; period: string; version: number }[] = [];
    const reports = report ? [report] : (await readdir(this.root).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
    for (const r of reports) {
      for (const p of (await readdir(path.join(this.root, r)).catch(() => [] as string[])).sort()) {
        for (const v of await this.versions(r, p)) out.push({ report: r, period: p, version: v });
      }
    }
    return out;
  }

  async latestVersion(report: string, period: string): Promise<number | undefined> {
    return (await this.versions(report, period)).at(-1);
  }

  async read(report: string, period: string, version: number): Promise<SnapshotRef> {
    const dir = path.join(this.periodDir(report, period), `v${version}`);
    const manifest = JSON.parse(await readFile(path.join(dir, MANIFEST_NAME), 'utf8')) as Manifest;
    return { report, period, version, dir, pdf: path.join(dir, PDF_NAME), manifest };
  }

  /**
   * Removes an old version (retention). The newest version of a period is never removed; the
   * folder is renamed away first, so a reader sees the whole snapshot or none.
   */
  async remove(report: string, period: string, version: number): Promise<void> {
    const versions = await this.versions(report, period);
    if (!versions.includes(version)) throw new Error(`no snapshot ${report}/${period}/v${version}`);
    if (version === versions.at(-1)) throw new Error(`${report}/${period}/v${version} is the newest version of its period and is never removed`);
    const dir = path.join(this.periodDir(report, period), `v${version}`);
    const gone = path.join(this.root, '.tmp', `removed_${report}_${period}_v${version}_pid${process.pid}_${randomUUID()}`);
    await mkdir(path.dirname(gone), { recursive: true });
    await chmod(dir, 0o755);
    await rename(dir, gone);
    await removeTree(gone);
    await rm(path.join(this.periodDir(report, period), `v${version}.deliveries.jsonl`), { force: true });
  }

  /** The snapshot a queued job already made, if an earlier attempt got that far. */
  async findByJob(report: string, period: string, jobId: string): Promise<SnapshotRef | undefined> {
    for (const v of (await this.versions(report, period)).reverse()) {
      const snap = await this.read(report, period, v).catch(() => undefined);
      if (snap?.manifest.trigger.jobId === jobId) return snap;
    }
    return undefined;
  }

  /** Staging folders left by writers that died mid-write; a live writer's folder is kept. */
  private async removeAbandonedStaging(tmpRoot: string): Promise<void> {
    for (const name of await readdir(tmpRoot).catch(() => [] as string[])) {
      const pid = Number(/_pid(\d+)_/.exec(name)?.[1]);
      if (pid && pid !== process.pid && !isAlive(pid)) await removeTree(path.join(tmpRoot, name));
    }
  }

  /**
   * Stores a new version. `build` gets the version number and the one it supersedes and
   * returns the manifest fields and files; the file list and checksums are added here.
   */
  async write(
    report: string,
    period: string,
    build: (version: number, supersedes: number | null) => { manifest: Omit<Manifest, 'files' | 'version' | 'supersedes' | 'report' | 'period'>; files: readonly SnapshotFile[] },
  ): Promise<SnapshotRef> {
    const tmpRoot = path.join(this.root, '.tmp');
    await mkdir(tmpRoot, { recursive: true });
    await this.removeAbandonedStaging(tmpRoot);
    await mkdir(this.periodDir(report, period), { recursive: true });
    for (let attempt = 0; attempt < 20; attempt++) {
      const previous = (await this.latestVersion(report, period)) ?? null;
      const version = (previous ?? 0) + 1;
      const { manifest: fields, files } = build(version, previous);
      const tmp = path.join(tmpRoot, `${report}_${period}_v${version}_pid${process.pid}_${randomUUID()}`);
      try {
        const entries = [];
        for (const f of files) {
          const data = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data;
          await writeSynced(path.join(tmp, f.path), data);
          entries.push({ path: f.path, bytes: data.byteLength, sha256: sha256(data) });
        }
        const manifest: Manifest = { ...fields, report, period, version, supersedes: previous, files: entries };
        await writeSynced(path.join(tmp, MANIFEST_NAME), JSON.stringify(manifest, null, 2) + '\n');
        await makeReadOnly(tmp);
        const dir = path.join(this.periodDir(report, period), `v${version}`);
        try {
          await rename(tmp, dir);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOTEMPTY' || code === 'EEXIST') continue; // another writer took this version: take the next
          throw e;
        }
        await syncDir(path.dirname(dir));
        return { report, period, version, dir, pdf: path.join(dir, PDF_NAME), manifest };
      } finally {
        await removeTree(tmp);
      }
    }
    throw new Error(`could not claim a new version of ${report} ${period} after 20 attempts`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function writeSynced(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const fh = await open(file, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function removeTree(dir: string): Promise<void> {
  await chmod(dir, 0o755).catch(() => undefined); // undo makeReadOnly's folder bit so the tree can be removed
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) await chmod(path.join(dir, e.name), 0o755).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

/** Files 0444, folders 0555: a snapshot is not edited in place by accident. */
async function makeReadOnly(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await makeReadOnly(p);
    else await chmod(p, 0o444);
  }
  await chmod(dir, 0o555);
}
