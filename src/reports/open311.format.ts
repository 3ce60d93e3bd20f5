// Open311 GeoReport v2 representations: the spec's member names, JSON and XML (UTF-8, XML
// declaration first), dates as ISO 8601 with time zone and without fractions of seconds.
import { open311Status, type Category, type Report } from './reports.model.ts';

export type Format = 'json' | 'xml';
type Value = string | number | boolean | null | undefined | Value[] | { [k: string]: Value };

const NEEDS_ESCAPE = /[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const esc = (s: string) => !NEEDS_ESCAPE.test(s) ? s : s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)
  // Characters XML 1.0 cannot carry at all.
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');

function xmlOf(name: string, v: Value, itemName?: string): string {
  if (v === null || v === undefined || v === '') return `<${name}/>`;
  if (Array.isArray(v)) return `<${name}>${v.map((x) => xmlOf(itemName ?? 'item', x)).join('')}</${name}>`;
  if (typeof v === 'object') return `<${name}>${Object.entries(v).map(([k, x]) => xmlOf(k, x, ITEM[k])).join('')}</${name}>`;
  return `<${name}>${esc(String(v))}</${name}>`;
}
/** Element names of list items (the spec's XML examples). */
const ITEM: Record<string, string> = { services: 'service', service_requests: 'request', errors: 'error', attributes: 'attribute', values: 'value', endpoints: 'endpoint', formats: 'format' };

/** A list under its root element (XML) or a bare array (JSON), as the spec's examples show. */
export function render(format: Format, root: string, list: Value[] | Record<string, Value>): string {
  if (format === 'json') return JSON.stringify(list);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xmlOf(root, list as Value, ITEM[root])}`;
}

export const contentType = (f: Format) => (f === 'json' ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8');

export function isoSeconds(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

export function service(c: Category, lang: 'de' | 'en'): Record<string, Value> {
  return {
    service_code: c.code, service_name: c.name[lang], description: c.description[lang], metadata: false, type: 'realtime',
    keywords: (c.keywords ?? []).join(', '), group: c.group,
  };
}

export function serviceRequest(r: Report, c: Category | undefined, lang: 'de' | 'en', mediaUrl: string | undefined): Record<string, Value> {
  return {
    service_request_id: r.id,
    status: open311Status(r.status),
    status_notes: statusNotes(r, lang),
    service_name: c?.name[lang] ?? r.category,
    service_code: r.category,
    description: r.description,
    agency_responsible: r.department ?? null,
    service_notice: r.answer ?? null,
    requested_datetime: isoSeconds(r.requestedAt),
    updated_datetime: isoSeconds(r.updatedAt),
    expected_datetime: null,
    address: r.address ?? null,
    address_id: null,
    zipcode: null,
    lat: r.lat ?? null,
    long: r.lon ?? null,
    media_url: mediaUrl ?? null,
  };
}

const WORDS = {
  de: { received: 'Eingegangen', in_progress: 'In Bearbeitung', done: 'Erledigt', rejected: 'Abgelehnt' },
  en: { received: 'Received', in_progress: 'In progress', done: 'Done', rejected: 'Rejected' },
};

/** Our workflow's step (Open311 knows only open/closed) and its note, e.g. "Abgelehnt: Privatgrundstück". */
export function statusNotes(r: Report, lang: 'de' | 'en'): string {
  const w = WORDS[lang][r.status];
  return r.statusNote ? `${w}: ${r.statusNote}` : w;
}
