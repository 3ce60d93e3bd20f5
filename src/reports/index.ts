// The reports module (Mängelmelder and Open311 GeoReport v2) as app.ts sees it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import type { EntityService } from '../ngsi-ld/entities/entities.service.ts';
import { RateLimiter, type ApiKeyService } from '../auth/index.ts';
import { open311Routes } from './open311.routes.ts';
import { reportRoutes } from './reports.routes.ts';
import { reportPages } from './reports.pages.ts';
import type { Accounts } from '../accounts/index.ts';
import { ReportService } from './reports.service.ts';
import type { ReportStore } from './reports.port.ts';

export type { ReportStore } from './reports.port.ts';
export { ReportService, ReportProblem } from './reports.service.ts';
export type { Report, Category, ReportStatus } from './reports.model.ts';
export { STATUSES as REPORT_STATUSES } from './reports.model.ts';
export { LIMITS as REPORT_LIMITS } from './reports.validate.ts';
// The photo pipeline (type, size and decoding checked; re-encoded without metadata), reused for proposals' images.
export { cleanPhoto, hasMetadata, PhotoRejected, DEFAULT_PHOTO_LIMITS, PHOTO_TYPES, type CleanPhoto, type PhotoLimits } from './reports.photos.ts';

/** New reports per client address: 10 at once, then one more every 6 minutes (docs/participation.md). */
export const REPORT_RATE = { rps: 1 / 360, burst: 10 };

export interface ReportsSetup {
  config: Readonly<Config>;
  store: ReportStore;
  entities: EntityService;
  clock: Clock;
  keys: ApiKeyService;
  /** Sessions and CSRF tokens for the pages. */
  accounts: Accounts;
  log: FastifyInstance['log'];
}

export interface Reports {
  service: ReportService;
  /** Seconds the address has to wait before its next new report (0 = go ahead; counts the attempt). */
  limit(req: FastifyRequest): number;
}

export async function setupReports(app: FastifyInstance, s: ReportsSetup): Promise<Reports> {
  const { config } = s;
  const service = new ReportService({ store: s.store, entities: s.entities, tenant: config.portal.tenant, clock: s.clock, mailer: s.accounts.mailer, log: app.log.child({ module: 'reports' }), publicUrl: config.publicUrl });
  const limiter = new RateLimiter();
  const limit = (req: FastifyRequest) => (config.security.rateLimit.enabled ? limiter.take(`report:${req.ip}`, REPORT_RATE, s.clock.now().getTime()) : 0);
  const authEnabled = config.auth === 'on';
  const authenticate = authEnabled ? async (key: string) => {
    const p = await s.keys.authenticate(key);
    if (p.scope?.ops && !p.scope.ops.includes('write')) throw new Error('the key may not write');
    return p.id;
  } : undefined;
  const jurisdictions = [config.portal.tenant, new URL(config.publicUrl).hostname].filter(Boolean);
  await app.register(async (api) => open311Routes(api, { service, authenticate, jurisdictions, limit, clock: s.clock }), { prefix: '/open311/v2' });
  await app.register(async (api) => reportRoutes(api, { service, authEnabled }), { prefix: '/api/reports' });
  if (config.portal.enabled) await app.register(async (pages) => reportPages(pages, { config, service, accounts: s.accounts, limit }));
  return { service, limit };
}
