// Live distributions: a dataset bound to an NGSI-LD query gets its data from the platform's own
// NGSI-LD API, called as an anonymous client (so it never hands out what the API hides), and from
// the temporal service for history. Everything streams page by page: the first byte leaves before
// the last row is read, and memory stays flat however long the history is.
import { Readable } from 'node:stream';
import type { LiveQuery } from './catalog.model.ts';
import type { LiveSource } from './catalog.service.ts';
import type { Problem } from './catalog.validate.ts';

/** One recorded value of an attribute. */
export interface HistoryRow {
  /** Epoch ms (observedAt). */
  time: number;
  value: unknown;
  unitCode?: string | null;
}

/** Consecutive values of one attribute series (one datasetId). */
export interface HistoryPage {
  datasetId?: string;
  rows: HistoryRow[];
}

/** The temporal service as the catalogue uses it (wired in app.ts). */
export interface HistorySource {
  /** Instances of one attribute of one entity in [from, to) in time order, in pages; nothing when it has no history. */
  pages(tenant: string, entityId: string, attr: string, from: number, to: number, context?: string): AsyncIterable<HistoryPage>;
}

export interface LiveDeps {
  /** GET on the platform's NGSI-LD API as an anonymous client, path from /ngsi-ld/v1 on. */
  get(path: string, tenant: string, accept?: string, context?: string): Promise<{ status: number; body: string }>;
  /** Whether the access model lets anonymous clients read entities of this type (in this @context) in this tenant. */
  anonymousMayRead(tenant: string, type: string, context?: string): Promise<boolean>;
  history: HistorySource;
  /** Public base URL, no trailing slash. */
  publicUrl: string;
  /** Entities per page of the NGSI-LD API (its maximum limit). */
  pageSize: number;
}

/** Characters per chunk of a CSV download. */
const CHUNK = 64 * 1024;

type Entity = Record<string, unknown> & { id: string; type: string | string[] };

export function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Date.prototype.toISOString for epoch ms, faster for rows of the same day: the date part is kept,
 * the time of day is computed (the same text as toISOString for years 0 to 9999).
 */
export class IsoTime {
  private dayStart = NaN;
  private day = '';

