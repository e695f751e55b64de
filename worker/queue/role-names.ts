/** The roles `jibao start` can run; kept apart from cli/roles.ts so the CLI can name them without loading them. */
export const ROLES = ['worker', 'scheduler', 'api'] as const;
export type Role = (typeof ROLES)[number];
