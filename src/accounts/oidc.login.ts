// Staff login with OpenID Connect: authorization code flow with PKCE (RFC 7636, S256) against the
// issuer configured for bearer tokens (DREHSCHEIBE_OIDC_ISSUER). State, nonce and code verifier are
// kept server-side (table oidc_logins, so any node can finish the login) and the state is bound to
// the browser by a short-lived cookie. The ID token is verified with jose (signature by the issuer's
// JWKS, issuer, audience = client id, expiry, nonce); the user is found by issuer + subject, else
// linked by a verified e-mail address, else created.
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../core/clock.ts';
import { BadRequestData, Unauthorized, Unavailable } from '../core/errors.ts';
import { parseMappedRole } from '../auth/index.ts';
import type { AccountStore, MailLang, UserRecord, UserRole } from '../storage/port.accounts.ts';
import { randomId, randomSecret, sha256 } from './secrets.ts';
import { normaliseEmail } from './users.service.ts';

export interface OidcLoginConfig {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: string;
  rolesClaim: string;
  roleMap: Record<string, string>;
  /** claim: roles from the token at every login; account: the stored account's roles. */
  roles: 'claim' | 'account';
  redirectUri: string;
}

interface Discovery { issuer: string; authorization_endpoint: string; token_endpoint: string; jwks_uri: string }

/** How long a started login may take at the issuer. */
export const OIDC_LOGIN_TTL_S = 600;

/** A local path to return to: "/…" but not "//host" or "/\host" (no open redirect). */
export function safeReturnTo(v: unknown): string {
  return typeof v === 'string' && /^\/(?![/\\])[^\s]{0,1000}$/.test(v) ? v : '/';
}

export class OidcLogin {
  private discovery?: Promise<{ doc: Discovery; keys: JWTVerifyGetKey }>;

  constructor(private readonly cfg: OidcLoginConfig, private readonly store: AccountStore, private readonly clock: Clock, private readonly fetchImpl: typeof fetch = fetch) {}

