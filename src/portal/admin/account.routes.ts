// The login, password and account pages (GET), the account page's "end this session" (POST), and
// the rendering of failed /konto form posts as these pages with the error at its field.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError, TooManyRequests } from '../../core/errors.ts';
import { userInfo } from '../../accounts/index.ts';
import type { ActiveSession, FormOutcome } from '../../accounts/index.ts';
import { ADMIN_CATALOGS } from '../i18n/admin.index.ts';
import { href, LANGS, PAGES, type Lang } from '../paths.ts';
import { formBody, localPath, type PageKit } from './admin.kit.ts';
import { ErrorPage } from '../pages/legal.tsx';
import { AccountPage, ForgotPage, LoginPage, ResetPage, type AccountModel } from './pages/account.tsx';

type Req = FastifyRequest<{ Querystring: Record<string, string> }>;
const open = { config: { access: { op: 'public' as const } } };

export async function accountPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const d = kit.d;
  const min = d.config.accounts.passwordMinLength;
  const on = (page: 'login' | 'forgot' | 'reset' | 'account', handler: (req: Req, reply: FastifyReply, lang: Lang) => Promise<unknown>, method: 'GET' | 'POST' = 'GET') => {
    for (const lang of LANGS) app.route({ method, url: PAGES[page][lang], ...open, handler: (req, reply) => handler(req as Req, reply, lang) });
  };

  const login = (req: FastifyRequest, reply: FastifyReply, lang: Lang, m: { email?: string; errors?: { email?: string; password?: string }; notice?: string; returnTo?: string }, status = 200, session?: ActiveSession) => {
    const csrf = d.accounts.formToken(req, reply);
    return csrf.then((token) => kit.send(req, reply, lang, { page: 'login' }, (frame, t, a) => LoginPage({
      frame, csrf: token, form: { values: { email: m.email }, errors: m.errors ?? {} }, notice: m.notice,
      returnTo: localPath(m.returnTo, href(lang, 'account')), oidc: d.accounts.oidc !== undefined,
    }, t, a), { status, session }));
  };

  on('login', async (req, reply, lang) => {
    const a = ADMIN_CATALOGS[lang];
    const s = await kit.session(req);
    const q = req.query;
    const notice = q.zurueckgesetzt === '1' ? a.login.resetDone : q.bestaetigt === '1' ? a.login.confirmed : s ? a.login.already(s.user.displayName || s.user.email) : undefined;
    return login(req, reply, lang, { notice, returnTo: q.returnTo }, 200, s);
  });
  // The accounts module redirects to /konto/anmelden after a reset or a confirmation.
  app.get('/konto/anmelden', open, async (req: Req, reply) => {
    const q = new URLSearchParams(req.query).toString();
    return reply.status(303).header('location', `${href('de', 'login')}${q ? `?${q}` : ''}`).send();
  });

  on('forgot', async (req, reply, lang) => {
    const token = await d.accounts.formToken(req, reply);
    return kit.send(req, reply, lang, { page: 'forgot' }, (frame, t, a) => ForgotPage({ frame, csrf: token, form: { values: {}, errors: {} }, sent: req.query.gesendet === '1' }, t, a), { session: await kit.session(req) });
  });

  on('reset', async (req, reply, lang) => {
    const a = ADMIN_CATALOGS[lang];
    const token = typeof req.query.token === 'string' && /^[A-Za-z0-9_-]{20,128}$/.test(req.query.token) ? req.query.token : '';
    const csrf = await d.accounts.formToken(req, reply);
    return kit.send(req, reply, lang, { page: 'reset' }, (frame, t, am) => ResetPage({ frame, csrf, token, form: { values: {}, errors: token ? {} : { token: a.reset.noToken } }, minLength: min }, t, am),
      { status: token ? 200 : 400, session: await kit.session(req) });
  });

  const account = async (req: FastifyRequest, reply: FastifyReply, lang: Lang, s: ActiveSession, extra: Partial<Pick<AccountModel, 'form' | 'notice'>> = {}, status = 200) => {
    const sessions = (await d.accounts.sessions.list(s.user.id)).map(({ id, userAgent, createdAt, lastSeenAt, expiresAt }) => ({ id, userAgent, createdAt, lastSeenAt, expiresAt, current: id === s.session.id }));
    const u = userInfo(s.user);
    return kit.send(req, reply, lang, { page: 'account' }, (frame, t, a) => AccountPage({
      frame, csrf: s.session.csrf, sessions, minLength: min, form: extra.form ?? { values: {}, errors: {} }, notice: extra.notice,
      user: { displayName: u.displayName, email: u.email, roles: u.roles, lastLoginAt: u.lastLoginAt, hasPassword: u.hasPassword, staff: kit.isSteward(s) },
    }, t, a), { status, session: s });
  };

  on('account', async (req, reply, lang) => {
    const s = await kit.guard(req, reply, lang, 'any');
    if (!s) return reply;
    const a = ADMIN_CATALOGS[lang];
    return account(req, reply, lang, s, { notice: req.query['passwort-geaendert'] === '1' ? a.account.changed : req.query.beendet === '1' ? a.account.ended : undefined });
  });
  // "End this session" for one of the person's other sessions (CSRF checked by the accounts hook).
  on('account', async (req, reply, lang) => {
    const s = await kit.guard(req, reply, lang, 'any');
    if (!s) return reply;
    const id = formBody(req).endSession ?? '';
    req.auditTarget = `session:${id}`;
    await d.accounts.endOwnSession(s.user.id, id);
    return reply.status(303).header('location', `${href(lang, 'account')}?beendet=1`).send();
  }, 'POST');

  // Successful form posts to /konto lead to the page in the language of the form (its `_lang` field),
  // so an English reader reads the confirmation in English.
  const landings: Record<FormOutcome, (lang: Lang) => string> = {
    loggedOut: (lang) => href(lang, 'home'),
    passwordChanged: (lang) => `${href(lang, 'account')}?passwort-geaendert=1`,
    resetSent: (lang) => `${href(lang, 'forgot')}?gesendet=1`,
    passwordReset: (lang) => `${href(lang, 'login')}?zurueckgesetzt=1`,
    emailConfirmed: (lang) => `${href(lang, 'login')}?bestaetigt=1`,
  };
  d.accounts.formRedirect = (outcome, req) => landings[outcome](formBody(req)._lang === 'en' ? 'en' : 'de');

  // Failed form posts to /konto: the same page again, the error at its field, what was typed kept (never a password).
  d.accounts.formErrorPage = async (err, req, reply) => {
    const b = formBody(req);
    const lang: Lang = b._lang === 'en' ? 'en' : 'de';
    const a = ADMIN_CATALOGS[lang];
    const status = err instanceof ProblemError ? err.status : typeof (err as { statusCode?: unknown }).statusCode === 'number' ? (err as { statusCode: number }).statusCode : 500;
    const detail = err instanceof ProblemError ? err.detail : '';
    const route = req.routeOptions.url ?? '';
    const s = await kit.session(req);
    if (status === 403) return kit.forbidden(req, reply, lang, s, true);
    if (status >= 500) {
      req.log.error({ err }, 'account form failed');
      return kit.send(req, reply, lang, { page: 'home' }, (frame, t) => ErrorPage({ frame, requestId: String(req.id) }, t), { status: 500, session: s });
    }
    const wait = err instanceof TooManyRequests ? err.retryAfterS : 0;
    const pw = (m: string) => (/at most/.test(m) ? a.reset.tooLong : a.reset.tooShort(min));
    if (route === '/konto/anmelden') {
      const errors = status === 429 ? { email: a.login.tooMany(wait) }
        : !b.email || !b.password ? { email: b.email ? undefined : a.login.emailRequired, password: b.password ? undefined : a.login.passwordRequired }
        : { password: a.login.wrong };
      return login(req, reply, lang, { email: b.email, errors, returnTo: b.returnTo }, status, s);
    }
    if (route === '/konto/passwort-vergessen') {
      const csrf = await d.accounts.formToken(req, reply);
      const errors = { email: status === 429 ? a.forgot.tooMany(wait) : a.forgot.emailInvalid };
      return kit.send(req, reply, lang, { page: 'forgot' }, (frame, t, am) => ForgotPage({ frame, csrf, form: { values: { email: b.email }, errors }, sent: false }, t, am), { status, session: s });
    }
    if (route === '/konto/passwort-zuruecksetzen') {
      const csrf = await d.accounts.formToken(req, reply);
      const tokenBad = /token|link/i.test(detail);
      const token = tokenBad ? '' : (b.token ?? '');
      const errors = tokenBad ? { token: a.reset.tokenInvalid } : { password: pw(detail) };
      return kit.send(req, reply, lang, { page: 'reset' }, (frame, t, am) => ResetPage({ frame, csrf, token, form: { values: {}, errors }, minLength: min }, t, am), { status, session: s });
    }
    if (!s) return kit.toLogin(req, reply, lang);
    if (route === '/konto/passwort-aendern') {
      const errors = status === 429 ? { currentPassword: a.login.tooMany(wait) }
        : status === 401 ? { currentPassword: a.account.currentWrong }
        : /currentPassword/.test(detail) ? { currentPassword: a.account.currentRequired } : { password: pw(detail) };
      return account(req, reply, lang, s, { form: { values: {}, errors } }, status);
    }
    return account(req, reply, lang, s, {}, status);
  };
}
