/**
 * `jibao check` on a 10,000-row figure file (goal: under 2 s). Generates a synthetic report with
 * as many indicators in a temporary jobs folder, then times the real command as a fresh process.
 * Usage: npm run bench:check [-- --rows 10000 --runs 3]
 */
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jibaoMode } from './mode.ts';
import { writeSyntheticReport } from './synthetic-report.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' } } });
const rows = Number(values.rows);
const runs = Number(values.runs);
const root = path.resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'jibao-bench-check-'));
const csv = writeSyntheticReport(path.join(tmp, 'jobs'), 'bench-2023', rows, { mixed: true });
const csvKb = Math.round(statSync(csv).size / 1024);

const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  execFileSync(process.execPath, [path.join(root, 'bin/jibao.js'), 'check', '--report', 'bench-2023', '--period', '2023Q3'], {
    env: { ...process.env, JIBAO_JOBS_DIR: path.join(tmp, 'jobs') },
    stdio: 'ignore',
  });
  times.push(performance.now() - t);
}
if (!process.env.KEEP) rmSync(tmp, { recursive: true, force: true });
else console.log(tmp);
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
console.log(`code                    ${jibaoMode(root)}`);
console.log(`jibao check, ${rows} figure rows (${csvKb} KB CSV, ${rows} indicators)`);
console.log(`  median ${median.toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms over ${runs} runs (goal < 2000 ms)`);
