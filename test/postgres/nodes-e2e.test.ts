// Two real server processes on one PostgreSQL schema and one external MQTT broker (the machine's
// Mosquitto), the way several nodes run in production: measurements published to the broker are
// split between the nodes (shared subscription), every stored change notifies each matching
// subscription exactly once wherever it is owned, and after kill -9 of one node the other takes
// over its share of the stream and its subscriptions (at-least-once across the failover).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Receiver, reachable } from '../../src/ngsi-ld/subscriptions/test-support.ts';
import { startServer, type ServerProcess } from '../support/server.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';

const mosquitto = await reachable('127.0.0.1', 1883);
const skip = PG_SKIP || (mosquitto ? false : 'Mosquitto is not listening at 127.0.0.1:1883 (.ci/run starts it): two real nodes with an external broker not tested');

const HEARTBEAT_MS = 200;
const LEASE_MS = 1500;
const TENANT = 'herne';
const JSON_HEADERS = { 'content-type': 'application/json' };

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Notified (subscription, device, value) triples and how often each arrived. */
function triples(rx: Receiver): Map<string, number> {
  const m = new Map<string, number>();
  for (const n of rx.received) for (const e of n.body.data as Array<{ id: string; temperature?: number }>) {
    const k = `${String(n.body.subscriptionId)} ${e.id} ${e.temperature}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

const accepted = async (n: ServerProcess): Promise<number> => ((await (await fetch(`${n.url}/iot/metrics`)).json()) as { total: { accepted: number } }).total.accepted;

test('two real nodes, one PostgreSQL, one MQTT broker: split ingest, exactly-once notifications, takeover after kill -9', { skip }, async () => {
  const schema = freshSchema();
  const apikey = `e2e-${process.pid}-${Date.now()}`;
  const dirs = [mkdtempSync(join(tmpdir(), 'ds-e2e-a-')), mkdtempSync(join(tmpdir(), 'ds-e2e-b-'))];
  const env = (dir: string) => ({
    DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: schema, DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_PG_POOL: '4',
    MQTT_URL: 'mqtt://127.0.0.1:1883', DREHSCHEIBE_MQTT_SHARE_GROUP: `e2e-${process.pid}`, DREHSCHEIBE_INGEST_DEVICE_RATE: '0',
    DREHSCHEIBE_CLUSTER_HEARTBEAT_MS: String(HEARTBEAT_MS), DREHSCHEIBE_CLUSTER_LEASE_MS: String(LEASE_MS),
    DREHSCHEIBE_NOTIFY_INITIAL: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off',
  });
  const rx = await Receiver.start();
  const a = await startServer(env(dirs[0]), 60_000);
  const b = await startServer(env(dirs[1]), 60_000);
  const dev = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5, reconnectPeriod: 0 });
  try {
    const svc = { 'fiware-service': TENANT, 'fiware-servicepath': '/env', ...JSON_HEADERS };
    const group = { apikey, entity_type: 'AirQualityObserved', resource: '/iot/json', attributes: [{ object_id: 't', name: 'temperature', type: 'Number' }] };
    const g = await fetch(`${a.url}/iot/services`, { method: 'POST', headers: svc, body: JSON.stringify({ services: [group] }) });
    assert.equal(g.status, 201, await g.text());
    const sids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const node = i % 2 ? a : b;
      const r = await fetch(`${node.url}/ngsi-ld/v1/subscriptions`, {
        method: 'POST', headers: { ...JSON_HEADERS, 'NGSILD-Tenant': TENANT },
        body: JSON.stringify({ type: 'Subscription', entities: [{ type: 'AirQualityObserved' }], notification: { format: 'keyValues', attributes: ['temperature'], endpoint: { uri: rx.url, accept: 'application/json' } } }),
      });
      assert.equal(r.status, 201, await r.text());
      sids.push(decodeURIComponent(String(r.headers.get('location')).split('/').pop() ?? ''));
    }
    // Both nodes have read the subscriptions and each other's lease (several heartbeats).
    await new Promise((r) => setTimeout(r, 6 * HEARTBEAT_MS + 500));

    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i++) await dev.publishAsync(`/${apikey}/sensor-${i % 5}/attrs`, JSON.stringify({ t: i }), { qos: 1 });
    };
    const expect = (from: number, to: number) => sids.flatMap((s) => Array.from({ length: to - from }, (_, k) => `${s} urn:ngsi-ld:AirQualityObserved:sensor-${(from + k) % 5} ${from + k}`));

    // 1. Both nodes live: the broker splits the stream; each change is notified once per subscription.
    // Devices publish one measurement at a time per entity: wait for each to be stored before the next
    // of the same device, so every value is a change of its own.
    for (let i = 0; i < 20; i++) {
      await publish(i, i + 1);
      await until(`measurement ${i} notified`, () => [...triples(rx).keys()].filter((k) => k.endsWith(` ${i}`)).length >= sids.length);
    }
    const [byA, byB] = [await accepted(a), await accepted(b)];
    assert.equal(byA + byB, 20, 'every measurement taken by exactly one node');
    assert.ok(byA > 0 && byB > 0, `both nodes took measurements (a=${byA}, b=${byB})`);
    await new Promise((r) => setTimeout(r, 5 * HEARTBEAT_MS));
    const before = triples(rx);
    assert.deepEqual([...before.keys()].sort(), expect(0, 20).sort());
    assert.ok([...before.values()].every((n) => n === 1), 'exactly once per change and subscription while both nodes live');

    // 2. kill -9 node A: node B takes the whole stream and, once A's lease has expired, A's subscriptions.
    a.child.kill('SIGKILL');
    await a.exited;
    for (let i = 20; i < 40; i++) {
      await publish(i, i + 1);
      await until(`measurement ${i} stored on node B`, async () => {
        const e = await (await fetch(`${b.url}/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:sensor-${i % 5}?options=keyValues`, { headers: { 'NGSILD-Tenant': TENANT } })).json() as { temperature?: number };
        return e.temperature === i;
      });
    }
    await until('every change after the kill notified to every subscription', () => expect(20, 40).every((k) => triples(rx).has(k)), LEASE_MS + 20 * HEARTBEAT_MS + 10_000);
    const after = triples(rx);
    for (const k of expect(20, 40)) assert.ok((after.get(k) ?? 0) >= 1, `at least once after the failover: ${k}`);
    assert.equal((await accepted(b)) - byB, 20, 'node B took every measurement after the kill');
  } finally {
    await dev.endAsync(true);
    for (const n of [a, b]) if (n.child.exitCode === null && n.child.signalCode === null) { n.child.kill('SIGTERM'); await n.exited; }
    await rx.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchema(schema);
  }
});
