// The permission matrix (docs/security.md): each role × each operation × a public and a private
// tenant, with access control on and the Herne example policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authApp, HERNE_POLICY, type AuthApp } from './auth-support.ts';

let t: AuthApp;
const keys: Record<string, string | undefined> = {};
const OPS = ['read', 'write', 'subscriptions', 'admin'] as const;
type Op = (typeof OPS)[number];

// Expected status per principal, operation and tenant ('' = public default tenant, stadtwerke = private).
const EXPECT: Record<string, Record<'' | 'stadtwerke', Record<Op, number>>> = {
  operator: { '': { read: 200, write: 201, subscriptions: 201, admin: 200 }, stadtwerke: { read: 200, write: 201, subscriptions: 201, admin: 200 } },
  steward: { '': { read: 200, write: 201, subscriptions: 201, admin: 403 }, stadtwerke: { read: 403, write: 403, subscriptions: 403, admin: 403 } },
  'steward@stadtwerke': { '': { read: 403, write: 403, subscriptions: 403, admin: 403 }, stadtwerke: { read: 200, write: 201, subscriptions: 201, admin: 403 } },
  moderator: { '': { read: 200, write: 403, subscriptions: 201, admin: 403 }, stadtwerke: { read: 403, write: 403, subscriptions: 403, admin: 403 } },
  citizen: { '': { read: 200, write: 403, subscriptions: 201, admin: 403 }, stadtwerke: { read: 403, write: 403, subscriptions: 403, admin: 403 } },
  anonymous: { '': { read: 200, write: 401, subscriptions: 401, admin: 401 }, stadtwerke: { read: 401, write: 401, subscriptions: 401, admin: 401 } },
};

before(async () => {
  t = await authApp(HERNE_POLICY);
  keys.operator = t.operatorKey;
  keys.steward = await t.key({ name: 'tiefbau', roles: ['steward'] });
  keys['steward@stadtwerke'] = await t.key({ name: 'swh-leitwarte', roles: ['steward'], tenants: ['stadtwerke'] });
  keys.moderator = await t.key({ name: 'moderation', roles: ['moderator'] });
  keys.citizen = await t.key({ name: 'buerger-app', roles: ['citizen'] });
  keys.umweltamt = await t.key({ name: 'umweltamt', roles: ['steward'] });
  // Both tenants exist before the reads.
  for (const tenant of ['', 'stadtwerke']) {
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: headers('operator', tenant), payload: { id: `urn:ngsi-ld:Building:seed-${tenant || 'default'}`, type: 'Building' } });
    assert.equal(r.statusCode, 201);
  }
});
after(async () => { await t.close(); });

function headers(who: string, tenant: string): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  if (keys[who]) h['x-api-key'] = keys[who]!;
  if (tenant) h['ngsild-tenant'] = tenant;
  return h;
}

let n = 0;
async function run(who: string, op: Op, tenant: string): Promise<number> {
  const h = headers(who, tenant);
  switch (op) {
    case 'read': return (await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Building', headers: h })).statusCode;
    case 'write': return (await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: h, payload: { id: `urn:ngsi-ld:Building:m${++n}`, type: 'Building' } })).statusCode;
    case 'subscriptions': return (await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/subscriptions', headers: h, payload: { type: 'Subscription', entities: [{ type: 'Building' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/notify' } } } })).statusCode;
    case 'admin': return (await t.app.inject({ method: 'GET', url: '/admin/api-keys', headers: h })).statusCode;
  }
}

for (const [who, byTenant] of Object.entries(EXPECT)) {
  for (const tenant of ['', 'stadtwerke'] as const) {
    test(`${who} in the ${tenant ? 'private' : 'public'} tenant: read ${byTenant[tenant].read}, write ${byTenant[tenant].write}, subscriptions ${byTenant[tenant].subscriptions}, admin ${byTenant[tenant].admin}`, async () => {
      const got: Record<string, number> = {};
      for (const op of OPS) got[op] = await run(who, op, tenant);
      assert.deepEqual(got, byTenant[tenant]);
    });
  }
}

