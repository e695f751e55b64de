// A real S3-compatible server in its own process (the s3rver package), for archive tests.
// Env: PORT, DIR (where it keeps the objects), BUCKETS (comma-separated, created at start).
// s3rver accepts the credentials S3RVER/S3RVER; it does not enforce If-None-Match or Object Lock.
import S3rver from 's3rver';

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
