import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './cli.ts';

export type JibaoProcess = ChildProcess & { readonly output: string };

/** `jibao start --roles <roles> [args]` as its own process (in `cwd`), as operators run it; `output` is stdout + stderr so far. */
export function startJibao(roles: string, env: Record<string, string>, opts: { cwd?: string; args?: readonly string[] } = {}): JibaoProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/jibao.js'), 'start', '--roles', roles, ...(opts.args ?? [])], {
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: { ...process.env, SMTP_URL: '', JIBAO_LOG_LEVEL: 'info', JIBAO_STALLED_INTERVAL_MS: '1000', JIBAO_LOCK_DURATION_MS: '2000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  Object.defineProperty(child, 'output', { get: () => output });
  return child as JibaoProcess;
}

/** JSON log lines of a process's output (non-JSON lines skipped). */
export function logLines(p: JibaoProcess): Record<string, unknown>[] {
  return p.output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** Resolves with the exit code, or 'running' if the process is still alive after `ms`. */
export function exitWithin(p: ChildProcess, ms: number): Promise<number | string | null> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode ?? p.signalCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('running'), ms);
    p.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
  });
}

/** Ends a process the test started, SIGKILL if SIGTERM is not enough (a SIGSTOPped one is resumed first). */
export async function killHard(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGCONT');
  p.kill('SIGTERM');
  if ((await exitWithin(p, 5000)) === 'running') {
    p.kill('SIGKILL');
    await exitWithin(p, 5000);
  }
}
