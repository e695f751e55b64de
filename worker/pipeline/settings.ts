import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where jibao finds its inputs and puts its outputs. Secrets come from the environment only. */
export interface Settings {
  readonly jobsDir: string;
  readonly templatesDir: string;
  readonly fontsDir: string;
  readonly archiveDir: string;
  readonly outboxDir: string;
  readonly smtpUrl?: string;
  readonly clock: () => Date;
}

/** The package root: jobs/, templates/ and fonts/ ship with it. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const dir = (name: string, fallback: string) => path.resolve(cwd, env[name] || fallback);
  return {
    jobsDir: dir('JIBAO_JOBS_DIR', path.join(PACKAGE_ROOT, 'jobs')),
    templatesDir: dir('JIBAO_TEMPLATES_DIR', path.join(PACKAGE_ROOT, 'templates')),
    fontsDir: dir('JIBAO_FONTS_DIR', path.join(PACKAGE_ROOT, 'fonts')),
    archiveDir: dir('JIBAO_ARCHIVE_DIR', 'archive'),
    outboxDir: dir('JIBAO_OUTBOX_DIR', 'outbox'),
    ...(env['SMTP_URL'] ? { smtpUrl: env['SMTP_URL'] } : {}),
    clock: () => new Date(),
  };
}
