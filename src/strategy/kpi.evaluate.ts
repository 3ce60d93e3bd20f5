// Evaluates a KPI through the NGSI-LD entity and temporal services (never the storage engines):
// (1) the selection as an NGSI-LD query, (2) each entity's value — the attribute's current value or
// its temporal aggregation over the period — and (3) the reduction to one number. Anything that
// would make the number wrong (no tenant, no values, a failing read) throws instead.
import type { Clock } from '../core/clock.ts';
import type { EntityService } from '../ngsi-ld/entities/entities.service.ts';
import { buildFilter } from '../ngsi-ld/entities/entities.query.ts';
import type { TemporalService } from '../ngsi-ld/temporal/temporal.service.ts';
import { parseDuration } from '../ngsi-ld/temporal/temporal.duration.ts';
import type { Terms } from '../ngsi-ld/context/term-map.ts';
import type { EntityFilter, EntityRecord } from '../storage/port.ts';
import type { Kpi, KpiAggregation, KpiPeriod } from './kpi.model.ts';

export interface KpiEvalDeps {
  entities: EntityService;
  temporal: TemporalService;
  /** The @context KPI selections are written in (the Smart Data Models context). */
  terms(): Promise<Terms>;
  clock: Clock;
  /** Calendar periods (this day, week, …) begin at midnight in this zone. */
  timeZone: string;
}

export interface KpiResult {
  value: number;
  /** Entities the value was computed from. */
  entities: number;
  at: string;
  /** The aggregation period, when the value aggregates history. */
  from?: string;
  to?: string;
}

export class KpiEvaluationError extends Error {}

const PAGE = 500;
const WHOLE_RANGE = parseDuration('PT0S');

/** Offset of a time zone from UTC at instant t, in ms (local wall time − UTC). */
function zoneOffset(t: number, timeZone: string): number {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .formatToParts(new Date(t)).filter((x) => x.type !== 'literal').map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
}

/** The instant of local midnight on the given local calendar day. */
function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m, d);
  let t = guess - zoneOffset(guess, timeZone);
  t = guess - zoneOffset(t, timeZone);
  return t;
}

/** Where a period ending now begins: this day, week (from Monday), month, year in the zone, or N hours back. */
export function periodStart(period: KpiPeriod, now: number, timeZone: string, hours = 1): number {
  if (period === 'hours') return now - hours * 3_600_000;
  const local = new Date(now + zoneOffset(now, timeZone));
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const d = local.getUTCDate();
  if (period === 'day') return localMidnight(y, m, d, timeZone);
  if (period === 'week') return localMidnight(y, m, d - ((local.getUTCDay() + 6) % 7), timeZone);
  if (period === 'month') return localMidnight(y, m, 1, timeZone);
  return localMidnight(y, 0, 1, timeZone);
}

function numberOf(e: EntityRecord, attr: string): number | undefined {
  const v = e.attrs[attr]?.[0]?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export class KpiEvaluator {
  constructor(private readonly d: KpiEvalDeps) {}

  private filter(k: Kpi, terms: Terms, extraQ?: string): EntityFilter {
    const s = k.selection;
    const q = s.q && extraQ ? `(${s.q});(${extraQ})` : s.q ?? extraQ;
    return buildFilter({ type: s.type, q, georel: s.geo?.georel, geometry: s.geo?.geometry, coordinates: s.geo?.coordinates }, terms);
  }

  private async count(tenant: string, f: EntityFilter): Promise<number> {
    const r = await this.d.entities.query(tenant, f, { limit: 1, offset: 0, count: true });
    return r.count ?? 0;
  }

  async evaluate(k: Kpi): Promise<KpiResult> {
    const now = this.d.clock.now().getTime();
    const at = new Date(now).toISOString();
    const tenant = k.selection.tenant;
    if (!(await this.d.entities.tenantExists(tenant))) throw new KpiEvaluationError(`the tenant ${tenant || '(default)'} does not exist`);
    const terms = await this.d.terms();
    const red = k.reduction.kind;
    if (red === 'count') {
      const n = await this.count(tenant, this.filter(k, terms));
      return { value: n, entities: n, at };
    }
    if (red === 'share') {
      const total = await this.count(tenant, this.filter(k, terms));
      if (total === 0) throw new KpiEvaluationError('the selection matches no entity, so there is no share');
      const hit = await this.count(tenant, this.filter(k, terms, k.reduction.q));
      return { value: Math.round((hit / total) * 1000) / 10, entities: total, at };
    }
    const attr = terms.expandAttr(k.value.attr!);
    const agg = k.value.aggregation;
    const from = agg ? periodStart(agg.period, now, this.d.timeZone, agg.hours) : undefined;
    const values: number[] = [];
    const f = this.filter(k, terms);
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.d.entities.query(tenant, f, { limit: PAGE, offset, count: false });
      for (const e of page.entities) {
        const v = agg ? await this.aggregated(tenant, e.id, attr, agg.method, from!, now) : numberOf(e, attr);
        if (v !== undefined) values.push(v);
      }
      if (page.entities.length < PAGE) break;
    }
    if (values.length === 0) throw new KpiEvaluationError(`no selected entity has a numeric ${agg ? `history of ${k.value.attr} in the period` : `value of ${k.value.attr}`}`);
    let value: number;
    if (red === 'sum') value = values.reduce((a, b) => a + b, 0);
    else if (red === 'avg') value = values.reduce((a, b) => a + b, 0) / values.length;
    else if (red === 'min') value = Math.min(...values);
    else value = Math.max(...values);
    return { value: Math.round(value * 1000) / 1000, entities: values.length, at, ...(from !== undefined ? { from: new Date(from).toISOString(), to: at } : {}) };
  }

  /** One entity's attribute aggregated over [from, to) by the temporal service; undefined without history. */
  private async aggregated(tenant: string, id: string, attr: string, method: KpiAggregation, from: number, to: number): Promise<number | undefined> {
    const methods = method === 'increase' ? (['min', 'max'] as const) : [method];
    let res;
    try {
      res = await this.d.temporal.retrieve(tenant, id, {
        window: { property: 'observedAt', gte: from, lt: to }, format: 'aggregatedValues', sysAttrs: false,
        aggr: { methods: [...methods], period: WHOLE_RANGE },
      }, { keep: new Set([attr]) });
    } catch (e) {
      if ((e as { status?: number }).status === 404) return undefined;
      throw e;
    }
    const values = res.result.series[0]?.aggregates?.[0]?.values;
    const num = (m: string) => { const v = values?.[m as keyof typeof values]; return typeof v === 'number' && Number.isFinite(v) ? v : undefined; };
    if (method !== 'increase') return num(method);
    const lo = num('min');
    const hi = num('max');
    return lo === undefined || hi === undefined ? undefined : hi - lo;
  }
}
