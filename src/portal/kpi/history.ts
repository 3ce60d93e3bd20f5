// Histories for the portal's charts, through the NGSI-LD temporal service's aggregation (clause
// 4.5.19): a range (hour … year) is cut into periods, each with average, minimum and maximum.
import type { TemporalService } from '../../ngsi-ld/temporal/temporal.service.ts';
import { parseDuration } from '../../ngsi-ld/temporal/temporal.duration.ts';

export const RANGES = ['hour', 'day', 'week', 'month', 'year'] as const;
export type Range = (typeof RANGES)[number];

const H = 3_600_000;
/** How far back each range reaches and the period its values are averaged over. */
const SPEC: Record<Range, { span: number; period: string }> = {
  hour: { span: H, period: 'PT5M' },
  day: { span: 24 * H, period: 'PT1H' },
  week: { span: 7 * 24 * H, period: 'PT6H' },
  month: { span: 30 * 24 * H, period: 'P1D' },
  year: { span: 365 * 24 * H, period: 'P7D' },
};

export function parseRange(v: unknown, fallback: Range): Range {
  return RANGES.includes(v as Range) ? (v as Range) : fallback;
}

export interface HistoryPoint {
  /** Start of the period (ISO). */
  t: string;
  avg: number;
  min: number;
  max: number;
}

export interface History {
  points: HistoryPoint[];
  /** The time range asked for (ISO), which the chart's axis spans. */
  from: string;
  to: string;
}

/** The periods of one attribute's history that hold values (none when the entity has no history). */
export async function history(temporal: TemporalService, tenant: string, entityId: string, attrIri: string, range: Range, now: number): Promise<History> {
  const s = SPEC[range];
  // Periods are aligned to whole periods; the last one holds now, so a reload within it shows the same cut.
  const step = range === 'month' || range === 'year' ? 24 * H : parseDuration(s.period).ms;
  const end = (Math.floor(now / step) + 1) * step;
  const empty = { points: [], from: new Date(end - s.span).toISOString(), to: new Date(end).toISOString() };
  let res;
  try {
    res = await temporal.retrieve(tenant, entityId, {
      window: { property: 'observedAt', gte: end - s.span, lt: end }, format: 'aggregatedValues', sysAttrs: false,
      aggr: { methods: ['avg', 'min', 'max'], period: parseDuration(s.period) },
    }, { keep: new Set([attrIri]) });
  } catch (e) {
    if ((e as { status?: number }).status === 404) return empty;
    throw e;
  }
  const out: HistoryPoint[] = [];
  for (const row of res.result.series[0]?.aggregates ?? []) {
    const { avg, min, max } = row.values;
    if (typeof avg !== 'number' || typeof min !== 'number' || typeof max !== 'number') continue;
    out.push({ t: new Date(row.start).toISOString(), avg: Math.round(avg * 1000) / 1000, min, max });
  }
  return { ...empty, points: out };
}
