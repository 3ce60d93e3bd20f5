// Issue #13 item 7: a node restarted right after kill -9 recognises the lease its previous process left in
// cluster_nodes (same data directory, same host, that process gone) and starts, instead of taking it for
// another node and refusing to start with the embedded MQTT broker. A really different live node still counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, startServer, type ServerProcess } from '../support/server.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';

test('[cluster] a node restarted within its lease after kill -9 ends its own stale lease and starts at once; another live node is still refused', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  const dirs = [mkdtempSync(join(tmpdir(), 'ds-lease-a-')), mkdtempSync(join(tmpdir(), 'ds-lease-b-'))];
  const env = async (dir: string) => ({
    DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: schema, DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_PG_POOL: '2',
    // The embedded broker (MQTT_PORT not 0) is what makes a node refuse to start next to another one.
    MQTT_PORT: String(await freePort()), DREHSCHEIBE_CONTEXT_REMOTE: 'off', DREHSCHEIBE_CLUSTER_LEASE_MS: '20000',
  });
  const started: ServerProcess[] = [];
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const liveLeases = async () => (await admin.query(`SELECT node_id FROM "${schema}".cluster_nodes WHERE expires_at > now()`)).rows.map((r) => r.node_id as string);
  try {
    const first = await startServer(await env(dirs[0]), 60_000);
    started.push(first);
    assert.equal((await liveLeases()).length, 1);
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal((await liveLeases()).length, 1, 'the killed process left its lease (20 s) behind');

    const t0 = Date.now();
    const again = await startServer(await env(dirs[0]), 60_000); // old code: exits 2, "several nodes share this database"
    started.push(again);
    assert.ok(Date.now() - t0 < 15_000, `recognised at once, not waited out (${Date.now() - t0} ms; the lease is 20 s)`);
    const live = await liveLeases();
    assert.equal(live.length, 1, `only the new process holds a lease: ${live.join(', ')}`);
    assert.equal((await fetch(`${again.url}/health`)).status, 200);

    // A node with its own data directory is another node: the embedded broker cannot serve both (after
    // waiting one lease in case that node were gone).
    await assert.rejects(startServer(await env(dirs[1]), 60_000), /exited with 2[\s\S]*several nodes share this database/);
  } finally {
    for (const s of started) if (s.child.exitCode === null) { s.child.kill('SIGKILL'); await s.exited; }
    await admin.end();
    await dropSchema(schema);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('[cluster] a stale lease that is not recognisably our own (another host, another data directory) is waited out instead of refusing to start', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  const dir = mkdtempSync(join(tmpdir(), 'ds-lease-w-'));
  const storage = await openPgStorage(schema); // creates the schema and its tables
  await storage.close();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  let node: ServerProcess | undefined;
  try {
    // A node that died on another host: its lease runs for another 10 s (longer than this node takes to start) and is never renewed.
    await admin.query(`INSERT INTO "${schema}".cluster_nodes (node_id, heartbeat_at, expires_at) VALUES ('ghost', now(), now() + interval '10 seconds')`);
    node = await startServer({
      DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: schema, DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_PG_POOL: '2', MQTT_PORT: String(await freePort()),
      DREHSCHEIBE_CONTEXT_REMOTE: 'off', DREHSCHEIBE_CLUSTER_LEASE_MS: '10000', DREHSCHEIBE_CLUSTER_HEARTBEAT_MS: '1000',
    }, 60_000); // old code: exits 2 at once, "several nodes share this database"
    assert.equal((await fetch(`${node.url}/health`)).status, 200);
  } finally {
    if (node && node.child.exitCode === null) { node.child.kill('SIGKILL'); await node.exited; }
    await admin.end();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  }
});
