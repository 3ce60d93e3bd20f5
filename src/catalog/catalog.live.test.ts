// IsoTime (the history CSV's time column) writes exactly what Date.prototype.toISOString writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IsoTime } from './catalog.live.ts';

test('IsoTime formats as toISOString: within a day, across days, and outside the cached range', () => {
  const iso = new IsoTime();
  const base = Date.parse('2025-01-01T00:00:00Z');
  const xs = [base, base + 1, base + 999, base + 1000, base + 59_999, base + 3_599_999, base + 86_399_999, base + 86_400_000, base - 1,
    Date.parse('2024-02-29T23:59:59.999Z'), 0, -1, -86_400_001, 253_402_300_799_999, 253_402_300_800_000, 8.64e15, base + 0.5, base + 12_345_678];
  for (let i = 0; i < 5000; i++) xs.push(base + Math.floor(i * 7919.31) * 37);
  for (const ms of xs) assert.equal(iso.format(ms), new Date(ms).toISOString(), String(ms));
});
