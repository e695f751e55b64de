import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../worker/domain/issues.ts';
import { parsePeriod } from '../../worker/domain/period.ts';
import { readFigureEndpoint, safeUrl, type HttpSourceConfig } from '../../worker/sources/http-source.ts';
import { SourceUnavailableError } from '../../worker/sources/source.ts';
import { json, startHttpServer } from '../support/http-server.ts';
import { sampleReport } from '../support/report.ts';
import { freePort } from '../support/redis.ts';
import { redactText, redactUrl } from '../../worker/redact.ts';

const Q3 = parsePeriod('2023Q3');
const report = sampleReport();
const BODY = {
  period: '2023Q3',
  as_of: '2023-10-20',
  figures: [
    { indicator: '一般公共预算收入', value: 14.8, yoy: 2.1, source: '区财政局' },
    { indicator: 'gdp', value: '263.5', yoy: 5.4, note: null },
    { indicator: '呼市四中新址', status: '序时推进', note: '内外装修' },
  ],
};

describe('HTTP JSON source (a real local server)', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let config: HttpSourceConfig;
  const deps = { env: { STATS_TOKEN: 's3cret' }, baseDelayMs: 5 };

  beforeAll(async () => {
    server = await startHttpServer((_req, res) => json(res, 200, BODY));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    config = { url: `${server.url}/figures?report={report}&period={period}`, token_env: 'STATS_TOKEN', timeout_ms: 2000, retries: 3 };
  });

  it('maps the JSON to figures, sending the bearer token and the period', async () => {
    server.handle((req, res) => (req.headers.authorization === 'Bearer s3cret' ? json(res, 200, BODY) : json(res, 401, {})));
    const r = await readFigureEndpoint(config, report, Q3, deps);
    expect(r.kind).toBe('ready');
    if (r.kind !== 'ready') return;
    expect(server.requests[0]!.url).toBe('/figures?report=test-2023&period=2023Q3');
    expect(r.figures.indicators.get('revenue')).toMatchObject({ value: 14.8, yoy: 2.1, asOf: '2023-10-20', source: '区财政局' });
    expect(r.figures.indicators.get('gdp')).toMatchObject({ value: 263.5, yoy: 5.4 });
    expect(r.figures.tasks.get('school')).toMatchObject({ status: 'on_schedule' });
    expect(r.figures.asOf).toBe('2023-10-20');
    expect(JSON.parse(new TextDecoder().decode(r.inputs[0]!.data))).toEqual(BODY); // the exact bytes, for the archive
  });

  it('validates items like spreadsheet rows', async () => {
    server.handle((_req, res) => json(res, 200, { figures: [{ indicator: '不存在的指标', value: 1 }, { indicator: 'gdp', yoy: 'abc' }] }));
    const e = (await readFigureEndpoint(config, report, Q3, deps).catch((x: unknown) => x)) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.issues.map((i) => `${i.row}:${i.column}`)).toEqual(['1:indicator', '2:yoy']);
  });

  it('is "not ready" on 404, an empty list, or another period', async () => {
    server.handle((_req, res) => json(res, 404, {}));
    expect((await readFigureEndpoint(config, report, Q3, deps)).kind).toBe('not-ready');
    server.handle((_req, res) => json(res, 200, { period: '2023Q3', figures: [] }));
    expect((await readFigureEndpoint(config, report, Q3, deps)).kind).toBe('not-ready');
    server.handle((_req, res) => json(res, 200, { ...BODY, period: '2023Q2' }));
    expect(await readFigureEndpoint(config, report, Q3, deps)).toMatchObject({ kind: 'not-ready', reason: expect.stringContaining('answered with 2023Q2') });
  });

  it('retries server errors with backoff, then succeeds', async () => {
    let calls = 0;
    server.handle((_req, res) => (++calls <= 2 ? json(res, 503, {}) : json(res, 200, BODY)));
    const r = await readFigureEndpoint(config, report, Q3, deps);
    expect(r.kind).toBe('ready');
    expect(calls).toBe(3);
  });

  it('gives up after its retries with a clear reason', async () => {
    server.handle((_req, res) => json(res, 500, {}));
    await expect(readFigureEndpoint({ ...config, retries: 2 }, report, Q3, deps)).rejects.toThrow(SourceUnavailableError);
    expect(server.requests).toHaveLength(3);
    await expect(readFigureEndpoint({ ...config, retries: 0 }, report, Q3, deps)).rejects.toThrow(/unavailable after 1 attempt\(s\): HTTP 500/);
  });

  it('times out a server that does not answer', async () => {
    server.handle(() => {}); // never responds
    await expect(readFigureEndpoint({ ...config, timeout_ms: 200, retries: 1 }, report, Q3, deps)).rejects.toThrow(/no answer within 200 ms/);
  });

  it('does not retry a refused token, and never prints it', async () => {
    server.handle((_req, res) => json(res, 403, {}));
    const e = (await readFigureEndpoint(config, report, Q3, deps).catch((x: unknown) => x)) as InputError;
    expect(e.message).toMatch(/HTTP 403; check the token in STATS_TOKEN/);
    expect(e.message).not.toContain('s3cret');
    expect(server.requests).toHaveLength(1);
    await expect(readFigureEndpoint(config, report, Q3, { env: {} })).rejects.toThrow(/environment variable STATS_TOKEN .* is not set/);
  });

  it('refuses an answer that is not JSON of the expected shape', async () => {
    server.handle((_req, res) => res.end('<html>'));
    await expect(readFigureEndpoint(config, report, Q3, deps)).rejects.toThrow(/not JSON/);
    server.handle((_req, res) => json(res, 200, { rows: [] }));
    await expect(readFigureEndpoint(config, report, Q3, deps)).rejects.toThrow(/unexpected JSON/);
  });

  it('a refused connection counts as unavailable', async () => {
    const closed = await freePort();
    await expect(readFigureEndpoint({ ...config, url: `http://127.0.0.1:${closed}/x`, retries: 1 }, report, Q3, deps)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('keeps credentials out of labels', () => {
    expect(safeUrl('https://user:pw@stats.example.org/f?period=2023Q3')).toBe('https://***@stats.example.org/f?period=2023Q3');
  });

  it('refuses a URL with credentials before any request, naming neither the password nor the token', async () => {
    for (const url of [`${server.url.replace('//', '//stats:pw-9f8e7d@')}/figures`, `${server.url}/figures?access_token=tk-9f8e7d&period={period}`]) {
      const e = (await readFigureEndpoint({ ...config, url }, report, Q3, deps).catch((x: unknown) => x)) as InputError & { code?: string };
      expect(e).toBeInstanceOf(InputError);
      expect(e.code).toBe('SOURCE_URL_CREDENTIALS');
      expect(e.message).not.toMatch(/pw-9f8e7d|tk-9f8e7d/);
    }
    expect(server.requests).toHaveLength(0);
  });

  it('cuts off a body over max_bytes as it streams (no Content-Length), and one that announces too much; neither is retried', async () => {
    // Chunked, no Content-Length: only counting the bytes can stop it.
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.destroy());
      pump();
    });
    const endless = (await readFigureEndpoint({ ...config, timeout_ms: 5000 }, report, Q3, deps).catch((x: unknown) => x)) as InputError & { code?: string };
    expect(endless).toBeInstanceOf(InputError);
    expect(endless.code).toBe('SOURCE_TOO_LARGE'); // the default limit (20 MB) stopped an endless body
    expect(server.requests).toHaveLength(1);

    server.requests.length = 0;
    server.handle((_req, res) => json(res, 200, { ...BODY, padding: 'x'.repeat(5000) }));
    const big = (await readFigureEndpoint({ ...config, max_bytes: 1000 }, report, Q3, deps).catch((x: unknown) => x)) as InputError & { code?: string };
    expect(big.code).toBe('SOURCE_TOO_LARGE');
    expect(server.requests).toHaveLength(1);
  });

  it('treats a body that trickles in too slowly as an outage: retried, then SOURCE_SLOW', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"figures": [');
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(' ')), 50);
      res.on('close', () => clearInterval(t));
    });
    const e = (await readFigureEndpoint({ ...config, body_timeout_ms: 300, retries: 1 }, report, Q3, deps).catch((x: unknown) => x)) as SourceUnavailableError;
    expect(e).toBeInstanceOf(SourceUnavailableError);
    expect(e.code).toBe('SOURCE_SLOW');
    expect(server.requests).toHaveLength(2);
  });
});

describe('redaction (one helper for every printed URL)', () => {
  it('removes user-info and secret query values, keeps the rest', () => {
    expect(redactUrl('https://u:p@h.example.org/a?period=2023Q3&token=abc&api-key=def')).toBe('https://***@h.example.org/a?period=2023Q3&token=***&api-key=***');
    expect(redactUrl('not a url //u:p@host/x')).not.toContain('u:p');
    const text = redactText('connect ECONNREFUSED for smtps://mailer:hunter22@mail.example.org:465 and redis://:pw22@127.0.0.1:6379/0');
    expect(text).not.toMatch(/hunter22|pw22/);
    expect(text).toContain('mail.example.org:465');
  });
});
