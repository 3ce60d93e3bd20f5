// API keys end to end: shown once, stored hashed, revocation at once, expiry, header forms,
// the bootstrap operator key, and the audit log of writes and administrative actions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { authApp } from './auth-support.ts';
import { testApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { ApiKeyService } from '../../src/auth/api-keys.service.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';

const ENTITY = (id: string) => ({ id: `urn:ngsi-ld:Building:${id}`, type: 'Building' });
const JSON_CT = { 'content-type': 'application/json' };

test('a created key is shown once, listed without secret or hash, and stored only as a SHA-256 hash', async () => {
  const t = await authApp({});
  try {
    const r = await t.app.inject({ method: 'POST', url: '/admin/api-keys', headers: { ...JSON_CT, 'x-api-key': t.operatorKey }, payload: { name: 'umweltamt', roles: ['steward'], tenants: [''], types: ['AirQualityObserved'] } });
    assert.equal(r.statusCode, 201);
    const created = r.json() as { id: string; key: string; prefix: string; types: string[] };
    assert.match(created.key, /^ds_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.key.slice(0, created.prefix.length), created.prefix);
    assert.deepEqual(created.types, ['https://uri.etsi.org/ngsi-ld/default-context/AirQualityObserved']);
    const list = (await t.app.inject({ method: 'GET', url: '/admin/api-keys', headers: { 'x-api-key': t.operatorKey } })).json() as Array<Record<string, unknown>>;
    const listed = list.find((k) => k.id === created.id)!;
    assert.equal(listed.name, 'umweltamt');
    assert.equal(listed.key, undefined);
    assert.equal(listed.hash, undefined);
    const db = new Database(join(t.dir, 'drehscheibe.sqlite'), { readonly: true });
    const dump = JSON.stringify(db.prepare('SELECT * FROM api_keys').all());
    db.close();
    assert.ok(!dump.includes(created.key), 'the secret is not stored');
    assert.ok(!dump.includes(t.operatorKey), 'the bootstrap secret is not stored');
    const dup = await t.app.inject({ method: 'POST', url: '/admin/api-keys', headers: { ...JSON_CT, 'x-api-key': t.operatorKey }, payload: { name: 'umweltamt', roles: ['steward'] } });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.headers['content-type'], 'application/problem+json; charset=utf-8');
    const bad = await t.app.inject({ method: 'POST', url: '/admin/api-keys', headers: { ...JSON_CT, 'x-api-key': t.operatorKey }, payload: { name: 'x y', roles: ['king'] } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /name: .*roles: /);
  } finally { await t.close(); }
});

test('revoking a key takes effect at once, on the very next request', async () => {
  const t = await authApp({});
  try {
    const key = await t.key({ name: 'tiefbau', roles: ['steward'] });
    const post = (id: string) => t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { ...JSON_CT, 'x-api-key': key }, payload: ENTITY(id) });
    assert.equal((await post('a')).statusCode, 201);
    const id = ((await t.app.inject({ method: 'GET', url: '/admin/api-keys', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ id: string; name: string }>).find((k) => k.name === 'tiefbau')!.id;
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/admin/api-keys/${id}`, headers: { 'x-api-key': t.operatorKey } })).statusCode, 204);
    const after = await post('b');
    assert.equal(after.statusCode, 401);
    assert.match(after.json().detail, /revoked/);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/admin/api-keys/${id}`, headers: { 'x-api-key': t.operatorKey } })).statusCode, 404);
  } finally { await t.close(); }
});

test('an expired key is refused; unknown keys and unknown schemes are 401; ApiKey and X-API-Key both work', async () => {
  const clock = fixedClock('2026-11-26T12:00:00Z');
  const t = await authApp({}, {}, { clock });
  try {
    const key = await t.key({ name: 'messkampagne', roles: ['steward'], expiresAt: '2026-11-26T13:00:00Z' });
    const post = (id: string, h: Record<string, string>) => t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { ...JSON_CT, ...h }, payload: ENTITY(id) });
    assert.equal((await post('e1', { authorization: `ApiKey ${key}` })).statusCode, 201);
    assert.equal((await post('e2', { 'x-api-key': key })).statusCode, 201);
    clock.advance(60 * 60_000);
    const expired = await post('e3', { 'x-api-key': key });
    assert.equal(expired.statusCode, 401);
    assert.match(expired.json().detail, /expired/);
    assert.equal((await post('e4', { 'x-api-key': 'ds_' + 'A'.repeat(43) })).statusCode, 401);
    const basic = await post('e5', { authorization: 'Basic dXNlcjpwYXNz' });
    assert.equal(basic.statusCode, 401);
    assert.equal(basic.json().type, 'https://drehscheibe.dev/errors/Unauthorized');
    const noOidc = await post('e6', { authorization: 'Bearer abc.def.ghi' });
    assert.equal(noOidc.statusCode, 401);
    assert.match(noOidc.json().detail, /no OpenID Connect issuer/);
    const anon = await post('e7', {});
    assert.equal(anon.statusCode, 401);
    assert.equal(anon.headers['www-authenticate'], 'ApiKey, Bearer');
    assert.match(anon.json().detail, /Authorization: Bearer <key>/);
  } finally { await t.close(); }
});

