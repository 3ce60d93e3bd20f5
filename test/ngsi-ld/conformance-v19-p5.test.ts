// HTTP tests of issue #14 part 5 (ETSI GS CIM 009 v1.9.1): linked entities in notifications
// (notification.join, notification.joinLevel of clause 5.2.14, as retrieval does by clause 4.5.23) and
// ListRelationship targets followed by join, in retrieval and notifications. Real HTTP receiver on a
// free port. Runs on SQLite, and on PostgreSQL with TEST_ENGINE=postgres TEST_PG_URL=….
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { testApp, type TestApp, JSON_HEADERS } from '../support/app.ts';
import { authApp, type AuthApp } from '../auth/auth-support.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const E = '/ngsi-ld/v1/entities';
const OPS = '/ngsi-ld/v1/entityOperations';
const SUBS = '/ngsi-ld/v1/subscriptions';
const B1 = 'urn:ngsi-ld:Building:p5-1';
const P1 = 'urn:ngsi-ld:Person:p5-1';
const P2 = 'urn:ngsi-ld:Person:p5-2';
const C1 = 'urn:ngsi-ld:Company:p5-1';
const NONE = 'urn:ngsi-ld:Person:p5-none';
const rel = (object: string) => ({ type: 'Relationship', object });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Collects the notifications posted to it, by subscription id. */
class Receiver {
  readonly got: Json[] = [];
  private constructor(private readonly server: http.Server, readonly uri: string) {}
  static async start(): Promise<Receiver> {
    let self: Receiver | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        self!.got.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json);
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    self = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`);
    return self;
  }
  async next(subId: string, timeoutMs = 3000): Promise<Json> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = this.got.findIndex((n) => n.subscriptionId === subId);
      if (i >= 0) return this.got.splice(i, 1)[0];
      if (Date.now() > end) throw new Error(`no notification for ${subId} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe('conformance: linked entities in notifications and through ListRelationships (clauses 5.2.14, 4.5.23)', () => {
  let t: TestApp;
  let rx: Receiver;
  before(async () => {
    t = await testApp({ DREHSCHEIBE_NOTIFY_WORKER: 'off' });
    rx = await Receiver.start();
    const r = await t.app.inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: [
      { id: B1, type: 'Building', name: 'Rathaus', owner: rel(P1), tenants: { type: 'ListRelationship', objectList: [P2, NONE, P1] } },
      { id: P1, type: 'Person', name: 'Anna', employer: rel(C1) },
      { id: P2, type: 'Person', name: 'Ben' },
      { id: C1, type: 'Company', name: 'Stadtwerke' },
    ] });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await rx.close(); await t.close(); });
  const get = async (url: string, status = 200): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await t.app.inject({ method: 'GET', url });
    assert.equal(r.statusCode, status, `${url}: ${r.body}`);
    return r.json();
  };
  const subscribe = async (id: string, notification: Json, status = 201): Promise<Json> => {
    const r = await t.app.inject({ method: 'POST', url: SUBS, headers: JSON_HEADERS, payload: {
      id, type: 'Subscription', entities: [{ type: 'Building' }], watchedAttributes: ['name'], notification: { endpoint: { uri: rx.uri }, ...notification },
    } });
    assert.equal(r.statusCode, status, r.body);
    return status === 201 ? {} : r.json();
  };
  const rename = async (name: string) => {
    const r = await t.app.inject({ method: 'PATCH', url: `${E}/${B1}/attrs`, headers: JSON_HEADERS, payload: { name } });
    assert.equal(r.statusCode, 204, r.body);
  };

  test('[4.5.23] join follows the members of a ListRelationship: inline as `entityList` in objectList order, keyValues replaces the joined ids, flat lists them', async () => {
    const b = await get(`${E}/${B1}?join=inline`) as Json;
    assert.deepEqual(b.tenants.objectList, [P2, NONE, P1], 'objectList stays');
    assert.deepEqual(b.tenants.entityList.map((e: Json) => e.id), [P2, P1], 'the absent target is left out');
    assert.equal(b.tenants.entityList[0].name.value, 'Ben');
    const kv = await get(`${E}/${B1}?join=inline&options=keyValues`) as Json;
    assert.deepEqual(kv.tenants.map((x: unknown) => (typeof x === 'string' ? x : (x as Json).name)), ['Ben', NONE, 'Anna']);
    const flat = await get(`${E}/${B1}?join=flat`) as Json[];
    assert.deepEqual(flat.map((e) => e.id).sort(), [B1, P1, P2].sort());
    assert.equal(flat[0].tenants.entityList, undefined, 'flat: the ListRelationship stays plain');
    const q = await get(`${E}?type=Building&join=inline&joinLevel=2&pick=${encodeURIComponent('tenants{name,employer{name}}')}`) as Json[];
    assert.deepEqual(q[0].tenants.entityList.map((e: Json) => [e.name.value, e.employer?.entity.name.value]), [['Ben', undefined], ['Anna', 'Stadtwerke']]);
  });

  test('[5.2.14, 4.5.23] notification.join=inline with joinLevel: each notified entity carries its linked entities (Relationship and ListRelationship), as GET shows them', async () => {
    const id = 'urn:ngsi-ld:Subscription:p5-inline';
    await subscribe(id, { join: 'inline', joinLevel: 2 });
    const s = await get(`${SUBS}/${id}`) as Json;
    assert.equal(s.notification.join, 'inline');
    assert.equal(s.notification.joinLevel, 2);
    await rename('Rathaus Mitte');
    const n = await rx.next(id);
    assert.equal(n.data.length, 1);
    const b = n.data[0];
    assert.equal(b.name.value, 'Rathaus Mitte');
    assert.equal(b.owner.object, P1);
    assert.equal(b.owner.entity.name.value, 'Anna');
    assert.equal(b.owner.entity.employer.entity.name.value, 'Stadtwerke', 'joinLevel 2');
    assert.deepEqual(b.tenants.entityList.map((e: Json) => e.id), [P2, P1]);
    // keyValues and a PATCH that turns join off.
    const p = await t.app.inject({ method: 'PATCH', url: `${SUBS}/${id}`, headers: JSON_HEADERS, payload: { notification: { format: 'keyValues', joinLevel: null } } });
    assert.equal(p.statusCode, 204, p.body);
    await rename('Rathaus');
    const kv = (await rx.next(id)).data[0];
    assert.equal(kv.owner.name, 'Anna', 'keyValues: the linked entity in place of the id');
    assert.equal(kv.owner.employer, C1, 'joinLevel back to 1');
    const off = await t.app.inject({ method: 'PATCH', url: `${SUBS}/${id}`, headers: JSON_HEADERS, payload: { notification: { join: '@none' } } });
    assert.equal(off.statusCode, 204, off.body);
    await rename('Rathaus Alt');
    assert.equal((await rx.next(id)).data[0].owner, P1, 'join=@none: no linked entities');
    await t.app.inject({ method: 'DELETE', url: `${SUBS}/${id}` });
  });

  test('[5.2.14, 4.5.23] notification.join=flat: the linked entities follow the notified entity in data, each once; Relationships stay plain', async () => {
    const id = 'urn:ngsi-ld:Subscription:p5-flat';
    await subscribe(id, { join: 'flat', attributes: ['name', 'owner'] });
    await rename('Rathaus Flach');
    const n = await rx.next(id);
    assert.equal(n.data[0].id, B1);
    assert.equal(n.data[0].owner.entity, undefined);
    assert.equal(n.data[0].tenants, undefined, 'notification.attributes: only owner is shown and followed');
    assert.deepEqual(n.data.slice(1).map((e: Json) => e.id), [P1]);
    assert.equal(n.data[1].name.value, 'Anna');
    await t.app.inject({ method: 'DELETE', url: `${SUBS}/${id}` });
  });

  test('[5.2.14, 5.8.1] periodic and initial notifications (current state) join too', async () => {
    const t2 = await testApp({ DREHSCHEIBE_NOTIFY_WORKER: 'off', DREHSCHEIBE_NOTIFY_INITIAL: 'on' });
    try {
      const c = await t2.app.inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: [
        { id: B1, type: 'Building', owner: rel(P1) }, { id: P1, type: 'Person', name: 'Anna' },
      ] });
      assert.equal(c.statusCode, 201, c.body);
      const id = 'urn:ngsi-ld:Subscription:p5-initial';
      const r = await t2.app.inject({ method: 'POST', url: SUBS, headers: JSON_HEADERS, payload: {
        id, type: 'Subscription', entities: [{ type: 'Building' }], notification: { endpoint: { uri: rx.uri }, join: 'flat', format: 'keyValues' },
      } });
      assert.equal(r.statusCode, 201, r.body);
      const n = await rx.next(id);
      assert.deepEqual(n.data, [{ id: B1, type: 'Building', owner: P1 }, { id: P1, type: 'Person', name: 'Anna' }]);
    } finally {
      await t2.close();
    }
  });

  test('[5.2.14] invalid notification.join or joinLevel is 400 BadRequestData', async () => {
    const cases: Json[] = [{ join: 'deep' }, { join: 'inline', joinLevel: 0 }, { join: 'inline', joinLevel: 11 }, { join: 'inline', joinLevel: '2' }, { joinLevel: 2 }, { join: '@none', joinLevel: 2 }];
    for (const [i, c] of cases.entries()) {
      const r = await subscribe(`urn:ngsi-ld:Subscription:p5-bad-${i}`, c, 400);
      assert.equal(r.type, `${ETSI}BadRequestData`, JSON.stringify(c));
    }
  });
});

