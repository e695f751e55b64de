import path from 'node:path';
import os from 'node:os';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/jibao.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `jibao` command in a child process, as staff would; in English unless `env` sets JIBAO_LANG or LANG (with JIBAO_LANG ''). */
export function runCli(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: opts.cwd ?? ROOT, env: { ...process.env, SMTP_URL: '', JIBAO_DEBUG: '', JIBAO_LANG: 'en', ...opts.env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `jibao-${prefix}-`));
}
