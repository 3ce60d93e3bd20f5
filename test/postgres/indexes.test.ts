// The PostgreSQL adapter's value indexes: created from configuration in the (tenant, value, pk)
// shape, replacing indexes of the earlier shape; q equality driven by them gives the same entities,
// pages and counts as without them, array values included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { parseQ } from '../../src/ngsi-ld/query/q.parser.ts';
import type { QNode } from '../../src/storage/query-ast.ts';
import type { EntityFilter } from '../../src/storage/port.ts';
import { indexExpressions } from '../../src/storage/postgres/postgres.query-compiler.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const T0 = '2026-11-26T10:00:00.000Z';

function statusOf(i: number): unknown {
  if (i === 7) return ['ok', 'maintenance'];
  if (i === 8) return ['maintenance'];
  if (i === 9) return 5;
  if (i === 10) return '5';
  return i % 50 === 0 ? 'maintenance' : 'ok';
}

/** q with its attribute names expanded (the service does this with the request's @context). */
function q(text: string): QNode {
  const expand = (n: QNode): QNode => {
    switch (n.kind) {
      case 'and': case 'or': return { kind: n.kind, items: n.items.map(expand) };
      default: return { ...n, path: { ...n.path, attr: V + n.path.attr } };
    }
  };
  return expand(parseQ(text));
}

test('q equality on an indexed attribute walks the (tenant, value, pk) index and gives the same entities, pages and counts', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  const s = await openPgStorage(schema);
  try {
    await s.withTransaction(async (tx) => {
      for (let i = 0; i < 300; i++) {
        await tx.entities.insert('', { id: `urn:x:${String(i).padStart(3, '0')}`, types: [V + 'T'], createdAt: T0, modifiedAt: T0, attrs: {
          [V + 'status']: [{ type: 'Property', value: statusOf(i) }],
          [V + 'ref']: [{ type: 'Relationship', object: `urn:dev:${i % 3}` }],
          [V + 'n']: [{ type: 'Property', value: i % 10 }],
        } });
      }
    });
    const filter = (text: string): EntityFilter => ({ types: { kind: 'type', name: V + 'T' }, q: q(text) });
    const queries = ['status=="maintenance"', 'status=="maintenance","nothing"', 'status=="maintenance","ok"', 'status==5', 'status=="5"',
      'ref=="urn:dev:1"', 'status=="maintenance";n>=5', 'n<3;status=="maintenance"', 'status=="maintenance"|n==1'];
    const snapshot = async () => {
      const out: Record<string, { all: string[]; pages: string[][]; count?: number; keys: string[] }> = {};
      for (const text of queries) {
        const all = (await s.entities.query('', filter(text), { limit: 1000, offset: 0, count: true }));
        const pages: string[][] = [];
        for (let offset = 0; offset < all.entities.length + 3; offset += 3) {
          pages.push((await s.entities.query('', filter(text), { limit: 3, offset, count: false })).entities.map((e) => e.id));
        }
        const keys = (await s.entities.queryKeys('', filter(text), { limit: 4, offset: 2, count: false })).keys.map((k) => k.id);
        out[text] = { all: all.entities.map((e) => e.id), pages, count: all.count, keys };
      }
      return out;
    };
    const before = await snapshot();
    assert.equal(before['status=="maintenance"'].count, 8, 'six scalar matches and two arrays holding the value');
    assert.deepEqual(before['status==5'].all, ['urn:x:009']);
    assert.deepEqual(before['status=="5"'].all, ['urn:x:010']);

    await s.ensureAttributeIndexes([V + 'status', V + 'ref']);
    const after = await snapshot();
    for (const text of queries) {
      assert.deepEqual(after[text], before[text], text);
      assert.deepEqual(after[text].pages.flat(), after[text].all, `${text}: pages of 3 concatenate to the full result in order`);
    }

    // The equality is answered from the value index in pk order (no sort of all matches).
    const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema},public` });
    await c.connect();
    try {
      await c.query('ANALYZE entities');
      const ix = indexExpressions(V + 'status');
      const plan = (await c.query(`EXPLAIN SELECT pk FROM entities WHERE tenant = '' AND ${ix.scalar} = 'maintenance' ORDER BY pk LIMIT 2`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(plan, /Index Scan using ix_attr_\w+_vp/, plan);
      assert.doesNotMatch(plan, /Sort/, plan);
      // The candidates the scalar cannot decide (arrays here) come from the partial index.
      const other = (await c.query(`EXPLAIN SELECT pk FROM entities WHERE tenant = '' AND ${ix.other}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(other, /Index Scan using ix_attr_\w+_o|Bitmap Index Scan on ix_attr_\w+_o/, other);
    } finally {
      await c.end();
    }
  } finally {
    await s.close();
    await dropSchema(schema);
  }
});

test('ensureAttributeIndexes replaces the value indexes of earlier shapes ((tenant, value); arrays only) and drops those no longer named', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  const s = await openPgStorage(schema);
  const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema},public` });
  await c.connect();
  try {
    const base = (iri: string) => `ix_attr_${createHash('sha1').update(iri).digest('hex').slice(0, 16)}`;
    const names = async () => (await c.query("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE 'ix_attr_%' ORDER BY indexname COLLATE \"C\"")).rows.map((r) => r.indexname as string);
    // What an earlier version created.
    await c.query(`CREATE INDEX ${base(V + 'status')}_v ON entities (tenant, (${indexExpressions(V + 'status').scalar}))`);
    await c.query(`CREATE INDEX ${base(V + 'status')}_a ON entities (tenant) WHERE jsonb_typeof(doc -> 'x') = 'array'`);
    await s.ensureAttributeIndexes([V + 'status', V + 'ref']);
    assert.deepEqual(await names(), [`${base(V + 'ref')}_o`, `${base(V + 'ref')}_vp`, `${base(V + 'status')}_o`, `${base(V + 'status')}_vp`].sort());
    await s.ensureAttributeIndexes([V + 'ref']);
    assert.deepEqual(await names(), [`${base(V + 'ref')}_o`, `${base(V + 'ref')}_vp`]);
  } finally {
    await c.end();
    await s.close();
    await dropSchema(schema);
  }
});
