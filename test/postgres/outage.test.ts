// Issue #13 item 5: PostgreSQL restarting under write load must not take the node down. A real server
// process on a PostgreSQL of the test's own (never the shared one), writes in flight while the database
// stops (`pg_ctl stop -m fast`, then `-m immediate`): answers are 503 with Retry-After, never a dropped
// connection; the process lives on, the pool recovers when the database is back, and every write that
// was acknowledged is there afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { StorageUnavailable } from '../../src/core/errors.ts';
import { PostgresStorage } from '../../src/storage/postgres/postgres.adapter.ts';
import { isUnavailable } from '../../src/storage/postgres/postgres.database.ts';
import { startServer, type ServerProcess } from '../support/server.ts';
import { PRIVATE_PG_SKIP, startPrivatePostgres, type PrivatePostgres } from '../support/pg-private.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };
const WRITERS = 6;

interface Load {
  acknowledged: string[];
  statuses: Map<number, number>;
  /** 503 answers without a Retry-After header. */
  without: number;
  /** Requests that got no HTTP answer at all (connection refused or reset). */
  dropped: string[];
  stop(): Promise<void>;
}

/** WRITERS loops creating entities one after the other until stopped. */
function writeLoad(url: string, prefix: string): Load {
  const load: Load = { acknowledged: [], statuses: new Map(), without: 0, dropped: [], stop: async () => {} };
  let running = true;
  let n = 0;
  const loops = Array.from({ length: WRITERS }, async () => {
    while (running) {
      const id = `urn:ngsi-ld:Sensor:${prefix}-${n++}`;
      try {
        const r = await fetch(`${url}/ngsi-ld/v1/entities`, {
          method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ id, type: 'Sensor', temperature: { type: 'Property', value: n } }),
          signal: AbortSignal.timeout(20_000),
        });
        await r.arrayBuffer();
        load.statuses.set(r.status, (load.statuses.get(r.status) ?? 0) + 1);
        if (r.status === 201) load.acknowledged.push(id);
        if (r.status === 503 && !r.headers.get('retry-after')) load.without++;
        if (r.status !== 201) await new Promise((res) => setTimeout(res, 20));
      } catch (e) {
        load.dropped.push(`${id}: ${(e as Error).message} ${String((e as { cause?: unknown }).cause ?? '')}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  });
  load.stop = async () => { running = false; await Promise.all(loops); };
  return load;
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('connection failures of every kind count as "database unavailable" (503), including a pool that cannot connect in time', () => {
  for (const m of ['Connection terminated unexpectedly', 'timeout exceeded when trying to connect', 'Client has encountered a connection error and is not queryable']) {
    assert.ok(isUnavailable(new Error(m)), m);
  }
  assert.ok(isUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })));
  assert.equal(isUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' })), false);
});

describe('PostgreSQL restarting under write load (issue #13 item 5)', { skip: PRIVATE_PG_SKIP }, () => {
  let db: PrivatePostgres;
  let node: ServerProcess;
  let dir: string;
  before(async () => {
    db = await startPrivatePostgres();
    dir = mkdtempSync(join(tmpdir(), 'ds-outage-'));
    node = await startServer({ DATABASE_URL: db.url, DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_PG_POOL: '4', DREHSCHEIBE_CONTEXT_REMOTE: 'off', LOG_LEVEL: 'error' }, 60_000);
  });
  after(async () => {
    node?.child.kill('SIGKILL');
    await node?.exited;
    db?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a backend that ends while its client is lent to a transaction (idle in transaction) fails that transaction with StorageUnavailable, not the process', async () => {
    const schema = `t_outage_${process.pid}`;
    const storage = await PostgresStorage.open({ url: db.url, schema, poolSize: 2 });
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const attempt = storage.withTransaction(async (tx) => {
        await tx.entities.get('', 'urn:ngsi-ld:Sensor:a');
        // The session is now idle in transaction, its client checked out of the pool: end it from outside.
        const ended = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'", [`drehscheibe:${schema}`]);
        assert.equal(ended.rowCount, 1);
        await new Promise((r) => setTimeout(r, 300)); // the client sees the connection end while no query runs
        return tx.entities.get('', 'urn:ngsi-ld:Sensor:b');
      });
      await assert.rejects(attempt, StorageUnavailable);
      // The broken client was dropped: the next transaction gets a fresh connection.
      assert.equal(await storage.withTransaction((tx) => tx.entities.get('', 'urn:ngsi-ld:Sensor:c')), undefined);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      await admin.end();
      await storage.close();
    }
  });

  for (const mode of ['fast', 'immediate'] as const) {
    test(`pg_ctl stop -m ${mode} with writes in flight: 503 with Retry-After, the node lives on and recovers, no acknowledged write lost`, async () => {
      const load = writeLoad(node.url, mode);
      await until('some writes succeeded', async () => load.acknowledged.length >= 20);
      await new Promise((r) => setTimeout(r, 200));
      db.stop(mode);
      await until('writes are refused with 503', async () => {
        if (node.child.exitCode !== null) throw new Error(`the node exited with ${node.child.exitCode}: ${node.output().slice(-3000)}`);
        return (load.statuses.get(503) ?? 0) >= 10;
      }, 15_000);
      assert.equal(node.child.exitCode, null, `the node exited: ${node.output().slice(-2000)}`);
      const health = await fetch(`${node.url}/health`);
      assert.equal(health.status, 200, 'the process still answers');
      db.start();
      const before = load.acknowledged.length;
      await until('writes succeed again', async () => load.acknowledged.length >= before + 20, 30_000);
      await load.stop();
      assert.equal(node.child.exitCode, null, `the node exited: ${node.output().slice(-2000)}`);
      assert.deepEqual(load.dropped, [], 'every request got an HTTP answer');
      assert.equal(load.without, 0, 'every 503 carries Retry-After');
      const unexpected = [...load.statuses.keys()].filter((s) => s !== 201 && s !== 503);
      assert.deepEqual(unexpected, [], `only 201 and 503 answers: ${JSON.stringify([...load.statuses])}`);
      for (const id of load.acknowledged) {
        const r = await fetch(`${node.url}/ngsi-ld/v1/entities/${encodeURIComponent(id)}`);
        assert.equal(r.status, 200, `acknowledged ${id} is stored`);
      }
    });
  }
});
