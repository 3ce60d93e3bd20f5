// Values the PostgreSQL query compiler writes into the SQL text as constants (so that prepared
// statements have no parameters and keep their plan) read back exactly, whatever the session's
// standard_conforming_strings; what cannot be a constant travels as a parameter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { constant } from '../../src/storage/postgres/postgres.query-compiler.ts';
import { PG_SKIP, PG_URL } from '../support/pg.ts';

const NASTY = ['', "it's", "''", '\\', "\\'", "\\'; SELECT 1; --", 'a\\nb', '$1', '$$', "E'x'", 'ü€𝄞', '\n\t\r', '{"a":[1,2]}', '{a,b}', 'NULL', '"quoted"'];

test('string, number and text-array constants read back exactly, with standard_conforming_strings on and off', { skip: PG_SKIP }, async () => {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    for (const scs of ['on', 'off']) {
      await c.query(`SET standard_conforming_strings = ${scs}`);
      for (const s of NASTY) {
        const r = await c.query(`SELECT ${constant(s)}::text AS v`);
        assert.equal(r.rows[0].v, s, `${JSON.stringify(s)} with standard_conforming_strings=${scs}`);
      }
      const arr = await c.query(`SELECT ${constant(NASTY)}::text[] AS v, ${constant([])}::text[] AS e`);
      assert.deepEqual(arr.rows[0].v, NASTY);
      assert.deepEqual(arr.rows[0].e, []);
      for (const n of [0, -5, 0.1, 1e21, -2.5e-7, 25, Number.MAX_VALUE]) {
        const r = await c.query(`SELECT ${constant(n)}::float8 AS v`);
        assert.equal(Number(r.rows[0].v), n, String(n));
      }
    }
  } finally {
    await c.end();
  }
});

test('a string with NUL, a non-finite number and other values are left to parameters', () => {
  assert.equal(constant('a\u0000b'), undefined);
  assert.equal(constant(['a', 'b\u0000']), undefined);
  assert.equal(constant(Infinity), undefined);
  assert.equal(constant(NaN), undefined);
  assert.equal(constant(true), undefined);
  assert.equal(constant({ a: 1 }), undefined);
});
