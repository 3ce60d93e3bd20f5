// SQL of the SQLite history (migration 002): time windows, the temporal entity filter and per-period
// aggregates. The row codec (instance ↔ row, instance ids) is engine-neutral: ../instance-codec.ts.
import { aggregateFromSlots, slotsFor, type AggrSlot } from '../temporal.aggregate.ts';
import type { AttrInstance, EntityFilter } from '../port.ts';
import type { AggrMethod, TimeProperty, TimeWindow } from '../port.temporal.ts';
import type { TypeNode } from '../query-ast.ts';
import { F_DELETED } from '../instance-codec.ts';
import { compileFilter } from './sqlite.query-compiler.ts';
import type { MatchRegistry } from './sqlite.database.ts';

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
  // Transient entities expired and not yet swept have no temporal evolution either (clause 4.5.1).
  if (f.aliveAt) where.push(`NOT EXISTS (SELECT 1 FROM entities x WHERE x.tenant = te.tenant AND x.id = te.id AND x.expires_at IS NOT NULL AND x.expires_at <= ${p(f.aliveAt)})`);
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
