// Tests for GeoProperty geometry validation (GS CIM 009 clause 4.7.1, RFC 7946 clause 3.1) and bboxOf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestData } from '../../core/errors.ts';
import { bboxOf, countPositions, validateGeometry } from './geojson.validate.ts';
import type { Geometry } from './geojson.validate.ts';

/** Asserts validateGeometry throws BadRequestData whose message matches every pattern. */
function rejects(value: unknown, ...patterns: RegExp[]): void {
  assert.throws(() => validateGeometry(value, 'location'), (e: unknown) => {
    assert.ok(e instanceof BadRequestData, `expected BadRequestData, got ${String(e)}`);
    assert.match(e.message, /^location: /);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

const square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];
const hole = [[3, 3], [7, 3], [7, 7], [3, 7], [3, 3]];

test('[4.7.1] validateGeometry accepts every supported geometry type and returns the same object', () => {
  const valid: unknown[] = [
    { type: 'Point', coordinates: [7.2, 51.5] },
    { type: 'Point', coordinates: [-180, -90, 120.5] },
    { type: 'MultiPoint', coordinates: [[7.2, 51.5], [7.3, 51.6]] },
    { type: 'LineString', coordinates: [[7.2, 51.5], [7.3, 51.6]] },
    { type: 'MultiLineString', coordinates: [[[7.2, 51.5], [7.3, 51.6]], [[8, 50], [8.1, 50.1], [8.2, 50]]] },
    { type: 'Polygon', coordinates: [square, hole] },
    { type: 'MultiPolygon', coordinates: [[square], [[[20, 20], [21, 20], [21, 21], [20, 20]]]] },
    { type: 'Point', coordinates: [180, 90], bbox: [180, 90, 180, 90] },
  ];
  for (const g of valid) assert.equal(validateGeometry(g, 'location'), g);
});

test('[4.7.1] validateGeometry rejects values that are not geometry objects', () => {
  rejects(null, /GeoJSON object/, /got null/);
  rejects([7.2, 51.5], /GeoJSON object/, /got an array/);
  rejects('POINT(7 51)', /GeoJSON object/, /got the string/);
  rejects({ coordinates: [7, 51] }, /"type" must be a string/);
  rejects({ type: 'Point' }, /Point has no "coordinates"/);
});

test('[4.7.1] validateGeometry rejects unknown types and hints at the right spelling', () => {
  rejects({ type: 'Circle', coordinates: [7, 51] }, /unknown geometry type "Circle"/, /Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon/);
  rejects({ type: 'point', coordinates: [7, 51] }, /case-sensitive: did you mean "Point"\?/);
  rejects({ type: 'GeometryCollection', geometries: [] }, /GeometryCollection is not supported/);
});

test('[RFC 7946 3.1.1] validateGeometry rejects malformed positions', () => {
  rejects({ type: 'Point', coordinates: [7.2] }, /Point coordinates has 1 number\(s\)/);
  rejects({ type: 'Point', coordinates: [1, 2, 3, 4] }, /has 4 number\(s\); a position is \[longitude, latitude\]/);
  rejects({ type: 'Point', coordinates: ['7.2', 51.5] }, /Point coordinates element 0 must be a finite number, got the string "7.2"/);
  rejects({ type: 'Point', coordinates: [7.2, Number.NaN] }, /element 1 must be a finite number/);
  rejects({ type: 'Point', coordinates: [Infinity, 51] }, /element 0 must be a finite number/);
  rejects({ type: 'Point', coordinates: [7.2, null] }, /element 1 must be a finite number, got null/);
  rejects({ type: 'Point', coordinates: '7.2,51.5' }, /Point coordinates must be a position \[lon, lat\], got the string/);
});

test('[RFC 7946 3.1.1] validateGeometry rejects out-of-range longitude and latitude, suggesting a swap', () => {
  rejects({ type: 'Point', coordinates: [180.5, 51] }, /longitude 180.5 is outside \[-180, 180\]/);
  rejects({ type: 'Point', coordinates: [51.5, 91] }, /latitude 91 is outside \[-90, 90\]/, /swapped/);
  rejects({ type: 'LineString', coordinates: [[7, 51], [7, -95]] }, /LineString position 1: latitude -95/);
});

test('[RFC 7946 3.1] validateGeometry names a wrong number of brackets', () => {
  rejects({ type: 'Point', coordinates: [[7.2, 51.5]] }, /Point coordinates must be a position/, /1 level\(s\) of brackets fewer/);
  rejects({ type: 'Polygon', coordinates: square }, /Polygon must be an array of rings/, /got an array of positions/, /1 more level/);
  rejects({ type: 'LineString', coordinates: [7, 51] }, /LineString must be an array of positions/, /got a position/);
  rejects({ type: 'MultiPolygon', coordinates: [square] }, /MultiPolygon must be an array of polygons/);
  rejects({ type: 'Polygon', coordinates: [square, [7, 51]] }, /Polygon ring 1 must be an array of positions/);
});

test('[RFC 7946 3.1.4] validateGeometry requires at least 2 positions in a LineString', () => {
  rejects({ type: 'LineString', coordinates: [[7, 51]] }, /LineString needs at least 2 position\(s\), got 1/);
  rejects({ type: 'MultiLineString', coordinates: [[[7, 51], [8, 51]], [[7, 51]]] }, /MultiLineString line 1 needs at least 2/);
});

test('[RFC 7946 3.1.6] validateGeometry requires closed rings of at least 4 positions', () => {
  rejects({ type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10]]] },
    /^location: Polygon ring 0 is not closed: first position \[0, 0\] differs from last \[0, 10\]$/);
  rejects({ type: 'Polygon', coordinates: [[[0, 0], [10, 0], [0, 0]]] }, /Polygon ring 0 needs at least 4 positions/, /closed: first == last/);
  rejects({ type: 'Polygon', coordinates: [square, [[3, 3], [7, 3], [7, 7], [3, 7]]] }, /Polygon ring 1 is not closed/);
  rejects({ type: 'Polygon', coordinates: [[[0, 0, 1], [10, 0], [10, 10], [0, 0]]] }, /ring 0 is not closed/);
  rejects({ type: 'MultiPolygon', coordinates: [[square], [[[0, 0], [1, 0], [1, 95], [0, 0]]]] }, /MultiPolygon polygon 1 ring 0 position 2: latitude 95/);
});

