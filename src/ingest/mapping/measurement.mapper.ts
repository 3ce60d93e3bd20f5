// Turns one device measurement (a JSON object of object_id → value) into an NGSI-LD write of the
// device's entity: attributes typed by the mapping, unitCode from its metadata, observedAt from the
// payload's TimeInstant (or `t`) or the receive time. Pure: every rejection is a MeasurementRejected.
import { ProblemError } from '../../core/errors.ts';
import type { AttrInstance, EntityRecord } from '../../storage/port.ts';
import type { MeasurementWrite } from '../../ngsi-ld/entities/entities.service.ts';
import { parseAttribute } from '../../ngsi-ld/entities/entity.parse.ts';
import type { Terms } from '../../ngsi-ld/context/term-map.ts';
import type { AttrMapping, StaticAttr } from '../registry/registry.schema.ts';

/** Why a measurement was rejected; the keys of the rejection counters in the ingest metrics. */
export type RejectReason =
  | 'invalid_json' | 'invalid_payload' | 'invalid_value' | 'invalid_timestamp' | 'payload_too_large'
  | 'unknown_apikey' | 'unknown_device' | 'wrong_apikey' | 'rate_limited' | 'overloaded' | 'no_attributes' | 'storage_error';

export class MeasurementRejected extends Error {
  constructor(readonly reason: RejectReason, message: string) { super(message); }
}

/** A device as the hot path needs it: everything resolved once when the registry changes. */
export interface ResolvedDevice {
  tenant: string;
  servicePath: string;
  deviceId: string;
  /** The apikey the device publishes with. */
  apikey: string;
  entityId: string;
  entityType: string;
  terms: Terms;
  mappings: Map<string, AttrMapping>;
  statics: StaticAttr[];
  explicitAttrs: boolean;
  timestamp: boolean;
}

const NUMERIC = new Set(['number', 'float', 'double', 'integer', 'int', 'decimal']);
const NUM_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const TIME_KEYS = ['TimeInstant', 'timeInstant'];
const MAX_ATTRS = 200;

/** The start of a value for an error message; never throws (cyclic or deeply nested values). */
function preview(v: unknown): string {
  try { return String(JSON.stringify(v)).slice(0, 60); } catch { return `(${Array.isArray(v) ? 'an array' : typeof v})`; }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseTimestamp(raw: unknown, where: string): string {
  if (typeof raw === 'number' && Number.isFinite(raw)) {
    // Epoch seconds or milliseconds (LoRaWAN decoders and small devices send both).
    const d = new Date(raw < 1e11 ? raw * 1000 : raw);
    if (!Number.isNaN(d.getTime())) return d.toISOString();
  }
  if (typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(raw)) {
    const d = new Date(raw);
    if (!Number.isNaN(d.getTime())) return d.toISOString();
  }
  throw new MeasurementRejected('invalid_timestamp', `${where} is not an ISO 8601 date-time or epoch time: ${preview(raw)}`);
}

/** The value of a measured attribute converted to its mapped type; throws invalid_value. */
function convert(m: AttrMapping, raw: unknown): { type: 'Property' | 'GeoProperty' | 'Relationship' | 'other'; value: unknown } {
  const t = m.type.toLowerCase();
  const bad = (what: string): never => { throw new MeasurementRejected('invalid_value', `${m.object_id}: expected ${what} for the ${m.type} attribute ${m.name}, got ${preview(raw)}`); };
  if (NUMERIC.has(t)) {
    let n: number;
    if (typeof raw === 'number') n = raw;
    else if (typeof raw === 'string' && NUM_TEXT.test(raw)) n = Number(raw);
    else return bad('a number');
    if (!Number.isFinite(n)) bad('a finite number');
    if ((t === 'integer' || t === 'int') && !Number.isInteger(n)) bad('an integer');
    return { type: 'Property', value: n };
  }
  if (t === 'boolean') {
    if (typeof raw === 'boolean') return { type: 'Property', value: raw };
    if (raw === 'true' || raw === 'false') return { type: 'Property', value: raw === 'true' };
    return bad('true or false');
  }
  if (t === 'text' || t === 'string') {
    if (typeof raw === 'string') return { type: 'Property', value: raw };
    if (typeof raw === 'number' || typeof raw === 'boolean') return { type: 'Property', value: String(raw) };
    return bad('a text');
  }
  if (t === 'geo:point') {
    // NGSI-v2 convention "lat, lon"; also [lon, lat] as in GeoJSON.
    if (typeof raw === 'string') {
      const p = raw.split(',').map((x) => x.trim());
      if (p.length === 2 && p.every((x) => NUM_TEXT.test(x))) return { type: 'GeoProperty', value: { type: 'Point', coordinates: [Number(p[1]), Number(p[0])] } };
    }
    if (Array.isArray(raw) && raw.length === 2 && raw.every((x) => typeof x === 'number')) return { type: 'GeoProperty', value: { type: 'Point', coordinates: raw } };
    return bad('"lat, lon"');
  }
  if (t === 'geo:json' || t === 'geoproperty') return { type: 'GeoProperty', value: raw };
  if (t === 'relationship') return { type: 'Relationship', value: raw };
  if (t === 'datetime') return { type: 'Property', value: { '@type': 'DateTime', '@value': parseTimestamp(raw, m.object_id) } };
  return { type: 'other', value: raw };
}

/** Sub-attributes from IoT Agent metadata: unitCode becomes the member, others become Properties. */
function withMetadata(frag: Record<string, unknown>, md: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!md) return frag;
  for (const [k, v] of Object.entries(md)) {
    const val = isPlainObject(v) && 'value' in v ? v.value : v;
    if (k === 'unitCode') frag.unitCode = String(val);
    else frag[k] = { type: 'Property', value: val };
  }
  return frag;
}