describe('conformance: linked entities in notifications under access control (clause 5.2.14, docs/security.md)', () => {
  let t: AuthApp;
  let rx: Receiver;
  const keys: Record<string, string> = {};
  before(async () => {
    t = await authApp({ tenants: { '': { types: { Secret: { read: ['key:insider'], write: ['key:insider'] } } } } }, { DREHSCHEIBE_NOTIFY_WORKER: 'off', DREHSCHEIBE_NOTIFY_PRIVATE: 'allow' });
    rx = await Receiver.start();
    keys.insider = await t.key({ name: 'insider', roles: ['steward'] });
    keys.outsider = await t.key({ name: 'outsider', roles: ['steward'] });
    const r = await t.app.inject({ method: 'POST', url: `${OPS}/create`, headers: { ...JSON_HEADERS, 'x-api-key': keys.insider }, payload: [
      { id: 'urn:ngsi-ld:Box:p5', type: 'Box', name: 'a', content: rel('urn:ngsi-ld:Secret:p5'), labels: { type: 'ListRelationship', objectList: ['urn:ngsi-ld:Secret:p5', 'urn:ngsi-ld:Label:p5'] } },
      { id: 'urn:ngsi-ld:Secret:p5', type: 'Secret', code: 1234 },
      { id: 'urn:ngsi-ld:Label:p5', type: 'Label', text: 'fragile' },
    ] });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await rx.close(); await t.close(); });

  test('[5.2.14, 4.5.23] under access control, joined notifications show what the owner may read; a principal that may not read every type cannot subscribe at all', async () => {
    const sub = (who: string) => t.app.inject({ method: 'POST', url: SUBS, headers: { ...JSON_HEADERS, 'x-api-key': keys[who] }, payload: {
      id: `urn:ngsi-ld:Subscription:p5-${who}`, type: 'Subscription', entities: [{ type: 'Box' }], notification: { endpoint: { uri: rx.uri }, join: 'inline' },
    } });
    const denied = await sub('outsider');
    assert.equal(denied.statusCode, 403, 'so a joined notification cannot carry an entity its owner may not read');
    const r = await sub('insider');
    assert.equal(r.statusCode, 201, r.body);
    const u = await t.app.inject({ method: 'PATCH', url: `${E}/urn:ngsi-ld:Box:p5/attrs`, headers: { ...JSON_HEADERS, 'x-api-key': keys.insider }, payload: { name: 'b' } });
    assert.equal(u.statusCode, 204, u.body);
    const mine = (await rx.next('urn:ngsi-ld:Subscription:p5-insider')).data[0];
    assert.equal(mine.content.entity.code.value, 1234);
    assert.deepEqual(mine.labels.entityList.map((e: Json) => e.id), ['urn:ngsi-ld:Secret:p5', 'urn:ngsi-ld:Label:p5']);
  });
});

