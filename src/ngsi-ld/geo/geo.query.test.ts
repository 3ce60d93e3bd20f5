// Tests for geo-query parsing (GS CIM 009 clauses 4.10, 6.4.3.2), the index search window and near.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestData } from '../../core/errors.ts';
import { distanceMeters, EARTH_RADIUS_M, matchesGeoQuery, nearWindow, parseGeoQuery } from './geo.query.ts';
import type { GeoQuery, GeoQueryParams } from './geo.query.ts';
import type { BBox, Geometry, Position } from './geojson.validate.ts';

function bad(p: GeoQueryParams, ...patterns: RegExp[]): void {
  assert.throws(() => parseGeoQuery(p), (e: unknown) => {
    assert.ok(e instanceof BadRequestData, `expected BadRequestData, got ${String(e)}`);
    for (const re of patterns) assert.match(e.message, re);
    return true;
  });
}

function parse(p: GeoQueryParams): GeoQuery {
  const q = parseGeoQuery(p);
  assert.ok(q);
  return q;
}

/** Point at `meters` from `from` on bearing `deg` (spherical destination formula, same radius as haversine). */
function destination(from: Position, meters: number, deg: number): Position {
  const R = Math.PI / 180;
  const d = meters / EARTH_RADIUS_M, th = deg * R, p1 = from[1] * R, l1 = from[0] * R;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(th));
  const l2 = l1 + Math.atan2(Math.sin(th) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [l2 / R, p2 / R];
}

const inBox = (b: BBox, p: Position) => b[0] <= p[0] && p[0] <= b[2] && b[1] <= p[1] && p[1] <= b[3];
const pt = (lon: number, lat: number): Geometry => ({ type: 'Point', coordinates: [lon, lat] });
const SQUARE = '[[[0,0],[10,0],[10,10],[0,10],[0,0]]]';

// ---- parsing ---------------------------------------------------------------------------------------

test('[4.10] parseGeoQuery returns undefined when no geo-query parameter is present', () => {
  assert.equal(parseGeoQuery({}), undefined);
  assert.equal(parseGeoQuery({ geoproperty: 'position' }), undefined);
  assert.equal(parseGeoQuery({ georel: undefined, geometry: undefined, coordinates: null }), undefined);
});

test('[4.10] georel, geometry and coordinates must come together; the error names what is missing', () => {
  bad({ georel: 'within' }, /missing: geometry, coordinates$/);
  bad({ geometry: 'Point', coordinates: '[1,2]' }, /missing: georel$/);
  bad({ georel: 'within', geometry: 'Polygon' }, /missing: coordinates$/);
  bad({ coordinates: [1, 2] }, /missing: georel, geometry$/);
});

test('[4.10] near;maxDistance and near;minDistance parse meters', () => {
  const q = parse({ georel: 'near;maxDistance==1000', geometry: 'Point', coordinates: '[7.2,51.5]' });
  assert.equal(q.georel, 'near');
  assert.equal(q.maxDistance, 1000);
  assert.equal(q.minDistance, undefined);
  assert.deepEqual(q.geometry, { type: 'Point', coordinates: [7.2, 51.5] });
  assert.equal(q.geoproperty, 'location');
  const m = parse({ georel: 'near;minDistance==2.5e3', geometry: 'Point', coordinates: '[7.2,51.5]' });
  assert.equal(m.minDistance, 2500);
  assert.equal(m.bbox, undefined);
  assert.equal(parse({ georel: 'near;maxDistance==0', geometry: 'Point', coordinates: '[0,0]' }).maxDistance, 0);
  const both = parse({ georel: 'near;minDistance==10;maxDistance==20', geometry: 'Point', coordinates: '[0,0]' });
  assert.deepEqual([both.minDistance, both.maxDistance], [10, 20]);
});