test('[RFC 7946 5] validateGeometry checks a bbox member, which turf would trust as a prefilter', () => {
  assert.ok(validateGeometry({ type: 'Polygon', coordinates: [square], bbox: [0, 0, 10, 10] }, 'location'));
  assert.ok(validateGeometry({ type: 'Point', coordinates: [1, 2, 3], bbox: [1, 2, 3, 1, 2, 3] }, 'location'));
  rejects({ type: 'Polygon', coordinates: [square], bbox: [0, 0, 5, 5] }, /"bbox" \[0, 0, 5, 5\] does not enclose the geometry \(its extent is \[0, 0, 10, 10\]\)/);
  rejects({ type: 'Point', coordinates: [1, 2], bbox: [1, 2] }, /"bbox" must be an array of 4/);
  rejects({ type: 'Point', coordinates: [1, 2], bbox: 'x' }, /"bbox" must be an array of 4/);
});

test('[4.7.1] validateGeometry rejects empty geometries', () => {
  rejects({ type: 'MultiPoint', coordinates: [] }, /MultiPoint needs at least 1 position/);
  rejects({ type: 'Polygon', coordinates: [] }, /Polygon needs at least 1 linear ring/);
  rejects({ type: 'MultiPolygon', coordinates: [] }, /MultiPolygon needs at least 1 polygon/);
  rejects({ type: 'MultiLineString', coordinates: [] }, /MultiLineString needs at least 1 line string/);
});

test('[4.7.1] validateGeometry uses `where` as the message prefix', () => {
  assert.throws(() => validateGeometry({ type: 'Point', coordinates: [0, 100] }, 'coordinates'), /^BadRequestData: coordinates: Point coordinates: latitude 100/);
});

test('bboxOf covers all positions of every geometry type, ignoring altitude', () => {
  const cases: [Geometry, number[]][] = [
    [{ type: 'Point', coordinates: [7.2, 51.5, 300] }, [7.2, 51.5, 7.2, 51.5]],
    [{ type: 'MultiPoint', coordinates: [[7.2, 51.5], [-3, 52], [8, 50]] }, [-3, 50, 8, 52]],
    [{ type: 'LineString', coordinates: [[1, 2, 5], [3, -4, 9]] }, [1, -4, 3, 2]],
    [{ type: 'MultiLineString', coordinates: [[[1, 2], [3, 4]], [[-5, 0], [0, 9]]] }, [-5, 0, 3, 9]],
    [{ type: 'Polygon', coordinates: [square, hole] }, [0, 0, 10, 10]],
    [{ type: 'MultiPolygon', coordinates: [[square], [[[20, -20], [21, -20], [21, 21], [20, -20]]]] }, [0, -20, 21, 21]],
  ];
  for (const [g, want] of cases) assert.deepEqual(bboxOf(g), want, g.type);
});

test('countPositions counts every position including ring closures', () => {
  assert.equal(countPositions({ type: 'Point', coordinates: [0, 0] }), 1);
  assert.equal(countPositions({ type: 'Polygon', coordinates: [square, hole] }), 10);
  assert.equal(countPositions({ type: 'MultiPolygon', coordinates: [[square], [square, hole]] }), 15);
});
