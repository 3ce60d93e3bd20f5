// Reads of single entities for the NGSIv2 API: the stored record and its default v2 rendering kept per
// entity version (as the NGSI-LD API's EntityViews do), so a repeated GET /v2/entities/{id} costs one
// version lookup instead of reading, parsing and rendering the entity again. Bounded LRU.
import type { EntityReader, EntityRecord } from '../storage/port.ts';

interface Entry { born: number; rev: number; rec: EntityRecord; text?: string }

export class V2Views {
  private readonly map = new Map<string, Entry>();
  constructor(private readonly reader: () => EntityReader, private readonly max = 5000) {}

  /** The entity as stored now (from the cache while its version is unchanged). Callers must not modify it. */
  async get(tenant: string, id: string): Promise<EntityRecord | undefined> {
    return (await this.entry(tenant, id))?.rec;
  }

  /** The entity and its default rendering (normalized, all attributes), made once per version. */
  async rendered(tenant: string, id: string, render: (e: EntityRecord) => string): Promise<{ rec: EntityRecord; text: string } | undefined> {
    const e = await this.entry(tenant, id);
    if (!e) return undefined;
    e.text ??= render(e.rec);
    return { rec: e.rec, text: e.text };
  }

  private async entry(tenant: string, id: string): Promise<Entry | undefined> {
    const key = `${tenant}\u0000${id}`;
    const v = await this.reader().versionOf(tenant, id);
    if (!v) { this.map.delete(key); return undefined; }
    const hit = this.map.get(key);
    if (hit && hit.born === v.born && hit.rev === v.rev) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const rec = await this.reader().get(tenant, id);
    if (!rec) { this.map.delete(key); return undefined; }
    if (rec.born === undefined || rec.rev === undefined) return { born: -1, rev: -1, rec };
    const e: Entry = { born: rec.born, rev: rec.rev, rec };
    this.map.delete(key);
    this.map.set(key, e);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
    return e;
  }
}
