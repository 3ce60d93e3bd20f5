// Property-based fuzzing (fast-check) of the NGSI-LD query-language, scopeQ, type-expression and
// geo-query parsers: thousands of generated inputs each parse, or fail with a client error
// (400, or the spec's 403 TooComplexQuery for size limits), within a time bound; through HTTP the
// answer is 200 or such a client error, never 500. Seeds are fixed so a failure reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProblemError } from '../../src/core/errors.ts';
import { parseQ } from '../../src/ngsi-ld/query/q.parser.ts';
import { parseScopeQ } from '../../src/ngsi-ld/query/scope.parser.ts';
import { parseTypeExpression } from '../../src/ngsi-ld/query/type.parser.ts';
import { parseAttrList } from '../../src/ngsi-ld/query/attrs.parser.ts';
import { parseGeoQuery, matchesGeoQuery } from '../../src/ngsi-ld/geo/geo.query.ts';
import { testApp } from '../support/app.ts';

const RUNS = 4000;
/** Per input; generous for a shared, noisy machine: a hang or a super-linear blow-up exceeds it by far. */
const MAX_MS = 1000;

function clientError(e: unknown): boolean {
  return e instanceof ProblemError && (e.status === 400 || (e.status === 403 && e.type.endsWith('/TooComplexQuery')));
}

