import { describe, expect, it } from 'vitest';
import { classify } from '../../worker/errors/index.ts';
import { describeS3, s3ClientConfig } from '../../worker/archive/s3-client.ts';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return classify(e).code;
  }
  return undefined;
};

describe('JIBAO_ARCHIVE_URL and the S3 client configuration', () => {
  it('refuses an endpoint that is not http(s) or carries credentials, without quoting the secret', () => {
    expect(codeOf(() => s3ClientConfig({ AWS_ENDPOINT_URL_S3: 'http://user:secret@minio:9000' }))).toBe('ARCHIVE_URL_INVALID');
    expect(codeOf(() => s3ClientConfig({ AWS_ENDPOINT_URL_S3: 'ftp://minio' }))).toBe('ARCHIVE_URL_INVALID');
    expect(codeOf(() => s3ClientConfig({ AWS_ENDPOINT_URL: 'not a url' }))).toBe('ARCHIVE_URL_INVALID');
    try {
      s3ClientConfig({ AWS_ENDPOINT_URL_S3: 'http://user:secret@minio:9000' });
    } catch (e) {
      expect(JSON.stringify({ m: (e as Error).message, p: (e as { params: unknown }).params })).not.toContain('secret');
    }
  });

  it('uses the SDK variables: a custom endpoint gets path-style addressing and a default region', () => {
    const custom = s3ClientConfig({ AWS_ENDPOINT_URL: 'http://minio:9000', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' });
    expect(custom).toMatchObject({ endpoint: 'http://minio:9000', forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
    // The S3-specific endpoint wins over the general one.
    expect(s3ClientConfig({ AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://b:2' }).endpoint).toBe('http://b:2');
    const aws = s3ClientConfig({ AWS_REGION: 'cn-north-1' });
    expect(aws).toEqual({ region: 'cn-north-1' }); // AWS itself: virtual-host style, the SDK's credential chain
    expect(describeS3({ bucket: 'b', prefix: 'p' }, { AWS_ENDPOINT_URL_S3: 'http://minio:9000', AWS_SECRET_ACCESS_KEY: 'hidden' })).toBe('s3://b/p at http://minio:9000/');
  });
});