test('[4.10] invalid near distances are rejected with the reason', () => {
  const p = { geometry: 'Point', coordinates: '[0,0]' };
  bad({ ...p, georel: 'near' }, /near needs a distance: near;maxDistance==<meters> or near;minDistance==<meters>/);
  bad({ ...p, georel: 'near;maxDistance==-5' }, /maxDistance must be a non-negative number of meters, got "-5"/);
  bad({ ...p, georel: 'near;maxDistance==abc' }, /non-negative number/);
  bad({ ...p, georel: 'near;maxDistance==' }, /non-negative number/);
  bad({ ...p, georel: 'near;maxDistance==Infinity' }, /non-negative number/);
  bad({ ...p, georel: 'near;maxDistance=100' }, /Invalid near modifier "maxDistance=100"/);
  bad({ ...p, georel: 'near;distance==100' }, /Invalid near modifier/);
  bad({ ...p, georel: 'near;maxDistance==1;maxDistance==2' }, /maxDistance is given twice/);
  bad({ ...p, georel: 'near;minDistance==30;maxDistance==20' }, /minDistance 30 is greater than maxDistance 20/);
});

test('[4.10] every non-distance georel parses; unknown ones list the valid georels', () => {
  for (const rel of ['within', 'contains', 'intersects', 'equals', 'disjoint', 'overlaps']) {
    assert.equal(parse({ georel: rel, geometry: 'Polygon', coordinates: SQUARE }).georel, rel);
  }
  bad({ georel: 'inside', geometry: 'Polygon', coordinates: SQUARE },
    /Invalid georel "inside"; expected one of near;maxDistance==<meters>, near;minDistance==<meters>, within, contains, intersects, equals, disjoint, overlaps/);
  bad({ georel: 'Within', geometry: 'Polygon', coordinates: SQUARE }, /Invalid georel "Within"/);
  bad({ georel: 'within;maxDistance==5', geometry: 'Polygon', coordinates: SQUARE }, /georel within takes no modifiers/);
});

test('[4.10] near requires geometry Point', () => {
  bad({ georel: 'near;maxDistance==10', geometry: 'Polygon', coordinates: SQUARE }, /near needs geometry Point.*got Polygon/);
});

test('[4.10] geometry is matched case-insensitively and normalised; unknown geometries are listed', () => {
  assert.equal(parse({ georel: 'intersects', geometry: 'multipolygon', coordinates: `[${SQUARE}]` }).geometry.type, 'MultiPolygon');
  assert.equal(parse({ georel: 'intersects', geometry: 'LINESTRING', coordinates: '[[0,0],[1,1]]' }).geometry.type, 'LineString');
  bad({ georel: 'within', geometry: 'Circle', coordinates: '[0,0]' }, /Invalid geometry "Circle"; expected one of Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon/);
  bad({ georel: 'within', geometry: 'GeometryCollection', coordinates: '[]' }, /Invalid geometry "GeometryCollection"/);
});

test('[4.10] coordinates accept JSON text and already parsed arrays (POST query bodies)', () => {
  const a = parse({ georel: 'within', geometry: 'Polygon', coordinates: SQUARE });
  const b = parse({ georel: 'within', geometry: 'Polygon', coordinates: JSON.parse(SQUARE) });
  assert.deepEqual(a, b);
  assert.deepEqual(parse({ georel: 'equals', geometry: 'Point', coordinates: ' [7.2, 51.5] ' }).geometry.coordinates, [7.2, 51.5]);
});

