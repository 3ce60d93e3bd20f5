// Interoperability: FIWARE's client library ngsijs (from npm) in NGSIv2 mode against a listening Drehscheibe —
// what an Orion user's tooling sends must work unchanged on /v2 (docs/ngsiv2.md).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Receiver } from '../../src/ngsi-ld/subscriptions/test-support.ts';
import { testApp, type TestApp } from '../support/app.ts';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const NGSI = require('ngsijs') as any;

describe('ngsijs client (NGSIv2)', () => {
  let t: TestApp;
  let rx: Receiver;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let v2: any;
  const s = { service: 'ngsijs', servicepath: '/Herne' };
  before(async () => {
    t = await testApp({ DREHSCHEIBE_NOTIFY_RETRIES: '0' });
    rx = await Receiver.start();
    const addr = await t.app.listen({ port: 0, host: '127.0.0.1' });
    v2 = new NGSI.Connection(addr + '/').v2;
  });
  after(async () => { await rx.close(); await t.close(); });

  test('create, get, list with q and count, update, append, replace, attribute and value, types, batch, delete', async () => {
    const created = await v2.createEntity({
      id: 'Bench1', type: 'SolarBench',
      batteryLevel: { type: 'Number', value: 0.8, metadata: { unitCode: { type: 'Text', value: 'P1' } } },
      location: { type: 'geo:json', value: { type: 'Point', coordinates: [7.2196, 51.538] } },
    }, s);
    assert.equal(created.location, '/v2/entities/Bench1?type=SolarBench');
    await assert.rejects(v2.createEntity({ id: 'Bench1', type: 'SolarBench' }, s), (e: Error) => e.name === 'AlreadyExists');

    const got = await v2.getEntity({ id: 'Bench1', ...s });
    assert.equal(got.entity.batteryLevel.value, 0.8);
    assert.deepEqual(got.entity.batteryLevel.metadata.unitCode, { type: 'Text', value: 'P1' });
    assert.ok(got.correlator);

    await v2.createEntity({ id: 'Bench2', type: 'SolarBench', batteryLevel: 0.2 }, { ...s, keyValues: true });
    const list = await v2.listEntities({ type: 'SolarBench', q: 'batteryLevel>0.5', count: true, keyValues: true, ...s });
    assert.equal(list.count, 1);
    assert.deepEqual(list.results, [{ id: 'Bench1', type: 'SolarBench', batteryLevel: 0.8, location: { type: 'Point', coordinates: [7.2196, 51.538] } }]);
    const near = await v2.listEntities({ georel: 'near;maxDistance:500', geometry: 'point', coords: '51.539,7.22', ...s });
    assert.deepEqual(near.results.map((e: { id: string }) => e.id), ['Bench1']);

    await v2.updateEntityAttributes({ id: 'Bench1', batteryLevel: { type: 'Number', value: 0.7 } }, s);
    await v2.appendEntityAttributes({ id: 'Bench1', occupied: { type: 'Boolean', value: true } }, s);
    const attrs = await v2.getEntityAttributes({ id: 'Bench1', keyValues: true, ...s });
    assert.equal(attrs.attributes.batteryLevel, 0.7);
    assert.equal(attrs.attributes.occupied, true);

    const attr = await v2.getEntityAttribute({ id: 'Bench1', attribute: 'occupied', ...s });
    assert.deepEqual(attr.attribute, { type: 'Boolean', value: true, metadata: {} });
    await v2.replaceEntityAttribute({ value: false }, { id: 'Bench1', attribute: 'occupied', ...s });
    await v2.replaceEntityAttributeValue({ id: 'Bench1', attribute: 'batteryLevel', value: 0.65, ...s });
    const val = await v2.getEntityAttributeValue({ id: 'Bench1', attribute: 'batteryLevel', ...s });
    assert.equal(val.value, 0.65);
    await v2.deleteEntityAttribute({ id: 'Bench1', attribute: 'occupied', ...s });
    await assert.rejects(v2.getEntityAttribute({ id: 'Bench1', attribute: 'occupied', ...s }), (e: Error) => e.name === 'NotFound');

    const types = await v2.listTypes({ ...s });
    assert.deepEqual(types.results.map((x: { type: string }) => x.type), ['SolarBench']);
    const type = await v2.getType({ id: 'SolarBench', ...s });
    assert.equal(type.type.count, 2);

    await v2.batchUpdate({ actionType: 'append', entities: [{ id: 'Bench3', type: 'SolarBench', batteryLevel: { type: 'Number', value: 1 } }] }, s);
    const bq = await v2.batchQuery({ entities: [{ idPattern: '^Bench[13]$', type: 'SolarBench' }], attrs: ['batteryLevel'] }, { keyValues: true, ...s });
    assert.deepEqual(bq.results.map((e: { id: string; batteryLevel: number }) => [e.id, e.batteryLevel]).sort(), [['Bench1', 0.65], ['Bench3', 1]]);

    await v2.replaceEntityAttributes({ id: 'Bench3', batteryLevel: { type: 'Number', value: 0.5 } }, s);
    await v2.deleteEntity({ id: 'Bench3', ...s });
    await assert.rejects(v2.getEntity({ id: 'Bench3', ...s }), (e: Error) => e.name === 'NotFound');
  });

  test('subscriptions: create, a notification in Orion\'s shape, get, list, update, delete', async () => {
    const created = await v2.createSubscription({
      description: 'empty batteries',
      subject: { entities: [{ idPattern: '.*', type: 'SolarBench' }], condition: { attrs: ['batteryLevel'], expression: { q: 'batteryLevel<0.1' } } },
      notification: { http: { url: rx.url }, attrs: ['batteryLevel'] },
    }, s);
    assert.ok(created.subscription.id);
    await v2.updateEntityAttributes({ id: 'Bench2', batteryLevel: { type: 'Number', value: 0.05 } }, s);
    const [n] = await rx.waitFor(1);
    assert.equal(n.body.subscriptionId, created.subscription.id);
    assert.deepEqual(n.body.data, [{ id: 'Bench2', type: 'SolarBench', batteryLevel: { type: 'Number', value: 0.05, metadata: {} } }]);
    assert.equal(n.headers['fiware-service'], 'ngsijs');
    assert.equal(n.headers['fiware-servicepath'], '/Herne');

    const got = await v2.getSubscription({ id: created.subscription.id, ...s });
    assert.equal(got.subscription.description, 'empty batteries');
    const list = await v2.listSubscriptions({ count: true, ...s });
    assert.equal(list.count, 1);
    await v2.updateSubscription({ id: created.subscription.id, status: 'inactive' }, s);
    assert.equal((await v2.getSubscription({ id: created.subscription.id, ...s })).subscription.status, 'inactive');
    await v2.deleteSubscription({ id: created.subscription.id, ...s });
    await assert.rejects(v2.getSubscription({ id: created.subscription.id, ...s }), (e: Error) => e.name === 'NotFound');
  });
});
