// The strategy module as other modules see it (adapters are imported by app.ts/main.ts only).
export type { StrategyStore } from './strategy.port.ts';
export type { FieldOfAction, Organisation, Project, ProjectLocation, ProjectStatus, StrategyEvent, Feedback, Text2 } from './strategy.model.ts';
export { PROJECT_STATUSES } from './strategy.model.ts';
export { StrategyService, StrategyProblem } from './strategy.service.ts';
export { strategyRoutes } from './strategy.routes.ts';
export { loadStarter, loadStarterKpis, STARTER_FILE } from './starter.ts';
export { SLUG } from './strategy.validate.ts';
export type { Kpi, KpiInput, KpiState, KpiReduction, KpiAggregation, KpiPeriod, KpiSelection } from './kpi.model.ts';
export { KPI_REDUCTIONS, KPI_AGGREGATIONS, KPI_PERIODS } from './kpi.model.ts';
export { KpiService, kpiEntityId, type KpiView, type AnonymousRead } from './kpi.service.ts';
export { KpiEvaluator, KpiEvaluationError, periodStart } from './kpi.evaluate.ts';
export { KpiScheduler } from './kpi.scheduler.ts';
export { parseKpi, type KpiProblem } from './kpi.validate.ts';
export { kpiUnitCode, kpiUnitSymbol } from './kpi.units.ts';
