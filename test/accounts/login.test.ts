// Local accounts over HTTP (docs/accounts.md): login, session cookie attributes, no enumeration,
// login limits, CSRF on forms and on session-authenticated writes, logout, sliding and absolute
// session expiry, revocation, and the session as a principal of the one access model.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/core/clock.ts';
import { accountsApp, cookiesOf, form, PASSWORD, setCookies, type AccountsApp } from './support.ts';

let t: AccountsApp;
before(async () => {
  t = await accountsApp({ DREHSCHEIBE_LOGIN_MAX_PER_EMAIL: '3', DREHSCHEIBE_LOGIN_MAX_PER_ADDRESS: '5', TRUST_PROXY: 'on' });
  await t.user('stewardin@herne.de', [{ role: 'steward', tenants: ['herne'] }]);
  await t.user('betrieb@herne.de', [{ role: 'operator' }]);
  await t.user('buerger@herne.de');
});
after(() => t.close());

test('a JSON login sets an httpOnly, SameSite=Lax session cookie (not Secure over http) and the session names the user', async () => {
  const r = await t.app.inject({ method: 'POST', url: '/konto/anmelden', payload: { email: '  Stewardin@Herne.de ', password: PASSWORD } });
  assert.equal(r.statusCode, 200);
  const [c] = setCookies(r);
  assert.match(c, /^drehscheibe_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
  const body = r.json() as { user: { email: string; roles: unknown; passwordHash?: string; hasPassword: boolean }; csrf: string };
  assert.equal(body.user.email, 'stewardin@herne.de');
  assert.equal(body.user.passwordHash, undefined);
  assert.equal(body.user.hasPassword, true);
  const s = await t.app.inject({ url: '/konto/sitzung', headers: { cookie: cookiesOf(r) } });
  assert.equal(s.statusCode, 200);
  assert.deepEqual((s.json() as { user: { roles: unknown } }).user.roles, [{ role: 'steward', tenants: ['herne'] }]);
  assert.equal((s.json() as { csrf: string }).csrf, body.csrf);
});

test('over HTTPS (X-Forwarded-Proto with TRUST_PROXY=on) the cookie is Secure and __Host- prefixed, and only that name is read', async () => {
  const r = await t.app.inject({ method: 'POST', url: '/konto/anmelden', headers: { 'x-forwarded-proto': 'https' }, payload: { email: 'buerger@herne.de', password: PASSWORD } });
  assert.equal(r.statusCode, 200);
  assert.match(setCookies(r)[0], /^__Host-drehscheibe_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
  const cookie = cookiesOf(r);
  assert.equal((await t.app.inject({ url: '/konto/sitzung', headers: { cookie, 'x-forwarded-proto': 'https' } })).statusCode, 200);
  // The unprefixed name over HTTPS could have been planted by a sibling subdomain: not accepted.
  const planted = cookie.replace('__Host-', '');
  assert.equal((await t.app.inject({ url: '/konto/sitzung', headers: { cookie: planted, 'x-forwarded-proto': 'https' } })).statusCode, 401);
});

test('no enumeration: a wrong password and an unknown e-mail address get the same status and the same body', async () => {
  const wrong = await t.app.inject({ method: 'POST', url: '/konto/anmelden', remoteAddress: '10.1.0.1', payload: { email: 'betrieb@herne.de', password: 'falsch-falsch-falsch' } });
  const unknown = await t.app.inject({ method: 'POST', url: '/konto/anmelden', remoteAddress: '10.1.0.1', payload: { email: 'niemand@herne.de', password: 'falsch-falsch-falsch' } });
  assert.equal(wrong.statusCode, 401);
  assert.equal(unknown.statusCode, wrong.statusCode);
  assert.equal(unknown.body, wrong.body);
  assert.deepEqual(setCookies(wrong), []);
});

test('no enumeration: an unknown e-mail address costs an argon2id verification like a known one', async () => {
  await t.user('zeit@herne.de');
  let n = 0;
  // The fastest of three attempts: robust against other processes taking the CPU for a moment.
  const fastest = async (email: string) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      const r = await t.app.inject({ method: 'POST', url: '/konto/anmelden', remoteAddress: `10.2.${n}.${i}`, payload: { email, password: `x-${i}-wrong-password` } });
      best = Math.min(best, performance.now() - s);
      assert.equal(r.statusCode, 401);
    }
    n++;
    return best;
  };
  await fastest('warm@herne.de');
  const known = await fastest('zeit@herne.de');
  const unknown = await fastest('unbekannt@herne.de');
  // Both verify one hash (~15-20 ms each here); a shortcut for unknown addresses would take ~1 ms.
  assert.ok(unknown > known / 3, `unknown ${unknown.toFixed(1)} ms vs known ${known.toFixed(1)} ms`);
});

