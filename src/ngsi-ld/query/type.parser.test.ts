// Unit tests of the entity type selection parser and matcher (GS CIM 009 v1.8 clause 4.17).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequest, TooComplexQuery } from '../../core/errors.ts';
import type { TypeNode } from '../../storage/query-ast.ts';
import { parseTypeExpression, typeMatches, typeNames } from './type.parser.ts';

const T = (name: string): TypeNode => ({ kind: 'type', name });

function invalid(input: string, pos: number, re?: RegExp) {
  assert.throws(
    () => parseTypeExpression(input),
    (e: unknown) => {
      assert.ok(e instanceof InvalidRequest, `expected InvalidRequest for ${JSON.stringify(input)}, got ${String(e)}`);
      assert.match(e.message, new RegExp(`^Invalid type at position ${pos}\\b`), e.message);
      if (re) assert.match(e.message, re);
      return true;
    },
  );
}

describe('parseTypeExpression [4.17]', () => {
  test('[4.17] a single type name is returned unwrapped', () => {
    assert.deepEqual(parseTypeExpression('Building'), T('Building'));
  });
  test('[4.17] , (legacy list) and | are OR', () => {
    assert.deepEqual(parseTypeExpression('A,B'), { kind: 'or', items: [T('A'), T('B')] });
    assert.deepEqual(parseTypeExpression('A|B,C'), { kind: 'or', items: [T('A'), T('B'), T('C')] });
  });
  test('[4.17] ; is AND and binds tighter than | and ,', () => {
    assert.deepEqual(parseTypeExpression('A;B'), { kind: 'and', items: [T('A'), T('B')] });
    assert.deepEqual(parseTypeExpression('A;B|C'), { kind: 'or', items: [{ kind: 'and', items: [T('A'), T('B')] }, T('C')] });
    assert.deepEqual(parseTypeExpression('C,A;B'), { kind: 'or', items: [T('C'), { kind: 'and', items: [T('A'), T('B')] }] });
  });
  test('[4.17] parentheses group', () => {
    assert.deepEqual(parseTypeExpression('(A;B)|C'), { kind: 'or', items: [{ kind: 'and', items: [T('A'), T('B')] }, T('C')] });
    assert.deepEqual(parseTypeExpression('A;(B|C)'), { kind: 'and', items: [T('A'), { kind: 'or', items: [T('B'), T('C')] }] });
  });
  test('[4.17] IRIs, prefixed names and dotted names are single type names', () => {
    assert.deepEqual(parseTypeExpression('https://example.org/ns#Building'), T('https://example.org/ns#Building'));
    assert.deepEqual(parseTypeExpression('https://example.org/a?v=1&x=%20'), T('https://example.org/a?v=1&x=%20'));
    assert.deepEqual(parseTypeExpression('schema:Place,my.Type'), { kind: 'or', items: [T('schema:Place'), T('my.Type')] });
  });
  test('[4.17] whitespace around names and operators is ignored', () => {
    assert.deepEqual(parseTypeExpression(' ( A ; B ) | C '), parseTypeExpression('(A;B)|C'));
  });
  test('[4.17] syntax errors name the position', () => {
    invalid('', 1, /type is empty/);
    invalid('A,,B', 3, /expected a type name/);
    invalid('A,', 3, /after ','/);
    invalid('(A|B', 1, /never closed/);
    invalid('A)', 2, /no matching/);
    invalid('A B', 3, /expected ';', '\|', ',' or '\)' after "A"/);
    invalid('A==B', 2, /expected ';', '\|', ',' or '\)'/);
    invalid('$A', 1, /expected a type name/);
  });
  test('[4.17] limits raise TooComplexQuery', () => {
    assert.throws(() => parseTypeExpression('A'.repeat(5000)), TooComplexQuery);
    assert.throws(() => parseTypeExpression(Array(101).fill('A').join(',')), TooComplexQuery);
    assert.throws(() => parseTypeExpression('('.repeat(17) + 'A' + ')'.repeat(17)), TooComplexQuery);
  });
  test('[4.17] random inputs only ever throw InvalidRequest/TooComplexQuery', () => {
    const chars = 'AB:/#.,;|() -x';
    let seed = 17;
    const r = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let k = 0; k < 2000; k++) {
      let s = '';
      for (let j = Math.floor(r() * 20); j > 0; j--) s += chars[Math.floor(r() * chars.length)];
      try {
        parseTypeExpression(s);
      } catch (e) {
        assert.ok(e instanceof InvalidRequest || e instanceof TooComplexQuery, `${JSON.stringify(s)} threw ${String(e)}`);
      }
    }
  });
});

describe('typeMatches and typeNames [4.17]', () => {
  const types = new Set(['https://ex.org/Building', 'https://ex.org/Museum']);
  const expand = (n: string) => (n.includes(':') ? n : `https://ex.org/${n}`);
  test('[4.17] a name matches when the entity has that (expanded) type', () => {
    assert.equal(typeMatches(parseTypeExpression('Building'), types, expand), true);
    assert.equal(typeMatches(parseTypeExpression('Shop'), types, expand), false);
    assert.equal(typeMatches(parseTypeExpression('https://ex.org/Museum'), types, expand), true);
  });
  test('[4.17] without a map names are compared as written', () => {
    assert.equal(typeMatches(parseTypeExpression('Building'), types), false);
    assert.equal(typeMatches(parseTypeExpression('https://ex.org/Building'), types), true);
  });
  test('[4.17] ; requires all types, | and , any of them', () => {
    assert.equal(typeMatches(parseTypeExpression('Building;Museum'), types, expand), true);
    assert.equal(typeMatches(parseTypeExpression('Building;Shop'), types, expand), false);
    assert.equal(typeMatches(parseTypeExpression('Shop|Museum'), types, expand), true);
    assert.equal(typeMatches(parseTypeExpression('Shop,Park'), types, expand), false);
    assert.equal(typeMatches(parseTypeExpression('(Shop;Park)|(Building;Museum)'), types, expand), true);
  });
  test('[4.17] typeNames lists each name once in order of appearance', () => {
    assert.deepEqual(typeNames(parseTypeExpression('(A;B)|C,A;D')), ['A', 'B', 'C', 'D']);
    assert.deepEqual(typeNames(T('X')), ['X']);
  });
});
