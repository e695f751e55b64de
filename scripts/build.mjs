// Compiles worker/ to dist/ for `bin/jibao.js` (run by `npm ci` through the `prepare` script).
// Type errors do not stop the build (`npm run typecheck` reports them); the stamp is written last,
// so an interrupted build is never mistaken for a complete one.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
} catch {
  console.warn('jibao build: TypeScript reported errors (see npm run typecheck); the emitted JavaScript is used anyway');
}
mkdirSync('dist', { recursive: true });
// Plain-JS files that tsc does not copy.
for (const f of ['worker/render/render-thread-entry.mjs', 'worker/render/render-thread-entry.cjs', 'worker/api/staff-page.html']) cpSync(f, `dist/${f}`);
writeFileSync('dist/.built', new Date().toISOString() + '\n');
