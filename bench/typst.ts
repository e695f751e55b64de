/**
 * jibao against Typst, the fastest engine a user could pick instead, through the shared side-by-side
 * benchmark (../shared/typst-anchor, or TYPST_ANCHOR): its bench.mjs runs on this checkout's build
 * for the given measurements, engines alternated in fresh processes, and its table of ratios is
 * printed. The Typst compiler is not a dependency of jibao: install it outside the project and point
 * NODE_PATH at it (see README, "Performance").
 */
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parsePeriod } from '../worker/domain/period.ts';
import { prepareBriefing } from '../worker/pipeline/prepare.ts';
import { settingsFromEnv } from '../worker/config/settings.ts';
import { writeSyntheticReport } from './synthetic-report.ts';
// @ts-expect-error: plain JavaScript module shared with bin/jibao.js
import { buildState } from '../bin/build-state.js';

const COMPILER = '@myriaddreamin/typst-ts-node-compiler';

/** Prints the anchor's ratio table for `only` (cold, warm-sample, warm-syn2500, whole...), or why there is none. */
export async function typstRatios(root: string, only: readonly string[], rounds: number): Promise<void> {
  if (rounds <= 0) return console.log('no Typst comparison (--typst-rounds 0)');
  const anchor = process.env['TYPST_ANCHOR'] ?? path.resolve(root, '../shared/typst-anchor');
  if (!existsSync(path.join(anchor, 'bench.mjs'))) return console.log(`no Typst comparison: no benchmark at ${anchor} (set TYPST_ANCHOR)`);
  try {
    createRequire(path.join(root, 'package.json')).resolve(COMPILER);
  } catch {
    return console.log(`no Typst comparison: ${COMPILER} not found (mkdir -p ~/typst && cd ~/typst && npm i --no-save ${COMPILER}@0.7.0, then NODE_PATH=~/typst/node_modules)`);
  }
  if ((buildState as (r: string) => string)(root) !== 'fresh') return console.log('no Typst comparison: the benchmark measures the build; run npm run build first');
  if (!existsSync(path.join(root, 'anchor/models/sample.json'))) await writeAnchorModels(path.join(root, 'anchor/models'));
  const r = spawnSync(process.execPath, [path.join(anchor, 'bench.mjs'), '--rounds', String(rounds), '--tag', `bench-${only.join('-')}`, '--only', only.join(',')], {
    cwd: root,
    env: { ...process.env, JIBAO_DIR: root },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) return console.log(`Typst comparison failed (exit ${r.status})`);
  console.log(`against Typst (${anchor}, ${rounds} rounds; "jibao/this" is how many times Typst's time jibao takes):`);
  for (const line of r.stdout.split('\n')) if (line.startsWith('|')) console.log(line);
}

/**
 * The briefing models both engines render (the anchor's make-models.ts, on this checkout's modules):
 * the sample 2023Q3 briefing and synthetic reports of 25, 250 and 2,500 indicators.
 */
async function writeAnchorModels(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const settings = settingsFromEnv();
  const clock = () => new Date('2023-10-25T02:00:00Z'); // a fixed issue date: every run renders the same text
  const save = async (name: string, reportId: string, jobsDir: string) => {
    const ready = await prepareBriefing({ reportId, period: parsePeriod('2023Q3') }, { ...settings, jobsDir, clock });
    if (ready.kind !== 'ready') throw new Error(`${reportId} not ready`);
    const p = ready.prepared;
    writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ model: p.model, issuedAt: p.issuedAt.toISOString(), template: p.job.template }));
  };
  await save('sample', 'yuquan-2023', settings.jobsDir);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'jibao-anchor-'));
  for (const n of [25, 250, 2500]) {
    writeSyntheticReport(tmp, `syn${n}-2023`, n, { mixed: true });
    await save(`syn${n}`, `syn${n}-2023`, tmp);
  }
  rmSync(tmp, { recursive: true, force: true });
}
