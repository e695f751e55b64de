import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { FolderStore } from '../../worker/archive/folder-store.ts';
import { isAbandoned, stagingName, stagingOwner } from '../../worker/archive/staging.ts';
import { tempDir } from '../support/cli.ts';
import { writeSample } from './store-conformance.ts';

const HOUR = 3600_000;
const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '-');

/** A real process that has exited: its pid is dead on this host. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)']);
afterAll(() => void sleeper.kill());

describe('folder store staging: abandoned by age and host, not by pid alone', () => {
  it('a name carries host, pid and start time', () => {
    const name = stagingName('yuquan-2023_2023Q3_v2', 1_700_000_000_000, { host: 'web-1.example', pid: 4242 });
    expect(stagingOwner(name)).toEqual({ host: 'web-1.example', pid: 4242, startedAt: 1_700_000_000_000 });
    expect(stagingOwner('yuquan-2023_2023Q3_v2_pid4242_0b5c6b0e-6a2e-4b8e-9a41-1f2d3c4b5a69')).toBeUndefined();
  });

  it('decides by owner and age', async () => {
    const now = Date.now();
    const self = { host: 'web-1', pid: 100 };
    const dead = () => false;
    const name = (h: string, pid: number, t = now) => stagingName('r_2023Q3_v1', t, { host: h, pid });
    // Another host's pid means nothing here: kept while young, whatever this host knows of the pid.
    expect(isAbandoned(name('web-2', 200), now, { now, self, alive: dead })).toBe(false);
    expect(isAbandoned(name('web-2', 200, now - 2 * HOUR), now - 2 * HOUR, { now, self, alive: dead })).toBe(true);
    // This host: a dead writer's folder goes at once; a live one's, or our own, stays.
    expect(isAbandoned(name('web-1', 200), now, { now, self, alive: dead })).toBe(true);
    expect(isAbandoned(name('web-1', 200), now, { now, self, alive: () => true })).toBe(false);
    expect(isAbandoned(name('web-1', 100), now, { now, self, alive: dead })).toBe(false);
    // Age counts from the later of the name's time and the last change: a writer's slow clock does not condemn it.
    expect(isAbandoned(name('web-2', 200, now - 2 * HOUR), now - 60_000, { now, self, alive: dead })).toBe(false);
    // Names from before hosts were recorded: by age only.
    expect(isAbandoned('r_2023Q3_v1_pid200_0b5c6b0e-6a2e-4b8e-9a41-1f2d3c4b5a69', now, { now, self, alive: dead })).toBe(false);
    expect(isAbandoned('r_2023Q3_v1_pid200_0b5c6b0e-6a2e-4b8e-9a41-1f2d3c4b5a69', now - 2 * HOUR, { now, self, alive: dead })).toBe(true);
    expect(isAbandoned(name('web-2', 200, now - 20 * 60_000), now - 20 * 60_000, { now, self, alive: dead, maxAgeMs: 10 * 60_000 })).toBe(true);
  });

  it('a write removes only the abandoned staging folders it finds', async () => {
    const root = await tempDir('staging');
    const tmp = path.join(root, '.tmp');
    const dead = await deadPid();
    const old = Date.now() - 3 * HOUR;
    const folders = {
      otherHostYoung: stagingName('yuquan-2023_2023Q3_v1', Date.now(), { host: 'other-host', pid: dead }),
      otherHostOld: stagingName('yuquan-2023_2023Q3_v1', old, { host: 'other-host', pid: dead }),
      thisHostDead: stagingName('yuquan-2023_2023Q3_v1', Date.now(), { host, pid: dead }),
      thisHostLive: stagingName('yuquan-2023_2023Q3_v1', Date.now(), { host, pid: sleeper.pid! }),
    };
    for (const name of Object.values(folders)) {
      await mkdir(path.join(tmp, name), { recursive: true });
      await writeFile(path.join(tmp, name, 'briefing.pdf'), '%PDF partial');
    }
    await utimes(path.join(tmp, folders.otherHostOld), old / 1000, old / 1000);
    const store = new FolderStore(root, { signer: null });
    expect((await writeSample(store, '2023Q3')).version).toBe(1);
    expect((await readdir(tmp)).sort()).toEqual([folders.otherHostYoung, folders.thisHostLive].sort());
    expect((await store.verify()).ok).toBe(true);
  });
});
