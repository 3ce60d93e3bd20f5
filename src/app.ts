// buildApp(config, deps) → a Fastify instance with every route, no listening (main.ts listens;
// tests use app.inject()).
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from './config/config.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { BadRequestData, InvalidRequest, MethodNotAllowed, ResourceNotFound } from './core/errors.ts';
import { MethodsByPath } from './ngsi-ld/http/methods.ts';
import { EventBus } from './core/events.ts';
import { jsonProblem } from './core/json.ts';
import { ContextService } from './ngsi-ld/context/context.resolver.ts';
import { CORE_CONTEXT_URL } from './ngsi-ld/context/builtin-contexts.ts';
import { contextRoutes } from './ngsi-ld/context/context.routes.ts';
import { EntityService } from './ngsi-ld/entities/entities.service.ts';
import { entityRoutes, type NgsiDeps } from './ngsi-ld/entities/entities.routes.ts';
import { versionPreference } from './ngsi-ld/http/prefer.ts';
import { batchRoutes } from './ngsi-ld/entities/batch.routes.ts';
import { purgeRoutes } from './ngsi-ld/entities/purge.routes.ts';
import { infoRoutes } from './ngsi-ld/info/info.routes.ts';
import { EntityViews, RenderCache } from './ngsi-ld/entities/entity.views.ts';
import { typeRoutes } from './ngsi-ld/types/types.routes.ts';
import { SubscriptionService, subscriptionRoutes } from './ngsi-ld/subscriptions/index.ts';
import { temporalRoutes } from './ngsi-ld/temporal/index.ts';
import { ngsiErrorHandler } from './ngsi-ld/http/error-handler.ts';
import { parseQueryString, QUERY_ERROR } from './ngsi-ld/http/request.ts';
import type { StoragePort } from './storage/port.ts';
import { configureRegex } from './storage/regex.ts';
import { configureGeo } from './ngsi-ld/geo/geo.query.ts';
import { Ingest } from './ingest/index.ts';
import { TenantService } from './tenants/tenants.service.ts';
import { tenantRoutes } from './tenants/tenants.routes.ts';
import { tenantReferences } from './tenants/tenants.references.ts';
import type { Logger } from 'pino';
import { ANONYMOUS, setupAuth, type Auth } from './auth/index.ts';
import { guardedFetch } from './core/net.guard.ts';
import { installHardening, Metrics } from './ops/index.ts';
import { Accounts } from './accounts/index.ts';
import { StrategyService, strategyRoutes, type StrategyStore } from './strategy/index.ts';
import { setupKpis, type KpiSetup } from './strategy/kpi.setup.ts';
import { SqliteStrategyStore } from './strategy/sqlite/strategy.sqlite.ts';
import { PostgresStrategyStore } from './strategy/postgres/strategy.postgres.ts';
import { portalNotFound, portalRoutes } from './portal/index.ts';
import { ngsiV2Routes } from './ngsiv2/index.ts';
import { CatalogService, NgsiLiveSource, catalogHttp, type CatalogStore } from './catalog/index.ts';
import { SqliteCatalogStore } from './catalog/sqlite/catalog.sqlite.ts';
import { PostgresCatalogStore } from './catalog/postgres/catalog.postgres.ts';
import { TemporalService } from './ngsi-ld/temporal/temporal.service.ts';
import { adminPortalRoutes, collectRoutes, frameAccountOf } from './portal/admin/index.ts';
import { setupReports, type Reports, type ReportStore } from './reports/index.ts';
import { SqliteReportStore } from './reports/sqlite/reports.sqlite.ts';
import { PostgresReportStore } from './reports/postgres/reports.postgres.ts';
import { installParticipation } from './participation/participation.setup.ts';

export interface AppDeps {
  storage: StoragePort;
  logger?: Logger | boolean;
  clock?: Clock;
  bus?: EventBus;
  contexts?: ContextService;
  fetchImpl?: typeof fetch;
  /** The strategy module's store; default: its own file in the data directory, or the PostgreSQL schema with DATABASE_URL. */
  strategy?: StrategyStore;
  /** The catalogue's store; default like the strategy store's. */
  catalog?: CatalogStore;
  /** The reports module's store (Mängelmelder, Open311); default as for strategy. */
  reports?: ReportStore;
}

