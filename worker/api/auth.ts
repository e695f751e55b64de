import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** viewer < staff < approver (签发) < admin. */
export type ApiRole = 'viewer' | 'staff' | 'approver' | 'admin';
const RANK: Record<ApiRole, number> = { viewer: 0, staff: 1, approver: 2, admin: 3 };

export interface ApiToken {
  readonly role: ApiRole;
  /** Who it belongs to, for the audit log; never the secret. */
  readonly name: string;
  readonly digest: Buffer;
  /** The one address `send: "me"` may use with this token (besides JIBAO_SEND_ME_DOMAINS). */
  readonly email?: string;
  /** The first day (UTC, YYYY-MM-DD) on which the token is no longer accepted. */
  readonly expires?: string;
  /** The reports this token may reach (`reports=r1|r2`); absent: every report. */
  readonly reports?: readonly string[];
}

export class TokenConfigError extends Error {
  override name = 'TokenConfigError';
}

const digest = (secret: string) => createHash('sha256').update(secret).digest();

const EMAIL = /^[^\s@:,]+@[^\s@:,]+\.[^\s@:,]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function realDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/**
 * Tokens from `JIBAO_API_TOKENS` (comma separated) or the file named by `JIBAO_API_TOKENS_FILE`
 * (one per line, # comments), each `role:token` or `role:name:token`, optionally followed by
 * `:email=ADDRESS` (the address `send: "me"` goes to), `:expires=YYYY-MM-DD` and
 * `:reports=r1|r2` (the only reports it may reach; 403 on any other).
 * Only digests are kept in memory; no message ever shows a secret.
 */
export function loadTokens(env: NodeJS.ProcessEnv = process.env): ApiToken[] {
  const lines: string[] = [];
  if (env['JIBAO_API_TOKENS']) lines.push(...env['JIBAO_API_TOKENS'].split(','));
  if (env['JIBAO_API_TOKENS_FILE']) lines.push(...readFileSync(env['JIBAO_API_TOKENS_FILE'], 'utf8').split('\n'));
  const tokens: ApiToken[] = [];
  lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).forEach((line, i) => {
    const parts = line.split(':');
    // Trailing email=/expires= fields; the secret is the last part before them (a secret such as
    // "abc…==" is not taken for a field: only these two names are).
    const fields: Record<string, string> = {};
    while (parts.length > 2 && /^(email|expires|reports)=/.test(parts.at(-1)!)) {
      const f = parts.pop()!;
      const eq = f.indexOf('=');
      fields[f.slice(0, eq)] = f.slice(eq + 1);
    }
    const role = parts[0] as ApiRole;
    const label = parts.length === 3 ? parts[1] : role;
    if (!(role in RANK) || parts.length < 2 || parts.length > 3) {
      throw new TokenConfigError(`API token entry ${i + 1} is not "role:token" or "role:name:token" (then optionally ":email=…:expires=YYYY-MM-DD") with role viewer, staff, approver or admin`);
    }
    if (fields['email'] !== undefined && !EMAIL.test(fields['email'])) throw new TokenConfigError(`API token entry ${i + 1} (${label}): email= is not an email address`);
    if (fields['expires'] !== undefined && !realDate(fields['expires'])) throw new TokenConfigError(`API token entry ${i + 1} (${label}): expires= is not a date YYYY-MM-DD`);
    const reports = fields['reports']?.split('|').map((r) => r.trim());
    if (reports !== undefined && (reports.length === 0 || !reports.every((r) => /^[a-z0-9][a-z0-9-]*$/.test(r)))) {
      throw new TokenConfigError(`API token entry ${i + 1} (${label}): reports= is not a list of report ids separated by |, e.g. reports=yuquan-2023|yuexiu-2023`);
    }
    const secret = parts.at(-1)!;
    if (secret.length < 16) throw new TokenConfigError(`API token entry ${i + 1} (${label}) is shorter than 16 characters`);
    tokens.push({
      role,
      name: parts.length === 3 ? parts[1]! : `${role}-${i + 1}`,
      digest: digest(secret),
      ...(fields['email'] !== undefined ? { email: fields['email'].toLowerCase() } : {}),
      ...(fields['expires'] !== undefined ? { expires: fields['expires'] } : {}),
      ...(reports !== undefined ? { reports } : {}),
    });
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

/** A token is no longer accepted from 00:00 UTC of its `expires` day. */
export function isExpired(token: ApiToken, now: Date): boolean {
  return token.expires !== undefined && now.toISOString().slice(0, 10) >= token.expires;
}

export function allows(token: ApiToken, needed: ApiRole): boolean {
  return RANK[token.role] >= RANK[needed];
}

/** Whether the token may reach this report: a token without `reports=` reaches every one. */
export function mayAccessReport(token: ApiToken, report: string): boolean {
  return token.reports === undefined || token.reports.includes(report);
}

/** `JIBAO_SEND_ME_DOMAINS=example.gov.cn,stats.example.org`: domains any staff token may send "me" to. */
export function sendMeDomainsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env['JIBAO_SEND_ME_DOMAINS'] ?? '').split(',').map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean);
}

/** Whether `send: "me"` may go to `address` for this token: its own bound address, or an allow-listed domain. */
export function maySendTo(token: ApiToken, address: string, domains: readonly string[]): boolean {
  const a = address.trim().toLowerCase();
  if (token.email !== undefined && a === token.email) return true;
  const domain = a.slice(a.lastIndexOf('@') + 1);
  return domains.includes(domain);
}
