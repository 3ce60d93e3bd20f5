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
import type { QNode } from '../../src/storage/query-ast.ts';

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

test('an indexed equality walks its indexes in pk order (one branch per value and one for arrays): same entities, pages and counts as without', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-ix-'));
  const s = SqliteStorage.inDataDir(dir);
  try {
    const now = new Date().toISOString();
    const statusOf = (i: number): unknown => (i === 7 ? ['ok', 'maintenance'] : i === 8 ? ['maintenance'] : i === 9 ? 5 : i === 10 ? '5' : i % 50 === 0 ? 'maintenance' : 'ok');
    await s.withTransaction(async (tx) => {
      for (let i = 0; i < 300; i++) {
        await tx.entities.insert('', { id: `urn:x:${String(i).padStart(3, '0')}`, types: [V + (i % 7 ? 'T' : 'U')], createdAt: now, modifiedAt: now, attrs: {
          [V + 'status']: [{ type: 'Property', value: statusOf(i) }],
          [V + 'n']: [{ type: 'Property', value: i % 10 }],
        } });
      }
    });
    const q = (text: string): QNode => {
      const expand = (n: QNode): QNode => (n.kind === 'and' || n.kind === 'or' ? { kind: n.kind, items: n.items.map(expand) } : { ...n, path: { ...n.path, attr: V + n.path.attr } } as QNode);
      return expand(parseQ(text));
    };
    const queries = ['status=="maintenance"', 'status=="maintenance","ok"', 'status==5', 'status=="5"', 'status=="maintenance";n>=5', 'n<3;status=="maintenance"', 'status=="maintenance"|n==1'];
    const snapshot = async () => {
      const out: Record<string, { all: string[]; pages: string[]; count?: number }> = {};
      for (const text of queries) {
        for (const types of [{ kind: 'type', name: V + 'T' } as const, undefined]) {
          const f = { types, q: q(text) };
          const all = await s.entities.query('', f, { limit: 1000, offset: 0, count: true });
          const pages: string[] = [];
          for (let offset = 0; offset < all.entities.length + 3; offset += 3) pages.push(...(await s.entities.queryKeys('', f, { limit: 3, offset, count: false })).keys.map((k) => k.id));
          out[`${text} ${types ? 'T' : '*'}`] = { all: all.entities.map((e) => e.id), pages, count: all.count };
        }
      }
      return out;
    };
    const before = await snapshot();
    assert.equal(before['status=="maintenance" *'].count, 8, 'six scalar matches and two arrays holding the value');
    await s.ensureAttributeIndexes([V + 'status']);
    const after = await snapshot();
    for (const k of Object.keys(before)) {
      assert.deepEqual(after[k], before[k], k);
      assert.deepEqual(after[k].pages, after[k].all, `${k}: pages of 3 concatenate to the full result in pk order`);
    }
    const c = compileFilter('', { types: { kind: 'type', name: V + 'T' }, q: q('status=="maintenance"') }, new MatchRegistry(), new Set([V + 'status']));
    assert.equal(c.branches?.length, 2, 'one walk for the value, one for the undecided');
    const db = new Database(join(dir, 'drehscheibe.sqlite'), { readonly: true });
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(c.params) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
    assert.match(plan(`SELECT e.pk FROM entities e WHERE ${c.branches![0]} ORDER BY e.pk`), /ix_attr_\w+_v/);
    assert.doesNotMatch(plan(`SELECT e.pk FROM entities e WHERE ${c.branches![0]} ORDER BY e.pk`), /TEMP B-TREE/, 'the value walk is in pk order');
    assert.match(plan(`SELECT e.pk FROM entities e WHERE ${c.branches![1]} ORDER BY e.pk`), /ix_attr_\w+_o/);
    db.close();
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
