// Issue #13, items 8-11 and 13: access policies that reads and writes must not get around — the
// history CSV, entities with several types (queries, batch query, temporal), history-only entities,
// hosted @contexts across tenants — and no device credential in metrics or logs. Access control on,
// on the engine TEST_ENGINE selects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import { ContextStore } from '../../src/ngsi-ld/context/context.store.ts';

// Secret is readable and writable only by key:geheim; TypeY is written only by key:y-writer.
const POLICY = {
  tenants: {
    '': { types: { Secret: { read: ['key:geheim'], write: ['key:geheim'] }, TypeY: { write: ['key:y-writer'] } } },
  },
};
const FORBIDDEN = 'https://drehscheibe.dev/errors/Forbidden';

let t: AuthApp;
const k: Record<string, string> = {};

function h(who?: string, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { 'content-type': 'application/json', ...extra };
  if (who) out['x-api-key'] = k[who];
  return out;
}

async function req(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who?: string, payload?: unknown, extra?: Record<string, string>) {
  return t.app.inject({ method, url, headers: h(who, extra), ...(payload !== undefined ? { payload: payload as object } : {}) });
}

before(async () => {
  t = await authApp(POLICY);
  k.operator = t.operatorKey;
  k.geheim = await t.key({ name: 'geheim', roles: ['steward'] });
  k.ywriter = await t.key({ name: 'y-writer', roles: ['steward'] });
  // A type-limited key: reads and writes TypeX only.
  k.x = await t.key({ name: 'x-only', roles: ['steward'], types: ['TypeX'] });
  k.citizen = await t.key({ name: 'buerger', roles: ['citizen'] });
  const seed = [
    { id: 'urn:ngsi-ld:Pub:p1', type: 'Pub', v: { type: 'Property', value: 1, observedAt: '2026-01-01T00:00:00Z' } },
    { id: 'urn:ngsi-ld:Mixed:m1', type: ['Pub', 'Secret'], v: { type: 'Property', value: 2, observedAt: '2026-01-01T00:00:00Z' } },
    { id: 'urn:ngsi-ld:Secret:s1', type: 'Secret', v: { type: 'Property', value: 3, observedAt: '2026-01-01T00:00:00Z' } },
    { id: 'urn:ngsi-ld:X:x1', type: 'TypeX', v: { type: 'Property', value: 4, observedAt: '2026-01-01T00:00:00Z' } },
    { id: 'urn:ngsi-ld:X:xy', type: ['TypeX', 'TypeY'], v: { type: 'Property', value: 5, observedAt: '2026-01-01T00:00:00Z' } },
    { id: 'urn:ngsi-ld:Y:y1', type: 'TypeY', v: { type: 'Property', value: 6, observedAt: '2026-01-01T00:00:00Z' } },
  ];
  for (const e of seed) assert.equal((await req('POST', '/ngsi-ld/v1/entities', 'operator', e)).statusCode, 201, e.id);
});
after(async () => { await t.close(); });

const ids = (r: { json(): unknown }) => (r.json() as Array<{ id: string }>).map((e) => e.id).sort();

// ---- item 8: the history CSV checks type-level read access like retrieval does ----

test('#13.8 history.csv of an entity whose type anonymous may not read is 403, as its retrieval is', async () => {
  assert.equal((await req('GET', '/ngsi-ld/v1/entities/urn:ngsi-ld:Secret:s1')).statusCode, 403);
  const csv = await req('GET', '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Secret:s1/attrs/v/history.csv');
  assert.equal(csv.statusCode, 403);
  assert.equal(csv.json().type, FORBIDDEN);
  assert.doesNotMatch(csv.body, /,3,/);
  // The owner of the type still gets it, and public types stay public.
  const own = await req('GET', '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Secret:s1/attrs/v/history.csv', 'geheim');
  assert.equal(own.statusCode, 200);
  assert.match(own.body, /,3,/);
  assert.equal((await req('GET', '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Pub:p1/attrs/v/history.csv')).statusCode, 200);
});

