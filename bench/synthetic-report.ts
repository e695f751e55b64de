import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';

/**
 * Writes a synthetic 2023 report of `n` indicators into `jobsDir/<id>/` (job.yaml, targets.yaml and
 * one figure file for 2023Q3), for benchmarks that need a large briefing or a large figure file.
 * `mixed` cycles through the four quantitative kinds; otherwise every indicator is cumulative.
 */
export function writeSyntheticReport(jobsDir: string, id: string, n: number, opts: { mixed?: boolean } = {}): string {
  const dir = path.join(jobsDir, id);
  mkdirSync(path.join(dir, 'figures'), { recursive: true });
  const kinds = opts.mixed ? (['cumulative', 'growth', 'level', 'ceiling'] as const) : (['cumulative'] as const);
  const spec = { cumulative: 'unit: 亿元, target: 100', growth: 'unit: "%", target: 6', level: 'unit: "%", target: 90, direction: higher', ceiling: 'unit: "%", target: 4.5' };
  const indicators: string[] = [];
  const rows = ['指标,期间,累计值,同比增长,状态,备注,数据截至,来源'];
  for (let i = 0; i < n; i++) {
    const kind = kinds[i % kinds.length]!;
    indicators.push(`  - { id: ind-${i}, name: 指标${i}, section: s${i % 6}, kind: ${kind}, ${spec[kind]}, lead: [单位${i % 40}] }`);
    const value = kind === 'cumulative' ? (60 + (i % 30)).toFixed(1) : kind === 'growth' ? '' : kind === 'level' ? '91.2' : '3.9';
    const yoy = kind === 'growth' ? (4 + (i % 40) / 10).toFixed(1) : '';
    rows.push(`指标${i},2023Q3,${value},${yoy},,,2023-10-20,区统计局`);
  }
  writeFileSync(
    path.join(dir, 'targets.yaml'),
    `report: { id: ${id}, year: 2023, title: 基准测试区2023年政府工作报告目标任务推进情况, document: 基准测试报告, region: 基准市基准区, office: 基准区人民政府办公室 }
sections:
${Array.from({ length: 6 }, (_, i) => `  - { id: s${i}, name: 第${i + 1}部分 }`).join('\n')}
indicators:
${indicators.join('\n')}
`,
  );
  writeFileSync(
    path.join(dir, 'job.yaml'),
    `id: ${id}\ntitle: 基准测试\nschedule: { cron: "0 9 20 1,4,7,10 *" }\nsource: { type: files, path: figures }\nrecipients: { to: [bench@example.org] }\nmail: { from: jibao@example.org }\n`,
  );
  const figures = path.join(dir, 'figures', '2023Q3.csv');
  writeFileSync(figures, rows.join('\n') + '\n');
  return figures;
}
