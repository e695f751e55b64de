/**
 * The queue's cost. Starts a private redis-server, then:
 *  1. renders N briefings in a plain loop in one process (one core);
 *  2. runs the same N through the queue with two `jibao start --roles worker` processes;
 *     queue overhead per core = (queue time × 2 cores) / loop time − 1 (goal ≤ 15%);
 *  3. runs M jobs through one worker process and prints its RSS at start, peak and end.
 * Usage: npm run bench:queue [-- --jobs 200 --rss-jobs 1000]
 */
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parsePeriod } from '../worker/domain/period.ts';
import { runBriefing } from '../worker/pipeline/run.ts';
import { settingsFromEnv } from '../worker/config/settings.ts';
import { BRIEFINGS_QUEUE, JOB_NAME, type BriefingJobData } from '../worker/queue/briefing-job.ts';
import { startRedis } from '../test/support/redis.ts';
import { jibaoMode } from './mode.ts';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '200' }, 'rss-jobs': { type: 'string', default: '1000' }, workers: { type: 'string', default: '2' }, 'loop-child': { type: 'string' } },
});

/** N briefings in a plain loop, the same pipeline the workers run. */
async function plainLoop(n: number, archiveDir: string): Promise<number> {
  const settings = { ...settingsFromEnv(), archiveDir };
  const run = () => runBriefing({ reportId: 'yuquan-2023', period: parsePeriod('2023Q3'), send: false, trigger: { kind: 'cli', by: 'bench' } }, settings);
  await run(); // warm up
  const t = performance.now();
  for (let i = 0; i < n; i++) await run();
  return performance.now() - t;
}

if (values['loop-child']) {
  // A child of the contention control: prints its loop time and exits.
  const [n, dir] = values['loop-child'].split(',');
  process.stdout.write(String(await plainLoop(Number(n), dir!)));
  process.exit(0);
}
const N = Number(values.jobs);
const W = Number(values.workers);
const M = Number(values['rss-jobs']);
const root = path.resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'jibao-bench-queue-'));
const redis = await startRedis();
const client = new Redis(redis.url, { maxRetriesPerRequest: null });
const queue = new Queue(BRIEFINGS_QUEUE, { connection: client });
const data: BriefingJobData = { report: 'yuquan-2023', period: '2023Q3', trigger: { kind: 'cli', by: 'bench' }, send: false };

function worker(archive: string): ChildProcess {
  return spawn(process.execPath, [path.join(root, 'bin/jibao.js'), 'start', '--roles', 'worker', '--render-threads', '0'], {
    env: { ...process.env, REDIS_URL: redis.url, JIBAO_ARCHIVE_DIR: archive, JIBAO_LOG_LEVEL: 'warn', SMTP_URL: '', NODE_OPTIONS: process.env['WORKER_NODE_OPTIONS'] ?? '' },
    stdio: 'ignore',
  });
}

async function drain(total: number, onTick?: () => void): Promise<void> {
  for (;;) {
    const c = await queue.getJobCounts('completed', 'failed');
    if ((c.failed ?? 0) > 0) throw new Error(`${c.failed} job(s) failed`);
    if ((c.completed ?? 0) >= total) return;
    onTick?.();
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitForWorkers(n: number): Promise<void> {
  while ((await queue.getWorkers()).length < n) await new Promise((r) => setTimeout(r, 100));
}

const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

try {
  console.log(`code                 ${jibaoMode(root)}; ${os.cpus().length} cores`);
  // 1. plain loop, one process, the same pipeline
  const loop = await plainLoop(N, path.join(tmp, 'loop'));
  console.log(`loop (1 core)        ${N} briefings in ${(loop / 1000).toFixed(1)} s, ${(loop / N).toFixed(0)} ms each`);
  // Control: W plain loops side by side, no queue: what sharing the cores costs by itself.
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: W }, (_, i) =>
      new Promise<void>((resolve, reject) => {
        const c = spawn(process.execPath, ['--import', 'tsx/esm', import.meta.filename, '--loop-child', `${Math.ceil(N / W)},${path.join(tmp, `ctl${i}`)}`], { stdio: 'ignore' });
        c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`loop child exited ${code}`))));
      }),
    ),
  );
  const parallel = performance.now() - t0;
  console.log(`${W} loops, no queue   ${N} briefings in ${(parallel / 1000).toFixed(1)} s, ${((parallel * W) / N).toFixed(0)} ms of core time each (cores shared, no queue)`);

  // 2. the same through the queue, two worker processes
  const workers = Array.from({ length: W }, () => worker(path.join(tmp, 'queue')));
  await waitForWorkers(W);
  await queue.addBulk(Array.from({ length: W * 2 }, () => ({ name: JOB_NAME, data }))); // warm every worker
  await drain(W * 2);
  await queue.obliterate({ force: true });
  await waitForWorkers(W);
  const t = performance.now();
  await queue.addBulk(Array.from({ length: N }, () => ({ name: JOB_NAME, data })));
  await drain(N);
  const queued = performance.now() - t;
  const overhead = (queued * W) / loop - 1;
  console.log(`queue (${W} worker${W > 1 ? 's' : ''})    ${N} briefings in ${(queued / 1000).toFixed(1)} s, ${((queued * W) / N).toFixed(0)} ms of core time each`);
  console.log(`speed-up ${(loop / queued).toFixed(2)}×; overhead per core against the single loop ${(overhead * 100).toFixed(1)}% (goal ≤ 15%)`);
  console.log(`  of which sharing the cores (plain loops side by side) ${(((parallel * W) / loop - 1) * 100).toFixed(1)}%, the queue itself ${((queued / parallel - 1) * 100).toFixed(1)}%`);
  for (const w of workers) w.kill('SIGTERM');

  // 3. memory of one worker over M jobs
  await queue.obliterate({ force: true });
  const w = worker(path.join(tmp, 'rss'));
  await waitForWorkers(1);
  await queue.add(JOB_NAME, data);
  await drain(1);
  const start = rss(w.pid!);
  let peak = start;
  await queue.obliterate({ force: true });
  await waitForWorkers(1);
  await queue.addBulk(Array.from({ length: M }, () => ({ name: JOB_NAME, data, opts: { removeOnComplete: true } })));
  let done = 0;
  const sample = () => (peak = Math.max(peak, rss(w.pid!)));
  for (;;) {
    const c = await queue.getJobCounts('wait', 'active', 'delayed', 'failed');
    if ((c.failed ?? 0) > 0) throw new Error('a job failed');
    sample();
    if ((c.wait ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0) break;
    done = M - (c.wait ?? 0) - (c.active ?? 0);
    await new Promise((r) => setTimeout(r, 250));
  }
  void done;
  const end = rss(w.pid!);
  console.log(`worker RSS over ${M} jobs: start ${start.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, end ${end.toFixed(0)} MB`);
  w.kill('SIGTERM');
} finally {
  await queue.close();
  client.disconnect();
  await redis.stop();
  rmSync(tmp, { recursive: true, force: true });
}
