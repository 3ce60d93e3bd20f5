// Key performance indicators computed from live data (issue #16): a stored query — which entities,
// which value of each, how the values are reduced to one number — evaluated on a schedule.
import type { Text2 } from './strategy.model.ts';

/** How the values of the selected entities become one number. `share` is in percent. */
export const KPI_REDUCTIONS = ['count', 'sum', 'avg', 'min', 'max', 'share'] as const;
export type KpiReduction = (typeof KPI_REDUCTIONS)[number];

/**
 * Temporal aggregation of one entity's attribute over a period. `increase` (max − min) is for
 * cumulative meters such as totalEnergyGenerated, whose sum over time would mean nothing.
 */
export const KPI_AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'increase'] as const;
export type KpiAggregation = (typeof KPI_AGGREGATIONS)[number];

/** Calendar periods (this day, week, month, year in the city's time zone) or the last N hours. */
export const KPI_PERIODS = ['day', 'week', 'month', 'year', 'hours'] as const;
export type KpiPeriod = (typeof KPI_PERIODS)[number];

export interface KpiSelection {
  /** The tenant the entities live in ('' = default tenant). */
  tenant: string;
  /** Entity type (a name of the Smart Data Models @context, or an IRI). */
  type: string;
  /** NGSI-LD q (clause 4.9) narrowing the selection. */
  q?: string;
  /** NGSI-LD geo-query (clause 4.10) narrowing the selection. */
  geo?: { georel: string; geometry: string; coordinates: string };
}

export interface KpiValueSpec {
  /** The attribute whose value counts (not needed for count and share). */
  attr?: string;
  /** Absent: the attribute's current value. Present: its temporal aggregation over the period. */
  aggregation?: { method: KpiAggregation; period: KpiPeriod; hours?: number };
}

export interface Kpi {
  /** URL-safe id (slug), also the last part of the KeyPerformanceIndicator entity id. */
  id: string;
  name: Text2;
  description: Text2;
  /** Unit as people write it (e.g. kWh, %); empty for counts. */
  unit: string;
  /** The project the KPI belongs to (its page shows it). */
  project?: string;
  published: boolean;
  selection: KpiSelection;
  value: KpiValueSpec;
  reduction: { kind: KpiReduction; /** share: the condition, an NGSI-LD q */ q?: string };
  createdAt: string;
  modifiedAt: string;
}

export type KpiInput = Omit<Kpi, 'createdAt' | 'modifiedAt'>;

/** The outcome of the latest evaluations. A failure keeps the last good value and its time. */
export interface KpiState {
  id: string;
  status: 'ok' | 'unavailable';
  /** The last good value and when it was computed. */
  value?: number;
  at?: string;
  /** Entities the last good value was computed from. */
  entities?: number;
  /** The latest attempt and, when it failed, why. */
  attemptedAt: string;
  error?: string;
}
