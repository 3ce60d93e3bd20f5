// Issue #13, items 12 and 14 and the 409 remark: subscriptions under access control — a revoked or
// narrowed owner's subscriptions fall silent, and subscriptions have limits (count per principal and
// tenant, minimum timeInterval/throttling, a bounded notification queue, rate-limited log lines).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { Receiver } from '../../src/ngsi-ld/subscriptions/test-support.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import { NotificationLog } from '../../src/ngsi-ld/subscriptions/notify.log.ts';
import { Dispatcher } from '../../src/ngsi-ld/subscriptions/subscriptions.dispatcher.ts';
import { HttpNotifier } from '../../src/ngsi-ld/subscriptions/notifier.http.ts';

const SUBS = '/ngsi-ld/v1/subscriptions';
const FAST = { DREHSCHEIBE_NOTIFY_BACKOFF_MS: '20', DREHSCHEIBE_NOTIFY_BACKOFF_MAX_MS: '100', DREHSCHEIBE_NOTIFY_TIMEOUT_MS: '300', DREHSCHEIBE_NOTIFY_RETRIES: '0', DREHSCHEIBE_NOTIFY_INITIAL: 'off' };

function h(key: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json', 'x-api-key': key, ...extra };
}

/** Headers of a request without a body. */
function k(key: string): Record<string, string> {
  return { 'x-api-key': key };
}

