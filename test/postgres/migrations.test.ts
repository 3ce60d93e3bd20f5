// Migration 008 on a database that already holds history: last_ts is filled from the stored
// instances, so the first write after the upgrade at an instant that exists keeps both instances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PG_SKIP, PG_URL, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const at = (min: number) => new Date(Date.parse('2026-11-01T00:00:00Z') + min * 60_000).toISOString();
const entry = (v: number, min: number) => ({ attr: V + 'temperature', instance: { type: 'Property' as const, value: v, observedAt: at(min) } });

test('migration 008 fills last_ts from existing history; writes after the upgrade keep every instance', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  let s = await openPgStorage(schema);
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await s.withTransaction((tx) => tx.history.append('', { id: 'urn:e:up', types: [V + 'T'] }, [entry(1, 10), entry(2, 20)], at(30)));
    await s.close();
    // Back to the schema as migration 007 left it.
    await admin.query(`SET search_path = "${schema}"; ALTER TABLE temporal_entities DROP COLUMN last_ts;
      ALTER TABLE entity_geo ADD CONSTRAINT entity_geo_pk_fkey FOREIGN KEY (pk) REFERENCES entities(pk) ON DELETE CASCADE;
      DELETE FROM schema_migrations WHERE version = 8`);
    s = await openPgStorage(schema);
    const last = (await admin.query(`SELECT last_ts FROM "${schema}".temporal_entities WHERE id = 'urn:e:up'`)).rows[0].last_ts;
    assert.equal(Number(last), Date.parse(at(20)));
    const fk = (await admin.query(`SELECT count(*)::int AS n FROM pg_constraint WHERE conname = 'entity_geo_pk_fkey' AND connamespace = $1::regnamespace`, [schema])).rows[0].n;
    assert.equal(fk, 0);
    // The same instant again, and a later one.
    await s.withTransaction((tx) => tx.history.append('', { id: 'urn:e:up', types: [V + 'T'] }, [entry(3, 20), entry(4, 25)], at(31)));
    const series = (await s.temporal.getEntity('', 'urn:e:up'))!.series[0];
    const values = (await s.temporal.instances(series, { window: { property: 'observedAt' }, limit: 10 })).map((i) => i.instance.value).sort();
    assert.deepEqual(values, [1, 2, 3, 4]);
  } finally {
    await admin.end();
    await s.close();
    await dropSchema(schema);
  }
});

test('a stale last_ts (left by a node of an older version) costs one rerun, not the write', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  const s = await openPgStorage(schema);
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await s.withTransaction((tx) => tx.history.append('', { id: 'urn:e:stale', types: [V + 'T'] }, [entry(1, 10), entry(2, 20)], at(30)));
    // As if an older node had written the instant at minute 20 without raising last_ts.
    await admin.query(`UPDATE "${schema}".temporal_entities SET last_ts = $1 WHERE id = 'urn:e:stale'`, [Date.parse(at(10))]);
    await s.withTransaction((tx) => tx.history.append('', { id: 'urn:e:stale', types: [V + 'T'] }, [entry(3, 20)], at(31)));
    const series = (await s.temporal.getEntity('', 'urn:e:stale'))!.series[0];
    const values = (await s.temporal.instances(series, { window: { property: 'observedAt' }, limit: 10 })).map((i) => i.instance.value).sort();
    assert.deepEqual(values, [1, 2, 3]);
  } finally {
    await admin.end();
    await s.close();
    await dropSchema(schema);
  }
});
