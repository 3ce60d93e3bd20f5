// SQL and row codec of the SQLite history (migration 002): how an attribute instance becomes a
// compact row and back, time windows, the temporal entity filter and per-period aggregates.
import { aggregateFromSlots, slotsFor, type AggrSlot } from '../temporal.aggregate.ts';
import type { AttrInstance, EntityFilter } from '../port.ts';
import type { AggrMethod, TimeProperty, TimeWindow } from '../port.temporal.ts';
import type { TypeNode } from '../../ngsi-ld/query/q.ast.ts';
import { compileFilter } from './sqlite.query-compiler.ts';
import type { MatchRegistry } from './sqlite.database.ts';

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

/** SQL expression of a time property over temporal_instances. */
export function timeColumn(p: TimeProperty): string {
  switch (p) {
    case 'observedAt': case 'deletedAt': return 'ts';
    case 'createdAt': return '(ts + created)';
    case 'modifiedAt': return 'COALESCE(modified, ts + created)';
  }
}

/** Conditions of a window (named parameters wgt, wgte, wlt, wlte). */
export function windowSql(w: TimeWindow, params: Record<string, unknown>): string {
  const t = timeColumn(w.property);
  const out: string[] = [];
  if (w.property === 'deletedAt') out.push(`(flags & ${F_DELETED}) != 0`);
  if (w.gt !== undefined) { out.push(`${t} > @wgt`); params.wgt = w.gt; }
  if (w.gte !== undefined) { out.push(`${t} >= @wgte`); params.wgte = w.gte; }
  if (w.lt !== undefined) { out.push(`${t} < @wlt`); params.wlt = w.lt; }
  if (w.lte !== undefined) { out.push(`${t} <= @wlte`); params.wlte = w.lte; }
  return out.length ? ' AND ' + out.join(' AND ') : '';
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

/** The temporal entity filter: ids, types and attrs on the history; q, scopeQ and geo on the current state. */
export function compileTemporalFilter(tenant: string, f: EntityFilter, registry: MatchRegistry): { where: string; params: Record<string, unknown>; handles: number[] } {
  const params: Record<string, unknown> = { tt: tenant };
  let n = 0;
  const p = (v: unknown) => { const k = `tp${++n}`; params[k] = v; return `@${k}`; };
  const where = ['te.tenant = @tt'];
  const types = (t: TypeNode): string => {
    if (t.kind === 'type') return `EXISTS (SELECT 1 FROM json_each(te.types) j WHERE j.value = ${p(t.name)})`;
    return `(${t.items.map(types).join(t.kind === 'and' ? ' AND ' : ' OR ')})`;
  };
  if (f.types) where.push(types(f.types));
  // Type-level read access against every type the history has had (docs/security.md).
  if (f.readable?.only) where.push(`NOT EXISTS (SELECT 1 FROM json_each(te.types) j WHERE ${f.readable.only.length ? `j.value NOT IN (${f.readable.only.map(p).join(', ')})` : '1'})`);
  if (f.readable?.except?.length) where.push(`NOT EXISTS (SELECT 1 FROM json_each(te.types) j WHERE j.value IN (${f.readable.except.map(p).join(', ')}))`);
  if (f.ids?.length) where.push(`te.id IN (${f.ids.map(p).join(', ')})`);
  if (f.idPattern) where.push(`te.id REGEXP ${p(f.idPattern)}`);
  if (f.anyAttrs?.length) {
    where.push(`EXISTS (SELECT 1 FROM temporal_names n WHERE n.attr IN (${f.anyAttrs.map(p).join(', ')}) AND EXISTS (SELECT 1 FROM temporal_instances i WHERE i.entity = te.pk AND i.name = n.nid))`);
  }
  let handles: number[] = [];
  if (f.q || f.scopeQ || f.geo) {
    const c = compileFilter(tenant, { q: f.q, scopeQ: f.scopeQ, geo: f.geo }, registry);
    Object.assign(params, c.params);
    handles = c.handles;
    where.push(`te.id IN (SELECT e.id FROM ${c.from} WHERE ${c.where})`);
  }
  return { where: where.join(' AND '), params, handles };
}

/** Aggregate expressions of one period; the names are the keys of the json_array result. */
type Slot = AggrSlot;
const SLOT_SQL: Record<Slot, string> = {
  n: 'count(COALESCE(num, val))',
  dc: 'count(DISTINCT COALESCE(num, val))',
  s: 'sum(num)',
  a: 'avg(num)',
  mn: 'min(num)', mnv: 'min(val)',
  mx: 'max(num)', mxv: 'max(val)',
  ssq: 'sum(num * num)',
  cn: 'count(num)', sk: 'sum(num - @k)', sk2: 'sum((num - @k) * (num - @k))',
};

export interface CompiledAggregate {
  sql: string;
  slots: Slot[];
  needsShift: boolean;
}

/**
 * One statement for all periods: per period (a [lo, hi) pair of the JSON bounds parameter) a
 * correlated subquery seeks the (entity, name, ts) key range and aggregates it — no sort, no
 * row reaches JavaScript. Variance uses sums shifted by a value of the series (@k) for stability.
 */
export function compileAggregate(methods: AggrMethod[], w: TimeWindow, params: Record<string, unknown>): CompiledAggregate {
  const slots = slotsFor(methods);
  const t = timeColumn(w.property);
  const sql = `SELECT b.key AS k, (SELECT json_array(${slots.map((s) => SLOT_SQL[s]).join(', ')}) FROM temporal_instances
    WHERE entity = @e AND name = @n AND ${t} >= (b.value ->> 0) AND ${t} < (b.value ->> 1)${windowSql(w, params)}) AS r
    FROM json_each(@bounds) b`;
  return { sql, slots, needsShift: slots.includes('sk') };
}

/** Turns one period's json_array into method values; undefined when the period is empty. */
export function aggregateValues(methods: AggrMethod[], slots: Slot[], raw: string): Partial<Record<AggrMethod, number | string | null>> | undefined {
  const arr = JSON.parse(raw) as Array<number | string | null>;
  const v = {} as Record<Slot, number | string | null>;
  slots.forEach((s, i) => { v[s] = arr[i]; });
  return aggregateFromSlots(methods, v);
}
