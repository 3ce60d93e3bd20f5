import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOGS } from './index.ts';

test('a span of time names the date once within a day, both dates across days (Europe/Berlin)', () => {
  const de = CATALOGS.de;
  const en = CATALOGS.en;
  assert.equal(de.formatDateTimeRange('2030-03-12T17:00:00Z', '2030-03-12T19:30:00Z'), '12. März 2030, 18:00–20:30 Uhr');
  assert.equal(de.formatDateTimeRange('2030-03-12T17:00:00Z', '2030-03-13T19:30:00Z'), '12. März 2030 um 18:00 Uhr – 13. März 2030 um 20:30 Uhr');
  // 23:30 UTC is already the next day in Berlin: two days, not one.
  assert.equal(de.formatDateTimeRange('2030-03-12T22:00:00Z', '2030-03-12T23:30:00Z'), '12. März 2030 um 23:00 Uhr – 13. März 2030 um 00:30 Uhr');
  assert.equal(en.formatDateTimeRange('2030-03-12T17:00:00Z', '2030-03-12T19:30:00Z'), '12 March 2030, 18:00–20:30');
});
