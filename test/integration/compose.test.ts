import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.ts';

// Docker is not available on these machines: the compose file is checked, not run.
describe('docker-compose.yml', () => {
  it('defines the stack, and every jibao command and variable it uses exists and is documented', async () => {
    const compose = load(await readFile(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { command?: string[]; environment?: Record<string, string>; image?: string }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'briefing', 'mail', 'redis', 'scheduler', 'worker']);
    expect(compose.services['redis']!.command).toContain('--appendonly');
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const v of Object.keys(svc.environment ?? {})) expect(readme, `${name}: ${v} documented in the README`).toContain(v);
      const cmd = (svc.command ?? []).join(' ');
      const m = /npx jibao ([^&]*)$/.exec(cmd);
      if (!m) continue;
      const args = m[1]!.trim().split(/\s+/);
      // The command must parse: ask for its help with the same sub-command and options.
      const help = await runCli([args[0]!, '--help']);
      expect(help.code, `${name}: jibao ${args[0]}`).toBe(0);
      for (const opt of args.filter((a) => a.startsWith('--'))) expect(help.stdout, `${name}: jibao ${args[0]} ${opt}`).toContain(opt);
      const roles = args[args.indexOf('--roles') + 1];
      if (args.includes('--roles')) for (const r of roles!.split(',')) expect(['worker', 'scheduler', 'api']).toContain(r);
    }
  });
});
