// DATABASE_URL selects PostgreSQL in the real server: two nodes started at the same moment on one
// (new) schema migrate it once under the advisory lock, both answer reads and writes, and an
// acknowledged write survives kill -9 of the node that took it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, startServer } from '../support/server.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';

test('two nodes on one PostgreSQL schema: concurrent start-up migrates once; writes on one are read on the other', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  const dirs = [mkdtempSync(join(tmpdir(), 'ds-node-a-')), mkdtempSync(join(tmpdir(), 'ds-node-b-'))];
  const env = (dir: string) => ({ DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: schema, DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_PG_POOL: '4' });
  const [a, b] = await Promise.all(dirs.map((d) => startServer(env(d))));
  try {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const versions = (await admin.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).rows.map((r) => r.version);
    await admin.end();
    const files = readdirSync(join(import.meta.dirname, '../../src/storage/postgres/migrations')).filter((f) => f.endsWith('.sql'));
    assert.deepEqual(versions, files.map((f) => Number(f.split('-')[0])).sort((x, y) => x - y), 'every migration applied exactly once');
    const post = await fetch(a.url + '/ngsi-ld/v1/entities', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'urn:ngsi-ld:Counter:1', type: 'Counter', n: { type: 'Property', value: 1 } }),
    });
    assert.equal(post.status, 201);
    const patch = await fetch(b.url + '/ngsi-ld/v1/entities/urn:ngsi-ld:Counter:1/attrs', {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: { type: 'Property', value: 2 } }),
    });
    assert.equal(patch.status, 204, 'node B writes what node A created');
    a.child.kill('SIGKILL');
    await a.exited;
    const e = await (await fetch(b.url + '/ngsi-ld/v1/entities/urn:ngsi-ld:Counter:1?options=keyValues')).json() as { n: number };
    assert.equal(e.n, 2);
    const ready = await (await fetch(b.url + '/ready')).json() as { storage: string };
    assert.equal(ready.storage, 'postgres');
  } finally {
    for (const s of [a, b]) if (s.child.exitCode === null) { s.child.kill('SIGTERM'); await s.exited; }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchema(schema);
  }
});

test('an invalid DREHSCHEIBE_PG_SCHEMA is refused at start-up with the reason', async () => {
  const { loadConfig } = await import('../../src/config/config.ts');
  assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/db', DREHSCHEIBE_PG_SCHEMA: 'a; drop' }), /DREHSCHEIBE_PG_SCHEMA: expected a plain identifier/);
});

test('a second node on the same database refuses the embedded MQTT broker, saying what to use instead', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  const dirs = [mkdtempSync(join(tmpdir(), 'ds-node-a-')), mkdtempSync(join(tmpdir(), 'ds-node-b-'))];
  const env = (dir: string, extra: Record<string, string> = {}) => ({ DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: schema, DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_PG_POOL: '4', ...extra });
  const a = await startServer(env(dirs[0]));
  try {
    await assert.rejects(startServer(env(dirs[1], { MQTT_PORT: String(await freePort()) }), 30_000), (e: Error) =>
      /server exited with 2/.test(e.message) && /several nodes share this database/.test(e.message) && /MQTT_URL/.test(e.message));
    // With MQTT_PORT=0 (the default of startServer) the second node starts.
    const b = await startServer(env(dirs[1]));
    b.child.kill('SIGTERM');
    await b.exited;
  } finally {
    a.child.kill('SIGTERM');
    await a.exited;
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchema(schema);
  }
});

