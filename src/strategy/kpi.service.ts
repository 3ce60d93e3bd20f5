// KPIs: definitions (checked by kpi.validate.ts; published only when anyone may read the selection,
// by the same access model as the API), their evaluation through kpi.evaluate.ts, and the value
// written as a Smart Data Models KeyPerformanceIndicator entity in the city's tenant — so every
// published KPI is open data with a history in the temporal API. A failed evaluation keeps the last
// good value and its time and marks the KPI unavailable; it never writes a number it is unsure of.
import type { Clock } from '../core/clock.ts';
import { StorageConflict, StorageNotFound } from '../core/errors.ts';
import type { EntityService } from '../ngsi-ld/entities/entities.service.ts';
import type { Terms } from '../ngsi-ld/context/term-map.ts';
import type { AttrInstance, EntityRecord } from '../storage/port.ts';
import type { Kpi, KpiState } from './kpi.model.ts';
import type { KpiEvaluator, KpiResult } from './kpi.evaluate.ts';
import { parseKpi, type KpiProblem } from './kpi.validate.ts';
import { kpiUnitCode } from './kpi.units.ts';
import type { StrategyStore } from './strategy.port.ts';
import { StrategyProblem } from './strategy.service.ts';

/** What an anonymous reader may read in a tenant, by the access policy as it is now. */
export type AnonymousRead = (tenant: string) => { allowed: boolean; mayRead?: (typeIri: string) => boolean };

export interface KpiServiceDeps {
  store: StrategyStore;
  clock: Clock;
  entities: EntityService;
  evaluator: KpiEvaluator;
  /** The @context KPI selections and the KPI entities are written in (Smart Data Models). */
  terms(): Promise<Terms>;
  anonymousRead: AnonymousRead;
  /** The city's tenant, where KeyPerformanceIndicator entities are written. */
  cityTenant: string;
  log?: { warn(o: object, msg: string): void };
}

export interface KpiView {
  kpi: Kpi;
  state?: KpiState;
  /** The id of the KeyPerformanceIndicator entity holding its value and history. */
  entityId: string;
}

export const KPI_ENTITY_PREFIX = 'urn:ngsi-ld:KeyPerformanceIndicator:drehscheibe-';
export const kpiEntityId = (id: string) => KPI_ENTITY_PREFIX + id;

const invalid = (problems: KpiProblem[]) => new StrategyProblem('BadRequest', 400, 'Invalid KPI', problems.map((p) => p.message).join('; '), problems);
const notFound = (id: string) => new StrategyProblem('NotFound', 404, 'Not found', `KPI ${id} does not exist`);

export class KpiService {
  constructor(private readonly d: KpiServiceDeps) {}

  get cityTenant(): string { return this.d.cityTenant; }

  list(filter?: { project?: string; published?: boolean }): Promise<Kpi[]> { return this.d.store.listKpis(filter); }

  async get(id: string): Promise<Kpi> {
    const k = await this.d.store.getKpi(id);
    if (!k) throw notFound(id);
    return k;
  }

  state(id: string): Promise<KpiState | undefined> { return this.d.store.getKpiState(id); }

  /** KPIs with the outcome of their latest evaluation (published only unless `all`). */
  async views(filter: { project?: string; all?: boolean } = {}): Promise<KpiView[]> {
    const [kpis, states] = await Promise.all([
      this.d.store.listKpis({ ...(filter.project !== undefined ? { project: filter.project } : {}), ...(filter.all ? {} : { published: true }) }),
      this.d.store.listKpiStates(),
    ]);
    const byId = new Map(states.map((s) => [s.id, s]));
    return kpis.map((kpi) => ({ kpi, state: byId.get(kpi.id), entityId: kpiEntityId(kpi.id) }));
  }

  async view(id: string): Promise<KpiView> {
    const [kpi, state] = await Promise.all([this.get(id), this.d.store.getKpiState(id)]);
    return { kpi, state, entityId: kpiEntityId(id) };
  }

  /** Refuses to publish a selection an anonymous reader could not read through the API. */
  private async checkRefs(k: Omit<Kpi, 'createdAt' | 'modifiedAt'>): Promise<void> {
    const problems: KpiProblem[] = [];
    if (k.project && !(await this.d.store.getProject(k.project))) problems.push({ field: 'project', message: `project: there is no project ${k.project}`, de: `Es gibt kein Projekt ${k.project}.` });
    if (k.published) {
      const access = this.d.anonymousRead(k.selection.tenant);
      const typeIri = (await this.d.terms()).expandType(k.selection.type);
      if (!access.allowed || (access.mayRead && !access.mayRead(typeIri))) {
        problems.push({
          field: 'published',
          message: `published: the selection (tenant ${k.selection.tenant || '(default)'}, type ${k.selection.type}) is not readable anonymously, so the KPI cannot be published`,
          de: `Die Kennzahl kann nicht veröffentlicht werden: Ihre Auswahl (Mandant ${k.selection.tenant || '(Standard)'}, Typ ${k.selection.type}) ist nicht öffentlich lesbar.`,
        });
      }
    }
    if (problems.length) throw invalid(problems);
  }

