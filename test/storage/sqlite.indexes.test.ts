// The SQLite adapter's value indexes: created from configuration, used by q equality, dropped
// when no longer configured, and never change results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import { compileFilter } from '../../src/storage/sqlite/sqlite.query-compiler.ts';
import { MatchRegistry } from '../../src/storage/sqlite/sqlite.database.ts';
import { parseQ } from '../../src/ngsi-ld/query/q.parser.ts';
import type { QNode } from '../../src/ngsi-ld/query/q.ast.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';

test('q equality on an indexed attribute is answered from the index, with the same results', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-ix-'));
  const s = SqliteStorage.inDataDir(dir);
  try {
    const now = new Date().toISOString();
    await s.withTransaction(async (tx) => {
      for (let i = 0; i < 300; i++) {
        await tx.entities.insert('', { id: `urn:x:${i}`, types: [V + 'T'], createdAt: now, modifiedAt: now, attrs: {
          [V + 'status']: [{ type: 'Property', value: i % 50 === 0 ? 'maintenance' : i === 7 ? ['ok', 'maintenance'] : 'ok' }],
          [V + 'ref']: [{ type: 'Relationship', object: `urn:dev:${i % 3}` }],
        } });
      }
    });
    const q = (text: string): QNode => { const n = parseQ(text) as Extract<QNode, { kind: 'cmp' }>; return { ...n, path: { ...n.path, attr: V + n.path.attr } }; };
    const ids = async (text: string) => (await s.entities.query('', { types: { kind: 'type', name: V + 'T' }, q: q(text) }, { limit: 1000, offset: 0, count: false })).entities.map((e) => e.id).sort();
    const before = { status: await ids('status=="maintenance"'), ref: await ids('ref=="urn:dev:1"') };
    assert.equal(before.status.length, 7, '6 scalar matches and one array match');
    await s.ensureAttributeIndexes([V + 'status', V + 'ref']);
    assert.deepEqual(await ids('status=="maintenance"'), before.status);
    assert.deepEqual(await ids('ref=="urn:dev:1"'), before.ref);
    assert.deepEqual(await ids('status=="maintenance","nothing"'), before.status);

    const db = new Database(join(dir, 'drehscheibe.sqlite'), { readonly: true });
    const c = compileFilter('', { types: { kind: 'type', name: V + 'T' }, q: q('status=="maintenance"') }, new MatchRegistry(), new Set([V + 'status']));
    const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT e.id FROM ${c.from} WHERE ${c.where}`).all(c.params) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
    assert.match(plan, /ix_attr_\w+_v/, plan);
    db.close();

    await s.ensureAttributeIndexes([V + 'ref']);
    const db2 = new Database(join(dir, 'drehscheibe.sqlite'), { readonly: true });
    const names = (db2.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'ix_attr_%'").all() as Array<{ name: string }>).length;
    db2.close();
    assert.equal(names, 2, 'only the indexes of ref remain');
    assert.deepEqual(await ids('status=="maintenance"'), before.status);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
