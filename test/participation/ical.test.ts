// iCalendar output (RFC 5545): escaping, folding at 75 octets without splitting characters, UTC times, CRLF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fold, icalText, icalendar } from '../../src/participation/ical.ts';

test('[RFC 5545 3.3.11] text escapes backslash, semicolon, comma and newlines', () => {
  assert.equal(icalText('a\\b;c,d\ne'), 'a\\\\b\\;c\\,d\\ne');
});

test('[RFC 5545 3.1] long lines fold at 75 octets with CRLF and a space, never inside a UTF-8 character', () => {
  const line = `SUMMARY:${'Bürgerbeteiligung '.repeat(10)}`;
  const folded = fold(line);
  const parts = folded.split('\r\n');
  assert.ok(parts.length > 1);
  for (const [i, p] of parts.entries()) assert.ok(Buffer.byteLength(p) <= 75, `part ${i} has ${Buffer.byteLength(p)} octets`);
  assert.equal(parts.map((p, i) => (i ? p.slice(1) : p)).join(''), line);
});

test('a calendar: one VEVENT per event with UID, DTSTAMP, UTC start and end, CRLF line ends', () => {
  const ics = icalendar([
    { id: 'stadtkonferenz', title: 'Stadtkonferenz; Digitales, Herne', start: '2026-12-10T18:00:00+01:00', end: '2026-12-10T21:00:00+01:00', place: 'Kulturzentrum', description: 'Zeile 1\nZeile 2', url: 'https://herne.example/e' },
    { id: 'ohne ende', title: 'Sprechstunde', start: '2026-12-11T09:00:00Z', place: 'online' },
  ], { host: 'drehscheibe.test', now: new Date('2026-12-05T08:00:00Z'), name: 'Termine' });
  assert.ok(ics.endsWith('END:VCALENDAR\r\n'));
  assert.doesNotMatch(ics.replace(/\r\n/g, ''), /\n/);
  assert.equal(ics.match(/BEGIN:VEVENT/g)?.length, 2);
  assert.match(ics, /UID:stadtkonferenz@drehscheibe\.test\r\n/);
  assert.match(ics, /DTSTART:20261210T170000Z\r\nDTEND:20261210T200000Z\r\n/);
  assert.match(ics, /SUMMARY:Stadtkonferenz\\; Digitales\\, Herne\r\n/);
  assert.match(ics, /DESCRIPTION:Zeile 1\\nZeile 2\r\n/);
  assert.match(ics, /UID:ohne-ende@drehscheibe\.test\r\nDTSTAMP:20261205T080000Z\r\nDTSTART:20261211T090000Z\r\nSUMMARY:Sprechstunde/);
});
