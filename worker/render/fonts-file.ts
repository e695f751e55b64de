import { z } from 'zod';
import { FONT_ROLES, type FontRole } from './font-roles.ts';

const roleSchema = z.strictObject({ file: z.string().min(1), postscript_name: z.string().optional() });

/** fonts/fonts.yaml: a font file for every role, and optionally a fallback. */
export const fontsFileSchema = z.strictObject({
  roles: z.strictObject(Object.fromEntries(FONT_ROLES.map((r) => [r, roleSchema])) as Record<FontRole, typeof roleSchema>),
  /** Draws the characters a role's font lacks (a rare character in a name); optional. */
  fallback: roleSchema.optional(),
});
