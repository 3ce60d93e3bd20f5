// The one configuration schema: parsed and validated once at start-up from the environment
// (and an optional JSON config file with the same keys), then passed down frozen.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findLicence } from '../catalog/catalog.vocab.ts';
import { parseAccountsConfig, type AccountsConfig } from './accounts.config.ts';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL engine (docs/scaling.md): schema, pool size per node, statement timeout, transaction attempts. */
  postgres: { schema: string; poolSize: number; statementTimeoutMs: number; txAttempts: number };
  /** Several nodes on one PostgreSQL database (docs/scaling.md#several-nodes): lease renewal and expiry in ms. */
  cluster: { heartbeatMs: number; leaseMs: number };
  mqttUrl?: string;
  mqttPort: number;
  /** MQTT_PORT was given (else the default, which may move to a free port when taken: main.ts). */
  mqttPortSet: boolean;
  demo: 'auto' | 'on' | 'off';
  /** Seconds between two messages of one simulated demo device. */
  demoIntervalS: number;
  auth: 'on' | 'off';
  contextMapFile?: string;
  logLevel: string;
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  /** Longest accepted URL (path + query) in characters. */
  maxQueryLength: number;
  /** Longest accepted regular expression (q's ~=, idPattern) in characters. */
  maxRegexLength: number;
  /** Most positions of one geometry, stored or in a geo-query; time one request may spend on in-process geometry tests. */
  maxGeometryVertices: number;
  geoBudgetMs: number;
  /** Deepest nesting of objects and arrays in a JSON body or device payload (docs/security.md#limits). */
  maxJsonDepth: number;
  /** Default and maximum page size of entity queries (clause 5.5.9). */
  defaultLimit: number;
  maxLimit: number;
  contextFetchTimeoutMs: number;
  contextMaxBytes: number;
  /** Downloaded @contexts kept (memory and disk, least recently used evicted): entries and bytes. */
  contextCache: { maxEntries: number; maxBytes: number };
  /** Estimated memory for resolved @contexts (term maps), and separately for inline @contexts kept (ImplicitlyCreated). */
  contextMemoryBytes: number;
  /** Allow fetching @context documents over the network (off = preloaded only). */
  contextRemote: boolean;
  /** Allow remote @context fetches from private addresses (SSRF guard; deny by default off loopback). */
  contextAllowPrivate: boolean;
  /** Attributes with value indexes for fast q equality (names as in the core context, or IRIs). */
  indexedAttributes: string[];
  /** Memory for cached rendered entities (MB); 0 switches the cache off. */
  renderCacheMb: number;
  /** SQLite page cache of the reading connection (MB); the writer's is 16 MB. */
  sqliteCacheMb: number;
  /** Seconds between runs of the sweeper that deletes expired transient entities (0 = off; reads never answer them anyway). */
  expirySweepIntervalS: number;
  /** Base URL this instance is reached at, used for hosted @context URLs. */
  publicUrl: string;
  /** Subscriptions' notifications (docs/subscriptions.md): SSRF guard, queue bound, timeouts, retries, initial notification. */
  notify: {
    allowPrivate: boolean; queueMax: number; concurrency: number; timeoutMs: number; retries: number; backoffMs: number; backoffMaxMs: number; initial: boolean; maxEntities: number; tickMs: number; worker: boolean;
    /** Notifications waiting per endpoint, and their bytes per endpoint and in all; beyond, the oldest are dropped. */
    endpointQueueMax: number; endpointQueueBytes: number; queueBytes: number;
    /** Repeated failure and drop lines: one summary per endpoint and interval, in seconds. */
    logIntervalS: number;
  };
  /** Subscription limits (docs/security.md#limits): count per principal and per tenant, shortest timeInterval and throttling in seconds. */
  subscriptionLimits: { perPrincipal: number; perTenant: number; minIntervalS: number; minThrottlingS: number };
  /** Access control (docs/security.md): policy file, bootstrap key, OpenID Connect. */
  security: {
    policyFile?: string;
    /** Operator key taken from DREHSCHEIBE_ADMIN_KEY or the file DREHSCHEIBE_ADMIN_KEY_FILE names. */
    adminKey?: string;
    oidc?: { issuer: string; audience: string; rolesClaim: string; roleMap: Record<string, string>; jwksUrl?: string; jwksCooldownMs: number };
    rateLimit: { enabled: boolean; scope: 'node' | 'cluster'; address: { rps: number; burst: number }; principal: { rps: number; burst: number } };
    audit: { enabled: boolean; flushMs: number; retentionDays: number };
  };
  /** Accounts for people (docs/accounts.md): sessions, login limits, password hashing and reset, mail, OIDC login. */
  accounts: AccountsConfig;
  /** Operations and hardening (docs/security.md). */
  ops: {
    /** Serve /metrics on this separate port (bound to HOST) instead of the main port (operator only). */
    metricsPort?: number;
    /** Honour X-Forwarded-For/-Proto from a reverse proxy. */
    trustProxy: boolean;
    /** Origins allowed by CORS; ['*'] = any; empty = no CORS headers. */
    corsOrigins: string[];
    requestTimeoutMs: number;
    headersTimeoutMs: number;
    keepAliveTimeoutMs: number;
  };
  /** Temporal API and history (docs/temporal.md): recording, response caps, retention (ISO 8601 durations; unset = forever). */
  /** Sensor ingest (docs/ingest.md): autoprovisioning, limits, write batching, MQTT options. */
  ingest: IngestConfig;
  /** The public portal and the strategy module (docs/portal.md). */
  portal: PortalConfig;
  /**
   * The open-data catalogue (docs/catalog.md): largest upload in bytes; the licence (DCAT-AP.de id) and
   * publisher (organisation id; absent = the organisation of kind "city administration", else the first)
   * of the datasets the platform lists itself (the participation processes' exports), and their
   * dcatde:contributorID IRIs (GovData's contributor list).
   */
  catalog: { maxUploadBytes: number; openDataLicence: string; openDataPublisher?: string; openDataContributors: string[] };
  temporal: { history: boolean; maxInstances: number; maxPeriods: number; retention?: string; retentionByType: Record<string, string>; retentionIntervalS: number };
}

