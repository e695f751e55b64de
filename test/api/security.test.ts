import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, TOKENS } from '../support/api.ts';

// The API over real HTTP (a listening server, fetch and raw sockets): headers, tokens, send "me",
// refused periods and notes, failed-login throttling, and limits on slow or greedy clients.

type Stack = Awaited<ReturnType<typeof startApiStack>>;

const BOUND = 'bound-staff-token-0123456789';
const EXPIRED = 'expired-staff-token-0123456789';
const TOKENS_WITH_FIELDS = [
  `viewer:${TOKENS.viewer}`,
  `staff:王芳:${TOKENS.staff}`,
  `staff:李明:${BOUND}:email=li.ming@example.org:expires=2999-12-31`,
  `staff:赵六:${EXPIRED}:expires=2020-01-01`,
].join(',');

async function listen(stack: Stack): Promise<string> {
  return stack.app.listen({ port: 0, host: '127.0.0.1' });
}

const call = (base: string, method: string, path: string, token?: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

/** Opens a raw TCP connection and resolves with what the server sends until it closes (or `ms` pass). */
function rawExchange(port: number, send: string, ms: number): Promise<{ data: string; closed: boolean; socket: net.Socket }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      resolve({ data, closed, socket });
    };
    socket.on('data', (d) => (data += d.toString()));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => send && socket.write(send));
    setTimeout(() => finish(false), ms);
  });
}

describe('API security (real HTTP)', () => {
  let stack: Stack;
  let base: string;
  beforeAll(async () => {
    stack = await startApiStack({ tokens: TOKENS_WITH_FIELDS, sendMeDomains: ['office.example.org'], worker: false });
    base = await listen(stack);
  });
  afterAll(() => stack?.stop());

  it('sends the security headers on every answer: the page, JSON, 401, 404 and 400', async () => {
    const answers = [
      await call(base, 'GET', '/'),
      await call(base, 'GET', '/api/reports', TOKENS.viewer),
      await call(base, 'GET', '/api/reports'),
      await call(base, 'GET', '/nowhere'),
      await call(base, 'POST', '/api/reports/yuquan-2023/runs', TOKENS.staff, { period: 'x' }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 401, 404, 400]);
    for (const r of answers) {
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/); // the page's own script by hash; nothing inline else
      expect(csp).not.toContain('unsafe-inline');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('permissions-policy')).toContain('camera=()');
      expect(r.headers.get('strict-transport-security')).toBeNull(); // the reverse proxy's, with TLS
    }
    expect(answers[1]!.headers.get('cache-control')).toBe('no-store');
    expect((await answers[2]!.json()).code).toBe('UNAUTHORIZED');
    expect((await answers[3]!.json()).code).toBe('NOT_FOUND');
  });

  it('an expired token is 401 TOKEN_EXPIRED; a token with a future expiry works', async () => {
    const r = await call(base, 'GET', '/api/reports', EXPIRED);
    expect(r.status).toBe(401);
    expect((await r.json()).code).toBe('TOKEN_EXPIRED');
    expect((await call(base, 'GET', '/api/reports', BOUND)).status).toBe(200);
  });

  it('refuses a period outside the targets year with 400 before anything is queued', async () => {
    for (const period of ['2024Q1', '2022-12', '2024年1-3月']) {
      const r = await call(base, 'POST', '/api/reports/yuquan-2023/runs', TOKENS.staff, { period, send: 'none' });
      expect(r.status).toBe(400);
      expect((await r.json()).code).toBe('PERIOD_OUT_OF_YEAR');
    }
    expect(await stack.briefings.count()).toBe(0);
  });

  it('caps the note at 500 characters (code points), like the CLI', async () => {
    const long = await call(base, 'POST', '/api/reports/yuquan-2023/runs', TOKENS.staff, { period: '2023Q3', send: 'none', note: '更'.repeat(501) });
    expect(long.status).toBe(400);
    expect((await long.json()).code).toBe('NOTE_TOO_LONG');
    // 500 characters outside the BMP are 1000 UTF-16 units: still 500 characters.
    const ok = await call(base, 'POST', '/api/reports/yuquan-2023/runs', TOKENS.staff, { period: '2023Q3', send: 'none', note: '𠀀'.repeat(500) });
    expect(ok.status).toBe(202);
  });

  it('send "me" goes only to the address bound to the token or an allow-listed domain', async () => {
    const post = (token: string, email?: string) => call(base, 'POST', '/api/reports/yuquan-2023/runs', token, { period: '2023Q3', send: 'me', ...(email ? { email } : {}) });
    // An arbitrary address: refused, for a token with a bound address and for one without.
    for (const [token, email] of [[BOUND, 'attacker@evil.example'], [TOKENS.staff, 'attacker@evil.example']] as const) {
      const r = await post(token, email);
      expect(r.status).toBe(403);
      expect((await r.json()).code).toBe('SEND_ME_REFUSED');
    }
    // The bound address, given or implied; and an address in an allow-listed domain.
    const accepted: string[] = [];
    for (const [token, email] of [[BOUND, undefined], [BOUND, 'Li.Ming@example.org'], [TOKENS.staff, 'wang.fang@office.example.org']] as const) {
      const r = await post(token, email);
      expect(r.status).toBe(202);
      const job = await stack.briefings.getJob((await r.json()).runId);
      accepted.push(...(job!.data.recipients.to as string[]));
    }
    expect(accepted).toEqual(['li.ming@example.org', 'Li.Ming@example.org', 'wang.fang@office.example.org']);
    expect(stack.logs.some((l) => l['audit'] === 'send-me-refused' && l['tokenName'] === '李明')).toBe(true);
  });

  it('downloads are not cached: Cache-Control no-store on authenticated answers, PDF 404 included', async () => {
    const r = await call(base, 'GET', '/api/snapshots/yuquan-2023_2023Q3_v1/pdf', TOKENS.viewer);
    expect(r.status).toBe(404);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect((await call(base, 'GET', '/metrics', TOKENS.viewer)).headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a body over the limit with 413 and a code', async () => {
    const r = await call(base, 'POST', '/api/reports/yuquan-2023/runs', TOKENS.staff, { period: '2023Q3', note: 'x'.repeat(70 * 1024) });
    expect(r.status).toBe(413);
    expect((await r.json()).code).toBeTruthy();
  });
});

