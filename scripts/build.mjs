// Builds dist/ for `bin/jibao.js` (run by `npm ci` through the `prepare` script):
// - dist/bundle/: the CLI and the render thread bundled by esbuild, each command's rarely used
//   modules in chunks of their own (loaded by import() only by the commands that use them), so
//   starting `jibao` reads a handful of files instead of hundreds;
// - dist/worker/: every module compiled by tsc, for code that imports single modules (benchmarks).
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
const plain = ['worker/render/render-thread-entry.mjs', 'worker/render/render-thread-entry.cjs'];
for (const f of plain) cpSync(f, `dist/${f}`);

// Packages bundled in: pure JavaScript that reads no file beside its own code. The others (pdfkit
// reads its font metrics and colour profile from its folder, piscina and pino start workers from
// theirs, exceljs, bullmq, fastify... load only for their commands) stay in node_modules.
// What they import is bundled with them.
const INLINE = new Set(['commander', 'zod', 'js-yaml', 'csv-parse', 'htmlparser2', 'handlebars', 'node-cron', 'exceljs']);
const packageOf = (p) => (p.startsWith('@') ? p.split('/').slice(0, 2).join('/') : p.split('/')[0]);
const { build } = await import('esbuild').catch(() => {
  // No stamp without the bundle: `jibao` then runs the TypeScript source (through tsx).
  console.warn('jibao build: esbuild is not installed (npm ci installs it); jibao will run its TypeScript source');
  process.exit(0);
});
await build({
  entryPoints: { jibao: 'worker/cli/main.ts', 'render-thread': 'worker/render/render-thread.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  plugins: [
    {
      name: 'node-modules',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (a) => {
          if (a.path.startsWith('node:')) return { path: a.path, external: true };
          return INLINE.has(packageOf(a.path)) || a.importer.includes('/node_modules/') ? undefined : { path: a.path, external: true };
        });
      },
    },
  ],
  // CommonJS packages bundled into ES modules still call require() for Node's own modules.
  banner: { js: "import { createRequire as __jibaoCreateRequire } from 'node:module'; const require = __jibaoCreateRequire(import.meta.url);" },
});
// The thread entry finds the bundled task beside it (the staff page is read from the package root).
cpSync('worker/render/render-thread-entry.cjs', 'dist/bundle/render-thread-entry.cjs');
writeFileSync('dist/.built', new Date().toISOString() + '\n');
