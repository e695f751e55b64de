import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { allows, authenticate, isExpired, loadTokens, maySendTo, sendMeDomainsFromEnv, TokenConfigError } from '../../worker/api/auth.ts';
import { tempDir } from '../support/cli.ts';

describe('API tokens', () => {
  it('reads role:token and role:name:token from the environment and a file, keeping only digests', async () => {
    const file = path.join(await tempDir('tokens'), 'tokens');
    await writeFile(file, '# staff tokens\nstaff:李明:file-token-0123456789\n\nadmin:admin-token-0123456789\n');
    const tokens = loadTokens({ JIBAO_API_TOKENS: 'viewer:env-token-0123456789', JIBAO_API_TOKENS_FILE: file });
    expect(tokens.map((t) => `${t.role}:${t.name}`)).toEqual(['viewer:viewer-1', 'staff:李明', 'admin:admin-3']);
    expect(JSON.stringify(tokens)).not.toContain('file-token-0123456789');
    const staff = authenticate(tokens, 'Bearer file-token-0123456789');
    expect(staff?.name).toBe('李明');
    expect(authenticate(tokens, 'Bearer file-token-012345678')).toBeUndefined();
    expect(authenticate(tokens, 'Basic file-token-0123456789')).toBeUndefined();
    expect(authenticate(tokens, undefined)).toBeUndefined();
    expect(allows(staff!, 'viewer')).toBe(true);
    expect(allows(staff!, 'staff')).toBe(true);
    expect(allows(staff!, 'admin')).toBe(false);
  });

  it('reads :email= and :expires= after the secret (env and file), keeping the old formats', async () => {
    const file = path.join(await tempDir('tokens'), 'tokens');
    await writeFile(file, 'staff:李明:file-token-0123456789:email=Li.Ming@Example.org:expires=2027-01-01\nviewer:view-token-0123456789:expires=2026-06-30\n');
    const tokens = loadTokens({ JIBAO_API_TOKENS: 'staff:王芳:env-token-0123456789:email=wf@example.org,admin:adm-token-0123456789', JIBAO_API_TOKENS_FILE: file });
    expect(tokens.map(({ role, name, email, expires }) => ({ role, name, email, expires }))).toEqual([
      { role: 'staff', name: '王芳', email: 'wf@example.org', expires: undefined },
      { role: 'admin', name: 'admin-2', email: undefined, expires: undefined },
      { role: 'staff', name: '李明', email: 'li.ming@example.org', expires: '2027-01-01' },
      { role: 'viewer', name: 'viewer-4', email: undefined, expires: '2026-06-30' },
    ]);
    expect(authenticate(tokens, 'Bearer file-token-0123456789')?.name).toBe('李明');
    const li = tokens[2]!;
    expect(isExpired(li, new Date('2026-12-31T23:59:59Z'))).toBe(false);
    expect(isExpired(li, new Date('2027-01-01T00:00:00Z'))).toBe(true);
    // A secret that merely contains "=" is still a secret.
    expect(authenticate(loadTokens({ JIBAO_API_TOKENS: 'staff:n:abcdefghijklmnop==' }), 'Bearer abcdefghijklmnop==')?.name).toBe('n');
    expect(maySendTo(li, 'LI.MING@example.org', [])).toBe(true);
    expect(maySendTo(li, 'someone@example.org', [])).toBe(false);
    expect(maySendTo(li, 'someone@office.example.org', ['office.example.org'])).toBe(true);
    expect(sendMeDomainsFromEnv({ JIBAO_SEND_ME_DOMAINS: ' Office.example.org, @stats.example.org ' })).toEqual(['office.example.org', 'stats.example.org']);
  });

  it('refuses a bad email= or expires= without echoing the secret', () => {
    for (const entry of ['staff:n:q7x9z2-0123456789abc:email=not-an-address', 'staff:n:q7x9z2-0123456789abc:expires=2027-02-30', 'staff:n:q7x9z2-0123456789abc:expires=soon']) {
      expect(() => loadTokens({ JIBAO_API_TOKENS: entry })).toThrow(TokenConfigError);
      expect(() => loadTokens({ JIBAO_API_TOKENS: entry })).not.toThrow(/q7x9z2/);
    }
  });

  it('refuses malformed entries and short tokens, without echoing the secret', () => {
    expect(() => loadTokens({ JIBAO_API_TOKENS: 'root:some-token-0123456789' })).toThrow(TokenConfigError);
    expect(() => loadTokens({ JIBAO_API_TOKENS: 'staff:q7x9z2' })).toThrow(/shorter than 16 characters/);
    expect(() => loadTokens({ JIBAO_API_TOKENS: 'staff:q7x9z2' })).not.toThrow(/q7x9z2/);
  });
});