function instance(name: string, kind: string, value: unknown, md: Record<string, unknown> | undefined, observedAt: string | undefined, terms: Terms, now: string): AttrInstance {
  const frag: Record<string, unknown> = kind === 'Relationship' ? { type: 'Relationship', object: value } : kind === 'other' ? { type: 'Property', value } : { type: kind, value };
  if (observedAt) frag.observedAt = observedAt;
  try {
    return parseAttribute(name, withMetadata(frag, md), terms, { now });
  } catch (e) {
    if (e instanceof ProblemError) throw new MeasurementRejected('invalid_value', e.message);
    throw e;
  }
}

/** Static attributes as instances (written when the entity is created). */
export function staticInstances(dev: ResolvedDevice, now: string): Record<string, AttrInstance[]> {
  const out: Record<string, AttrInstance[]> = {};
  for (const s of dev.statics) {
    const c = convert({ object_id: s.name, name: s.name, type: s.type, metadata: s.metadata }, s.value);
    out[dev.terms.expandAttr(s.name)] = [instance(s.name, c.type, c.value, s.metadata, undefined, dev.terms, now)];
  }
  return out;
}

/** The entity a device's first write creates: its type and static attributes. */
export function initialEntity(dev: ResolvedDevice, now: string): EntityRecord {
  return { id: dev.entityId, types: [dev.entityType], createdAt: now, modifiedAt: now, attrs: staticInstances(dev, now) };
}

/**
 * Maps a measurement. `payload` is the parsed JSON object; `time` is a timestamp from outside the
 * payload (HTTP `t`, LoRaWAN receive time); `receivedAt` the time the hub received it.
 */
export function mapMeasurement(dev: ResolvedDevice, payload: unknown, receivedAt: string, time?: unknown): MeasurementWrite {
  if (!isPlainObject(payload)) throw new MeasurementRejected('invalid_payload', `A measurement must be a JSON object of attribute values, got ${Array.isArray(payload) ? 'an array' : payload === null ? 'null' : typeof payload}`);
  let observedAt: string | undefined;
  for (const k of TIME_KEYS) if (payload[k] !== undefined) observedAt = parseTimestamp(payload[k], k);
  if (observedAt === undefined && time !== undefined && time !== '') observedAt = parseTimestamp(time, 't');
  if (observedAt === undefined && dev.timestamp) observedAt = receivedAt;
  const attrs: Record<string, AttrInstance[]> = {};
  let n = 0;
  for (const key in payload) {
    if (TIME_KEYS.includes(key)) continue;
    const raw = payload[key];
    let m = dev.mappings.get(key);
    if (!m) {
      if (dev.explicitAttrs) continue;
      m = { object_id: key, name: key, type: typeof raw === 'number' ? 'Number' : typeof raw === 'boolean' ? 'Boolean' : 'Property' };
    }
    if (raw === null || raw === undefined) throw new MeasurementRejected('invalid_value', `${key}: a measured value may not be null`);
    if (++n > MAX_ATTRS) throw new MeasurementRejected('invalid_payload', `A measurement may carry at most ${MAX_ATTRS} attributes`);
    const c = convert(m, raw);
    attrs[dev.terms.expandAttr(m.name)] = [instance(m.name, c.type, c.value, m.metadata, observedAt, dev.terms, receivedAt)];
  }
  if (n === 0) throw new MeasurementRejected('no_attributes', dev.explicitAttrs ? 'The measurement carries none of the device\'s mapped attributes (explicitAttrs is set)' : 'The measurement carries no attributes');
  const initial = initialEntity(dev, receivedAt);
  for (const [iri, insts] of Object.entries(attrs)) initial.attrs[iri] = insts;
  return { id: dev.entityId, initial, attrs };
}
