// The operations domain as other modules see it: metrics and HTTP hardening.
export { Metrics, type MetricsSources } from './metrics.ts';
export { installHardening, type HardeningOptions } from './hardening.ts';
