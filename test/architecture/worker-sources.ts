import path from 'node:path';
import { readdir } from 'node:fs/promises';

/** Every source file under `dir`, recursively (.ts, .mjs, .cjs). */
export async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (/\.(ts|mjs|cjs)$/.test(e.name)) out.push(p);
  }
  return out;
}
