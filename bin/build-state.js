// Whether dist/ (compiled by `npm ci`'s prepare script) is at least as new as every source file.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
  }
  return newest;
}

/** 'fresh', 'stale' or 'missing' */
export function buildState(root) {
  const stamp = join(root, 'dist', '.built');
  if (!existsSync(stamp)) return 'missing';
  return statSync(stamp).mtimeMs >= newestSource(join(root, 'worker')) ? 'fresh' : 'stale';
}