export interface App extends FastifyInstance {
  drehscheibe: { entities: EntityService; contexts: ContextService; bus: EventBus; storage: StoragePort; subscriptions: SubscriptionService; ingest: Ingest; auth: Auth; metrics: Metrics; accounts: Accounts; strategy: StrategyService; catalog: CatalogService; kpis: KpiSetup; reports: Reports };
}

const JSON_TYPES = ['application/json', 'application/ld+json', 'application/merge-patch+json', 'application/geo+json'];

export async function buildApp(config: Readonly<Config>, deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: typeof deps.logger === 'object' ? deps.logger : undefined,
    logger: typeof deps.logger === 'object' ? undefined : false,
    bodyLimit: config.bodyLimit,
    // Plugins load their page modules at start-up; on a loaded machine that can take longer than Fastify's 10 s.
    pluginTimeout: 60_000,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048, querystringParser: parseQueryString },
    requestIdHeader: 'x-request-id',
    // Per-request lines are written by our onResponse hook at debug level, not at info.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.ops.trustProxy,
    requestTimeout: config.ops.requestTimeoutMs,
    keepAliveTimeout: config.ops.keepAliveTimeoutMs,
    connectionTimeout: config.ops.requestTimeoutMs,
  }) as unknown as App;

  const routeList = collectRoutes(app);
  const clock = deps.clock ?? systemClock;
  configureRegex({ maxLength: config.maxRegexLength });
  configureGeo({ maxVertices: config.maxGeometryVertices, budgetMs: config.geoBudgetMs });
  // Metrics first: the storage port is used through its timed view from here on.
  let subscriptions: SubscriptionService | undefined;
  let auth: Auth | undefined;
  const metrics = new Metrics({
    storage: deps.storage,
    notifications: () => subscriptions?.deliveryStats() ?? { queued: 0, sent: 0, failed: 0, dropped: 0 },
    auditQueued: () => auth?.audit?.queued ?? 0,
  });
  const storage = metrics.timeStorage(deps.storage);
  const bus = deps.bus ?? new EventBus((err, event) => app.log.error({ err, event }, 'event listener failed'));
  const contexts = deps.contexts ?? new ContextService({
    fetchTimeoutMs: config.contextFetchTimeoutMs,
    maxBytes: config.contextMaxBytes,
    remoteCache: config.contextCache,
    memoryBytes: config.contextMemoryBytes,
    contextMap: config.contextMapFile ? loadContextMap(config.contextMapFile) : undefined,
    cacheDir: `${config.dataDir}/contexts`,
    publicBaseUrl: config.publicUrl,
    allowRemote: config.contextRemote,
    // SSRF guard: remote @context documents are not fetched from private addresses unless allowed.
    fetchImpl: deps.fetchImpl ?? (config.contextAllowPrivate ? undefined : guardedFetch()),
  });
  const entities = new EntityService(storage, bus, clock);
  // Transient entities (clause 4.5.1): reads leave expired ones out at once; the sweeper deletes them
  // (with the delete notifications) every DREHSCHEIBE_EXPIRY_SWEEP_INTERVAL seconds.
  deps.storage.useClock?.(clock);
  if (config.expirySweepIntervalS > 0) {
    let sweeping = false;
    const sweep = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      entities.sweepExpired().catch((err) => app.log.error({ err }, 'sweeping expired entities failed')).finally(() => { sweeping = false; });
    }, config.expirySweepIntervalS * 1000);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
  }
  subscriptions = new SubscriptionService({ store: storage.subscriptions, entities: storage.entities, contexts, bus, clock, config: config.notify, limits: config.subscriptionLimits, coreContextUrl: CORE_CONTEXT_URL, logger: app.log.child({ module: 'ngsi-ld.subscriptions' }),
    cluster: storage.cluster ? { feed: storage.cluster, timing: config.cluster } : undefined });
  await subscriptions.start();
  app.addHook('onClose', async () => { await subscriptions!.stop(); });
  const ingest = new Ingest({
    config, store: storage.ingest, entities, clock, version: VERSION, log: app.log,
    resolveTerms: (url) => contexts.resolve(url),
    cluster: storage.cluster ? { feed: storage.cluster, bus } : undefined,
  });
  await ingest.init();
  // Queued measurements are written before the storage closes.
  app.addHook('onClose', async () => { await ingest.close(); });
  // Hardening and access control before any route: one hook decides for every module (docs/security.md).
  installHardening(app, { corsOrigins: config.ops.corsOrigins, headersTimeoutMs: config.ops.headersTimeoutMs });
  // People's accounts: their session cookies are principals of the same access model (docs/accounts.md).
  const accounts = new Accounts(config, { store: storage.accounts, clock, log: app.log, fetchImpl: deps.fetchImpl, cluster: storage.cluster ? { feed: storage.cluster } : undefined });
  accounts.installHooks(app);
  auth = await setupAuth(app, config, { store: storage.auth, clock, log: app.log, expandType: (n) => contexts.core.expandType(n), fetchImpl: deps.fetchImpl,
    cluster: storage.cluster ? { feed: storage.cluster, bus } : undefined, sessions: accounts });
  // With access control on, a subscription notifies only while its owner may read what it sends.
  if (config.auth === 'on') subscriptions.useOwners(auth.owners);
  metrics.install(app);
  metrics.ingest(() => ingest.stats.snapshot(ingest.pipeline.queued));
  const strategyStore = deps.strategy ?? (config.databaseUrl
    ? await PostgresStrategyStore.open({ url: config.databaseUrl, schema: config.postgres.schema })
    : SqliteStrategyStore.inDataDir(config.dataDir));
  if (!deps.strategy) app.addHook('onClose', async () => { await strategyStore.close(); });
  const strategy = new StrategyService(strategyStore, clock);
  const catalog = await openCatalog(app, config, deps, { storage, clock, contexts, auth, strategy });
  // What an anonymous reader may read: the portal's pages show only that, and only that can be a published KPI.
  const policy = auth.policy;
  const publicRead = (tenant: string) => {
    if (config.auth === 'off') return { allowed: true };
    const d = policy.decide(ANONYMOUS, tenant, 'read');
    return { allowed: d.allowed, mayRead: d.guard ? (type: string) => d.guard!.mayRead([type]) : undefined };
  };
  const kpis = setupKpis(app, { config, store: strategyStore, storage, entities, contexts, clock, publicRead });
  const reportStore = deps.reports ?? (config.databaseUrl
    ? await PostgresReportStore.open({ url: config.databaseUrl, schema: config.postgres.schema })
    : SqliteReportStore.inDataDir(config.dataDir));
  if (!deps.reports) app.addHook('onClose', async () => { await reportStore.close(); });
  const reports = await setupReports(app, { config, store: reportStore, entities, clock, keys: auth.keys, accounts, log: app.log });
  app.decorate('drehscheibe', { entities, contexts, bus, storage, subscriptions, ingest, auth, metrics, accounts, strategy, catalog, kpis, reports });

  // One JSON parser for every JSON media type; invalid JSON is an InvalidRequest (clause 6.3.x).
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(null, undefined);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return done(new InvalidRequest(`The body is not valid JSON: ${(e as Error).message}`), undefined);
    }
    // Before any recursive walker sees it: nesting depth and non-finite numbers (docs/security.md#limits).
    const problem = jsonProblem(doc, config.maxJsonDepth);
    if (problem) return done(new BadRequestData(problem), undefined);
    done(null, doc);
  });

  // Root hooks run on every request: callback style, since an async hook costs a promise per request
  // (and an async onSend defers the send past the handler's return).
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.url.length > config.maxQueryLength) {
      done(new BadRequestData(`The request URL is ${req.url.length} characters long; the limit is ${config.maxQueryLength}`));
      return;
    }
    const qerr = (req.query as Record<string | symbol, unknown>)[QUERY_ERROR];
    done(qerr ? (qerr as Error) : undefined);
  });

  app.addHook('onResponse', (req, reply, done) => {
    if ((req.log as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled?.('debug')) req.log.debug({ method: req.method, url: req.url.replace(/([?&]k=)[^&]*/, '$1[redacted]'), status: reply.statusCode, ms: reply.elapsedTime }, 'request');
    done();
  });

  await storage.ensureAttributeIndexes(config.indexedAttributes.map((a) => contexts.core.expandAttr(a)));
  const views = new EntityViews(storage.entities, new RenderCache(config.renderCacheMb * 1024 * 1024));
  const ngsi: NgsiDeps = { entities, views, contexts, coreContextUrl: CORE_CONTEXT_URL, defaultLimit: config.defaultLimit, maxLimit: config.maxLimit };
  await app.register(async (api) => {
    api.setErrorHandler(ngsiErrorHandler);
    // JSON is UTF-8 by definition (RFC 8259); FIWARE clients such as ngsijs compare the bare media type.
    api.addHook('onSend', (_req, reply, payload, done) => {
      const ct = reply.getHeader('content-type');
      if (typeof ct === 'string' && ct.endsWith('; charset=utf-8') && ct.startsWith('application/')) reply.header('content-type', ct.slice(0, -15));
      done(null, payload);
    });
    api.addHook('onSend', versionPreference);
    // A resource of Table 6.2-1 addressed with a method it does not define is 405 with Allow (RFC 9110 15.5.6), not 404.
    const methods = new MethodsByPath();
    api.addHook('onRoute', (r) => methods.add(r.url, r.method));
    api.setNotFoundHandler((req, reply) => {
      const path = req.url.split('?')[0];
      const allow = methods.allowed(path);
      if (allow.length) {
        reply.header('allow', allow.join(', '));
        return ngsiErrorHandler(new MethodNotAllowed(`${req.method} is not defined on ${path}; allowed: ${allow.join(', ')}`), req, reply);
      }
      return ngsiErrorHandler(new ResourceNotFound(`No NGSI-LD operation at ${req.method} ${path}`), req, reply);
    });
    await entityRoutes(api, ngsi);
    await batchRoutes(api, ngsi);
    await purgeRoutes(api, ngsi);
    await typeRoutes(api, ngsi);
    await temporalRoutes(api, ngsi, { storage, clock, config: config.temporal });
    await subscriptionRoutes(api, { subscriptions: subscriptions!, contexts, coreContextUrl: CORE_CONTEXT_URL, defaultLimit: config.defaultLimit, maxLimit: config.maxLimit, tenantExists: (t) => entities.tenantExists(t) });
    await api.register(contextRoutes(contexts));
    await infoRoutes(api, { contexts, coreContextUrl: CORE_CONTEXT_URL, clock, publicUrl: config.publicUrl, version: VERSION, tenantExists: (t) => entities.tenantExists(t) });
  }, { prefix: '/ngsi-ld/v1' });

  await app.register(ngsiV2Routes({ entities, subscriptions: subscriptions!, coreTerms: contexts.core, maxLimit: config.maxLimit }), { prefix: '/v2' });
  await ingest.routes(app);
  await accounts.routes(app, auth.audit);
  // Operators' tenant management: the admin API and the tenants page share this service.
  // A deletion is refused while KPIs or catalogue datasets use the tenant; other nodes are told of one.
  const cluster = storage.cluster;
  const tenants = new TenantService({
    storage, subscriptions: subscriptions!, registry: ingest.registry, portalTenant: config.portal.tenant, now: () => clock.now(),
    references: tenantReferences({ kpis: () => kpis.service.list(), datasets: () => catalog.store.all(), cityTenant: config.portal.tenant }),
    announce: cluster ? (name) => cluster.publish([{ kind: 'tenant', name }]).catch((err: unknown) => app.log.warn({ err, tenant: name }, 'tenant deletion could not be announced to the other nodes; until their next restart they may leave new writes to it unlisted')) : undefined,
  });
  if (cluster) bus.on('cluster.tenant', (name) => storage.tenants.forgetTenant(name));
  await app.register(async (api) => tenantRoutes(api, { service: tenants }), { prefix: '/admin' });

  const open = { config: { access: { op: 'public' as const } } };
  app.get('/health', open, async () => ({ status: 'ok' }));
  app.get('/ready', open, async (_req, reply) => {
    try {
      await storage.ping();
      return { status: 'ready', storage: storage.engine };
    } catch {
      return reply.status(503).send({ status: 'unavailable', storage: storage.engine });
    }
  });
  // Prometheus metrics: here for operators only, or on METRICS_PORT instead (main.ts).
  if (config.ops.metricsPort === undefined) {
    app.get('/metrics', { config: { access: { op: 'admin' } } }, async (_req, reply) => {
      const m = await metrics.text();
      return reply.type(m.contentType).send(m.body);
    });
  }
  // The strategy API (problem+json) and the portal's pages; the portal's 404 page only for non-API paths.
  await app.register(async (api) => strategyRoutes(api, { service: strategy, authEnabled: config.auth === 'on', kpis: kpis.service }), { prefix: '/api/strategy' });
  // The open-data catalogue: JSON API, DCAT-AP.de RDF at /catalog, CKAN Action API under /api/3 (docs/catalog.md).
  await catalogHttp(app, { service: catalog, authEnabled: config.auth === 'on',
    projects: async () => (await strategy.projects()).map((p) => ({ slug: p.slug, title: p.title.de, description: p.summary.de, createdAt: p.createdAt })) });
  // Participation (docs/participation.md): its API, citizens' registration and its pages.
  const citations = { kpis: kpis.service, entities, temporal: kpis.temporal, publicRead, tenant: config.portal.tenant, log: app.log.child({ module: 'participation.citations' }) };
  const participation = await installParticipation(app, { config, clock, accounts, accountStore: storage.accounts, strategy, catalog, citations });
  if (config.portal.enabled) {
    // The project pages' „Folgen“ button asks participation through this function, not its storage.
    const following = async (req: FastifyRequest, kind: 'project', id: string) => {
      const p = await participation.person(req);
      return p ? participation.follows.isFollowing(p, kind, id) : undefined;
    };
    const portal = { config, entities, strategy, publicRead, catalog, kpis: kpis.service, temporal: kpis.temporal, accounts, account: frameAccountOf(accounts), following };
    await app.register(async (pages) => portalRoutes(pages, portal));
    await app.register(async (pages) => adminPortalRoutes(pages, { config, accounts, auth: auth!, storage, ingest, strategy, entities, tenants, routes: () => routeList, version: VERSION }));
    portalNotFound(app, portal);
  }
  app.get('/version', open, async () => ({ name: 'drehscheibe', version: VERSION, ngsiLd: '1.9.1' }));
  app.setErrorHandler(ngsiErrorHandler);
  return app;
}

