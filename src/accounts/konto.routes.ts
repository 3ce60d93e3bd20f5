// /konto: login (local and OpenID Connect), logout, password reset, the current session. Each
// accepts an HTML form post (application/x-www-form-urlencoded, answered with a 303 redirect) or
// JSON (answered with JSON); errors are application/problem+json. The portal's pages post here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import { ResourceNotFound, TooManyRequests, Unauthorized } from '../core/errors.ts';
import { problemJson, type AuditLog } from '../auth/index.ts';
import type { Accounts, FormOutcome } from './accounts.setup.ts';
import { OIDC_COOKIE, SESSION_COOKIE, readCookie, setCookie } from './cookies.ts';
import { checkLoginToken, checkSessionToken, isFormPost } from './csrf.ts';
import { OIDC_LOGIN_TTL_S, safeReturnTo } from './oidc.login.ts';
import { sessionPrincipal } from './sessions.service.ts';
import type { UserRecord } from '../storage/port.accounts.ts';
import { normaliseEmail, userInfo } from './users.service.ts';
import { acceptForms } from '../core/http.ts';
import { mailLangOf } from './mail.texts.ts';

export interface KontoDeps {
  accounts: Accounts;
  audit?: AuditLog;
  config: Readonly<Config>;
}

type Body = Record<string, unknown>;

function body(req: FastifyRequest): Body {
  const b = req.body;
  return b && typeof b === 'object' && !Array.isArray(b) ? b as Body : {};
}

