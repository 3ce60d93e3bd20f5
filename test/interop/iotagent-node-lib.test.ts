// Interoperability with FIWARE's own code: iotagent-node-lib (the library every FIWARE IoT Agent is
// built on), configured for NGSI-LD with an in-memory registry, uses Drehscheibe as its context broker.
// A device is provisioned and a measurement sent through the library; the entity must be updated here.
// What it sends on the wire is recorded too (upsert with trailing slash, ld+json, inline @context, NGSILD-Tenant).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
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
