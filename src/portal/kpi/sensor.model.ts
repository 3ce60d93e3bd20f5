// One sensor (an entity of the city's tenant) as its page shows it: every current value with unit
// and time, read through the NGSI-LD entity service by the route.
import type { EntityRecord } from '../../storage/port.ts';
import { shortName, UNITS } from '../portal.model.ts';

const SKIP = new Set(['name', 'location', 'dataProvider', 'source', 'address', 'description', 'refDevice', 'dateObserved', 'areaServed']);

export interface SensorValueRow {
  attr: string;
  iri: string;
  value: string | number | boolean;
  /** UN/CEFACT code as stored. */
  unitCode?: string;
  observedAt?: string;
}

export interface SensorDetail {
  id: string;
  type: string;
  name: string;
  lon?: number;
  lat?: number;
  values: SensorValueRow[];
}

export function sensorDetail(e: EntityRecord): SensorDetail {
  let name: string | undefined;
  let lon: number | undefined;
  let lat: number | undefined;
  const values: SensorValueRow[] = [];
  for (const [iri, insts] of Object.entries(e.attrs)) {
    const a = shortName(iri);
    const inst = insts[0] as Record<string, unknown> | undefined;
    if (!inst) continue;
    if (a === 'name' && typeof inst.value === 'string') name = inst.value;
    if (a === 'location') {
      const g = inst.value as { type?: string; coordinates?: number[] } | undefined;
      if (g?.type === 'Point') [lon, lat] = [g.coordinates?.[0], g.coordinates?.[1]];
    }
    if (SKIP.has(a) || inst.type !== 'Property') continue;
    const v = inst.value;
    if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') continue;
    values.push({ attr: a, iri, value: v, unitCode: typeof inst.unitCode === 'string' ? inst.unitCode : undefined, observedAt: typeof inst.observedAt === 'string' ? inst.observedAt : undefined });
  }
  return { id: e.id, type: shortName(e.types[0] ?? ''), name: name ?? shortName(e.id), lon, lat, values };
}

/** The unit as people write it and the value, shares (C62 between 0 and 1) as percent. */
export function displayValue(v: { value: string | number | boolean; unitCode?: string }): { value: string | number | boolean; unit: string } {
  const share = v.unitCode === 'C62' && typeof v.value === 'number' && v.value >= 0 && v.value <= 1;
  if (share) return { value: Math.round((v.value as number) * 1000) / 10, unit: '%' };
  return { value: v.value, unit: v.unitCode !== undefined ? (UNITS[v.unitCode] ?? v.unitCode) : '' };
}
