import path from 'node:path';
import { appendFile, chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FolderStore } from '../../worker/archive/folder-store.ts';
import { deliveryLogName, snapshotKey } from '../../worker/archive/layout.ts';
import type { SnapshotKey } from '../../worker/archive/index.ts';
import { tempDir } from '../support/cli.ts';
import { describeSnapshotStore, writeSample, type StoreFixture } from './store-conformance.ts';

/** A fresh archive folder; tampering undoes the write-once modes first, as an intruder with the rights would. */
async function folderStore(): Promise<StoreFixture> {
  const root = await tempDir('folder-store');
  const file = (key: SnapshotKey, name: string) => path.join(root, ...snapshotKey(key).split('/'), ...name.split('/'));
  const unlock = async (f: string) => {
    for (let d = path.dirname(f); d.startsWith(root + path.sep); d = path.dirname(d)) await chmod(d, 0o755).catch(() => undefined);
    await chmod(f, 0o644).catch(() => undefined);
  };
  return {
    open: () => new FolderStore(root, { signer: null }),
    tamper: {
      change: async (key, name, data) => {
        await unlock(file(key, name));
        await writeFile(file(key, name), data);
      },
      remove: async (key, name) => {
        await unlock(file(key, name));
        await rm(file(key, name));
      },
      add: async (key, name, data) => {
        await unlock(file(key, name));
        await mkdir(path.dirname(file(key, name)), { recursive: true });
        await writeFile(file(key, name), data);
      },
      appendDelivery: (key, line) => appendFile(path.join(root, key.report, key.period, deliveryLogName(key.version)), line + '\n'),
    },
  };
}

describeSnapshotStore('folder store', folderStore);

describe('folder store reads', () => {
  it('never follow a symbolic link planted in a snapshot: it reads as SNAPSHOT_FILE_MISSING, and verify names it', async () => {
    const root = await tempDir('folder-store-link');
    const store = new FolderStore(root, { signer: null });
    const ref = await writeSample(store, '2023Q3');
    const outside = path.join(await tempDir('outside'), 'secret.txt');
    await writeFile(outside, 'not the archive’s');
    const pdf = path.join(root, snapshotKey(ref), 'briefing.pdf');
    await chmod(path.dirname(pdf), 0o755);
    await rm(pdf);
    await symlink(outside, pdf);
    await expect(store.readFile(ref, 'briefing.pdf')).rejects.toMatchObject({ code: 'SNAPSHOT_FILE_MISSING' });
    await expect(store.openFile(ref, 'briefing.pdf')).rejects.toMatchObject({ code: 'SNAPSHOT_FILE_MISSING' });
    expect((await store.verify()).findings.map((f) => f.code)).toContain('SYMLINK');
  });
});
