// Tests for the georel relations (GS CIM 009 clause 4.10) and distances, documenting edge semantics:
// boundaries, holes, line ends, equality tolerance, overlaps vs touches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { booleanIntersects } from '@turf/boolean-intersects';
import { booleanWithin } from '@turf/boolean-within';
import { distance as turfDistance } from '@turf/distance';
import { classifyInRings, distanceMeters, distanceToGeometry } from '../../core/geo.distance.ts';
import { geoContains, geoDisjoint, geoEquals, geoIntersects, geoOverlaps, geoWithin } from './geo.relations.ts';
import type { Geometry } from './geojson.validate.ts';

const pt = (x: number, y: number): Geometry => ({ type: 'Point', coordinates: [x, y] });
const line = (...c: number[][]): Geometry => ({ type: 'LineString', coordinates: c });
const box = (x0: number, y0: number, x1: number, y1: number): number[][] => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
const rect = (x0: number, y0: number, x1: number, y1: number): Geometry => ({ type: 'Polygon', coordinates: [box(x0, y0, x1, y1)] });
const SQ = rect(0, 0, 10, 10);
const DONUT: Geometry = { type: 'Polygon', coordinates: [box(0, 0, 10, 10), box(3, 3, 7, 7)] };

// ---- within ----------------------------------------------------------------------------------------

test('[4.10] within: Points inside a polygon are within; on the boundary or in a hole they are not (DE-9IM, as turf)', () => {
  assert.ok(geoWithin(pt(5, 5), SQ));
  assert.ok(!geoWithin(pt(15, 5), SQ));
  assert.ok(!geoWithin(pt(0, 5), SQ), 'edge');
  assert.ok(!geoWithin(pt(0, 0), SQ), 'vertex');
  assert.ok(geoWithin(pt(1, 1), DONUT));
  assert.ok(!geoWithin(pt(5, 5), DONUT), 'in the hole');
  assert.ok(!geoWithin(pt(3, 5), DONUT), 'on the hole ring');
  assert.ok(geoWithin(pt(5, 5), pt(5, 5)) && !geoWithin(pt(5, 5), pt(5, 6)));
  assert.ok(geoWithin(pt(5, 5), { type: 'MultiPolygon', coordinates: [[box(20, 20, 30, 30)], [box(0, 0, 10, 10)]] }));
});

test('[4.10] within: a Point on a line is within it except at its end points', () => {
  const l = line([0, 0], [10, 0], [10, 10]);
  assert.ok(geoWithin(pt(5, 0), l));
  assert.ok(geoWithin(pt(10, 0), l), 'interior vertex');
  assert.ok(!geoWithin(pt(0, 0), l), 'end point');
  assert.ok(!geoWithin(pt(5, 1), l));
});

test('[4.10] within: LineStrings in polygons, also across holes and along the boundary', () => {
  assert.ok(geoWithin(line([1, 1], [9, 9]), SQ));
  assert.ok(!geoWithin(line([1, 1], [11, 9]), SQ), 'leaves the polygon');
  assert.ok(!geoWithin(line([0, 0], [10, 0]), SQ), 'only on the boundary');
  assert.ok(geoWithin(line([0, 0], [5, 5]), SQ), 'starts on the boundary, runs inside');
  assert.ok(geoWithin(line([1, 1], [1, 9]), DONUT));
  assert.ok(!geoWithin(line([1, 5], [9, 5]), DONUT), 'crosses the hole');
  assert.ok(geoWithin(line([1, 1], [5, 1]), line([0, 1], [10, 1])));
  assert.ok(!geoWithin(line([1, 1], [5, 2]), line([0, 1], [10, 1])));
});

test('[4.10] within: polygons, including ones covering or equal to a hole (where turf alone is wrong)', () => {
  assert.ok(geoWithin(rect(2, 2, 4, 4), SQ));
  assert.ok(geoWithin(SQ, SQ), 'a polygon is within itself');
  assert.ok(geoWithin(rect(0, 0, 4, 4), SQ), 'sharing boundary is fine');
  assert.ok(!geoWithin(rect(5, 5, 15, 15), SQ));
  assert.ok(geoWithin(rect(1, 1, 2, 2), DONUT));
  assert.ok(!geoWithin(rect(2, 2, 8, 8), DONUT), 'covers the hole');
  assert.ok(!geoWithin(rect(4, 4, 6, 6), DONUT), 'inside the hole');
  assert.ok(!geoWithin(rect(3, 3, 7, 7), DONUT), 'equal to the hole');
  assert.ok(geoWithin(DONUT, SQ) && !geoWithin(SQ, DONUT));
  assert.ok(!geoWithin(SQ, line([0, 0], [10, 10])), 'nothing of higher dimension is within a line');
});

