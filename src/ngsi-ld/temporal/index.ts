// The temporal domain's public face: the history hook of the write path and the HTTP routes.
export { recordHistory } from './history.diff.ts';
export { temporalRoutes } from './temporal.routes.ts';
export { RetentionJob } from './retention.job.ts';
