// The database going away mid-request: the request gets 503 with a ProblemDetails, the node
// recovers by itself when the database answers again, and a half-applied batch never shows.
// The backends of the app's pool are terminated (pg_terminate_backend) while a request waits on a lock.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { PostgresStorage } from '../../src/storage/postgres/postgres.adapter.ts';
import { JSON_HEADERS } from '../support/app.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';

const entity = (id: string, v = 1) => ({
  id, type: 'Sensor', temperature: { type: 'Property', value: v },
  '@context': 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld',
});

describe('PostgreSQL unavailable mid-request', { skip: PG_SKIP }, () => {
  const schema = freshSchema();
  let storage: PostgresStorage;
  let app: App;
  let admin: pg.Client;

  /** Ends every session of the app's pool; returns how many. */
  const terminate = async () => (await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", [`drehscheibe:${schema}`])).rowCount;
  /** Waits until one of the app's sessions is blocked on a lock. */
  const waitForLockWait = async () => {
    for (let i = 0; i < 200; i++) {
      const r = await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [`drehscheibe:${schema}`]);
      if (r.rowCount) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the request never waited on the lock');
  };

  before(async () => {
    storage = await openPgStorage(schema);
    app = await buildApp(loadConfig({ DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off', LOG_LEVEL: 'silent' }), { storage });
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`SET search_path = "${schema}", public`);
  });
  after(async () => {
    await app?.close();
    await storage?.close();
    await admin?.end();
    await dropSchema(schema);
  });

  test('a read whose connection is terminated gets 503 ServiceUnavailable; the next read succeeds', async () => {
    const created = await app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'content-type': 'application/ld+json' }, payload: entity('urn:s:1') });
    assert.equal(created.statusCode, 201);
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE entities IN ACCESS EXCLUSIVE MODE');
    const pending = app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:s:1' });
    await waitForLockWait();
    assert.ok((await terminate())! >= 1);
    await admin.query('ROLLBACK');
    const r = await pending;
    assert.equal(r.statusCode, 503);
    const body = r.json() as { type: string; status: number; detail: string };
    assert.equal(body.type, 'https://uri.etsi.org/ngsi-ld/errors/ServiceUnavailable');
    assert.equal(body.status, 503);
    assert.doesNotMatch(r.body, /postgres|at \//i, 'no driver detail or stack in the body');
    const again = await app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:s:1' });
    assert.equal(again.statusCode, 200);
    assert.equal((again.json() as { temperature: { value: number } }).temperature.value, 1);
  });

  test('a batch cut off mid-transaction leaves none of its entities; acknowledged writes stay', async () => {
    await admin.query('BEGIN');
    // The batch writes entities, then blocks on the history table: half-applied when the connection dies.
    await admin.query('LOCK TABLE temporal_instances IN ACCESS EXCLUSIVE MODE');
    const pending = app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/create', headers: JSON_HEADERS,
      payload: [1, 2, 3].map((i) => ({ id: `urn:s:b${i}`, type: 'Sensor', temperature: { type: 'Property', value: i } })) });
    await waitForLockWait();
    await terminate();
    await admin.query('ROLLBACK');
    assert.equal((await pending).statusCode, 503);
    const list = await app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Sensor&count=true' });
    assert.equal(list.statusCode, 200);
    assert.deepEqual((list.json() as Array<{ id: string }>).map((e) => e.id), ['urn:s:1'], 'only the acknowledged entity');
    const retry = await app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/create', headers: JSON_HEADERS,
      payload: [1, 2, 3].map((i) => ({ id: `urn:s:b${i}`, type: 'Sensor', temperature: { type: 'Property', value: i } })) });
    assert.equal(retry.statusCode, 201);
  });

  test('start-up against a database that is down fails with StorageUnavailable (main.ts exits with its message)', async () => {
    const down = new URL(PG_URL!);
    down.port = '9'; // nothing listens there
    await assert.rejects(PostgresStorage.open({ url: down.toString(), schema: freshSchema() }),
      (e: Error) => e.name === 'StorageUnavailable' && /database unavailable/.test(e.message));
  });
});