test('type-level grant: only the environment department key writes AirQualityObserved; everyone reads it', async () => {
  const aq = (id: string) => ({ id: `urn:ngsi-ld:AirQualityObserved:${id}`, type: 'AirQualityObserved', no2: { type: 'Property', value: 21 } });
  const post = (who: string, body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: headers(who, ''), payload: body });
  assert.equal((await post('umweltamt', aq('herne-1'))).statusCode, 201);
  const denied = await post('steward', aq('herne-2'));
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.json().type, 'https://drehscheibe.dev/errors/Forbidden');
  assert.equal((await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:herne-1/attrs', headers: headers('steward', ''), payload: { no2: { type: 'Property', value: 99 } } })).statusCode, 403);
  assert.equal((await t.app.inject({ method: 'DELETE', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:herne-1', headers: { 'x-api-key': keys.steward! } })).statusCode, 403);
  // The steward still writes other types; in a batch only the AirQualityObserved entity fails.
  const batch = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/create', headers: headers('steward', ''), payload: [aq('herne-3'), { id: 'urn:ngsi-ld:Building:b1', type: 'Building' }] });
  assert.equal(batch.statusCode, 207);
  assert.deepEqual(batch.json().success, ['urn:ngsi-ld:Building:b1']);
  assert.equal(batch.json().errors[0].error.status, 403);
  const read = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:herne-1' });
  assert.equal(read.statusCode, 200);
  assert.equal(read.json().no2.value, 21, 'the denied PATCH changed nothing');
  assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:herne-2' })).statusCode, 404, 'the denied create stored nothing');
});

test('type-level read restriction narrows queries and hides single entities', async () => {
  const put = await t.app.inject({ method: 'PUT', url: '/admin/policy', headers: headers('operator', ''), payload: { tenants: { '': { types: { WaterMeter: { read: ['steward'], write: ['steward'] } } } } } });
  assert.equal(put.statusCode, 204);
  try {
    assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: headers('steward', ''), payload: { id: 'urn:ngsi-ld:WaterMeter:1', type: 'WaterMeter' } })).statusCode, 201);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:WaterMeter:1', headers: headers('citizen', '') })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:WaterMeter:1', headers: headers('steward', '') })).statusCode, 200);
    const both = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=WaterMeter,Building&limit=100', headers: headers('citizen', '') });
    assert.equal(both.statusCode, 200);
    const types = new Set((both.json() as Array<{ type: string }>).map((e) => e.type));
    assert.deepEqual([...types], ['Building']);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=WaterMeter', headers: headers('citizen', '') })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?q=no2>1', headers: headers('citizen', '') })).statusCode, 403, 'a query naming no types cannot be narrowed');
    assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/subscriptions', headers: headers('citizen', ''), payload: { type: 'Subscription', entities: [{ type: 'Building' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/n' } } } })).statusCode, 403, 'subscriptions need unrestricted read');
    const typeList = (who: string) => t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types', headers: headers(who, '') }).then((r) => r.json().typeList as string[]);
    assert.ok(!(await typeList('citizen')).includes('WaterMeter'), 'unreadable types are not listed');
    assert.ok((await typeList('steward')).includes('WaterMeter'));
    assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types/WaterMeter', headers: headers('citizen', '') })).statusCode, 404);
  } finally {
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/admin/policy', headers: { 'x-api-key': t.operatorKey } })).statusCode, 204);
  }
});

