import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadJobDefinition } from '../../worker/config/job-definition.ts';
import { createLogger } from '../../worker/log.ts';
import { scheduledJobId } from '../../worker/queue/briefing-job.ts';
import { Scheduler } from '../../worker/queue/scheduler.ts';
import { fixtureReport } from '../support/fixture-report.ts';
import { useBriefingsQueue } from '../support/queue.ts';
import { until } from '../support/wait.ts';

function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { log: createLogger({}, stream), lines };
}

/** A 2024 report firing on 1 October at 09:00, moved to the next working day. */
async function nationalDayJob(id: string) {
  const fx = await fixtureReport({ id, year: 2024, cron: '0 9 1 10 *' });
  const file = path.join(fx.jobsDir, fx.id, 'job.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('  timezone: Asia/Shanghai', '  workday: next\n  timezone: Asia/Shanghai'));
  return loadJobDefinition(fx.jobsDir, fx.id);
}

describe('the scheduler fires moved fires from the one schedule definition (real Redis)', () => {
  const q = useBriefingsQueue();

  it('catch-up runs nothing during the holiday and the moved fire once after it', async () => {
    const def = await nationalDayJob('natday-catchup-2024');
    const { log, lines } = captureLog();
    const s = new Scheduler({ jobs: [def], queue: q.queue, redis: q.client, log, clock: () => new Date() });
    await s.catchUp(new Date('2024-10-03T04:00:00Z')); // 10-01 09:00 is a holiday: no fire to catch up
    expect(await q.queue.getJob(scheduledJobId(def.id, '2024Q3'))).toBeUndefined();
    await s.catchUp(new Date('2024-10-08T04:00:00Z')); // 12:00 on 10-08, three hours after the moved fire
    expect((await q.queue.getJob(scheduledJobId(def.id, '2024Q3')))?.data).toMatchObject({ period: '2024Q3', waitUntil: '2024-10-08T02:00:00.000Z' });
    expect(lines.find((l) => l['msg'] === 'caught up a missed fire')).toMatchObject({ fireTime: '2024-10-08T01:00:00.000Z', movedFrom: { date: '2024-10-01', reason: '国庆节' } });
  });

  it("its timer fires the moved fire when the clock reaches it (a clock 50 ms before 2024-10-08 09:00)", async () => {
    const def = await nationalDayJob('natday-timer-2024');
    const { log, lines } = captureLog();
    const offset = Date.parse('2024-10-08T01:00:00Z') - 50 - Date.now();
    const s = new Scheduler({ jobs: [def], queue: q.queue, redis: q.client, log, clock: () => new Date(Date.now() + offset) });
    try {
      await s.start();
      expect(lines.find((l) => l['msg'] === 'scheduled')).toMatchObject({ report: def.id, next: '2024-10-08T01:00:00.000Z' });
      await until('the moved fire', async () => q.queue.getJob(scheduledJobId(def.id, '2024Q3')), 5000);
      expect(lines.find((l) => l['msg'] === 'fired')).toMatchObject({ reason: 'cron', fireTime: '2024-10-08T01:00:00.000Z', movedFrom: { date: '2024-10-01', reason: '国庆节' } });
    } finally {
      s.stop();
    }
  });
});
