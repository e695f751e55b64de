import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.ts';
import { jobsWithoutReview } from '../support/jobs.ts';
import { pdfPages } from '../support/pdf.ts';

describe('a corrected rerun states what changed (更正说明)', () => {
  it('lists the figures and statuses that differ from the previous version, in the briefing and the email', async () => {
    const archive = await tempDir('c-archive');
    const outbox = await tempDir('c-outbox');
    const env = { JIBAO_ARCHIVE_DIR: archive, JIBAO_OUTBOX_DIR: outbox, JIBAO_JOBS_DIR: await jobsWithoutReview() };
    expect((await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q3', '--no-send'], { env })).code).toBe(0);
    const original = await readFile(path.join(ROOT, 'jobs/yuquan-2023/figures/2023Q3.csv'), 'utf8');
    const corrected = original
      .replace('一般公共预算收入,2023Q3,14.8,2.1', '一般公共预算收入,2023Q3,16.5,2.1')
      .replace('环创富碳20万吨二氧化碳捕集项目,2023Q3,,,滞后', '环创富碳20万吨二氧化碳捕集项目,2023Q3,,,序时推进');
    expect(corrected).not.toBe(original);
    const file = path.join(await tempDir('c-figures'), '2023Q3-更正.csv');
    await writeFile(file, corrected);
    const r = await runCli(['run', '-r', 'yuquan-2023', '-p', '2023Q3', '--figures', file, '--note', '财政局更正收入数据', '--to', 'me@example.org'], { env });
    expect(r.code).toBe(0);
    const text = (await pdfPages(await readFile(path.join(archive, 'yuquan-2023/2023Q3/v2/briefing.pdf')))).join('');
    expect(text).toContain('更正说明：财政局更正收入数据');
    expect(text).toContain('与第1版相比：一般公共预算收入：累计值由14.80亿元更正为16.50亿元，状态由滞后变为达序时；环创富碳20万吨二氧化碳捕集项目：进展由滞后变为序时推进。');
    const [eml] = (await (await import('node:fs/promises')).readdir(outbox)).filter((f) => f.endsWith('.eml'));
    const mail = await simpleParser(await readFile(path.join(outbox, eml!)));
    expect((mail.to as { text: string }).text).toBe('me@example.org');
    expect(mail.subject).toContain('【更正】');
    expect(mail.text).toContain('- 一般公共预算收入：累计值由14.80亿元更正为16.50亿元，状态由滞后变为达序时');
  });
});