test('[4.10] within: a polygon touching a hole from outside it is within; own areal check agrees with turf without holes', () => {
  assert.ok(geoWithin(rect(1, 3, 3, 7), DONUT), 'shares the hole edge, lies in the ring area');
  assert.ok(geoWithin({ type: 'MultiPolygon', coordinates: [[box(1, 1, 2, 2)], [box(8, 8, 9, 9)]] }, DONUT));
  assert.ok(!geoWithin({ type: 'MultiPolygon', coordinates: [[box(1, 1, 2, 2)], [box(4, 4, 5, 5)]] }, DONUT), 'one part in the hole');
  let seed = 7;
  const rnd = () => Math.round(((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 14 - 2);
  for (let i = 0; i < 300; i++) {
    const [x0, x1] = [rnd(), rnd()].sort((a, b) => a - b);
    const [y0, y1] = [rnd(), rnd()].sort((a, b) => a - b);
    if (x0 === x1 || y0 === y1) continue;
    const r = rect(x0, y0, x1, y1);
    assert.equal(geoWithin(r, SQ), booleanWithin(r, SQ), `${x0},${y0},${x1},${y1}`);
  }
});

// ---- contains --------------------------------------------------------------------------------------

test('[4.10] contains is within with the operands swapped', () => {
  assert.ok(geoContains(SQ, pt(5, 5)));
  assert.ok(!geoContains(SQ, pt(10, 5)), 'boundary point');
  assert.ok(!geoContains(DONUT, pt(5, 5)));
  assert.ok(geoContains(SQ, line([1, 1], [9, 9])));
  assert.ok(!geoContains(DONUT, line([1, 5], [9, 5])));
  assert.ok(geoContains(SQ, rect(1, 1, 2, 2)) && !geoContains(DONUT, rect(2, 2, 8, 8)));
  assert.ok(geoContains(line([0, 0], [10, 0]), pt(3, 0)) && !geoContains(line([0, 0], [10, 0]), pt(3, 1)));
  assert.ok(!geoContains(pt(5, 5), SQ));
});

test('[4.10] contains: pairs turf does not support are decomposed instead of throwing', () => {
  const mls: Geometry = { type: 'MultiLineString', coordinates: [[[0, 0], [10, 0]], [[0, 5], [10, 5]]] };
  assert.ok(geoContains(mls, pt(3, 5)));
  assert.ok(!geoContains(mls, pt(3, 3)));
  assert.ok(geoContains(mls, line([1, 0], [2, 0])));
  assert.ok(geoContains(SQ, { type: 'MultiLineString', coordinates: [[[1, 1], [2, 2]], [[3, 3], [4, 4]]] }));
  assert.ok(!geoContains(DONUT, { type: 'MultiLineString', coordinates: [[[1, 1], [2, 2]], [[4, 4], [6, 6]]] }));
  assert.ok(geoContains(pt(1, 1), { type: 'MultiPoint', coordinates: [[1, 1], [1, 1]] }));
  assert.ok(geoContains(line([0, 0], [10, 0]), { type: 'MultiLineString', coordinates: [[[1, 0], [2, 0]], [[3, 0], [4, 0]]] }));
});

// ---- intersects / disjoint -------------------------------------------------------------------------

test('[4.10] intersects: boundaries count, holes do not', () => {
  assert.ok(geoIntersects(pt(5, 5), SQ));
  assert.ok(geoIntersects(pt(10, 5), SQ), 'boundary point intersects');
  assert.ok(geoIntersects(SQ, pt(0, 0)), 'either operand order');
  assert.ok(!geoIntersects(pt(11, 5), SQ));
  assert.ok(!geoIntersects(pt(5, 5), DONUT), 'in the hole');
  assert.ok(geoIntersects(pt(7, 5), DONUT), 'on the hole ring');
  assert.ok(geoIntersects(pt(1, 2), pt(1, 2)) && !geoIntersects(pt(1, 2), pt(1, 2.000001)));
  assert.ok(geoIntersects(line([-5, 5], [15, 5]), SQ), 'line crossing without a vertex inside');
  assert.ok(!geoIntersects(line([4, 4], [6, 6]), DONUT), 'line inside the hole');
  assert.ok(geoIntersects(line([0, 0], [10, 10]), line([0, 10], [10, 0])));
  assert.ok(!geoIntersects(line([0, 0], [10, 0]), line([0, 1], [10, 1])));
  assert.ok(geoIntersects(rect(10, 10, 20, 20), SQ), 'touching at a corner');
  assert.ok(!geoIntersects(rect(4, 4, 6, 6), DONUT), 'polygon inside the hole');
  assert.ok(geoIntersects(rect(-5, -5, 15, 15), SQ), 'polygon covering the other');
});

test('[4.10] disjoint is the negation of intersects', () => {
  const cases: [Geometry, Geometry][] = [
    [pt(5, 5), SQ], [pt(10, 5), SQ], [pt(11, 5), SQ], [pt(5, 5), DONUT], [line([4, 4], [6, 6]), DONUT],
    [line([-5, 5], [15, 5]), SQ], [rect(10, 10, 20, 20), SQ], [rect(11, 0, 20, 10), SQ],
  ];
  for (const [a, b] of cases) assert.equal(geoDisjoint(a, b), !geoIntersects(a, b));
  assert.ok(geoDisjoint(rect(11, 0, 20, 10), SQ));
  assert.ok(geoDisjoint(pt(5, 5), DONUT));
  assert.ok(!geoDisjoint(pt(10, 5), SQ));
});

// ---- equals ----------------------------------------------------------------------------------------

test('[4.10] equals: same type and coordinates within 1e-6°, rings may start elsewhere or run backwards', () => {
  assert.ok(geoEquals(pt(7.2, 51.5), pt(7.2, 51.5)));
  assert.ok(geoEquals(pt(7.2, 51.5), pt(7.2 + 5e-7, 51.5)), 'within 1e-6°');
  assert.ok(!geoEquals(pt(7.2, 51.5), pt(7.2 + 2e-6, 51.5)));
  assert.ok(!geoEquals(pt(7.2, 51.5), { type: 'Point', coordinates: [7.2, 51.5, 10] }), 'altitude given on one side only');
  assert.ok(!geoEquals(pt(7.2, 51.5), { type: 'MultiPoint', coordinates: [[7.2, 51.5]] }), 'types must match');
  assert.ok(geoEquals(line([0, 0], [1, 1]), line([0, 0], [1, 1])));
  assert.ok(geoEquals(line([0, 0], [1, 1]), line([1, 1], [0, 0])), 'reversed line');
  assert.ok(!geoEquals(line([0, 0], [1, 1]), line([0, 0], [1, 2])));
  assert.ok(geoEquals(SQ, { type: 'Polygon', coordinates: [[[10, 0], [10, 10], [0, 10], [0, 0], [10, 0]]] }), 'other start vertex');
  assert.ok(geoEquals(SQ, { type: 'Polygon', coordinates: [[[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]]] }), 'other orientation');
  assert.ok(!geoEquals(SQ, DONUT), 'holes count');
  assert.ok(geoEquals(DONUT, { type: 'Polygon', coordinates: [box(0, 0, 10, 10), box(3, 3, 7, 7)] }));
});

// ---- overlaps --------------------------------------------------------------------------------------

test('[4.10] overlaps: same dimension, shared interior, neither contains the other', () => {
  assert.ok(geoOverlaps(SQ, rect(5, 5, 15, 15)));
  assert.ok(geoOverlaps(SQ, rect(5, 0, 15, 10)), 'overlap whose outline is made of T-junctions');
  assert.ok(geoOverlaps(rect(0, 4, 10, 6), rect(4, 0, 6, 10)), 'cross without vertices inside each other');
  assert.ok(!geoOverlaps(SQ, rect(10, 10, 20, 20)), 'touching at a corner only');
  assert.ok(!geoOverlaps(SQ, rect(10, 0, 20, 10)), 'sharing an edge only');
  assert.ok(!geoOverlaps(SQ, rect(2, 2, 4, 4)), 'containment is not overlap');
  assert.ok(!geoOverlaps(SQ, rect(0, 0, 4, 4)), 'containment touching the boundary');
  assert.ok(!geoOverlaps(SQ, SQ), 'equal');
  assert.ok(!geoOverlaps(DONUT, rect(4, 4, 6, 6)), 'inside the hole');
  assert.ok(geoOverlaps(DONUT, rect(2, 2, 8, 8)), 'covering the hole');
  assert.ok(geoOverlaps(line([0, 0], [10, 0]), line([5, 0], [15, 0])));
  assert.ok(!geoOverlaps(line([0, 0], [10, 0]), line([2, 0], [5, 0])), 'contained line');
  assert.ok(!geoOverlaps(line([0, 0], [10, 10]), line([0, 10], [10, 0])), 'crossing at a point');
  assert.ok(geoOverlaps({ type: 'MultiPoint', coordinates: [[0, 0], [1, 1]] }, { type: 'MultiPoint', coordinates: [[1, 1], [2, 2]] }));
  assert.ok(!geoOverlaps({ type: 'MultiPoint', coordinates: [[0, 0], [1, 1]] }, { type: 'MultiPoint', coordinates: [[1, 1]] }));
  assert.ok(!geoOverlaps(pt(1, 1), pt(1, 1)), 'a single point overlaps nothing');
  assert.ok(!geoOverlaps(SQ, line([-1, 5], [11, 5])), 'different dimensions never overlap');
});

// ---- fast paths agree with turf, distances -----------------------------------------------------------

test('[4.10] own Point-in-polygon fast paths agree with turf within/intersects (concave polygon with a hole)', () => {
  const poly: Geometry = {
    type: 'Polygon',
    coordinates: [[[0, 0], [10, 0], [10, 10], [5, 4], [0, 10], [0, 0]], [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]],
  };
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 12 - 1;
  const probes: [number, number][] = [[5, 4], [0, 5], [2, 2], [1, 2], [7.5, 7], [5, 5], [3, 3]];
  for (let i = 0; i < 2000; i++) probes.push([rnd(), rnd()]);
  for (const [x, y] of probes) {
    assert.equal(geoWithin(pt(x, y), poly), booleanWithin(pt(x, y), poly), `within ${x},${y}`);
    assert.equal(geoIntersects(pt(x, y), poly), booleanIntersects(pt(x, y), poly), `intersects ${x},${y}`);
  }
  assert.equal(classifyInRings(0, 5, poly.coordinates as number[][][]), 0);
});

test('[4.10] distanceMeters is haversine on the 6371008.8 m sphere and matches @turf/distance', () => {
  assert.ok(Math.abs(distanceMeters([0, 0], [1, 0]) - 111195.08) < 0.01);
  assert.ok(Math.abs(distanceMeters([0, 0], [0, 1]) - 111195.08) < 0.01);
  assert.equal(distanceMeters([7.2, 51.5], [7.2, 51.5]), 0);
  assert.ok(Math.abs(distanceMeters([179.5, 0], [-179.5, 0]) - 111195.08) < 0.01, 'across the antimeridian');
  for (const [a, b] of [[[7.2, 51.5], [2.35, 48.85]], [[-70, -33], [151, -34]], [[0, 89.9], [180, 89.9]]] as [number[], number[]][]) {
    const t = turfDistance(a, b, { units: 'meters' });
    assert.ok(Math.abs(distanceMeters(a, b) - t) <= 1e-6 * t, `${a} ${b}`);
  }
});

test('[4.10] distanceToGeometry: nearest vertex or edge point, 0 in or on a polygon', () => {
  assert.equal(distanceToGeometry([5, 5], SQ), 0);
  assert.equal(distanceToGeometry([10, 5], SQ), 0);
  // 1° east of the square's east edge at the equator-ish: the nearest point is on the edge, not a vertex.
  const d = distanceToGeometry([11, 5], SQ);
  assert.ok(Math.abs(d - distanceMeters([11, 5], [10, 5])) < 1, `${d}`);
  assert.ok(d < distanceMeters([11, 5], [10, 0]));
  assert.ok(Math.abs(distanceToGeometry([5, 5], DONUT) - distanceMeters([5, 5], [7, 5])) < 100);
  assert.equal(distanceToGeometry([0, 0], { type: 'MultiPoint', coordinates: [[1, 0], [0, 0.5]] }), distanceMeters([0, 0], [0, 0.5]));
  const l = distanceToGeometry([0, 0.001], line([-1, 0], [1, 0]));
  assert.ok(Math.abs(l - distanceMeters([0, 0.001], [0, 0])) < 1e-3, `${l}`);
});