export interface PortalConfig {
  /** Serve the HTML pages at / (off: only the APIs answer). */
  enabled: boolean;
  /** The city's tenant: its live data is shown on the pages (the demo's is "herne"). */
  tenant: string;
  /** Map tiles ({z}/{x}/{y} URL template) and their attribution; unset = a neutral background (works offline, sends no visitor to a third party). */
  tileUrl?: string;
  tileAttribution: string;
  /** Texts of the legal pages: files with paragraphs separated by blank lines ("## " starts a heading); unset = German placeholders. */
  imprintFile?: string;
  privacyFile?: string;
  accessibilityFile?: string;
  /** A video in German Sign Language, linked from the home page. */
  signVideoUrl?: string;
  /** Longest accepted text of one feedback form field (characters). */
  feedbackMaxChars: number;
  /** Most sensors per type listed on the live-data page. */
  liveMaxPerType: number;
  /** Load the Herne strategy starter content into an empty strategy store: auto = with the demo. */
  starter: 'auto' | 'on' | 'off';
  /** Seconds between two evaluations of every KPI (0 = no scheduler; docs/kpi.md). */
  kpiIntervalS: number;
  /** Time zone in which KPI periods (this day, week, month, year) begin. */
  kpiTimeZone: string;
  /** Guests' contributions per client address in guestLimitWindowS (0 = no limit; docs/participation.md). */
  guestLimit: number;
  guestLimitWindowS: number;
  /** Postal codes the postal-code verification accepts (the city's area); empty: that verification is not offered. */
  verifyPostalCodes: string[];
  /** Verification attempts per account (right or wrong) in verifyAttemptsWindowS. */
  verifyAttempts: number;
  verifyAttemptsWindowS: number;
  /** Seconds between two checks for phase changes and the daily digest of followers' mail (0 = none). */
  followIntervalS: number;
}

export interface IngestConfig {
  autoprovision: boolean;
  /** Devices one fiware-service/fiware-servicepath may hold before autoprovisioning stops (0 = no limit). */
  autoprovisionMax: number;
  /** Messages per second per device (0 = unlimited) and the token bucket's size. */
  deviceRate: number;
  deviceBurst: number;
  /** A device not heard from for this long is marked silent (seconds). */
  silentAfterS: number;
  maxPayload: number;
  queueMax: number;
  batchMax: number;
  flushMs: number;
  /** Embedded broker: allow clients without username (the apikey in the topic is the only check). */
  mqttAnonymous: boolean;
  /** Embedded broker: failed logins per minute per client address / per username before logins are refused unchecked (0 = no throttle). */
  mqttAuthFailuresPerAddress: number;
  mqttAuthFailuresPerUsername: number;
  /** Embedded broker: seconds verified credentials are honoured without a new password check. */
  mqttAuthCacheS: number;
  /** Embedded broker TLS (PEM files); unset = plain TCP. */
  mqttTlsCert?: string;
  mqttTlsKey?: string;
  /** External broker: shared-subscription group and TLS client options. */
  mqttShareGroup: string;
  mqttCa?: string;
  mqttCert?: string;
  mqttKey?: string;
  mqttRejectUnauthorized: boolean;
}