describe('conformance: error types of the entity and subscription operations (clause 5.5.2, 6.x)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    const r = await t.app.inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:T:err-1', type: 'T', p: 1 } });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await t.close(); });

  test('[6.2, RFC 9110] a method a resource of Table 6.2-1 does not define is 405 with Allow, not 404; an unknown path stays 404 ResourceNotFound', async () => {
    const cases: Array<[string, string, string]> = [
      ['PUT', E, 'DELETE, GET, HEAD, POST'],
      ['POST', `${E}/urn:ngsi-ld:T:err-1`, 'DELETE, GET, HEAD, PATCH, PUT'],
      ['PUT', `${SUBS}/urn:ngsi-ld:Subscription:err`, 'DELETE, GET, HEAD, PATCH'],
      ['GET', `${OPS}/create`, 'POST'],
    ];
    for (const [method, url, allow] of cases) {
      const r = await t.app.inject({ method: method as 'GET', url, headers: JSON_HEADERS, ...(method === 'GET' ? {} : { payload: {} }) });
      assert.equal(r.statusCode, 405, `${method} ${url}: ${r.body}`);
      assert.equal(r.headers.allow, allow, `${method} ${url}`);
      assert.match(r.json().detail, new RegExp(`${method} is not defined`));
    }
    const unknown = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/nothing' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().type, `${ETSI}ResourceNotFound`);
  });

  test('[5.7.1.4] retrieve: an entity of another type than the type selector, or with none of the requested attrs, is 404 ResourceNotFound', async () => {
    for (const qs of ['type=Other', 'attrs=zzz', 'attrs=zzz,yyy&options=keyValues']) {
      const r = await t.app.inject({ method: 'GET', url: `${E}/urn:ngsi-ld:T:err-1?${qs}` });
      assert.equal(r.statusCode, 404, `${qs}: ${r.body}`);
      assert.equal(r.json().type, `${ETSI}ResourceNotFound`, qs);
    }
    const some = await t.app.inject({ method: 'GET', url: `${E}/urn:ngsi-ld:T:err-1?attrs=zzz,p&type=T` });
    assert.equal(some.statusCode, 200, some.body);
    assert.deepEqual(some.json(), { id: 'urn:ngsi-ld:T:err-1', type: 'T', p: { type: 'Property', value: 1 } });
    assert.ok(some.headers.etag, 'the answer still carries the ETag');
  });

  test('[5.5.9, Table 6.4.3.2-1] limit=0 without count=true is 400 BadRequestData on GET /subscriptions as on GET /entities; local other than true/false is 400 BadRequestData', async () => {
    for (const url of [`${SUBS}?limit=0`, `${E}?type=T&limit=0`, `${E}?type=T&local=yes`, `${E}/urn:ngsi-ld:T:err-1?local=1`, `${SUBS}?local=maybe`]) {
      const r = await t.app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
      assert.equal(r.json().type, `${ETSI}BadRequestData`, url);
    }
    const counted = await t.app.inject({ method: 'GET', url: `${SUBS}?limit=0&count=true` });
    assert.equal(counted.statusCode, 200, counted.body);
    assert.deepEqual(counted.json(), []);
    assert.equal(counted.headers['ngsild-results-count'], '0');
    assert.equal((await t.app.inject({ method: 'GET', url: `${E}?type=T&local=true` })).statusCode, 200);
  });
});
