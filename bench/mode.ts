// @ts-expect-error: plain JavaScript module shared with bin/jibao.js
import { buildState } from '../bin/build-state.js';

const MODES: Record<string, string> = {
  fresh: 'compiled dist/ (as after npm ci)',
  stale: 'TypeScript source via tsx (dist/ is older than the source: run npm run build)',
  missing: 'TypeScript source via tsx (no build: run npm run build)',
};

/** Which code `bin/jibao.js` will run, so a benchmark never reports source-mode figures as the build's. */
export function jibaoMode(root: string): string {
  return MODES[(buildState as (r: string) => string)(root)]!;
}