  format(ms: number): string {
    let rest = ms - this.dayStart;
    if (!(rest >= 0 && rest < 86_400_000)) {
      if (!(ms >= 0 && ms < 253_402_300_800_000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
      this.dayStart = ms - (ms % 86_400_000);
      this.day = new Date(this.dayStart).toISOString().slice(0, 11);
      rest = ms - this.dayStart;
    }
    const h = Math.floor(rest / 3_600_000);
    const m = Math.floor(rest / 60_000) % 60;
    const s = Math.floor(rest / 1000) % 60;
    const milli = rest % 1000;
    return `${this.day}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${s < 10 ? '0' : ''}${s}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  }
}

function params(q: LiveQuery, parts: { q?: boolean; geo?: boolean; attrs?: boolean } = { q: true, geo: true, attrs: true }): URLSearchParams {
  const p = new URLSearchParams({ type: q.type });
  if (parts.q && q.q) p.set('q', q.q);
  if (parts.geo && q.geo) {
    p.set('georel', q.geo.georel);
    p.set('geometry', q.geo.geometry);
    p.set('coordinates', q.geo.coordinates);
    if (q.geo.geoproperty) p.set('geoproperty', q.geo.geoproperty);
  }
  if (parts.attrs && q.attrs?.length) p.set('attrs', q.attrs.join(','));
  return p;
}

function detailOf(body: string): string {
  try {
    const j = JSON.parse(body) as { detail?: string; title?: string };
    return j.detail ?? j.title ?? body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}

export class NgsiLiveSource implements LiveSource {
  constructor(private readonly d: LiveDeps) {}

  queryUrl(q: LiveQuery): string {
    return `${this.d.publicUrl}/ngsi-ld/v1/entities?${params(q).toString()}`;
  }

  async check(q: LiveQuery): Promise<{ problems: Problem[]; anonymousReadable: boolean }> {
    const anonymousReadable = await this.d.anonymousMayRead(q.tenant, q.type, q.context);
    if (!anonymousReadable) return { problems: [], anonymousReadable };
    // Each part alone, so that the problem names the part that is wrong.
    const steps: Array<[string, Parameters<typeof params>[1]]> = [['live.type', {}], ['live.q', { q: true }], ['live.geo', { geo: true }], ['live.attrs', { attrs: true }], ['live', { q: true, geo: true, attrs: true }]];
    // A tenant without data yet (404) does not make the query wrong: its syntax is checked in the default tenant.
    let tenant = q.tenant;
    for (const [field, parts] of steps) {
      if (field === 'live.q' && !q.q) continue;
      if (field === 'live.geo' && !q.geo) continue;
      if (field === 'live.attrs' && !q.attrs?.length) continue;
      let r = await this.d.get(`/entities?${params(q, parts).toString()}&limit=1`, tenant, undefined, q.context);
      if (r.status === 404 && tenant !== '') {
        tenant = '';
        r = await this.d.get(`/entities?${params(q, parts).toString()}&limit=1`, tenant, undefined, q.context);
      }
      if (r.status === 401 || r.status === 403) return { problems: [], anonymousReadable: false };
      if (r.status >= 400) return { problems: [{ field, message: `${field}: ${detailOf(r.body)}` }], anonymousReadable };
    }
    return { problems: [], anonymousReadable };
  }

  /** Pages of entities (keyValues, or GeoJSON features) of the query. */
  private async *pages(q: LiveQuery, geo: boolean, extra = ''): AsyncGenerator<Entity[]> {
    const size = this.d.pageSize;
    for (let offset = 0; ; offset += size) {
      const r = await this.d.get(`/entities?${params(q).toString()}&options=keyValues&limit=${size}&offset=${offset}${extra}`, q.tenant, geo ? 'application/geo+json' : 'application/json', q.context);
      if (r.status >= 400) throw new Error(`live query failed (${r.status}): ${detailOf(r.body)}`);
      const doc = JSON.parse(r.body) as Entity[] | { features: Entity[] };
      const list = Array.isArray(doc) ? doc : doc.features;
      if (list.length) yield list;
      if (list.length < size) return;
    }
  }

  current(q: LiveQuery, format: 'csv' | 'geojson'): Readable {
    const self = this;
    async function* csv(): AsyncGenerator<string> {
      let cols: string[] | undefined;
      for await (const page of self.pages(q, false)) {
        if (!cols) {
          // Columns: the query's attrs, else every attribute the first page has (sorted).
          cols = q.attrs?.length ? q.attrs : [...new Set(page.flatMap((e) => Object.keys(e)))].filter((k) => k !== 'id' && k !== 'type' && k !== '@context').sort();
          yield ['id', 'type', ...cols].map(csvField).join(',') + '\r\n';
        }
        let buf = '';
        for (const e of page) buf += [e.id, Array.isArray(e.type) ? e.type.join(' ') : e.type, ...cols.map((c) => e[c])].map(csvField).join(',') + '\r\n';
        yield buf;
      }
      if (!cols) yield 'id,type\r\n';
    }
    async function* geojson(): AsyncGenerator<string> {
      yield '{"type":"FeatureCollection","features":[';
      let first = true;
      for await (const page of self.pages(q, true)) {
        let buf = '';
        for (const f of page) { buf += (first ? '' : ',') + JSON.stringify(f); first = false; }
        yield buf;
      }
      yield ']}\n';
    }
    return Readable.from(format === 'csv' ? csv() : geojson(), { highWaterMark: 1 });
  }

  history(q: LiveQuery, from: Date, to: Date): Readable {
    const self = this;
    const f = from.getTime();
    const t = to.getTime();
    // Rows are written into strings of about CHUNK characters (the fields that repeat on every row
    // are escaped once), so an await is paid per chunk, not per row; Readable.from pulls the next
    // chunk only when the socket has taken the last one (backpressure), and a page is read only then.
    async function* chunks(): AsyncGenerator<string> {
      yield 'entityId,attribute,observedAt,value,unitCode,datasetId\r\n';
      const iso = new IsoTime();
      for await (const page of self.pages(q, false)) {
        for (const e of page) {
          const attrs = q.attrs?.length ? q.attrs : Object.keys(e).filter((k) => k !== 'id' && k !== 'type' && k !== '@context' && k !== 'location').sort();
          for (const a of attrs) {
            const head = `${csvField(e.id)},${csvField(a)},`;
            for await (const p of self.d.history.pages(q.tenant, e.id, a, f, t, q.context)) {
              const tail = `,${csvField(p.datasetId)}\r\n`;
              let buf = '';
              for (const r of p.rows) {
                const v = r.value;
                buf += `${head}${iso.format(r.time)},${typeof v === 'number' ? String(v) : csvField(v)},${r.unitCode == null ? '' : csvField(r.unitCode)}${tail}`;
                // Chunks stay below V8's large-object size, so they die young instead of piling up in old space until a full collection (RSS).
                if (buf.length >= CHUNK) { yield buf; buf = ''; }
              }
              if (buf) yield buf;
              // Let other requests run: SQLite reads a page synchronously, and a long export would otherwise hold the loop.
              await new Promise((r) => setImmediate(r));
            }
          }
        }
      }
    }
    return Readable.from(chunks(), { highWaterMark: 1 });
  }

  async lastModified(q: LiveQuery): Promise<string | undefined> {
    let latest: string | undefined;
    let pages = 0;
    const size = this.d.pageSize;
    for (let offset = 0; pages < 20; offset += size, pages++) {
      const r = await this.d.get(`/entities?${params(q).toString()}&options=sysAttrs&limit=${size}&offset=${offset}`, q.tenant, undefined, q.context);
      if (r.status >= 400) return latest;
      const list = JSON.parse(r.body) as Array<Record<string, unknown>>;
      for (const e of list) {
        for (const v of Object.values(e)) {
          const m = (v as { modifiedAt?: unknown } | null)?.modifiedAt;
          if (typeof m === 'string' && (!latest || m > latest)) latest = m;
        }
        if (typeof e.modifiedAt === 'string' && (!latest || e.modifiedAt > latest)) latest = e.modifiedAt;
      }
      if (list.length < size) break;
    }
    return latest;
  }
}
