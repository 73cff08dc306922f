import type { FastifyInstance } from 'fastify';

// Response headers that close browser-side holes on every route (OWASP Secure Headers): no MIME sniffing, no
// framing (clickjacking), no referrer leaking URLs with identifiers, and HTTPS only once reached over HTTPS.
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', "frame-ancestors 'none'");
    reply.header('referrer-policy', 'no-referrer');
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
    // Tokens are never cached anywhere.
    if (request.url.startsWith('/api/auth/')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
