// The history's row codec, shared by both engines so they store and name instances identically and
// export/import round-trips them: how an attribute instance becomes a compact row and back, instance ids,
// and the keyset lower bound a page after a cursor puts on ts. Engine-neutral: no SQL, no driver.
import type { AttrInstance } from './port.ts';
import type { TimeWindow } from './port.temporal.ts';

export const NULL_URI = 'urn:ngsi-ld:null';
const INSTANCE_PREFIX = 'urn:ngsi-ld:attribute:instance:';
const INSTANCE_ID = /^urn:ngsi-ld:attribute:instance:(\d+)\.(\d+)\.(-?\d+)\.(\d+)$/;

export const F_OBSERVED = 1;
export const F_DELETED = 2;
export const F_BOOLEAN = 4;

/** The member that holds an attribute's value, per type (clause 4.5.x). */
export const VALUE_MEMBER: Record<string, string> = {
  Property: 'value', GeoProperty: 'value', Relationship: 'object', LanguageProperty: 'languageMap',
  VocabProperty: 'vocab', ListProperty: 'valueList', ListRelationship: 'objectList', JsonProperty: 'json',
};
/** Members kept in their own columns (or derived), never in doc. */
const OWN = new Set(['type', 'observedAt', 'createdAt', 'modifiedAt', 'deletedAt', 'datasetId', 'instanceId', 'unitCode']);

export interface InstanceRow {
  ts: number;
  seq: number;
  num: number | null;
  val: string | null;
  doc: string | null;
  unit: string | null;
  /** Recording time minus ts. */
  created: number;
  modified: number | null;
  flags: number;
}

export type EncodedFields = Omit<InstanceRow, 'seq'>;

/** Date.parse of the last string seen: the instances of one write (and of one batch) mostly share their times. */
let lastDate = '';
let lastDateMs = NaN;
function parseDate(s: string): number {
  if (s !== lastDate) {
    lastDate = s;
    lastDateMs = Date.parse(s);
  }
  return lastDateMs;
}

/** Instance → row fields. ts is observedAt, else the instance's modifiedAt, else the recording time. */
export function encodeInstance(inst: AttrInstance, deleted: boolean, atMs: number): EncodedFields {
  let flags = 0;
  let ts: number;
  let num: number | null = null;
  let val: string | null = null;
  let rest: Record<string, unknown> | undefined;
  const type = inst.type ?? 'Property';
  const member = VALUE_MEMBER[type] ?? 'value';
  if (type !== 'Property') rest = { type };
  if (deleted) {
    flags = F_DELETED;
    ts = atMs;
  } else {
    if (typeof inst.observedAt === 'string') {
      ts = parseDate(inst.observedAt);
      flags |= F_OBSERVED;
    } else {
      ts = typeof inst.modifiedAt === 'string' ? parseDate(inst.modifiedAt) : atMs;
    }
    if (Number.isNaN(ts)) ts = atMs;
    const v = inst[member];
    if (type === 'Property' && typeof v === 'number' && Number.isFinite(v)) num = v;
    else if (type === 'Property' && typeof v === 'boolean') { num = v ? 1 : 0; flags |= F_BOOLEAN; }
    else if (v !== undefined) val = JSON.stringify(v);
    for (const k in inst) {
      if (k === member || OWN.has(k)) continue;
      (rest ??= {})[k] = inst[k];
    }
  }
  const unit = typeof inst.unitCode === 'string' && !deleted ? inst.unitCode : null;
  return { ts, num, val, doc: rest ? JSON.stringify(rest) : null, unit, created: atMs - ts, modified: null, flags };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Row → expanded instance as the temporal representation shows it (clause 4.5.7). */
export function decodeInstance(r: InstanceRow, datasetId: string | undefined, instanceId: string): AttrInstance {
  const inst = (r.doc ? JSON.parse(r.doc) : {}) as AttrInstance;
  const type = inst.type ?? 'Property';
  const member = VALUE_MEMBER[type] ?? 'value';
  const out: AttrInstance = { type };
  if (r.flags & F_DELETED) {
    out[member] = type === 'LanguageProperty' ? { '@none': NULL_URI } : NULL_URI;
  } else if (r.num !== null) {
    out[member] = r.flags & F_BOOLEAN ? r.num === 1 : r.num;
  } else if (r.val !== null) {
    out[member] = JSON.parse(r.val);
  }
  if (r.unit !== null) out.unitCode = r.unit;
  for (const k in inst) if (k !== 'type') out[k] = inst[k];
  if (r.flags & F_OBSERVED) out.observedAt = iso(r.ts);
  const created = r.ts + r.created;
  out.createdAt = iso(created);
  out.modifiedAt = iso(r.modified ?? created);
  if (r.flags & F_DELETED) out.deletedAt = iso(r.ts);
  if (datasetId !== undefined) out.datasetId = datasetId;
  out.instanceId = instanceId;
  return out;
}

/** An instance's value from its row alone (what decodeInstance puts under the type's value member). */
export function exportedValue(num: number | null, val: string | null, flags: number): unknown {
  if (num !== null) return flags & F_BOOLEAN ? num === 1 : num;
  return val === null ? null : JSON.parse(val);
}

export function instanceIdOf(entity: number, name: number, ts: number, seq: number): string {
  return `${INSTANCE_PREFIX}${entity}.${name}.${ts}.${seq}`;
}

export function parseInstanceId(id: string): { entity: number; name: number; ts: number; seq: number } | undefined {
  const m = INSTANCE_ID.exec(id);
  if (!m) return undefined;
  return { entity: Number(m[1]), name: Number(m[2]), ts: Number(m[3]), seq: Number(m[4]) };
}

/**
 * The window with x as its lower bound (ts ≥ x) unless its own bound is already at or above x: a
 * keyset page after a cursor then has one lower bound on the key column, which the engine seeks to.
 */
export function raiseLowerBound(w: TimeWindow, x: number): TimeWindow {
  const { gt, gte, ...rest } = w;
  if ((gt !== undefined && gt >= x) || (gte !== undefined && gte >= x)) return w;
  return { ...rest, gte: x };
}
