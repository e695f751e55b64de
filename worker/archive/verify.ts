import path from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import { sha256 } from './digest.ts';
import { MANIFEST_NAME } from './fs-archive.ts';
import type { SnapshotRef } from './snapshot.ts';

export interface VerifyProblem {
  readonly path: string;
  readonly problem: 'changed' | 'missing' | 'stray' | 'size';
  readonly detail: string;
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p, base)));
    else out.push(path.relative(base, p));
  }
  return out;
}

/** Recomputes every checksum of a snapshot: any changed byte, missing file or stray file is a problem. */
export async function verifySnapshot(s: SnapshotRef): Promise<VerifyProblem[]> {
  const problems: VerifyProblem[] = [];
  const listed = new Set(s.manifest.files.map((f) => f.path));
  for (const f of s.manifest.files) {
    const data = await readFile(path.join(s.dir, f.path)).catch(() => undefined);
    if (!data) problems.push({ path: f.path, problem: 'missing', detail: 'listed in the manifest, not on disk' });
    else if (data.byteLength !== f.bytes) problems.push({ path: f.path, problem: 'size', detail: `${data.byteLength} bytes, manifest says ${f.bytes}` });
    else if (sha256(data) !== f.sha256) problems.push({ path: f.path, problem: 'changed', detail: `SHA-256 ${sha256(data).slice(0, 16)}…, manifest says ${f.sha256.slice(0, 16)}…` });
  }
  for (const p of await listFiles(s.dir)) {
    if (p !== MANIFEST_NAME && !listed.has(p)) problems.push({ path: p, problem: 'stray', detail: 'on disk, not in the manifest' });
  }
  return problems;
}
