// Wires the KPI parts for app.ts: the evaluator (reading through the NGSI-LD entity and temporal
// services), the service and the scheduler, which starts when the app is ready and stops on close.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import type { EntityService } from '../ngsi-ld/entities/entities.service.ts';
import type { ContextService } from '../ngsi-ld/context/context.resolver.ts';
import { SMART_DATA_MODELS_GENERAL_URL } from '../ngsi-ld/context/builtin-contexts.ts';
import { TemporalService } from '../ngsi-ld/temporal/temporal.service.ts';
import type { StoragePort } from '../storage/port.ts';
import { KpiEvaluator } from './kpi.evaluate.ts';
import { KpiScheduler } from './kpi.scheduler.ts';
import { KpiService, type AnonymousRead } from './kpi.service.ts';
import type { StrategyStore } from './strategy.port.ts';

export interface KpiSetup {
  service: KpiService;
  scheduler: KpiScheduler;
  /** The temporal service the KPIs (and the portal's charts) read history through. */
  temporal: TemporalService;
}

export interface KpiSetupDeps {
  config: Readonly<Config>;
  store: StrategyStore;
  storage: StoragePort;
  entities: EntityService;
  contexts: ContextService;
  clock: Clock;
  publicRead: AnonymousRead;
}

/** The @context of KPI selections and KPI entities: Smart Data Models (the demo tenant's, preloaded). */
export const KPI_CONTEXT = SMART_DATA_MODELS_GENERAL_URL;

export function setupKpis(app: FastifyInstance, d: KpiSetupDeps): KpiSetup {
  const temporal = new TemporalService(d.storage, d.clock, { maxInstances: d.config.temporal.maxInstances, maxPeriods: d.config.temporal.maxPeriods });
  const terms = () => d.contexts.resolve(KPI_CONTEXT);
  const evaluator = new KpiEvaluator({ entities: d.entities, temporal, terms, clock: d.clock, timeZone: d.config.portal.kpiTimeZone });
  const log = app.log.child({ module: 'strategy.kpi' });
  const service = new KpiService({ store: d.store, clock: d.clock, entities: d.entities, evaluator, terms, anonymousRead: d.publicRead, cityTenant: d.config.portal.tenant, log });
  const scheduler = new KpiScheduler(service, { intervalMs: d.config.portal.kpiIntervalS * 1000, log });
  app.addHook('onReady', async () => { scheduler.start(); });
  // Before the storage closes: a run in progress finishes first.
  app.addHook('onClose', async () => { await scheduler.stop(); });
  return { service, scheduler, temporal };
}
