// Issue #13.4: geo-queries have a cost bound. Geometries (stored and in queries) have at most
// DREHSCHEIBE_MAX_GEOMETRY_VERTICES positions; bounding boxes decide first; the in-process relation
// tests of one request share a time budget (DREHSCHEIBE_GEO_BUDGET_MS), so a costly
// query answers TooComplexQuery at once instead of holding the event loop for seconds. Runs on SQLite,
// and on PostgreSQL with TEST_ENGINE=postgres (node scripts/run-tests.mjs --engine=postgres adversarial).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JSON_HEADERS, TEST_ENGINE, testApp, type TestApp } from '../support/app.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const C: [number, number] = [7.2, 51.5];

/** A closed ring of n + 1 positions around `c` (a regular n-gon in lon/lat degrees). */
function circle(c: [number, number], r: number, n: number): number[][] {
  const ring = Array.from({ length: n }, (_, i) => [c[0] + r * Math.cos((2 * Math.PI * i) / n), c[1] + r * Math.sin((2 * Math.PI * i) / n)]);
  return [...ring, ring[0]];
}

async function stallOf<T>(fn: () => Promise<T>): Promise<{ result: T; stallMs: number; ms: number }> {
  // The longest gap between ticks of a 10 ms timer, up to a last tick after fn: a blocked loop shows as a gap.
  let last = performance.now();
  let stallMs = 0;
  const tick = () => { const now = performance.now(); stallMs = Math.max(stallMs, now - last); last = now; };
  const timer = setInterval(tick, 10);
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  await new Promise((resolve) => setTimeout(resolve, 15));
  tick();
  clearInterval(timer);
  return { result, stallMs, ms };
}

// 1,000 small 48-gons (49 positions) on a 40 × 25 grid, 0.01° apart, around C.
const GRID = Array.from({ length: 1000 }, (_, i) => [C[0] - 0.2 + (i % 40) * 0.01, C[1] - 0.12 + Math.floor(i / 40) * 0.01] as [number, number]);
const R_SMALL = 0.004;
const idOf = (i: number) => `urn:ngsi-ld:District:d${i}`;

