// Temporal evolution of entities (clause 5.7.3 ff.): reads history through the storage port,
// cuts large histories into pages (clause 6.3.10), aggregates per period (4.5.19), and writes
// history directly for back-filling (5.6.11 ff., temporal variants) in one storage transaction.
import { BadRequestData, ResourceNotFound, TooComplexQuery } from '../../core/errors.ts';
import type { Clock } from '../../core/clock.ts';
import type { AttrInstance, EntityFilter, Page, StoragePort } from '../../storage/port.ts';
import type { AggregateRow, ExportedValue, HistoryEntry, StoredInstance, TemporalEntity, TemporalSeries, TimeWindow } from '../../storage/port.temporal.ts';
import { periodBounds } from './temporal.duration.ts';
import type { TemporalQuery } from './temporal.params.ts';
import { WindowMatcher } from './temporal.filter.ts';

/** Rows per page of a bulk export: large enough that a page's query costs little per row, small enough to stay out of the way of other requests (SQLite reads synchronously). */
const EXPORT_PAGE = 10_000;

export interface TemporalLimits {
  /** Instances per attribute in one response (clause 6.3.10). */
  maxInstances: number;
  /** Aggregation periods per attribute in one response. */
  maxPeriods: number;
}

/** Which attributes of an entity a response shows (attrs / pick / omit / datasetId). */
export interface Selection {
  keep?: Set<string>;
  omit?: Set<string>;
  datasetId?: string[];
}

export interface SeriesResult {
  series: TemporalSeries;
  instances?: StoredInstance[];
  aggregates?: Array<AggregateRow & { start: number; end: number }>;
  /** Attribute type, for representations that show only values. */
  type: string;
}

export interface EntityResult {
  entity: TemporalEntity;
  series: SeriesResult[];
}

