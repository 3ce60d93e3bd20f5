// CSRF protection for forms (OWASP CSRF cheat sheet). With a session: the synchronizer token stored
// in the session row, sent back as the form field _csrf or the X-CSRF-Token header. Without a session
// (login, password reset): a double-submit token — a random value in a SameSite=Lax, httpOnly cookie
// ("__Host-" over HTTPS, so no subdomain can set it) that the form must repeat.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Forbidden } from '../core/errors.ts';
import { CSRF_COOKIE, readCookie, setCookie } from './cookies.ts';
import { randomSecret, safeEqual } from './secrets.ts';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** The token a request carries: the header, else the form field. */
export function givenToken(req: FastifyRequest): string | undefined {
  const h = req.headers[CSRF_HEADER];
  if (typeof h === 'string' && h) return h;
  const b = req.body as Record<string, unknown> | undefined;
  const f = b && typeof b === 'object' ? b[CSRF_FIELD] : undefined;
  return typeof f === 'string' && f ? f : undefined;
}

/** The pre-session token for a form, setting its cookie when the browser has none yet. */
export function loginToken(req: FastifyRequest, reply: FastifyReply): string {
  let t = readCookie(req, CSRF_COOKIE);
  if (!t) {
    t = randomSecret();
    setCookie(req, reply, CSRF_COOKIE, t);
  }
  return t;
}

export function checkLoginToken(req: FastifyRequest): void {
  const cookie = readCookie(req, CSRF_COOKIE);
  const given = givenToken(req);
  if (!cookie || !given || !safeEqual(cookie, given)) {
    throw new Forbidden(`The form's CSRF token is missing or does not match (field ${CSRF_FIELD} or header X-CSRF-Token, with the cookie from GET /konto/csrf); reload the form and send it again`);
  }
}

export function checkSessionToken(req: FastifyRequest, expected: string): void {
  const given = givenToken(req);
  if (!given || !safeEqual(given, expected)) {
    throw new Forbidden(`The session's CSRF token is missing or wrong (field ${CSRF_FIELD} or header X-CSRF-Token; GET /konto/sitzung returns it); reload the form and send it again`);
  }
}

/**
 * Whether a request has a content type a foreign page can make a browser send without a CORS
 * preflight (an HTML form: url-encoded, multipart, text/plain, or none). JSON cannot be sent that
 * way, and Drehscheibe grants no credentialed cross-origin requests.
 */
export function isFormPost(req: FastifyRequest): boolean {
  const ct = String(req.headers['content-type'] ?? '').toLowerCase().split(';')[0].trim();
  return ct === '' || ct === 'application/x-www-form-urlencoded' || ct === 'multipart/form-data' || ct === 'text/plain';
}
