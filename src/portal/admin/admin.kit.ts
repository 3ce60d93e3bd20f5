// What every login, account and administration page route shares: the module's dependencies, the
// logged-in person (through the accounts module), role checks through the one access model, and
// sending a page in the portal's frame (personal pages are never cached).
import { TENANT_NAME } from '../../core/tenant.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Config } from '../../config/config.ts';
import type { Accounts, ActiveSession } from '../../accounts/index.ts';
import { sessionPrincipal } from '../../accounts/index.ts';
import type { Auth, Principal } from '../../auth/index.ts';
import type { Ingest } from '../../ingest/index.ts';
import type { EntityService } from '../../ngsi-ld/entities/entities.service.ts';
import type { StoragePort } from '../../storage/port.ts';
import type { TenantService } from '../../tenants/tenants.service.ts';
import type { StrategyService } from '../../strategy/index.ts';
import type { AssetMap } from '../assets.ts';
import type { Frame } from '../components/layout.tsx';
import { CATALOGS, type Messages } from '../i18n/index.ts';
import { ADMIN_CATALOGS, type AdminMessages } from '../i18n/admin.index.ts';
import { href, PAGES as PAGES_REF, type Here, type Lang, type PageName } from '../paths.ts';
import { newNonce, sendPage } from '../render.ts';
import type { FrameAccount } from './account-nav.tsx';
import { ForbiddenPage } from './pages/account.tsx';

export interface AdminPortalDeps {
  config: Readonly<Config>;
  accounts: Accounts;
  auth: Auth;
  /** The storage port's auth, accounts and entity stores (the same ports the admin API reads). */
  storage: Pick<StoragePort, 'auth' | 'accounts' | 'entities'>;
  ingest: Ingest;
  strategy: StrategyService;
  entities: EntityService;
  /** Creating and deleting tenants (the same service as /admin/tenants). */
  tenants: TenantService;
  /** Every registered route (method, URL) for the OpenAPI completeness check and page. */
  routes: () => ReadonlyArray<{ method: string; url: string }>;
  /** The app's version (OpenAPI info.version). */
  version: string;
}

export type Build = (frame: Frame, t: Messages, a: AdminMessages) => VNode;

export class PageKit {
  constructor(readonly d: AdminPortalDeps, private readonly assets: AssetMap) {}

  /** The live session, or undefined. */
  session(req: FastifyRequest): Promise<ActiveSession | undefined> {
    return this.d.accounts.sessionOf(req);
  }

  principal(s: ActiveSession): Principal {
    return sessionPrincipal(s);
  }

  /** Operators administer everything (the admin API's rule: the operator role for every tenant). */
  isOperator(s: ActiveSession): boolean {
    return this.d.auth.policy.decide(this.principal(s), '', 'admin').allowed;
  }

  /** Stewards (and operators) edit projects: the strategy API's rule. */
  isSteward(s: ActiveSession): boolean {
    return s.user.roles.some((g) => g.role === 'steward' || g.role === 'operator');
  }

  frameAccount(s: ActiveSession | undefined): FrameAccount | undefined {
    return s && { name: s.user.displayName || s.user.email, csrf: s.session.csrf, staff: this.isSteward(s) };
  }

  send(req: FastifyRequest, reply: FastifyReply, lang: Lang, here: Here, build: Build, opts: { status?: number; session?: ActiveSession } = {}): FastifyReply {
    const nonce = newNonce();
    const a = this.assets;
    const frame: Frame = { lang, here, nonce, asset: (n) => a.url(n), demo: false, account: this.frameAccount(opts.session) };
    return sendPage(req, reply, build(frame, CATALOGS[lang], ADMIN_CATALOGS[lang]), { nonce, status: opts.status, personal: true });
  }

  /** 303 to the login page, coming back here afterwards. */
  toLogin(req: FastifyRequest, reply: FastifyReply, lang: Lang): FastifyReply {
    const back = req.method === 'GET' ? req.url : req.url.split('?')[0];
    return reply.status(303).header('location', `${href(lang, 'login')}?returnTo=${encodeURIComponent(back)}`).send();
  }

  forbidden(req: FastifyRequest, reply: FastifyReply, lang: Lang, session: ActiveSession | undefined, csrf = false): FastifyReply {
    return this.send(req, reply, lang, { page: session ? 'admin' : 'home' }, (frame, t, a) => ForbiddenPage({ frame, csrf }, t, a), { status: 403, session });
  }

  /**
   * The session of a person allowed on the page, or undefined after answering: no session → login
   * page; a session without the role → 403 page.
   */
  async guard(req: FastifyRequest, reply: FastifyReply, lang: Lang, need: 'any' | 'steward' | 'operator'): Promise<ActiveSession | undefined> {
    const s = await this.session(req);
    if (!s) { this.toLogin(req, reply, lang); return undefined; }
    const ok = need === 'any' || (need === 'steward' ? this.isSteward(s) : this.isOperator(s));
    if (!ok) { this.forbidden(req, reply, lang, s); return undefined; }
    return s;
  }
}

export type { PageName };

/** The string fields of a url-encoded form body. */
export function formBody(req: FastifyRequest): Record<string, string> {
  const b = req.body;
  const out: Record<string, string> = {};
  if (b && typeof b === 'object' && !Array.isArray(b)) for (const [k, v] of Object.entries(b)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A local path to go back to after login (never another origin). */
export function localPath(v: unknown, fallback: string): string {
  return typeof v === 'string' && v.startsWith('/') && !v.startsWith('//') && !v.startsWith('/\\') && v.length <= 2000 ? v : fallback;
}

export type AdminReq = FastifyRequest<{ Params: { id?: string }; Querystring: Record<string, string> }>;
export type AdminHandler = (req: AdminReq, reply: FastifyReply, lang: Lang, s: ActiveSession) => Promise<unknown>;

/** Registers a page (both languages) that needs a logged-in person with a role; others are sent to the login or the 403 page. */
export function adminPage(app: import('fastify').FastifyInstance, kit: PageKit, page: PageName, need: 'any' | 'steward' | 'operator', handler: AdminHandler, method: 'GET' | 'POST' = 'GET'): void {
  for (const lang of ['de', 'en'] as const) {
    app.route({
      method, url: (PAGES_REF[page] as Record<Lang, string>)[lang], config: { access: { op: 'public' } },
      handler: async (req, reply) => {
        const s = await kit.guard(req, reply, lang, need);
        if (!s) return reply;
        return handler(req as AdminReq, reply, lang, s);
      },
    });
  }
}

/** 303 to a page with a notice flag (post/redirect/get: a reload does not repeat the action). */
export function seeOther(reply: FastifyReply, url: string, flag?: string): FastifyReply {
  return reply.status(303).header('location', flag ? `${url}${url.includes('?') ? '&' : '?'}ok=${flag}` : url).send();
}

/** Comma-separated tenant names; undefined = every tenant (empty field), null = invalid. */
export function tenantList(v: string | undefined): string[] | undefined | null {
  const list = (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  if (list.length === 0) return undefined;
  return list.every((x) => TENANT_NAME.test(x)) && list.length <= 100 ? [...new Set(list)] : null;
}
