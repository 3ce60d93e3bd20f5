// The cookies of accounts: the session cookie and the pre-session CSRF cookie. httpOnly,
// SameSite=Lax, Path=/; Secure with the "__Host-" name prefix when the request came over HTTPS
// (directly or, with TRUST_PROXY=on, as the proxy's X-Forwarded-Proto says), so that a sibling
// subdomain cannot plant one (RFC 6265bis cookie prefixes).
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'drehscheibe_session';
export const CSRF_COOKIE = 'drehscheibe_csrf';
export const OIDC_COOKIE = 'drehscheibe_oidc';

export function isHttps(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

/** The cookie's name for this request: "__Host-" prefixed over HTTPS. */
export function cookieName(req: FastifyRequest, base: string): string {
  return isHttps(req) ? `__Host-${base}` : base;
}

export function readCookie(req: FastifyRequest, base: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const name = cookieName(req, base);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      // Our values are base64url: anything else is not ours.
      return /^[A-Za-z0-9_-]{16,128}$/.test(v) ? v : undefined;
    }
  }
  return undefined;
}

/** Appends a Set-Cookie header; maxAgeS 0 deletes the cookie; undefined = a browser-session cookie. */
export function setCookie(req: FastifyRequest, reply: FastifyReply, base: string, value: string, maxAgeS?: number): void {
  const parts = [`${cookieName(req, base)}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (isHttps(req)) parts.push('Secure');
  if (maxAgeS !== undefined) parts.push(`Max-Age=${maxAgeS}`);
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  reply.header('set-cookie', [...list, parts.join('; ')]);
}
