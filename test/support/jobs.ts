import path from 'node:path';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { ROOT, tempDir } from './cli.ts';

let copy: Promise<string> | undefined;

/**
 * The shipped jobs/ folder with every `review:` block taken out: for tests of what a report
 * without review does (sent to its recipients at once). Copied once per test file.
 */
export function jobsWithoutReview(): Promise<string> {
  copy ??= (async () => {
    const dir = await tempDir('jobs-no-review');
    await cp(path.join(ROOT, 'jobs'), dir, { recursive: true });
    for (const id of await readdir(dir)) {
      const file = path.join(dir, id, 'job.yaml');
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      // The block runs from its `review:` line to the next top-level key (its comments included).
      const stripped = text.replace(/(?:^#[^\n]*\n)*^review:\n(?:^(?:[ \t]+[^\n]*)?\n)*/m, '');
      if (/^review:/m.test(stripped)) throw new Error(`${file}: the review block was not removed`);
      await writeFile(file, stripped);
    }
    return dir;
  })();
  return copy;
}
