// HTTP tests of the NGSIv2 API's entity, attribute, type and batch operations (docs/ngsiv2.md): Orion's
// shapes and error bodies, and that what v2 writes is the same entity NGSI-LD reads (one write path).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';

const J = { 'content-type': 'application/json' };
const room = (id: string, t: number, extra: Record<string, unknown> = {}) => ({
  id, type: 'Room',
  temperature: { type: 'Number', value: t, metadata: { unitCode: { type: 'Text', value: 'CEL' }, accuracy: { type: 'Number', value: 0.5 } } },
  name: { type: 'Text', value: `Room ${id}` },
  ...extra,
});

describe('NGSIv2 entities', () => {
  let t: TestApp;
  const inject = (o: { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; headers?: Record<string, string>; payload?: unknown }) =>
    t.app.inject({ method: o.method, url: o.url, headers: { ...(o.payload !== undefined && typeof o.payload !== 'string' ? J : {}), ...o.headers }, payload: o.payload as string });
  before(async () => { t = await testApp(); });
  after(async () => { await t.close(); });

  test('POST /v2/entities creates (201, Location with type); a duplicate is 422 Unprocessable "Already Exists"', async () => {
    const r = await inject({ method: 'POST', url: '/v2/entities', payload: room('Room1', 23) });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.headers.location, '/v2/entities/Room1?type=Room');
    const d = await inject({ method: 'POST', url: '/v2/entities', payload: room('Room1', 23) });
    assert.equal(d.statusCode, 422);
    assert.deepEqual(d.json(), { error: 'Unprocessable', description: 'Already Exists' });
  });

  test('GET /v2/entities/{id}: normalized with metadata, keyValues, values, attrs order', async () => {
    const r = await inject({ method: 'GET', url: '/v2/entities/Room1' });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(r.json(), {
      id: 'Room1', type: 'Room',
      temperature: { type: 'Number', value: 23, metadata: { unitCode: { type: 'Text', value: 'CEL' }, accuracy: { type: 'Number', value: 0.5 } } },
      name: { type: 'Text', value: 'Room Room1', metadata: {} },
    });
    assert.deepEqual((await inject({ method: 'GET', url: '/v2/entities/Room1?options=keyValues' })).json(), { id: 'Room1', type: 'Room', temperature: 23, name: 'Room Room1' });
    assert.deepEqual((await inject({ method: 'GET', url: '/v2/entities/Room1?options=values&attrs=name,temperature' })).json(), ['Room Room1', 23]);
    const sys = (await inject({ method: 'GET', url: '/v2/entities/Room1?attrs=temperature,dateCreated&metadata=dateModified' })).json();
    assert.deepEqual(Object.keys(sys), ['id', 'type', 'temperature', 'dateCreated']);
    assert.equal(sys.dateCreated.type, 'DateTime');
    assert.deepEqual(Object.keys(sys.temperature.metadata), ['dateModified']);
  });

  test('an unknown entity, or a wrong type, is 404 NotFound in Orion\'s words', async () => {
    for (const url of ['/v2/entities/Nope', '/v2/entities/Room1?type=Car']) {
      const r = await inject({ method: 'GET', url });
      assert.equal(r.statusCode, 404);
      assert.deepEqual(r.json(), { error: 'NotFound', description: 'The requested entity has not been found. Check type and id' });
    }
  });

  test('the entity written over v2 is the same entity over NGSI-LD: names expanded with the core @context, metadata as sub-properties', async () => {
    const r = await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Room:ld?local=true' });
    assert.equal(r.statusCode, 404);
    const q = await inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Room&q=temperature==23' });
    assert.equal(q.statusCode, 200, q.body);
    const [e] = q.json();
    assert.equal(e.id, 'Room1');
    assert.equal(e.type, 'Room');
    assert.deepEqual(e.temperature, { type: 'Property', value: 23, unitCode: 'CEL', accuracy: { type: 'Property', value: 0.5 } });
    const full = await inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=https://uri.etsi.org/ngsi-ld/default-context/Room' });
    assert.equal(full.json().length, 1);
  });

  test('geo:json → GeoProperty, geo:point "lat, lon" → Point [lon, lat], DateTime → ISO string, Relationship → Relationship', async () => {
    const r = await inject({ method: 'POST', url: '/v2/entities', payload: {
      id: 'urn:ngsi-ld:Sensor:s1', type: 'Sensor',
      location: { type: 'geo:point', value: '51.538, 7.2196' },
      area: { type: 'geo:json', value: { type: 'Polygon', coordinates: [[[7, 51], [8, 51], [8, 52], [7, 51]]] } },
      observed: { type: 'DateTime', value: '2026-11-26T10:00:00+01:00' },
      refRoom: { type: 'Relationship', value: 'urn:ngsi-ld:Room:r1' },
      flag: { type: 'Boolean', value: true },
      info: { type: 'StructuredValue', value: { a: [1, 2] } },
    } });
    assert.equal(r.statusCode, 201, r.body);
    const ld = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:s1' })).json();
    assert.deepEqual(ld.location, { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.2196, 51.538] } });
    assert.equal(ld.area.type, 'GeoProperty');
    assert.deepEqual(ld.observed, { type: 'Property', value: '2026-11-26T09:00:00.000Z' });
    assert.deepEqual(ld.refRoom, { type: 'Relationship', object: 'urn:ngsi-ld:Room:r1' });
    const v2 = (await inject({ method: 'GET', url: '/v2/entities/urn:ngsi-ld:Sensor:s1' })).json();
    assert.deepEqual(v2.location, { type: 'geo:json', value: { type: 'Point', coordinates: [7.2196, 51.538] }, metadata: {} });
    assert.deepEqual(v2.observed, { type: 'DateTime', value: '2026-11-26T09:00:00.000Z', metadata: {} });
    assert.deepEqual(v2.refRoom, { type: 'Relationship', value: 'urn:ngsi-ld:Room:r1', metadata: {} });
    assert.deepEqual(v2.flag, { type: 'Boolean', value: true, metadata: {} });
    assert.deepEqual(v2.info, { type: 'StructuredValue', value: { a: [1, 2] }, metadata: {} });
    const bad = await inject({ method: 'POST', url: '/v2/entities', payload: { id: 'bad1', type: 'Sensor', location: { type: 'geo:json', value: { type: 'Point', coordinates: [500, 1] } } } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error, 'BadRequest');
  });

  test('an entity written over NGSI-LD reads over v2 (type compacted, sub-properties as metadata)', async () => {
    const r = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', payload: {
      id: 'urn:ngsi-ld:Room:ld', type: 'Room', temperature: { type: 'Property', value: 19, observedAt: '2026-11-26T10:00:00Z' },
    } });
    assert.equal(r.statusCode, 201, r.body);
    const v2 = (await inject({ method: 'GET', url: '/v2/entities/urn:ngsi-ld:Room:ld' })).json();
    assert.deepEqual(v2, { id: 'urn:ngsi-ld:Room:ld', type: 'Room', temperature: { type: 'Number', value: 19, metadata: { observedAt: { type: 'DateTime', value: '2026-11-26T10:00:00.000Z' } } } });
  });

  test('GET /v2/entities: type, id, idPattern, q (==, !=, >, ranges, lists, ;), attrs, limit/offset, options=count → Fiware-Total-Count', async () => {
    for (const [id, temp] of [['Room2', 18], ['Room3', 30], ['Room4', 25]] as const) {
      assert.equal((await inject({ method: 'POST', url: '/v2/entities', payload: room(id, temp) })).statusCode, 201);
    }
    const ids = async (qs: string) => {
      const r = await inject({ method: 'GET', url: `/v2/entities?${qs}` });
      assert.equal(r.statusCode, 200, `${qs}: ${r.body}`);
      return (r.json() as Array<{ id: string }>).map((e) => e.id).sort();
    };
    assert.deepEqual(await ids('type=Room&q=temperature>20'), ['Room1', 'Room3', 'Room4', 'urn:ngsi-ld:Room:ld'].filter((x) => x !== 'urn:ngsi-ld:Room:ld'));
    assert.deepEqual(await ids('type=Room&q=temperature==18..23'), ['Room1', 'Room2', 'urn:ngsi-ld:Room:ld']);
    assert.deepEqual(await ids('type=Room&q=temperature==18,30'), ['Room2', 'Room3']);
    assert.deepEqual(await ids('type=Room&q=temperature!=18;temperature<26'), ['Room1', 'Room4', 'urn:ngsi-ld:Room:ld']);
    assert.deepEqual(await ids("q=name=='Room Room3'"), ['Room3']);
    assert.deepEqual(await ids('q=name~=Room[23]'), ['Room2', 'Room3']);
    assert.deepEqual(await ids('q=temperature.unitCode==CEL&type=Room'), [], 'in q, a dotted path is a key inside the value, not a metadata');
    assert.deepEqual(await ids('mq=temperature.accuracy==0.5&type=Room'), ['Room1', 'Room2', 'Room3', 'Room4']);
    assert.deepEqual(await ids('mq=temperature.unitCode==CEL'), ['Room1', 'Room2', 'Room3', 'Room4']);
    assert.deepEqual(await ids('q=flag'), ['urn:ngsi-ld:Sensor:s1']);
    assert.deepEqual(await ids('q=info.a==2'), ['urn:ngsi-ld:Sensor:s1']);
    assert.deepEqual(await ids('id=Room1,Room3'), ['Room1', 'Room3']);
    assert.deepEqual(await ids('idPattern=^Room[12]$'), ['Room1', 'Room2']);
    assert.deepEqual(await ids('type=Room,Sensor&q=temperature>100'), []);
    assert.deepEqual(await ids('georel=near;maxDistance:1000&geometry=point&coords=51.538,7.22'), ['urn:ngsi-ld:Sensor:s1']);
    assert.deepEqual(await ids('georel=near;maxDistance:10&geometry=point&coords=51.6,7.22'), []);
    const page = await inject({ method: 'GET', url: '/v2/entities?type=Room&limit=2&offset=1&options=count,keyValues&attrs=temperature' });
    assert.equal(page.headers['fiware-total-count'], '5');
    const body = page.json();
    assert.equal(body.length, 2);
    assert.deepEqual(Object.keys(body[0]), ['id', 'type', 'temperature']);
    const all = await inject({ method: 'GET', url: '/v2/entities' });
    assert.equal(all.json().length, 6, 'no restriction lists every entity (v2 allows it)');
  });

  test('query errors are 400 BadRequest; unsupported parameters 501 NotImplemented', async () => {
    for (const qs of ['limit=0', 'limit=abc', 'options=bogus', 'foo=1', 'q=temperature>1..2', "q=name=='open", 'id=a&idPattern=b', 'q=!temperature', 'georel=near&geometry=point']) {
      const r = await inject({ method: 'GET', url: `/v2/entities?${qs}` });
      assert.equal(r.statusCode, 400, `${qs}: ${r.body}`);
      assert.equal(r.json().error, 'BadRequest', qs);
      assert.equal(typeof r.json().description, 'string');
    }
    for (const qs of ['orderBy=temperature', 'typePattern=R.*']) {
      const r = await inject({ method: 'GET', url: `/v2/entities?${qs}` });
      assert.equal(r.statusCode, 501, qs);
      assert.equal(r.json().error, 'NotImplemented');
    }
    const nf = await inject({ method: 'GET', url: '/v2/nothing' });
    assert.equal(nf.statusCode, 400);
    assert.equal(nf.json().error, 'BadRequest');
  });

  test('attrs endpoints: POST appends (and options=append refuses existing ones), PATCH updates existing only, PUT replaces all', async () => {
    let r = await inject({ method: 'POST', url: '/v2/entities/Room2/attrs', payload: { humidity: { type: 'Number', value: 40 }, temperature: { type: 'Number', value: 19 } } });
    assert.equal(r.statusCode, 204, r.body);
    assert.deepEqual((await inject({ method: 'GET', url: '/v2/entities/Room2/attrs?options=keyValues' })).json(), { temperature: 19, name: 'Room Room2', humidity: 40 });
    r = await inject({ method: 'POST', url: '/v2/entities/Room2/attrs?options=append', payload: { humidity: { value: 41 } } });
    assert.equal(r.statusCode, 422);
    assert.equal(r.json().error, 'Unprocessable');
    r = await inject({ method: 'PATCH', url: '/v2/entities/Room2/attrs?options=keyValues', payload: { humidity: 42 } });
    assert.equal(r.statusCode, 204, r.body);
    r = await inject({ method: 'PATCH', url: '/v2/entities/Room2/attrs', payload: { pressure: { value: 1 } } });
    assert.equal(r.statusCode, 422);
    assert.equal(r.json().error, 'Unprocessable');
    r = await inject({ method: 'PATCH', url: '/v2/entities/Room2/attrs', payload: { humidity: { value: 43 }, pressure: { value: 1 } } });
    assert.equal(r.statusCode, 422);
    assert.equal(r.json().error, 'PartialUpdate');
    assert.equal((await inject({ method: 'GET', url: '/v2/entities/Room2/attrs/humidity/value' })).body, '43');
    r = await inject({ method: 'PUT', url: '/v2/entities/Room2/attrs', payload: { co2: { type: 'Number', value: 400 } } });
    assert.equal(r.statusCode, 204, r.body);
    assert.deepEqual((await inject({ method: 'GET', url: '/v2/entities/Room2?options=keyValues' })).json(), { id: 'Room2', type: 'Room', co2: 400 });
    r = await inject({ method: 'PATCH', url: '/v2/entities/Nope/attrs', payload: { a: { value: 1 } } });
    assert.equal(r.statusCode, 404);
    r = await inject({ method: 'POST', url: '/v2/entities/Room2/attrs', headers: { 'content-type': 'text/plain' }, payload: 'x' });
    assert.equal(r.statusCode, 415);
    assert.equal(r.json().error, 'UnsupportedMediaType');
    r = await inject({ method: 'POST', url: '/v2/entities/Room2/attrs', headers: J, payload: '{bad' });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error, 'ParseError');
  });

  test('single attribute and value endpoints (GET, PUT, DELETE; text/plain values)', async () => {
    let r = await inject({ method: 'GET', url: '/v2/entities/Room1/attrs/temperature' });
    assert.deepEqual(r.json(), { type: 'Number', value: 23, metadata: { unitCode: { type: 'Text', value: 'CEL' }, accuracy: { type: 'Number', value: 0.5 } } });
    r = await inject({ method: 'PUT', url: '/v2/entities/Room1/attrs/temperature', payload: { type: 'Number', value: 24 } });
    assert.equal(r.statusCode, 204, r.body);
    assert.deepEqual((await inject({ method: 'GET', url: '/v2/entities/Room1/attrs/temperature' })).json(), { type: 'Number', value: 24, metadata: {} });
    r = await inject({ method: 'PUT', url: '/v2/entities/Room1/attrs/temperature/value', headers: { 'content-type': 'text/plain' }, payload: '25.5' });
    assert.equal(r.statusCode, 204, r.body);
    r = await inject({ method: 'GET', url: '/v2/entities/Room1/attrs/temperature/value', headers: { accept: 'text/plain' } });
    assert.equal(r.body, '25.5');
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    r = await inject({ method: 'PUT', url: '/v2/entities/Room1/attrs/name/value', headers: { 'content-type': 'text/plain' }, payload: '"Kitchen"' });
    assert.equal(r.statusCode, 204);
    assert.equal((await inject({ method: 'GET', url: '/v2/entities/Room1/attrs/name/value' })).body, '"Kitchen"');
    r = await inject({ method: 'PUT', url: '/v2/entities/Room1/attrs/name/value', payload: { first: 'a' } });
    assert.equal(r.statusCode, 204);
    assert.deepEqual((await inject({ method: 'GET', url: '/v2/entities/Room1/attrs/name/value', headers: { accept: 'application/json' } })).json(), { first: 'a' });
    r = await inject({ method: 'GET', url: '/v2/entities/Room1/attrs/temperature/value', headers: { accept: 'application/json' } });
    assert.equal(r.statusCode, 406);
    r = await inject({ method: 'GET', url: '/v2/entities/Room1/attrs/nope' });
    assert.equal(r.statusCode, 404);
    assert.deepEqual(r.json(), { error: 'NotFound', description: 'The entity does not have such an attribute' });
    r = await inject({ method: 'DELETE', url: '/v2/entities/Room1/attrs/name' });
    assert.equal(r.statusCode, 204);
    assert.equal((await inject({ method: 'GET', url: '/v2/entities/Room1/attrs/name' })).statusCode, 404);
  });

  test('GET /v2/types and /v2/types/{type}', async () => {
    const r = await inject({ method: 'GET', url: '/v2/types?options=count' });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['fiware-total-count'], '2');
    const types = r.json() as Array<{ type: string; count: number; attrs: Record<string, { types: string[] }> }>;
    assert.deepEqual(types.map((x) => x.type), ['Room', 'Sensor']);
    assert.equal(types[0].count, 5);
    assert.deepEqual(types[1].attrs.location.types, ['geo:json']);
    assert.deepEqual((await inject({ method: 'GET', url: '/v2/types?options=values' })).json(), ['Room', 'Sensor']);
    const one = await inject({ method: 'GET', url: '/v2/types/Sensor' });
    assert.equal(one.json().count, 1);
    assert.equal((await inject({ method: 'GET', url: '/v2/types/Nope' })).statusCode, 404);
  });

  test('options=upsert creates and then updates, 204 both times as in Orion; DELETE removes (204, then 404)', async () => {
    let r = await inject({ method: 'POST', url: '/v2/entities?options=upsert,keyValues', payload: { id: 'Up1', type: 'Thing', a: 1 } });
    assert.equal(r.statusCode, 204, r.body);
    r = await inject({ method: 'POST', url: '/v2/entities?options=upsert,keyValues', payload: { id: 'Up1', type: 'Thing', b: 2 } });
    assert.equal(r.statusCode, 204, r.body);
    assert.deepEqual((await inject({ method: 'GET', url: '/v2/entities/Up1?options=keyValues' })).json(), { id: 'Up1', type: 'Thing', a: 1, b: 2 });
    assert.equal((await inject({ method: 'DELETE', url: '/v2/entities/Up1' })).statusCode, 204);
    assert.equal((await inject({ method: 'DELETE', url: '/v2/entities/Up1' })).statusCode, 404);
    r = await inject({ method: 'POST', url: '/v2/entities', payload: { type: 'Room' } });
    assert.equal(r.statusCode, 400);
    r = await inject({ method: 'POST', url: '/v2/entities', payload: { id: 'has space', type: 'Room' } });
    assert.equal(r.statusCode, 400);
    r = await inject({ method: 'POST', url: '/v2/entities?options=keyValues', payload: { id: 'NoType' } });
    assert.equal(r.statusCode, 201);
    assert.equal(r.headers.location, '/v2/entities/NoType?type=Thing');
  });
});