test('failed logins are limited per e-mail address (429 with Retry-After, even with the right password afterwards)', async () => {
  await t.user('limit@herne.de');
  for (let i = 0; i < 3; i++) {
    const r = await t.app.inject({ method: 'POST', url: '/konto/anmelden', remoteAddress: `10.3.0.${i}`, payload: { email: 'limit@herne.de', password: 'wrong-password-x' } });
    assert.equal(r.statusCode, 401);
  }
  const r = await t.app.inject({ method: 'POST', url: '/konto/anmelden', remoteAddress: '10.3.0.9', payload: { email: 'LIMIT@herne.de', password: PASSWORD } });
  assert.equal(r.statusCode, 429);
  assert.ok(Number(r.headers['retry-after']) >= 1);
  assert.equal((r.json() as { type: string }).type, 'https://drehscheibe.dev/errors/TooManyRequests');
});

test('failed logins are limited per client address across e-mail addresses (password spraying); successes are not counted', async () => {
  for (let i = 0; i < 3; i++) await t.login('buerger@herne.de', PASSWORD, {});
  for (let i = 0; i < 5; i++) {
    const r = await t.app.inject({ method: 'POST', url: '/konto/anmelden', remoteAddress: '10.5.0.1', payload: { email: `spray${i}@herne.de`, password: 'Sommer2026!' } });
    assert.equal(r.statusCode, 401);
  }
  const r = await t.app.inject({ method: 'POST', url: '/konto/anmelden', remoteAddress: '10.5.0.1', payload: { email: 'buerger@herne.de', password: PASSWORD } });
  assert.equal(r.statusCode, 429);
  assert.equal((await t.app.inject({ method: 'POST', url: '/konto/anmelden', remoteAddress: '10.5.0.2', payload: { email: 'buerger@herne.de', password: PASSWORD } })).statusCode, 200);
});

test('a login form post without the CSRF token is refused (403); with the double-submit token it redirects (303) to a local returnTo only', async () => {
  const f = form({ email: 'stewardin@herne.de', password: PASSWORD, returnTo: '/verwaltung' });
  const bare = await t.app.inject({ method: 'POST', url: '/konto/anmelden', ...f });
  assert.equal(bare.statusCode, 403);
  assert.deepEqual(setCookies(bare), []);
  const tok = await t.app.inject({ url: '/konto/csrf' });
  const csrfCookie = cookiesOf(tok);
  const token = (tok.json() as { token: string }).token;
  const wrong = await t.app.inject({ method: 'POST', url: '/konto/anmelden', ...form({ email: 'stewardin@herne.de', password: PASSWORD, _csrf: 'x'.repeat(43) }), headers: { ...f.headers, cookie: csrfCookie } });
  assert.equal(wrong.statusCode, 403);
  const ok = await t.app.inject({ method: 'POST', url: '/konto/anmelden', payload: new URLSearchParams({ email: 'stewardin@herne.de', password: PASSWORD, returnTo: '/verwaltung', _csrf: token }).toString(), headers: { ...f.headers, cookie: csrfCookie } });
  assert.equal(ok.statusCode, 303);
  assert.equal(ok.headers.location, '/verwaltung');
  // text/plain is what a foreign form can send too: the same check (and not a way around it).
  const plain = await t.app.inject({ method: 'POST', url: '/konto/anmelden', headers: { 'content-type': 'text/plain' }, payload: '{"email":"stewardin@herne.de","password":"x"}' });
  assert.equal(plain.statusCode, 403);
  const evil = await t.app.inject({ method: 'POST', url: '/konto/anmelden', payload: new URLSearchParams({ email: 'stewardin@herne.de', password: PASSWORD, returnTo: '//evil.example/', _csrf: token }).toString(), headers: { ...f.headers, cookie: csrfCookie } });
  assert.equal(evil.headers.location, '/');
});

