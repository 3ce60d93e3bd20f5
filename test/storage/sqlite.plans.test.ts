// Query plans of the SQLite reader's lookups by id (issue #19): SQLite keeps no statistics here
// (no ANALYZE), so a plan must not depend on its guesses. Each id is a probe of the (tenant, id)
// index, never a walk of the tenant's entities; results are covered by the contract suites.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GET_MANY_SQL, SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';

function plan(db: Database.Database, sql: string, params: unknown[]): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
}

test('getMany probes the (tenant, id) index per id and reads no other entity, with or without value indexes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-plans-'));
  const s = SqliteStorage.inDataDir(dir);
  try {
    const now = new Date().toISOString();
    await s.withTransaction(async (tx) => {
      for (let i = 0; i < 50; i++) {
        await tx.entities.insert('', { id: `urn:p:${i}`, types: ['urn:T'], createdAt: now, modifiedAt: now, attrs: { 'urn:status': [{ type: 'Property', value: 'ok' }] } });
      }
    });
    for (const indexed of [[], ['urn:status']]) {
      await s.ensureAttributeIndexes(indexed);
      const db = new Database(join(dir, 'drehscheibe.sqlite'), { readonly: true });
      try {
        const steps = plan(db, GET_MANY_SQL, ['', JSON.stringify(['urn:p:1', 'urn:p:2'])]);
        const onEntities = steps.filter((d) => /\b(e|entities)\b/.test(d) && !/json_each/.test(d));
        assert.ok(onEntities.length > 0, steps.join('\n'));
        for (const d of onEntities) assert.match(d, /^SEARCH e USING (COVERING )?INDEX entities_tenant_id \(tenant=\? AND id=\?\)/, steps.join('\n'));
        assert.equal((await s.entities.getMany('', ['urn:p:1', 'urn:p:2', 'urn:p:99'])).length, 2);
      } finally {
        db.close();
      }
    }
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
