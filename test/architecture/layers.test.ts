import path from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.ts';
import { sources } from './worker-sources.ts';

/**
 * Data flows one way: no folder of worker/ imports from a folder above it, domain at the bottom
 * and cli at the top. The small files at worker/'s root (log, redact, display-path, error-codes)
 * are shared by all and import only from domain/ and errors/.
 */
const LAYERS = ['domain', 'errors', 'config', 'extract', 'sources', 'render', 'archive', 'delivery', 'pipeline', 'collection', 'queue', 'api', 'cli'];
const WORKER = path.join(ROOT, 'worker');

/** The worker/ folder (or '' for its root) each relative import of `file` lands in. */
async function importedFolders(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs
    .map((s) => path.relative(WORKER, path.resolve(path.dirname(file), s)))
    .filter((rel) => !rel.startsWith('..'))
    .map((rel) => (rel.includes(path.sep) ? rel.split(path.sep)[0]! : ''));
}

describe('the layers of worker/', () => {
  it('every folder is placed in the order', async () => {
    const folders = (await readdir(WORKER, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.filter((f) => !LAYERS.includes(f))).toEqual([]);
  });

  it('no folder imports from a folder above it', async () => {
    const upward: string[] = [];
    for (const file of await sources(WORKER)) {
      const rel = path.relative(WORKER, file);
      const from = rel.includes(path.sep) ? rel.split(path.sep)[0]! : '';
      for (const to of await importedFolders(file)) {
        if (to === from) continue;
        const ok = from === ''
          ? to === 'domain' || to === 'errors'
          : to === '' || LAYERS.indexOf(to) < LAYERS.indexOf(from);
        if (!ok) upward.push(`${rel} → ${to || '(root)'}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
