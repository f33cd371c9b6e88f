/**
 * Security headers on every answer (the SPA's pages, /trpc, /healthz, errors and 404s alike), set in
 * the first onRequest hook so that even a refused request carries them.
 *
 * The CSP fits the Vite build: module scripts from /assets, styles in .css files, no inline script or
 * style, no eval, fetches only to this origin. React sets style properties through the DOM, which a
 * CSP does not block. HSTS only goes out on https (the connection's, or X-Forwarded-Proto from a
 * proxy that TRUST_PROXY trusts): sent over plain http it would lock a local http setup out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** One year; subdomains too, since the app's cookie would otherwise ride on their plain-http answers. */
export const strictTransportSecurity = 'max-age=31536000; includeSubDomains';

const everyAnswer: Record<string, string> = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  // Links to a client's website must not tell it which CRM record they came from.
  'referrer-policy': 'no-referrer',
  // For browsers older than frame-ancestors.
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

export function registerSecurityHeaders(app: FastifyInstance) {
  app.addHook('onRequest', setSecurityHeaders);
}

async function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply) {
  reply.headers(everyAnswer);
  if (request.protocol === 'https') reply.header('strict-transport-security', strictTransportSecurity);
  // API answers can hold a revealed secret or a client's details: no browser or proxy keeps a copy.
  if (request.url.startsWith('/trpc')) reply.header('cache-control', 'no-store');
}
