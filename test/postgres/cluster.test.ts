// Several nodes on one PostgreSQL schema (issue #7): two real apps in this process share a schema; a
// real HTTP receiver counts notifications. A subscription notifies exactly once per change whichever
// node took the write or the subscription, and a dead node's subscriptions move to the survivor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { PostgresStorage } from '../../src/storage/postgres/postgres.adapter.ts';
import { channelOf } from '../../src/storage/postgres/postgres.cluster.ts';
import { Receiver } from '../../src/ngsi-ld/subscriptions/test-support.ts';
import { ownerOf } from '../../src/ngsi-ld/subscriptions/subscriptions.ownership.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';

const HEARTBEAT_MS = 100;
const LEASE_MS = 1000;
const JSON_HEADERS = { 'content-type': 'application/json' };

interface Node { app: App; storage: PostgresStorage; dir: string; stopped?: boolean }

async function startNode(schema: string, env: Record<string, string> = {}, prepare?: (s: PostgresStorage) => void): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), 'ds-cluster-'));
  const config = loadConfig({
    DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off', DREHSCHEIBE_NOTIFY_INITIAL: 'off',
    DREHSCHEIBE_NOTIFY_WORKER: 'off', DREHSCHEIBE_CLUSTER_HEARTBEAT_MS: String(HEARTBEAT_MS), DREHSCHEIBE_CLUSTER_LEASE_MS: String(LEASE_MS), ...env,
  });
  const storage = await openPgStorage(schema);
  prepare?.(storage);
  const app = await buildApp(config, { storage });
  return { app, storage, dir };
}

async function stopNode(n: Node): Promise<void> {
  if (n.stopped) return;
  n.stopped = true;
  await n.app.close();
  await n.storage.close();
  rmSync(n.dir, { recursive: true, force: true });
}

interface Cluster { schema: string; rx: Receiver; a: Node; b: Node; admin: pg.Client }

/** Two nodes on a fresh schema, a notification receiver and an admin connection; all cleaned up after fn. */
async function withCluster(fn: (c: Cluster) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const schema = freshSchema();
  const rx = await Receiver.start();
  const a = await startNode(schema, env);
  const b = await startNode(schema, env);
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await fn({ schema, rx, a, b, admin });
  } finally {
    await admin.end();
    await stopNode(a);
    await stopNode(b);
    await rx.close();
    await dropSchema(schema);
  }
}

/** Polls until cond holds; fails with what was awaited after timeoutMs. */
async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function subscribe(n: Node, uri: string, body: Record<string, unknown>): Promise<string> {
  const r = await n.app.inject({ method: 'POST', url: '/ngsi-ld/v1/subscriptions', headers: JSON_HEADERS, payload: { type: 'Subscription', notification: { endpoint: { uri, accept: 'application/json' } }, ...body } });
  assert.equal(r.statusCode, 201, r.body);
  return decodeURIComponent(String(r.headers.location).split('/').pop()!);
}

async function upsert(n: Node, id: string, attrs: Record<string, unknown>): Promise<void> {
  const r = await n.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/upsert?options=update', headers: JSON_HEADERS, payload: [{ id, type: 'Sensor', ...attrs }] });
  assert.ok(r.statusCode === 201 || r.statusCode === 204, r.body);
}

