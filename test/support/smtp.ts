import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { simpleParser, type ParsedMail } from 'mailparser';
import { freePort } from './redis.ts';
import { tempDir } from './cli.ts';

export interface TestSmtp {
  readonly url: string;
  readonly port: number;
  /** Starts the server process (again); `start` is called by startSmtp unless `down` is set. */
  start(): Promise<void>;
  stop(): Promise<void>;
  received(): Promise<{ envelope: { from: string; to: string[] }; mail: ParsedMail; raw: Buffer }[]>;
}

/** A real SMTP server process on a free loopback port. */
export async function startSmtp(opts: { reject?: string; tempFail?: number; down?: boolean; holdMs?: number; drop?: number; breakLog?: string; breakLogMs?: number } = {}): Promise<TestSmtp> {
  const port = await freePort();
  const spool = await tempDir('smtp');
  let child: ChildProcess | undefined;
  const smtp: TestSmtp = {
    url: `smtp://127.0.0.1:${port}`,
    port,
    async start() {
      child = fork(path.join(import.meta.dirname, 'smtp-server-process.mjs'), [], {
        env: {
          ...process.env,
          PORT: String(port),
          SPOOL: spool,
          REJECT: opts.reject ?? '',
          TEMPFAIL: String(opts.tempFail ?? 0),
          HOLD_MS: String(opts.holdMs ?? 0),
          DROP: String(opts.drop ?? 0),
          BREAK_LOG: opts.breakLog ?? '',
          BREAK_LOG_MS: String(opts.breakLogMs ?? 1000),
        },
        stdio: 'ignore',
      });
      await new Promise<void>((resolve, reject) => {
        child!.once('message', () => resolve());
        child!.once('exit', (code) => reject(new Error(`SMTP server process exited ${code}`)));
      });
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
    async received() {
      const names = (await readdir(spool)).filter((f) => f.endsWith('.eml')).sort();
      return Promise.all(
        names.map(async (n) => {
          const raw = await readFile(path.join(spool, n));
          const envelope = JSON.parse(await readFile(path.join(spool, n.replace('.eml', '.json')), 'utf8'));
          return { envelope, mail: await simpleParser(raw), raw };
        }),
      );
    },
  };
  if (!opts.down) await smtp.start();
  return smtp;
}