describe('NGSIv2 batch operations', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.close(); });
  const op = (payload: unknown, qs = '') => t.app.inject({ method: 'POST', url: `/v2/op/update${qs}`, headers: J, payload: payload as string });
  const kv = async (id: string) => (await t.app.inject({ method: 'GET', url: `/v2/entities/${id}?options=keyValues` }));

  test('append creates and merges, appendStrict refuses existing attributes, update needs existing ones, replace, delete attrs and entities', async () => {
    let r = await op({ actionType: 'append', entities: [{ id: 'B1', type: 'T', a: { value: 1 } }, { id: 'B2', type: 'T', a: { value: 2 } }] });
    assert.equal(r.statusCode, 204, r.body);
    r = await op({ actionType: 'append', entities: [{ id: 'B1', type: 'T', b: 10 }] }, '?options=keyValues');
    assert.equal(r.statusCode, 204, r.body);
    assert.deepEqual((await kv('B1')).json(), { id: 'B1', type: 'T', a: 1, b: 10 });
    r = await op({ actionType: 'appendStrict', entities: [{ id: 'B1', type: 'T', a: { value: 5 } }] });
    assert.equal(r.statusCode, 422, r.body);
    r = await op({ actionType: 'appendStrict', entities: [{ id: 'B3', type: 'T', c: { value: 3 } }] });
    assert.equal(r.statusCode, 204);
    r = await op({ actionType: 'update', entities: [{ id: 'B1', type: 'T', a: { value: 100 } }] });
    assert.equal(r.statusCode, 204, r.body);
    r = await op({ actionType: 'update', entities: [{ id: 'Nope', type: 'T', a: { value: 100 } }] });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().error, 'NotFound');
    r = await op({ actionType: 'update', entities: [{ id: 'B1', type: 'T', a: { value: 7 } }, { id: 'Nope', type: 'T', a: { value: 1 } }] });
    assert.equal(r.statusCode, 422);
    assert.equal(r.json().error, 'PartialUpdate');
    assert.equal((await kv('B1')).json().a, 7, 'the entities that could be updated are');
    r = await op({ actionType: 'replace', entities: [{ id: 'B2', type: 'T', z: { value: 26 } }] });
    assert.equal(r.statusCode, 204);
    assert.deepEqual((await kv('B2')).json(), { id: 'B2', type: 'T', z: 26 });
    r = await op({ actionType: 'delete', entities: [{ id: 'B1', type: 'T', b: {} }, { id: 'B3' }] });
    assert.equal(r.statusCode, 204, r.body);
    assert.deepEqual((await kv('B1')).json(), { id: 'B1', type: 'T', a: 7 });
    assert.equal((await kv('B3')).statusCode, 404);
    for (const bad of [{ actionType: 'explode', entities: [{ id: 'x' }] }, { actionType: 'append', entities: [] }, { actionType: 'append' }]) {
      r = await op(bad);
      assert.equal(r.statusCode, 400, JSON.stringify(bad));
      assert.equal(r.json().error, 'BadRequest');
    }
  });

  test('POST /v2/op/query: entities selectors, attrs, expression.q, options=count,keyValues', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v2/op/query?options=count,keyValues', headers: J, payload: { entities: [{ idPattern: '^B', type: 'T' }], attrs: ['a'], expression: { q: 'a>5' } } as unknown as string });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['fiware-total-count'], '1');
    assert.deepEqual(r.json(), [{ id: 'B1', type: 'T', a: 7 }]);
    const two = await t.app.inject({ method: 'POST', url: '/v2/op/query?options=keyValues', headers: J, payload: { entities: [{ id: 'B1' }, { id: 'B2', type: 'T' }] } as unknown as string });
    assert.deepEqual((two.json() as Array<{ id: string }>).map((e) => e.id).sort(), ['B1', 'B2']);
    const bad = await t.app.inject({ method: 'POST', url: '/v2/op/query', headers: J, payload: { entities: [{ typePattern: '.*' }] } as unknown as string });
    assert.equal(bad.statusCode, 501);
  });
});

