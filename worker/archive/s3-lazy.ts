import type { StoreDeps } from './index.ts';
import type { S3Store } from './s3-store.ts';
import type { SnapshotStore } from './snapshot.ts';

/**
 * The S3 store behind the archive's factory, loaded on first use: the AWS SDK is only read by
 * the processes that use a bucket, and only when they touch the archive.
 */
export function lazyS3Store(loc: { readonly bucket: string; readonly prefix: string }, deps: StoreDeps): SnapshotStore {
  let store: Promise<S3Store> | undefined;
  const load = () => (store ??= import('./s3-store.ts').then(({ S3Store }) => new S3Store({ bucket: loc.bucket, prefix: loc.prefix, client: deps.s3Client, redis: deps.redis, signer: deps.signer })));
  return {
    location: `s3://${loc.bucket}/${loc.prefix}`,
    list: async (...a) => (await load()).list(...a),
    versions: async (...a) => (await load()).versions(...a),
    latestVersion: async (...a) => (await load()).latestVersion(...a),
    read: async (...a) => (await load()).read(...a),
    findByJob: async (...a) => (await load()).findByJob(...a),
    write: async (...a) => (await load()).write(...a),
    readFile: async (...a) => (await load()).readFile(...a),
    openFile: async (...a) => (await load()).openFile(...a),
    remove: async (...a) => (await load()).remove(...a),
    recordDelivery: async (...a) => (await load()).recordDelivery(...a),
    readDeliveries: async (...a) => (await load()).readDeliveries(...a),
    recordApproval: async (...a) => (await load()).recordApproval(...a),
    readApprovals: async (...a) => (await load()).readApprovals(...a),
    verify: async (...a) => (await load()).verify(...a),
  };
}
