// Interoperability: FIWARE's own NGSI-LD client library (ngsijs, from npm) against a listening
// Drehscheibe — what an existing FIWARE user's tooling sends must work unchanged.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { testApp, type TestApp } from '../support/app.ts';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const NGSI = require('ngsijs') as any;

describe('ngsijs client (NGSI-LD)', () => {
  let t: TestApp;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let ld: any;
  before(async () => {
    t = await testApp();
    const addr = await t.app.listen({ port: 0, host: '127.0.0.1' });
    ld = new NGSI.Connection(addr + '/').ld;
  });
  after(async () => { await t.close(); });

  test('create, get, query with count, update, append, delete attribute, types, delete entity', async () => {
    const ctx = 'https://smartdatamodels.org/context.jsonld';
    const created = await ld.createEntity({
      id: 'urn:ngsi-ld:WeatherObserved:herne-1', type: 'WeatherObserved',
      temperature: { type: 'Property', value: 11.5, unitCode: 'CEL' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.2196, 51.538] } },
    }, { tenant: 'ngsijs' });
    assert.equal(created.location, '/ngsi-ld/v1/entities/urn:ngsi-ld:WeatherObserved:herne-1');

    const got = await ld.getEntity({ id: 'urn:ngsi-ld:WeatherObserved:herne-1', tenant: 'ngsijs' });
    assert.equal(got.entity.temperature.value, 11.5);

    const q = await ld.queryEntities({ type: 'WeatherObserved', q: 'temperature>10', count: true, tenant: 'ngsijs' });
    assert.equal(q.count, 1);
    assert.equal(q.results[0].id, 'urn:ngsi-ld:WeatherObserved:herne-1');
    const none = await ld.queryEntities({ type: 'WeatherObserved', q: 'temperature>20', tenant: 'ngsijs' });
    assert.equal(none.results.length, 0);

    await ld.updateEntityAttributes({ temperature: { type: 'Property', value: 12 } }, { id: 'urn:ngsi-ld:WeatherObserved:herne-1', tenant: 'ngsijs' });
    await ld.appendEntityAttributes({ relativeHumidity: { type: 'Property', value: 0.7 } }, { id: 'urn:ngsi-ld:WeatherObserved:herne-1', tenant: 'ngsijs' });
    const kv = await ld.getEntity({ id: 'urn:ngsi-ld:WeatherObserved:herne-1', keyValues: true, tenant: 'ngsijs' });
    assert.equal(kv.entity.temperature, 12);
    assert.equal(kv.entity.relativeHumidity, 0.7);

    await ld.deleteEntityAttribute({ id: 'urn:ngsi-ld:WeatherObserved:herne-1', attribute: 'relativeHumidity', tenant: 'ngsijs' });
    const types = await ld.listTypes({ tenant: 'ngsijs' });
    assert.deepEqual(types.results.typeList, ['WeatherObserved']);

    // The general Smart Data Models @context is bundled (it resolves offline); the client treats a
    // context URL we cannot reach as an error we report (503, offline mode).
    const sdm = await ld.getEntity({ id: 'urn:ngsi-ld:WeatherObserved:herne-1', '@context': ctx, tenant: 'ngsijs' });
    assert.equal(sdm.entity.id, 'urn:ngsi-ld:WeatherObserved:herne-1');
    await assert.rejects(ld.getEntity({ id: 'urn:ngsi-ld:WeatherObserved:herne-1', '@context': 'https://contexts.example/unreachable.jsonld', tenant: 'ngsijs' }));

    await ld.deleteEntity({ id: 'urn:ngsi-ld:WeatherObserved:herne-1', tenant: 'ngsijs' });
    await assert.rejects(ld.getEntity({ id: 'urn:ngsi-ld:WeatherObserved:herne-1', tenant: 'ngsijs' }), (e: Error) => e.name === 'NotFound');
  });

  test('[6.10.3.1, RFC 3986 3.3] a subscription created by ngsijs can be read and deleted with the id the client took from the Location header', async () => {
    const created = await ld.createSubscription({
      type: 'Subscription', entities: [{ type: 'WeatherObserved' }],
      notification: { endpoint: { uri: 'http://127.0.0.1:9/notify', accept: 'application/json' } },
    }, { tenant: 'ngsijs' });
    const id = created.subscription.id as string;
    assert.match(id, /^urn:ngsi-ld:Subscription:/, `the client read the id ${id} from ${created.location}`);
    const got = await ld.getSubscription({ id, tenant: 'ngsijs' });
    assert.equal(got.subscription.id, id);
    await ld.deleteSubscription({ id, tenant: 'ngsijs' });
    await assert.rejects(ld.getSubscription({ id, tenant: 'ngsijs' }), (e: Error) => e.name === 'NotFound');
  });
});
