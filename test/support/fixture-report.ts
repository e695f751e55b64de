import path from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Period } from '../../worker/domain/period.ts';
import { periodEndDate, periodId } from '../../worker/domain/period.ts';
import { tempDir } from './cli.ts';

export interface FixtureOptions {
  readonly id?: string;
  readonly year: number;
  readonly cron?: string;
  /** Indicators in the report; many make a long render. */
  readonly indicators?: number;
  readonly retryEverySeconds?: number;
  readonly catchUpHours?: number;
}

/** A small report in a temporary jobs folder, for queue tests: its own year, schedule and figures. */
export async function fixtureReport(opts: FixtureOptions): Promise<{ jobsDir: string; id: string; figuresDir: string; writeFigures(period: Period): Promise<string> }> {
  const id = opts.id ?? `test-${opts.year}`;
  const jobsDir = await tempDir('jobs');
  const dir = path.join(jobsDir, id);
  const figuresDir = path.join(dir, 'figures');
  await mkdir(figuresDir, { recursive: true });
  const n = opts.indicators ?? 2;
  const indicators = Array.from({ length: n }, (_, i) => `  - { id: ind-${i}, name: 测试指标${i}, section: econ, kind: cumulative, unit: 亿元, target: 100, lead: [区统计局] }`);
  await writeFile(
    path.join(dir, 'targets.yaml'),
    `report: { id: ${id}, year: ${opts.year}, title: 测试区${opts.year}年政府工作报告目标任务推进情况, document: ${opts.year}年测试区政府工作报告, region: 测试市测试区, office: 测试区人民政府办公室, sample_data: true, sample_notice: 示例数据：测试用 }
sections: [{ id: econ, name: 经济发展 }]
indicators:
${indicators.join('\n')}
`,
  );
  await writeFile(
    path.join(dir, 'job.yaml'),
    `id: ${id}
title: 测试简报
schedule:
  cron: "${opts.cron ?? '0 9 20 1,4,7,10 *'}"
  timezone: Asia/Shanghai
  catch_up_hours: ${opts.catchUpHours ?? 72}
  not_ready: { retry_every_seconds: ${opts.retryEverySeconds ?? 1}, give_up_after_hours: 1 }
source: { type: files, path: figures }
recipients: { to: [leader@example.org] }
operators: [ops@example.org]
mail: { from: jibao@example.org }
`,
  );
  return {
    jobsDir,
    id,
    figuresDir,
    async writeFigures(period) {
      const rows = Array.from({ length: n }, (_, i) => `测试指标${i},${periodId(period)},${(50 + (i % 40)).toFixed(1)},,,,${periodEndDate(period)},区统计局`);
      const file = path.join(figuresDir, `${periodId(period)}.csv`);
      await writeFile(file, ['指标,期间,累计值,同比增长,状态,备注,数据截至,来源', ...rows].join('\n') + '\n');
      return file;
    },
  };
}