describe(`geo-queries have a cost bound (#13.4, ${TEST_ENGINE})`, () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    const entities = GRID.map((c, i) => ({ id: idOf(i), type: 'District', location: { type: 'GeoProperty', value: { type: 'Polygon', coordinates: [circle(c, R_SMALL, 48)] } } }));
    for (let i = 0; i < entities.length; i += 250) {
      const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/create', headers: JSON_HEADERS, payload: entities.slice(i, i + 250) });
      assert.equal(r.statusCode, 201, r.body);
    }
  });
  after(() => t.close());

  const geoQuery = (georel: string, ring: number[][], type = 'District') =>
    t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/query?limit=1000', headers: JSON_HEADERS, payload: { type: 'Query', entities: [{ type }], geoQ: { georel, geometry: 'Polygon', coordinates: [ring] } } });

  test('[4.10] a query geometry above DREHSCHEIBE_MAX_GEOMETRY_VERTICES (10,000) is 400 BadRequestData naming the limit', async () => {
    const r = await geoQuery('intersects', circle(C, 0.1, 10_000));
    assert.equal(r.statusCode, 400, r.body.slice(0, 300));
    assert.equal(r.json().type, ETSI + 'BadRequestData');
    assert.match(r.json().detail, /10001 positions; at most 10000 are allowed \(DREHSCHEIBE_MAX_GEOMETRY_VERTICES\)/);
  });

  test('[4.7] a stored GeoProperty above the limit is 400 BadRequestData, and nothing is written', async () => {
    const id = 'urn:ngsi-ld:District:huge';
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: { id, type: 'District', location: { type: 'GeoProperty', value: { type: 'Polygon', coordinates: [circle(C, 0.1, 12_000)] } } } });
    assert.equal(r.statusCode, 400, r.body.slice(0, 300));
    assert.equal(r.json().type, ETSI + 'BadRequestData');
    assert.match(r.json().detail, /at most 10000 are allowed \(DREHSCHEIBE_MAX_GEOMETRY_VERTICES\)/);
    assert.equal((await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}` })).statusCode, 404);
    const patch = await t.app.inject({ method: 'PATCH', url: `/ngsi-ld/v1/entities/${idOf(0)}/attrs`, headers: JSON_HEADERS, payload: { location: { type: 'GeoProperty', value: { type: 'Polygon', coordinates: [circle(C, 0.1, 12_000)] } } } });
    assert.equal(patch.statusCode, 400);
    const kept = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${idOf(0)}` });
    assert.equal(kept.json().location.value.coordinates[0].length, 49, 'the stored polygon is unchanged');
  });

  test('[4.10] a 9,999-vertex polygon against 1,000 stored 49-vertex polygons answers at once: TooComplexQuery, the event loop free', async () => {
    for (const georel of ['overlaps', 'within', 'disjoint', 'intersects']) {
      const { result, stallMs, ms } = await stallOf(() => geoQuery(georel, circle(C, 0.1, 9_998)));
      assert.equal(result.statusCode, 403, `${georel}: ${result.body.slice(0, 300)}`);
      assert.equal(result.json().type, ETSI + 'TooComplexQuery');
      assert.match(result.json().detail, /DREHSCHEIBE_GEO_BUDGET_MS/);
      assert.ok(ms < 3000 && stallMs < 1500, `${georel}: ${ms.toFixed(0)} ms, event loop stalled ${stallMs.toFixed(0)} ms`);
    }
  });

  test('[4.10] bounding boxes decide first: within/overlaps/disjoint/intersects give exact answers for a 100-gon', async () => {
    const R = 0.05;
    const inner = R * Math.cos(Math.PI / 100); // the 100-gon lies between inner and R
    const margin = 1e-4;
    const d = GRID.map((c) => Math.hypot(c[0] - C[0], c[1] - C[1]));
    const sure = {
      within: (i: number) => d[i] + R_SMALL < inner - margin,
      outside: (i: number) => d[i] - R_SMALL > R + margin,
      crossing: (i: number) => d[i] - R_SMALL < inner - margin && d[i] + R_SMALL > R + margin,
    };
    const unsure = (i: number) => !sure.within(i) && !sure.outside(i) && !sure.crossing(i);
    const ids = async (georel: string) => {
      const r = await geoQuery(georel, circle(C, R, 100));
      assert.equal(r.statusCode, 200, `${georel}: ${r.body.slice(0, 300)}`);
      return new Set((r.json() as Array<{ id: string }>).map((e) => e.id));
    };
    const expect = async (georel: string, yes: (i: number) => boolean) => {
      const got = await ids(georel);
      let n = 0;
      GRID.forEach((_, i) => {
        if (unsure(i)) return;
        assert.equal(got.has(idOf(i)), yes(i), `${georel}: ${idOf(i)} at distance ${d[i].toFixed(4)}`);
        if (yes(i)) n++;
      });
      assert.ok(n > 0, `${georel} selects some entities`);
    };
    await expect('within', sure.within);
    await expect('overlaps', sure.crossing);
    await expect('disjoint', sure.outside);
    await expect('intersects', (i) => !sure.outside(i));
  });

  test('[4.10] the budget is per request and configurable: DREHSCHEIBE_GEO_BUDGET_MS', async () => {
    const small = await testApp({ DREHSCHEIBE_GEO_BUDGET_MS: '5' });
    try {
      const payload = GRID.slice(0, 40).map((c, i) => ({ id: idOf(i), type: 'District', location: { type: 'GeoProperty', value: { type: 'Polygon', coordinates: [circle(c, R_SMALL, 48)] } } }));
      assert.equal((await small.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/create', headers: JSON_HEADERS, payload })).statusCode, 201);
      const q = (r: number, n: number) => small.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/query', headers: JSON_HEADERS, payload: { type: 'Query', entities: [{ type: 'District' }], geoQ: { georel: 'intersects', geometry: 'Polygon', coordinates: [circle(GRID[0], r, n)] } } });
      // Its box meets only the box of d0: 9 × 49 vertex pairs, estimated at 0.04 ms.
      const cheap = await q(0.005, 8);
      assert.equal(cheap.statusCode, 200, cheap.body);
      assert.deepEqual((cheap.json() as Array<{ id: string }>).map((e) => e.id), [idOf(0)]);
      // 2,001 × 49 pairs for each polygon in its box, estimated at 9.8 ms: refused before the first.
      const costly = await q(0.05, 2000);
      assert.equal(costly.statusCode, 403, costly.body.slice(0, 300));
      assert.match(costly.json().detail, /5 ms of geometry tests one request may use \(DREHSCHEIBE_GEO_BUDGET_MS\)/);
    } finally {
      await small.close();
    }
  });

  test('[4.10] a type without entities evaluates no geometry of other types', async () => {
    const big = await testApp({ DREHSCHEIBE_MAX_GEOMETRY_VERTICES: '30000' });
    try {
      const payload = Array.from({ length: 5 }, (_, i) => ({ id: `urn:ngsi-ld:Area:a${i}`, type: 'Area', location: { type: 'GeoProperty', value: { type: 'Polygon', coordinates: [circle([C[0] + i * 0.001, C[1]], 0.1, 25_000)] } } }));
      for (const e of payload) assert.equal((await big.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: e })).statusCode, 201);
      const { result, ms, stallMs } = await stallOf(() => big.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/query', headers: JSON_HEADERS, payload: { type: 'Query', entities: [{ type: 'Nothing' }], geoQ: { georel: 'overlaps', geometry: 'Polygon', coordinates: [circle(C, 0.09, 9_000)] } } }));
      assert.equal(result.statusCode, 200, result.body.slice(0, 300));
      assert.deepEqual(result.json(), []);
      assert.ok(ms < 1500 && stallMs < 1000, `${ms.toFixed(0)} ms, event loop stalled ${stallMs.toFixed(0)} ms`);
    } finally {
      await big.close();
    }
  });
});
