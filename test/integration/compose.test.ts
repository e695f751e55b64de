import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.ts';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const JIBAO_IMAGE = 'jibao:local';

async function compose(): Promise<Record<string, Service>> {
  // Compose applies YAML merge keys (`<<: *jibao`): parse with them, as Compose does.
  return (parse(await readFile(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> }).services;
}

// Docker is not available on these machines: the compose file and the Dockerfile are checked, not run.
describe('docker-compose.yml', () => {
  it('defines the stack, and every jibao command and variable it uses exists and is documented', async () => {
    const services = await compose();
    expect(Object.keys(services).sort()).toEqual(['api', 'briefing', 'mail', 'minio', 'minio-bucket', 'redis', 'scheduler', 'worker']);
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    for (const [name, svc] of Object.entries(services)) {
      for (const v of Object.keys(svc.environment ?? {})) expect(readme, `${name}: ${v} documented in the README`).toContain(v);
      if (svc.image !== JIBAO_IMAGE) continue;
      // The image's entrypoint is `jibao`: the command is its arguments, and must parse.
      const args = svc.command ?? [];
      const help = await runCli([args[0]!, '--help']);
      expect(help.code, `${name}: jibao ${args[0]}`).toBe(0);
      for (const opt of args.filter((a) => a.startsWith('--'))) expect(help.stdout, `${name}: jibao ${args[0]} ${opt}`).toContain(opt);
      if (args.includes('--roles')) for (const r of args[args.indexOf('--roles') + 1]!.split(',')) expect(['worker', 'scheduler', 'api']).toContain(r);
    }
  });

  it('pins every image, builds jibao once and never runs npm when a container starts', async () => {
    const services = await compose();
    for (const [name, svc] of Object.entries(services)) {
      expect(svc.image, name).toMatch(/:[\w.-]+$/);
      expect(svc.image, name).not.toMatch(/:latest$/);
      expect([...(svc.command ?? []), ...(svc.entrypoint ?? [])].join(' '), name).not.toMatch(/\bnpm\b|\bnpx\b/);
    }
    const jibao = Object.entries(services).filter(([, s]) => s.image === JIBAO_IMAGE);
    expect(jibao.map(([n]) => n).sort()).toEqual(['api', 'briefing', 'scheduler', 'worker']);
    expect(jibao.filter(([, s]) => s.build).map(([n]) => n)).toEqual(['worker']);

    const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.split('\n')[0]).toMatch(/^node:\d+\.\d+\.\d+-/); // a pinned base image
    expect(stages[0]).toMatch(/RUN npm ci\b/);
    const runtime = stages.at(-1)!;
    expect(runtime).not.toMatch(/^RUN .*\bnpm\b/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["node", "\/app\/bin\/jibao\.js"\]/m);
  });

  it('keeps the archive in MinIO, Redis behind a password, and a health check on every service', async () => {
    const services = await compose();
    const redis = services['redis']!;
    expect(redis.command).toContain('--appendonly');
    expect(redis.command).toContain('--requirepass');
    const bucket = services['minio-bucket']!.entrypoint!;
    expect(bucket).toContain('--with-lock');
    const bucketName = bucket.at(-1)!.split('/').at(-1)!;
    for (const [name, svc] of Object.entries(services).filter(([, s]) => s.image === JIBAO_IMAGE)) {
      const env = svc.environment ?? {};
      expect(env['REDIS_URL'], name).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD[^}]*\}@redis:6379$/);
      expect(env['JIBAO_ARCHIVE_URL'], name).toMatch(new RegExp(`^s3://${bucketName}/`));
      expect(env['AWS_ENDPOINT_URL_S3'], name).toBe('http://minio:9000');
      expect(env['AWS_SECRET_ACCESS_KEY'], name).toMatch(/^\$\{MINIO_ROOT_PASSWORD/); // from the environment, never in the file
      expect(svc.depends_on?.['minio-bucket']?.condition, name).toBe('service_completed_successfully');
    }
    for (const [name, svc] of Object.entries(services)) {
      const oneShot = name === 'minio-bucket' || (svc.profiles ?? []).includes('job');
      if (!oneShot) expect(svc.healthcheck?.test?.length, `${name} has a health check`).toBeGreaterThan(0);
    }
  });
});
