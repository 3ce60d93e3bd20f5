// buildApp(config, deps) → a Fastify instance with every route, no listening (main.ts listens;
// tests use app.inject()).
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from './config/config.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { BadRequestData, InvalidRequest, ResourceNotFound } from './core/errors.ts';
import { EventBus } from './core/events.ts';
import { ContextService } from './ngsi-ld/context/context.resolver.ts';
import { CORE_CONTEXT_URL } from './ngsi-ld/context/builtin-contexts.ts';
import { contextRoutes } from './ngsi-ld/context/context.routes.ts';
import { EntityService } from './ngsi-ld/entities/entities.service.ts';
import { entityRoutes, type NgsiDeps } from './ngsi-ld/entities/entities.routes.ts';
import { batchRoutes } from './ngsi-ld/entities/batch.routes.ts';
import { EntityViews, RenderCache } from './ngsi-ld/entities/entity.views.ts';
import { typeRoutes } from './ngsi-ld/types/types.routes.ts';
import { SubscriptionService, subscriptionRoutes } from './ngsi-ld/subscriptions/index.ts';
import { temporalRoutes } from './ngsi-ld/temporal/index.ts';
import { ngsiErrorHandler } from './ngsi-ld/http/error-handler.ts';
import { parseQueryString, QUERY_ERROR } from './ngsi-ld/http/request.ts';
import type { StoragePort } from './storage/port.ts';
import { Ingest } from './ingest/index.ts';
import type { Logger } from 'pino';
import { setupAuth, type Auth } from './auth/index.ts';
import { guardedFetch } from './core/net.guard.ts';
import { installHardening, Metrics } from './ops/index.ts';

export interface AppDeps {
  storage: StoragePort;
  logger?: Logger | boolean;
  clock?: Clock;
  bus?: EventBus;
  contexts?: ContextService;
  fetchImpl?: typeof fetch;
}

export interface App extends FastifyInstance {
  drehscheibe: { entities: EntityService; contexts: ContextService; bus: EventBus; storage: StoragePort; subscriptions: SubscriptionService; ingest: Ingest; auth: Auth; metrics: Metrics };
}

const JSON_TYPES = ['application/json', 'application/ld+json', 'application/merge-patch+json', 'application/geo+json'];