test('[4.10] invalid coordinates are rejected with a message naming coordinates', () => {
  const p = { georel: 'within', geometry: 'Polygon' };
  bad({ ...p, coordinates: '[[[0,0],[1,0]' }, /coordinates is not valid JSON/, /\[7.2,51.5\]/);
  bad({ ...p, coordinates: '7.2,51.5' }, /coordinates is not valid JSON|coordinates must be a JSON array/);
  bad({ ...p, coordinates: '{"a":1}' }, /coordinates must be a JSON array/);
  bad({ ...p, coordinates: 42 }, /coordinates must be a JSON array/);
  bad({ ...p, coordinates: '[[[0,0],[10,0],[10,10],[0,10]]]' }, /^coordinates: Polygon ring 0 is not closed/);
  bad({ georel: 'near;maxDistance==5', geometry: 'Point', coordinates: '[51.5,97.2]' }, /^coordinates: Point coordinates: latitude 97.2/);
  bad({ georel: 'near;maxDistance==5', geometry: 'Point', coordinates: '[[7.2,51.5]]' }, /^coordinates: Point coordinates must be a position/);
});

test('[4.10] more than DREHSCHEIBE_MAX_GEOMETRY_VERTICES (10,000) positions is BadRequestData naming the limit', () => {
  const many = Array.from({ length: 10_001 }, (_, i) => [(i % 360) - 180, 0]);
  assert.throws(() => parseGeoQuery({ georel: 'intersects', geometry: 'MultiPoint', coordinates: many }),
    (e: unknown) => e instanceof BadRequestData && /10001 positions; at most 10000 are allowed \(DREHSCHEIBE_MAX_GEOMETRY_VERTICES\)/.test(e.message));
  assert.ok(parseGeoQuery({ georel: 'intersects', geometry: 'MultiPoint', coordinates: many.slice(1) }));
});

test('[4.10] geoproperty defaults to location and is returned as written', () => {
  assert.equal(parse({ georel: 'within', geometry: 'Polygon', coordinates: SQUARE, geoproperty: 'observationSpace' }).geoproperty, 'observationSpace');
  assert.equal(parse({ georel: 'within', geometry: 'Polygon', coordinates: SQUARE, geoproperty: 'https://ex.org/loc' }).geoproperty, 'https://ex.org/loc');
  bad({ georel: 'within', geometry: 'Polygon', coordinates: SQUARE, geoproperty: '' }, /geoproperty must be a non-empty attribute name/);
});

// ---- index search window ---------------------------------------------------------------------------

test('[4.10] within/contains/intersects/equals/overlaps window is the query bbox (with a 2e-6° margin); disjoint has none', () => {
  for (const rel of ['within', 'contains', 'intersects', 'equals', 'overlaps']) {
    const b = parse({ georel: rel, geometry: 'Polygon', coordinates: SQUARE }).bbox;
    assert.ok(b);
    assert.ok(inBox(b, [0, 0]) && inBox(b, [10, 10]) && b[0] > -1e-5 && b[3] < 10 + 1e-5, rel);
  }
  assert.equal(parse({ georel: 'disjoint', geometry: 'Polygon', coordinates: SQUARE }).bbox, undefined);
  // equals tolerates 1e-6°, so an equal point just outside the exact query bbox stays inside the window.
  const q = parse({ georel: 'equals', geometry: 'Point', coordinates: '[7,51]' });
  assert.ok(q.bbox && inBox(q.bbox, [7 + 9e-7, 51 - 9e-7]));
  assert.ok(matchesGeoQuery(q, pt(7 + 9e-7, 51 - 9e-7)));
});

for (const lat of [0, 51.5, 80]) {
  test(`[4.10] near;maxDistance window contains points at exactly maxDistance in 8 compass directions at latitude ${lat}`, () => {
    const center: Position = [7.2, lat];
    for (const meters of [1, 1000, 100_000, 1_000_000]) {
      const q = parse({ georel: 'near;maxDistance==' + meters, geometry: 'Point', coordinates: JSON.stringify(center) });
      assert.ok(q.bbox);
      for (const bearing of [0, 45, 90, 135, 180, 225, 270, 315]) {
        const p = destination(center, meters, bearing);
        assert.ok(inBox(q.bbox, p), `${meters} m bearing ${bearing}: ${p} outside ${q.bbox}`);
        assert.ok(Math.abs(distanceMeters(center, p) - meters) <= 1e-6 * Math.max(1, meters));
        // The predicate agrees: a hair inside the circle matches, a hair outside does not.
        assert.ok(matchesGeoQuery(q, { type: 'Point', coordinates: destination(center, meters * (1 - 1e-9), bearing) }));
        assert.ok(!matchesGeoQuery(q, { type: 'Point', coordinates: destination(center, meters * (1 + 1e-6) + 1e-6, bearing) }));
      }
    }
  });
}

