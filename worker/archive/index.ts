/**
 * The archive's door: the store contract and the one factory that builds a store from the
 * settings. Code outside archive/ imports from here (and from snapshot-id.ts for ids), never a
 * store's module, and never builds a snapshot's path.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import type { Settings } from '../config/settings.ts';
import { CodedError } from '../errors/index.ts';
import { redactUrl } from '../redact.ts';
import { FolderStore } from './folder-store.ts';
import { lazyS3Store } from './s3-lazy.ts';
import type { Signer } from './signing.ts';
import type { SnapshotStore } from './snapshot.ts';

export type * from './snapshot.ts';
export { parseSnapshotId, parseSnapshotName, snapshotId, snapshotName } from './snapshot-id.ts';

/** Where JIBAO_ARCHIVE_URL (else JIBAO_ARCHIVE_DIR) puts the archive. */
export type ArchiveLocation =
  | { readonly kind: 'folder'; readonly root: string }
  /** `prefix` without leading or trailing `/`; '' for the bucket's root. */
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

/** What a store may be given instead of building it itself (tests, the API's shared Redis). */
export interface StoreDeps {
  /** Signs manifests and history lines; default JIBAO_ARCHIVE_SIGNING_KEY if set; null: never. */
  readonly signer?: Signer | null;
  /** The S3 store's client; default one from the AWS_* environment (endpoint: AWS_ENDPOINT_URL). */
  readonly s3Client?: S3Client;
  /** The S3 store's lock for version numbers and history appends across hosts. */
  readonly redis?: Redis;
}

/** A path or `file://` → the folder store; `s3://bucket/prefix` → the S3 store; anything else is refused. */
export function archiveLocation(settings: Pick<Settings, 'archiveDir' | 'archiveUrl'>): ArchiveLocation {
  const url = settings.archiveUrl?.trim();
  if (!url) return { kind: 'folder', root: settings.archiveDir };
  if (url.startsWith('file://')) return { kind: 'folder', root: fileURLToPath(url) };
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (s3) return { kind: 's3', bucket: s3[1]!, prefix: (s3[2] ?? '').replace(/^\/+|\/+$/g, '') };
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^[a-z]:[\\/]/i.test(url)) throw new CodedError('ARCHIVE_URL_UNSUPPORTED', { url: redactUrl(url) });
  return { kind: 'folder', root: path.resolve(url) };
}

/** The store the settings name. Cheap: callers may build one per use. */
export function createSnapshotStore(settings: Pick<Settings, 'archiveDir' | 'archiveUrl'>, deps: StoreDeps = {}): SnapshotStore {
  const loc = archiveLocation(settings);
  if (loc.kind === 'folder') return new FolderStore(loc.root, deps.signer !== undefined ? { signer: deps.signer } : {});
  return lazyS3Store(loc, deps);
}

/** The names of a snapshot's files, to read them through the store (never to build a path). */
export { EVALUATION_NAME, FIGURES_NAME, inputName, MANIFEST_NAME, MARKUP_NAME, MODEL_NAME, PDF_NAME } from './layout.ts';
/** Reading and recording through the store a snapshot came from. */
export { readApprovals, readDeliveries, readSnapshotFile, recordApproval, recordDelivery, snapshotDigest } from './held.ts';
export { deliveryEventKey } from './events.ts';
