import path from 'node:path';
import { existsSync, readdirSync, statSync } from 'node:fs';

/** Which code `bin/jibao.js` will run, so a benchmark never reports source-mode figures as the build's. */
export function jibaoMode(root: string): string {
  const stamp = path.join(root, 'dist', '.built');
  if (!existsSync(stamp)) return 'TypeScript source via tsx (no build: run npm run build)';
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : e.name.endsWith('.ts') ? statSync(path.join(dir, e.name)).mtimeMs : 0)));
  return statSync(stamp).mtimeMs >= newest(path.join(root, 'worker')) ? 'compiled dist/ (as after npm ci)' : 'TypeScript source via tsx (dist/ is older than the source: run npm run build)';
}
