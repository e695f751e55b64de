import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { freePort } from './redis.ts';
import { tempDir } from './cli.ts';

export interface TestS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** The AWS SDK's own variables pointing at this server, for a `jibao` child process. */
  readonly env: Readonly<Record<string, string>>;
  /** `s3://<bucket>/<prefix>`: what JIBAO_ARCHIVE_URL names. */
  url(prefix: string): string;
  /** A client for the test itself (to look at or tamper with stored objects). */
  client(): S3Client;
  stop(): Promise<void>;
}

/**
 * A real S3-compatible server process (s3rver) on a free loopback port, with its own folder and
 * one bucket. It accepts any request signed with S3RVER/S3RVER.
 */
export async function startS3(bucket = 'jibao-test'): Promise<TestS3> {
  const port = await freePort();
  const dir = await tempDir('s3');
  const child: ChildProcess = fork(path.join(import.meta.dirname, 's3-server-process.mjs'), [], {
    // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only has in its
    // legacy provider: without it every listing of more than 1000 keys fails with a 500.
    execArgv: ['--openssl-legacy-provider'],
    env: { ...process.env, PORT: String(port), DIR: dir, BUCKETS: bucket },
    stdio: 'ignore',
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`s3rver process exited ${code}`)));
  });
  child.removeAllListeners('exit');
  const endpoint = `http://127.0.0.1:${port}`;
  // AWS_MAX_ATTEMPTS (the SDK's own): s3rver answers 500 now and then when a listing reads an object's
  // metadata while it is being written (it parses a half-written file); S3 and MinIO do not.
  const env = { AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_MAX_ATTEMPTS: '6' };
  const clients: S3Client[] = [];
  return {
    endpoint,
    bucket,
    env,
    url: (prefix) => `s3://${bucket}/${prefix}`,
    client() {
      const c = new S3Client({ endpoint, region: env.AWS_REGION, forcePathStyle: true, maxAttempts: 6, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