test('[4.10] near window contains the whole circle, including its widest longitude poleward of the centre', () => {
  for (const lat of [-75, 0, 51.5, 80, 85]) {
    for (const meters of [500, 50_000, 400_000]) {
      const center: Position = [-20, lat];
      const b = nearWindow(center, meters);
      let maxLon = -Infinity;
      for (let bearing = 0; bearing < 360; bearing += 0.25) {
        const p = destination(center, meters, bearing);
        assert.ok(inBox(b, p), `lat ${lat} ${meters} m bearing ${bearing}: ${p} outside ${b}`);
        maxLon = Math.max(maxLon, p[0]);
      }
      // Not needlessly wide: within 0.01 % (+ slack) of the true half-width.
      const half = maxLon - center[0];
      assert.ok(b[2] - center[0] <= half * 1.0001 + 1e-8, `lat ${lat} ${meters} m: window ${b[2] - center[0]} vs ${half}`);
    }
  }
});

test('[4.10] near window spans all longitudes when the circle reaches a pole or crosses the antimeridian', () => {
  assert.deepEqual(nearWindow([10, 89.9], 20_000).slice(0, 4).filter((_, i) => i % 2 === 0), [-180, 180]);
  assert.equal(nearWindow([10, 89.9], 20_000)[3], 90);
  const am = nearWindow([179.99, 0], 5000);
  assert.deepEqual([am[0], am[2]], [-180, 180]);
  assert.deepEqual(nearWindow([0, 0], 3e7), [-180, -90, 180, 90]);
  // A point across the antimeridian is near (haversine wraps), and the full-width window keeps it.
  const q = parse({ georel: 'near;maxDistance==5000', geometry: 'Point', coordinates: '[179.99,0]' });
  assert.ok(matchesGeoQuery(q, pt(-179.99, 0)));
  assert.ok(q.bbox && inBox(q.bbox, [-179.99, 0]));
});

// ---- near predicate --------------------------------------------------------------------------------

test('[4.10] near;maxDistance keeps points within the radius and drops those beyond', () => {
  const q = parse({ georel: 'near;maxDistance==1000', geometry: 'Point', coordinates: '[7.2,51.5]' });
  assert.ok(matchesGeoQuery(q, pt(7.2, 51.5)));
  assert.ok(matchesGeoQuery(q, { type: 'Point', coordinates: destination([7.2, 51.5], 999, 30) }));
  assert.ok(!matchesGeoQuery(q, { type: 'Point', coordinates: destination([7.2, 51.5], 1001, 30) }));
  assert.ok(matchesGeoQuery(q, { type: 'MultiPoint', coordinates: [[0, 0], destination([7.2, 51.5], 900, 200)] }));
});

test('[4.10] near;minDistance keeps points at least that far and drops closer ones', () => {
  const q = parse({ georel: 'near;minDistance==1000', geometry: 'Point', coordinates: '[7.2,51.5]' });
  assert.ok(matchesGeoQuery(q, { type: 'Point', coordinates: destination([7.2, 51.5], 1001, 100) }));
  assert.ok(matchesGeoQuery(q, pt(-70, -30)));
  assert.ok(!matchesGeoQuery(q, { type: 'Point', coordinates: destination([7.2, 51.5], 999, 100) }));
  assert.ok(!matchesGeoQuery(q, pt(7.2, 51.5)));
  // Nearest part counts: a MultiPoint with one close point is not "at least 1000 m away".
  assert.ok(!matchesGeoQuery(q, { type: 'MultiPoint', coordinates: [[-70, -30], [7.2, 51.5]] }));
});

