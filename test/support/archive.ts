import type { SnapshotDraft } from '../../worker/archive/index.ts';

/** The manifest of a test snapshot written straight to a store (no render): what every such test fills in alike. */
export function testManifest(extra: Partial<SnapshotDraft['manifest']> = {}): SnapshotDraft['manifest'] {
  return {
    createdAt: '2023-10-20T00:00:00.000Z',
    trigger: { kind: 'cli', by: '李明' },
    sampleData: true,
    template: [],
    fonts: [],
    generator: { name: 'jibao', version: '0.0.0' },
    ...extra,
  };
}