  async create(body: unknown): Promise<Kpi> {
    const { input, problems } = parseKpi(body);
    if (!input) throw invalid(problems);
    await this.checkRefs(input);
    const now = this.d.clock.now().toISOString();
    const k: Kpi = { ...input, createdAt: now, modifiedAt: now };
    try {
      await this.d.store.createKpi(k);
    } catch (e) {
      if (e instanceof StorageConflict) throw new StrategyProblem('Conflict', 409, 'Already exists', `A KPI with the id ${k.id} exists`, [{ field: 'id', message: `id: a KPI ${k.id} exists`, de: `Es gibt schon eine Kennzahl mit der Kennung ${k.id}.` } as KpiProblem]);
      throw e;
    }
    return k;
  }

  /** Replaces a KPI (PUT semantics); its id and creation time stay. Unpublishing removes its entity. */
  async replace(id: string, body: unknown): Promise<Kpi> {
    const before = await this.get(id);
    const { input, problems } = parseKpi(body, id);
    if (!input) throw invalid(problems);
    await this.checkRefs(input);
    const k: Kpi = { ...input, createdAt: before.createdAt, modifiedAt: this.d.clock.now().toISOString() };
    try {
      await this.d.store.updateKpi(k);
    } catch (e) {
      if (e instanceof StorageNotFound) throw notFound(id);
      throw e;
    }
    if (before.published && !k.published) await this.removeEntity(id);
    return k;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.d.store.deleteKpi(id))) throw notFound(id);
    await this.removeEntity(id);
  }

  private async removeEntity(id: string): Promise<void> {
    try {
      await this.d.entities.delete(this.d.cityTenant, kpiEntityId(id));
    } catch (e) {
      if ((e as { status?: number }).status !== 404) throw e;
    }
  }

  /**
   * Evaluates one KPI and records the outcome. Success: the state holds the value and, for a
   * published KPI, the KeyPerformanceIndicator entity gets the new kpiValue (a new history instance).
   * Failure: the last good value and its time stay, the state says unavailable and why.
   */
  async evaluate(k: Kpi): Promise<KpiState> {
    const prev = await this.d.store.getKpiState(k.id);
    const attemptedAt = this.d.clock.now().toISOString();
    let state: KpiState;
    try {
      const r = await this.d.evaluator.evaluate(k);
      if (k.published) await this.writeEntity(k, r);
      state = { id: k.id, status: 'ok', value: r.value, at: r.at, entities: r.entities, attemptedAt };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.d.log?.warn({ kpi: k.id, err: error }, 'KPI evaluation failed; the last good value stays, marked unavailable');
      state = { id: k.id, status: 'unavailable', attemptedAt, error: error.slice(0, 500) };
      if (prev?.value !== undefined) { state.value = prev.value; state.at = prev.at; state.entities = prev.entities; }
    }
    // The KPI may have been deleted meanwhile: no state for a KPI that is gone.
    if (await this.d.store.getKpi(k.id)) await this.d.store.putKpiState(state);
    return state;
  }

  async evaluateById(id: string): Promise<KpiState> {
    return this.evaluate(await this.get(id));
  }

  /**
   * Evaluates every KPI one after the other; returns how many succeeded and failed, and how many
   * were skipped because another node holds their lease. With `lease`, a KPI is evaluated only when
   * this node claims it for the next `ms` (the scheduler's interval): with several nodes on one
   * database each KPI is evaluated by one node per interval.
   */
  async evaluateAll(lease?: { holder: string; ms: number }): Promise<{ ok: number; failed: number; skipped: number }> {
    let ok = 0;
    let failed = 0;
    let skipped = 0;
    for (const k of await this.d.store.listKpis()) {
      if (lease) {
        const now = this.d.clock.now().getTime();
        if (!(await this.d.store.claimKpiLease(k.id, lease.holder, now, now + lease.ms))) { skipped++; continue; }
      }
      const s = await this.evaluate(k);
      if (s.status === 'ok') ok++; else failed++;
    }
    return { ok, failed, skipped };
  }

  private async writeEntity(k: Kpi, r: KpiResult): Promise<void> {
    const terms = await this.d.terms();
    const code = kpiUnitCode(k.unit);
    const P = (value: unknown, extra: Record<string, unknown> = {}): AttrInstance[] => [{ type: 'Property', value, ...extra }];
    const attrs: Record<string, AttrInstance[]> = {
      // The unit's UN/CEFACT code where it has one (kWh → KWH, % → P1, a count → C62).
      [terms.expandAttr('kpiValue')]: P(r.value, { observedAt: r.at, ...(code ? { unitCode: code } : {}) }),
      [terms.expandAttr('name')]: P(k.name.de),
      [terms.expandAttr('description')]: P(k.description.de || k.name.de),
      [terms.expandAttr('updatedAt')]: P(r.at),
    };
    if (r.from) attrs[terms.expandAttr('calculationPeriod')] = P({ from: r.from, to: r.to });
    const id = kpiEntityId(k.id);
    const initial: EntityRecord = {
      id, types: [terms.expandType('KeyPerformanceIndicator')], createdAt: r.at, modifiedAt: r.at,
      attrs: {
        ...structuredClone(attrs),
        [terms.expandAttr('calculationMethod')]: P('automatic'),
        [terms.expandAttr('category')]: P(['quantitative']),
        [terms.expandAttr('provider')]: P('Drehscheibe'),
        [terms.expandAttr('source')]: P('urn:drehscheibe:kpi'),
      },
    };
    const [err] = await this.d.entities.batchMeasure(this.d.cityTenant, [{ id, initial, attrs }]);
    if (err) throw err;
  }
}
