// Interoperability with FIWARE's own code: iotagent-node-lib (the library every FIWARE IoT Agent is
// built on), configured for NGSI-LD with an in-memory registry, uses Drehscheibe as its context broker.
// A device is provisioned and a measurement sent through the library; the entity must be updated here.
// What it sends on the wire is recorded too (upsert with trailing slash, ld+json, inline @context, NGSILD-Tenant).
// With access control on, the library's fixed-credential mode (OAuth2 with a permanent token) sends an
// API key as its bearer token.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testApp, type TestApp } from '../support/app.ts';
import { freePort } from '../support/server.ts';

const require = createRequire(import.meta.url);
// CommonJS, callback style; loaded lazily so that its logger is configured first.
type Cb<T = unknown> = (err: Error | null | undefined, v?: T) => void;
interface IotaLib {
  activate(config: Record<string, unknown>, cb: Cb): void;
  deactivate(cb: Cb): void;
  register(device: Record<string, unknown>, cb: Cb): void;
  update(entityName: string, type: string, apikey: string, attributes: unknown[], device: Record<string, unknown>, cb: Cb): void;
  clearAll?(cb: Cb): void;
}
const p = <T>(fn: (cb: Cb<T>) => void): Promise<T> => new Promise((resolve, reject) => fn((e, v) => (e ? reject(e) : resolve(v as T))));