test('#13.8 history.csv: a key limited to type X cannot read a type-Y entity there', async () => {
  const r = await req('GET', '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Y:y1/attrs/v/history.csv', 'x');
  assert.equal(r.statusCode, 403);
  assert.equal((await req('GET', '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:X:x1/attrs/v/history.csv', 'x')).statusCode, 200);
});

// ---- item 9: an entity is visible only if every one of its types is readable, everywhere ----

test('#13.9 [6.4.3.2] GET /entities?type=Pub leaves out an entity of types [Pub, Secret] (403 by id); count agrees', async () => {
  assert.equal((await req('GET', '/ngsi-ld/v1/entities/urn:ngsi-ld:Mixed:m1')).statusCode, 403);
  const r = await req('GET', '/ngsi-ld/v1/entities?type=Pub&count=true');
  assert.equal(r.statusCode, 200);
  assert.deepEqual(ids(r), ['urn:ngsi-ld:Pub:p1']);
  assert.equal(r.headers['ngsild-results-count'], '1');
  // With q and a value index path, and with keyValues and geo+json-free options, the same.
  assert.deepEqual(ids(await req('GET', '/ngsi-ld/v1/entities?type=Pub&q=v>0&options=keyValues')), ['urn:ngsi-ld:Pub:p1']);
  // Whoever may read Secret sees both.
  assert.deepEqual(ids(await req('GET', '/ngsi-ld/v1/entities?type=Pub', 'geheim')), ['urn:ngsi-ld:Mixed:m1', 'urn:ngsi-ld:Pub:p1']);
});

test('#13.9 [6.23.3.1] POST /entityOperations/query leaves out an entity with an unreadable type', async () => {
  const r = await req('POST', '/ngsi-ld/v1/entityOperations/query?count=true', undefined, { type: 'Query', entities: [{ type: 'Pub' }] });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(ids(r), ['urn:ngsi-ld:Pub:p1']);
  assert.equal(r.headers['ngsild-results-count'], '1');
  const byId = await req('POST', '/ngsi-ld/v1/entityOperations/query', undefined, { type: 'Query', entities: [{ id: 'urn:ngsi-ld:Mixed:m1', type: 'Pub' }] });
  assert.deepEqual(ids(byId), []);
});

test('#13.9 [6.18.3.2, 6.24.3.1] temporal queries leave out an entity with an unreadable type', async () => {
  const g = await req('GET', '/ngsi-ld/v1/temporal/entities?type=Pub&count=true');
  assert.equal(g.statusCode, 200);
  assert.deepEqual(ids(g), ['urn:ngsi-ld:Pub:p1']);
  assert.equal(g.headers['ngsild-results-count'], '1');
  const p = await req('POST', '/ngsi-ld/v1/temporal/entityOperations/query', undefined, { type: 'Query', entities: [{ type: 'Pub' }], temporalQ: { timerel: 'after', timeAt: '2000-01-01T00:00:00Z' } });
  assert.equal(p.statusCode, 200);
  assert.deepEqual(ids(p), ['urn:ngsi-ld:Pub:p1']);
  assert.equal((await req('GET', '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Mixed:m1')).statusCode, 403);
});

test('#13.9 a key limited to type X does not see an entity of types [X, Y] in queries (403 by id)', async () => {
  assert.equal((await req('GET', '/ngsi-ld/v1/entities/urn:ngsi-ld:X:xy', 'x')).statusCode, 403);
  assert.deepEqual(ids(await req('GET', '/ngsi-ld/v1/entities?type=TypeX', 'x')), ['urn:ngsi-ld:X:x1']);
  assert.deepEqual(ids(await req('POST', '/ngsi-ld/v1/entityOperations/query', 'x', { type: 'Query', entities: [{ type: 'TypeX' }] })), ['urn:ngsi-ld:X:x1']);
  assert.deepEqual(ids(await req('GET', '/ngsi-ld/v1/temporal/entities?type=TypeX', 'x')), ['urn:ngsi-ld:X:x1']);
  assert.deepEqual(ids(await req('GET', '/ngsi-ld/v1/entities?idPattern=urn:ngsi-ld:X:.*', 'x')), ['urn:ngsi-ld:X:x1']);
});

// ---- item 10: history writes are checked against the types of the history too ----

