// The accounts module as an app sees it: builds the services from the config, recognises session
// cookies for the auth hook, checks the CSRF token of every state-changing request made with a
// session, cleans up expired sessions, and registers the /konto and /admin routes.
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import { type AuditLog, type Principal, type SessionAuth } from '../auth/index.ts';
import type { AccountStore } from '../storage/port.accounts.ts';
import type { ClusterFeed } from '../storage/port.cluster.ts';
import { SESSION_COOKIE, readCookie } from './cookies.ts';
import { checkLoginToken, checkSessionToken, loginToken } from './csrf.ts';
import { LoginService } from './login.service.ts';
import { Mailer } from './mailer.ts';
import { OidcLogin } from './oidc.login.ts';
import { PasswordHasher } from './password.ts';
import { SessionService, sessionPrincipal, type ActiveSession } from './sessions.service.ts';
import { UserService } from './users.service.ts';
import { kontoRoutes } from './konto.routes.ts';
import { userAdminRoutes } from './users.routes.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's live session, once resolved (Accounts.sessionOf). */
    accountSession?: ActiveSession | null;
  }
}

export interface AccountsDeps {
  store: AccountStore;
  clock: Clock;
  log: FastifyBaseLogger;
  fetchImpl?: typeof fetch;
  /** Several nodes: the login limits are shared among the live nodes like the API's (DREHSCHEIBE_RATE_LIMIT_SCOPE). */
  cluster?: { feed: ClusterFeed };
}

/** What a successful /konto form post did, for the page it redirects to. */
export type FormOutcome = 'loggedOut' | 'passwordChanged' | 'resetSent' | 'passwordReset' | 'emailConfirmed';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export class Accounts implements SessionAuth {
  readonly hasher: PasswordHasher;
  readonly users: UserService;
  readonly sessions: SessionService;
  readonly mailer: Mailer;
  readonly login: LoginService;
  readonly oidc?: OidcLogin;
  /**
   * Set by the portal: renders a failed /konto form post of a browser (Accept: text/html) as the
   * page again, with the error next to its field, instead of problem+json.
   */
  formErrorPage?: (err: unknown, req: FastifyRequest, reply: FastifyReply) => unknown;
  /**
   * Set by the portal: where a successful /konto form post of a browser leads (the page in the
   * language the form was sent from). Without it, the German addresses below are used.
   */
  formRedirect?: (outcome: FormOutcome, req: FastifyRequest) => string | undefined;
  private cleanupTimer?: NodeJS.Timeout;

  constructor(private readonly config: Readonly<Config>, private readonly d: AccountsDeps) {
    const a = config.accounts;
    this.hasher = new PasswordHasher({ memoryKiB: a.argon2MemoryKiB, time: a.argon2Time });
    this.users = new UserService(d.store, d.clock, this.hasher, a.passwordMinLength);
    this.sessions = new SessionService(d.store, d.clock, { idleS: a.sessionIdleS, maxS: a.sessionMaxS });
    this.mailer = new Mailer(d.store, d.clock, { smtpUrl: a.smtpUrl, from: a.mailFrom }, d.log.child({ module: 'accounts.mail' }));
    const cluster = d.cluster;
    const nodes = config.security.rateLimit.scope === 'cluster' && cluster ? () => cluster.feed.liveNodes().length : undefined;
    this.login = new LoginService({ store: d.store, users: this.users, hasher: this.hasher, mailer: this.mailer, nodes, clock: d.clock, cfg: a, publicUrl: config.publicUrl, log: d.log.child({ module: 'accounts' }) });
    const o = config.security.oidc;
    if (o && a.oidcClientId) {
      this.oidc = new OidcLogin({
        issuer: o.issuer, clientId: a.oidcClientId, clientSecret: a.oidcClientSecret, scopes: a.oidcScopes, rolesClaim: o.rolesClaim, roleMap: o.roleMap,
        roles: a.oidcLoginRoles, redirectUri: `${config.publicUrl}/konto/oidc/callback`,
      }, d.store, d.clock, d.fetchImpl);
    }
  }

  /** The request's live session (resolved once per request), or undefined. */
  async sessionOf(req: FastifyRequest): Promise<ActiveSession | undefined> {
    if (req.accountSession !== undefined) return req.accountSession ?? undefined;
    const secret = readCookie(req, SESSION_COOKIE);
    const s = secret ? await this.sessions.resolve(secret) : undefined;
    req.accountSession = s ?? null;
    return s;
  }

  /** SessionAuth for the auth hook. */
  async principal(req: FastifyRequest): Promise<Principal | undefined> {
    const s = await this.sessionOf(req);
    return s && sessionPrincipal(s);
  }

  /** The CSRF token a form of this page must carry: the session's, or (no session) the double-submit token. */
  async formToken(req: FastifyRequest, reply: FastifyReply): Promise<string> {
    const s = await this.sessionOf(req);
    return s ? s.session.csrf : loginToken(req, reply);
  }

  /**
   * For forms posted without a session (anonymous feedback, …): checks the double-submit token;
   * with a session the preHandler hook has checked the session's token already.
   */
  async verifyForm(req: FastifyRequest): Promise<void> {
    const s = await this.sessionOf(req);
    if (s) checkSessionToken(req, s.session.csrf);
    else checkLoginToken(req);
  }

  /** Ends one session of a user, only if it is that user's live session (self-service "end this session"). */
  async endOwnSession(userId: string, sessionId: string): Promise<boolean> {
    if (!(await this.sessions.list(userId)).some((x) => x.id === sessionId)) return false;
    return this.sessions.revokeById(sessionId);
  }

  /** Hooks before any route: request decoration, CSRF on every write made with a session cookie, cleanup timer. */
  installHooks(app: FastifyInstance): void {
    app.decorateRequest('accountSession', undefined);
    // A browser sends the session cookie with any request a foreign page makes it send: every
    // state-changing request that carries a live session cookie must carry the session's token —
    // on admin routes and on public routes (portal forms) alike. /konto checks its own forms; the
    // NGSI-LD API ignores cookies; a request authenticated by an API key or bearer token is not
    // acting through the cookie.
    app.addHook('preHandler', (req, _reply, done) => {
      const route = req.routeOptions.url ?? req.url;
      if (SAFE.has(req.method) || route.startsWith('/konto/') || route.startsWith('/ngsi-ld/')
        || (req.principal !== undefined && req.principal.kind !== 'user') || !readCookie(req, SESSION_COOKIE)) { done(); return; }
      this.sessionOf(req).then((s) => {
        if (s) checkSessionToken(req, s.session.csrf);
        done();
      }).catch((e: unknown) => done(e as Error));
    });
    this.cleanupTimer = setInterval(() => {
      this.sessions.cleanup().catch((err) => this.d.log.warn({ err }, 'expired sessions could not be deleted'));
    }, 3_600_000);
    this.cleanupTimer.unref();
    app.addHook('onClose', async () => {
      clearInterval(this.cleanupTimer);
      await this.idle();
      this.mailer.close();
    });
  }

  async routes(app: FastifyInstance, audit: AuditLog | undefined): Promise<void> {
    await app.register((konto, _o, done) => { void kontoRoutes(konto, { accounts: this, audit, config: this.config }).then(() => done(), done); }, { prefix: '/konto' });
    await app.register((admin, _o, done) => { void userAdminRoutes(admin, { accounts: this, store: this.d.store }).then(() => done(), done); }, { prefix: '/admin' });
  }

  /** Waits for mail being prepared or sent (shutdown, tests). */
  idle(): Promise<void> {
    return this.login.idle();
  }
}
