// HTTP tests of linked-entity retrieval (ETSI GS CIM 009 v1.9.1 clause 4.5.23; join, joinLevel,
// containedBy; nested pick/omit of clause 4.21), issue #14 part 4. Runs on SQLite, and on
// PostgreSQL with TEST_ENGINE=postgres TEST_PG_URL=….
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp, JSON_HEADERS } from '../support/app.ts';
import { authApp, type AuthApp } from '../auth/auth-support.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const E = '/ngsi-ld/v1/entities';
const OPS = '/ngsi-ld/v1/entityOperations';
const B1 = 'urn:ngsi-ld:Building:1';
const P1 = 'urn:ngsi-ld:Person:1';
const C1 = 'urn:ngsi-ld:Company:1';
const D1 = 'urn:ngsi-ld:District:1';
const rel = (object: string) => ({ type: 'Relationship', object });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('conformance: linked-entity retrieval (clause 4.5.23)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    const r = await t.app.inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: [
      { id: B1, type: 'Building', name: 'Rathaus', owner: rel(P1), district: rel(D1), missing: rel('urn:ngsi-ld:Person:none') },
      { id: 'urn:ngsi-ld:Building:2', type: 'Building', name: 'Bad', owner: rel(P1) },
      { id: P1, type: 'Person', name: 'Anna', age: 41, employer: rel(C1) },
      { id: C1, type: 'Company', name: 'Stadtwerke', ceo: rel(P1) },
      { id: D1, type: 'District', name: 'Mitte' },
    ] });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await t.close(); });
  const get = async (url: string, status = 200): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await t.app.inject({ method: 'GET', url });
    assert.equal(r.statusCode, status, `${url}: ${r.body}`);
    return r.json();
  };

  test('[4.5.23] join=inline on retrieve: the linked entity under `entity` of the Relationship, one level by default; missing targets stay plain', async () => {
    const b = await get(`${E}/${B1}?join=inline`) as Json;
    assert.equal(b.owner.type, 'Relationship');
    assert.equal(b.owner.object, P1, 'the object stays');
    assert.equal(b.owner.entity.id, P1);
    assert.equal(b.owner.entity.name.value, 'Anna');
    assert.equal(b.district.entity.name.value, 'Mitte');
    assert.equal(b.owner.entity.employer.object, C1);
    assert.equal(b.owner.entity.employer.entity, undefined, 'joinLevel defaults to 1');
    assert.equal(b.missing.entity, undefined, 'an absent target is not joined');
    const plain = await get(`${E}/${B1}`) as Json;
    assert.equal(plain.owner.entity, undefined, 'without join the answer is unchanged');

    const kv = await get(`${E}/${B1}?join=inline&options=keyValues`) as Json;
    assert.equal(kv.owner.id, P1, 'keyValues: the linked entity in place of the id');
    assert.equal(kv.owner.name, 'Anna');
    assert.equal(kv.missing, 'urn:ngsi-ld:Person:none');
    const concise = await get(`${E}/${B1}?join=inline&options=concise`) as Json;
    assert.equal(concise.owner.object, P1);
    assert.equal(concise.owner.entity.name, 'Anna');
  });

  test('[4.5.23] joinLevel follows Relationships deeper; an entity met at a shallower depth is shown but not expanded again (cycles end)', async () => {
    const two = await get(`${E}/${B1}?join=inline&joinLevel=2`) as Json;
    assert.equal(two.owner.entity.employer.entity.name.value, 'Stadtwerke');
    assert.equal(two.owner.entity.employer.entity.ceo.entity, undefined);
    const five = await get(`${E}/${B1}?join=inline&joinLevel=5`) as Json;
    const ceo = five.owner.entity.employer.entity.ceo;
    assert.equal(ceo.entity.id, P1, 'Person:1 again at depth 3');
    assert.equal(ceo.entity.employer.entity, undefined, 'first met at depth 1: not expanded at depth 3');
    const contained = await get(`${E}/${B1}?join=inline&joinLevel=3&containedBy=${P1}`) as Json;
    assert.equal(contained.owner.entity.id, P1, 'an entity in containedBy is shown');
    assert.equal(contained.owner.entity.employer.entity, undefined, '… but its links are not followed');
  });

  test('[4.5.23] join=flat: retrieve answers an array of the entity and its linked entities, each once; Relationships stay plain', async () => {
    const one = await get(`${E}/${B1}?join=flat`) as Json[];
    assert.ok(Array.isArray(one));
    assert.equal(one[0].id, B1);
    assert.equal(one[0].owner.entity, undefined);
    assert.deepEqual(one.slice(1).map((e) => e.id).sort(), [D1, P1]);
    const two = await get(`${E}/${B1}?join=flat&joinLevel=2`) as Json[];
    assert.deepEqual(two.map((e) => e.id).sort(), [B1, C1, D1, P1]);
    const three = await get(`${E}/${B1}?join=flat&joinLevel=3`) as Json[];
    assert.equal(three.length, 4, 'Person:1 reached twice is listed once');
  });

  test('[4.5.23, 6.4.3.2, 6.23.3.1] join on query by GET and POST: inline per entity; flat appends each linked entity once after the page; the count counts the page only', async () => {
    const inline = await get(`${E}?type=Building&join=inline`) as Json[];
    assert.equal(inline.length, 2);
    for (const b of inline) assert.equal(b.owner.entity.name.value, 'Anna');
    const r = await t.app.inject({ method: 'GET', url: `${E}?type=Building&join=flat&count=true` });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['ngsild-results-count'], '2');
    const flat = r.json() as Json[];
    assert.deepEqual(flat.slice(0, 2).map((e) => e.id).sort(), [B1, 'urn:ngsi-ld:Building:2']);
    assert.deepEqual(flat.slice(2).map((e) => e.id).sort(), [D1, P1]);
    const post = await t.app.inject({ method: 'POST', url: `${OPS}/query`, headers: JSON_HEADERS, payload: { type: 'Query', entities: [{ type: 'Building' }], join: 'inline', joinLevel: 2 } });
    assert.equal(post.statusCode, 200, post.body);
    for (const b of post.json() as Json[]) assert.equal(b.owner.entity.employer.entity.name.value, 'Stadtwerke');
    const postUrl = await t.app.inject({ method: 'POST', url: `${OPS}/query?join=flat`, headers: JSON_HEADERS, payload: { type: 'Query', entities: [{ id: B1, type: 'Building' }] } });
    assert.equal(postUrl.statusCode, 200, postUrl.body);
    assert.deepEqual((postUrl.json() as Json[]).map((e) => e.id).sort(), [B1, D1, P1]);
    const geo = await t.app.inject({ method: 'GET', url: `${E}?type=Building&id=${B1}&join=inline`, headers: { accept: 'application/geo+json' } });
    assert.equal(geo.statusCode, 200, geo.body);
    assert.equal(geo.json().features[0].properties.owner.entity.id, P1);
  });

  test('[4.21] nested projections pick=a{b} and omit=a{b} project the linked entity; without join they are InvalidRequest', async () => {
    const b = await get(`${E}/${B1}?join=inline&pick=${encodeURIComponent('name,owner{name|employer{name}}')}&joinLevel=2`) as Json;
    assert.deepEqual(Object.keys(b).sort(), ['name', 'owner']);
    assert.deepEqual(Object.keys(b.owner.entity).sort(), ['employer', 'name']);
    assert.deepEqual(Object.keys(b.owner.entity.employer.entity), ['name']);
    const o = await get(`${E}/${B1}?join=inline&omit=${encodeURIComponent('district,owner{age,employer}')}`) as Json;
    assert.equal(o.district, undefined);
    assert.equal(o.owner.object, P1, 'omit=owner{…} keeps owner itself');
    assert.deepEqual(Object.keys(o.owner.entity).sort(), ['id', 'name', 'type']);
    const flat = await get(`${E}/${B1}?join=flat&pick=${encodeURIComponent('id,owner{id,age}')}`) as Json[];
    assert.deepEqual(flat, [{ id: B1, owner: { type: 'Relationship', object: P1 } }, { id: P1, age: { type: 'Property', value: 41 } }], 'only the picked Relationship is followed');
    const bad = await get(`${E}/${B1}?pick=${encodeURIComponent('owner{name}')}`, 400);
    assert.equal(bad.type, `${ETSI}InvalidRequest`);
    const unclosed = await get(`${E}/${B1}?join=inline&pick=${encodeURIComponent('owner{name')}`, 400);
    assert.equal(unclosed.type, `${ETSI}InvalidRequest`);
  });

  test('[4.5.23] invalid join, joinLevel, containedBy are 400 BadRequestData; join=@none answers without linked entities; entityMap stays not supported', async () => {
    for (const qs of ['join=deep', 'join=inline&joinLevel=0', 'join=inline&joinLevel=x', 'join=inline&joinLevel=11', 'joinLevel=2', 'containedBy=urn:ngsi-ld:X:1', 'join=flat&containedBy=no%20uri']) {
      const r = await get(`${E}/${B1}?${qs}`, 400);
      assert.equal(r.type, `${ETSI}BadRequestData`, qs);
    }
    const none = await get(`${E}/${B1}?join=@none`) as Json;
    assert.equal(none.owner.entity, undefined);
    const map = await t.app.inject({ method: 'GET', url: `${E}?type=Building&entityMap=true` });
    assert.equal(map.json().type, `${ETSI}OperationNotSupported`);
  });
});