test('#13.10 a type-X key cannot append to, retype or delete the history of a type-Y entity that exists only in history', async () => {
  // A type-Y entity that was deleted: its history remains.
  const id = 'urn:ngsi-ld:Y:gone';
  assert.equal((await req('POST', '/ngsi-ld/v1/entities', 'ywriter', { id, type: 'TypeY', v: { type: 'Property', value: 7 } })).statusCode, 201);
  assert.equal((await req('DELETE', `/ngsi-ld/v1/entities/${id}`, 'ywriter')).statusCode, 204);
  // One that never existed outside the temporal API.
  const hist = 'urn:ngsi-ld:Y:history-only';
  assert.equal((await req('POST', '/ngsi-ld/v1/temporal/entities', 'ywriter', { id: hist, type: 'TypeY', v: [{ type: 'Property', value: 1, observedAt: '2026-01-02T00:00:00Z' }] })).statusCode, 201);
  for (const target of [id, hist]) {
    const append = await req('POST', `/ngsi-ld/v1/temporal/entities/${target}/attrs`, 'x', { v: [{ type: 'Property', value: 666, observedAt: '2026-01-03T00:00:00Z' }] });
    assert.equal(append.statusCode, 403, `append to ${target}`);
    assert.equal(append.json().type, FORBIDDEN);
    const retype = await req('POST', '/ngsi-ld/v1/temporal/entities', 'x', { id: target, type: 'TypeX', v: [{ type: 'Property', value: 667, observedAt: '2026-01-03T00:00:00Z' }] });
    assert.equal(retype.statusCode, 403, `add type X to ${target}`);
    assert.equal((await req('DELETE', `/ngsi-ld/v1/temporal/entities/${target}/attrs/v?deleteAll=true`, 'x')).statusCode, 403, `delete attr of ${target}`);
    assert.equal((await req('DELETE', `/ngsi-ld/v1/temporal/entities/${target}`, 'x')).statusCode, 403, `delete ${target}`);
    // Nothing changed: the history still has its one type and no value of the refused writes.
    const r = await req('GET', `/ngsi-ld/v1/temporal/entities/${target}`, 'operator');
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().type, 'TypeY');
    assert.doesNotMatch(r.body, /66[67]/);
  }
  // The writer of TypeY still may.
  assert.equal((await req('POST', `/ngsi-ld/v1/temporal/entities/${hist}/attrs`, 'ywriter', { v: [{ type: 'Property', value: 2, observedAt: '2026-01-04T00:00:00Z' }] })).statusCode, 204);
});

// ---- item 11: the @context store is shared by all tenants; a tenant's rights do not decide over it ----

