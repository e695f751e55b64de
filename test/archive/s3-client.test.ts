import { describe, expect, it } from 'vitest';
import { classify } from '../../worker/errors/index.ts';
import { describeS3, isS3Url, parseS3Url, s3ClientConfig } from '../../worker/archive/s3-client.ts';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return classify(e).code;
  }
  return undefined;
};

describe('JIBAO_ARCHIVE_URL and the S3 client configuration', () => {
  it('parses s3://bucket/prefix; a path or file:// is not S3', () => {
    expect(parseS3Url('s3://jibao-archive/briefings/2023/')).toEqual({ bucket: 'jibao-archive', prefix: 'briefings/2023' });
    expect(parseS3Url('s3://jibao-archive')).toEqual({ bucket: 'jibao-archive', prefix: '' });
    expect(parseS3Url('S3://jibao-archive//a//b')).toEqual({ bucket: 'jibao-archive', prefix: 'a/b' });
    expect(isS3Url('s3://b/p')).toBe(true);
    for (const other of ['/srv/archive', 'archive', 'file:///srv/archive', '', undefined]) expect(isS3Url(other)).toBe(false);
  });

  it('refuses malformed names and credentials in the URL, without quoting the secret', () => {
    for (const bad of ['s3://', 's3://UPPER/x', 's3://a/../b', 's3://key:secret@bucket/p']) expect(codeOf(() => parseS3Url(bad)), bad).toBe('ARCHIVE_URL_INVALID');
    try {
      parseS3Url('s3://key:secret@bucket/p');
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('secret');
    }
    expect(codeOf(() => s3ClientConfig({ AWS_ENDPOINT_URL_S3: 'http://user:pw@minio:9000' }))).toBe('ARCHIVE_URL_INVALID');
    expect(codeOf(() => s3ClientConfig({ AWS_ENDPOINT_URL_S3: 'ftp://minio' }))).toBe('ARCHIVE_URL_INVALID');
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