describe('failed logins are throttled per client address and logged without the token', () => {
  let stack: Stack;
  let base: string;
  beforeAll(async () => {
    stack = await startApiStack({ worker: false });
    base = await listen(stack);
  });
  afterAll(() => stack?.stop());

  it('10 failures in a minute, then 429 LOGIN_THROTTLED with Retry-After, even for a valid token', async () => {
    for (let i = 0; i < 10; i++) expect((await call(base, 'GET', '/api/reports', `guess-${i}-0123456789abcdef`)).status).toBe(401);
    const blocked = await call(base, 'GET', '/api/reports', 'guess-x-0123456789abcdef');
    expect(blocked.status).toBe(429);
    expect((await blocked.json()).code).toBe('LOGIN_THROTTLED');
    const retry = Number(blocked.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    expect((await call(base, 'GET', '/api/reports', TOKENS.viewer)).status).toBe(429);
    // A request without any token is not a guess: still a plain 401.
    expect((await call(base, 'GET', '/api/reports')).status).toBe(401);
    const failed = stack.logs.filter((l) => l['audit'] === 'login-failed');
    expect(failed).toHaveLength(10);
    expect(failed[0]).toMatchObject({ ip: '127.0.0.1', reason: 'unknown-token' });
    expect(JSON.stringify(stack.logs)).not.toContain('guess-');
  });
});

describe('slow and greedy clients', () => {
  let stack: Stack;
  let port: number;
  beforeAll(async () => {
    stack = await startApiStack({ worker: false, limits: { connectionsPerIp: 3, headersTimeoutMs: 500, requestTimeoutMs: 1000, checkIntervalMs: 100 } });
    port = Number(new URL(await listen(stack)).port);
  });
  afterAll(() => stack?.stop());

  it('closes a connection whose headers trickle in (slowloris)', async () => {
    const r = await rawExchange(port, 'GET /api/reports HTTP/1.1\r\nHost: x\r\n', 4000);
    expect(r.closed).toBe(true);
    r.socket.destroy();
  });

  it('closes a request whose body never completes', async () => {
    const r = await rawExchange(port, `POST /api/reports/yuquan-2023/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKENS.staff}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"per`, 4000);
    expect(r.closed).toBe(true);
    r.socket.destroy();
  });

  it('answers a client over its connection cap with 429 TOO_MANY_CONNECTIONS and closes it', async () => {
    const held = await Promise.all([0, 1, 2].map(() => new Promise<net.Socket>((res) => {
      const s = net.connect(port, '127.0.0.1', () => res(s));
    })));
    try {
      const r = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 3000);
      expect(r.closed).toBe(true);
      expect(r.data).toMatch(/^HTTP\/1\.1 429 /);
      expect(r.data).toContain('"code":"TOO_MANY_CONNECTIONS"');
    } finally {
      for (const s of held) s.destroy();
    }
    // Once they are closed, the address is welcome again.
    await new Promise((r) => setTimeout(r, 100));
    const again = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 3000);
    expect(again.data).toMatch(/^HTTP\/1\.1 200 /);
  });
});
