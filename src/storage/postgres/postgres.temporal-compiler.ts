// SQL of the PostgreSQL history: time columns, windows and per-period aggregates (clause 4.5.19).
// The row codec (instance ↔ row, instance ids) is engine-neutral (../instance-codec.ts), so both
// engines store and name instances identically and export/import round-trips them.
import { aggregateFromSlots, slotsFor, type AggrSlot } from '../temporal.aggregate.ts';
import type { AggrMethod, TimeProperty, TimeWindow } from '../port.temporal.ts';

/** SQL expression of a time property over temporal_instances. */
export function timeColumn(p: TimeProperty): string {
  switch (p) {
    case 'observedAt': case 'deletedAt': return 'ts';
    case 'createdAt': return '(ts + created)';
    case 'modifiedAt': return 'COALESCE(modified, ts + created)';
  }
}

/** Conditions of a window; appends its parameters. */
export function windowSql(w: TimeWindow, params: unknown[]): string {
  const t = timeColumn(w.property);
  const out: string[] = [];
  const p = (v: number) => { params.push(v); return `$${params.length}::bigint`; };
  if (w.property === 'deletedAt') out.push('(flags & 2) <> 0');
  if (w.gt !== undefined) out.push(`${t} > ${p(w.gt)}`);
  if (w.gte !== undefined) out.push(`${t} >= ${p(w.gte)}`);
  if (w.lt !== undefined) out.push(`${t} < ${p(w.lt)}`);
  if (w.lte !== undefined) out.push(`${t} <= ${p(w.lte)}`);
  return out.length ? ' AND ' + out.join(' AND ') : '';
}

export type Slot = AggrSlot;
const SLOT_SQL: Record<Slot, (k: string) => string> = {
  n: () => 'count(*) FILTER (WHERE num IS NOT NULL OR val IS NOT NULL)::float8',
  dc: () => 'count(DISTINCT COALESCE(num::text, val))::float8',
  s: () => 'sum(num)',
  a: () => 'avg(num)',
  mn: () => 'min(num)', mnv: () => 'min(val COLLATE "C")',
  mx: () => 'max(num)', mxv: () => 'max(val COLLATE "C")',
  ssq: () => 'sum(num * num)',
  cn: () => 'count(num)::float8', sk: (k) => `sum(num - ${k})`, sk2: (k) => `sum((num - ${k}) * (num - ${k}))`,
};

export interface CompiledAggregate {
  sql: string;
  slots: Slot[];
  needsShift: boolean;
  /** 1-based parameter positions the caller fills: the shift value (0 when unused) and the period bounds. */
  kParam: number;
  loParam: number;
  hiParam: number;
}

/**
 * One statement for all periods: per period (a [lo, hi) pair of the bounds arrays) a lateral
 * subquery reads the (entity, name, ts) key range of the series and aggregates it in SQL.
 * Variance uses sums shifted by a value of the series (k) for numerical stability.
 */
export function aggregateSql(methods: AggrMethod[], w: TimeWindow, params: unknown[]): CompiledAggregate {
  const slots = slotsFor(methods);
  const t = timeColumn(w.property);
  const win = windowSql(w, params);
  const needsShift = slots.includes('sk');
  // The shift parameter exists only when used (an unused parameter has no type PostgreSQL can infer).
  if (needsShift) params.push(0);
  const kParam = needsShift ? params.length : 0;
  params.push([], []);
  const loParam = params.length - 1;
  const hiParam = params.length;
  const k = `$${kParam}::float8`;
  const sql = `SELECT (b.k - 1)::int AS k, a.* FROM unnest($${loParam}::bigint[], $${hiParam}::bigint[]) WITH ORDINALITY AS b(lo, hi, k)
    CROSS JOIN LATERAL (SELECT ${slots.map((s) => `${SLOT_SQL[s](k)} AS ${s}`).join(', ')} FROM temporal_instances
      WHERE entity = $1 AND name = $2 AND ${t} >= b.lo AND ${t} < b.hi${win}) a ORDER BY b.k`;
  return { sql, slots, needsShift, kParam, loParam, hiParam };
}

/** One period's aggregate row → method values; undefined when the period is empty. Same rules as the embedded engine. */
export function aggregateValues(methods: AggrMethod[], slots: Slot[], row: Record<string, number | string | null>): Partial<Record<AggrMethod, number | string | null>> | undefined {
  const v = {} as Record<Slot, number | string | null>;
  for (const s of slots) v[s] = row[s] ?? null;
  return aggregateFromSlots(methods, v);
}
