import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.ts';

// piscina require()s the file it is given. On Node 20 and 22, a thread terminated while require()
// links an ES module graph aborts the whole process (v8::Module::IsGraphAsync), which is what a CLI
// refusing its input right after starting the render thread did now and then. The entry must hand
// nothing to require(esm): it is CommonJS and loads the render code later, with import().
describe('the render thread entry', () => {
  it('loads none of the render code when piscina require()s it, and exports the task function', () => {
    const entry = path.join(ROOT, 'worker/render/render-thread-entry.cjs');
    const out = execFileSync(
      process.execPath,
      ['-e', `const t = require(${JSON.stringify(entry)}); console.log(JSON.stringify({ kind: typeof t, loaded: Object.keys(require.cache).filter((f) => /pdfkit|fontkit|render-thread\\./.test(f)).length }))`],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual({ kind: 'function', loaded: 0 });
  });
});
