// Unit tests of scopeQ parsing and matching (GS CIM 009 v1.8 clause 4.19) and scope validation (4.18).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestData, InvalidRequest, TooComplexQuery } from '../../core/errors.ts';
import { scopeMatches, type ScopeNode } from '../../storage/query-ast.ts';
import { parseScopeQ, validateScope } from './scope.parser.ts';

const S = (...segments: string[]): ScopeNode => ({ kind: 'scope', segments });

function invalid(input: string, pos: number, re?: RegExp) {
  assert.throws(
    () => parseScopeQ(input),
    (e: unknown) => {
      assert.ok(e instanceof InvalidRequest, `expected InvalidRequest for ${JSON.stringify(input)}, got ${String(e)}`);
      assert.match(e.message, new RegExp(`^Invalid scopeQ at position ${pos}\\b`), e.message);
      if (re) assert.match(e.message, re);
      return true;
    },
  );
}

describe('parseScopeQ [4.19]', () => {
  test('[4.19] plain scopes split into segments', () => {
    assert.deepEqual(parseScopeQ('/Madrid'), S('Madrid'));
    assert.deepEqual(parseScopeQ('/Madrid/Gardens'), S('Madrid', 'Gardens'));
  });
  test('[4.19] # as last segment and + as a whole segment', () => {
    assert.deepEqual(parseScopeQ('/Madrid/#'), S('Madrid', '#'));
    assert.deepEqual(parseScopeQ('/#'), S('#'));
    assert.deepEqual(parseScopeQ('/+/Gardens'), S('+', 'Gardens'));
  });
  test('[4.19] ; binds tighter than |, parentheses group, same kinds flatten', () => {
    assert.deepEqual(parseScopeQ('/A;/B|/C'), { kind: 'or', items: [{ kind: 'and', items: [S('A'), S('B')] }, S('C')] });
    assert.deepEqual(parseScopeQ('/A;(/B|/C)'), { kind: 'and', items: [S('A'), { kind: 'or', items: [S('B'), S('C')] }] });
    assert.deepEqual(parseScopeQ('(/A|/B)|/C'), { kind: 'or', items: [S('A'), S('B'), S('C')] });
  });
  test('[4.19] whitespace around scopes is ignored', () => {
    assert.deepEqual(parseScopeQ(' ( /A ; /B ) '), { kind: 'and', items: [S('A'), S('B')] });
  });
  test('[4.19] syntax errors name the position', () => {
    invalid('', 1, /scopeQ is empty/);
    invalid('Madrid', 1, /must start with '\/'/);
    invalid('/', 2, /empty segment/);
    invalid('/A//B', 4, /empty segment/);
    invalid('/A/', 4, /empty segment/);
    invalid('/#/A', 2, /may only be the last segment/);
    invalid('/A#', 2, /whole segment/);
    invalid('/A+B', 2, /whole segment/);
    invalid('/A;', 4, /after ';'/);
    invalid('(/A', 1, /never closed/);
    invalid('/A /B', 4, /expected ';', '\|' or '\)'/);
  });
  test('[4.19] an unencoded + (arriving as a space) gets a hint', () => {
    invalid('/ /Gardens', 2, /%2B/);
  });
  test('[4.19] limits raise TooComplexQuery', () => {
    assert.throws(() => parseScopeQ(Array(101).fill('/A').join('|')), TooComplexQuery);
    assert.throws(() => parseScopeQ('('.repeat(17) + '/A' + ')'.repeat(17)), TooComplexQuery);
  });
  test('[4.19] random inputs only ever throw InvalidRequest/TooComplexQuery', () => {
    const chars = '/AB#+;|() ';
    let seed = 99;
    const r = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let k = 0; k < 2000; k++) {
      let s = '';
      for (let j = Math.floor(r() * 20); j > 0; j--) s += chars[Math.floor(r() * chars.length)];
      try {
        parseScopeQ(s);
      } catch (e) {
        assert.ok(e instanceof InvalidRequest || e instanceof TooComplexQuery, `${JSON.stringify(s)} threw ${String(e)}`);
      }
    }
  });
});

describe('scopeMatches [4.19]', () => {
  const m = (q: string, scopes: string[]) => scopeMatches(parseScopeQ(q), scopes);
  test('[4.19] a plain scope matches exactly that scope', () => {
    assert.equal(m('/Madrid', ['/Madrid']), true);
    assert.equal(m('/Madrid', ['/Madrid/Gardens']), false);
    assert.equal(m('/Madrid/Gardens', ['/Other', '/Madrid/Gardens']), true);
  });
  test('[4.19] /# matches any entity with at least one scope', () => {
    assert.equal(m('/#', ['/X']), true);
    assert.equal(m('/#', ['/X/Y/Z']), true);
    assert.equal(m('/#', []), false);
  });
  test('[4.19] /A/# matches /A and everything below it', () => {
    assert.equal(m('/Madrid/#', ['/Madrid']), true);
    assert.equal(m('/Madrid/#', ['/Madrid/Gardens/North']), true);
    assert.equal(m('/Madrid/#', ['/Madridx']), false);
    assert.equal(m('/Madrid/#', ['/Barcelona/Madrid']), false);
  });
  test('[4.19] + matches exactly one segment', () => {
    assert.equal(m('/+/Gardens', ['/Madrid/Gardens']), true);
    assert.equal(m('/+/Gardens', ['/Gardens']), false);
    assert.equal(m('/+/Gardens', ['/A/B/Gardens']), false);
    assert.equal(m('/+/#', ['/A']), true);
    assert.equal(m('/+/#', ['/A/B/C']), true);
  });
  test('[4.19] ; needs every pattern matched (by any scope), | any', () => {
    assert.equal(m('/A;/B', ['/A', '/B']), true);
    assert.equal(m('/A;/B', ['/A']), false);
    assert.equal(m('/A|/B', ['/B']), true);
    assert.equal(m('(/A;/B)|/C/#', ['/C/D']), true);
    assert.equal(m('/A|/B', []), false);
  });
});

describe('validateScope [4.18]', () => {
  test('[4.18] well-formed scopes are accepted', () => {
    for (const s of ['/Madrid', '/Madrid/Gardens', '/a-b_c/ü/1.2']) assert.doesNotThrow(() => validateScope(s), s);
  });
  test('[4.18] malformed scopes are BadRequestData', () => {
    for (const s of ['', 'Madrid', '/', '/A//B', '/A/', '/A/#', '/+/B', '/A B', '/A;B', '/A|B', '/(A)', '/A\nB']) {
      assert.throws(() => validateScope(s), (e: unknown) => e instanceof BadRequestData && /^Invalid scope/.test((e as Error).message), JSON.stringify(s));
    }
    assert.throws(() => validateScope(42 as unknown as string), BadRequestData);
  });
});