test('[4.10] near;minDistance with maxDistance keeps a ring between them (extension)', () => {
  const q = parse({ georel: 'near;minDistance==100;maxDistance==200', geometry: 'Point', coordinates: '[0,0]' });
  assert.ok(matchesGeoQuery(q, { type: 'Point', coordinates: destination([0, 0], 150, 0) }));
  assert.ok(!matchesGeoQuery(q, { type: 'Point', coordinates: destination([0, 0], 50, 0) }));
  assert.ok(!matchesGeoQuery(q, { type: 'Point', coordinates: destination([0, 0], 250, 0) }));
});

test('[4.10] near on lines and polygons measures to the nearest edge point, 0 inside a polygon (not to vertices only)', () => {
  const q = parse({ georel: 'near;maxDistance==1000', geometry: 'Point', coordinates: '[0,0]' });
  // A line passing 500 m north of the point with both vertices ~111 km away.
  const north = 500 / 111195.08;
  assert.ok(matchesGeoQuery(q, { type: 'LineString', coordinates: [[-1, north], [1, north]] }));
  assert.ok(!matchesGeoQuery(q, { type: 'LineString', coordinates: [[-1, 3 * north], [1, 3 * north]] }));
  const around = { type: 'Polygon', coordinates: [[[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]]] } as Geometry;
  assert.ok(matchesGeoQuery(q, around));
  const qMin = parse({ georel: 'near;minDistance==1000', geometry: 'Point', coordinates: '[0,0]' });
  assert.ok(!matchesGeoQuery(qMin, around), 'a polygon containing the point is at distance 0');
  // In a hole the distance is to the hole's ring: the point is 0.5° (≈55.6 km) from it.
  const donut = { type: 'Polygon', coordinates: [[[-2, -2], [2, -2], [2, 2], [-2, 2], [-2, -2]], [[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5]]] } as Geometry;
  assert.ok(!matchesGeoQuery(q, donut));
  assert.ok(matchesGeoQuery(parse({ georel: 'near;maxDistance==56000', geometry: 'Point', coordinates: '[0,0]' }), donut));
  assert.ok(matchesGeoQuery(parse({ georel: 'near;minDistance==55000', geometry: 'Point', coordinates: '[0,0]' }), donut));
});

test('[4.10] the relation reads "stored <georel> query": within vs contains', () => {
  const within = parse({ georel: 'within', geometry: 'Polygon', coordinates: SQUARE });
  const contains = parse({ georel: 'contains', geometry: 'Point', coordinates: '[6,6]' });
  const storedPoint = pt(5, 5);
  const storedSquare = { type: 'Polygon', coordinates: JSON.parse(SQUARE) } as Geometry;
  assert.ok(matchesGeoQuery(within, storedPoint));
  assert.ok(!matchesGeoQuery(contains, storedPoint), 'a point does not contain another point');
  assert.ok(matchesGeoQuery(contains, pt(6, 6)), 'a point contains an equal point');
  assert.ok(matchesGeoQuery(contains, storedSquare));
  assert.ok(matchesGeoQuery(within, storedSquare), 'a polygon is within itself');
});

test('[4.10] disjoint matches stored geometries sharing no point with the query geometry', () => {
  const q = parse({ georel: 'disjoint', geometry: 'Polygon', coordinates: SQUARE });
  assert.ok(matchesGeoQuery(q, pt(20, 20)));
  assert.ok(!matchesGeoQuery(q, pt(5, 5)));
  assert.ok(!matchesGeoQuery(q, pt(10, 5)), 'a point on the boundary is not disjoint');
  assert.ok(matchesGeoQuery(q, { type: 'LineString', coordinates: [[11, 0], [11, 10]] }));
  assert.ok(!matchesGeoQuery(q, { type: 'LineString', coordinates: [[-1, 5], [11, 5]] }));
});