test('#13.11 [6.30] a key limited to another tenant cannot delete a hosted @context; its owner and an operator can', async () => {
  const swh = await t.key({ name: 'swh-ctx', roles: ['steward'], tenants: ['stadtwerke'] });
  const other = await t.key({ name: 'tiefbau-ctx', roles: ['steward'] });
  const host = async (who: string) => {
    const r = await req('POST', '/ngsi-ld/v1/jsonldContexts', who, { '@context': { Ampel: `urn:x:Ampel-${who}` } });
    assert.equal(r.statusCode, 201);
    return String(r.headers.location).split('/').pop()!;
  };
  const del = (id: string, key: string, tenant?: string) => t.app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/jsonldContexts/${id}`, headers: { 'x-api-key': key, ...(tenant ? { 'ngsild-tenant': tenant } : {}) } });
  const id = await host('geheim');
  // Its tenant's steward rights let the stadtwerke key pass the tenant check; the store is not the tenant's.
  const cross = await del(id, swh, 'stadtwerke');
  assert.equal(cross.statusCode, 403);
  assert.equal(cross.json().type, FORBIDDEN);
  assert.equal((await del(id, other)).statusCode, 403);
  assert.equal((await req('GET', `/ngsi-ld/v1/jsonldContexts/${id}`)).statusCode, 200, 'still there');
  // The principal that added it deletes it.
  assert.equal((await del(id, k.geheim)).statusCode, 204);
  assert.equal((await req('GET', `/ngsi-ld/v1/jsonldContexts/${id}`)).statusCode, 404);
  // An operator for all tenants deletes any.
  const id2 = await host('geheim');
  assert.equal((await del(id2, k.operator)).statusCode, 204);
  // Downloaded and implicitly created entries are shared: operators only (the core context stays immutable: 400).
  const core = await del(encodeURIComponent('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld'), other);
  assert.equal(core.statusCode, 400);
  assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'x-api-key': other, 'content-type': 'application/ld+json' },
    payload: { '@context': [{ Ampel: 'urn:x:Ampel' }, 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld'], id: 'urn:ngsi-ld:Ampel:1', type: 'Ampel' } })).statusCode, 201);
  const implicit = (await req('GET', '/ngsi-ld/v1/jsonldContexts?kind=ImplicitlyCreated&details=true')).json() as Array<{ localId: string }>;
  assert.ok(implicit.length > 0);
  assert.equal((await del(implicit[0].localId, other)).statusCode, 403);
  assert.equal((await del(implicit[0].localId, k.operator)).statusCode, 204);
});

test('#13.11 the owner of a hosted @context is kept on disk: after a restart it still decides who may delete it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'drehscheibe-ctx-'));
  try {
    const opts = { publicBaseUrl: 'http://127.0.0.1:1026', cacheDir: dir, maxImplicit: 10, cachedTtlMs: 60_000 };
    const before = new ContextStore(opts);
    before.loadPersisted();
    const e = await before.addHosted({ Ampel: 'urn:x:Ampel' }, 'key:tiefbau');
    const after = new ContextStore(opts);
    after.loadPersisted();
    assert.equal(after.find(e.localId)?.owner, 'key:tiefbau');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- item 13: an apikey is a device credential: no metric label, metrics document or log line carries it ----

test('#13.13 ingest counters are labelled by service group (tenant and service path), never by its apikey: /metrics, /iot/metrics, logs', async () => {
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'drehscheibe-test-'));
  const config = loadConfig({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_RATE_LIMIT: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off', METRICS_PORT: '0' });
  const storage = SqliteStorage.inDataDir(dir);
  const app = await buildApp(config, { storage, logger: pino({ level: 'info' }, { write: (s: string) => { lines.push(s); } }) });
  try {
    const secret = 'geraete-schluessel-7f3a91';
    const svc = { 'fiware-service': 'herne', 'fiware-servicepath': '/umwelt', 'content-type': 'application/json' };
    const group = { apikey: secret, entity_type: 'AirQualityObserved', resource: '/iot/json', attributes: [{ object_id: 't', name: 'temperature', type: 'Number' }] };
    assert.equal((await app.inject({ method: 'POST', url: '/iot/services', headers: svc, payload: { services: [group] } })).statusCode, 201);
    const send = (body: string) => app.inject({ method: 'POST', url: `/iot/json?k=${secret}&i=luft-1`, headers: { 'content-type': 'application/json' }, payload: body });
    assert.equal((await send('{"t": 21}')).statusCode, 200);
    assert.equal((await send('{"t": "warm"}')).statusCode, 400); // rejected: a log line and a counter
    assert.equal((await send('{"t": ')).statusCode, 400);
    // What the unauthenticated metrics port serves.
    const text = (await app.drehscheibe.metrics.text()).body;
    assert.match(text, /drehscheibe_ingest_measurements_total\{group="herne\/umwelt",outcome="accepted"\} 1/);
    assert.match(text, /group="herne\/umwelt",outcome="invalid_value"\} 1/);
    assert.ok(!text.includes(secret), 'no apikey in /metrics');
    const iot = await app.inject({ method: 'GET', url: '/iot/metrics' });
    assert.equal(iot.statusCode, 200);
    assert.equal(iot.json().groups['herne/umwelt'].accepted, 1);
    assert.ok(!iot.body.includes(secret), 'no apikey in /iot/metrics');
    const rejected = lines.filter((l) => l.includes('measurement rejected'));
    assert.ok(rejected.length >= 1);
    assert.match(rejected[0], /"group":"herne\/umwelt"/);
    assert.deepEqual(lines.filter((l) => l.includes(secret)), [], 'no apikey in the log');
  } finally {
    await app.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
