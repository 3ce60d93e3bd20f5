// Migrations on databases that already hold data. 008 on history: last_ts is filled from the stored
// instances, so the first write after the upgrade at an instant that exists keeps both instances;
// and a stale last_ts (an older node that does not maintain it) costs a rerun, not the write. 010 on
// the cluster feed: existing rows get the migration's transaction id (the feed reads by it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { PostgresStorage } from '../../src/storage/postgres/postgres.adapter.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const at = (min: number) => new Date(Date.parse('2026-11-01T00:00:00Z') + min * 60_000).toISOString();
const entry = (v: number, min: number) => ({ attr: V + 'temperature', instance: { type: 'Property' as const, value: v, observedAt: at(min) } });

const write = (s: PostgresStorage, id: string, entries: ReturnType<typeof entry>[], min: number) =>
  s.withTransaction((tx) => tx.history.append('', { id, types: [V + 'T'] }, entries, at(min)));

/** The values of an entity's temperature history, sorted. */
async function values(s: PostgresStorage, id: string): Promise<unknown[]> {
  const series = (await s.temporal.getEntity('', id))!.series[0];
  return (await s.temporal.instances(series, { window: { property: 'observedAt' }, limit: 10 })).map((i) => i.instance.value).sort();
}

/** A fresh schema, an admin connection and storages opened on it (closed, and the schema dropped, afterwards). */
async function withSchema(fn: (c: { schema: string; admin: pg.Client; open: () => Promise<PostgresStorage> }) => Promise<void>): Promise<void> {
  const schema = freshSchema();
  const opened: PostgresStorage[] = [];
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await fn({ schema, admin, open: async () => { const s = await openPgStorage(schema); opened.push(s); return s; } });
  } finally {
    await admin.end();
    for (const s of opened) await s.close().catch(() => {});
    await dropSchema(schema);
  }
}

test('migration 008 fills last_ts from existing history; writes after the upgrade keep every instance', { skip: PG_SKIP }, () => withSchema(async ({ schema, admin, open }) => {
  const before = await open();
  await write(before, 'urn:e:up', [entry(1, 10), entry(2, 20)], 30);
  await before.close();
  // Back to the schema as migration 007 left it.
  await admin.query(`SET search_path = "${schema}"; ALTER TABLE temporal_entities DROP COLUMN last_ts;
    ALTER TABLE entity_geo ADD CONSTRAINT entity_geo_pk_fkey FOREIGN KEY (pk) REFERENCES entities(pk) ON DELETE CASCADE;
    DELETE FROM schema_migrations WHERE version = 8`);
  const s = await open();
  const last = (await admin.query(`SELECT last_ts FROM "${schema}".temporal_entities WHERE id = 'urn:e:up'`)).rows[0].last_ts;
  assert.equal(Number(last), Date.parse(at(20)));
  const fk = (await admin.query(`SELECT count(*)::int AS n FROM pg_constraint WHERE conname = 'entity_geo_pk_fkey' AND connamespace = $1::regnamespace`, [schema])).rows[0].n;
  assert.equal(fk, 0);
  // The same instant again, and a later one.
  await write(s, 'urn:e:up', [entry(3, 20), entry(4, 25)], 31);
  assert.deepEqual(await values(s, 'urn:e:up'), [1, 2, 3, 4]);
}));

test('a stale last_ts (left by a node of an older version) costs one rerun, not the write', { skip: PG_SKIP }, () => withSchema(async ({ schema, admin, open }) => {
  const s = await open();
  await write(s, 'urn:e:stale', [entry(1, 10), entry(2, 20)], 30);
  // As if an older node had written the instant at minute 20 without raising last_ts.
  await admin.query(`UPDATE "${schema}".temporal_entities SET last_ts = $1 WHERE id = 'urn:e:stale'`, [Date.parse(at(10))]);
  await write(s, 'urn:e:stale', [entry(3, 20)], 31);
  assert.deepEqual(await values(s, 'urn:e:stale'), [1, 2, 3]);
}));

