// Staff login with OpenID Connect (authorization code flow with PKCE, RFC 7636) against a local
// issuer this test starts: discovery, authorization endpoint (the "logged-in" person is set by the
// test), token endpoint that checks the client secret and the S256 code verifier, ID token with nonce.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { accountsApp, cookiesOf, PASSWORD, setCookies, type AccountsApp } from './support.ts';

type Key = Awaited<ReturnType<typeof generateKeyPair>>;
let server: Server;
let issuer: string;
let key: Key;
let jwk: JWK;
let t: AccountsApp;
/** Who the issuer says is logged in, and how it misbehaves. */
let person: { sub: string; email?: string; email_verified?: boolean; name?: string; locale?: string; roles: string[] } = { sub: 'kc-1', roles: [] };
let badNonce = false;
const codes = new Map<string, { challenge: string; method: string; nonce: string; redirectUri: string; clientId: string; person: typeof person }>();
let tokenRequests = 0;

before(async () => {
  key = await generateKeyPair('RS256');
  jwk = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    const url = new URL(req.url!, issuer);
    const json = (status: number, v: unknown) => { res.statusCode = status; res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(v)); };
    if (url.pathname === '/realms/herne/.well-known/openid-configuration') {
      return json(200, { issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/certs` });
    }
    if (url.pathname === '/realms/herne/certs') return json(200, { keys: [jwk] });
    if (url.pathname === '/realms/herne/auth') {
      const p = url.searchParams;
      const code = `code-${codes.size + 1}`;
      codes.set(code, { challenge: p.get('code_challenge')!, method: p.get('code_challenge_method')!, nonce: p.get('nonce')!, redirectUri: p.get('redirect_uri')!, clientId: p.get('client_id')!, person });
      res.statusCode = 302;
      res.setHeader('location', `${p.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(p.get('state')!)}`);
      return res.end();
    }
    if (url.pathname === '/realms/herne/token' && req.method === 'POST') {
      let raw = '';
      req.on('data', (c) => { raw += c; });
      req.on('end', () => {
        void (async () => {
          tokenRequests++;
          const f = new URLSearchParams(raw);
          if (req.headers.authorization !== `Basic ${Buffer.from('drehscheibe:geheim').toString('base64')}`) return json(401, { error: 'invalid_client' });
          const c = codes.get(f.get('code') ?? '');
          codes.delete(f.get('code') ?? '');
          if (!c || f.get('grant_type') !== 'authorization_code' || f.get('redirect_uri') !== c.redirectUri || f.get('client_id') !== c.clientId) return json(400, { error: 'invalid_grant' });
          const verifier = f.get('code_verifier') ?? '';
          if (c.method !== 'S256' || createHash('sha256').update(verifier).digest('base64url') !== c.challenge) return json(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
          const now = Math.floor(Date.now() / 1000);
          const { sub, roles, ...rest } = c.person;
          const idToken = await new SignJWT({ ...rest, nonce: badNonce ? 'other' : c.nonce, realm_access: { roles } })
            .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience('drehscheibe').setSubject(sub)
            .setIssuedAt(now).setExpirationTime(now + 300).sign(key.privateKey);
          json(200, { access_token: 'opaque', token_type: 'Bearer', id_token: idToken, expires_in: 300 });
        })();
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}/realms/herne`;
  t = await accountsApp({
    DREHSCHEIBE_OIDC_ISSUER: issuer, DREHSCHEIBE_OIDC_AUDIENCE: 'drehscheibe', DREHSCHEIBE_OIDC_CLIENT_SECRET: 'geheim',
    DREHSCHEIBE_OIDC_ROLE_MAP: 'herne-ops=operator,swh-staff=steward@stadtwerke', DREHSCHEIBE_PUBLIC_URL: 'https://daten.herne.de',
  });
});
after(async () => {
  await t.close();
  await new Promise((r) => server.close(r));
});

/** Start → the issuer's authorization endpoint → the callback URL it redirects to. */
async function toIssuer(returnTo = '/verwaltung', app: AccountsApp = t) {
  const start = await app.app.inject({ url: `/konto/oidc/start?returnTo=${encodeURIComponent(returnTo)}` });
  assert.equal(start.statusCode, 302);
  const auth = new URL(start.headers.location as string);
  const res = await fetch(auth, { redirect: 'manual' });
  const callback = new URL(res.headers.get('location')!);
  return { start, auth, callback, cookie: cookiesOf(start) };
}

test('the code flow with PKCE logs a staff member in: S256 challenge, nonce, state cookie, roles from the claim, session for the pages and the admin API', async () => {
  person = { sub: 'kc-ops-1', email: 'Leitung@Herne.de', email_verified: true, name: 'Anna Leitung', roles: ['herne-ops'] };
  const { start, auth, callback, cookie } = await toIssuer();
  assert.equal(`${auth.origin}${auth.pathname}`, `${issuer}/auth`);
  assert.equal(auth.searchParams.get('response_type'), 'code');
  assert.equal(auth.searchParams.get('client_id'), 'drehscheibe');
  assert.equal(auth.searchParams.get('redirect_uri'), 'https://daten.herne.de/konto/oidc/callback');
  assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
  assert.match(auth.searchParams.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
  assert.match(auth.searchParams.get('scope')!, /\bopenid\b/);
  assert.ok(auth.searchParams.get('nonce'));
  assert.match(setCookies(start)[0], /^drehscheibe_oidc=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600$/);
  const r = await t.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
  assert.equal(r.statusCode, 303, r.body);
  assert.equal(r.headers.location, '/verwaltung');
  const session = cookiesOf(r);
  const me = (await t.app.inject({ url: '/konto/sitzung', headers: { cookie: session } })).json() as { user: { email: string; displayName: string; roles: unknown; oidcSubject: string; emailConfirmedAt?: string } };
  assert.equal(me.user.email, 'leitung@herne.de');
  assert.equal(me.user.displayName, 'Anna Leitung');
  assert.equal(me.user.oidcSubject, 'kc-ops-1');
  assert.ok(me.user.emailConfirmedAt);
  assert.deepEqual(me.user.roles, [{ role: 'operator' }]);
  assert.equal((await t.app.inject({ url: '/admin/users', headers: { cookie: session } })).statusCode, 200);
});

test('a second login finds the same user by issuer and subject and takes the roles from the claim again', async () => {
  person = { sub: 'kc-ops-1', email: 'leitung@herne.de', email_verified: true, roles: ['swh-staff'] };
  const { callback, cookie } = await toIssuer('/');
  const r = await t.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
  assert.equal(r.statusCode, 303);
  const users = (await t.app.inject({ url: '/admin/users', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ oidcSubject?: string; roles: unknown }>;
  const mine = users.filter((u) => u.oidcSubject === 'kc-ops-1');
  assert.equal(mine.length, 1);
  assert.deepEqual(mine[0].roles, [{ role: 'steward', tenants: ['stadtwerke'] }]);
  assert.equal((await t.app.inject({ url: '/admin/users', headers: { cookie: cookiesOf(r) } })).statusCode, 403);
});

test('a callback without the state cookie of the browser that started the login is refused (login CSRF), and a state is used once', async () => {
  person = { sub: 'kc-2', roles: [] };
  const { callback, cookie } = await toIssuer();
  const foreign = await t.app.inject({ url: `/konto/oidc/callback${callback.search}` });
  assert.equal(foreign.statusCode, 401);
  assert.ok(!setCookies(foreign).some((c) => c.startsWith('drehscheibe_session=') && !c.startsWith('drehscheibe_session=;')));
  const first = await t.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
  assert.equal(first.statusCode, 303);
  const replay = await t.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
  assert.equal(replay.statusCode, 401);
});

test('an ID token whose nonce is not this login\'s is rejected; no session is opened', async () => {
  person = { sub: 'kc-3', roles: ['herne-ops'] };
  badNonce = true;
  try {
    const { callback, cookie } = await toIssuer();
    const r = await t.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
    assert.equal(r.statusCode, 401);
    assert.match((r.json() as { detail: string }).detail, /nonce/);
    assert.ok(!setCookies(r).some((c) => /^drehscheibe_session=[^;]/.test(c)));
  } finally {
    badNonce = false;
  }
});

test('a tampered code verifier fails at the token endpoint (the issuer enforces PKCE): the login is refused', async () => {
  person = { sub: 'kc-4', roles: [] };
  const { callback, cookie } = await toIssuer();
  // Swap the code for one issued to another login: its challenge does not match this login's verifier.
  const other = await toIssuer();
  const mixed = new URLSearchParams(callback.search);
  mixed.set('code', other.callback.searchParams.get('code')!);
  const before = tokenRequests;
  const r = await t.app.inject({ url: `/konto/oidc/callback?${mixed}`, headers: { cookie } });
  assert.equal(tokenRequests, before + 1);
  assert.equal(r.statusCode, 401);
  assert.match((r.json() as { detail: string }).detail, /invalid_grant/);
});

test('returnTo is limited to local paths (no open redirect)', async () => {
  person = { sub: 'kc-5', roles: [] };
  const { callback, cookie } = await toIssuer('https://evil.example/');
  const r = await t.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
  assert.equal(r.headers.location, '/');
});

test('a verified e-mail address links an existing local account; an unverified one does not', async () => {
  const localId = await t.user('verknuepft@herne.de', [{ role: 'steward', tenants: ['herne'] }]);
  await t.user('fremd-konto@herne.de');
  person = { sub: 'kc-link', email: 'verknuepft@herne.de', email_verified: true, roles: ['herne-ops'] };
  let { callback, cookie } = await toIssuer();
  let r = await t.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
  type Me = { user: { id: string; email: string; oidcSubject?: string; hasPassword: boolean } };
  let me = (await t.app.inject({ url: '/konto/sitzung', headers: { cookie: cookiesOf(r) } })).json() as Me;
  assert.equal(me.user.id, localId);
  assert.equal(me.user.oidcSubject, 'kc-link');
  assert.equal(me.user.hasPassword, true, 'the local password stays usable');
  // The issuer does not vouch for this address: taking over the local account is refused, a new account is made.
  person = { sub: 'kc-unverified', email: 'fremd-konto@herne.de', email_verified: false, roles: [] };
  ({ callback, cookie } = await toIssuer());
  r = await t.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
  me = (await t.app.inject({ url: '/konto/sitzung', headers: { cookie: cookiesOf(r) } })).json() as Me;
  assert.equal(me.user.oidcSubject, 'kc-unverified');
  assert.notEqual(me.user.email, 'fremd-konto@herne.de');
  assert.match(me.user.email, /@oidc\.invalid$/);
});

test('a disabled account cannot log in with OpenID Connect', async () => {
  person = { sub: 'kc-disabled', roles: [] };
  let { callback, cookie } = await toIssuer();
  let r = await t.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
  const id = ((await t.app.inject({ url: '/konto/sitzung', headers: { cookie: cookiesOf(r) } })).json() as { user: { id: string } }).user.id;
  assert.equal((await t.app.inject({ method: 'PATCH', url: `/admin/users/${id}`, headers: { 'x-api-key': t.operatorKey }, payload: { disabled: true } })).statusCode, 200);
  ({ callback, cookie } = await toIssuer());
  r = await t.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
  assert.equal(r.statusCode, 401);
  assert.match((r.json() as { detail: string }).detail, /disabled/);
});

test('with DREHSCHEIBE_OIDC_LOGIN_ROLES=account the stored roles count: a new account starts as citizen, an operator grants more, the claim changes nothing', async () => {
  const a = await accountsApp({
    DREHSCHEIBE_OIDC_ISSUER: issuer, DREHSCHEIBE_OIDC_AUDIENCE: 'drehscheibe', DREHSCHEIBE_OIDC_CLIENT_SECRET: 'geheim',
    DREHSCHEIBE_OIDC_ROLE_MAP: 'herne-ops=operator', DREHSCHEIBE_PUBLIC_URL: 'https://daten.herne.de', DREHSCHEIBE_OIDC_LOGIN_ROLES: 'account',
  });
  try {
    person = { sub: 'kc-account', email: 'konto@herne.de', email_verified: true, roles: ['herne-ops'] };
    let { callback, cookie } = await toIssuer('/', a);
    let r = await a.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
    const me = (await a.app.inject({ url: '/konto/sitzung', headers: { cookie: cookiesOf(r) } })).json() as { user: { id: string; roles: unknown } };
    assert.deepEqual(me.user.roles, [{ role: 'citizen' }]);
    assert.equal((await a.app.inject({ url: '/admin/users', headers: { cookie: cookiesOf(r) } })).statusCode, 403);
    await a.app.inject({ method: 'PATCH', url: `/admin/users/${me.user.id}`, headers: { 'x-api-key': a.operatorKey }, payload: { roles: [{ role: 'steward', tenants: ['herne'] }] } });
    ({ callback, cookie } = await toIssuer('/', a));
    r = await a.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
    const again = (await a.app.inject({ url: '/konto/sitzung', headers: { cookie: cookiesOf(r) } })).json() as { user: { roles: unknown } };
    assert.deepEqual(again.user.roles, [{ role: 'steward', tenants: ['herne'] }]);
    // And a local password login with the right password is independent of OIDC (this account has none).
    const local = await a.app.inject({ method: 'POST', url: '/konto/anmelden', payload: { email: 'konto@herne.de', password: PASSWORD } });
    assert.equal(local.statusCode, 401);
  } finally {
    await a.close();
  }
});

/** Logs `person` in with OIDC, starting from returnTo; returns the stored account. */
async function oidcAccount(returnTo: string): Promise<{ lang?: string; email: string }> {
  const { callback, cookie } = await toIssuer(returnTo);
  const r = await t.app.inject({ url: `/konto/oidc/callback${callback.search}`, headers: { cookie } });
  assert.equal(r.statusCode, 303, r.body);
  assert.equal(r.headers.location, returnTo);
  const me = (await t.app.inject({ url: '/konto/sitzung', headers: { cookie: cookiesOf(r) } })).json() as { user: { lang?: string; email: string } };
  return me.user;
}

test('the first OIDC login sets the mail language from the page it started on (English under /en), German otherwise', async () => {
  person = { sub: 'kc-lang-en', email: 'lang-en@herne.de', email_verified: true, roles: [] };
  assert.equal((await oidcAccount('/en/admin')).lang, 'en');
  person = { sub: 'kc-lang-de', email: 'lang-de@herne.de', email_verified: true, roles: [] };
  assert.equal((await oidcAccount('/verwaltung')).lang ?? 'de', 'de');
  // A later login from a German page leaves the stored language (changed on /sprache, not by the login).
  person = { sub: 'kc-lang-en', email: 'lang-en@herne.de', email_verified: true, roles: [] };
  assert.equal((await oidcAccount('/verwaltung')).lang, 'en');
});

test('a locale claim naming German or English wins over the page language at the first OIDC login; another locale does not count', async () => {
  person = { sub: 'kc-locale-de', email: 'locale-de@herne.de', email_verified: true, locale: 'de-DE', roles: [] };
  assert.equal((await oidcAccount('/en/admin')).lang ?? 'de', 'de');
  person = { sub: 'kc-locale-en', email: 'locale-en@herne.de', email_verified: true, locale: 'en', roles: [] };
  assert.equal((await oidcAccount('/verwaltung')).lang, 'en');
  person = { sub: 'kc-locale-fr', email: 'locale-fr@herne.de', email_verified: true, locale: 'fr', roles: [] };
  assert.equal((await oidcAccount('/en')).lang, 'en');
});

test('the mail of an account created by an English OIDC login is in English', async () => {
  person = { sub: 'kc-mail-en', email: 'mail-en@herne.de', email_verified: true, roles: [] };
  await oidcAccount('/en/account');
  const r = await t.app.inject({ method: 'POST', url: '/konto/passwort-vergessen', payload: { email: 'mail-en@herne.de' } });
  assert.equal(r.statusCode, 202);
  await t.app.drehscheibe.accounts.idle();
  const out = (await t.app.inject({ url: '/admin/outbox', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ to: string; subject: string }>;
  assert.equal(out.find((m) => m.to === 'mail-en@herne.de')?.subject, 'Reset your password');
});
