import { createHash } from 'node:crypto';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** The CSP sources allowing each inline `<tag>` block of the page by its SHA-256, or 'none'. */
function inlineHashes(page: string, tag: 'script' | 'style'): string[] {
  const hashes = [...page.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
  return hashes.length > 0 ? hashes : ["'none'"];
}

/**
 * Security headers on every answer, errors and 404s included (helmet's onRequest hook). The staff
 * page's inline script and style are allowed by their hashes, so it works under a CSP that allows
 * no other script, style, frame or form target, and no 'unsafe-inline'. API answers are never cached.
 */
export async function registerSecurityHeaders(app: FastifyInstance, page: string): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: inlineHashes(page, 'script'),
        styleSrc: inlineHashes(page, 'style'),
        connectSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        // The page shows a snapshot's PDF (fetched with the token) in an iframe of its blob: URL.
        frameSrc: ['blob:'],
        objectSrc: ['blob:'],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // TLS, and with it HSTS, belongs to the reverse proxy in front (docs/api.md).
    strictTransportSecurity: false,
  });
  // Not helmet's: the browser features the page never uses, and caching of authenticated answers.
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    if (req.url.startsWith('/api/') || req.url === '/metrics') void reply.header('cache-control', 'no-store');
  });
}
