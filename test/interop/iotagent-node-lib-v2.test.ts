// Interoperability with FIWARE's iotagent-node-lib configured for NGSIv2 (ngsiVersion 'v2', as Orion
// deployments run it): a device provisioned and a measurement sent through the library land in
// Drehscheibe over /v2 and read back over /v2 and over NGSI-LD (one entity, one write path). With
// access control on, the library's fixed-credential mode sends an API key as its bearer token.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testApp, type TestApp } from '../support/app.ts';
import { freePort } from '../support/server.ts';

const require = createRequire(import.meta.url);
type Cb<T = unknown> = (err: Error | null | undefined, v?: T) => void;
interface IotaLib {
  activate(config: Record<string, unknown>, cb: Cb): void;
  deactivate(cb: Cb): void;
  register(device: Record<string, unknown>, cb: Cb): void;
  update(entityName: string, type: string, apikey: string, attributes: unknown[], device: Record<string, unknown>, cb: Cb): void;
}
const p = <T>(fn: (cb: Cb<T>) => void): Promise<T> => new Promise((resolve, reject) => fn((e, v) => (e ? reject(e) : resolve(v as T))));

function agentConfig(port: number, northbound: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    logLevel: 'FATAL',
    contextBroker: { host: '127.0.0.1', port: String(port), ngsiVersion: 'v2' },
    server: { port: northbound, host: '127.0.0.1' },
    deviceRegistry: { type: 'memory' },
    types: {},
    service: 'herne',
    subservice: '/environment',
    providerUrl: 'http://127.0.0.1:4041',
    defaultResource: '/iot/json',
    autocast: true,
    timestamp: true,
    ...extra,
  };
}

describe('iotagent-node-lib (NGSIv2, memory registry) against Drehscheibe', () => {
  let t: TestApp;
  let lib: IotaLib;
  const wire: Array<{ method: string; url: string; service?: string; path?: string }> = [];
  before(async () => {
    t = await testApp();
    t.app.addHook('onRequest', async (req) => {
      // What the agent sends (over the socket); the test's own reads go through inject().
      if (req.url.startsWith('/v2/') && req.headers['user-agent'] !== 'lightMyRequest') wire.push({ method: req.method, url: req.url, service: req.headers['fiware-service'] as string, path: req.headers['fiware-servicepath'] as string });
    });
    const port = await freePort();
    await t.app.listen({ port, host: '127.0.0.1' });
    lib = require('iotagent-node-lib') as IotaLib;
    (require('logops') as { setLevel(l: string): void }).setLevel('FATAL');
    await p((cb) => lib.activate(agentConfig(port, 0), cb));
  });
  after(async () => {
    if (lib) await p((cb) => lib.deactivate(cb));
    await t.close();
  });

  const device = {
    id: 'aq-v2-1', type: 'AirQualityObserved', name: 'urn:ngsi-ld:AirQualityObserved:aq-v2-1',
    service: 'herne', subservice: '/environment', apikey: 'iota-key', resource: '/iot/json',
    active: [{ object_id: 't', name: 'temperature', type: 'Number' }, { object_id: 'no2', name: 'NO2', type: 'Number' }],
    staticAttributes: [{ name: 'dataProvider', type: 'Text', value: 'iotagent-node-lib v2 interop test' }],
    lazy: [], commands: [],
  };
  const v2 = (url: string) => t.app.inject({ method: 'GET', url, headers: { 'fiware-service': 'herne', 'fiware-servicepath': '/environment' } });

  test('a device provisioned and a measurement sent through the library land in the entity; read back over /v2', async () => {
    await p((cb) => lib.register({ ...device }, cb));
    await p((cb) => lib.update(device.name, device.type, device.apikey, [{ name: 'temperature', type: 'Number', value: 21.5 }, { name: 'NO2', type: 'Number', value: 38 }], { ...device }, cb));
    const r = await v2(`/v2/entities/${device.name}?type=AirQualityObserved`);
    assert.equal(r.statusCode, 200, r.body);
    const e = r.json();
    assert.equal(e.type, 'AirQualityObserved');
    assert.deepEqual({ type: e.temperature.type, value: e.temperature.value }, { type: 'Number', value: 21.5 });
    assert.equal(e.NO2.value, 38);
    assert.equal(e.dataProvider.value, 'iotagent-node-lib v2 interop test');
    // timestamp: true — the agent adds TimeInstant (DateTime) and a TimeInstant metadata to each measurement.
    assert.equal(e.TimeInstant.type, 'DateTime');
    assert.equal(e.temperature.metadata.TimeInstant.type, 'DateTime');
    const q = await v2('/v2/entities?type=AirQualityObserved&q=NO2>30&options=keyValues&attrs=NO2');
    assert.deepEqual(q.json(), [{ id: device.name, type: 'AirQualityObserved', NO2: 38 }]);
  });

  test('the same entity over NGSI-LD: tenant herne, scope /environment, history of each measurement', async () => {
    await p((cb) => lib.update(device.name, device.type, device.apikey, [{ name: 'temperature', type: 'Number', value: 22.75 }], { ...device }, cb));
    const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${device.name}`, headers: { 'ngsild-tenant': 'herne' } });
    assert.equal(r.statusCode, 200, r.body);
    const e = r.json();
    assert.equal(e.type, 'AirQualityObserved');
    assert.equal(e.scope, '/environment');
    assert.equal(e.temperature.value, 22.75);
    const h = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${device.name}?attrs=temperature&options=temporalValues`, headers: { 'ngsild-tenant': 'herne' } });
    assert.deepEqual(h.json().temperature.values.map((v: [number]) => v[0]).sort(), [21.5, 22.75]);
  });

  test('on the wire: each measurement is POST /v2/entities?options=upsert with Fiware-Service and -ServicePath', () => {
    assert.ok(wire.length >= 2, JSON.stringify(wire));
    for (const w of wire) {
      assert.equal(`${w.method} ${w.url}`, 'POST /v2/entities?options=upsert');
      assert.equal(w.service, 'herne');
      assert.equal(w.path, '/environment');
    }
  });
});