test('an API key sent as "Authorization: Bearer <key>" is accepted without an OIDC issuer (FIWARE components only know bearer tokens)', async () => {
  const t = await authApp({});
  try {
    const key = await t.key({ name: 'iot-agent', roles: ['steward'] });
    const post = (id: string, h: Record<string, string>) => t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { ...JSON_CT, ...h }, payload: ENTITY(id) });
    assert.equal((await post('b1', { authorization: `Bearer ${key}` })).statusCode, 201);
    assert.equal((await post('b2', { authorization: `bearer ${t.operatorKey}` })).statusCode, 201);
    const unknown = await post('b3', { authorization: `Bearer ds_${'B'.repeat(43)}` });
    assert.equal(unknown.statusCode, 401);
    assert.match(unknown.json().detail, /Unknown API key/);
    const audit = (await t.app.inject({ method: 'GET', url: '/admin/audit?limit=50', headers: { authorization: `Bearer ${t.operatorKey}` } }));
    assert.equal(audit.statusCode, 200, 'the operator key as a bearer token reaches the admin API too');
  } finally { await t.close(); }
});

test('an operator key from DREHSCHEIBE_ADMIN_KEY without the ds_ prefix works as a bearer token too', async () => {
  const secret = 'my-own-operator-key-0123456789';
  const t = await testApp({ DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_ADMIN_KEY: secret });
  try {
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { ...JSON_CT, authorization: `Bearer ${secret}` }, payload: ENTITY('b4') });
    assert.equal(r.statusCode, 201, r.body);
  } finally { await t.close(); }
});

test('bootstrap: a new data dir gets one operator key in a 0600 file; a restart does not make another', async () => {
  const t = await authApp({});
  try {
    const file = join(t.dir, 'admin-key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const list = (await t.app.inject({ method: 'GET', url: '/admin/api-keys', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ name: string; roles: string[]; createdBy: string }>;
    assert.deepEqual(list.map((k) => [k.name, k.roles, k.createdBy]), [['admin', ['operator'], 'bootstrap']]);
    // A second app on the same data dir: no new key, the file keeps the first key.
    const { buildApp } = await import('../../src/app.ts');
    const config = loadConfig({ DREHSCHEIBE_DATA_DIR: t.dir, DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_CONTEXT_REMOTE: 'off' });
    const again = await buildApp(config, { storage: t.storage });
    assert.equal(readFileSync(file, 'utf8').trim(), t.operatorKey);
    assert.equal(((await again.inject({ method: 'GET', url: '/admin/api-keys', headers: { 'x-api-key': t.operatorKey } })).json() as unknown[]).length, 1);
    await again.close();
  } finally { await t.close(); }
});

test('bootstrap: DREHSCHEIBE_ADMIN_KEY is registered as an operator key and no key file is written', async () => {
  const admin = 'herne-ops-' + 'x'.repeat(30);
  const t = await testApp({ DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_ADMIN_KEY: admin });
  try {
    assert.throws(() => statSync(join(t.dir, 'admin-key')));
    const r = await t.app.inject({ method: 'GET', url: '/admin/api-keys', headers: { 'x-api-key': admin } });
    assert.equal(r.statusCode, 200);
    assert.deepEqual((r.json() as Array<{ name: string }>).map((k) => k.name), ['admin']);
  } finally { await t.close(); }
  assert.throws(() => loadConfig({ DREHSCHEIBE_ADMIN_KEY: 'short' }), /at least 24 characters/);
});

test('DREHSCHEIBE_AUTH=off is refused when HOST is not a loopback address', () => {
  assert.throws(() => loadConfig({ DREHSCHEIBE_AUTH: 'off', HOST: '0.0.0.0' }), /DREHSCHEIBE_AUTH=off is refused/);
  assert.equal(loadConfig({ DREHSCHEIBE_AUTH: 'off', HOST: '127.0.0.1' }).auth, 'off');
});

test('the audit log records every write and administrative action: who, when, what, from where, outcome', async () => {
  const clock = fixedClock('2026-11-26T12:00:00Z');
  const t = await authApp({}, {}, { clock });
  try {
    const key = await t.key({ name: 'tiefbau', roles: ['steward'] });
    const h = { ...JSON_CT, 'x-api-key': key };
    assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: h, payload: ENTITY('a1'), remoteAddress: '10.1.2.3' })).statusCode, 201);
    assert.equal((await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Building:a1/attrs', headers: { ...h, 'ngsild-tenant': 'x' }, payload: { name: { type: 'Property', value: 'x' } } })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/upsert', headers: h, payload: [ENTITY('a2')] })).statusCode, 201);
    assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_CT, payload: ENTITY('a3') })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Building', headers: h })).statusCode, 200);
    const r = await t.app.inject({ method: 'GET', url: '/admin/audit?limit=50', headers: { 'x-api-key': t.operatorKey } });
    assert.equal(r.statusCode, 200);
    const entries = (r.json() as Array<Record<string, unknown>>).reverse();
    assert.deepEqual(entries.map((e) => [e.principal, e.action, e.tenant ?? null, e.status]), [
      ['key:admin', 'POST /admin/api-keys', null, 201],
      ['key:tiefbau', 'POST /ngsi-ld/v1/entities', '', 201],
      ['key:tiefbau', 'PATCH /ngsi-ld/v1/entities/:entityId/attrs', 'x', 404],
      ['key:tiefbau', 'POST /ngsi-ld/v1/entityOperations/upsert', '', 201],
      ['anonymous', 'POST /ngsi-ld/v1/entities', '', 401],
    ], 'reads are not audited');
    assert.equal(entries[1].address, '10.1.2.3');
    assert.equal(entries[1].at, '2026-11-26T12:00:00.000Z');
    assert.equal(entries[1].target, '/ngsi-ld/v1/entities');
    assert.equal(typeof entries[1].requestId, 'string');
    const only = (await t.app.inject({ method: 'GET', url: '/admin/audit?principal=anonymous', headers: { 'x-api-key': t.operatorKey } })).json() as unknown[];
    assert.equal(only.length, 1);
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/audit?bogus=1', headers: { 'x-api-key': t.operatorKey } })).statusCode, 400);
    // Retention: entries older than the period are pruned.
    clock.advance(400 * 86_400_000);
    assert.equal(await t.app.drehscheibe.auth.audit!.prune(), 5);
  } finally { await t.close(); }
});

