// The strategy module's own storage port, implemented for SQLite and PostgreSQL and held equal by
// strategy.contract.ts. Adapters throw the neutral StorageConflict / StorageNotFound errors.
import type { Feedback, FieldOfAction, Organisation, Project, StrategyEvent } from './strategy.model.ts';
import type { Kpi, KpiState } from './kpi.model.ts';

export interface StrategyStore {
  readonly engine: 'sqlite' | 'postgres';
  listFields(): Promise<FieldOfAction[]>;
  /** Creates or replaces a field of action. */
  putField(f: FieldOfAction): Promise<void>;
  listOrganisations(): Promise<Organisation[]>;
  putOrganisation(o: Organisation): Promise<void>;
  /** Projects ordered by field position, then title (German); optionally of one field. */
  listProjects(filter?: { fieldId?: string }): Promise<Project[]>;
  getProject(slug: string): Promise<Project | undefined>;
  /** Throws StorageConflict when the slug exists. */
  createProject(p: Project): Promise<void>;
  /** Throws StorageNotFound when the slug does not exist. */
  updateProject(p: Project): Promise<void>;
  /** Returns false when the slug did not exist. */
  deleteProject(slug: string): Promise<boolean>;
  /** Events ordered by start; `from` leaves out events that ended (or started, without end) before it. */
  listEvents(filter?: { from?: string }): Promise<StrategyEvent[]>;
  putEvent(e: StrategyEvent): Promise<void>;
  addFeedback(f: Feedback): Promise<void>;
  /** Newest first. */
  listFeedback(limit: number): Promise<Feedback[]>;
  /** KPIs ordered by id; optionally of one project and/or only published ones. */
  listKpis(filter?: { project?: string; published?: boolean }): Promise<Kpi[]>;
  getKpi(id: string): Promise<Kpi | undefined>;
  /** Throws StorageConflict when the id exists. */
  createKpi(k: Kpi): Promise<void>;
  /** Throws StorageNotFound when the id does not exist. */
  updateKpi(k: Kpi): Promise<void>;
  /** Removes the KPI and its state; false when it did not exist. */
  deleteKpi(id: string): Promise<boolean>;
  /** Creates or replaces the outcome of a KPI's latest evaluation. */
  putKpiState(s: KpiState): Promise<void>;
  getKpiState(id: string): Promise<KpiState | undefined>;
  listKpiStates(): Promise<KpiState[]>;
  /**
   * Claims the evaluation of a KPI for `holder` (a node) until `until` (epoch ms): true when no
   * lease of the KPI runs at `now` (none yet, or it ended at or before `now`), also not the holder's own.
   * Atomic across the nodes sharing the store, so each KPI is evaluated by one node per interval.
   */
  claimKpiLease(id: string, holder: string, now: number, until: number): Promise<boolean>;
  close(): Promise<void>;
}
