// A real S3-compatible server in its own process (the s3rver package), for archive tests.
// Env: PORT, DIR (where it keeps the objects), BUCKETS (comma-separated, created at start).
// s3rver accepts the credentials S3RVER/S3RVER; it does not enforce If-None-Match or Object Lock.
import path from 'node:path';
import { createRequire } from 'node:module';

// s3rver walks its folder in directory order and cuts a listing page at MaxKeys there, while the
// next page starts after the last key *by name*: past 1000 keys it repeats some and loses others.
// S3 lists in key order; its folders are read here in that order (a folder `a` sorts as `a/`,
// an object file by its key), so pages are cut where S3 cuts them.
const requireS3rver = createRequire(createRequire(import.meta.url).resolve('s3rver'));
const fs = requireS3rver('fs-extra');
const readdirSync = fs.readdirSync;
fs.readdirSync = function sortedReaddir(dir, options) {
  const names = readdirSync.call(this, dir, options);
  if (options) return names;
  const keyOf = (n) => {
    try {
      return fs.statSync(path.join(dir, n)).isDirectory() ? `${n}/` : n.replace(/\._S3rver_[\w.]+$/, '');
    } catch {
      return n;
    }
  };
  return names.map((n) => [keyOf(n), n]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, n]) => n);
};

const { default: S3rver } = await import('s3rver');
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(process.env.PORT),
  directory: process.env.DIR,
  silent: true,
  configureBuckets: (process.env.BUCKETS ?? '').split(',').filter(Boolean).map((name) => ({ name })),
});
await server.run();
process.send?.('ready');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
