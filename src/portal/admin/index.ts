// The login, account and administration pages and the OpenAPI description, as app.ts sees them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Accounts } from '../../accounts/index.ts';
import type { FrameAccount } from './account-nav.tsx';
import { ProblemError } from '../../core/errors.ts';
import { loadAssets } from '../assets.ts';
import { PageKit, type AdminPortalDeps } from './admin.kit.ts';
import { accountPageRoutes } from './account.routes.ts';
import type { Lang } from '../paths.ts';
import { adminPage } from './admin.kit.ts';
import { ADMIN_SECTIONS, STEWARD_SECTIONS, AdminHome } from './pages/shell.tsx';
import { userPageRoutes } from './users.routes.ts';
import { keyPageRoutes } from './keys.routes.ts';
import { logPageRoutes } from './logs.routes.ts';
import { devicePageRoutes } from './devices.routes.ts';
import { tenantPageRoutes } from './tenants.routes.ts';
import { projectPageRoutes } from './projects.routes.ts';
import { policyPageRoutes } from './policy.routes.ts';
import { openApiRoutes } from './openapi.routes.ts';
import { ErrorPage, NotFoundPage } from '../pages/legal.tsx';
import { acceptForms } from '../../core/http.ts';

export type { AdminPortalDeps };

export async function adminPortalRoutes(app: FastifyInstance, d: AdminPortalDeps): Promise<void> {
  const kit = new PageKit(d, await loadAssets());
  acceptForms(app, 256 * 1024);
  // No page answer shows a cause: 403 (CSRF, role) as its page, other client errors short, the rest logged once.
  app.setErrorHandler(async (err, req, reply) => {
    const lang: Lang = req.url.startsWith('/en') ? 'en' : 'de';
    const status = err instanceof ProblemError ? err.status : (err as { statusCode?: number }).statusCode;
    const s = await kit.session(req).catch(() => undefined);
    if (status === 403) return kit.forbidden(req, reply, lang, s, true);
    if (status === 401) return kit.toLogin(req, reply, lang);
    if (status === 404) return kit.send(req, reply, lang, { page: 'home' }, (frame, t) => NotFoundPage({ frame }, t), { status: 404, session: s });
    if (typeof status === 'number' && status >= 400 && status < 500) return reply.status(status).type('text/plain; charset=utf-8').send(lang === 'de' ? 'Die Anfrage ist ungültig.' : 'The request is invalid.');
    req.log.error({ err }, 'page failed');
    return kit.send(req, reply, lang, { page: 'home' }, (frame, t) => ErrorPage({ frame, requestId: String(req.id) }, t), { status: 500, session: s });
  });
  // What a page's form changed is audit-logged like the admin API's writes.
  const audit = d.auth.audit;
  if (audit) {
    app.addHook('onResponse', (req, reply, done) => {
      if (req.method === 'POST') {
        const s = req.accountSession;
        audit.record({
          principal: s ? `user:${s.user.id}` : 'anonymous', action: `POST ${req.routeOptions.url ?? req.url.split('?')[0]}`,
          target: req.auditTarget, status: reply.statusCode, address: req.ip, requestId: String(req.id),
        });
      }
      done();
    });
  }
  await accountPageRoutes(app, kit);
  adminPage(app, kit, 'admin', 'steward', async (req, reply, lang, s) => {
    const sections = ADMIN_SECTIONS.filter((x) => kit.isOperator(s) || STEWARD_SECTIONS.includes(x));
    return kit.send(req, reply, lang, { page: 'admin' }, (frame, t, a) => AdminHome({ frame, sections }, t, a), { session: s });
  });
  await userPageRoutes(app, kit);
  await keyPageRoutes(app, kit);
  await logPageRoutes(app, kit);
  await devicePageRoutes(app, kit);
  await tenantPageRoutes(app, kit);
  await policyPageRoutes(app, kit);
  await projectPageRoutes(app, kit);
  await openApiRoutes(app, kit, d.version);
}

/** Records every route as it is registered (the OpenAPI completeness check and the API page read it). */
export function collectRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  const list: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (r) => {
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) list.push({ method: String(m), url: r.url });
  });
  return list;
}

/** The header's account menu for the public pages: who is logged in (undefined for guests; no database read without a cookie). */
export function frameAccountOf(accounts: Accounts): (req: FastifyRequest) => Promise<FrameAccount | undefined> {
  return async (req) => {
    const s = await accounts.sessionOf(req);
    return s && { name: s.user.displayName || s.user.email, csrf: s.session.csrf, staff: s.user.roles.some((g) => g.role === 'steward' || g.role === 'operator') };
  };
}