/** The Content-Range of a cut response: times in ms, size is lastN or '*'. */
export interface CutRange {
  start: number;
  end: number;
  size: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class TemporalService {
  constructor(private readonly storage: StoragePort, private readonly clock: Clock, readonly limits: TemporalLimits) {}

  now(): string { return this.clock.now().toISOString(); }

  // ---- reads (clause 5.7.3 retrieve, 5.7.4 query) ----

  async retrieve(tenant: string, id: string, q: TemporalQuery, sel: Selection): Promise<{ result: EntityResult; range?: CutRange }> {
    const aliveAt = await this.aliveAt();
    const entity = aliveAt
      ? (await this.storage.temporal.queryEntities(tenant, { ids: [id], aliveAt }, { limit: 1, offset: 0, count: false })).entities[0]
      : await this.storage.temporal.getEntity(tenant, id);
    if (!entity) throw new ResourceNotFound(`Entity ${id} has no temporal evolution`);
    const { results, range } = await this.load([entity], q, sel);
    return { result: results[0], range };
  }

  async query(tenant: string, filter: EntityFilter, page: Page, q: TemporalQuery, sel: Selection): Promise<{ results: EntityResult[]; count?: number; range?: CutRange; more: boolean }> {
    // One entity more than the page tells whether a next page exists (clause 5.5.9); it is not loaded.
    const peek = page.limit > 0 ? { ...page, limit: page.limit + 1 } : page;
    const aliveAt = await this.aliveAt();
    if (aliveAt) filter = { ...filter, aliveAt };
    const res = filter.q || filter.geo ? await this.queryInWindow(tenant, filter, peek, q) : await this.storage.temporal.queryEntities(tenant, filter, peek);
    const more = res.entities.length > page.limit;
    if (more) res.entities.length = page.limit;
    const { results, range } = await this.load(res.entities, q, sel);
    return { results, count: res.count, range, more };
  }

  /**
   * The instant for leaving out transient entities that expired and are not swept yet (clause
   * 4.5.1: an expired entity is never answered, its history neither), when any exists: one probe
   * of the expiry index, so temporal queries keep their plans otherwise.
   */
  private async aliveAt(): Promise<string | undefined> {
    const now = this.now();
    return (await this.storage.entities.expired(now, 1)).length ? now : undefined;
  }

  /**
   * q and geo evaluated against the instances in the time window (temporal.filter.ts): the other
   * restrictions narrow in storage, candidates are tested here in pages until the page is full
   * (with count: all of them).
   */
  private async queryInWindow(tenant: string, filter: EntityFilter, page: Page, q: TemporalQuery): Promise<{ entities: TemporalEntity[]; count?: number }> {
    const { q: qn, geo, ...rest } = filter;
    const m = new WindowMatcher(this.storage.temporal, q.window, qn, geo);
    const hits: TemporalEntity[] = [];
    let matched = 0;
    const chunk = 200;
    for (let offset = 0; ; offset += chunk) {
      const { entities } = await this.storage.temporal.queryEntities(tenant, rest, { limit: chunk, offset, count: false });
      for (const e of entities) {
        if (!(await m.matches(e))) continue;
        if (matched >= page.offset && hits.length < page.limit) hits.push(e);
        matched++;
      }
      if (entities.length < chunk || (!page.count && hits.length >= page.limit)) break;
    }
    return page.count ? { entities: hits, count: matched } : { entities: hits };
  }

  private selected(e: TemporalEntity, sel: Selection): TemporalSeries[] {
    return e.series.filter((s) => (!sel.keep || sel.keep.has(s.attr)) && !sel.omit?.has(s.attr)
      && (!sel.datasetId || sel.datasetId.includes(s.datasetId ?? '@none')));
  }

  private async load(entities: TemporalEntity[], q: TemporalQuery, sel: Selection): Promise<{ results: EntityResult[]; range?: CutRange }> {
    const results: EntityResult[] = entities.map((entity) => ({ entity, series: this.selected(entity, sel).map((series) => ({ series, type: 'Property' })) }));
    if (q.format === 'aggregatedValues') {
      const all = results.flatMap((r) => r.series);
      let budget = this.limits.maxPeriods * 20;
      for (const s of all) {
        await this.aggregate(s, q);
        budget -= s.aggregates!.length;
        if (budget < 0) throw new TooComplexQuery(`The aggregation yields more than ${(this.limits.maxPeriods * 20).toLocaleString('en-US')} periods in one response; ask for fewer entities (limit), fewer attributes (attrs) or a longer aggrPeriodDuration`);
      }
      return { results };
    }
    return this.loadInstances(results, q);
  }

  /** Instances of every selected series, cut at maxInstances per attribute (clause 6.3.10). */
  private async loadInstances(results: EntityResult[], q: TemporalQuery): Promise<{ results: EntityResult[]; range?: CutRange }> {
    const cap = this.limits.maxInstances;
    const want = q.lastN !== undefined ? Math.min(q.lastN, cap + 1) : cap + 1;
    const cut: SeriesResult[] = [];
    for (const r of results) {
      for (const s of r.series) {
        const list = await this.storage.temporal.instances(s.series, { window: q.window, limit: want, newest: q.lastN !== undefined });
        if (list.length > cap) {
          // Forward pages drop the newest surplus, backward (lastN) pages the oldest.
          s.instances = q.lastN !== undefined ? list.slice(list.length - cap) : list.slice(0, cap);
          cut.push(s);
        } else s.instances = list;
        s.type = s.instances.find((i) => !i.deleted)?.instance.type ?? s.instances[0]?.instance.type ?? 'Property';
      }
    }
    if (cut.length === 0) return { results };
    const all = results.flatMap((r) => r.series);
    let range: CutRange;
    if (q.lastN !== undefined) {
      // Backwards: from the newest requested time down to the oldest instance all cut attributes reach.
      const end = Math.max(...cut.map((s) => s.instances![0].time));
      const start = q.window.lt ?? q.window.lte ?? Math.max(...cut.map((s) => s.instances![s.instances!.length - 1].time));
      for (const s of all) s.instances = s.instances!.filter((i) => i.time >= end);
      range = { start, end, size: String(q.lastN) };
    } else {
      const end = Math.min(...cut.map((s) => s.instances![s.instances!.length - 1].time));
      const start = q.window.gte ?? q.window.gt ?? Math.min(...cut.map((s) => s.instances![0].time));
      for (const s of all) s.instances = s.instances!.filter((i) => i.time <= end);
      range = { start, end, size: '*' };
    }
    return { results, range };
  }

  /** Aggregates of one series over periods from timeAt (else its first instance) to endTimeAt (else its last). */
  private async aggregate(s: SeriesResult, q: TemporalQuery): Promise<void> {
    const t = this.storage.temporal;
    const span = await t.span(s.series, q.window);
    s.aggregates = [];
    if (!span) return;
    const newest = await t.instances(s.series, { window: q.window, limit: 1, newest: true });
    s.type = newest[0]?.instance.type ?? 'Property';
    const start = q.window.gte ?? q.window.gt ?? span.first;
    const end = q.window.lt ?? (q.window.lte !== undefined ? q.window.lte + 1 : span.last + 1);
    const bounds = periodBounds(start, end, q.aggr!.period, this.limits.maxPeriods);
    if (bounds.length === 0) return;
    const rows = await t.aggregate(s.series, { window: q.window, methods: q.aggr!.methods, bounds });
    let out = rows.map((r) => ({ ...r, start: bounds[r.period][0], end: bounds[r.period][1] }));
    if (q.lastN !== undefined) out = out.slice(Math.max(0, out.length - q.lastN));
    s.aggregates = out;
  }

  /** The series of one attribute (all datasetIds, or those asked for), for the CSV export. */
  async attributeSeries(tenant: string, id: string, attr: string, name: string, datasetId?: string[]): Promise<TemporalSeries[]> {
    const aliveAt = await this.aliveAt();
    const entity = aliveAt
      ? (await this.storage.temporal.queryEntities(tenant, { ids: [id], aliveAt }, { limit: 1, offset: 0, count: false })).entities[0]
      : await this.storage.temporal.getEntity(tenant, id);
    if (!entity) throw new ResourceNotFound(`Entity ${id} has no temporal evolution`);
    const series = this.selected(entity, { keep: new Set([attr]), datasetId });
    if (series.length === 0) throw new ResourceNotFound(`Entity ${id} has no history of attribute ${name}`);
    return series;
  }

  /** Instances of the series in time order, fetched in pages so that the reader is never held. */
  async *exportInstances(series: TemporalSeries[], window: TimeWindow): AsyncGenerator<{ series: TemporalSeries; instance: StoredInstance }> {
    for (const s of series) {
      let after: string | undefined;
      for (;;) {
        const page = await this.storage.temporal.instances(s, { window, limit: 5000, after });
        for (const instance of page) yield { series: s, instance };
        if (page.length < 5000) break;
        after = page[page.length - 1].cursor;
      }
    }
  }

  /**
   * Values of the series in time order for bulk exports, a page at a time (large pages straight
   * from the store: time, value and unit only, deletion markers left out).
   */
  async *exportValues(series: TemporalSeries[], window: TimeWindow, pageSize = EXPORT_PAGE): AsyncGenerator<{ series: TemporalSeries; values: ExportedValue[] }> {
    for (const s of series) {
      let after: string | undefined;
      do {
        const page = await this.storage.temporal.exportValues(s, { window, limit: pageSize, after });
        if (page.values.length) yield { series: s, values: page.values };
        after = page.next;
      } while (after);
    }
  }

  // ---- writes (temporal API) ----

  /** clause 5.6.11 (temporal): creates the temporal entity or adds instances; true when created. */
  async upsert(tenant: string, id: string, types: string[] | undefined, attrs: Record<string, AttrInstance[]>): Promise<boolean> {
    const at = this.now();
    return this.storage.withTransaction(async (tx) => {
      const exists = await tx.history.entityExists(tenant, id);
      if (!exists && !types?.length) throw new BadRequestData('A new temporal entity needs a "type"');
      return tx.history.append(tenant, { id, types: types ?? [] }, entries(attrs), at);
    });
  }

  /** clause 5.6.12 (temporal): adds instances to an existing temporal entity. */
  async appendAttrs(tenant: string, id: string, attrs: Record<string, AttrInstance[]>): Promise<void> {
    const at = this.now();
    await this.storage.withTransaction(async (tx) => {
      if (!(await tx.history.entityExists(tenant, id))) throw new ResourceNotFound(`Entity ${id} has no temporal evolution`);
      await tx.history.append(tenant, { id, types: [] }, entries(attrs), at);
    });
  }

  /** clause 5.6.14 (temporal): modifies one instance; members of the patch replace the stored ones. */
  async patchInstance(tenant: string, id: string, attr: string, instanceId: string, patch: AttrInstance, name: string): Promise<void> {
    const at = this.now();
    const ok = await this.storage.withTransaction((tx) => tx.history.patchInstance(tenant, id, attr, instanceId, (old) => {
      const out: AttrInstance = patch.type !== old.type ? { ...stripValue(old), type: patch.type } : { ...old };
      for (const [k, v] of Object.entries(patch)) if (k !== 'createdAt' && k !== 'modifiedAt' && k !== 'instanceId') out[k] = v;
      return out;
    }, at));
    if (!ok) throw new ResourceNotFound(`Entity ${id} has no instance ${instanceId} of attribute ${name}`);
  }

  /** clause 5.6.15 (temporal) */
  async deleteInstance(tenant: string, id: string, attr: string, instanceId: string, name: string): Promise<void> {
    const ok = await this.storage.withTransaction((tx) => tx.history.deleteInstance(tenant, id, attr, instanceId));
    if (!ok) throw new ResourceNotFound(`Entity ${id} has no instance ${instanceId} of attribute ${name}`);
  }

  /** clause 5.6.13 (temporal): deletes an attribute's history (default instance, one datasetId, or all). */
  async deleteAttr(tenant: string, id: string, attr: string, datasetId: string | undefined, name: string): Promise<void> {
    const ok = await this.storage.withTransaction(async (tx) => {
      if (!(await tx.history.entityExists(tenant, id))) throw new ResourceNotFound(`Entity ${id} has no temporal evolution`);
      return tx.history.deleteAttr(tenant, id, attr, datasetId);
    });
    if (!ok) throw new ResourceNotFound(`Entity ${id} has no history of attribute ${name}${datasetId && datasetId !== '*' ? ` with datasetId ${datasetId}` : ''}`);
  }

  /** clause 5.6.16 (temporal): deletes the temporal evolution of an entity (not its current state). */
  async deleteEntity(tenant: string, id: string): Promise<void> {
    const ok = await this.storage.withTransaction((tx) => tx.history.deleteEntity(tenant, id));
    if (!ok) throw new ResourceNotFound(`Entity ${id} has no temporal evolution`);
  }

  static formatRange(r: CutRange): string {
    return `date-time ${iso(r.start)}-${iso(r.end)}/${r.size}`;
  }
}

function entries(attrs: Record<string, AttrInstance[]>): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const [attr, list] of Object.entries(attrs)) for (const instance of list) out.push({ attr, instance });
  if (out.length === 0) throw new BadRequestData('The body holds no attribute instance');
  return out;
}

function stripValue(i: AttrInstance): AttrInstance {
  const { value: _v, object: _o, languageMap: _l, vocab: _vo, valueList: _vl, objectList: _ol, json: _j, ...rest } = i;
  return rest as AttrInstance;
}

