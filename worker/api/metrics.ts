import type { Queue } from 'bullmq';
import { Gauge, Registry, Summary } from 'prom-client';

/**
 * Prometheus metrics read from the queues at scrape time, so one API process reports for every
 * worker: jobs by state, recent render durations, deliveries.
 */
export function createMetrics(briefings: Queue, deliveries: Queue): { render(): Promise<string>; contentType: string } {
  const registry = new Registry();
  const jobs = new Gauge({ name: 'jibao_jobs', help: 'Jobs by queue and state', labelNames: ['queue', 'state'], registers: [registry] });
  const render = new Summary({ name: 'jibao_render_duration_seconds', help: 'Render time of the last 100 completed briefings', percentiles: [0.5, 0.9, 0.99], registers: [registry] });
  const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;
  return {
    contentType: registry.contentType,
    async render() {
      for (const q of [briefings, deliveries]) {
        const counts = await q.getJobCounts(...STATES);
        for (const s of STATES) jobs.set({ queue: q.name, state: s }, counts[s] ?? 0);
      }
      render.reset();
      for (const j of await briefings.getJobs(['completed'], 0, 99)) {
        const ms = (j.returnvalue as { renderMs?: number } | null)?.renderMs;
        if (typeof ms === 'number') render.observe(ms / 1000);
      }
      return registry.metrics();
    },
  };
}
