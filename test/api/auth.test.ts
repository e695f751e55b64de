import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { allows, authenticate, loadTokens, TokenConfigError } from '../../worker/api/auth.ts';
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

  it('refuses malformed entries and short tokens, without echoing the secret', () => {
    expect(() => loadTokens({ JIBAO_API_TOKENS: 'root:some-token-0123456789' })).toThrow(TokenConfigError);
    expect(() => loadTokens({ JIBAO_API_TOKENS: 'staff:q7x9z2' })).toThrow(/shorter than 16 characters/);
    expect(() => loadTokens({ JIBAO_API_TOKENS: 'staff:q7x9z2' })).not.toThrow(/q7x9z2/);
  });
});
