// Rendered entities as JSON text, cached by (entity version, @context, options): reads that
// return the same entities again (maps, dashboards, polling clients) skip parse, render and
// stringify. A storage version (born, rev) changes on every write and is never reused by a later
// entity with the same id, so a cached text is never stale.
import type { EntityKey, EntityReader, EntityRecord, EntityVersion } from '../../storage/port.ts';
import type { Terms } from '../context/term-map.ts';
import { renderEntity, type RenderOptions } from './entity.render.ts';

const termIds = new WeakMap<object, number>();
let nextTermId = 1;

function termsId(t: Terms): number {
  let id = termIds.get(t);
  if (id === undefined) { id = nextTermId++; termIds.set(t, id); }
  return id;
}

function setKey(s: Set<string> | undefined): string {
  return s ? [...s].sort().join(',') : '';
}

export function optionsKey(terms: Terms, o: RenderOptions): string {
  return `${termsId(terms)}|${o.format}|${o.sysAttrs ? 1 : 0}|${o.lang?.join(',') ?? ''}|${setKey(o.pick)}|${setKey(o.omit)}|${o.datasetId?.join(',') ?? ''}`;
}

/** A byte-bounded LRU of JSON texts. */
export class RenderCache {
  private readonly map = new Map<string, string>();
  private bytes = 0;
  hits = 0;
  misses = 0;
  constructor(private readonly maxBytes: number) {}
  get(k: string): string | undefined {
    const v = this.map.get(k);
    if (v === undefined) { this.misses++; return undefined; }
    this.hits++;
    this.map.delete(k);
    this.map.set(k, v);
    return v;
  }
  set(k: string, v: string): void {
    if (this.maxBytes <= 0 || v.length > this.maxBytes / 8) return;
    const old = this.map.get(k);
    if (old !== undefined) { this.bytes -= old.length + k.length; this.map.delete(k); }
    this.map.set(k, v);
    this.bytes += v.length + k.length;
    while (this.bytes > this.maxBytes) {
      const [ok, ov] = this.map.entries().next().value as [string, string];
      this.map.delete(ok);
      this.bytes -= ov.length + ok.length;
    }
  }
  get size(): number { return this.map.size; }
}

export class EntityViews {
  constructor(private readonly reader: EntityReader, private readonly cache: RenderCache) {}

  private key(tenant: string, id: string, v: EntityVersion, ok: string): string {
    return `${tenant}\u0000${id}\u0000${v.born}.${v.rev}\u0000${ok}`;
  }

  private render(tenant: string, e: EntityRecord, terms: Terms, o: RenderOptions, ok: string): string {
    const text = JSON.stringify(renderEntity(e, terms, o));
    const v = versionOfRecord(e);
    if (v) this.cache.set(this.key(tenant, e.id, v, ok), text);
    return text;
  }

  /** JSON texts of the entities behind keys, in the keys' order (entities deleted meanwhile are left out). */
  async many(tenant: string, keys: EntityKey[], terms: Terms, o: RenderOptions): Promise<string[]> {
    const ok = optionsKey(terms, o);
    const out: Array<string | undefined> = keys.map((k) => this.cache.get(this.key(tenant, k.id, k, ok)));
    const missing = keys.filter((_, i) => out[i] === undefined).map((k) => k.id);
    if (missing.length) {
      const recs = new Map((await this.reader.getMany(tenant, missing)).map((e) => [e.id, e]));
      keys.forEach((k, i) => {
        if (out[i] !== undefined) return;
        const e = recs.get(k.id);
        if (e) out[i] = this.render(tenant, e, terms, o, ok);
      });
    }
    return out.filter((x): x is string => x !== undefined);
  }

  /** JSON text of one entity, or undefined when it does not exist. */
  async one(tenant: string, id: string, terms: Terms, o: RenderOptions): Promise<{ text: string; version: EntityVersion } | undefined> {
    const ok = optionsKey(terms, o);
    const version = await this.reader.versionOf(tenant, id);
    if (version === undefined) return undefined;
    const hit = this.cache.get(this.key(tenant, id, version, ok));
    if (hit !== undefined) return { text: hit, version };
    const e = await this.reader.get(tenant, id);
    if (!e) return undefined;
    return { text: this.render(tenant, e, terms, o, ok), version: versionOfRecord(e) ?? version };
  }
}

function versionOfRecord(e: EntityRecord): EntityVersion | undefined {
  return e.rev !== undefined && e.born !== undefined ? { born: e.born, rev: e.rev } : undefined;
}

/** The ETag value (without quotes) of an entity version: "<born>-<rev>". */
export function etagOf(v: EntityVersion): string {
  return `${v.born}-${v.rev}`;
}

/** The ETag value of a stored record, undefined when storage gave no version. */
export function recordEtag(e: EntityRecord): string | undefined {
  const v = versionOfRecord(e);
  return v && etagOf(v);
}

/** Adds "@context" to one rendered entity's JSON text (application/ld+json responses). */
export function withContext(text: string, contextJson: string): string {
  return text === '{}' ? `{"@context":${contextJson}}` : `{"@context":${contextJson},${text.slice(1)}`;
}