/** Runs fn and checks: no crash beyond a client error, and quick. */
function bounded(fn: () => unknown, input: unknown): void {
  const t0 = performance.now();
  try {
    fn();
  } catch (e) {
    if (!clientError(e)) assert.fail(`input ${JSON.stringify(input)} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  const ms = performance.now() - t0;
  assert.ok(ms < MAX_MS, `input ${JSON.stringify(input).slice(0, 200)} took ${ms.toFixed(0)} ms`);
}

const Q_TOKENS = ['a', 'b.c', 'temperature', 'x[y]', 'x[y.z]', 'name[de]', 'https://e.org/a.b', '==', '!=', '>', '>=', '<', '<=', '~=', '!~=', '1', '-2.5e3',
  '"s"', '"a\\"b"', 'true', 'false', '2026-01-01', '2026-01-01T10:00:00Z', '10:00:00', 'urn:x:1', '..', ',', '(', ')', ';', '|', '(?i)', '[', ']', '\\',
  ' ', '"', '=', '.*', '^a$', '(a+)+', 'observedAt', '%', '\u0000', 'ä', '😀'];
const SCOPE_TOKENS = ['/', 'Herne', 'Wanne', '#', '+', ';', ',', '|', '(', ')', ' ', 'a b', '//', '\u00e9', '*'];
const TYPE_TOKENS = ['Building', 'Streetlight', 'https://ex.org/ns#T', 'schema:Thing', ',', ';', '|', '(', ')', ' ', ':', '#', '?', '\u0000'];

const tokens = (list: string[], max = 40) => fc.array(fc.constantFrom(...list), { maxLength: max }).map((a) => a.join(''));
const anyText = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }));

test('[4.9] q: generated expressions parse or fail with 400/TooComplexQuery, each within the bound', () => {
  fc.assert(fc.property(fc.oneof(tokens(Q_TOKENS), anyText), (q) => { bounded(() => parseQ(q), q); }), { numRuns: RUNS, seed: 4711 });
});

test('[4.9] q: deeply nested and very long inputs are refused quickly, not parsed for ever', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('(', '((a==1);', 'a==1;', 'a==1|', '"'), (n, unit) => {
    const q = unit.repeat(n);
    bounded(() => parseQ(q), `${unit} x ${n}`);
  }), { numRuns: 300, seed: 4712 });
});

test('[4.19] scopeQ: generated expressions parse or fail with 400, each within the bound', () => {
  fc.assert(fc.property(fc.oneof(tokens(SCOPE_TOKENS), anyText), (s) => { bounded(() => parseScopeQ(s), s); }), { numRuns: RUNS, seed: 4713 });
});

test('[4.17] type expressions and attribute lists: parse or fail with 400, each within the bound', () => {
  fc.assert(fc.property(fc.oneof(tokens(TYPE_TOKENS), anyText), (s) => {
    bounded(() => parseTypeExpression(s), s);
    bounded(() => parseAttrList(s, 'attrs'), s);
  }), { numRuns: RUNS, seed: 4714 });
});

const num = fc.oneof(fc.double({ min: -200, max: 200, noNaN: true }), fc.constantFrom(0, 90, -90, 180, -180, 1e308, -1e308, Number.NaN, Infinity));
const position = fc.array(num, { minLength: 0, maxLength: 4 });
const ring = fc.array(position, { maxLength: 8 });
const coordinates = fc.oneof(position, ring, fc.array(ring, { maxLength: 3 }), fc.array(fc.array(ring, { maxLength: 2 }), { maxLength: 2 }));
const GEOREL = fc.oneof(
  fc.constantFrom('near;maxDistance==1000', 'near;minDistance==5', 'near;maxDistance==-1', 'near', 'within', 'contains', 'intersects', 'equals', 'disjoint', 'overlaps', 'Within', ''),
  fc.tuple(fc.constantFrom('near;maxDistance==', 'near;minDistance==', 'near;maxDistance=='), fc.oneof(fc.string({ maxLength: 8 }), num.map(String))).map(([a, b]) => a + b),
  fc.string({ maxLength: 30 }),
);
const GEOMETRY = fc.oneof(fc.constantFrom('Point', 'point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon', 'GeometryCollection', ''), fc.string({ maxLength: 12 }));

test('[4.10] georel/geometry/coordinates: parse or fail with 400/TooComplexQuery; a parsed query evaluates without error', () => {
  const stored = { type: 'Point', coordinates: [7.22, 51.54] } as Parameters<typeof matchesGeoQuery>[1];
  fc.assert(fc.property(GEOREL, GEOMETRY, fc.oneof(coordinates.map((c) => JSON.stringify(c).replace(/null/g, 'NaN')), coordinates.map((c) => JSON.stringify(c)), fc.string({ maxLength: 40 })), (georel, geometry, coords) => {
    const input = { georel, geometry, coordinates: coords };
    bounded(() => {
      const gq = parseGeoQuery(input);
      if (gq) matchesGeoQuery(gq, stored);
    }, input);
  }), { numRuns: RUNS, seed: 4715 });
});

test('through HTTP: generated q, scopeQ and geo-queries answer 200 or a 400/403 ProblemDetails, never 500', async () => {
  const t = await testApp();
  try {
    const ents = [
      { id: 'urn:ngsi-ld:Streetlight:1', type: 'Streetlight', power: { type: 'Property', value: 40 }, location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.22, 51.54] } }, scope: '/Herne/Mitte' },
      { id: 'urn:ngsi-ld:Streetlight:2', type: 'Streetlight', name: { type: 'LanguageProperty', languageMap: { de: 'Laterne' } }, location: { type: 'GeoProperty', value: { type: 'Polygon', coordinates: [[[7.2, 51.5], [7.3, 51.5], [7.3, 51.6], [7.2, 51.5]]] } } },
    ];
    for (const e of ents) assert.equal((await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'content-type': 'application/json' }, payload: e })).statusCode, 201);
    const param = fc.oneof(
      fc.oneof(tokens(Q_TOKENS, 20), fc.string({ maxLength: 40 })).map((q) => ({ type: 'Streetlight', q })),
      fc.oneof(tokens(SCOPE_TOKENS, 12), fc.string({ maxLength: 30 })).map((scopeQ) => ({ type: 'Streetlight', scopeQ })),
      fc.tuple(GEOREL, GEOMETRY, coordinates.map((c) => JSON.stringify(c))).map(([georel, geometry, coordinates]) => ({ type: 'Streetlight', georel, geometry, coordinates })),
      fc.oneof(tokens(TYPE_TOKENS, 10), fc.string({ maxLength: 20 })).map((type) => ({ type })),
    );
    await fc.assert(fc.asyncProperty(param, async (p) => {
      const url = `/ngsi-ld/v1/entities?${new URLSearchParams(p as Record<string, string>).toString()}`;
      const r = await t.app.inject({ method: 'GET', url });
      assert.ok(r.statusCode === 200 || r.statusCode === 400 || r.statusCode === 403, `${url} → ${r.statusCode} ${r.body}`);
      if (r.statusCode !== 200) assert.match(r.json().type, /^https:\/\/uri\.etsi\.org\/ngsi-ld\/errors\/(BadRequestData|InvalidRequest|TooComplexQuery)$/, `${url} → ${r.body}`);
      else assert.ok(Array.isArray(r.json()));
    }), { numRuns: 1500, seed: 4716 });
  } finally { await t.close(); }
});