type Env = Record<string, string | undefined>;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses the configuration; collects every problem and throws them together. */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const problems: string[] = [];
  const postalCodes = (): string[] => {
    const codes = (src.DREHSCHEIBE_VERIFY_POSTAL_CODES ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    const bad = codes.filter((c) => !/^\d{5}$/.test(c));
    if (bad.length) problems.push(`DREHSCHEIBE_VERIFY_POSTAL_CODES: expected five-digit postal codes separated by commas, got "${bad.join(', ')}"`);
    return [...new Set(codes)];
  };
  let src: Env = { ...env };
  if (env.DREHSCHEIBE_CONFIG) {
    try {
      const file = JSON.parse(readFileSync(env.DREHSCHEIBE_CONFIG, 'utf8')) as Record<string, unknown>;
      const fromFile: Env = {};
      for (const [k, v] of Object.entries(file)) fromFile[k] = v == null ? undefined : String(v);
      src = { ...fromFile, ...env }; // the environment wins over the file
    } catch (e) {
      problems.push(`DREHSCHEIBE_CONFIG: cannot read ${env.DREHSCHEIBE_CONFIG}: ${(e as Error).message}`);
    }
  }
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = src[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}: expected an integer between ${min} and ${max}, got "${raw}"`);
      return def;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, def: T, allowed: readonly T[]): T => {
    const raw = (src[name] ?? '').trim().toLowerCase();
    if (raw === '') return def;
    if (!allowed.includes(raw as T)) {
      problems.push(`${name}: expected one of ${allowed.join(', ')}, got "${src[name]}"`);
      return def;
    }
    return raw as T;
  };
  const port = int('PORT', 1026, 0, 65535);
  const host = src.HOST || '127.0.0.1';
  const databaseUrl = src.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL: only postgres:// URLs are supported, got "${databaseUrl}"`);
  }
  const mqttUrl = src.MQTT_URL || undefined;
  if (mqttUrl && !/^mqtts?:\/\/|^wss?:\/\//.test(mqttUrl)) problems.push(`MQTT_URL: expected mqtt://, mqtts://, ws:// or wss://, got "${mqttUrl}"`);
  const auth = oneOf('DREHSCHEIBE_AUTH', 'on', ['on', 'off'] as const);
  if (auth === 'off' && !isLoopback(host)) {
    problems.push(`DREHSCHEIBE_AUTH=off is refused on the non-loopback HOST "${host}": it would open every tenant to the network`);
  }
  const logLevel = (src.LOG_LEVEL || 'info').toLowerCase();
  if (!LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: expected one of ${LEVELS.join(', ')}, got "${src.LOG_LEVEL}"`);
  const defaultLimit = int('DREHSCHEIBE_DEFAULT_LIMIT', 20, 1, 100000);
  const maxLimit = int('DREHSCHEIBE_MAX_LIMIT', 1000, 1, 100000);
  if (defaultLimit > maxLimit) problems.push('DREHSCHEIBE_DEFAULT_LIMIT must not exceed DREHSCHEIBE_MAX_LIMIT');
  const duration = (name: string, raw: string | undefined): string | undefined => {
    if (!raw) return undefined;
    if (!/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(raw)) problems.push(`${name}: expected an ISO 8601 duration such as P30D or P2Y, got "${raw}"`);
    return raw;
  };
  const retentionByType: Record<string, string> = {};
  for (const pair of (src.DREHSCHEIBE_TEMPORAL_RETENTION_TYPES ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const eq = pair.lastIndexOf('=');
    if (eq <= 0) { problems.push(`DREHSCHEIBE_TEMPORAL_RETENTION_TYPES: expected Type=Duration pairs separated by commas, got "${pair}"`); continue; }
    retentionByType[pair.slice(0, eq).trim()] = duration('DREHSCHEIBE_TEMPORAL_RETENTION_TYPES', pair.slice(eq + 1).trim()) ?? '';
  }
  const secret = (name: string): string | undefined => {
    if (src[`${name}_FILE`]) {
      try {
        return readFileSync(src[`${name}_FILE`]!, 'utf8').trim();
      } catch (e) {
        problems.push(`${name}_FILE: cannot read ${src[`${name}_FILE`]}: ${(e as Error).message}`);
        return undefined;
      }
    }
    return src[name] || undefined;
  };
  const adminKey = secret('DREHSCHEIBE_ADMIN_KEY');
  if (adminKey !== undefined && (adminKey.length < 24 || /\s/.test(adminKey))) problems.push('DREHSCHEIBE_ADMIN_KEY: use at least 24 characters without spaces (e.g. openssl rand -base64 32)');
  let oidc: Config['security']['oidc'];
  if (src.DREHSCHEIBE_OIDC_ISSUER) {
    const roleMap: Record<string, string> = {};
    for (const pair of (src.DREHSCHEIBE_OIDC_ROLE_MAP ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
      const eq = pair.lastIndexOf('=');
      const role = pair.slice(eq + 1).trim();
      if (eq <= 0 || !/^(operator|steward|moderator|citizen)(@[A-Za-z0-9_-]{0,64})?$/.test(role)) {
        problems.push(`DREHSCHEIBE_OIDC_ROLE_MAP: expected issuerRole=role[@tenant] pairs (roles operator, steward, moderator, citizen), got "${pair}"`);
        continue;
      }
      roleMap[pair.slice(0, eq).trim()] = role;
    }
    if (!/^https?:\/\//.test(src.DREHSCHEIBE_OIDC_ISSUER)) problems.push(`DREHSCHEIBE_OIDC_ISSUER: expected an http(s) URL, got "${src.DREHSCHEIBE_OIDC_ISSUER}"`);
    if (!src.DREHSCHEIBE_OIDC_AUDIENCE) problems.push('DREHSCHEIBE_OIDC_AUDIENCE: required with DREHSCHEIBE_OIDC_ISSUER (the client id tokens are issued for)');
    oidc = {
      issuer: src.DREHSCHEIBE_OIDC_ISSUER,
      audience: src.DREHSCHEIBE_OIDC_AUDIENCE ?? '',
      rolesClaim: src.DREHSCHEIBE_OIDC_ROLES_CLAIM || 'realm_access.roles',
      roleMap,
      jwksUrl: src.DREHSCHEIBE_OIDC_JWKS_URL || undefined,
      jwksCooldownMs: int('DREHSCHEIBE_OIDC_JWKS_COOLDOWN_MS', 30_000, 0, 3_600_000),
    };
  }
  const metricsPort = src.METRICS_PORT ? int('METRICS_PORT', 0, 0, 65535) : undefined;
  const cfg: Config = {
    port,
    host,
    dataDir: resolve(src.DREHSCHEIBE_DATA_DIR || './data'),
    databaseUrl,
    postgres: {
      schema: src.DREHSCHEIBE_PG_SCHEMA || 'public',
      poolSize: int('DREHSCHEIBE_PG_POOL', 10, 1, 1000),
      statementTimeoutMs: int('DREHSCHEIBE_PG_STATEMENT_TIMEOUT_MS', 30000, 0, 3600000),
      txAttempts: int('DREHSCHEIBE_PG_TX_ATTEMPTS', 8, 1, 100),
    },
    cluster: {
      heartbeatMs: int('DREHSCHEIBE_CLUSTER_HEARTBEAT_MS', 2000, 50, 60000),
      leaseMs: int('DREHSCHEIBE_CLUSTER_LEASE_MS', 6000, 150, 300000),
    },
    mqttUrl,
    mqttPort: int('MQTT_PORT', 1883, 0, 65535),
    mqttPortSet: (src.MQTT_PORT ?? '') !== '',
    demo: oneOf('DREHSCHEIBE_DEMO', 'auto', ['auto', 'on', 'off'] as const),
    demoIntervalS: int('DREHSCHEIBE_DEMO_INTERVAL', 5, 1, 3600),
    auth,
    contextMapFile: src.DREHSCHEIBE_CONTEXT_MAP || undefined,
    logLevel,
    bodyLimit: int('DREHSCHEIBE_BODY_LIMIT', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxQueryLength: int('DREHSCHEIBE_MAX_QUERY_LENGTH', 8192, 256, 1024 * 1024),
    maxRegexLength: int('DREHSCHEIBE_MAX_REGEX_LENGTH', 512, 1, 8192),
    maxGeometryVertices: int('DREHSCHEIBE_MAX_GEOMETRY_VERTICES', 10_000, 4, 1_000_000),
    geoBudgetMs: int('DREHSCHEIBE_GEO_BUDGET_MS', 500, 1, 600_000),
    maxJsonDepth: int('DREHSCHEIBE_MAX_JSON_DEPTH', 32, 8, 512),
    defaultLimit,
    maxLimit,
    contextFetchTimeoutMs: int('DREHSCHEIBE_CONTEXT_TIMEOUT_MS', 5000, 50, 120000),
    contextMaxBytes: int('DREHSCHEIBE_CONTEXT_MAX_BYTES', 512 * 1024, 1024, 64 * 1024 * 1024),
    contextCache: {
      maxEntries: int('DREHSCHEIBE_CONTEXT_CACHE_ENTRIES', 1000, 1, 1_000_000),
      maxBytes: int('DREHSCHEIBE_CONTEXT_CACHE_MB', 64, 1, 1024 * 1024) * 1024 * 1024,
    },
    contextMemoryBytes: int('DREHSCHEIBE_CONTEXT_MEMORY_MB', 64, 1, 1024 * 1024) * 1024 * 1024,
    contextRemote: oneOf('DREHSCHEIBE_CONTEXT_REMOTE', 'on', ['on', 'off'] as const) === 'on',
    contextAllowPrivate: oneOf('DREHSCHEIBE_CONTEXT_PRIVATE', isLoopback(host) ? 'allow' : 'deny', ['allow', 'deny'] as const) === 'allow',
    indexedAttributes: (src.DREHSCHEIBE_INDEXED_ATTRIBUTES ?? '').split(',').map((x) => x.trim()).filter(Boolean),
    renderCacheMb: int('DREHSCHEIBE_RENDER_CACHE_MB', 32, 0, 4096),
    sqliteCacheMb: int('DREHSCHEIBE_SQLITE_CACHE_MB', 8, 1, 65_536),
    expirySweepIntervalS: int('DREHSCHEIBE_EXPIRY_SWEEP_INTERVAL', 60, 0, 86_400),
    publicUrl: (src.DREHSCHEIBE_PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, ''),
    notify: {
      // SSRF guard: private endpoints are refused by default when serving the network (HOST not loopback).
      allowPrivate: oneOf('DREHSCHEIBE_NOTIFY_PRIVATE', isLoopback(host) ? 'allow' : 'deny', ['allow', 'deny'] as const) === 'allow',
      queueMax: int('DREHSCHEIBE_NOTIFY_QUEUE', 10000, 1, 10_000_000),
      concurrency: int('DREHSCHEIBE_NOTIFY_CONCURRENCY', 16, 1, 1024),
      timeoutMs: int('DREHSCHEIBE_NOTIFY_TIMEOUT_MS', 10000, 10, 600000),
      retries: int('DREHSCHEIBE_NOTIFY_RETRIES', 3, 0, 100),
      backoffMs: int('DREHSCHEIBE_NOTIFY_BACKOFF_MS', 500, 1, 3600000),
      backoffMaxMs: int('DREHSCHEIBE_NOTIFY_BACKOFF_MAX_MS', 60000, 1, 86400000),
      // Not part of NGSI-LD (clause 5.8.1 sends none): opt-in.
      initial: oneOf('DREHSCHEIBE_NOTIFY_INITIAL', 'off', ['on', 'off'] as const) === 'on',
      maxEntities: int('DREHSCHEIBE_NOTIFY_MAX_ENTITIES', 1000, 1, 100000),
      tickMs: int('DREHSCHEIBE_NOTIFY_TICK_MS', 250, 10, 60000),
      worker: oneOf('DREHSCHEIBE_NOTIFY_WORKER', 'on', ['on', 'off'] as const) === 'on',
      endpointQueueMax: int('DREHSCHEIBE_NOTIFY_ENDPOINT_QUEUE', 1000, 1, 10_000_000),
      endpointQueueBytes: int('DREHSCHEIBE_NOTIFY_ENDPOINT_QUEUE_MB', 8, 1, 65536) * 1024 * 1024,
      queueBytes: int('DREHSCHEIBE_NOTIFY_QUEUE_MB', 64, 1, 65536) * 1024 * 1024,
      logIntervalS: int('DREHSCHEIBE_NOTIFY_LOG_INTERVAL_S', 60, 1, 86400),
    },
    subscriptionLimits: {
      perPrincipal: int('DREHSCHEIBE_SUBSCRIPTIONS_PER_PRINCIPAL', 1000, 1, 10_000_000),
      perTenant: int('DREHSCHEIBE_SUBSCRIPTIONS_PER_TENANT', 10_000, 1, 10_000_000),
      minIntervalS: int('DREHSCHEIBE_SUBSCRIPTION_MIN_INTERVAL_S', 1, 0, 86400),
      minThrottlingS: int('DREHSCHEIBE_SUBSCRIPTION_MIN_THROTTLING_S', 1, 0, 86400),
    },
    ingest: {
      autoprovision: oneOf('DREHSCHEIBE_INGEST_AUTOPROVISION', 'on', ['on', 'off'] as const) === 'on',
      autoprovisionMax: int('DREHSCHEIBE_INGEST_AUTOPROVISION_MAX', 10_000, 0, 100_000_000),
      deviceRate: int('DREHSCHEIBE_INGEST_DEVICE_RATE', 10, 0, 1_000_000),
      deviceBurst: int('DREHSCHEIBE_INGEST_DEVICE_BURST', 20, 1, 1_000_000),
      silentAfterS: int('DREHSCHEIBE_INGEST_SILENT_AFTER', 3600, 1, 365 * 86400),
      maxPayload: int('DREHSCHEIBE_INGEST_MAX_PAYLOAD', 64 * 1024, 64, 16 * 1024 * 1024),
      queueMax: int('DREHSCHEIBE_INGEST_QUEUE', 100_000, 1, 10_000_000),
      batchMax: int('DREHSCHEIBE_INGEST_BATCH', 1000, 1, 100_000),
      flushMs: int('DREHSCHEIBE_INGEST_FLUSH_MS', 5, 0, 10_000),
      mqttAnonymous: oneOf('DREHSCHEIBE_MQTT_ANONYMOUS', 'off', ['on', 'off'] as const) === 'on',
      mqttAuthFailuresPerAddress: int('DREHSCHEIBE_MQTT_AUTH_FAILURES_ADDRESS', 10, 0, 1_000_000),
      mqttAuthFailuresPerUsername: int('DREHSCHEIBE_MQTT_AUTH_FAILURES_USERNAME', 30, 0, 1_000_000),
      mqttAuthCacheS: int('DREHSCHEIBE_MQTT_AUTH_CACHE_S', 300, 0, 86_400),
      mqttTlsCert: src.DREHSCHEIBE_MQTT_TLS_CERT || undefined,
      mqttTlsKey: src.DREHSCHEIBE_MQTT_TLS_KEY || undefined,
      mqttShareGroup: src.DREHSCHEIBE_MQTT_SHARE_GROUP || 'drehscheibe',
      mqttCa: src.DREHSCHEIBE_MQTT_CA || undefined,
      mqttCert: src.DREHSCHEIBE_MQTT_CERT || undefined,
      mqttKey: src.DREHSCHEIBE_MQTT_KEY || undefined,
      mqttRejectUnauthorized: oneOf('DREHSCHEIBE_MQTT_REJECT_UNAUTHORIZED', 'on', ['on', 'off'] as const) === 'on',
    },
    security: {
      policyFile: src.DREHSCHEIBE_POLICY_FILE || undefined,
      adminKey,
      oidc,
      rateLimit: {
        // Off by default with auth off (only allowed on loopback: local development, conformance runs).
        enabled: oneOf('DREHSCHEIBE_RATE_LIMIT', auth === 'on' ? 'on' : 'off', ['on', 'off'] as const) === 'on',
        // cluster: every node enforces rate ÷ live nodes; node: every node the whole rate.
        scope: oneOf('DREHSCHEIBE_RATE_LIMIT_SCOPE', 'cluster', ['node', 'cluster'] as const),
        address: { rps: int('DREHSCHEIBE_RATE_ADDRESS_RPS', 50, 1, 1_000_000), burst: int('DREHSCHEIBE_RATE_ADDRESS_BURST', 200, 1, 10_000_000) },
        principal: { rps: int('DREHSCHEIBE_RATE_PRINCIPAL_RPS', 1000, 1, 1_000_000), burst: int('DREHSCHEIBE_RATE_PRINCIPAL_BURST', 5000, 1, 10_000_000) },
      },
      audit: {
        enabled: oneOf('DREHSCHEIBE_AUDIT', 'on', ['on', 'off'] as const) === 'on',
        flushMs: int('DREHSCHEIBE_AUDIT_FLUSH_MS', 1000, 10, 60_000),
        retentionDays: int('DREHSCHEIBE_AUDIT_RETENTION_DAYS', 365, 1, 36500),
      },
    },
    accounts: parseAccountsConfig({ src, problems, int, oneOf, secret }, oidc?.audience),
    ops: {
      metricsPort,
      trustProxy: oneOf('TRUST_PROXY', 'off', ['on', 'off'] as const) === 'on',
      corsOrigins: (src.DREHSCHEIBE_CORS_ORIGINS ?? '').split(',').map((x) => x.trim().replace(/\/+$/, '')).filter(Boolean),
      requestTimeoutMs: int('DREHSCHEIBE_REQUEST_TIMEOUT_MS', 30_000, 0, 3_600_000),
      headersTimeoutMs: int('DREHSCHEIBE_HEADERS_TIMEOUT_MS', 10_000, 0, 600_000),
      keepAliveTimeoutMs: int('DREHSCHEIBE_KEEPALIVE_TIMEOUT_MS', 5_000, 1, 600_000),
    },
    portal: {
      enabled: oneOf('DREHSCHEIBE_PORTAL', 'on', ['on', 'off'] as const) === 'on',
      tenant: src.DREHSCHEIBE_PORTAL_TENANT ?? 'herne',
      tileUrl: src.DREHSCHEIBE_PORTAL_TILE_URL || undefined,
      tileAttribution: src.DREHSCHEIBE_PORTAL_TILE_ATTRIBUTION || '',
      imprintFile: src.DREHSCHEIBE_PORTAL_IMPRINT_FILE || undefined,
      privacyFile: src.DREHSCHEIBE_PORTAL_PRIVACY_FILE || undefined,
      accessibilityFile: src.DREHSCHEIBE_PORTAL_ACCESSIBILITY_FILE || undefined,
      signVideoUrl: src.DREHSCHEIBE_PORTAL_SIGN_VIDEO_URL || undefined,
      feedbackMaxChars: int('DREHSCHEIBE_PORTAL_FEEDBACK_MAX_CHARS', 5000, 100, 100_000),
      liveMaxPerType: int('DREHSCHEIBE_PORTAL_LIVE_MAX_PER_TYPE', 200, 1, 10_000),
      starter: oneOf('DREHSCHEIBE_STRATEGY_STARTER', 'auto', ['auto', 'on', 'off'] as const),
      kpiIntervalS: int('DREHSCHEIBE_KPI_INTERVAL', 300, 0, 86_400),
      kpiTimeZone: src.DREHSCHEIBE_KPI_TIME_ZONE || 'Europe/Berlin',
      guestLimit: int('DREHSCHEIBE_GUEST_LIMIT', 10, 0, 100_000),
      guestLimitWindowS: int('DREHSCHEIBE_GUEST_LIMIT_WINDOW', 3600, 1, 7 * 86_400),
      followIntervalS: int('DREHSCHEIBE_FOLLOW_INTERVAL', 60, 0, 86_400),
      verifyPostalCodes: postalCodes(),
      verifyAttempts: int('DREHSCHEIBE_VERIFY_ATTEMPTS', 10, 1, 10_000),
      verifyAttemptsWindowS: int('DREHSCHEIBE_VERIFY_ATTEMPTS_WINDOW', 3600, 1, 7 * 86_400),
    },
    catalog: {
      maxUploadBytes: int('DREHSCHEIBE_CATALOG_MAX_UPLOAD', 50 * 1024 * 1024, 1, 2 * 1024 * 1024 * 1024),
      openDataLicence: src.DREHSCHEIBE_OPEN_DATA_LICENCE || 'dl-by-de/2.0',
      ...(src.DREHSCHEIBE_OPEN_DATA_PUBLISHER ? { openDataPublisher: src.DREHSCHEIBE_OPEN_DATA_PUBLISHER } : {}),
      openDataContributors: (src.DREHSCHEIBE_OPEN_DATA_CONTRIBUTORS ?? '').split(',').map((x) => x.trim()).filter(Boolean),
    },
    temporal: {
      history: oneOf('DREHSCHEIBE_TEMPORAL', 'on', ['on', 'off'] as const) === 'on',
      maxInstances: int('DREHSCHEIBE_TEMPORAL_MAX_INSTANCES', 10000, 1, 10_000_000),
      maxPeriods: int('DREHSCHEIBE_TEMPORAL_MAX_PERIODS', 10000, 1, 10_000_000),
      retention: duration('DREHSCHEIBE_TEMPORAL_RETENTION', src.DREHSCHEIBE_TEMPORAL_RETENTION),
      retentionByType,
      retentionIntervalS: int('DREHSCHEIBE_TEMPORAL_RETENTION_INTERVAL', 3600, 1, 30 * 86400),
    },
  };
  for (const c of cfg.catalog.openDataContributors) if (!/^https?:\/\/\S+$/.test(c)) problems.push(`DREHSCHEIBE_OPEN_DATA_CONTRIBUTORS: expected comma-separated IRIs such as http://dcat-ap.de/def/contributors/openNRW, got "${c}"`);
  if (!findLicence(cfg.catalog.openDataLicence)) problems.push(`DREHSCHEIBE_OPEN_DATA_LICENCE: expected a licence id of the DCAT-AP.de vocabulary such as dl-by-de/2.0 or dl-zero-de/2.0, got "${cfg.catalog.openDataLicence}"`);
  if (!!cfg.ingest.mqttTlsCert !== !!cfg.ingest.mqttTlsKey) problems.push('DREHSCHEIBE_MQTT_TLS_CERT and DREHSCHEIBE_MQTT_TLS_KEY must be set together');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cfg.ingest.mqttShareGroup)) problems.push(`DREHSCHEIBE_MQTT_SHARE_GROUP: use 1-64 letters, digits, _ or -, got "${cfg.ingest.mqttShareGroup}"`);
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(cfg.postgres.schema)) problems.push(`DREHSCHEIBE_PG_SCHEMA: expected a plain identifier (letters, digits, _), got "${cfg.postgres.schema}"`);
  if (cfg.contextCache.maxBytes < cfg.contextMaxBytes) problems.push(`DREHSCHEIBE_CONTEXT_CACHE_MB: must hold at least one document of DREHSCHEIBE_CONTEXT_MAX_BYTES (${cfg.contextMaxBytes} bytes)`);
  if (cfg.ops.metricsPort !== undefined && cfg.ops.metricsPort === port && port !== 0) problems.push('METRICS_PORT must differ from PORT');
  for (const o of cfg.ops.corsOrigins) if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o)) problems.push(`DREHSCHEIBE_CORS_ORIGINS: expected origins like https://portal.example.org or *, got "${o}"`);
  if (cfg.cluster.leaseMs < 2 * cfg.cluster.heartbeatMs) problems.push(`DREHSCHEIBE_CLUSTER_LEASE_MS: must be at least twice DREHSCHEIBE_CLUSTER_HEARTBEAT_MS (${cfg.cluster.heartbeatMs}), got ${cfg.cluster.leaseMs}`);
  if (!/^[A-Za-z0-9_-]{0,64}$/.test(cfg.portal.tenant)) problems.push(`DREHSCHEIBE_PORTAL_TENANT: expected a tenant name (letters, digits, _ or -; empty = default tenant), got "${cfg.portal.tenant}"`);
  try { new Intl.DateTimeFormat('en', { timeZone: cfg.portal.kpiTimeZone }); } catch { problems.push(`DREHSCHEIBE_KPI_TIME_ZONE: expected an IANA time zone such as Europe/Berlin, got "${cfg.portal.kpiTimeZone}"`); }
  if (cfg.portal.tileUrl && !/^https?:\/\/[^\s"'<>]+\{z\}[^\s"'<>]*$/.test(cfg.portal.tileUrl)) problems.push(`DREHSCHEIBE_PORTAL_TILE_URL: expected an http(s) URL template with {z}, {x} and {y}, got "${cfg.portal.tileUrl}"`);
  if (cfg.portal.tileUrl && !cfg.portal.tileAttribution) problems.push('DREHSCHEIBE_PORTAL_TILE_ATTRIBUTION: required with DREHSCHEIBE_PORTAL_TILE_URL (e.g. "© OpenStreetMap contributors")');
  if (cfg.portal.signVideoUrl && !/^(https?:\/\/|\/)[^\s"'<>]*$/.test(cfg.portal.signVideoUrl)) problems.push(`DREHSCHEIBE_PORTAL_SIGN_VIDEO_URL: expected an http(s) URL or a path, got "${cfg.portal.signVideoUrl}"`);
  for (const a of cfg.indexedAttributes) {
    if (/["'\\\s]/.test(a)) problems.push(`DREHSCHEIBE_INDEXED_ATTRIBUTES: invalid attribute name "${a}"`);
  }
  if (problems.length) {
    const err = new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    err.name = 'ConfigError';
    throw err;
  }
  return Object.freeze(cfg);
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
