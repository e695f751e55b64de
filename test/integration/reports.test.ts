import path from 'node:path';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.ts';
import { json, startHttpServer } from '../support/http-server.ts';

const TARGETS = `
report: { id: ID, year: 2024, title: 示例县2024年政府工作报告目标任务推进情况, document: 2024年示例县政府工作报告, region: 示例市示例县, office: 示例县人民政府办公室, sample_data: true, sample_notice: 示例数据：测试用 }
sections: [{ id: econ, name: 推动高质量发展 }]
indicators:
  - { id: revenue, name: 一般公共预算收入, section: econ, kind: cumulative, unit: 亿元, target: 12, lead: [县财政局] }
  - { id: gdp, name: 地区生产总值, section: econ, kind: growth, unit: "%", target: 6.5, qualifier: 左右, lead: [县发改委] }
`;
const job = (id: string, source: string) => `
id: ${id}
title: 测试简报
schedule: { cron: "0 9 20 1,4,7,10 *", timezone: Asia/Shanghai }
source: ${source}
recipients: { to: [leader@example.org] }
mail: { from: jibao@example.org }
`;

describe('several reports side by side, one with an HTTP source', () => {
  let jobs: string;
  let archive: string;
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startHttpServer((req, res) =>
      req.headers.authorization === 'Bearer county-token' && req.url === '/api/figures/county-2024/2024Q1'
        ? json(res, 200, { period: '2024Q1', as_of: '2024-04-18', figures: [{ indicator: '一般公共预算收入', value: 3.3 }, { indicator: 'gdp', yoy: 6.1 }] })
        : json(res, 404, {}),
    );
    jobs = await tempDir('jobs');
    archive = await tempDir('archive');
    await cp(path.join(ROOT, 'jobs/yuquan-2023'), path.join(jobs, 'yuquan-2023'), { recursive: true });
    for (const [id, source, targets] of [
      ['county-2024', `{ type: http, url: "${server.url}/api/figures/{report}/{period}", token_env: COUNTY_TOKEN, retries: 0 }`, TARGETS.replace('ID', 'county-2024')],
      ['broken-2024', '{ type: files, path: figures }', TARGETS.replace('ID', 'broken-2024').replace('target: 12', 'target: 十二')],
    ] as const) {
      await mkdir(path.join(jobs, id));
      await writeFile(path.join(jobs, id, 'job.yaml'), job(id, source));
      await writeFile(path.join(jobs, id, 'targets.yaml'), targets);
    }
    env = { JIBAO_JOBS_DIR: jobs, JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: path.join(archive, '..', 'outbox-reports'), COUNTY_TOKEN: 'county-token' };
  });
  afterAll(() => server.close());

  it('runs the HTTP report from its endpoint and archives the exact answer', async () => {
    const r = await runCli(['run', '-r', 'county-2024', '-p', '2024Q1', '--no-send'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`from ${server.url}/api/figures/county-2024/2024Q1`);
    const dir = path.join(archive, 'county-2024/2024Q1/v1');
    const answer = JSON.parse(await readFile(path.join(dir, 'inputs/figures/figures.json'), 'utf8'));
    expect(answer.as_of).toBe('2024-04-18');
    const evaluation = JSON.parse(await readFile(path.join(dir, 'data/evaluation.json'), 'utf8'));
    // gdp: 6.1% against 6.5%左右 is inside the default ±0.5 point tolerance, so on target.
    expect(evaluation.indicators.map((i: { id: string; status: string }) => `${i.id}:${i.status}`)).toEqual(['revenue:on_track', 'gdp:on_track']);
  });

  it('keeps reports independent: a broken one fails alone, naming its file and path', async () => {
    const broken = await runCli(['check', '-r', 'broken-2024'], { env });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken-2024\/targets\.yaml, column indicators\[0\]\.target: expected a number/);
    const fine = await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q1', '--no-send'], { env });
    expect(fine.code).toBe(0);
    expect((await readdir(archive)).sort()).toEqual(['.tmp', 'county-2024', 'yuquan-2023']);
  });

  it('is "not ready" when the endpoint has no figures for the period yet', async () => {
    const r = await runCli(['run', '-r', 'county-2024', '-p', '2024Q2'], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not ready: .*has no figures for 2024Q2 yet \(HTTP 404\)/);
  });
});
