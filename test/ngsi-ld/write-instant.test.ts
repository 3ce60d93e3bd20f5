// One write, one instant (issue #19): the entity's and its attributes' modifiedAt (and the history)
// carry the same time, also when the clock moves between parsing a request and writing it; and a
// batch still answers per entity, storing the entities that did not fail. Runs on the engine of
// TEST_ENGINE (sqlite by default; postgres with TEST_PG_URL).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { testApp, type TestApp, JSON_HEADERS, TEST_ENGINE } from '../support/app.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';

/** A clock one millisecond later on every reading: any second reading of it within a write shows. */
function tickingClock(start: string) {
  let t = Date.parse(start);
  return { now: () => new Date(t++) };
}

const meter = (id: string, v: number) => ({
  id, type: 'Meter',
  power: { type: 'Property', value: v, unitCode: 'KWT' },
  state: { type: 'Property', value: v > 5 ? 'on' : 'off' },
  site: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.22, 51.54] } },
});

describe('one instant per write', () => {
  let t: TestApp;
  before(async () => { t = await testApp({}, { clock: tickingClock('2026-12-06T10:00:00.000Z') }); });
  after(async () => { await t.close(); });
  const post = (op: string, payload: unknown, qs = '') =>
    t.app.inject({ method: 'POST', url: `/ngsi-ld/v1/entityOperations/${op}${qs}`, headers: JSON_HEADERS, payload: payload as object });
  const read = async (id: string) => {
    const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${id}?options=sysAttrs` });
    assert.equal(r.statusCode, 200, r.body);
    return r.json() as Record<string, { modifiedAt?: string; createdAt?: string; value?: unknown }> & { modifiedAt: string; createdAt: string };
  };
  const attrTimes = (e: Record<string, unknown>) =>
    ['power', 'state', 'site'].map((a) => (e[a] as { modifiedAt: string }).modifiedAt);

  test('[6.15.3.1] batch upsert: entity and attributes have one modifiedAt on create and on update', async () => {
    assert.equal((await post('upsert', [meter('urn:i:1', 1)], '?options=update')).statusCode, 201);
    const created = await read('urn:i:1');
    assert.equal(created.createdAt, created.modifiedAt);
    assert.deepEqual(attrTimes(created), [created.modifiedAt, created.modifiedAt, created.modifiedAt]);
    assert.equal((await post('upsert', [meter('urn:i:1', 7)], '?options=update')).statusCode, 204);
    const updated = await read('urn:i:1');
    assert.ok(updated.modifiedAt > created.modifiedAt, 'the update is later');
    assert.equal(updated.power.value, 7);
    assert.deepEqual(attrTimes(updated), [updated.modifiedAt, updated.modifiedAt, updated.modifiedAt]);
    assert.equal(updated.power.createdAt, created.createdAt, 'createdAt of the attribute is kept');
  });

  test('[6.15.3.1] batch upsert without options (replace): an attribute that existed keeps its createdAt; all carry the write instant', async () => {
    const before = await read('urn:i:1');
    assert.equal((await post('upsert', [meter('urn:i:1', 8)])).statusCode, 204);
    const e = await read('urn:i:1');
    assert.equal(e.power.value, 8);
    assert.equal(e.power.createdAt, before.power.createdAt);
    assert.equal(e.createdAt, before.createdAt);
    assert.deepEqual(attrTimes(e), [e.modifiedAt, e.modifiedAt, e.modifiedAt]);
  });

  test('[6.6.3.2] PATCH /attrs: the written attribute has the entity modifiedAt; the others keep theirs', async () => {
    const before = await read('urn:i:1');
    const r = await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:i:1/attrs', headers: JSON_HEADERS, payload: { power: { type: 'Property', value: 9 } } });
    assert.equal(r.statusCode, 204, r.body);
    const e = await read('urn:i:1');
    assert.ok(e.modifiedAt > before.modifiedAt);
    assert.equal(e.power.modifiedAt, e.modifiedAt);
    assert.equal(e.state.modifiedAt, before.state.modifiedAt);
  });

  test('[6.15.3.1] the history of an upsert is recorded at the write instant', async () => {
    assert.equal((await post('upsert', [meter('urn:i:2', 3)], '?options=update')).statusCode, 201);
    const e = await read('urn:i:2');
    const h = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/temporal/entities/urn:i:2?attrs=power&options=sysAttrs' });
    assert.equal(h.statusCode, 200, h.body);
    const inst = (h.json() as { power: Array<{ modifiedAt: string }> | { modifiedAt: string } }).power;
    const list = Array.isArray(inst) ? inst : [inst];
    assert.equal(list.length, 1);
    assert.equal(list[0].modifiedAt, e.modifiedAt);
  });

  test('[6.15.3.1] upsert: a bad entity in the middle fails alone; the others are stored and listed', async () => {
    const r = await post('upsert', [meter('urn:i:10', 1), { id: 'not a uri', type: 'Meter' }, meter('urn:i:11', 2), { id: 'urn:i:12', type: 'Meter', power: { type: 'Property' } }, meter('urn:i:13', 3)], '?options=update');
    assert.equal(r.statusCode, 207, r.body);
    const body = r.json() as { success: string[]; errors: Array<{ entityId: string; error: { type: string } }> };
    assert.deepEqual(body.success, ['urn:i:10', 'urn:i:11', 'urn:i:13']);
    assert.deepEqual(body.errors.map((x) => x.entityId), ['not a uri', 'urn:i:12']);
    assert.ok(body.errors.every((x) => x.error.type === ETSI + 'BadRequestData'), r.body);
    for (const [id, v] of [['urn:i:10', 1], ['urn:i:11', 2], ['urn:i:13', 3]] as const) assert.equal((await read(id)).power.value, v);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:i:12' })).statusCode, 404);
  });

  test('[6.16.3.1] batch update: an entity that does not exist fails alone; the others are written', async () => {
    const r = await post('update', [meter('urn:i:10', 21), meter('urn:i:missing', 1), meter('urn:i:11', 22)]);
    assert.equal(r.statusCode, 207, r.body);
    const body = r.json() as { success: string[]; errors: Array<{ entityId: string; error: { type: string } }> };
    assert.deepEqual(body.success, ['urn:i:10', 'urn:i:11']);
    assert.deepEqual(body.errors.map((x) => [x.entityId, x.error.type]), [['urn:i:missing', ETSI + 'ResourceNotFound']]);
    assert.equal((await read('urn:i:10')).power.value, 21);
    assert.equal((await read('urn:i:11')).power.value, 22);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:i:missing' })).statusCode, 404);
  });

  test('SQLite: updating every attribute does not grow the stored document (no per-attribute times)', { skip: TEST_ENGINE !== 'sqlite' && 'the compact document is SQLite\'s' }, async () => {
    assert.equal((await post('upsert', [meter('urn:i:20', 1)], '?options=update')).statusCode, 201);
    const size = () => {
      const db = new Database(join(t.dir, 'drehscheibe.sqlite'), { readonly: true });
      try {
        return (db.prepare("SELECT length(json(doc)) AS n FROM entities WHERE id = 'urn:i:20'").get() as { n: number }).n;
      } finally { db.close(); }
    };
    const first = size();
    for (const v of [2, 3]) assert.equal((await post('upsert', [meter('urn:i:20', v)], '?options=update')).statusCode, 204);
    assert.equal(size(), first, 'same values, same size: no modifiedAt stored per attribute');
    for (const v of [4, 3]) assert.equal((await post('upsert', [meter('urn:i:20', v)])).statusCode, 204);
    assert.equal(size(), first, 'nor a createdAt per attribute after a replacing upsert');
  });
});
