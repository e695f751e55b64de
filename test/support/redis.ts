import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Stops and starts the server again on the same port (clients see a restart). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts a private redis-server for a test: its own port, no persistence, its own folder.
 * Tests never touch a Redis they did not start (never the machine's 6379).
 */
export async function startRedis(extraArgs: readonly string[] = []): Promise<TestRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jibao-redis-'));
  let child = await spawnRedis(port, dir, extraArgs);
  const stopChild = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart() {
      await stopChild();
      child = await spawnRedis(port, dir, extraArgs);
    },
    async stop() {
      await stopChild();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `extraArgs` come last and win (e.g. `--appendonly yes` to test persistence checks). */
async function spawnRedis(port: number, dir: string, extraArgs: readonly string[]): Promise<ChildProcess> {
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const failed = (why: string) => reject(new Error(`redis-server did not start (${why}); is it installed? ${log.slice(-500)}`));
    child.once('error', (e) => failed(e.message));
    child.once('exit', (code) => failed(`exited with ${code}`));
    const deadline = Date.now() + 10_000;
    const probe = () => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.write('PING\r\n');
        sock.once('data', (d) => {
          sock.destroy();
          if (d.toString().startsWith('+PONG')) resolve();
          else setTimeout(probe, 50);
        });
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) failed('no answer within 10 s');
        else setTimeout(probe, 50);
      });
    };
    probe();
  });
  child.removeAllListeners('exit');
  return child;
}