describe('conformance: linked-entity retrieval under access control (clause 4.5.23, docs/security.md)', () => {
  let t: AuthApp;
  let insider: string;
  before(async () => {
    t = await authApp({ tenants: { '': { types: { Secret: { read: ['key:insider'], write: ['key:insider'] } } } } });
    insider = await t.key({ name: 'insider', roles: ['steward'] });
    const r = await t.app.inject({ method: 'POST', url: `${OPS}/create`, headers: { ...JSON_HEADERS, 'x-api-key': insider }, payload: [
      { id: 'urn:ngsi-ld:Box:1', type: 'Box', content: rel('urn:ngsi-ld:Secret:1'), label: rel('urn:ngsi-ld:Label:1') },
      { id: 'urn:ngsi-ld:Secret:1', type: 'Secret', code: 1234 },
      { id: 'urn:ngsi-ld:Label:1', type: 'Label', text: 'fragile' },
    ] });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await t.close(); });

  test('[4.5.23] only linked entities the caller may read are joined', async () => {
    const anon = await t.app.inject({ method: 'GET', url: `${E}/urn:ngsi-ld:Box:1?join=inline` });
    assert.equal(anon.statusCode, 200, anon.body);
    assert.equal(anon.json().content.entity, undefined, 'Secret is not readable anonymously');
    assert.equal(anon.json().label.entity.text.value, 'fragile');
    const flat = await t.app.inject({ method: 'GET', url: `${E}?type=Box&join=flat` });
    assert.deepEqual((flat.json() as Json[]).map((e) => e.id).sort(), ['urn:ngsi-ld:Box:1', 'urn:ngsi-ld:Label:1']);
    const own = await t.app.inject({ method: 'GET', url: `${E}/urn:ngsi-ld:Box:1?join=inline`, headers: { 'x-api-key': insider } });
    assert.equal(own.json().content.entity.code.value, 1234);
  });
});
