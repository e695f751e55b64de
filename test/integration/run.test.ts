import path from 'node:path';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.ts';
import { jobsWithoutReview } from '../support/jobs.ts';
import { pdfAttachments, pdfPages } from '../support/pdf.ts';
import { spawnSync } from 'node:child_process';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('jibao run (embedded, no Redis)', () => {
  let archive: string;
  let outbox: string;
  let env: Record<string, string>;
  let first: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    archive = await tempDir('archive');
    outbox = await tempDir('outbox');
    // The sample without its review block: sent to its recipients at once (review: test/review/).
    env = { JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: outbox, JIBAO_USER: 'test-staff', JIBAO_JOBS_DIR: await jobsWithoutReview() };
    first = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023Q3'], { env });
  }, 60_000);

  it('exits 0 and says where it put the snapshot and the email', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('snapshot');
    expect(first.stdout).toContain(`snapshot  yuquan-2023/2023Q3/v1 in ${archive} (version 1)`);
    expect(first.stdout).toMatch(/email\s+leadership@example\.org \(to\) → .*\.eml$/m);
    expect(first.stdout).toMatch(/email\s+district-office@example\.org \(cc\) → .*\.eml$/m);
  });

  it('writes a snapshot whose manifest checksums match every file', async () => {
    const dir = path.join(archive, 'yuquan-2023/2023Q3/v1');
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ report: 'yuquan-2023', period: '2023Q3', version: 1, supersedes: null, sampleData: true, trigger: { kind: 'cli', by: 'test-staff' } });
    const paths = manifest.files.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['briefing.pdf', 'data/figures.json', 'data/evaluation.json', 'inputs/targets.yaml', 'inputs/job.yaml', 'inputs/figures/2023Q3.csv']));
    for (const f of manifest.files) {
      const data = await readFile(path.join(dir, f.path));
      expect(sha(data), f.path).toBe(f.sha256);
      expect(data.byteLength).toBe(f.bytes);
    }
    expect(manifest.fonts.map((f: { role: string }) => f.role)).toEqual(['title', 'body', 'heading', 'kai', 'number', 'fallback']);
    expect(manifest.template[0].path).toBe('briefing.hbs');
    // The archived figures are the exact bytes of the source file.
    const source = await readFile(path.resolve(import.meta.dirname, '../../jobs/yuquan-2023/figures/2023Q3.csv'));
    expect(sha(await readFile(path.join(dir, 'inputs/figures/2023Q3.csv')))).toBe(sha(source));
  });

  it('renders a briefing whose text extracts: title, period, indicators, statuses, sample-data notice, page numbers', async () => {
    const pdf = await readFile(path.join(archive, 'yuquan-2023/2023Q3/v1/briefing.pdf'));
    const pages = await pdfPages(pdf);
    const all = pages.join('\n');
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(all).toContain('玉泉区2023年前三季度政府工作报告目标任务推进情况');
    expect(all).toContain('地区生产总值');
    expect(all).toContain('1-9月');
    expect(all).toContain('时序进度为75.0%');
    expect(all).toContain('示例数据');
    expect(all).toContain('华润万象城和城南万达广场');
    // 一般公共预算收入: 14.8 of 21.5 = 68.8%, 6.2 points behind 75% → 滞后
    expect(all).toContain('完成年度目标的68.8%，低于时序进度6.2个百分点');
    pages.forEach((p, i) => {
      expect(p).toContain(`— ${i + 1} —`);
      expect(p).toContain('示例数据 · 非官方统计数据');
    });
  });

  it('archives a PDF/A-3b that qpdf finds sound and that carries the input JSON', async () => {
    const file = path.join(archive, 'yuquan-2023/2023Q3/v1/briefing.pdf');
    const raw = await readFile(file);
    expect(raw.toString('latin1')).toMatch(/<pdfaid:part>3<\/pdfaid:part>\s*<pdfaid:conformance>B<\/pdfaid:conformance>/);
    expect(raw.toString('latin1')).toContain('/OutputIntents');
    const check = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
    expect(check.error, 'qpdf must be installed (.ci/run installs it)').toBeUndefined();
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('No syntax or stream encoding errors found');
    const attached = await pdfAttachments(raw);
    expect(Object.keys(attached).sort()).toEqual(['evaluation.json', 'figures.json']);
    const archived = await readFile(path.join(archive, 'yuquan-2023/2023Q3/v1/data/figures.json'));
    expect(sha(attached['figures.json']!)).toBe(sha(archived));
  });

  it('breaks Chinese lines properly: no line starts with closing punctuation or ends with opening punctuation', async () => {
    const r = spawnSync('pdftotext', [path.join(archive, 'yuquan-2023/2023Q3/v1/briefing.pdf'), '-'], { encoding: 'utf8' });
    expect(r.error, 'pdftotext must be installed (.ci/run installs poppler-utils)').toBeUndefined();
    const lines = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.filter((l) => /^[，。、；：！？）」』》”]/.test(l))).toEqual([]);
    expect(lines.filter((l) => /[（「『《“]$/.test(l))).toEqual([]);
  });

  it('embeds subset TrueType fonts with ToUnicode maps, and no unembedded base fonts', async () => {
    const raw = (await readFile(path.join(archive, 'yuquan-2023/2023Q3/v1/briefing.pdf'))).toString('latin1');
    const fonts = [...raw.matchAll(/\/BaseFont \/([A-Z]{6}\+[\w-]+)/g)].map((m) => m[1]);
    expect(fonts.length).toBeGreaterThan(0);
    expect(fonts.every((f) => /^[A-Z]{6}\+Noto(Serif|Sans)SC-/.test(f!))).toBe(true);
    expect(raw).toContain('/FontFile2');
    expect(raw).toContain('/ToUnicode');
    expect(raw).not.toMatch(/\/BaseFont \/(Helvetica|Times|Courier)/);
  });

  it('writes one email per recipient to the outbox, the PDF attached under its Chinese name, and logs each send', async () => {
    const files = (await readdir(outbox)).filter((f) => f.endsWith('.eml')).sort();
    expect(files).toHaveLength(2); // to: leadership, cc: district-office
    const pdf = await readFile(path.join(archive, 'yuquan-2023/2023Q3/v1/briefing.pdf'));
    for (const f of files) {
      const mail = await simpleParser(await readFile(path.join(outbox, f)));
      expect(mail.subject).toBe('【示例数据】玉泉区2023年前三季度政府工作报告目标任务推进情况（政府工作报告目标任务推进情况第3期）');
      expect((mail.to as { text: string }).text).toBe('leadership@example.org');
      expect((mail.cc as { text: string }).text).toBe('district-office@example.org');
      expect(mail.attachments).toHaveLength(1);
      expect(mail.attachments[0]!.filename).toBe('玉泉区2023年前三季度政府工作报告目标任务推进情况.pdf');
      expect(sha(mail.attachments[0]!.content)).toBe(sha(pdf));
      expect(mail.text).toContain('示例数据');
      expect(mail.text).toContain('一般公共预算收入');
      expect(mail.text).toContain('存档：yuquan-2023/2023Q3/v1');
      expect(mail.html).toContain('<li>改造老旧小区：');
    }
    const log = (await readFile(path.join(archive, 'yuquan-2023/2023Q3/v1.deliveries.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((r: { address: string; status: string }) => `${r.address}:${r.status}`)).toEqual(['leadership@example.org:intent', 'leadership@example.org:sent', 'district-office@example.org:intent', 'district-office@example.org:sent']);
  });

  it('creates a new version on a rerun and leaves the earlier one untouched', async () => {
    const v1 = path.join(archive, 'yuquan-2023/2023Q3/v1');
    const before = sha(await readFile(path.join(v1, 'manifest.json')));
    const again = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023Q3', '--note', '更正一般公共预算收入数据', '--no-send'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('supersedes v1');
    const v2 = JSON.parse(await readFile(path.join(archive, 'yuquan-2023/2023Q3/v2/manifest.json'), 'utf8'));
    expect(v2).toMatchObject({ version: 2, supersedes: 1, trigger: { note: '更正一般公共预算收入数据' } });
    expect(sha(await readFile(path.join(v1, 'manifest.json')))).toBe(before);
    expect((await stat(path.join(v1, 'briefing.pdf'))).mode & 0o222).toBe(0); // write-once: read-only
    expect((await pdfPages(await readFile(path.join(archive, 'yuquan-2023/2023Q3/v2/briefing.pdf')))).join('')).toContain('更正说明：更正一般公共预算收入数据');
    expect((await readdir(outbox)).filter((f) => f.endsWith('.eml'))).toHaveLength(2); // --no-send: no more
  });

  it('reads an XLSX quarter and marks the indicator without a figure as 缺数据', async () => {
    const r = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023Q2', '--no-send'], { env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('2023Q2.xlsx');
    expect(r.stdout).toContain('缺数据 1');
    const evaluation = JSON.parse(await readFile(path.join(archive, 'yuquan-2023/2023Q2/v1/data/evaluation.json'), 'utf8'));
    const missing = evaluation.indicators.filter((i: { status: string }) => i.status === 'missing');
    expect(missing.map((i: { id: string }) => i.id)).toEqual(['rural-income']);
    const text = (await pdfPages(await readFile(path.join(archive, 'yuquan-2023/2023Q2/v1/briefing.pdf')))).join('');
    expect(text).toContain('暂缺数据的指标：农村常住居民人均可支配收入（统计部门尚未发布）');
  });

  it('says "not ready" (exit 3) for a period with no figures yet, and writes nothing', async () => {
    const r = await runCli(['run', '--report', 'yuquan-2023', '--period', '2023-05'], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^not ready: no figures for 2023-05/);
    await expect(stat(path.join(archive, 'yuquan-2023/2023-05'))).rejects.toThrow();
  });
});