test('several types: an entity of types [Building, WaterMeter] needs both allowed, to write and to be seen — by id, in queries and batch queries', async () => {
  const put = await t.app.inject({ method: 'PUT', url: '/admin/policy', headers: headers('operator', ''), payload: { tenants: { '': { types: { WaterMeter: { read: ['steward'], write: ['steward'] } } } } } });
  assert.equal(put.statusCode, 204);
  try {
    const mixed = { id: 'urn:ngsi-ld:Building:metered', type: ['Building', 'WaterMeter'] };
    assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: headers('moderator', ''), payload: mixed })).statusCode, 403, 'moderators write neither');
    assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: headers('steward', ''), payload: mixed })).statusCode, 201);
    for (const who of ['citizen', 'anonymous']) {
      assert.equal((await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${mixed.id}`, headers: headers(who, '') })).statusCode, 403, who);
      const q = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Building&limit=1000', headers: headers(who, '') });
      assert.ok(!(q.json() as Array<{ id: string }>).some((e) => e.id === mixed.id), `${who}: not in ?type=Building`);
      const bq = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/query?limit=1000', headers: headers(who, ''), payload: { type: 'Query', entities: [{ type: 'Building' }] } });
      assert.ok(!(bq.json() as Array<{ id: string }>).some((e) => e.id === mixed.id), `${who}: not in the batch query`);
    }
    const own = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Building&limit=1000', headers: headers('steward', '') });
    assert.ok((own.json() as Array<{ id: string }>).some((e) => e.id === mixed.id), 'the steward sees it');
  } finally {
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/admin/policy', headers: { 'x-api-key': t.operatorKey } })).statusCode, 204);
  }
});

test('type-level write grants hold for history writes of the temporal API too', async () => {
  const body = (value: number) => ({ id: 'urn:ngsi-ld:AirQualityObserved:herne-1', type: 'AirQualityObserved', no2: [{ type: 'Property', value, observedAt: '2026-11-01T10:00:00Z' }] });
  const post = (who: string, value: number) => t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities', headers: headers(who, ''), payload: body(value) });
  assert.equal((await post('steward', 1)).statusCode, 403);
  assert.equal((await post('umweltamt', 2)).statusCode, 204);
  const append = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:AirQualityObserved:herne-1/attrs', headers: headers('steward', ''), payload: { no2: [{ type: 'Property', value: 3, observedAt: '2026-11-02T10:00:00Z' }] } });
  assert.equal(append.statusCode, 403);
  const hist = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:AirQualityObserved:herne-1?attrs=no2&timerel=before&timeAt=2026-11-30T00:00:00Z&options=temporalValues' });
  assert.equal(hist.statusCode, 200);
  const values = (hist.json().no2.values as Array<[number, string]>).map((v) => v[0]);
  assert.ok(values.includes(2) && !values.includes(1) && !values.includes(3), JSON.stringify(values));
});

test('an API key limited to some types and operations cannot step outside them', async () => {
  const k = await t.key({ name: 'sensor-gateway', roles: ['steward'], types: ['Building'], ops: ['write'] });
  keys.gateway = k;
  assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: headers('gateway', ''), payload: { id: 'urn:ngsi-ld:Building:gw', type: 'Building' } })).statusCode, 201);
  assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: headers('gateway', ''), payload: { id: 'urn:ngsi-ld:Streetlight:gw', type: 'Streetlight' } })).statusCode, 403);
  assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Building', headers: headers('gateway', '') })).statusCode, 403);
});

test('IoT provisioning (/iot/services, /iot/devices) is a write in the fiware-service tenant: stewards of that tenant may, others get 403, a type-limited key too', async () => {
  const t = await authApp({});
  try {
    const steward = await t.key({ name: 'umwelt-steward', roles: ['steward'] });
    const swh = await t.key({ name: 'swh-steward', roles: ['steward'], tenants: ['stadtwerke'] });
    const typed = await t.key({ name: 'aq-only', roles: ['steward'], types: ['AirQualityObserved'] });
    const citizen = await t.key({ name: 'buerger', roles: ['citizen'] });
    const provision = (key: string | undefined, tenant: string, extra: Record<string, string> = {}) => t.app.inject({
      method: 'POST', url: '/iot/services',
      headers: { 'content-type': 'application/json', 'fiware-service': tenant, 'fiware-servicepath': '/env', ...(key ? { 'x-api-key': key } : {}), ...extra },
      payload: { services: [{ apikey: `k-${tenant}-${Math.random().toString(36).slice(2)}`, entity_type: 'AirQualityObserved' }] },
    });
    assert.equal((await provision(steward, 'herne')).statusCode, 201, 'a steward (no tenant limit) provisions');
    assert.equal((await provision(swh, 'stadtwerke')).statusCode, 201, 'a steward of the tenant provisions');
    const other = await provision(swh, 'herne');
    assert.equal(other.statusCode, 403, 'not in another tenant');
    const mixed = await provision(swh, 'herne', { 'ngsild-tenant': 'stadtwerke' });
    assert.equal(mixed.statusCode, 400, 'the tenant checked is the tenant provisioned');
    assert.match(mixed.json().detail, /differ/);
    const limited = await provision(typed, 'herne');
    assert.equal(limited.statusCode, 403);
    assert.match(limited.json().detail, /every type/);
    assert.equal((await provision(citizen, 'herne')).statusCode, 403);
    assert.equal((await provision(undefined, 'herne')).statusCode, 401);
    const dev = await t.app.inject({ method: 'POST', url: '/iot/devices', headers: { 'content-type': 'application/json', 'fiware-service': 'herne', 'fiware-servicepath': '/env', 'x-api-key': steward }, payload: { devices: [{ device_id: 'luft-9', entity_type: 'AirQualityObserved' }] } });
    assert.equal(dev.statusCode, 201, dev.body);
    const metrics = await t.app.inject({ method: 'GET', url: '/iot/metrics', headers: { 'x-api-key': steward } });
    assert.equal(metrics.statusCode, 403, 'the metrics of all tenants stay with operators');
  } finally { await t.close(); }
});
