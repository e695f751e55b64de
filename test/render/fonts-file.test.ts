import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FONT_ROLES, isFontsFile } from '../../worker/render/font-roles.ts';
import { fontsFileSchema } from '../../worker/render/fonts-file.ts';

const spec = fc.oneof(
  fc.record({ file: fc.oneof(fc.constant(''), fc.constant('a.ttf'), fc.constant(null)) }, { requiredKeys: [] }),
  fc.record({ file: fc.constant('a.ttf'), postscript_name: fc.oneof(fc.constant('X'), fc.constant(null), fc.constant(undefined)) }),
  fc.record({ file: fc.constant('a.ttf'), size: fc.constant(3) }),
  fc.constant(null),
  fc.constant('a.ttf'),
);
const roles = fc.dictionary(fc.constantFrom(...FONT_ROLES, 'extra'), spec);
const file = fc.oneof(
  fc.record({ roles, fallback: fc.oneof(spec, fc.constant(undefined)) }, { requiredKeys: ['roles'] }),
  fc.record({ roles: fc.record(Object.fromEntries(FONT_ROLES.map((r) => [r, spec]))), fallback: spec }, { requiredKeys: ['roles'] }),
  fc.record({ roles: fc.record(Object.fromEntries(FONT_ROLES.map((r) => [r, fc.constant({ file: 'a.ttf' })]))), other: fc.constant(1) }, { requiredKeys: ['roles'] }),
  fc.anything(),
);

describe('fonts.yaml checked without zod', () => {
  it('accepts only what the schema accepts, as the schema returns it', () => {
    fc.assert(
      fc.property(file, (x) => {
        if (!isFontsFile(x)) return;
        const r = fontsFileSchema.safeParse(x);
        expect(r.success).toBe(true);
        expect(r.data).toEqual(x);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts the shipped form', () => {
    const roles = Object.fromEntries(FONT_ROLES.map((r) => [r, { file: `npm:x/${r}.ttf` }]));
    expect(isFontsFile({ roles, fallback: { file: 'f.ttf', postscript_name: 'F' } })).toBe(true);
    expect(isFontsFile({ roles })).toBe(true);
  });
});
