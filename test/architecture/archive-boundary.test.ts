import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.ts';
import { sources } from './worker-sources.ts';

/**
 * Snapshots are read and written through the store (worker/archive/index.ts): no code outside
 * worker/archive/ knows where a snapshot's files are, so the folder store and the S3 store are
 * interchangeable. Checked on the code with its comments removed.
 */
const WORKER = path.join(ROOT, 'worker');
const ARCHIVE = path.join(WORKER, 'archive');

/** archive/ modules that are a store's insides: only archive/ itself imports them. */
const INTERNAL = ['folder-store', 's3-store', 'layout', 'held', 'events', 'ledger', 'verify', 'verify-deliveries', 'file-lock', 'snapshot'];
/** Names of the layout (layout.ts): outside archive/ a file is named by its constant, from index.ts. */
const LAYOUT_LITERALS = ['briefing.pdf', 'briefing.html', 'manifest.json', 'manifest.sig', 'data/model.json', 'data/figures.json', 'data/evaluation.json', 'deliveries.jsonl', 'approvals.jsonl', 'ledger.jsonl'];

const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

async function outside(): Promise<{ rel: string; text: string }[]> {
  const files = (await sources(WORKER)).filter((f) => !f.startsWith(ARCHIVE + path.sep));
  return Promise.all(files.map(async (f) => ({ rel: path.relative(ROOT, f), text: code(await readFile(f, 'utf8')) })));
}

describe('the archive boundary', () => {
  it('nothing outside worker/archive imports a store module or the layout: only index.ts and the small shared helpers', async () => {
    const found: string[] = [];
    for (const { rel, text } of await outside()) {
      for (const m of text.matchAll(/['"](?:\.\.\/)+archive\/([a-z0-9-]+)\.ts['"]/g)) if (INTERNAL.includes(m[1]!)) found.push(`${rel}: archive/${m[1]}.ts`);
    }
    expect(found).toEqual([]);
  });

  it('no snapshot file name or path is spelled outside worker/archive', async () => {
    const found: string[] = [];
    // As a string of its own or a path's last part ('briefing.pdf', `${dir}/briefing.pdf`), not a mention in prose.
    const spelled = (lit: string) => new RegExp(`[\\/.'"\`]${lit.replace(/[./]/g, (c) => `\\${c}`)}['"\`]`);
    for (const { rel, text } of await outside()) for (const lit of LAYOUT_LITERALS) if (spelled(lit).test(text)) found.push(`${rel}: ${lit}`);
    expect(found).toEqual([]);
  });

  it('the archive folder setting is read by the store factory alone (settings.ts only defines it)', async () => {
    const found = (await outside()).filter(({ rel, text }) => rel !== path.join('worker', 'config', 'settings.ts') && /\barchiveDir\b/.test(text)).map(({ rel }) => rel);
    expect(found).toEqual([]);
  });
});