/** Notified (subscription, entity) pairs and how often each arrived. */
function counts(rx: Receiver): Map<string, number> {
  const m = new Map<string, number>();
  for (const n of rx.received) for (const e of n.body.data) {
    const k = `${String(n.body.subscriptionId)} ${String(e.id)}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** Both nodes see each other and have loaded every subscription. */
async function converged(nodes: Node[], subs: number): Promise<void> {
  await until(`both nodes see two live nodes and ${subs} subscription(s)`, () => nodes.every((n) => n.storage.cluster.liveNodes().length === 2 && n.app.drehscheibe.subscriptions.index.size === subs));
}

/** Time for duplicates to show up if there were any: several heartbeats and notification turns. */
const settle = () => new Promise((r) => setTimeout(r, 5 * HEARTBEAT_MS + 300));

test('cluster: a subscription created on node A notifies exactly once for an entity written on node B', { skip: PG_SKIP }, async () => withCluster(async ({ schema, rx, a, b, admin }) => {
    const feedRows = async () => (await admin.query(`SELECT count(*)::int AS n FROM "${schema}".cluster_changes`)).rows[0].n as number;
  await converged([a, b], 0);
  await upsert(b, 'urn:ngsi-ld:Sensor:0', { n: { type: 'Property', value: 0 } });
  await b.app.drehscheibe.subscriptions.idle();
  assert.equal(await feedRows(), 0, 'no subscription in the cluster: writes publish nothing');
  const sid = await subscribe(a, rx.url, { entities: [{ type: 'Sensor' }] });
  await converged([a, b], 1);
  assert.equal(await feedRows(), 1, 'the new subscription was announced');
  await upsert(b, 'urn:ngsi-ld:Sensor:1', { n: { type: 'Property', value: 1 } });
  await rx.waitFor(1);
  await upsert(a, 'urn:ngsi-ld:Sensor:1', { n: { type: 'Property', value: 2 } });
  await rx.waitFor(2);
  await settle();
  assert.deepEqual([...counts(rx)], [[`${sid} urn:ngsi-ld:Sensor:1`, 2]], 'one notification per change, whichever node wrote');
  assert.deepEqual(rx.received.map((n) => (n.body.data[0] as { n: { value: number } }).n.value), [1, 2]);
}));

test('cluster: 20 subscriptions on two nodes, writes on both: each change notifies each matching subscription exactly once', { skip: PG_SKIP }, async () => withCluster(async ({ rx, a, b }) => {
  const groupOf = new Map<string, number>();
  for (let i = 0; i < 20; i++) {
    const sid = await subscribe(i % 2 ? a : b, rx.url, { entities: [{ type: 'Sensor' }], q: `group==${i % 4}` });
    groupOf.set(sid, i % 4);
  }
  await converged([a, b], 20);
  const nodes = a.storage.cluster.liveNodes();
  const owners = new Set([...a.app.drehscheibe.subscriptions.index.all()].map((s) => ownerOf(`${s.tenant}\u0000${s.id}`, nodes)));
  assert.equal(owners.size, 2, 'both nodes own some of the 20 subscriptions');
  const expected = new Map<string, number>();
  for (let j = 0; j < 8; j++) {
    const id = `urn:ngsi-ld:Sensor:${j}`;
    await upsert(j % 2 ? a : b, id, { group: { type: 'Property', value: j % 4 }, n: { type: 'Property', value: 0 } });
    await upsert(j % 2 ? b : a, id, { n: { type: 'Property', value: 1 } });
    for (const [sid, g] of groupOf) if (g === j % 4) expected.set(`${sid} ${id}`, 2);
  }
  const total = [...expected.values()].reduce((x, y) => x + y, 0);
  assert.equal(total, 80);
  await until('80 notified entities arrived', () => [...counts(rx).values()].reduce((x, y) => x + y, 0) >= total);
  await settle();
  assert.deepEqual(new Map([...counts(rx)].sort()), new Map([...expected].sort()));
}));

test('cluster: when node A dies (no clean-up), node B takes over its subscriptions after the lease, including the changes made meanwhile', { skip: PG_SKIP }, async () => withCluster(async ({ schema, rx, a, b, admin }) => {
  const sids: string[] = [];
  for (let i = 0; i < 20; i++) sids.push(await subscribe(a, rx.url, { entities: [{ type: 'Sensor' }] }));
  await converged([a, b], 20);
  const nodes = b.storage.cluster.liveNodes();
  const ofA = [...b.app.drehscheibe.subscriptions.index.all()].filter((s) => ownerOf(`${s.tenant}\u0000${s.id}`, nodes) === a.storage.cluster.nodeId);
  assert.ok(ofA.length > 0 && ofA.length < 20, 'each node owns some subscriptions before A dies');
  // Death: heartbeat and LISTEN stop, the lease stays valid until it expires (as after kill -9).
  await a.storage.cluster.stop({ leave: false });
  await stopNode(a);
  const leases = (await admin.query(`SELECT count(*)::int AS n FROM "${schema}".cluster_nodes WHERE expires_at > now()`)).rows[0].n;
  assert.equal(leases, 2, 'the dead node left its lease behind');
  // Written while B still counts A as live: B notifies its own subscriptions now, A's after the takeover.
  await upsert(b, 'urn:ngsi-ld:Sensor:during', { n: { type: 'Property', value: 1 } });
  await until('node B sees only itself', () => b.storage.cluster.liveNodes().length === 1, LEASE_MS + 20 * HEARTBEAT_MS + 2000);
  await upsert(b, 'urn:ngsi-ld:Sensor:after', { n: { type: 'Property', value: 1 } });
  await until('40 notified entities arrived', () => [...counts(rx).values()].reduce((x, y) => x + y, 0) >= 40);
  await settle();
  const expected = sids.flatMap((s) => [[`${s} urn:ngsi-ld:Sensor:during`, 1], [`${s} urn:ngsi-ld:Sensor:after`, 1]] as Array<[string, number]>);
  assert.deepEqual(new Map([...counts(rx)].sort()), new Map(expected.sort()), 'every subscription once per change, including those node A owned');
}));

test('cluster: a node that shuts down cleanly hands its subscriptions over at the next heartbeat, without waiting for the lease', { skip: PG_SKIP }, async () => withCluster(async ({ rx, a, b }) => {
  for (let i = 0; i < 10; i++) await subscribe(a, rx.url, { entities: [{ type: 'Sensor' }] });
  await converged([a, b], 10);
  await stopNode(a);
  const t0 = Date.now();
  await until('node B sees only itself', () => b.storage.cluster.liveNodes().length === 1, LEASE_MS + 20 * HEARTBEAT_MS + 2000);
  const tookMs = Date.now() - t0;
  await upsert(b, 'urn:ngsi-ld:Sensor:left', { n: { type: 'Property', value: 1 } });
  await rx.waitFor(10);
  await settle();
  assert.equal(new Set(rx.received.map((r) => r.body.subscriptionId)).size, 10);
  assert.equal(rx.received.length, 10);
  assert.ok(tookMs < LEASE_MS, `takeover after ${tookMs} ms, before the lease of ${LEASE_MS} ms`);
}));

test('cluster: a node whose LISTEN connection is cut reconnects and catches up on the changes it missed', { skip: PG_SKIP }, async () => withCluster(async ({ schema, rx, a, b, admin }) => {
    const feeds = async () => (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [`drehscheibe:${schema}:feed`])).rows[0].n as number;
  await converged([a, b], 0);
  // A subscription node A owns, created through node B: only A may notify it.
  const nodes = a.storage.cluster.liveNodes();
  let sid = '';
  for (let i = 0; !sid; i++) if (ownerOf(`\u0000urn:ngsi-ld:Subscription:cut-${i}`, nodes) === a.storage.cluster.nodeId) sid = `urn:ngsi-ld:Subscription:cut-${i}`;
  assert.equal(await subscribe(b, rx.url, { id: sid, entities: [{ type: 'Sensor' }] }), sid);
  await converged([a, b], 1);
  assert.equal(await feeds(), 2);
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`drehscheibe:${schema}:feed`]);
  await upsert(b, 'urn:ngsi-ld:Sensor:cut', { n: { type: 'Property', value: 1 } });
  await rx.waitFor(1, 5000);
  let n = 0;
  await until('both feed connections are back', () => { void feeds().then((x) => { n = x; }); return n === 2; });
  await upsert(b, 'urn:ngsi-ld:Sensor:cut', { n: { type: 'Property', value: 2 } });
  await rx.waitFor(2, 5000);
  await settle();
  assert.deepEqual([...counts(rx)], [[`${sid} urn:ngsi-ld:Sensor:cut`, 2]]);
  assert.deepEqual(rx.received.map((r) => (r.body.data[0] as { n: { value: number } }).n.value), [1, 2]);
}));

test('cluster: a feed row that commits more than 1,000 rows late while the LISTEN connections are down is delivered, once', { skip: PG_SKIP }, async () => withCluster(async ({ schema, rx, a, b, admin }) => {
  const feeds = async () => (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [`drehscheibe:${schema}:feed`])).rows[0].n as number;
  const sid = await subscribe(a, rx.url, { entities: [{ type: 'Sensor' }] });
  await converged([a, b], 1);
  const change = (id: string) => {
    const now = new Date().toISOString();
    return JSON.stringify([{ kind: 'entities', changes: [{ tenant: '', kind: 'created', id, at: now,
      after: { id, types: ['https://uri.etsi.org/ngsi-ld/default-context/Sensor'], createdAt: now, modifiedAt: now,
        attrs: { 'https://uri.etsi.org/ngsi-ld/default-context/n': [{ type: 'Property', value: 1 }] } } }] }]);
  };
  const insert = `WITH ins AS (INSERT INTO "${schema}".cluster_changes (origin, events) VALUES ('elsewhere', $1) RETURNING seq)
    SELECT pg_notify($2, ins.seq::text || ' elsewhere') FROM ins`;
  // A writer on a third node: its feed row is numbered now and commits only at the end.
  const held = new pg.Client({ connectionString: PG_URL });
  await held.connect();
  try {
    await held.query('BEGIN');
    await held.query(insert, [change('urn:ngsi-ld:Sensor:late'), channelOf(schema)]);
    // Meanwhile 1,000 other rows commit, and then one more that both nodes are told of and read.
    await admin.query(`INSERT INTO "${schema}".cluster_changes (origin, events) SELECT 'elsewhere', '[]' FROM generate_series(1, 1000)`);
    await admin.query(insert, [change('urn:ngsi-ld:Sensor:marker'), channelOf(schema)]);
    await rx.waitFor(1, 5000);
    // Both LISTEN connections break; the late row commits while neither listens, so its NOTIFY is lost.
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`drehscheibe:${schema}:feed`]);
    while (await feeds() > 0) { /* until both backends are gone (the nodes reconnect a heartbeat later) */ }
    await held.query('COMMIT');
  } finally {
    await held.end();
  }
  let n = 0;
  await until('both feed connections are back', () => { void feeds().then((x) => { n = x; }); return n === 2; });
  await rx.waitFor(2, 5000);
  await settle();
  assert.deepEqual(new Map([...counts(rx)].sort()), new Map([[`${sid} urn:ngsi-ld:Sensor:late`, 1], [`${sid} urn:ngsi-ld:Sensor:marker`, 1]]));
}));

test('cluster: a write\'s changes are in the feed when it is answered; a rolled-back write leaves no feed row', { skip: PG_SKIP }, async () => withCluster(async ({ schema, rx, a, b, admin }) => {
    const entityRows = async () => (await admin.query(`SELECT events FROM "${schema}".cluster_changes ORDER BY seq`)).rows
      .flatMap((r: { events: Array<{ kind: string; changes?: Array<{ id: string }> }> }) => r.events)
      .filter((e) => e.kind === 'entities').flatMap((e) => e.changes!.map((c) => c.id));
  await subscribe(a, rx.url, { entities: [{ type: 'Sensor' }] });
  await converged([a, b], 1);
  // Answered = committed = in the feed: no later publishing step that a crash could skip.
  await upsert(b, 'urn:ngsi-ld:Sensor:feed', { n: { type: 'Property', value: 1 } });
  assert.deepEqual(await entityRows(), ['urn:ngsi-ld:Sensor:feed']);
  // A transaction that shares its changes and then fails: neither the entity nor its feed row stays.
  await assert.rejects(b.storage.withTransaction(async (tx) => {
    const rec = { id: 'urn:ngsi-ld:Sensor:gone', types: ['https://uri.etsi.org/ngsi-ld/default-context/Sensor'], createdAt: new Date().toISOString(), modifiedAt: new Date().toISOString(), attrs: {} };
    await tx.entities.insert('', rec);
    tx.share?.([{ tenant: '', kind: 'created', id: rec.id, after: rec, at: rec.createdAt }]);
    throw new Error('fails after sharing');
  }), /fails after sharing/);
  assert.deepEqual(await entityRows(), ['urn:ngsi-ld:Sensor:feed']);
  assert.equal(await b.storage.entities.get('', 'urn:ngsi-ld:Sensor:gone'), undefined);
  await rx.waitFor(1);
  await settle();
  assert.equal(rx.received.length, 1, 'the committed change notified once, the rolled-back one never');
}));

test('cluster: a service group provisioned on node A is used by node B at once, listed there, and its deletion reaches B', { skip: PG_SKIP }, async () => withCluster(async ({ a, b }) => {
  const headers = { 'fiware-service': 'herne', 'fiware-servicepath': '/env', ...JSON_HEADERS };
  const group = { apikey: 'cluster-key', entity_type: 'AirQualityObserved', resource: '/iot/json', attributes: [{ object_id: 't', name: 'temperature', type: 'Number' }] };
  await converged([a, b], 0);
  const created = await a.app.inject({ method: 'POST', url: '/iot/services', headers, payload: { services: [group] } });
  assert.equal(created.statusCode, 201, created.body);
  // Immediately, before A's notice can have arrived: B reads the registry on the miss and accepts.
  const m = await b.app.inject({ method: 'POST', url: '/iot/json?k=cluster-key&i=s1', headers: JSON_HEADERS, payload: { t: 7 } });
  assert.equal(m.statusCode, 200, m.body);
  const e = await b.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:s1?options=keyValues', headers: { 'ngsild-tenant': 'herne' } });
  assert.equal((e.json() as { temperature: number }).temperature, 7);
  const listed = await b.app.inject({ method: 'GET', url: '/iot/services', headers });
  assert.deepEqual((listed.json() as { services: Array<{ apikey: string }> }).services.map((g) => g.apikey), ['cluster-key']);
  // The device autoprovisioned on B is listed on A once B's notice has arrived; deleted on A, it
  // leaves B's registry and its counters.
  const knows = (n: Node) => { try { return Boolean(n.app.drehscheibe.ingest.registry.device('herne', '/env', 's1')); } catch { return false; } };
  await until('node A lists the device autoprovisioned on node B', () => knows(a));
  const counted = (n: Node) => n.app.drehscheibe.ingest.stats.snapshot(0).devices.some((d: { deviceId: string }) => d.deviceId === 's1');
  assert.ok(counted(b));
  assert.equal((await a.app.inject({ method: 'DELETE', url: '/iot/devices/s1', headers })).statusCode, 204);
  await until('node B has dropped the deleted device and its counters', () => !knows(b) && !counted(b));
  assert.equal((await b.app.inject({ method: 'POST', url: '/iot/json?k=cluster-key&i=s1', headers: JSON_HEADERS, payload: { t: 9 } })).statusCode, 200, 'autoprovisioned again');
  const gone = await a.app.inject({ method: 'DELETE', url: '/iot/services?apikey=cluster-key&resource=/iot/json', headers });
  assert.equal(gone.statusCode, 204, gone.body);
  await until('node B has dropped the deleted group', () => !b.app.drehscheibe.ingest.registry.hasApikey('cluster-key'));
  // B refuses as A does (the device stays provisioned, its group's apikey is gone).
  const refused = await Promise.all([a, b].map((n) => n.app.inject({ method: 'POST', url: '/iot/json?k=cluster-key&i=s1', headers: JSON_HEADERS, payload: { t: 8 } })));
  assert.equal(refused[1].statusCode, refused[0].statusCode, refused[1].body);
  assert.ok(refused[1].statusCode >= 400, refused[1].body);
}));

test('cluster: an access policy replaced on node A is in force on node B, and so is its removal', { skip: PG_SKIP }, async () => withCluster(async ({ a, b }) => {
  await converged([a, b], 0);
  const doc = { tenants: { stadtwerke: { read: ['steward'], write: ['steward'] } } };
  const put = await a.app.inject({ method: 'PUT', url: '/admin/policy', headers: JSON_HEADERS, payload: doc });
  assert.equal(put.statusCode, 204, put.body);
  await until('node B has the new policy', () => JSON.stringify(b.app.drehscheibe.auth.policy.document) === JSON.stringify(doc));
  const del = await a.app.inject({ method: 'DELETE', url: '/admin/policy' });
  assert.equal(del.statusCode, 204, del.body);
  await until('node B is back to the file policy', () => JSON.stringify(b.app.drehscheibe.auth.policy.document) === JSON.stringify(a.app.drehscheibe.auth.policy.document));
  assert.notEqual(JSON.stringify(b.app.drehscheibe.auth.policy.document), JSON.stringify(doc));
}));

test('cluster: a tenant deleted on node A is forgotten by node B, so B\'s next write into that name creates the tenant again (listed, readable)', { skip: PG_SKIP }, async () => withCluster(async ({ a, b }) => {
  await converged([a, b], 0);
  const headers = { ...JSON_HEADERS, 'ngsild-tenant': 'kurz' };
  const entity = (n: number) => ({ id: `urn:ngsi-ld:Counter:${n}`, type: 'Counter', n: { type: 'Property', value: n } });
  // B writes first: it now knows the tenant has its row.
  assert.equal((await b.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers, payload: entity(1) })).statusCode, 201);
  let told = false;
  b.app.drehscheibe.bus.on('cluster.tenant', (name) => { if (name === 'kurz') told = true; });
  const del = await a.app.inject({ method: 'DELETE', url: '/admin/tenants/kurz' });
  assert.equal(del.statusCode, 200, del.body);
  await until('node B is told of the deletion', () => told);
  assert.equal((await b.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers, payload: entity(2) })).statusCode, 201);
  // Before the fix B skipped the tenants row it believed was there: the tenant was unlisted and 404 everywhere.
  const contents = await a.app.inject({ url: '/admin/tenants/kurz' });
  assert.equal(contents.statusCode, 200, contents.body);
  assert.equal((contents.json() as { entities: number }).entities, 1);
  assert.ok(((await a.app.inject({ url: '/admin/tenants' })).json() as Array<{ name: string }>).some((x) => x.name === 'kurz'));
  const read = await a.app.inject({ url: '/ngsi-ld/v1/entities?type=Counter', headers: { 'ngsild-tenant': 'kurz' } });
  assert.equal(read.statusCode, 200, read.body);
  assert.deepEqual((read.json() as Array<{ id: string }>).map((e) => e.id), ['urn:ngsi-ld:Counter:2']);
}));

const OPERATOR_KEY = 'cluster-test-operator-key-0123456789';

test('cluster: an API key revoked on node A is refused by node B at once, not after B\'s cache lifetime', { skip: PG_SKIP }, async () => withCluster(async ({ a, b }) => {
  await converged([a, b], 0);
  const op = { 'x-api-key': OPERATOR_KEY };
  const created = await a.app.inject({ method: 'POST', url: '/admin/api-keys', headers: { ...JSON_HEADERS, ...op }, payload: { name: 'tiefbau', roles: ['steward'] } });
  assert.equal(created.statusCode, 201, created.body);
  const { id, key } = created.json() as { id: string; key: string };
  const read = (n: Node) => n.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Sensor', headers: { 'x-api-key': key } });
  // B verifies the key and caches it for ApiKeyService.TTL_MS.
  assert.equal((await read(b)).statusCode, 200);
  const revoked = await a.app.inject({ method: 'DELETE', url: `/admin/api-keys/${id}`, headers: op });
  assert.equal(revoked.statusCode, 204, revoked.body);
  const t0 = Date.now();
  assert.equal((await read(a)).statusCode, 401);
  // Without the feed's notice B would answer 200 from its cache for 30 s.
  let last = await read(b);
  while (last.statusCode !== 401 && Date.now() - t0 < 2000) {
    await new Promise((r) => setTimeout(r, 10));
    last = await read(b);
  }
  assert.equal(last.statusCode, 401, 'node B still accepts the key revoked on node A');
  assert.match((last.json() as { detail: string }).detail, /revoked/);
}, { DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_ADMIN_KEY: OPERATOR_KEY }));

test('cluster: a subscription created on another node while a node starts (right after it read the stored ones) is known to it', { skip: PG_SKIP }, async () => withCluster(async ({ schema, rx, a }) => {
  let sid = '';
  // Node C reads the stored subscriptions at start-up; right after that read, node A creates one.
  const c = await startNode(schema, {}, (storage) => {
    const all = storage.subscriptions.all.bind(storage.subscriptions);
    storage.subscriptions.all = async () => {
      const stored = await all();
      sid = await subscribe(a, rx.url, { entities: [{ type: 'Sensor' }] });
      return stored;
    };
  });
  try {
    assert.ok(sid);
    await until('node C knows the subscription created during its start', () => c.app.drehscheibe.subscriptions.index.get('', sid) !== undefined);
  } finally {
    await stopNode(c);
  }
}));
