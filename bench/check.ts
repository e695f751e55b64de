/**
 * `jibao check` on a 10,000-row figure file (goal: under 2 s). Generates a synthetic report with
 * as many indicators in a temporary jobs folder, then times the real command as a fresh process.
 * Usage: npm run bench:check [-- --rows 10000 --runs 3]
 */
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jibaoMode } from './mode.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' } } });
const rows = Number(values.rows);
const runs = Number(values.runs);
const root = path.resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'jibao-bench-check-'));
const jobDir = path.join(tmp, 'jobs', 'bench-2023');
mkdirSync(jobDir, { recursive: true });

const kinds = ['cumulative', 'growth', 'level', 'ceiling'] as const;
const indicators: string[] = [];
const figures = ['指标,期间,累计值,同比增长,状态,备注,数据截至,来源'];
for (let i = 0; i < rows; i++) {
  const kind = kinds[i % kinds.length]!;
  const name = `指标${i}`;
  const spec =
    kind === 'cumulative' ? 'unit: 亿元, target: 100' : kind === 'growth' ? 'unit: "%", target: 6' : kind === 'level' ? 'unit: "%", target: 90, direction: higher' : 'unit: "%", target: 4.5';
  indicators.push(`  - { id: ind-${i}, name: ${name}, section: s${i % 6}, kind: ${kind}, ${spec}, lead: [单位${i % 40}] }`);
  const value = kind === 'cumulative' ? (60 + (i % 30)).toFixed(1) : kind === 'growth' ? '' : kind === 'level' ? '91.2' : '3.9';
  const yoy = kind === 'growth' ? (4 + (i % 40) / 10).toFixed(1) : '';
  figures.push(`${name},2023Q3,${value},${yoy},,,2023-10-20,区统计局`);
}
writeFileSync(
  path.join(jobDir, 'targets.yaml'),
  `report: { id: bench-2023, year: 2023, title: 基准测试区2023年政府工作报告目标任务推进情况, document: 基准测试报告, region: 基准市基准区, office: 基准区人民政府办公室 }
sections:
${Array.from({ length: 6 }, (_, i) => `  - { id: s${i}, name: 第${i + 1}部分 }`).join('\n')}
indicators:
${indicators.join('\n')}
`,
);
writeFileSync(
  path.join(jobDir, 'job.yaml'),
  `id: bench-2023
title: 基准测试
schedule: { cron: "0 9 20 1,4,7,10 *" }
source: { type: files, path: figures.csv }
recipients: { to: [bench@example.org] }
mail: { from: jibao@example.org }
`,
);
const csv = path.join(jobDir, 'figures.csv');
writeFileSync(csv, figures.join('\n') + '\n');

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
console.log(`jibao check, ${rows} figure rows (${Math.round(figures.join("\n").length / 1024)} KB CSV, ${rows} indicators)`);
console.log(`  median ${median.toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms over ${runs} runs (goal < 2000 ms)`);