export async function buildApp(config: Readonly<Config>, deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: typeof deps.logger === 'object' ? deps.logger : undefined,
    logger: typeof deps.logger === 'object' ? undefined : false,
    bodyLimit: config.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048, querystringParser: parseQueryString },
    requestIdHeader: 'x-request-id',
    // Per-request lines are written by our onResponse hook at debug level, not at info.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.ops.trustProxy,
    requestTimeout: config.ops.requestTimeoutMs,
    keepAliveTimeout: config.ops.keepAliveTimeoutMs,
    connectionTimeout: config.ops.requestTimeoutMs,
  }) as unknown as App;

  const clock = deps.clock ?? systemClock;
  // Metrics first: the storage port is used through its timed view from here on.
  let subscriptions: SubscriptionService | undefined;
  let auth: Auth | undefined;
  const metrics = new Metrics({
    storage: deps.storage,
    notifications: () => subscriptions?.deliveryStats() ?? { queued: 0, sent: 0, failed: 0 },
    auditQueued: () => auth?.audit?.queued ?? 0,
  });
  const storage = metrics.timeStorage(deps.storage);
  const bus = deps.bus ?? new EventBus();
  const contexts = deps.contexts ?? new ContextService({
    fetchTimeoutMs: config.contextFetchTimeoutMs,
    maxBytes: config.contextMaxBytes,
    contextMap: config.contextMapFile ? loadContextMap(config.contextMapFile) : undefined,
    cacheDir: `${config.dataDir}/contexts`,
    publicBaseUrl: config.publicUrl,
    allowRemote: config.contextRemote,
    // SSRF guard: remote @context documents are not fetched from private addresses unless allowed.
    fetchImpl: deps.fetchImpl ?? (config.contextAllowPrivate ? undefined : guardedFetch()),
  });
  const entities = new EntityService(storage, bus, clock);
  subscriptions = new SubscriptionService({ store: storage.subscriptions, entities: storage.entities, contexts, bus, clock, config: config.notify, coreContextUrl: CORE_CONTEXT_URL, logger: app.log.child({ module: 'ngsi-ld.subscriptions' }),
    cluster: storage.cluster ? { feed: storage.cluster, timing: config.cluster } : undefined });
  await subscriptions.start();
  app.addHook('onClose', async () => { await subscriptions!.stop(); });
  const ingest = new Ingest({
    config, store: storage.ingest, entities, clock, version: VERSION, log: app.log.child({ module: 'ingest' }),
    resolveTerms: (url) => contexts.resolve(url),
    cluster: storage.cluster ? { feed: storage.cluster, bus } : undefined,
  });
  await ingest.init();
  // Queued measurements are written before the storage closes.
  app.addHook('onClose', async () => { await ingest.close(); });
  // Hardening and access control before any route: one hook decides for every module (docs/security.md).
  installHardening(app, { corsOrigins: config.ops.corsOrigins, headersTimeoutMs: config.ops.headersTimeoutMs });
  auth = await setupAuth(app, config, { store: storage.auth, clock, log: app.log, expandType: (n) => contexts.core.expandType(n), fetchImpl: deps.fetchImpl,
    cluster: storage.cluster ? { feed: storage.cluster, bus } : undefined });
  metrics.install(app);
  metrics.ingest(() => ingest.stats.snapshot(ingest.pipeline.queued));
  app.decorate('drehscheibe', { entities, contexts, bus, storage, subscriptions, ingest, auth, metrics });

  // One JSON parser for every JSON media type; invalid JSON is an InvalidRequest (clause 6.3.x).
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new InvalidRequest(`The body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });

  app.addHook('onRequest', async (req) => {
    if (req.url.length > config.maxQueryLength) {
      throw new BadRequestData(`The request URL is ${req.url.length} characters long; the limit is ${config.maxQueryLength}`);
    }
    const qerr = (req.query as Record<string | symbol, unknown>)[QUERY_ERROR];
    if (qerr) throw qerr;
  });

  app.addHook('onResponse', async (req, reply) => {
    if ((req.log as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled?.('debug')) req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });

  await storage.ensureAttributeIndexes(config.indexedAttributes.map((a) => contexts.core.expandAttr(a)));
  const views = new EntityViews(storage.entities, new RenderCache(config.renderCacheMb * 1024 * 1024));
  const ngsi: NgsiDeps = { entities, views, contexts, coreContextUrl: CORE_CONTEXT_URL, defaultLimit: config.defaultLimit, maxLimit: config.maxLimit };
  await app.register(async (api) => {
    api.setErrorHandler(ngsiErrorHandler);
    // JSON is UTF-8 by definition (RFC 8259); FIWARE clients such as ngsijs compare the bare media type.
    api.addHook('onSend', async (_req, reply, payload) => {
      const ct = reply.getHeader('content-type');
      if (typeof ct === 'string' && ct.endsWith('; charset=utf-8') && ct.startsWith('application/')) reply.header('content-type', ct.slice(0, -15));
      return payload;
    });
    api.setNotFoundHandler((req, reply) => ngsiErrorHandler(new ResourceNotFound(`No NGSI-LD operation at ${req.method} ${req.url.split('?')[0]}`), req, reply));
    await entityRoutes(api, ngsi);
    await batchRoutes(api, ngsi);
    await typeRoutes(api, ngsi);
    await temporalRoutes(api, ngsi, { storage, clock, config: config.temporal });
    await subscriptionRoutes(api, { subscriptions: subscriptions!, contexts, coreContextUrl: CORE_CONTEXT_URL, defaultLimit: config.defaultLimit, maxLimit: config.maxLimit, tenantExists: (t) => entities.tenantExists(t) });
    await api.register(contextRoutes(contexts));
  }, { prefix: '/ngsi-ld/v1' });

  await ingest.routes(app);

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
  app.get('/version', open, async () => ({ name: 'drehscheibe', version: VERSION, ngsiLd: '1.8' }));
  app.setErrorHandler(ngsiErrorHandler);
  return app;
}

export const VERSION = '0.1.0';

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
function loadContextMap(file: string): Record<string, string> {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const base = dirname(resolve(file));
  const out: Record<string, string> = {};
  for (const [url, path] of Object.entries(raw)) out[url] = resolve(base, path);
  return out;
}
