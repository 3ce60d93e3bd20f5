// pgArray (postgres.transaction.ts) builds the array literals of the bulk statements with one
// JSON.stringify: every value must come back from PostgreSQL exactly as sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { pgArray } from '../../src/storage/postgres/postgres.transaction.ts';
import { PG_SKIP, PG_URL } from '../support/pg.ts';

test('pgArray takes the fast path for plain values and falls back for escapes PostgreSQL reads differently', () => {
  assert.equal(pgArray(['a', 'b "c"', 'd\\e', null, '']), '{"a","b \\"c\\"","d\\\\e",null,""}');
  assert.equal(pgArray([1, -2.5, null, 1e21]), '{1,-2.5,null,1e+21}');
  assert.equal(pgArray([true, false]), '{true,false}');
  const tricky = ['line\nbreak', 'tab\t', '\u0001'];
  assert.equal(pgArray(tricky), tricky, 'control characters go through the driver');
});

test('values survive the round trip through PostgreSQL', { skip: PG_SKIP }, async () => {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const texts = ['plain', 'quote " inside', 'back\\slash', 'both \\" mixed', '{braces,commas}', 'NULL', 'null', '', ' spaced ', 'ümlaut €', 'line\nbreak', 'tab\there', '\\n literal', 'emoji 🚲', JSON.stringify({ a: 'x"y', b: [1, '\\'] }), null];
    const got = (await c.query<{ v: string | null }>('SELECT unnest($1::text[]) AS v', [pgArray(texts)])).rows.map((r) => r.v);
    assert.deepEqual(got, texts);
    const nums = [0, -1, 3.14159, 1e-7, 1e21, 2 ** 53 - 1, null];
    const gotN = (await c.query<{ v: number | null }>('SELECT unnest($1::float8[]) AS v', [pgArray(nums)])).rows.map((r) => r.v);
    assert.deepEqual(gotN, nums);
    const bools = [true, false, null];
    assert.deepEqual((await c.query<{ v: boolean | null }>('SELECT unnest($1::bool[]) AS v', [pgArray(bools)])).rows.map((r) => r.v), bools);
    const big = [1, 9_007_199_254_740_991];
    assert.deepEqual((await c.query<{ v: string }>('SELECT unnest($1::bigint[])::text AS v', [pgArray(big)])).rows.map((r) => Number(r.v)), big);
  } finally {
    await c.end();
  }
});
