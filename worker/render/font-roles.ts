export const FONT_ROLES = ['title', 'body', 'heading', 'kai', 'number'] as const;
export type FontRole = (typeof FONT_ROLES)[number];

export interface FontSpec {
  readonly file: string;
  readonly postscript_name?: string | undefined;
}

export interface FontsFile {
  readonly roles: Record<FontRole, FontSpec>;
  readonly fallback?: FontSpec | undefined;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const hasOnly = (x: Record<string, unknown>, keys: readonly string[]) => Object.keys(x).every((k) => keys.includes(k));
const isSpec = (x: unknown): x is FontSpec =>
  isRecord(x) && hasOnly(x, ['file', 'postscript_name']) && typeof x['file'] === 'string' && x['file'] !== '' &&
  (x['postscript_name'] === undefined || typeof x['postscript_name'] === 'string');

/**
 * A valid fonts.yaml, checked by hand: everything fontsFileSchema (fonts-file.ts) accepts unchanged,
 * so a render thread reads the usual file without loading zod; anything else goes to the schema.
 */
export function isFontsFile(x: unknown): x is FontsFile {
  if (!isRecord(x) || !hasOnly(x, ['roles', 'fallback']) || !isRecord(x['roles'])) return false;
  const roles = x['roles'];
  return hasOnly(roles, FONT_ROLES) && FONT_ROLES.every((r) => isSpec(roles[r])) && (!('fallback' in x) || x['fallback'] === undefined || isSpec(x['fallback']));
}
