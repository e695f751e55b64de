import path from 'node:path';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript module of the bin
import { buildState } from '../../bin/build-state.js';
import { tempDir } from '../support/cli.ts';

describe('bin/jibao.js build selection', () => {
  it('runs the build only while it is newer than every source file', async () => {
    const root = await tempDir('build-state');
    await mkdir(path.join(root, 'worker/domain'), { recursive: true });
    const source = path.join(root, 'worker/domain/period.ts');
    await writeFile(source, 'export {};');
    expect(buildState(root)).toBe('missing');
    await mkdir(path.join(root, 'dist'));
    const stamp = path.join(root, 'dist/.built');
    await writeFile(stamp, 'x');
    const t = Date.now() / 1000;
    await utimes(source, t - 100, t - 100);
    await utimes(stamp, t - 50, t - 50);
    expect(buildState(root)).toBe('fresh');
    await utimes(source, t, t); // a developer edits a source file after the build
    expect(buildState(root)).toBe('stale');
  });
});