describe('iotagent-node-lib (NGSIv2) with access control on: an API key as its fixed bearer token', () => {
  let t: TestApp;
  let lib: IotaLib;
  let stewardKey = '';
  const seen: Array<string | undefined> = [];
  const device = (id: string, trust: string) => ({
    id, type: 'AirQualityObserved', name: `urn:ngsi-ld:AirQualityObserved:${id}`,
    service: 'herne', subservice: '/environment', apikey: 'iota-key', resource: '/iot/json', trust,
    active: [{ object_id: 'no2', name: 'NO2', type: 'Number' }], staticAttributes: [], lazy: [], commands: [],
  });
  before(async () => {
    t = await testApp({ DREHSCHEIBE_AUTH: 'on' });
    t.app.addHook('onRequest', async (req) => { if (req.url.startsWith('/v2/')) seen.push(req.headers.authorization); });
    const operatorKey = readFileSync(join(t.dir, 'admin-key'), 'utf8').trim();
    const r = await t.app.inject({ method: 'POST', url: '/admin/api-keys', headers: { 'x-api-key': operatorKey, 'content-type': 'application/json' }, payload: { name: 'iot-agent-v2', roles: ['steward'], tenants: ['herne'] } });
    assert.equal(r.statusCode, 201, r.body);
    stewardKey = (r.json() as { key: string }).key;
    const port = await freePort();
    await t.app.listen({ port, host: '127.0.0.1' });
    lib = require('iotagent-node-lib') as IotaLib;
    (require('logops') as { setLevel(l: string): void }).setLevel('FATAL');
    await p((cb) => lib.activate(agentConfig(port, 0, {
      authentication: { enabled: true, type: 'oauth2', header: 'Authorization', permanentToken: true, url: 'http://127.0.0.1:9', clientId: 'unused', clientSecret: 'unused', tokenPath: '/unused' },
    }), cb));
  });
  after(async () => {
    if (lib) await p((cb) => lib.deactivate(cb));
    await t.close();
  });

  test('measurements of a device whose trust is a steward API key arrive (Authorization: Bearer <key>); a wrong key is refused', async () => {
    const d = device('aq-v2-auth-1', stewardKey);
    await p((cb) => lib.register({ ...d }, cb));
    await p((cb) => lib.update(d.name, d.type, d.apikey, [{ name: 'NO2', type: 'Number', value: 41 }], { ...d }, cb));
    assert.ok(seen.length >= 1 && seen.every((a) => a === `Bearer ${stewardKey}`), `Authorization headers seen: ${JSON.stringify(seen.map((a) => a?.slice(0, 12)))}`);
    const e = (await t.app.inject({ method: 'GET', url: `/v2/entities/${d.name}?options=keyValues`, headers: { 'fiware-service': 'herne' } })).json();
    assert.equal(e.NO2, 41);
    const bad = device('aq-v2-auth-2', `ds_${'Z'.repeat(43)}`);
    await p((cb) => lib.register({ ...bad }, cb)).catch(() => undefined);
    await assert.rejects(p((cb) => lib.update(bad.name, bad.type, bad.apikey, [{ name: 'NO2', type: 'Number', value: 1 }], { ...bad }, cb)));
    assert.equal((await t.app.inject({ method: 'GET', url: `/v2/entities/${bad.name}`, headers: { 'fiware-service': 'herne' } })).statusCode, 404);
  });
});
