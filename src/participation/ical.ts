// iCalendar (RFC 5545) for the city's events: one VEVENT each, text escaped (3.3.11), lines folded
// at 75 octets (3.1), CRLF line ends, times in UTC.
export interface CalendarEvent {
  id: string;
  title: string;
  start: string;
  end?: string;
  place: string;
  description?: string;
  url?: string;
}

const utc = (iso: string) => new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** TEXT value escaping: backslash, semicolon, comma, newline. */
export function icalText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line into chunks of at most 75 octets, never splitting a UTF-8 sequence. */
export function fold(line: string): string {
  const out: string[] = [];
  let cur = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    const limit = out.length === 0 ? 75 : 74;
    if (octets + n > limit) { out.push(cur); cur = ''; octets = 0; }
    cur += ch;
    octets += n;
  }
  out.push(cur);
  return out.join('\r\n ');
}

export function icalendar(events: CalendarEvent[], opts: { host: string; now: Date; name: string }): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Drehscheibe//Beteiligung//DE', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${icalText(opts.name)}`];
  for (const e of events) {
    lines.push('BEGIN:VEVENT', `UID:${e.id.replace(/[^A-Za-z0-9._-]/g, '-')}@${opts.host}`, `DTSTAMP:${utc(opts.now.toISOString())}`, `DTSTART:${utc(e.start)}`);
    if (e.end) lines.push(`DTEND:${utc(e.end)}`);
    lines.push(`SUMMARY:${icalText(e.title)}`, `LOCATION:${icalText(e.place)}`);
    if (e.description) lines.push(`DESCRIPTION:${icalText(e.description)}`);
    if (e.url) lines.push(`URL:${e.url}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