describe('iotagent-node-lib (NGSI-LD, memory registry) against Drehscheibe', () => {
  let t: TestApp;
  let lib: IotaLib;
  const wire: Array<{ method: string; url: string; ct?: string; tenant?: string; body?: unknown }> = [];
  before(async () => {
    t = await testApp();
    t.app.addHook('onRequest', async (req) => {
      if (req.url.startsWith('/ngsi-ld/')) wire.push({ method: req.method, url: req.url, ct: req.headers['content-type'], tenant: req.headers['ngsild-tenant'] as string | undefined });
    });
    t.app.addHook('preHandler', async (req) => {
      const last = [...wire].reverse().find((w) => w.url === req.url && w.body === undefined);
      if (last) last.body = req.body;
    });
    const port = await freePort();
    await t.app.listen({ port, host: '127.0.0.1' });
    lib = require('iotagent-node-lib') as IotaLib;
    (require('logops') as { setLevel(l: string): void }).setLevel('FATAL');
    const northbound = await freePort();
    await p((cb) => lib.activate({
      logLevel: 'FATAL',
      contextBroker: { host: '127.0.0.1', port: String(port), ngsiVersion: 'ld', jsonLdContext: 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld' },
      server: { port: northbound, host: '127.0.0.1' },
      deviceRegistry: { type: 'memory' },
      types: {},
      service: 'herne',
      subservice: '/environment',
      providerUrl: 'http://127.0.0.1:4041',
      defaultResource: '/iot/json',
      autocast: true,
    }, cb));
  });
  after(async () => {
    if (lib) await p((cb) => lib.deactivate(cb));
    await t.close();
  });

  const device = {
    id: 'aq-iota-1',
    type: 'AirQualityObserved',
    name: 'urn:ngsi-ld:AirQualityObserved:aq-iota-1',
    service: 'herne',
    subservice: '/environment',
    apikey: 'iota-key',
    resource: '/iot/json',
    active: [{ object_id: 't', name: 'temperature', type: 'Number' }, { object_id: 'no2', name: 'NO2', type: 'Number' }],
    staticAttributes: [{ name: 'dataProvider', type: 'Text', value: 'iotagent-node-lib interop test' }],
    lazy: [],
    commands: [],
  };

  test('a device provisioned through the library and a measurement sent through it update the entity in Drehscheibe', async () => {
    await p((cb) => lib.register({ ...device }, cb));
    await p((cb) => lib.update(device.name, device.type, device.apikey, [{ name: 'temperature', type: 'Number', value: 21.5 }, { name: 'NO2', type: 'Number', value: 38 }], { ...device }, cb));
    const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${device.name}`, headers: { 'ngsild-tenant': 'herne' } });
    assert.equal(r.statusCode, 200, r.body);
    const e = JSON.parse(r.body);
    assert.equal(e.type, 'AirQualityObserved');
    assert.equal(e.temperature.value, 21.5);
    assert.equal(e.NO2.value, 38);
  });

  test('a second measurement through the library replaces the value and is in the entity\'s history', async () => {
    await p((cb) => lib.update(device.name, device.type, device.apikey, [{ name: 'temperature', type: 'Number', value: 22.75 }], { ...device }, cb));
    const e = JSON.parse((await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${device.name}`, headers: { 'ngsild-tenant': 'herne' } })).body);
    assert.equal(e.temperature.value, 22.75);
    const h = JSON.parse((await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${device.name}?attrs=temperature&options=temporalValues`, headers: { 'ngsild-tenant': 'herne' } })).body);
    assert.deepEqual(h.temperature.values.map((v: [number]) => v[0]).sort(), [21.5, 22.75]);
  });

  test('on the wire: POST …/entityOperations/upsert/?options=update, application/ld+json, NGSILD-Tenant, inline core @context', () => {
    const ups = wire.filter((w) => w.method === 'POST' && w.url.includes('/entityOperations/upsert'));
    assert.ok(ups.length >= 2, `saw ${JSON.stringify(wire.map((w) => `${w.method} ${w.url}`))}`);
    for (const u of ups) {
      assert.equal(u.url, '/ngsi-ld/v1/entityOperations/upsert/?options=update');
      assert.match(String(u.ct), /^application\/ld\+json/);
      assert.equal(u.tenant, 'herne');
      assert.ok(Array.isArray(u.body));
      assert.equal((u.body as Array<Record<string, unknown>>)[0]['@context'], 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld');
    }
  });
});

describe('iotagent-node-lib with access control on: an API key as its fixed bearer token (permanentToken)', () => {
  let t: TestApp;
  let lib: IotaLib;
  let stewardKey: string;
  const seen: Array<string | undefined> = [];
  const device = (id: string, trust: string) => ({
    id, type: 'AirQualityObserved', name: `urn:ngsi-ld:AirQualityObserved:${id}`,
    service: 'herne', subservice: '/environment', apikey: 'iota-key', resource: '/iot/json', trust,
    active: [{ object_id: 'no2', name: 'NO2', type: 'Number' }], staticAttributes: [], lazy: [], commands: [],
  });
  before(async () => {
    t = await testApp({ DREHSCHEIBE_AUTH: 'on' });
    t.app.addHook('onRequest', async (req) => { if (req.url.startsWith('/ngsi-ld/')) seen.push(req.headers.authorization); });
    const operatorKey = readFileSync(join(t.dir, 'admin-key'), 'utf8').trim();
    const r = await t.app.inject({ method: 'POST', url: '/admin/api-keys', headers: { 'x-api-key': operatorKey, 'content-type': 'application/json' }, payload: { name: 'iot-agent', roles: ['steward'], tenants: ['herne'] } });
    assert.equal(r.statusCode, 201, r.body);
    stewardKey = (r.json() as { key: string }).key;
    const port = await freePort();
    await t.app.listen({ port, host: '127.0.0.1' });
    lib = require('iotagent-node-lib') as IotaLib;
    (require('logops') as { setLevel(l: string): void }).setLevel('FATAL');
    const northbound = await freePort();
    await p((cb) => lib.activate({
      logLevel: 'FATAL',
      contextBroker: { host: '127.0.0.1', port: String(port), ngsiVersion: 'ld', jsonLdContext: 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld' },
      server: { port: northbound, host: '127.0.0.1' },
      // The fixed-credential mode: the device's (or group's) "trust" is sent as "Authorization: Bearer <trust>".
      authentication: { enabled: true, type: 'oauth2', header: 'Authorization', permanentToken: true, url: 'http://127.0.0.1:9', clientId: 'unused', clientSecret: 'unused', tokenPath: '/unused' },
      deviceRegistry: { type: 'memory' },
      types: {},
      service: 'herne',
      subservice: '/environment',
      providerUrl: 'http://127.0.0.1:4041',
      defaultResource: '/iot/json',
      autocast: true,
    }, cb));
  });
  after(async () => {
    if (lib) await p((cb) => lib.deactivate(cb));
    await t.close();
  });

  test('measurements of a device whose trust is a steward API key arrive in the entity (sent as Authorization: Bearer <key>)', async () => {
    const d = device('aq-auth-1', stewardKey);
    await p((cb) => lib.register({ ...d }, cb));
    await p((cb) => lib.update(d.name, d.type, d.apikey, [{ name: 'NO2', type: 'Number', value: 41 }], { ...d }, cb));
    await p((cb) => lib.update(d.name, d.type, d.apikey, [{ name: 'NO2', type: 'Number', value: 43.5 }], { ...d }, cb));
    assert.ok(seen.length >= 2 && seen.every((a) => a === `Bearer ${stewardKey}`), `Authorization headers seen: ${JSON.stringify(seen.map((a) => a?.slice(0, 12)))}`);
    const e = JSON.parse((await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${d.name}`, headers: { 'ngsild-tenant': 'herne' } })).body);
    assert.equal(e.NO2.value, 43.5);
    const h = JSON.parse((await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${d.name}?attrs=NO2&options=temporalValues`, headers: { 'ngsild-tenant': 'herne' } })).body);
    assert.deepEqual(h.NO2.values.map((v: [number]) => v[0]).sort(), [41, 43.5]);
  });

  test('a device whose trust is not a valid key is refused (401) and nothing is written', async () => {
    const d = device('aq-auth-2', `ds_${'Z'.repeat(43)}`);
    await p((cb) => lib.register({ ...d }, cb));
    await assert.rejects(p((cb) => lib.update(d.name, d.type, d.apikey, [{ name: 'NO2', type: 'Number', value: 1 }], { ...d }, cb)));
    const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${d.name}`, headers: { 'ngsild-tenant': 'herne' } });
    assert.equal(r.statusCode, 404);
  });
});
