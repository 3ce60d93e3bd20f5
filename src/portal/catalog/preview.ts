// The dataset page's preview: the first rows of a CSV or the first features of a GeoJSON file, read
// from the start of a download stream (never more than a bounded prefix).
import type { Readable } from 'node:stream';

/** Reads at most `max` bytes from a stream, then stops it. */
export async function readPrefix(stream: Readable, max: number): Promise<{ text: string; complete: boolean }> {
  const chunks: Buffer[] = [];
  let n = 0;
  let complete = true;
  try {
    for await (const c of stream) {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
      chunks.push(b);
      n += b.length;
      if (n >= max) { complete = false; break; }
    }
  } finally {
    stream.destroy();
  }
  const buf = Buffer.concat(chunks).subarray(0, max);
  // Cut a partial UTF-8 sequence at the end.
  return { text: buf.toString('utf8').replace(/\uFFFD$/, ''), complete };
}

/** RFC 4180 rows (quoted fields, doubled quotes, CRLF or LF); the separator is , or ; (as German CSVs use). */
export function csvRows(text: string, maxRows: number): { rows: string[][]; more: boolean } {
  const firstLine = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
  const sep = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === sep) { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      rows.push(row); row = [];
      if (rows.length > maxRows) return { rows: rows.slice(0, maxRows), more: true };
    } else field += ch;
  }
  // A last line without a newline counts only when the text is complete (the caller knows).
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return { rows: rows.slice(0, maxRows), more: rows.length > maxRows };
}

export interface Table {
  columns: string[];
  rows: string[][];
  truncated: boolean;
}

/** The header and first rows of a CSV prefix. */
export function csvPreview(prefix: { text: string; complete: boolean }, maxRows: number): Table | undefined {
  let text = prefix.text;
  // An incomplete prefix ends inside a row: drop that row.
  if (!prefix.complete) text = text.slice(0, Math.max(0, text.lastIndexOf('\n')));
  const { rows, more } = csvRows(text, maxRows + 1);
  if (rows.length === 0 || rows[0].every((c) => c === '')) return undefined;
  const [columns, ...body] = rows;
  return { columns, rows: body.map((r) => columns.map((_c, j) => r[j] ?? '')), truncated: more || !prefix.complete };
}

function geometryText(g: unknown): string {
  if (!g || typeof g !== 'object') return '';
  const geo = g as { type?: string; coordinates?: unknown };
  if (geo.type === 'Point' && Array.isArray(geo.coordinates)) {
    const [lon, lat] = geo.coordinates as number[];
    return `${geo.type} ${lat}, ${lon}`;
  }
  return String(geo.type ?? '');
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The first features of a complete GeoJSON FeatureCollection as a table (properties and geometry). */
export function geojsonPreview(prefix: { text: string; complete: boolean }, maxRows: number, geometryLabel: string): Table | undefined {
  if (!prefix.complete) return undefined;
  let doc: unknown;
  try { doc = JSON.parse(prefix.text); } catch { return undefined; }
  const features = (doc as { features?: unknown })?.features;
  if (!Array.isArray(features) || features.length === 0) return undefined;
  const first = features.slice(0, maxRows) as Array<{ properties?: Record<string, unknown>; geometry?: unknown; id?: unknown }>;
  const cols: string[] = [];
  for (const f of first) for (const k of Object.keys(f.properties ?? {})) if (!cols.includes(k) && cols.length < 12) cols.push(k);
  return {
    columns: [...cols, geometryLabel],
    rows: first.map((f) => [...cols.map((k) => cell(f.properties?.[k])), geometryText(f.geometry)]),
    truncated: features.length > maxRows,
  };
}
