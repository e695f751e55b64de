import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type ApiRole = 'viewer' | 'staff' | 'admin';
const RANK: Record<ApiRole, number> = { viewer: 0, staff: 1, admin: 2 };

export interface ApiToken {
  readonly role: ApiRole;
  /** Who it belongs to, for the audit log; never the secret. */
  readonly name: string;
  readonly digest: Buffer;
}

export class TokenConfigError extends Error {
  override name = 'TokenConfigError';
}

const digest = (secret: string) => createHash('sha256').update(secret).digest();

/**
 * Tokens from `JIBAO_API_TOKENS` ("role:token" or "role:name:token", comma separated) or the file
 * named by `JIBAO_API_TOKENS_FILE` (one per line, # comments). Only digests are kept in memory.
 */
export function loadTokens(env: NodeJS.ProcessEnv = process.env): ApiToken[] {
  const lines: string[] = [];
  if (env['JIBAO_API_TOKENS']) lines.push(...env['JIBAO_API_TOKENS'].split(','));
  if (env['JIBAO_API_TOKENS_FILE']) lines.push(...readFileSync(env['JIBAO_API_TOKENS_FILE'], 'utf8').split('\n'));
  const tokens: ApiToken[] = [];
  lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).forEach((line, i) => {
    const parts = line.split(':');
    const role = parts[0] as ApiRole;
    if (!(role in RANK) || parts.length < 2 || parts.length > 3) {
      throw new TokenConfigError(`API token entry ${i + 1} is not "role:token" or "role:name:token" with role viewer, staff or admin`);
    }
    const secret = parts.at(-1)!;
    if (secret.length < 16) throw new TokenConfigError(`API token entry ${i + 1} (${parts.length === 3 ? parts[1] : role}) is shorter than 16 characters`);
    tokens.push({ role, name: parts.length === 3 ? parts[1]! : `${role}-${i + 1}`, digest: digest(secret) });
  });
  return tokens;
}

/** The token a bearer secret belongs to, compared in constant time. */
export function authenticate(tokens: readonly ApiToken[], authorization: string | undefined): ApiToken | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) return undefined;
  const d = digest(m[1]!);
  return tokens.find((t) => timingSafeEqual(t.digest, d));
}

export function allows(token: ApiToken, needed: ApiRole): boolean {
  return RANK[token.role] >= RANK[needed];
}