test('one access model: an operator session manages users; a citizen session is refused (403), no session 401', async () => {
  const op = await t.login('betrieb@herne.de');
  const cit = await t.login('buerger@herne.de');
  assert.equal((await t.app.inject({ url: '/admin/users', headers: { cookie: op.cookie } })).statusCode, 200);
  assert.equal((await t.app.inject({ url: '/admin/users', headers: { cookie: cit.cookie } })).statusCode, 403);
  assert.equal((await t.app.inject({ url: '/admin/users' })).statusCode, 401);
  // The session's principal is user:<id> in the audit log.
  const created = await t.app.inject({ method: 'POST', url: '/admin/users', headers: { cookie: op.cookie, 'x-csrf-token': op.csrf }, payload: { email: 'neu@herne.de', password: PASSWORD } });
  assert.equal(created.statusCode, 201);
  const me = (await t.app.inject({ url: '/konto/sitzung', headers: { cookie: op.cookie } })).json() as { user: { id: string } };
  const audit = (await t.app.inject({ url: '/admin/audit?action=users', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ principal: string; status: number; target: string }>;
  assert.ok(audit.some((e) => e.principal === `user:${me.user.id}` && e.status === 201 && e.target.startsWith('user:')), JSON.stringify(audit));
});

test('a write authenticated by the session cookie needs the session CSRF token (403 without or with a wrong one)', async () => {
  const op = await t.login('betrieb@herne.de');
  const payload = { email: 'csrf-opfer@herne.de', password: PASSWORD };
  const none = await t.app.inject({ method: 'POST', url: '/admin/users', headers: { cookie: op.cookie }, payload });
  assert.equal(none.statusCode, 403);
  assert.match((none.json() as { detail: string }).detail, /CSRF/);
  const wrong = await t.app.inject({ method: 'POST', url: '/admin/users', headers: { cookie: op.cookie, 'x-csrf-token': 'A'.repeat(43) }, payload });
  assert.equal(wrong.statusCode, 403);
  const users = (await t.app.inject({ url: '/admin/users', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ email: string }>;
  assert.ok(!users.some((u) => u.email === 'csrf-opfer@herne.de'));
  // An API key needs no CSRF token: it is not sent by browsers on their own.
  assert.equal((await t.app.inject({ method: 'POST', url: '/admin/users', headers: { 'x-api-key': t.operatorKey }, payload })).statusCode, 201);
});

test('a state-changing request to a public route that carries a live session cookie needs the session CSRF token too (portal forms)', async () => {
  const s = await t.login('buerger@herne.de');
  const r = await t.app.inject({ method: 'POST', url: '/iot/json?k=unbekannt&i=dev1', headers: { cookie: s.cookie, 'content-type': 'application/json' }, payload: { t: 1 } });
  assert.equal(r.statusCode, 403);
  assert.match((r.json() as { detail: string }).detail, /CSRF/);
  // Without the cookie the route answers for itself (here: the unknown apikey).
  const plain = await t.app.inject({ method: 'POST', url: '/iot/json?k=unbekannt&i=dev1', headers: { 'content-type': 'application/json' }, payload: { t: 1 } });
  assert.notEqual(plain.statusCode, 403);
});

test('the NGSI-LD API does not accept the session cookie (docs/security.md#sessions): a steward session writes nothing there', async () => {
  const st = await t.login('stewardin@herne.de');
  const r = await t.app.inject({
    method: 'POST', url: '/ngsi-ld/v1/entities', headers: { cookie: st.cookie, 'x-csrf-token': st.csrf, 'ngsild-tenant': 'herne', 'content-type': 'application/json' },
    payload: { id: 'urn:ngsi-ld:Bench:1', type: 'Bench' },
  });
  assert.equal(r.statusCode, 401);
});

test('logout ends the session: the cookie is cleared and no longer accepted', async () => {
  const s = await t.login('buerger@herne.de');
  const noToken = await t.app.inject({ method: 'POST', url: '/konto/abmelden', headers: { cookie: s.cookie, 'content-type': 'application/json' }, payload: {} });
  assert.equal(noToken.statusCode, 403);
  const r = await t.app.inject({ method: 'POST', url: '/konto/abmelden', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, payload: {} });
  assert.equal(r.statusCode, 204);
  assert.match(setCookies(r)[0], /^drehscheibe_session=; .*Max-Age=0/);
  assert.equal((await t.app.inject({ url: '/konto/sitzung', headers: { cookie: s.cookie } })).statusCode, 401);
});

test('an operator revokes all sessions of a user, and disabling a user ends them and refuses new logins', async () => {
  const id = await t.user('widerruf@herne.de');
  const a = await t.login('widerruf@herne.de');
  const b = await t.login('widerruf@herne.de');
  const list = await t.app.inject({ url: `/admin/users/${id}/sessions`, headers: { 'x-api-key': t.operatorKey } });
  assert.equal((list.json() as unknown[]).length, 2);
  assert.ok(!('hash' in (list.json() as Array<Record<string, unknown>>)[0]) && !('csrf' in (list.json() as Array<Record<string, unknown>>)[0]));
  const rv = await t.app.inject({ method: 'DELETE', url: `/admin/users/${id}/sessions`, headers: { 'x-api-key': t.operatorKey } });
  assert.deepEqual(rv.json(), { revoked: 2 });
  for (const s of [a, b]) assert.equal((await t.app.inject({ url: '/konto/sitzung', headers: { cookie: s.cookie } })).statusCode, 401);
  const c = await t.login('widerruf@herne.de');
  const dis = await t.app.inject({ method: 'PATCH', url: `/admin/users/${id}`, headers: { 'x-api-key': t.operatorKey }, payload: { disabled: true } });
  assert.equal(dis.statusCode, 200);
  assert.ok((dis.json() as { disabledAt?: string }).disabledAt);
  assert.equal((await t.app.inject({ url: '/konto/sitzung', headers: { cookie: c.cookie } })).statusCode, 401);
  const again = await t.app.inject({ method: 'POST', url: '/konto/anmelden', remoteAddress: '10.4.0.1', payload: { email: 'widerruf@herne.de', password: PASSWORD } });
  assert.equal(again.statusCode, 401);
});

test('the user admin API validates input (400 with every problem) and refuses a duplicate e-mail (409)', async () => {
  const bad = await t.app.inject({ method: 'POST', url: '/admin/users', headers: { 'x-api-key': t.operatorKey }, payload: { email: 'kein-mail', password: 'kurz', roles: [{ role: 'king' }] } });
  assert.equal(bad.statusCode, 400);
  const detail = (bad.json() as { detail: string }).detail;
  assert.match(detail, /email/);
  assert.match(detail, /password: at least 12/);
  assert.match(detail, /roles/);
  const dup = await t.app.inject({ method: 'POST', url: '/admin/users', headers: { 'x-api-key': t.operatorKey }, payload: { email: 'BUERGER@herne.de' } });
  assert.equal(dup.statusCode, 409);
  const steward = await t.login('stewardin@herne.de');
  assert.equal((await t.app.inject({ url: '/admin/outbox', headers: { cookie: steward.cookie } })).statusCode, 403);
});

test('sessions expire after the idle time (sliding with use) and at the latest after the absolute lifetime', async () => {
  const clock = fixedClock('2026-12-04T08:00:00Z');
  const c = await accountsApp({ DREHSCHEIBE_SESSION_IDLE_S: '600', DREHSCHEIBE_SESSION_MAX_S: '1500' }, { clock });
  try {
    await c.user('uhr@herne.de');
    const s = await c.login('uhr@herne.de');
    const ok = async () => (await c.app.inject({ url: '/konto/sitzung', headers: { cookie: s.cookie } })).statusCode === 200;
    clock.advance(500_000);
    assert.equal(await ok(), true, 'used within the idle time (600 s)');
    clock.advance(500_000);
    assert.equal(await ok(), true, 'the use at 500 s moved the end to 1100 s');
    clock.advance(450_000);
    assert.equal(await ok(), true, 'the use at 1000 s moved the end to 1500 s (the absolute lifetime), not 1600 s');
    clock.advance(100_000);
    assert.equal(await ok(), false, 'past the absolute lifetime of 1500 s, though used within the idle time');
    const idle = await c.login('uhr@herne.de');
    clock.advance(601_000);
    assert.equal((await c.app.inject({ url: '/konto/sitzung', headers: { cookie: idle.cookie } })).statusCode, 401, 'unused for longer than the idle time');
  } finally {
    await c.close();
  }
});
