// HTTP-level tests of the subscription operations (clause 6.10, 6.11) and of what notifications carry
// (clause 5.11), with real HTTP receivers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { testApp, type TestApp, JSON_HEADERS, LD_HEADERS } from '../support/app.ts';
import { Receiver } from '../../src/ngsi-ld/subscriptions/test-support.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const SUBS = '/ngsi-ld/v1/subscriptions';

function sensor(id: string, temp = 21.5, extra: Record<string, unknown> = {}) {
  return {
    id, type: 'AirQualityObserved',
    temperature: { type: 'Property', value: temp, unitCode: 'CEL' },
    name: { type: 'Property', value: `Sensor ${id}` },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.2196, 51.538] } },
    ...extra,
  };
}

describe('subscriptions', () => {
  let t: TestApp;
  let rx: Receiver;
  before(async () => {
    t = await testApp({ DREHSCHEIBE_NOTIFY_INITIAL: 'off' });
    rx = await Receiver.start();
  });
  after(async () => { await rx.close(); await t.close(); });

  const inject = (o: InjectOptions) => t.app.inject(o);
  const create = (body: Record<string, unknown>, headers: Record<string, string> = JSON_HEADERS) => inject({ method: 'POST', url: SUBS, headers, payload: body });
  const sub = (extra: Record<string, unknown> = {}, notification: Record<string, unknown> = {}) => ({
    type: 'Subscription',
    entities: [{ type: 'AirQualityObserved' }],
    ...extra,
    notification: { endpoint: { uri: rx ? rx.url : 'http://127.0.0.1:9/x' }, ...notification },
  });
  const patchAttrs = (id: string, attrs: Record<string, unknown>, headers: Record<string, string> = JSON_HEADERS) =>
    inject({ method: 'PATCH', url: `/ngsi-ld/v1/entities/${id}/attrs`, headers, payload: attrs });
  /** Notifications for one subscription, from the shared receiver. */
  const of = async (subId: string, n: number) => {
    const end = Date.now() + 3000;
    for (;;) {
      const mine = rx.received.filter((r) => r.body.subscriptionId === subId);
      if (mine.length >= n) return mine;
      if (Date.now() > end) throw new Error(`expected ${n} notification(s) for ${subId}, got ${mine.length}`);
      await rx.waitFor(rx.received.length + 1, Math.max(1, end - Date.now())).catch(() => undefined);
    }
  };
  const idOf = (location: string | undefined) => decodeURIComponent(String(location).split('/').pop()!);

  test('[6.10.3.1] create returns 201 with Location; [6.11.3.1] retrieve shows status and counters', async () => {
    const r = await create(sub({ id: 'urn:ngsi-ld:Subscription:s1', subscriptionName: 'warm', q: 'temperature>30' }));
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.headers.location, '/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:s1');
    const g = await inject({ method: 'GET', url: `${SUBS}/urn:ngsi-ld:Subscription:s1?options=sysAttrs` });
    assert.equal(g.statusCode, 200);
    const s = g.json();
    assert.equal(s.id, 'urn:ngsi-ld:Subscription:s1');
    assert.equal(s.type, 'Subscription');
    assert.equal(s.status, 'active');
    assert.equal(s.isActive, true);
    assert.equal(s.q, 'temperature>30');
    assert.equal(s.notification.format, 'normalized');
    assert.equal(s.notification.endpoint.accept, 'application/json');
    assert.equal(s.notification.timesSent, 0);
    assert.equal(s.notification.timesFailed, 0);
    assert.equal(s.notification.status, 'ok');
    assert.match(s.createdAt, /^\d{4}-/);
    assert.match(g.headers.link as string, /ngsi-ld-core-context/);
  });

  test('[6.10.3.1] without an id the broker generates urn:ngsi-ld:Subscription:<uuid>', async () => {
    const r = await create(sub());
    assert.equal(r.statusCode, 201);
    assert.match(idOf(r.headers.location), /^urn:ngsi-ld:Subscription:[0-9a-f-]{36}$/);
    await inject({ method: 'DELETE', url: `${SUBS}/${idOf(r.headers.location)}` });
  });

  test('[6.10.3.1] a duplicate id returns 409 AlreadyExists', async () => {
    const r = await create(sub({ id: 'urn:ngsi-ld:Subscription:s1' }));
    assert.equal(r.statusCode, 409);
    assert.equal(r.json().type, ETSI + 'AlreadyExists');
  });

  const invalid: Array<[string, Record<string, unknown>]> = [
    ['an endpoint that is not a URI', sub({}, { endpoint: { uri: 'not a uri' } })],
    ['an unsupported endpoint scheme', sub({}, { endpoint: { uri: 'ftp://example.org/x' } })],
    ['an MQTT endpoint without topic', sub({}, { endpoint: { uri: 'mqtt://127.0.0.1:1883' } })],
    ['an MQTT-QoS outside 0..2', sub({}, { endpoint: { uri: 'mqtt://127.0.0.1:1883/t', notifierInfo: [{ key: 'MQTT-QoS', value: '3' }] } })],
    ['an unknown accept', sub({}, { endpoint: { uri: 'http://127.0.0.1:9/x', accept: 'text/plain' } })],
    ['a q syntax error', sub({ q: 'temperature>>3' })],
    ['a regex with a backreference (outside the RE2 syntax) in q', sub({ q: 'name~=(a)\\1' })],
    ['a geoQ without coordinates', sub({ geoQ: { georel: 'near;maxDistance==100', geometry: 'Point' } })],
    ['a geoQ with an unknown georel', sub({ geoQ: { georel: 'nearby', geometry: 'Point', coordinates: [7, 51] } })],
    ['a bad scopeQ', sub({ scopeQ: 'Madrid' })],
    ['throttling together with timeInterval', sub({ throttling: 5, timeInterval: 10 })],
    ['timeInterval together with watchedAttributes', sub({ timeInterval: 10, watchedAttributes: ['temperature'] })],
    ['expiresAt in the past', sub({ expiresAt: '2020-01-01T00:00:00Z' })],
    ['neither entities nor watchedAttributes', { type: 'Subscription', notification: { endpoint: { uri: 'http://127.0.0.1:9/x' } } }],
    ['a wrong type', { ...sub(), type: 'Subscriptions' }],
    ['an entity selector without type', sub({ entities: [{ id: 'urn:ngsi-ld:X:1' }] })],
    ['an unknown notificationTrigger', sub({ notificationTrigger: ['entityTouched'] })],
    ['an unknown format', sub({}, { format: 'verbose' })],
    ['negative throttling', sub({ throttling: -1 })],
    ['an unknown member', sub({ watchedAttribute: ['temperature'] })],
    ['no notification', { type: 'Subscription', entities: [{ type: 'T' }] }],
  ];
  for (const [what, body] of invalid) {
    test(`[6.10.3.1] ${what} is refused with 400 ProblemDetails`, async () => {
      const r = await create(body);
      assert.equal(r.statusCode, 400, r.body);
      assert.match(r.headers['content-type'] as string, /^application\/json/);
      assert.ok([ETSI + 'BadRequestData', ETSI + 'InvalidRequest'].includes(r.json().type), r.body);
      assert.ok(r.json().detail);
    });
  }

  test('[5.2.12] a jsonldContext that cannot be resolved is refused at creation', async () => {
    const r = await create(sub({ jsonldContext: 'https://example.org/unknown-context.jsonld' }));
    assert.ok(r.statusCode >= 400 && r.statusCode < 600 && r.statusCode !== 201, r.body);
    assert.match(r.json().type, /^https:\/\/uri\.etsi\.org\/ngsi-ld\/errors\//);
  });

  test('[6.10.3.2] query lists subscriptions with limit, offset and count', async () => {
    for (const n of [2, 3]) assert.equal((await create(sub({ id: `urn:ngsi-ld:Subscription:s${n}` }))).statusCode, 201);
    const r = await inject({ method: 'GET', url: `${SUBS}?limit=2&offset=1&count=true` });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['ngsild-results-count'], '3');
    assert.deepEqual(r.json().map((s: { id: string }) => s.id), ['urn:ngsi-ld:Subscription:s2', 'urn:ngsi-ld:Subscription:s3']);
    const ld = await inject({ method: 'GET', url: `${SUBS}?limit=1`, headers: { accept: 'application/ld+json' } });
    assert.ok(ld.json()[0]['@context']);
    const bad = await inject({ method: 'GET', url: `${SUBS}?type=X` });
    assert.equal(bad.statusCode, 400);
  });

  test('[6.11.3.2] update merges a fragment; isActive false pauses the subscription', async () => {
    const r = await inject({ method: 'PATCH', url: `${SUBS}/urn:ngsi-ld:Subscription:s2`, headers: JSON_HEADERS, payload: { isActive: false, description: 'paused for maintenance', notification: { format: 'keyValues' } } });
    assert.equal(r.statusCode, 204, r.body);
    const s = (await inject({ method: 'GET', url: `${SUBS}/urn:ngsi-ld:Subscription:s2` })).json();
    assert.equal(s.status, 'paused');
    assert.equal(s.description, 'paused for maintenance');
    assert.equal(s.notification.format, 'keyValues');
    assert.equal(s.notification.endpoint.uri, rx.url);
    const again = await inject({ method: 'PATCH', url: `${SUBS}/urn:ngsi-ld:Subscription:s2`, headers: JSON_HEADERS, payload: { description: null, isActive: true } });
    assert.equal(again.statusCode, 204);
    const s2 = (await inject({ method: 'GET', url: `${SUBS}/urn:ngsi-ld:Subscription:s2` })).json();
    assert.equal(s2.description, undefined);
    assert.equal(s2.status, 'active');
  });

  test('[6.11.3.2] update refuses invalid fragments and unknown ids', async () => {
    const bad = await inject({ method: 'PATCH', url: `${SUBS}/urn:ngsi-ld:Subscription:s2`, headers: JSON_HEADERS, payload: { throttling: 5, timeInterval: 5 } });
    assert.equal(bad.statusCode, 400);
    const past = await inject({ method: 'PATCH', url: `${SUBS}/urn:ngsi-ld:Subscription:s2`, headers: JSON_HEADERS, payload: { expiresAt: '2001-01-01T00:00:00Z' } });
    assert.equal(past.statusCode, 400);
    const nf = await inject({ method: 'PATCH', url: `${SUBS}/urn:ngsi-ld:Subscription:nope`, headers: JSON_HEADERS, payload: { description: 'x' } });
    assert.equal(nf.statusCode, 404);
    assert.equal(nf.json().type, ETSI + 'ResourceNotFound');
  });

  test('[6.11.3.3] delete returns 204, then 404', async () => {
    for (const n of [2, 3]) assert.equal((await inject({ method: 'DELETE', url: `${SUBS}/urn:ngsi-ld:Subscription:s${n}` })).statusCode, 204);
    assert.equal((await inject({ method: 'GET', url: `${SUBS}/urn:ngsi-ld:Subscription:s2` })).statusCode, 404);
    assert.equal((await inject({ method: 'DELETE', url: `${SUBS}/urn:ngsi-ld:Subscription:s2` })).statusCode, 404);
  });

  test('[5.11] an update that satisfies q is notified as normalized data with Link header and receiverInfo', async () => {
    await create(sub({ id: 'urn:ngsi-ld:Subscription:n1', entities: [{ id: 'urn:ngsi-ld:AirQualityObserved:n1', type: 'AirQualityObserved' }], q: 'temperature>30' },
      { endpoint: { uri: rx.url, receiverInfo: [{ key: 'X-Api-Key', value: 'secret' }] } }));
    assert.equal((await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: sensor('urn:ngsi-ld:AirQualityObserved:n1', 20) })).statusCode, 201);
    await patchAttrs('urn:ngsi-ld:AirQualityObserved:n1', { temperature: { type: 'Property', value: 25 } });
    await patchAttrs('urn:ngsi-ld:AirQualityObserved:n1', { temperature: { type: 'Property', value: 35, unitCode: 'CEL' } });
    const [n] = await of('urn:ngsi-ld:Subscription:n1', 1);
    assert.match(String(n.body.id), /^urn:ngsi-ld:Notification:/);
    assert.equal(n.body.type, 'Notification');
    assert.match(String(n.body.notifiedAt), /^\d{4}-\d\d-\d\dT/);
    assert.equal(n.body.data.length, 1);
    const e = n.body.data[0] as Record<string, any>;
    assert.equal(e.id, 'urn:ngsi-ld:AirQualityObserved:n1');
    assert.equal(e.type, 'AirQualityObserved');
    assert.deepEqual(e.temperature, { type: 'Property', value: 35, unitCode: 'CEL' });
    assert.equal(n.headers['content-type'], 'application/json');
    assert.match(n.headers.link as string, /^<https:\/\/uri\.etsi\.org\/ngsi-ld\/v1\/ngsi-ld-core-context[^>]*>; rel="http:\/\/www\.w3\.org\/ns\/json-ld#context"/);
    assert.equal(n.headers['x-api-key'], 'secret');
    assert.equal(n.headers['ngsild-tenant'], undefined);
    await t.app.drehscheibe.subscriptions.idle();
    await t.app.drehscheibe.subscriptions.tick();
    const s = (await inject({ method: 'GET', url: `${SUBS}/urn:ngsi-ld:Subscription:n1` })).json();
    assert.equal(s.notification.timesSent, 1);
    assert.equal(s.notification.timesFailed, 0);
    assert.ok(s.notification.lastSuccess);
    assert.equal(s.notification.lastNotification, s.notification.lastSuccess);
  });

  test('[5.11] application/ld+json endpoints get the @context inline; keyValues with attributes and sysAttrs', async () => {
    const ctx = { '@context': [{ temp: 'https://uri.etsi.org/ngsi-ld/default-context/temperature' }, 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld'] };
    const r = await create({ ...sub({ id: 'urn:ngsi-ld:Subscription:ld', entities: [{ id: 'urn:ngsi-ld:AirQualityObserved:n1', type: 'AirQualityObserved' }] },
      { format: 'keyValues', attributes: ['temp'], sysAttrs: true, endpoint: { uri: rx.url, accept: 'application/ld+json' } }), ...ctx }, LD_HEADERS);
    assert.equal(r.statusCode, 201, r.body);
    await patchAttrs('urn:ngsi-ld:AirQualityObserved:n1', { temperature: { type: 'Property', value: 36 } });
    const [n] = await of('urn:ngsi-ld:Subscription:ld', 1);
    assert.equal(n.headers['content-type'], 'application/ld+json');
    assert.equal(n.headers.link, undefined);
    assert.deepEqual(n.body['@context'], ctx['@context']);
    const e = n.body.data[0];
    assert.equal(e.temp, 36);
    assert.equal(e.name, undefined);
    assert.match(String(e.modifiedAt), /^\d{4}-/);
  });

  test('[5.11] concise format and showChanges carry previousValue', async () => {
    await create(sub({ id: 'urn:ngsi-ld:Subscription:sc', entities: [{ id: 'urn:ngsi-ld:AirQualityObserved:n1', type: 'AirQualityObserved' }] }, { format: 'concise', showChanges: true }));
    await patchAttrs('urn:ngsi-ld:AirQualityObserved:n1', { temperature: { type: 'Property', value: 37 } });
    const [n] = await of('urn:ngsi-ld:Subscription:sc', 1);
    const e = n.body.data[0] as Record<string, any>;
    assert.equal(e.temperature.value, 37);
    assert.equal(e.temperature.previousValue, 36);
    assert.equal(e.temperature.type, undefined);
    assert.equal(e.name, 'Sensor urn:ngsi-ld:AirQualityObserved:n1');
    for (const id of ['sc', 'ld', 'n1']) await inject({ method: 'DELETE', url: `${SUBS}/urn:ngsi-ld:Subscription:${id}` });
  });

  test('[5.11] watchedAttributes: changes to other attributes are not notified', async () => {
    await create(sub({ id: 'urn:ngsi-ld:Subscription:w', entities: [{ idPattern: '^urn:ngsi-ld:AirQualityObserved:w', type: 'AirQualityObserved' }], watchedAttributes: ['name'] }));
    await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: sensor('urn:ngsi-ld:AirQualityObserved:w1') });
    const created = await of('urn:ngsi-ld:Subscription:w', 1);
    assert.equal(created[0].body.data[0].id, 'urn:ngsi-ld:AirQualityObserved:w1');
    await patchAttrs('urn:ngsi-ld:AirQualityObserved:w1', { temperature: { type: 'Property', value: 1 } });
    await patchAttrs('urn:ngsi-ld:AirQualityObserved:w1', { name: { type: 'Property', value: 'renamed' } });
    const all = await of('urn:ngsi-ld:Subscription:w', 2);
    assert.equal((all[1].body.data[0] as Record<string, any>).name.value, 'renamed');
    await t.app.drehscheibe.subscriptions.idle();
    assert.equal(rx.received.filter((r) => r.body.subscriptionId === 'urn:ngsi-ld:Subscription:w').length, 2);
    await inject({ method: 'DELETE', url: `${SUBS}/urn:ngsi-ld:Subscription:w` });
  });

  test('[5.11] notificationTrigger: entityCreated, attributeDeleted and entityDeleted', async () => {
    await create(sub({ id: 'urn:ngsi-ld:Subscription:tr', entities: [{ idPattern: ':tr', type: 'AirQualityObserved' }], notificationTrigger: ['entityCreated', 'attributeDeleted', 'entityDeleted'] }));
    await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: sensor('urn:ngsi-ld:AirQualityObserved:tr') });
    await patchAttrs('urn:ngsi-ld:AirQualityObserved:tr', { temperature: { type: 'Property', value: 2 } }); // attributeUpdated: not subscribed
    await inject({ method: 'DELETE', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:tr/attrs/name' });
    await inject({ method: 'DELETE', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:tr' });
    const n = (await of('urn:ngsi-ld:Subscription:tr', 3)).map((x) => x.body.data[0] as Record<string, any>);
    // Notifications to one endpoint may overtake each other (concurrency > 1); find each by its shape.
    const created = n.find((e) => e.temperature?.value === 21.5 && e.name?.value !== 'urn:ngsi-ld:null');
    assert.ok(created, JSON.stringify(n));
    const del = n.find((e) => e.name?.value === 'urn:ngsi-ld:null');
    assert.ok(del, JSON.stringify(n));
    assert.match(del.name.deletedAt, /^\d{4}-/);
    const gone = n.find((e) => 'deletedAt' in e);
    assert.deepEqual(Object.keys(gone!).sort(), ['deletedAt', 'id', 'type']);
    assert.equal(gone!.type, 'AirQualityObserved');
    await t.app.drehscheibe.subscriptions.idle();
    assert.equal(rx.received.filter((r) => r.body.subscriptionId === 'urn:ngsi-ld:Subscription:tr').length, 3);
  });

  test('[5.11] geoQ and scopeQ select the entities that are notified', async () => {
    await create(sub({ id: 'urn:ngsi-ld:Subscription:geo', entities: [{ idPattern: ':g', type: 'AirQualityObserved' }], geoQ: { georel: 'near;maxDistance==1000', geometry: 'Point', coordinates: [7.2196, 51.538] }, scopeQ: '/Herne/#' }));
    const far = { type: 'GeoProperty', value: { type: 'Point', coordinates: [13.4, 52.5] } };
    await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: sensor('urn:ngsi-ld:AirQualityObserved:g1', 1, { location: far, scope: '/Herne/Mitte' }) });
    await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: sensor('urn:ngsi-ld:AirQualityObserved:g2', 1, { scope: '/Bochum' }) });
    await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: sensor('urn:ngsi-ld:AirQualityObserved:g3', 1, { scope: '/Herne/Wanne' }) });
    const n = await of('urn:ngsi-ld:Subscription:geo', 1);
    assert.equal(n[0].body.data[0].id, 'urn:ngsi-ld:AirQualityObserved:g3');
    await t.app.drehscheibe.subscriptions.idle();
    assert.equal(rx.received.filter((r) => r.body.subscriptionId === 'urn:ngsi-ld:Subscription:geo').length, 1);
  });

  test('[5.11] a subscription sees only its own tenant, and notifications name the tenant', async () => {
    const h = { ...JSON_HEADERS, 'ngsild-tenant': 'city1' };
    assert.equal((await create(sub({ id: 'urn:ngsi-ld:Subscription:tn', entities: [{ idPattern: ':tn', type: 'AirQualityObserved' }] }), h)).statusCode, 201);
    await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: sensor('urn:ngsi-ld:AirQualityObserved:tn0') });
    await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: h, payload: sensor('urn:ngsi-ld:AirQualityObserved:tn1') });
    const n = await of('urn:ngsi-ld:Subscription:tn', 1);
    assert.equal(n[0].body.data[0].id, 'urn:ngsi-ld:AirQualityObserved:tn1');
    assert.equal(n[0].headers['ngsild-tenant'], 'city1');
    assert.equal((await inject({ method: 'GET', url: `${SUBS}/urn:ngsi-ld:Subscription:tn` })).statusCode, 404);
    assert.equal((await inject({ method: 'GET', url: `${SUBS}/urn:ngsi-ld:Subscription:tn`, headers: { 'ngsild-tenant': 'city1' } })).statusCode, 200);
    assert.equal((await inject({ method: 'GET', url: SUBS, headers: { 'ngsild-tenant': 'nowhere' } })).statusCode, 404);
  });
});
