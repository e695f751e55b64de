#!/usr/bin/env node
// The `jibao` command. `npm ci` builds dist/ (the `prepare` script: scripts/build.mjs) and its
// bundle is what runs; when dist/ is missing or older than any source file (a developer editing), the
// TypeScript source runs through tsx instead, so a stale build is never used.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import module from 'node:module';
import { buildState } from './build-state.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!process.env.JIBAO_FROM_SOURCE && buildState(root) === 'fresh') {
  // Node 22 and later keep compiled code between runs (in the OS temp folder); render threads do too.
  module.enableCompileCache?.();
  await import('../dist/bundle/jibao.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../worker/cli/main.ts');
}
