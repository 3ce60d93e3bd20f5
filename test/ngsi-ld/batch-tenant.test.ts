// Batch operations (clause 6.14 – 6.17) and multi-tenancy (clause 4.14) over HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp, JSON_HEADERS, CORE } from '../support/app.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const ent = (id: string, v = 1) => ({ id, type: 'Meter', power: { type: 'Property', value: v } });

describe('batch operations', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.close(); });
  const post = (op: string, payload: unknown, qs = '', headers: Record<string, string> = JSON_HEADERS) =>
    t.app.inject({ method: 'POST', url: `/ngsi-ld/v1/entityOperations/${op}${qs}`, headers, payload: payload as object });
  const get = async (id: string) => (await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${id}?options=keyValues` }));

  test('[6.14.3.1] create: 201 with ids; 207 reports per-entity errors and keeps the good ones', async () => {
    const r = await post('create', [ent('urn:m:1'), ent('urn:m:2')]);
    assert.equal(r.statusCode, 201, r.body);
    assert.deepEqual(r.json(), ['urn:m:1', 'urn:m:2']);
    const p = await post('create', [ent('urn:m:1'), ent('urn:m:3'), { id: 'bad id', type: 'Meter' }]);
    assert.equal(p.statusCode, 207);
    const body = p.json();
    assert.deepEqual(body.success, ['urn:m:3']);
    assert.equal(body.errors.length, 2);
    assert.equal(body.errors[0].entityId, 'urn:m:1');
    assert.equal(body.errors[0].error.type, ETSI + 'AlreadyExists');
    assert.equal(body.errors[1].error.type, ETSI + 'BadRequestData');
    assert.equal((await get('urn:m:3')).statusCode, 200);
  });

  test('[6.15.3.1] upsert: 201 lists only created ids, 204 when all existed; trailing slash works', async () => {
    const r = await post('upsert/', [ent('urn:m:1', 5), ent('urn:m:4', 5)], '?options=update');
    assert.equal(r.statusCode, 201, r.body);
    assert.deepEqual(r.json(), ['urn:m:4']);
    const again = await post('upsert', [ent('urn:m:1', 6)]);
    assert.equal(again.statusCode, 204);
    assert.equal((await get('urn:m:1')).json().power, 6);
  });

  test('[6.15.3.1] upsert with options=update merges attributes; replace drops others', async () => {
    await post('upsert', [{ id: 'urn:m:1', type: 'Meter', voltage: 230 }], '?options=update');
    let e = (await get('urn:m:1')).json();
    assert.equal(e.power, 6);
    assert.equal(e.voltage, 230);
    await post('upsert', [{ id: 'urn:m:1', type: 'Meter', voltage: 231 }], '?options=replace');
    e = (await get('urn:m:1')).json();
    assert.equal(e.power, undefined);
    assert.equal(e.voltage, 231);
  });

  test('[6.16.3.1] update: noOverwrite keeps existing attributes; missing entities are reported', async () => {
    const r = await post('update', [{ id: 'urn:m:2', power: 9, extra: 1 }, { id: 'urn:m:404', power: 1 }], '?options=noOverwrite');
    assert.equal(r.statusCode, 207, r.body);
    assert.deepEqual(r.json().success, ['urn:m:2']);
    assert.equal(r.json().errors[0].error.type, ETSI + 'ResourceNotFound');
    const e = (await get('urn:m:2')).json();
    assert.equal(e.power, 1);
    assert.equal(e.extra, 1);
  });

  test('[6.14] a failed entity in a batch leaves no half-written entity', async () => {
    const r = await post('upsert', [
      { id: 'urn:m:half', type: 'Meter', good: 1, location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [999, 0] } } },
    ], '?options=update');
    assert.equal(r.statusCode, 207);
    assert.equal((await get('urn:m:half')).statusCode, 404);
  });

  test('[6.17.3.1] delete: 204, then 207 for ids that are gone', async () => {
    assert.equal((await post('delete', ['urn:m:3'])).statusCode, 204);
    const r = await post('delete', ['urn:m:3', 'urn:m:4']);
    assert.equal(r.statusCode, 207);
    assert.deepEqual(r.json().success, ['urn:m:4']);
  });

  test('[6.14] bodies that are not arrays are rejected', async () => {
    const r = await post('create', { id: 'urn:m:x' });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().type, ETSI + 'BadRequestData');
  });

  test('IoT Agent style: ld+json upsert with inline core @context and a trailing slash', async () => {
    const r = await post('upsert/', [{ '@context': CORE, id: 'urn:ngsi-ld:Device:iota1', type: 'Device', temperature: { type: 'Property', value: 20, observedAt: '2026-11-26T10:00:00.000Z' } }],
      '?options=update', { 'content-type': 'application/ld+json', 'ngsild-tenant': 'iota' });
    assert.equal(r.statusCode, 201, r.body);
    const g = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Device:iota1', headers: { 'ngsild-tenant': 'iota' } });
    assert.equal(g.json().temperature.value, 20);
  });
});

describe('multi-tenancy', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.close(); });

  test('[4.14] data of one tenant is never visible to another', async () => {
    const mk = (tenant: string | undefined, id: string) => t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { ...JSON_HEADERS, ...(tenant ? { 'ngsild-tenant': tenant } : {}) }, payload: ent(id) });
    assert.equal((await mk('stadtwerke', 'urn:m:t1')).statusCode, 201);
    assert.equal((await mk(undefined, 'urn:m:t2')).statusCode, 201);
    assert.equal((await mk('city', 'urn:m:t1')).statusCode, 201, 'the same id may exist in another tenant');
    const q = async (tenant?: string) => (await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Meter', headers: tenant ? { 'ngsild-tenant': tenant } : {} })).json().map((e: { id: string }) => e.id);
    assert.deepEqual(await q('stadtwerke'), ['urn:m:t1']);
    assert.deepEqual(await q(), ['urn:m:t2']);
    const cross = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:m:t2', headers: { 'ngsild-tenant': 'stadtwerke' } });
    assert.equal(cross.statusCode, 404);
    const del = await t.app.inject({ method: 'DELETE', url: '/ngsi-ld/v1/entities/urn:m:t1', headers: { 'ngsild-tenant': 'city' } });
    assert.equal(del.statusCode, 204);
    assert.deepEqual(await q('stadtwerke'), ['urn:m:t1']);
    const types = (await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types', headers: { 'ngsild-tenant': 'city' } })).json();
    assert.deepEqual(types.typeList, []);
  });

  test('[4.14] reading a tenant that does not exist gives 404 NonexistentTenant', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Meter', headers: { 'ngsild-tenant': 'nobody' } });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().type, ETSI + 'NonexistentTenant');
  });

  test('[4.14] a malformed tenant name is rejected', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Meter', headers: { 'ngsild-tenant': '../etc' } });
    assert.equal(r.statusCode, 400);
  });
});

test('?tenant=… is an unknown parameter (400 InvalidRequest, clause 5.5.2) whose detail says to send the NGSILD-Tenant header', async () => {
  const t = await testApp();
  try {
    for (const url of ['/ngsi-ld/v1/entities?type=Bench&tenant=herne', '/ngsi-ld/v1/types?tenant=herne', '/ngsi-ld/v1/entities?type=Bench&NGSILD-Tenant=herne']) {
      const r = await t.app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 400, url);
      const p = r.json() as { type: string; detail: string };
      assert.equal(p.type, 'https://uri.etsi.org/ngsi-ld/errors/InvalidRequest');
      assert.match(p.detail, /NGSILD-Tenant header/, url);
    }
    const other = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Bench&colour=red' });
    assert.doesNotMatch(other.json().detail, /NGSILD-Tenant/, 'no tenant hint for other unknown parameters');
  } finally { await t.close(); }
});
