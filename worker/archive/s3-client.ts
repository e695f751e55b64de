import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { redactUrl } from '../redact.ts';

/**
 * The client of the S3 archive (`JIBAO_ARCHIVE_URL=s3://bucket/prefix`, parsed by index.ts's
 * archiveLocation), configured by the AWS SDK's own variables. Credentials are read from the environment by the
 * SDK (or passed through untouched); nothing here prints them.
 */

export interface S3Location {
  readonly bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket's root. */
  readonly prefix: string;
}

/** A misconfigured S3 endpoint: the operator's to fix (exit 1), never retried. */
export class ArchiveUrlError extends Error {
  override name = 'ArchiveUrlError';
  readonly code = 'ARCHIVE_URL_INVALID';
  readonly retryable = false;
  constructor(
    message: string,
    readonly params: { readonly url: string; readonly reason: string },
  ) {
    super(`${message} [ARCHIVE_URL_INVALID]`);
  }
}

/** The endpoint the SDK's variables name: the S3-specific one wins over the general one. */
export function customEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const e = (env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || '').trim();
  if (!e) return undefined;
  let u: URL;
  try {
    u = new URL(e);
  } catch {
    throw new ArchiveUrlError('AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL is not a URL', { url: redactUrl(e), reason: 'endpoint' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ArchiveUrlError(`the S3 endpoint ${redactUrl(e)} is not http(s)`, { url: redactUrl(e), reason: 'endpoint' });
  if (u.username || u.password) throw new ArchiveUrlError('the S3 endpoint URL carries credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead', { url: redactUrl(e), reason: 'credentials' });
  return e;
}

/**
 * The client's configuration from the SDK's variables. A custom endpoint (MinIO, Ceph, an
 * on-premises store) gets path-style addressing (`http://host/bucket/key`): virtual-host style
 * needs a DNS name per bucket, which such stores rarely have. Without a region (common with a
 * custom endpoint) us-east-1 is used, which MinIO and most S3-compatible stores accept.
 */
export function s3ClientConfig(env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const endpoint = customEndpoint(env);
  const region = env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || (endpoint ? 'us-east-1' : undefined);
  const key = env['AWS_ACCESS_KEY_ID'];
  const secret = env['AWS_SECRET_ACCESS_KEY'];
  return {
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(region ? { region } : {}),
    // Given explicitly only when both are set; otherwise the SDK's own chain (profile, instance role).
    ...(key && secret ? { credentials: { accessKeyId: key, secretAccessKey: secret, ...(env['AWS_SESSION_TOKEN'] ? { sessionToken: env['AWS_SESSION_TOKEN'] } : {}) } } : {}),
  };
}

export function s3ClientFromEnv(env: NodeJS.ProcessEnv = process.env): S3Client {
  return new S3Client(s3ClientConfig(env));
}

/** For logs and `archive` output: where the archive is, without credentials. */
export function describeS3(location: S3Location, env: NodeJS.ProcessEnv = process.env): string {
  const endpoint = customEndpoint(env);
  const where = `s3://${location.bucket}/${location.prefix}`;
  return endpoint ? `${where} at ${redactUrl(endpoint)}` : where;
}

const shared = new Map<string, S3Client>();

/**
 * One client per configuration for the whole process: stores are cheap and made per use, and a
 * client holds a connection pool worth reusing.
 */
export function sharedS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  const config = s3ClientConfig(env);
  const key = JSON.stringify(config);
  let client = shared.get(key);
  if (!client) shared.set(key, (client = new S3Client(config)));
  return client;
}