describe('NGSIv2 tenancy and service paths', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.close(); });
  const h = (service: string, path?: string) => ({ ...J, 'fiware-service': service, ...(path ? { 'fiware-servicepath': path } : {}) });

  test('Fiware-Service is the tenant; Fiware-ServicePath the NGSI-LD scope; queries by path, /# and lists', async () => {
    for (const [id, path] of [['P1', '/Herne/Wanne'], ['P2', '/Herne/Mitte'], ['P3', '/Bochum'], ['P4', undefined]] as const) {
      const r = await t.app.inject({ method: 'POST', url: '/v2/entities?options=keyValues', headers: h('city', path), payload: { id, type: 'Lamp', on: true } as unknown as string });
      assert.equal(r.statusCode, 201, r.body);
    }
    const ids = async (path?: string) => ((await t.app.inject({ method: 'GET', url: '/v2/entities?type=Lamp', headers: h('city', path) })).json() as Array<{ id: string }>).map((e) => e.id).sort();
    assert.deepEqual(await ids('/Herne/Wanne'), ['P1']);
    assert.deepEqual(await ids('/Herne/#'), ['P1', 'P2']);
    assert.deepEqual(await ids('/Herne/Wanne, /Bochum'), ['P1', 'P3']);
    assert.deepEqual(await ids('/#'), ['P1', 'P2', 'P3', 'P4']);
    assert.deepEqual(await ids(), ['P1', 'P2', 'P3', 'P4']);
    // The same entity over NGSI-LD: the tenant and the scope.
    const ld = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Lamp&scopeQ=/Herne/%23', headers: { 'ngsild-tenant': 'city' } });
    assert.deepEqual((ld.json() as Array<{ id: string; scope: string }>).map((e) => [e.id, e.scope]).sort(), [['P1', '/Herne/Wanne'], ['P2', '/Herne/Mitte']]);
    // Another tenant sees nothing; the default tenant neither.
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/v2/entities?type=Lamp', headers: h('other') })).json(), []);
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/v2/entities?type=Lamp' })).json(), []);
    // An entity outside the request's path is not found by id.
    assert.equal((await t.app.inject({ method: 'GET', url: '/v2/entities/P1', headers: h('city', '/Bochum') })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v2/entities/P1', headers: h('city', '/Herne/Wanne') })).statusCode, 200);
  });

  test('invalid Fiware-Service or Fiware-ServicePath is 400 BadRequest', async () => {
    for (const headers of [h('bad service'), h('city', 'relative'), h('city', '/a/#/b'), h('city', '/has space')]) {
      const r = await t.app.inject({ method: 'GET', url: '/v2/entities', headers });
      assert.equal(r.statusCode, 400, JSON.stringify(headers));
      assert.equal(r.json().error, 'BadRequest');
    }
    const w = await t.app.inject({ method: 'POST', url: '/v2/entities', headers: h('city', '/a/#'), payload: { id: 'X', type: 'Lamp' } as unknown as string });
    assert.equal(w.statusCode, 400);
  });
});
