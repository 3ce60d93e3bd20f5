// Unit tests of ISO 8601 durations and period boundaries (clause 4.5.19 aggrPeriodDuration).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDuration, parseDuration, periodBounds } from './temporal.duration.ts';

const T = (s: string) => Date.parse(s);

test('[4.5.19] durations: fixed parts in ms, months and years apart', () => {
  assert.deepEqual(parseDuration('PT1H'), { years: 0, months: 0, ms: 3600_000, text: 'PT1H' });
  assert.equal(parseDuration('P1W').ms, 7 * 86400_000);
  assert.equal(parseDuration('P1DT1.5S').ms, 86400_000 + 1500);
  assert.deepEqual([parseDuration('P1Y2M').years, parseDuration('P1Y2M').months], [1, 2]);
  for (const bad of ['P', 'PT', '1H', 'P1H', 'PT1D', 'P-1D', 'P1.5M']) assert.throws(() => parseDuration(bad), /ISO 8601 duration/, bad);
});

test('[4.5.19] P1M steps through the calendar and clamps the 31st', () => {
  const m = parseDuration('P1M');
  assert.equal(new Date(addDuration(T('2026-01-31T00:00:00Z'), m)).toISOString(), '2026-02-28T00:00:00.000Z');
  assert.equal(new Date(addDuration(T('2026-01-31T00:00:00Z'), m, 2)).toISOString(), '2026-03-31T00:00:00.000Z');
  assert.equal(new Date(addDuration(T('2026-03-15T00:00:00Z'), m, -3)).toISOString(), '2025-12-15T00:00:00.000Z');
});

test('[4.5.19] periods cover the range; P0D is one period; too many are refused', () => {
  const b = periodBounds(T('2026-01-01T00:00:00Z'), T('2026-01-01T02:30:00Z'), parseDuration('PT1H'), 100);
  assert.equal(b.length, 3);
  assert.equal(b[2][1], T('2026-01-01T03:00:00Z'));
  assert.deepEqual(periodBounds(0, 10, parseDuration('P0D'), 1), [[0, 10]]);
  assert.throws(() => periodBounds(0, 86400_000, parseDuration('PT1S'), 1000), /TooManyResults|at most 1,000/);
});