export const VERSION = '0.1.0';

/** The catalogue's store and service; live datasets read the app's own NGSI-LD API as an anonymous client. */
async function openCatalog(app: FastifyInstance, config: Readonly<Config>, deps: AppDeps, d: { storage: StoragePort; clock: Clock; contexts: ContextService; auth: Auth; strategy: StrategyService }): Promise<CatalogService> {
  const store = deps.catalog ?? (config.databaseUrl
    ? await PostgresCatalogStore.open({ url: config.databaseUrl, schema: config.postgres.schema })
    : SqliteCatalogStore.inDataDir(config.dataDir));
  if (!deps.catalog) app.addHook('onClose', async () => { await store.close(); });
  const temporal = new TemporalService(d.storage, d.clock, { maxInstances: config.temporal.maxInstances, maxPeriods: config.temporal.maxPeriods });
  const live = new NgsiLiveSource({
    publicUrl: config.publicUrl,
    pageSize: config.maxLimit,
    async get(path, tenant, accept = 'application/json', context) {
      const link = context ? { link: `<${context}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` } : {};
      const r = await app.inject({ method: 'GET', url: `/ngsi-ld/v1${path}`, headers: { accept, ...link, ...(tenant ? { 'ngsild-tenant': tenant } : {}) } });
      return { status: r.statusCode, body: r.body };
    },
    async anonymousMayRead(tenant, type, context) {
      if (config.auth === 'off') return true;
      const dec = d.auth.policy.decide(ANONYMOUS, tenant, 'read');
      const terms = context ? await d.contexts.resolve(context) : d.contexts.core;
      return dec.allowed && (!dec.guard || dec.guard.mayRead([type.includes(':') ? type : terms.expandType(type)]));
    },
    history: {
      async *pages(tenant, id, attr, from, to, context) {
        let series;
        try {
          const terms = context ? await d.contexts.resolve(context) : d.contexts.core;
          series = await temporal.attributeSeries(tenant, id, terms.expandAttr(attr), attr);
        } catch {
          return;
        }
        for await (const { series: s, values } of temporal.exportValues(series, { property: 'observedAt', gte: from, lt: to })) {
          yield { datasetId: s.datasetId, rows: values };
        }
      },
    },
  });
  return new CatalogService({
    store, clock: d.clock, baseUrl: config.publicUrl, live, limits: { maxUploadBytes: config.catalog.maxUploadBytes },
    organisations: () => d.strategy.organisations(),
    projects: async () => (await d.strategy.projects()).map((p) => p.slug),
  });
}

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
function loadContextMap(file: string): Record<string, string> {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const base = dirname(resolve(file));
  const out: Record<string, string> = {};
  for (const [url, path] of Object.entries(raw)) out[url] = resolve(base, path);
  return out;
}
