#!/usr/bin/env node
// The `jibao` command. `npm ci` compiles worker/ to dist/ (the `prepare` script) and that is
// what runs; when dist/ is missing or older than any source file (a developer editing), the
// TypeScript source runs through tsx instead, so a stale build is never used.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.built');

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
  }
  return newest;
}

const built = existsSync(stamp) && !process.env.JIBAO_FROM_SOURCE && statSync(stamp).mtimeMs >= newestSource(join(root, 'worker'));
if (built) {
  await import('../dist/worker/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../worker/cli/main.ts');
}
