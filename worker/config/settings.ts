import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';

/** Where jibao finds its inputs and puts its outputs. Secrets come from the environment only. */
export interface Settings {
  readonly jobsDir: string;
  readonly templatesDir: string;
  readonly fontsDir: string;
  /** The folder store's root (JIBAO_ARCHIVE_DIR); read only by createSnapshotStore (archive/index.ts). */
  readonly archiveDir: string;
  /** JIBAO_ARCHIVE_URL: a folder (path or file://) or s3://bucket/prefix; when set, it wins over archiveDir. */
  readonly archiveUrl?: string;
  readonly outboxDir: string;
  readonly smtpUrl?: string;
  /** Where the API is reachable from recipients' mail clients, for download links (JIBAO_PUBLIC_URL). */
  readonly publicUrl?: string;
  /** Budget of one render (JIBAO_RENDER_TIMEOUT_MS, default 60 s; JIBAO_RENDER_MAX_MB, default 512): over it, the run fails for good. */
  readonly renderTimeoutMs: number;
  readonly renderMaxMb: number;
  readonly clock: () => Date;
}

/** The package root: jobs/, templates/ and fonts/ ship with it. Found by walking up, so it holds for source and compiled (dist/) alike. */
export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'templates'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`jibao's package root (package.json with templates/) not found above ${from}`);
  }
}

export const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const dir = (name: string, fallback: string) => path.resolve(cwd, env[name] || fallback);
  return {
    jobsDir: dir('JIBAO_JOBS_DIR', path.join(PACKAGE_ROOT, 'jobs')),
    templatesDir: dir('JIBAO_TEMPLATES_DIR', path.join(PACKAGE_ROOT, 'templates')),
    fontsDir: dir('JIBAO_FONTS_DIR', path.join(PACKAGE_ROOT, 'fonts')),
    archiveDir: dir('JIBAO_ARCHIVE_DIR', 'archive'),
    outboxDir: dir('JIBAO_OUTBOX_DIR', 'outbox'),
    // A URL is kept as written (the archive's factory reads it); a plain path is resolved like the folders above.
    ...(env['JIBAO_ARCHIVE_URL'] ? { archiveUrl: /^[a-z][a-z0-9+.-]*:\/\//i.test(env['JIBAO_ARCHIVE_URL']) ? env['JIBAO_ARCHIVE_URL'] : dir('JIBAO_ARCHIVE_URL', '') } : {}),
    ...(env['SMTP_URL'] ? { smtpUrl: env['SMTP_URL'] } : {}),
    ...(env['JIBAO_PUBLIC_URL'] ? { publicUrl: env['JIBAO_PUBLIC_URL'] } : {}),
    renderTimeoutMs: positive(env['JIBAO_RENDER_TIMEOUT_MS']) ?? 60_000,
    renderMaxMb: positive(env['JIBAO_RENDER_MAX_MB']) ?? 512,
    clock: () => new Date(),
  };
}

/** A positive finite number, or undefined (then the default applies, like the other tuning variables). */
function positive(value: string | undefined): number | undefined {
  const n = Number(value ?? '');
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