export async function kontoRoutes(app: FastifyInstance, d: KontoDeps): Promise<void> {
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof TooManyRequests) reply.header('retry-after', String(err.retryAfterS));
    if (d.accounts.formErrorPage && isFormPost(req) && /text\/html/.test(String(req.headers.accept ?? ''))) return d.accounts.formErrorPage(err, req, reply);
    problemJson(err, req, reply);
  });
  // HTML forms post url-encoded; the first value of a repeated field counts.
  acceptForms(app, 64 * 1024);
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });
  // Logins, logouts and resets are audit-logged (the auth hook logs only non-public routes).
  if (d.audit) {
    const audit = d.audit;
    app.addHook('onResponse', (req, reply, done) => {
      if (req.method === 'POST' || req.method === 'DELETE' || req.routeOptions.url?.endsWith('/oidc/callback')) {
        audit.record({
          principal: req.principal?.id ?? 'anonymous', action: `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`,
          target: req.auditTarget, status: reply.statusCode, address: req.ip, requestId: String(req.id),
        });
      }
      done();
    });
  }
  const open = { config: { access: { op: 'public' as const } } };
  const a = d.accounts;
  // After a successful form post: the portal's page in the form's language, or the German default.
  const landing = (req: FastifyRequest, outcome: FormOutcome, fallback: string) => a.formRedirect?.(outcome, req) ?? fallback;

  async function startSession(req: FastifyRequest, reply: FastifyReply, user: UserRecord) {
    // A login always opens a new session (no fixation); one the browser still had is ended.
    const old = readCookie(req, SESSION_COOKIE);
    if (old) await a.sessions.revoke(old);
    const { secret, session } = await a.sessions.create(user, { userAgent: req.headers['user-agent'], address: req.ip });
    setCookie(req, reply, SESSION_COOKIE, secret);
    req.principal = sessionPrincipal({ session, user });
    req.auditTarget = `user:${user.id}`;
    return session;
  }

  app.get('/csrf', open, async (req, reply) => ({ token: await a.formToken(req, reply) }));

  app.get('/sitzung', open, async (req) => {
    const s = await a.sessionOf(req);
    if (!s) throw new Unauthorized('Not logged in');
    return { user: userInfo(s.user), session: { id: s.session.id, createdAt: s.session.createdAt, expiresAt: s.session.expiresAt }, csrf: s.session.csrf };
  });

  app.post('/anmelden', open, async (req, reply) => {
    const b = body(req);
    const form = isFormPost(req);
    if (form) checkLoginToken(req);
    if (typeof b.email === 'string') req.auditTarget = normaliseEmail(b.email).slice(0, 254);
    const user = await a.login.login(b.email, b.password, req.ip, mailLangOf(b));
    const session = await startSession(req, reply, user);
    if (form) return reply.status(303).header('location', safeReturnTo(b.returnTo)).send();
    return { user: userInfo(user), csrf: session.csrf, expiresAt: session.expiresAt };
  });

  app.post('/abmelden', open, async (req, reply) => {
    const s = await a.sessionOf(req);
    const form = isFormPost(req);
    if (s) {
      checkSessionToken(req, s.session.csrf);
      req.principal = sessionPrincipal(s);
      await a.sessions.revoke(readCookie(req, SESSION_COOKIE)!);
    }
    setCookie(req, reply, SESSION_COOKIE, '', 0);
    return form ? reply.status(303).header('location', landing(req, 'loggedOut', '/')).send() : reply.status(204).send();
  });

  /** The person's own live sessions (for "where am I logged in"). */
  app.get('/sitzungen', open, async (req) => {
    const s = await a.sessionOf(req);
    if (!s) throw new Unauthorized('Not logged in');
    return (await a.sessions.list(s.user.id)).map(({ id, createdAt, lastSeenAt, expiresAt, userAgent }) => ({ id, createdAt, lastSeenAt, expiresAt, userAgent, current: id === s.session.id }));
  });

  /** Ends one of the person's own sessions (another browser); the account page does the same. */
  app.delete('/sitzungen/:id', open, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const s = await a.sessionOf(req);
    if (!s) throw new Unauthorized('Not logged in');
    checkSessionToken(req, s.session.csrf);
    req.principal = sessionPrincipal(s);
    req.auditTarget = `session:${req.params.id}`;
    if (!(await a.endOwnSession(s.user.id, req.params.id))) throw new ResourceNotFound(`No active session ${req.params.id} of this account`);
    return reply.status(204).send();
  });

  /** Logs out everywhere: every session of the person, this one included. */
  app.post('/abmelden-ueberall', open, async (req, reply) => {
    const s = await a.sessionOf(req);
    if (!s) throw new Unauthorized('Not logged in');
    checkSessionToken(req, s.session.csrf);
    req.principal = sessionPrincipal(s);
    await a.sessions.revokeAll(s.user.id);
    setCookie(req, reply, SESSION_COOKIE, '', 0);
    return isFormPost(req) ? reply.status(303).header('location', landing(req, 'loggedOut', '/')).send() : reply.status(204).send();
  });

  /** Changes the password (current one required): every other session ends, this browser gets a new one. */
  app.post('/passwort-aendern', open, async (req, reply) => {
    const s = await a.sessionOf(req);
    if (!s) throw new Unauthorized('Not logged in');
    checkSessionToken(req, s.session.csrf);
    req.principal = sessionPrincipal(s);
    const b = body(req);
    await a.login.changePassword(s.user, b.currentPassword, b.password, req.ip);
    const session = await startSession(req, reply, s.user);
    if (isFormPost(req)) return reply.status(303).header('location', landing(req, 'passwordChanged', '/konto?passwort-geaendert=1')).send();
    return { csrf: session.csrf, expiresAt: session.expiresAt };
  });

  app.post('/passwort-vergessen', open, async (req, reply) => {
    const form = isFormPost(req);
    if (form) checkLoginToken(req);
    const rb = body(req);
    a.login.requestReset(rb.email, req.ip, mailLangOf(rb));
    if (form) return reply.status(303).header('location', landing(req, 'resetSent', '/konto/passwort-vergessen?gesendet=1')).send();
    return reply.status(202).send({ message: 'If an account with this e-mail address exists, a link to set a new password has been sent to it.' });
  });

  app.post('/passwort-zuruecksetzen', open, async (req, reply) => {
    const b = body(req);
    const form = isFormPost(req);
    if (form) checkLoginToken(req);
    const u = await a.login.resetPassword(b.token, b.password);
    req.auditTarget = `user:${u.id}`;
    if (form) return reply.status(303).header('location', landing(req, 'passwordReset', '/konto/anmelden?zurueckgesetzt=1')).send();
    return { message: 'The password has been changed; every session of the account has been ended. Log in with the new password.' };
  });

  app.post('/email-bestaetigen', open, async (req, reply) => {
    const form = isFormPost(req);
    if (form) checkLoginToken(req);
    const u = await a.login.confirmEmail(body(req).token);
    req.auditTarget = `user:${u.id}`;
    if (form) return reply.status(303).header('location', landing(req, 'emailConfirmed', '/konto/anmelden?bestaetigt=1')).send();
    return { message: 'The e-mail address has been confirmed.', email: u.email };
  });

  app.get('/oidc/start', open, async (req: FastifyRequest<{ Querystring: Record<string, string> }>, reply) => {
    if (!a.oidc) throw new ResourceNotFound('Login with OpenID Connect is not configured (DREHSCHEIBE_OIDC_ISSUER)');
    const { url, state } = await a.oidc.start(req.query.returnTo);
    setCookie(req, reply, OIDC_COOKIE, state, OIDC_LOGIN_TTL_S);
    return reply.status(302).header('location', url).send();
  });

  app.get('/oidc/callback', open, async (req: FastifyRequest<{ Querystring: Record<string, string> }>, reply) => {
    if (!a.oidc) throw new ResourceNotFound('Login with OpenID Connect is not configured (DREHSCHEIBE_OIDC_ISSUER)');
    const cookieState = readCookie(req, OIDC_COOKIE);
    setCookie(req, reply, OIDC_COOKIE, '', 0);
    const { user, returnTo } = await a.oidc.callback(req.query, cookieState);
    await startSession(req, reply, user);
    return reply.status(303).header('location', returnTo).send();
  });
}
