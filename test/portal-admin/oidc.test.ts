// The login page's "Mit dem Konto der Stadt anmelden" against a local OpenID Connect issuer this
// test starts (code flow with PKCE, checked at its token endpoint): a steward follows the button
// and ends up logged in on the administration page it came for.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { accountsApp, browser, type AccountsApp } from './support.ts';

let server: Server;
let issuer: string;
let t: AccountsApp;
const codes = new Map<string, { challenge: string; nonce: string }>();

before(async () => {
  const key = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    const url = new URL(req.url!, issuer);
    const json = (status: number, v: unknown) => { res.statusCode = status; res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(v)); };
    if (url.pathname.endsWith('/.well-known/openid-configuration')) return json(200, { issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/certs` });
    if (url.pathname.endsWith('/certs')) return json(200, { keys: [jwk] });
    if (url.pathname.endsWith('/auth')) {
      const p = url.searchParams;
      const code = `code-${codes.size + 1}`;
      codes.set(code, { challenge: p.get('code_challenge')!, nonce: p.get('nonce')! });
      res.statusCode = 302;
      res.setHeader('location', `${p.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(p.get('state')!)}`);
      return res.end();
    }
    if (url.pathname.endsWith('/token') && req.method === 'POST') {
      let raw = '';
      req.on('data', (c) => { raw += c; });
      req.on('end', () => {
        void (async () => {
          const f = new URLSearchParams(raw);
          const c = codes.get(f.get('code') ?? '');
          if (!c || createHash('sha256').update(f.get('code_verifier') ?? '').digest('base64url') !== c.challenge) return json(400, { error: 'invalid_grant' });
          const now = Math.floor(Date.now() / 1000);
          const idToken = await new SignJWT({ email: 'kim@herne.de', email_verified: true, name: 'Kim Keycloak', nonce: c.nonce, realm_access: { roles: ['daten'] } })
            .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience('drehscheibe').setSubject('kc-kim')
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
  t = await accountsApp({ DREHSCHEIBE_OIDC_ISSUER: issuer, DREHSCHEIBE_OIDC_AUDIENCE: 'drehscheibe', DREHSCHEIBE_OIDC_ROLE_MAP: 'daten=steward' });
});
after(async () => {
  await t.close();
  await new Promise((r) => server.close(r));
});

test('with an issuer the login page offers "Mit dem Konto der Stadt anmelden"; following it logs a steward in and returns to the page asked for', async () => {
  const b = browser(t);
  const redirect = await b.get('/verwaltung/projekte');
  assert.equal(redirect.statusCode, 303);
  const login = await b.get(redirect.headers.location as string);
  const m = /<a class="kern-btn kern-btn--secondary" href="([^"]+)"><span class="kern-label">Mit dem Konto der Stadt anmelden<\/span><\/a>/.exec(login.body);
  assert.ok(m, 'the OIDC button is on the page');
  const startUrl = m![1].replace(/&amp;/g, '&');
  assert.equal(startUrl, '/konto/oidc/start?returnTo=%2Fverwaltung%2Fprojekte');
  const start = await b.get(startUrl);
  assert.equal(start.statusCode, 302);
  const auth = new URL(start.headers.location as string);
  assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
  const atIssuer = await fetch(auth, { redirect: 'manual' });
  const callback = new URL(atIssuer.headers.get('location')!);
  const back = await b.get(`/konto/oidc/callback${callback.search}`);
  assert.equal(back.statusCode, 303, back.body);
  assert.equal(back.headers.location, '/verwaltung/projekte');
  const page = await b.get('/verwaltung/projekte');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Projekte der Digitalstrategie/);
  const account = await b.get('/konto');
  assert.match(account.body, /Ihr Konto meldet sich über das Dienstkonto der Stadt an/);
  assert.match(account.body, /Datenverantwortliche \(steward\) in allen Mandanten/);
});
