// Gathers what pages show, through the services (the NGSI-LD entity service and the strategy
// service), never the storage engines. Components only render these plain view models.
import type { EntityService } from '../ngsi-ld/entities/entities.service.ts';
import type { EntityRecord } from '../storage/port.ts';

const LOCATION = 'https://uri.etsi.org/ngsi-ld/location';
/** One collator for sorting names (localeCompare with a locale builds one per call). */
const COLLATOR = new Intl.Collator('de');
const SKIP = new Set(['name', 'location', 'dataProvider', 'source', 'address', 'description', 'refDevice', 'dateObserved', 'areaServed']);

/** The short name of an expanded IRI (the last path or fragment segment). */
export function shortName(iri: string): string {
  let n = SHORT.get(iri);
  if (n === undefined) {
    n = /[^/#:]+$/.exec(iri)?.[0] ?? iri;
    // Attribute and type IRIs are few; the bound only guards against unusual data.
    if (SHORT.size > 10_000) SHORT.clear();
    SHORT.set(iri, n);
  }
  return n;
}
const SHORT = new Map<string, string>();

export interface TypeCount {
  type: string;
  iri: string;
  count: number;
}

export interface SensorValue {
  attr: string;
  value: string | number | boolean;
  unit?: string;
}

export interface SensorRow {
  id: string;
  name: string;
  lon?: number;
  lat?: number;
  values: SensorValue[];
  observedAt?: string;
}

export interface SensorGroup {
  type: string;
  total: number;
  sensors: SensorRow[];
}

/** What an anonymous reader may read in the tenant, by the access policy as it is now. */
export type PublicRead = (tenant: string) => { allowed: boolean; mayRead?: (typeIri: string) => boolean };

export class LiveData {
  constructor(private readonly entities: EntityService, private readonly tenant: string, private readonly publicRead: PublicRead) {}

  /** Entities per type in the city's tenant that anyone may read (empty when the tenant does not exist yet). */
  async typeCounts(): Promise<TypeCount[]> {
    // The pages are public: they show only what the API would show an anonymous reader.
    const access = this.publicRead(this.tenant);
    if (!access.allowed || !(await this.entities.tenantExists(this.tenant))) return [];
    const rows = await this.entities.reader().typeCounts(this.tenant);
    return rows.filter((r) => r.entities > 0 && (!access.mayRead || access.mayRead(r.type)))
      .map((r) => ({ type: shortName(r.type), iri: r.type, count: r.entities })).sort((a, b) => COLLATOR.compare(a.type, b.type));
  }

  /** The first `limit` sensors of each type with their latest values, through the query layer. */
  async sensors(limit: number, only?: readonly string[]): Promise<SensorGroup[]> {
    const counts = (await this.typeCounts()).filter((c) => c.type !== 'KeyPerformanceIndicator' && (!only || only.includes(c.type)));
    return Promise.all(counts.map(async (c) => {
      const r = await this.entities.query(this.tenant, { types: { kind: 'type', name: c.iri } }, { limit, offset: 0, count: false });
      return { type: c.type, total: c.count, sensors: r.entities.map(sensorRow).sort((a, b) => COLLATOR.compare(a.name, b.name)) };
    }));
  }
}

function first(e: EntityRecord, short: string): Record<string, unknown> | undefined {
  for (const [iri, inst] of Object.entries(e.attrs)) if (shortName(iri) === short) return inst[0] as Record<string, unknown>;
  return undefined;
}

function member(inst: Record<string, unknown>, short: string): unknown {
  for (const [k, v] of Object.entries(inst)) if (shortName(k) === short) return v;
  return undefined;
}

export function sensorRow(e: EntityRecord): SensorRow {
  const name = first(e, 'name');
  const loc = (e.attrs[LOCATION]?.[0]?.value ?? first(e, 'location')?.value) as { type?: string; coordinates?: number[] } | undefined;
  const values: SensorValue[] = [];
  let observedAt: string | undefined;
  for (const [iri, insts] of Object.entries(e.attrs)) {
    const a = shortName(iri);
    const inst = insts[0] as Record<string, unknown> | undefined;
    if (!inst || SKIP.has(a) || inst.type !== 'Property') continue;
    const v = inst.value;
    if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') continue;
    const unit = member(inst, 'unitCode');
    values.push({ attr: a, value: v, unit: typeof unit === 'string' ? unit : undefined });
    const at = member(inst, 'observedAt');
    if (typeof at === 'string' && (!observedAt || at > observedAt)) observedAt = at;
  }
  return {
    id: e.id,
    name: typeof name?.value === 'string' ? name.value : shortName(e.id),
    lon: loc?.type === 'Point' ? loc.coordinates?.[0] : undefined,
    lat: loc?.type === 'Point' ? loc.coordinates?.[1] : undefined,
    values: values.slice(0, 6),
    observedAt: observedAt ?? e.modifiedAt,
  };
}

/** UN/CEFACT unit codes the demo uses, as people write them. */
export const UNITS: Record<string, string> = { GQ: 'µg/m³', CEL: '°C', C62: '', '2N': 'dB', KWH: 'kWh', P1: '%', KMH: 'km/h', WTT: 'W' };