test('migration 010 stamps existing feed rows with its transaction id; a node started after it hands over only newer rows', { skip: PG_SKIP }, () => withSchema(async ({ schema, admin, open }) => {
  const row = (id: string) => JSON.stringify([{ kind: 'subscription', tenant: '', id }]);
  const before = await open();
  await before.close();
  // Back to the schema as migration 009 left it, with feed rows written then.
  await admin.query(`SET search_path = "${schema}"; ALTER TABLE cluster_changes DROP COLUMN xid; DELETE FROM schema_migrations WHERE version = 10`);
  for (const id of ['old-1', 'old-2']) await admin.query(`INSERT INTO "${schema}".cluster_changes (origin, events) VALUES ('elsewhere', $1)`, [row(id)]);
  const s = await open();
  const stamped = (await admin.query(`SELECT DISTINCT xid::text AS xid FROM "${schema}".cluster_changes`)).rows;
  assert.equal(stamped.length, 1, 'both rows carry the id of the migration\'s transaction');
  const index = (await admin.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = $1 AND indexname = 'cluster_changes_xid'`, [schema])).rows[0].n;
  assert.equal(index, 1);
  const got: string[] = [];
  await s.cluster.start({ heartbeatMs: 50, leaseMs: 500 }, {
    events: (events) => { for (const e of events) if (e.kind === 'subscription') got.push(e.id); },
    nodesGone: () => {},
  });
  await admin.query(`INSERT INTO "${schema}".cluster_changes (origin, events) VALUES ('elsewhere', $1)`, [row('new')]);
  const end = Date.now() + 5000;
  while (!got.includes('new') && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 250));
  assert.deepEqual(got, ['new']);
}));

test('migrations 012 and 013 back-fill the kept counts and the keyed geo index of existing entities', { skip: PG_SKIP }, () => withSchema(async ({ schema, admin, open }) => {
  const LOC = 'https://uri.etsi.org/ngsi-ld/location';
  const T0 = at(0);
  const rec = (i: number, types: string[]) => ({ id: `urn:m:${i}`, types, createdAt: T0, modifiedAt: T0,
    attrs: { [LOC]: [{ type: 'GeoProperty' as const, value: { type: 'Point', coordinates: [7 + i * 0.001, 51] }, createdAt: T0, modifiedAt: T0 }] } });
  const before = await open();
  await before.withTransaction(async (tx) => { for (let i = 0; i < 30; i++) await tx.entities.insert('', rec(i, i % 3 ? [V + 'A'] : [V + 'A', V + 'B'])); });
  await before.close();
  // Back to the schema as migration 011 left it.
  await admin.query(`SET search_path = "${schema}", public; DROP TRIGGER entities_count_insert ON entities; DROP TRIGGER entities_count_delete ON entities;
    DROP TRIGGER entities_count_retype ON entities; DROP FUNCTION entity_counts_insert(), entity_counts_delete(), entity_counts_retype(), entity_counts_add(text, text, bigint);
    DROP TABLE entity_counts; DROP INDEX entity_geo_key; DELETE FROM schema_migrations WHERE version IN (12, 13)`);
  const s = await open();
  const count = async (f: object) => (await s.entities.queryKeys('', f, { limit: 0, offset: 0, count: true })).count;
  assert.equal(await count({ types: { kind: 'type', name: V + 'A' } }), 30);
  assert.equal(await count({ types: { kind: 'type', name: V + 'B' } }), 10);
  assert.equal(await count({}), 30);
  const geo = { property: LOC, bbox: [7.0095, 50.9, 7.0205, 51.1] as [number, number, number, number], predicate: () => true };
  const page = await s.entities.queryKeys('', { geo }, { limit: 5, offset: 2, count: false });
  assert.deepEqual(page.keys.map((k) => k.id), ['urn:m:12', 'urn:m:13', 'urn:m:14', 'urn:m:15', 'urn:m:16'], 'the third to seventh entity in the window, in key order');
}));
