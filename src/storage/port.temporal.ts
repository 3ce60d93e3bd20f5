// The temporal part of the storage port (clause 4.5.7, 5.7.3/5.7.4): a history writer used inside
// the one write transaction, and a reader of attribute instances and aggregates. No driver types.
import type { AttrInstance, EntityFilter, Page } from './port.ts';

/** The time property a temporal query runs on (clause 6.18.3.2 timeproperty). */
export type TimeProperty = 'observedAt' | 'createdAt' | 'modifiedAt' | 'deletedAt';

/** Aggregation methods (clause 4.5.19). */
export type AggrMethod = 'totalCount' | 'distinctCount' | 'sum' | 'avg' | 'min' | 'max' | 'varianceSum' | 'stddev' | 'sumsq';
export const AGGR_METHODS: readonly AggrMethod[] = ['totalCount', 'distinctCount', 'sum', 'avg', 'min', 'max', 'varianceSum', 'stddev', 'sumsq'];

/** One attribute instance to record. */
export interface HistoryEntry {
  /** Expanded attribute IRI. */
  attr: string;
  /** The instance as written (observedAt, createdAt, modifiedAt, datasetId, sub-attributes …). */
  instance: AttrInstance;
  /** A deletion marker (value urn:ngsi-ld:null, deletedAt = the recording time). */
  deleted?: boolean;
}

export interface HistoryEntityRef {
  id: string;
  /** Expanded type IRIs; they accumulate in the history. */
  types: string[];
  /** The entity itself was deleted in this write. */
  deleted?: boolean;
}

/** A time window on one time property; all bounds in epoch milliseconds. */
export interface TimeWindow {
  property: TimeProperty;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/** One attribute history: an attribute (with one datasetId) of one entity. */
export interface TemporalSeries {
  attr: string;
  datasetId?: string;
  /** Opaque adapter key; pass it back to the reader. */
  key: string;
}

export interface TemporalEntity {
  id: string;
  types: string[];
  createdAt: string;
  deletedAt?: string;
  series: TemporalSeries[];
}

export interface StoredInstance {
  /** Expanded instance with observedAt (if given), createdAt, modifiedAt, instanceId, datasetId, deletedAt (markers). */
  instance: AttrInstance;
  instanceId: string;
  /** Epoch ms of the queried time property. */
  time: number;
  deleted: boolean;
  /** Opaque position for keyset paging (InstanceQuery.after). */
  cursor: string;
}

export interface InstanceQuery {
  window: TimeWindow;
  /** At most this many instances. */
  limit: number;
  /** Take the newest `limit` instances (lastN); results are still in ascending time order. */
  newest?: boolean;
  /** Continue after this cursor (ascending only). */
  after?: string;
}

/** One instance as an export reads it: no instance document is built (deletion markers are left out). */
export interface ExportedValue {
  /** Epoch ms of the queried time property. */
  time: number;
  /** The instance's value (value, object, languageMap, vocab, valueList, … whichever its type has). */
  value: unknown;
  unitCode: string | null;
}

/** A page of an export and where the next one starts (undefined: this was the last). */
export interface ExportPage {
  values: ExportedValue[];
  next?: string;
}

/** Aggregation periods: either a fixed step from start, or explicit calendar bounds. */
export interface AggregateQuery {
  window: TimeWindow;
  methods: AggrMethod[];
  /** Period i is [bounds[i][0], bounds[i][1]) in epoch ms. */
  bounds: Array<[number, number]>;
}

export interface AggregateRow {
  /** Index into AggregateQuery.bounds. */
  period: number;
  values: Partial<Record<AggrMethod, number | string | boolean | null>>;
}

/** Reads (committed data only). */
export interface TemporalStore {
  getEntity(tenant: string, id: string): Promise<TemporalEntity | undefined>;
  /**
   * Entities with history; q/scopeQ/geo are evaluated against the current entity state (the
   * temporal service evaluates q and geo against the instances in the window itself). With
   * `aliveAt`, entities whose current state is transient and expired at that instant are left out
   * (the caller sets it; the temporal store has no clock).
   */
  queryEntities(tenant: string, filter: EntityFilter, page: Page): Promise<{ entities: TemporalEntity[]; count?: number }>;
  instances(series: TemporalSeries, q: InstanceQuery): Promise<StoredInstance[]>;
  /**
   * Values of a series in ascending time order for bulk exports (CSV downloads), in keyset pages of
   * `limit`: only time, value and unit are read, deletion markers are skipped. Pass `next` of a page
   * as `after` to continue.
   */
  exportValues(series: TemporalSeries, q: { window: TimeWindow; limit: number; after?: string }): Promise<ExportPage>;
  /** Aggregates per period, computed by the engine; periods without instances are left out. */
  aggregate(series: TemporalSeries, q: AggregateQuery): Promise<AggregateRow[]>;
  /** Earliest and latest time of the series inside the window (undefined when empty). */
  span(series: TemporalSeries, window: TimeWindow): Promise<{ first: number; last: number } | undefined>;
  /** Stored instances and, where the engine can tell, bytes they take on disk. */
  stats(): Promise<{ instances: number; bytes?: number }>;
  /** Switches recording on the write path on or off (configuration DREHSCHEIBE_TEMPORAL). */
  setRecording(on: boolean): void;
  /**
   * Optional, for engines that keep history in time partitions (PostgreSQL: one per month): drops
   * every partition holding only instances older than cutoff (epoch ms of the instance time) — much
   * cheaper than deleting its rows. Returns how many instances went (an estimate for very large
   * partitions). Instances outside such partitions stay: the retention job deletes them row by row.
   */
  dropPartitionsBefore?(cutoff: number): Promise<number>;
}

/** Writes inside the one write transaction (WriteTx.history). */
export interface HistoryWriter {
  /** False when history recording is switched off: the write path then skips it. */
  readonly recording: boolean;
  /** Records instances of one entity; `at` is the recording time (ISO). Returns true when the entity's history is new. */
  record(tenant: string, entity: HistoryEntityRef, entries: HistoryEntry[], at: string): Promise<boolean>;
  /** Like record, but regardless of `recording` (the temporal API's own writes). */
  append(tenant: string, entity: HistoryEntityRef, entries: HistoryEntry[], at: string): Promise<boolean>;
  entityExists(tenant: string, id: string): Promise<boolean>;
  /** Replaces one instance by fn(old); false when there is no such instance. */
  patchInstance(tenant: string, id: string, attr: string, instanceId: string, fn: (old: AttrInstance) => AttrInstance, at: string): Promise<boolean>;
  deleteInstance(tenant: string, id: string, attr: string, instanceId: string): Promise<boolean>;
  /** datasetId: undefined = default instance, '*' = all datasetIds. False when nothing was there. */
  deleteAttr(tenant: string, id: string, attr: string, datasetId: string | undefined): Promise<boolean>;
  deleteEntity(tenant: string, id: string): Promise<boolean>;
  /** Entities with history after the cursor key, for the retention job. */
  listEntities(afterKey: number, n: number): Promise<Array<{ key: number; types: string[] }>>;
  /** Removes instances of an entity older than cutoff (epoch ms); returns how many. */
  deleteBefore(key: number, cutoff: number): Promise<number>;
}
