import { describe, expect, it } from 'vitest';
import { archiveLocation, createSnapshotStore } from '../../worker/archive/index.ts';
import { settingsFromEnv } from '../../worker/config/settings.ts';

describe('createSnapshotStore: JIBAO_ARCHIVE_URL picks the store', () => {
  const settings = (env: Record<string, string>) => settingsFromEnv(env, '/srv/jibao');

  it('without it, the folder JIBAO_ARCHIVE_DIR names (default ./archive)', () => {
    expect(archiveLocation(settings({}))).toEqual({ kind: 'folder', root: '/srv/jibao/archive' });
    expect(createSnapshotStore(settings({ JIBAO_ARCHIVE_DIR: '/data/archive' })).location).toBe('/data/archive');
  });

  it('a path or file:// keeps the folder store; s3://bucket/prefix selects the S3 store', () => {
    expect(archiveLocation(settings({ JIBAO_ARCHIVE_URL: '/mnt/archive' }))).toEqual({ kind: 'folder', root: '/mnt/archive' });
    expect(archiveLocation(settings({ JIBAO_ARCHIVE_URL: 'rel/archive' }))).toEqual({ kind: 'folder', root: '/srv/jibao/rel/archive' });
    expect(archiveLocation(settings({ JIBAO_ARCHIVE_URL: 'file:///mnt/archive%20q3' }))).toEqual({ kind: 'folder', root: '/mnt/archive q3' });
    expect(archiveLocation(settings({ JIBAO_ARCHIVE_URL: 's3://jibao-archive/district/yuquan/' }))).toEqual({ kind: 's3', bucket: 'jibao-archive', prefix: 'district/yuquan' });
    expect(archiveLocation(settings({ JIBAO_ARCHIVE_URL: 's3://jibao-archive' }))).toEqual({ kind: 's3', bucket: 'jibao-archive', prefix: '' });
  });

  it('anything else is refused by code', () => {
    for (const url of ['https://example.org/archive', 'gs://bucket/x', 's3://Bad_Bucket/x']) {
      expect(() => archiveLocation(settings({ JIBAO_ARCHIVE_URL: url }))).toThrow(expect.objectContaining({ code: 'ARCHIVE_URL_UNSUPPORTED' }));
    }
  });

  it('a refused URL with credentials names the place, never the secret', () => {
    const err = (() => {
      try {
        archiveLocation(settings({ JIBAO_ARCHIVE_URL: 'https://key:s3cr3t@example.org/archive?token=t0k3n' }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ code: 'ARCHIVE_URL_UNSUPPORTED' });
    const shown = JSON.stringify(err) + String((err as Error).message);
    expect(shown).toContain('example.org');
    expect(shown).not.toMatch(/s3cr3t|t0k3n/);
  });
});
