#!/usr/bin/env node
// The `jibao` command. `npm ci` compiles worker/ to dist/ (the `prepare` script) and that is
// what runs; when dist/ is missing or older than any source file (a developer editing), the
// TypeScript source runs through tsx instead, so a stale build is never used.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildState } from './build-state.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!process.env.JIBAO_FROM_SOURCE && buildState(root) === 'fresh') {
  await import('../dist/worker/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../worker/cli/main.ts');
}