  private discover(): Promise<{ doc: Discovery; keys: JWTVerifyGetKey }> {
    if (!this.discovery) {
      this.discovery = (async () => {
        const url = `${this.cfg.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
        const res = await this.fetchImpl(url, { signal: AbortSignal.timeout(5000) });
        if (!res.ok) throw new Error(`${url} answered ${res.status}`);
        const doc = await res.json() as Discovery;
        for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) if (typeof doc[k] !== 'string') throw new Error(`${url} names no ${k}`);
        if (doc.issuer !== this.cfg.issuer) throw new Error(`${url} names the issuer ${doc.issuer}, not ${this.cfg.issuer}`);
        return { doc, keys: createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: 5000 }) };
      })();
      this.discovery.catch(() => { this.discovery = undefined; });
    }
    return this.discovery;
  }

  private async endpoints(): Promise<{ doc: Discovery; keys: JWTVerifyGetKey }> {
    try {
      return await this.discover();
    } catch (e) {
      throw new Unavailable(`The OpenID Connect issuer cannot be reached: ${(e as Error).message}`);
    }
  }

  /** Where to send the browser, and the state for its cookie. */
  async start(returnTo: unknown): Promise<{ url: string; state: string }> {
    const { doc } = await this.endpoints();
    const state = randomSecret();
    const nonce = randomSecret();
    const codeVerifier = randomSecret(48);
    const now = this.clock.now();
    await this.store.createOidcLogin({
      stateHash: sha256(state), nonce, codeVerifier, returnTo: safeReturnTo(returnTo),
      createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + OIDC_LOGIN_TTL_S * 1000).toISOString(),
    });
    const u = new URL(doc.authorization_endpoint);
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('client_id', this.cfg.clientId);
    u.searchParams.set('redirect_uri', this.cfg.redirectUri);
    u.searchParams.set('scope', this.cfg.scopes);
    u.searchParams.set('state', state);
    u.searchParams.set('nonce', nonce);
    u.searchParams.set('code_challenge', createHash('sha256').update(codeVerifier).digest('base64url'));
    u.searchParams.set('code_challenge_method', 'S256');
    return { url: u.toString(), state };
  }

  /** Finishes the login: the user (found, linked or created) and where to go next. */
  async callback(q: Record<string, unknown>, cookieState: string | undefined): Promise<{ user: UserRecord; returnTo: string }> {
    if (typeof q.error === 'string') throw new Unauthorized(`The OpenID Connect issuer refused the login: ${q.error}${typeof q.error_description === 'string' ? ` (${q.error_description.slice(0, 200)})` : ''}`);
    const { code, state } = q;
    if (typeof code !== 'string' || typeof state !== 'string' || !code || !state) throw new BadRequestData('code and state are required');
    // The state must be the one this browser started with (login CSRF), and still pending (single use).
    if (cookieState !== state) throw new Unauthorized('This login was not started in this browser (state does not match); start it again');
    const login = await this.store.takeOidcLogin(sha256(state), this.clock.now().toISOString());
    if (!login) throw new Unauthorized('This login is unknown, has expired or was finished before; start it again');
    const { doc, keys } = await this.endpoints();
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.cfg.redirectUri, client_id: this.cfg.clientId, code_verifier: login.codeVerifier });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (this.cfg.clientSecret) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(this.cfg.clientId)}:${encodeURIComponent(this.cfg.clientSecret)}`).toString('base64')}`;
    let tokens: { id_token?: string; access_token?: string };
    try {
      const res = await this.fetchImpl(doc.token_endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      tokens = await res.json() as typeof tokens & { error?: string };
      if (!res.ok) throw new Unauthorized(`The OpenID Connect issuer refused the code: ${(tokens as { error?: string }).error ?? res.status}`);
    } catch (e) {
      if (e instanceof Unauthorized) throw e;
      throw new Unavailable(`The OpenID Connect token endpoint cannot be reached: ${(e as Error).message}`);
    }
    if (!tokens.id_token) throw new Unauthorized('The OpenID Connect issuer returned no ID token');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(tokens.id_token, keys, {
        issuer: this.cfg.issuer, audience: this.cfg.clientId, currentDate: this.clock.now(), clockTolerance: 5, requiredClaims: ['exp', 'sub', 'iat'],
      }));
    } catch (e) {
      throw new Unauthorized(`The ID token was rejected: ${(e as Error).message}`);
    }
    if (claims.nonce !== login.nonce) throw new Unauthorized('The ID token was rejected: its nonce does not match this login');
    const user = await this.userFor(claims, await this.claimRoles(claims, tokens.access_token, keys), pageLang(login.returnTo));
    return { user, returnTo: login.returnTo };
  }

  /** Roles from the configured claim, in the ID token or else in a (verified) JWT access token. */
  private async claimRoles(idClaims: JWTPayload, accessToken: string | undefined, keys: JWTVerifyGetKey): Promise<UserRole[]> {
    let names = rolesAt(idClaims, this.cfg.rolesClaim);
    if (names === undefined && accessToken && accessToken.split('.').length === 3) {
      try {
        const { payload } = await jwtVerify(accessToken, keys, { issuer: this.cfg.issuer, currentDate: this.clock.now(), clockTolerance: 5 });
        names = rolesAt(payload, this.cfg.rolesClaim);
      } catch { /* an opaque or foreign access token: no roles from it */ }
    }
    const out: UserRole[] = [];
    for (const n of names ?? []) {
      const g = this.cfg.roleMap[n] ? parseMappedRole(this.cfg.roleMap[n]) : undefined;
      if (g) out.push(g.tenants ? { role: g.role, tenants: [...g.tenants] } : { role: g.role });
    }
    return out.length ? out : [{ role: 'citizen' }];
  }

  /** `lang`: the language of the portal page the login started from (its return address). */
  private async userFor(c: JWTPayload, roles: UserRole[], lang: MailLang): Promise<UserRecord> {
    const now = this.clock.now().toISOString();
    const sub = c.sub!;
    const email = typeof c.email === 'string' ? normaliseEmail(c.email) : undefined;
    const name = typeof c.name === 'string' && c.name.trim() ? c.name.trim().slice(0, 200) : (email?.split('@')[0] ?? sub.slice(0, 200));
    let u = await this.store.userByOidc(this.cfg.issuer, sub);
    // An existing local account is linked only by an address the issuer has verified.
    if (!u && email && c.email_verified === true) {
      const local = await this.store.userByEmail(email);
      if (local && !local.oidcSubject) {
        await this.store.updateUser(local.id, { oidcIssuer: this.cfg.issuer, oidcSubject: sub });
        u = { ...local, oidcIssuer: this.cfg.issuer, oidcSubject: sub };
      }
    }
    if (!u) {
      u = {
        id: randomId(), email: email && !(await this.store.userByEmail(email)) ? email : `${randomId().toLowerCase()}@oidc.invalid`,
        // With roles from the account, a new account starts as citizen until an operator grants more.
        displayName: name, oidcIssuer: this.cfg.issuer, oidcSubject: sub, roles: this.cfg.roles === 'claim' ? roles : [{ role: 'citizen' }], createdAt: now,
      };
      // The mail language of a new account: the issuer's `locale` claim when it names German or
      // English (the person's setting there), else the language of the page the login started on.
      const mailLang = localeLang(c.locale) ?? lang;
      if (mailLang === 'en') u.lang = 'en';
      if (email && c.email_verified === true && u.email === email) u.emailConfirmedAt = now;
      await this.store.createUser(u);
    }
    if (u.disabledAt) throw new Unauthorized('This account is disabled');
    const patch: { lastLoginAt: string; roles?: UserRole[] } = { lastLoginAt: now };
    if (this.cfg.roles === 'claim') { patch.roles = roles; u.roles = roles; }
    await this.store.updateUser(u.id, patch);
    return u;
  }
}

/** The portal's language of a local address: English under /en, else German (src/portal/paths.ts). */
export function pageLang(path: string): MailLang {
  return /^\/en(\/|\?|#|$)/.test(path) ? 'en' : 'de';
}

/** German or English from an OIDC `locale` claim (BCP 47: "en", "en-GB", "de-DE"); undefined for others or none. */
export function localeLang(v: unknown): MailLang | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(de|en)(?:[-_]|$)/i.exec(v.trim());
  return m ? (m[1].toLowerCase() as MailLang) : undefined;
}

function rolesAt(payload: JWTPayload, path: string): string[] | undefined {
  let v: unknown = payload;
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return v.split(' ');
  return undefined;
}