describe('#13.12 a subscription notifies only while its owner may read what it sends', () => {
  let t: AuthApp;
  let rxA: Receiver;
  let rxB: Receiver;
  let n = 0;
  const clock = fixedClock(new Date());
  before(async () => {
    t = await authApp({}, FAST, { clock });
    rxA = await Receiver.start('/a');
    rxB = await Receiver.start('/b');
    assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: h(t.operatorKey), payload: { id: 'urn:ngsi-ld:Sensor:s1', type: 'Sensor', v: { type: 'Property', value: 0 } } })).statusCode, 201);
  });
  after(async () => { await rxA.close(); await rxB.close(); await t.close(); });

  const subscribe = async (key: string, rx: Receiver, id: string) => {
    const r = await t.app.inject({ method: 'POST', url: SUBS, headers: h(key), payload: { type: 'Subscription', id, entities: [{ type: 'Sensor' }], notification: { endpoint: { uri: rx.url } } } });
    assert.equal(r.statusCode, 201, r.body);
  };
  const change = async () => {
    const r = await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:s1/attrs', headers: h(t.operatorKey), payload: { v: { type: 'Property', value: ++n } } });
    assert.equal(r.statusCode, 204);
  };
  /** One change; the control receiver gets it, then the dispatcher has nothing left for the other. */
  const changeSeenBy = async (control: Receiver) => {
    const before = control.received.length;
    await change();
    await control.waitFor(before + 1);
    await t.app.drehscheibe.subscriptions.idle();
  };
  const keyId = async (name: string) => {
    const list = (await t.app.inject({ method: 'GET', url: '/admin/api-keys', headers: k(t.operatorKey) })).json() as Array<{ id: string; name: string }>;
    return list.find((k) => k.name === name)!.id;
  };

  test('revoking the key stops the notifications of the subscriptions it owns; others go on', async () => {
    const a = await t.key({ name: 'app-a', roles: ['citizen'] });
    const b = await t.key({ name: 'app-b', roles: ['citizen'] });
    await subscribe(a, rxA, 'urn:ngsi-ld:Subscription:rev-a');
    await subscribe(b, rxB, 'urn:ngsi-ld:Subscription:rev-b');
    await change();
    await rxA.waitFor(1);
    await rxB.waitFor(1);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/admin/api-keys/${await keyId('app-a')}`, headers: k(t.operatorKey) })).statusCode, 204);
    const seenA = rxA.received.length;
    await changeSeenBy(rxB);
    await changeSeenBy(rxB);
    assert.equal(rxA.received.length, seenA, 'no notification for the revoked key');
    // Its subscription is still stored (operators see and may delete it).
    assert.equal((await t.app.inject({ method: 'GET', url: `${SUBS}/urn:ngsi-ld:Subscription:rev-a`, headers: h(t.operatorKey) })).statusCode, 200);
    await t.app.inject({ method: 'DELETE', url: `${SUBS}/urn:ngsi-ld:Subscription:rev-a`, headers: k(t.operatorKey) });
  });

  test('a policy change that takes the right to subscribe (a role change) stops them; restoring it resumes them', async () => {
    const c = await t.key({ name: 'app-c', roles: ['citizen'] });
    const s = await t.key({ name: 'app-s', roles: ['steward'] });
    rxA.received.length = 0;
    rxB.received.length = 0;
    await subscribe(c, rxA, 'urn:ngsi-ld:Subscription:role-c');
    await subscribe(s, rxB, 'urn:ngsi-ld:Subscription:role-s');
    await change();
    await rxA.waitFor(1);
    const put = await t.app.inject({ method: 'PUT', url: '/admin/policy', headers: h(t.operatorKey), payload: { tenants: { '*': { subscriptions: ['steward'] } } } });
    assert.equal(put.statusCode, 204, put.body);
    const seen = rxA.received.length;
    await changeSeenBy(rxB);
    assert.equal(rxA.received.length, seen, 'a citizen may no longer subscribe: no notification');
    // A type the citizen may not read any more also stops them (subscriptions need the whole tenant).
    await t.app.inject({ method: 'PUT', url: '/admin/policy', headers: h(t.operatorKey), payload: { tenants: { '': { types: { Secret: { read: ['key:app-s'] } } } } } });
    await changeSeenBy(rxB);
    assert.equal(rxA.received.length, seen, 'a type unreadable for the owner: no notification');
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/admin/policy', headers: k(t.operatorKey) })).statusCode, 204);
    await change();
    await rxA.waitFor(seen + 1);
  });

  test('an expired key\'s subscriptions fall silent', async () => {
    // Expiry is checked at each notification: a key that expires a minute from now.
    const e = await t.key({ name: 'app-e', roles: ['citizen'], expiresAt: new Date(clock.now().getTime() + 60_000).toISOString() });
    const rx = await Receiver.start('/e');
    try {
      await subscribe(e, rx, 'urn:ngsi-ld:Subscription:exp-e');
      await change();
      await rx.waitFor(1);
      clock.advance(61_000);
      await changeSeenBy(rxB);
      assert.equal(rx.received.length, 1);
    } finally {
      await rx.close();
    }
  });
});

describe('#13.14 subscriptions have limits', () => {
  let t: AuthApp;
  const LIMITS = { DREHSCHEIBE_SUBSCRIPTIONS_PER_PRINCIPAL: '3', DREHSCHEIBE_SUBSCRIPTIONS_PER_TENANT: '5', DREHSCHEIBE_SUBSCRIPTION_MIN_INTERVAL_S: '10', DREHSCHEIBE_SUBSCRIPTION_MIN_THROTTLING_S: '2' };
  before(async () => { t = await authApp({}, { ...FAST, ...LIMITS }); });
  after(async () => { await t.close(); });
  let n = 0;
  const create = (key: string, extra: Record<string, unknown> = {}, tenant?: string) => t.app.inject({
    method: 'POST', url: SUBS, headers: h(key, tenant ? { 'ngsild-tenant': tenant } : {}),
    payload: { type: 'Subscription', id: `urn:ngsi-ld:Subscription:lim-${++n}`, entities: [{ type: 'Sensor' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/n' } }, ...extra },
  });

  test('a principal may own at most DREHSCHEIBE_SUBSCRIPTIONS_PER_PRINCIPAL subscriptions, in all tenants together (403)', async () => {
    const a = await t.key({ name: 'viel-a', roles: ['citizen'] });
    assert.equal((await create(a)).statusCode, 201);
    assert.equal((await create(a)).statusCode, 201);
    assert.equal((await create(a, {}, 'andere')).statusCode, 201);
    const r = await create(a);
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().type, 'https://drehscheibe.dev/errors/Forbidden');
    assert.match(r.json().detail, /DREHSCHEIBE_SUBSCRIPTIONS_PER_PRINCIPAL/);
    // Deleting one makes room again.
    const mine = (await t.app.inject({ method: 'GET', url: SUBS, headers: k(a) })).json() as Array<{ id: string }>;
    assert.equal((await t.app.inject({ method: 'DELETE', url: `${SUBS}/${mine[0].id}`, headers: k(a) })).statusCode, 204);
    assert.equal((await create(a)).statusCode, 201);
  });

  test('a tenant holds at most DREHSCHEIBE_SUBSCRIPTIONS_PER_TENANT subscriptions (403), whoever creates them', async () => {
    const b = await t.key({ name: 'viel-b', roles: ['citizen'] });
    const c = await t.key({ name: 'viel-c', roles: ['citizen'] });
    // The default tenant has 2 of viel-a's; 3 more fill it.
    assert.equal((await create(b)).statusCode, 201);
    assert.equal((await create(b)).statusCode, 201);
    assert.equal((await create(c)).statusCode, 201);
    const r = await create(c);
    assert.equal(r.statusCode, 403);
    assert.match(r.json().detail, /DREHSCHEIBE_SUBSCRIPTIONS_PER_TENANT/);
    assert.equal((await create(t.operatorKey)).statusCode, 403, 'operators too');
    assert.equal((await create(c, {}, 'andere')).statusCode, 201, 'another tenant has room');
  });

  test('[5.2.12] timeInterval and throttling below the minimums are 400 naming the minimum, on create and update', async () => {
    const d = await t.key({ name: 'schnell', roles: ['citizen'] });
    for (const ti of [0.001, 1e-9, 9]) {
      const r = await create(d, { timeInterval: ti, entities: [{ type: 'Sensor' }] }, 'schnell');
      assert.equal(r.statusCode, 400, `timeInterval ${ti}`);
      assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
      assert.match(r.json().detail, /timeInterval must be at least 10 s/);
    }
    const thr = await create(d, { throttling: 0.5 }, 'schnell');
    assert.equal(thr.statusCode, 400);
    assert.match(thr.json().detail, /throttling must be at least 2 s/);
    const ok = await create(d, { throttling: 2 }, 'schnell');
    assert.equal(ok.statusCode, 201);
    const id = String(ok.headers.location).split('/').pop()!;
    const patch = await t.app.inject({ method: 'PATCH', url: `${SUBS}/${id}`, headers: h(d, { 'ngsild-tenant': 'schnell' }), payload: { throttling: 0.001 } });
    assert.equal(patch.statusCode, 400);
    assert.match(patch.json().detail, /at least 2 s/);
  });
});

describe('#13 "Also": a subscription id another principal uses', () => {
  let t: AuthApp;
  before(async () => { t = await authApp({}, FAST); });
  after(async () => { await t.close(); });

  test('[6.10.3.1] answers 409 AlreadyExists exactly as for one\'s own duplicate id, and reveals nothing else (docs/security.md)', async () => {
    const a = await t.key({ name: 'dup-a', roles: ['citizen'] });
    const b = await t.key({ name: 'dup-b', roles: ['citizen'] });
    const body = (id: string) => ({ type: 'Subscription', id, entities: [{ type: 'Sensor' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/secret-endpoint' } } });
    const post = (key: string, id: string) => t.app.inject({ method: 'POST', url: SUBS, headers: h(key), payload: body(id) });
    assert.equal((await post(a, 'urn:ngsi-ld:Subscription:a1')).statusCode, 201);
    assert.equal((await post(b, 'urn:ngsi-ld:Subscription:b1')).statusCode, 201);
    const others = await post(b, 'urn:ngsi-ld:Subscription:a1');
    const own = await post(b, 'urn:ngsi-ld:Subscription:b1');
    assert.equal(others.statusCode, 409);
    assert.equal(others.json().type, 'https://uri.etsi.org/ngsi-ld/errors/AlreadyExists');
    const masked = (r: typeof own, id: string) => { const j = r.json() as Record<string, string>; return { ...j, detail: j.detail.replace(id, 'X') }; };
    assert.deepEqual(masked(others, 'a1'), masked(own, 'b1'));
    assert.doesNotMatch(others.body, /dup-a|secret-endpoint/);
    // Reading it stays 404 for b, and a's subscription is unchanged.
    assert.equal((await t.app.inject({ method: 'GET', url: `${SUBS}/urn:ngsi-ld:Subscription:a1`, headers: k(b) })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: `${SUBS}/urn:ngsi-ld:Subscription:a1`, headers: k(a) })).json().notification.endpoint.uri, 'http://127.0.0.1:9/secret-endpoint');
  });
});

describe('#13.14 a bounded notification queue per endpoint: oldest dropped, drops counted, one log line per interval', () => {
  test('an endpoint that never answers holds at most DREHSCHEIBE_NOTIFY_ENDPOINT_QUEUE notifications; the newest get through; the log stays short', async () => {
    const lines: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'drehscheibe-test-'));
    const config = loadConfig({
      DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_RATE_LIMIT: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off',
      DREHSCHEIBE_NOTIFY_INITIAL: 'off', DREHSCHEIBE_NOTIFY_CONCURRENCY: '1', DREHSCHEIBE_NOTIFY_RETRIES: '0', DREHSCHEIBE_NOTIFY_TIMEOUT_MS: '2000',
      DREHSCHEIBE_NOTIFY_BACKOFF_MS: '1', DREHSCHEIBE_NOTIFY_BACKOFF_MAX_MS: '1', DREHSCHEIBE_NOTIFY_ENDPOINT_QUEUE: '5',
    });
    const storage = SqliteStorage.inDataDir(dir);
    const app = await buildApp(config, { storage, logger: pino({ level: 'info' }, { write: (s: string) => { lines.push(s); } }) });
    const rx = await Receiver.start();
    try {
      rx.hang = true;
      const json = { 'content-type': 'application/json' };
      assert.equal((await app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: json, payload: { id: 'urn:ngsi-ld:Sensor:q', type: 'Sensor', v: { type: 'Property', value: 0 } } })).statusCode, 201);
      assert.equal((await app.inject({ method: 'POST', url: SUBS, headers: json, payload: { type: 'Subscription', entities: [{ type: 'Sensor' }], notification: { endpoint: { uri: rx.url } } } })).statusCode, 201);
      for (let i = 1; i <= 40; i++) {
        assert.equal((await app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:q/attrs', headers: json, payload: { v: { type: 'Property', value: i } } })).statusCode, 204);
      }
      // 40 notifications, one in flight, five waiting: the rest were dropped and are counted.
      const dropped = async () => Number(/drehscheibe_notifications_dropped_total (\d+)/.exec((await app.drehscheibe.metrics.text()).body)?.[1] ?? -1);
      const end = Date.now() + 3000;
      while ((await dropped()) < 34 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await dropped(), 34);
      // The hanging attempt times out; the waiting ones are the newest and reach the endpoint.
      rx.hang = false;
      await rx.waitFor(5, 5000); // after the hanging attempt's 2 s timeout
      await app.drehscheibe.subscriptions.idle();
      // (The first, in flight all along, may still be answered if it reached the receiver only after the release.)
      const values = rx.received.map((r) => (r.body.data[0].v as { value: number }).value).filter((v) => v !== 1);
      assert.deepEqual(values, [36, 37, 38, 39, 40]);
      // One line at the first trouble; the rest waits for the interval's summary (not one line per drop).
      const noisy = lines.filter((l) => /notification/.test(l) && /"level":40/.test(l));
      assert.ok(noisy.length <= 2, `${noisy.length} warn lines about notifications:\n${noisy.slice(0, 5).join('')}`);
    } finally {
      await rx.close();
      await app.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the queue of an endpoint is bounded in bytes too (DREHSCHEIBE_NOTIFY_ENDPOINT_QUEUE_MB): the oldest make room', async () => {
    const rx = await Receiver.start();
    rx.hang = true;
    const outcomes: Array<{ id: string; dropped: boolean }> = [];
    const http = new HttpNotifier({ allowPrivate: true });
    const d = new Dispatcher({
      queueMax: 1000, endpointQueueMax: 1000, endpointQueueBytes: 3000, queueBytes: 1_000_000, concurrency: 1, timeoutMs: 300, retries: 0, backoffMs: 1, backoffMaxMs: 1,
      notifiers: { 'http:': http }, now: () => new Date(), onOutcome: (del, o) => outcomes.push({ id: del.message.id, dropped: o.dropped === true }),
    });
    try {
      for (let i = 1; i <= 10; i++) {
        d.enqueue({ tenant: '', subId: 'urn:s:1', uri: rx.url, attempt: 0, message: { id: `n${i}`, contentType: 'application/json', body: JSON.stringify({ pad: 'x'.repeat(990), i }) } });
      }
      // n1 is in flight; bodies of 1,007 bytes: two fit the 3,000-byte lane (n9, n10), the older ones were dropped.
      assert.deepEqual(outcomes.filter((o) => o.dropped).map((o) => o.id), ['n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8']);
      assert.ok(d.pendingBytes <= 3000, `${d.pendingBytes} bytes waiting`);
      assert.equal(d.pending, 2);
    } finally {
      await d.stop();
      await rx.close();
    }
  });

  test('the summary line names the endpoint (without credentials) and what was dropped in the interval', () => {
    const out: Array<{ obj: Record<string, unknown>; msg: string }> = [];
    const log = new NotificationLog({ warn: (obj, msg) => out.push({ obj: obj as Record<string, unknown>, msg }) }, 60_000);
    for (let i = 0; i < 1000; i++) log.note('http://user:secret@127.0.0.1:9/n?token=abc', `urn:s:${i}`, 1, 1, 'notification queue full');
    assert.equal(out.length, 1, 'the first one at once');
    log.flush();
    assert.equal(out.length, 2);
    assert.equal(out[1].msg, 'notifications to http://127.0.0.1:9/n in the last 60 s: dropped 999 (queue full)');
    assert.ok(!JSON.stringify(out).includes('secret') && !JSON.stringify(out).includes('token'));
    log.flush();
    assert.equal(out.length, 2, 'a quiet interval writes nothing');
  });
});

describe('#13.12 an OIDC owner whose role is taken at the issuer: its subscriptions stop with its next token', () => {
  let server: Server;
  let key: Awaited<ReturnType<typeof generateKeyPair>>;
  let t: AuthApp;
  let issuer = '';
  const token = (roles: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ realm_access: { roles } }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience('drehscheibe')
      .setSubject('user-77').setIssuedAt(now - 60).setExpirationTime(now + 300).sign(key.privateKey);
  };
  before(async () => {
    key = await generateKeyPair('RS256');
    const jwks = { keys: [{ ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.endsWith('/.well-known/openid-configuration')) res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/certs` }));
      else if (req.url?.endsWith('/certs')) res.end(JSON.stringify(jwks));
      else { res.statusCode = 404; res.end(); }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}/realms/herne`;
    t = await authApp({ tenants: { '*': { subscriptions: ['steward'] } } }, {
      ...FAST, DREHSCHEIBE_OIDC_ISSUER: issuer, DREHSCHEIBE_OIDC_AUDIENCE: 'drehscheibe', DREHSCHEIBE_OIDC_ROLE_MAP: 'herne-steward=steward', DREHSCHEIBE_OIDC_JWKS_COOLDOWN_MS: '0',
    });
  });
  after(async () => { await t.close(); await new Promise((r) => server.close(r)); });

  test('a token without the steward role (as seen on any request) silences the user\'s subscription', async () => {
    const rx = await Receiver.start('/oidc');
    const control = await Receiver.start('/control');
    try {
      const bearer = async (roles: string[]) => ({ 'content-type': 'application/json', authorization: `Bearer ${await token(roles)}` });
      assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: h(t.operatorKey), payload: { id: 'urn:ngsi-ld:Sensor:o1', type: 'Sensor', v: { type: 'Property', value: 0 } } })).statusCode, 201);
      const sub = (uri: string, headers: Record<string, string>) => t.app.inject({ method: 'POST', url: SUBS, headers, payload: { type: 'Subscription', entities: [{ type: 'Sensor' }], notification: { endpoint: { uri } } } });
      assert.equal((await sub(rx.url, await bearer(['herne-steward']))).statusCode, 201);
      assert.equal((await sub(control.url, h(t.operatorKey))).statusCode, 201);
      let v = 0;
      const change = async () => {
        assert.equal((await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:o1/attrs', headers: h(t.operatorKey), payload: { v: { type: 'Property', value: ++v } } })).statusCode, 204);
      };
      await change();
      await rx.waitFor(1);
      // The issuer took the role: the user's next token carries none (a read is still allowed).
      assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:o1', headers: await bearer([]) })).statusCode, 200);
      const seen = rx.received.length;
      const before = control.received.length;
      await change();
      await control.waitFor(before + 1);
      await t.app.drehscheibe.subscriptions.idle();
      assert.equal(rx.received.length, seen);
    } finally {
      await rx.close();
      await control.close();
    }
  });
});