test('a key lookup that a revocation overtakes is answered but not cached: the next request is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-keys-'));
  const storage = SqliteStorage.inDataDir(dir);
  try {
    const real = storage.auth;
    // Node B's lookups read the store, then wait for the gate: the revocation comes in between.
    let gate: Promise<void> = Promise.resolve();
    let read = () => {};
    const slow = new Proxy(real, {
      get: (t, k) => (k === 'keyByHash'
        ? async (h: string) => { const r = await t.keyByHash(h); read(); await gate; return r; }
        : (t[k as keyof typeof t] as (...a: unknown[]) => unknown).bind(t)),
    });
    const clock = fixedClock('2026-11-26T12:00:00Z');
    const a = new ApiKeyService(real, clock, (n) => n);
    const b = new ApiKeyService(slow, clock, (n) => n);
    const { key, info } = await a.create({ name: 'tiefbau', roles: ['steward'] }, 'test');
    let open!: () => void;
    gate = new Promise((r) => { open = r; });
    const hasRead = new Promise<void>((r) => { read = r; });
    const during = b.authenticate(key);
    await hasRead; // B has read the key, not revoked yet
    await a.revoke(info.id);
    b.forgetId(info.id); // what the cluster feed's notice does on node B
    open();
    assert.equal((await during).id, 'key:tiefbau', 'the request that raced the revocation passes');
    gate = Promise.resolve();
    await assert.rejects(b.authenticate(key), /revoked/);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a key another node creates replaces this node\'s remembered "unknown key" once its notice arrives', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-keys-'));
  const storage = SqliteStorage.inDataDir(dir);
  try {
    const clock = fixedClock('2026-11-26T12:00:00Z');
    const announced: string[] = [];
    const a = new ApiKeyService(storage.auth, clock, (n) => n, async (id) => { announced.push(id); });
    const b = new ApiKeyService(storage.auth, clock, (n) => n);
    const secret = 'ds_' + 'k'.repeat(40);
    await assert.rejects(b.authenticate(secret), /Unknown API key/);
    const { info } = await a.create({ name: 'bootstrap', roles: ['operator'] }, 'test', secret);
    assert.deepEqual(announced, [info.id], 'the creation is announced');
    await assert.rejects(b.authenticate(secret), /Unknown API key/, 'without the notice B keeps its remembered miss (5 s)');
    b.forgetId(info.id); // what the cluster feed's notice does on node B
    assert.equal((await b.authenticate(secret)).id, 'key:bootstrap');
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
