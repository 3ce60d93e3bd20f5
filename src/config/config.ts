// The one configuration schema: parsed and validated once at start-up from the environment
// (and an optional JSON config file with the same keys), then passed down frozen.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

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
  demo: 'auto' | 'on' | 'off';
  auth: 'on' | 'off';
  contextMapFile?: string;
  logLevel: string;
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  /** Longest accepted URL (path + query) in characters. */
  maxQueryLength: number;
  /** Default and maximum page size of entity queries (clause 5.5.9). */
  defaultLimit: number;
  maxLimit: number;
  contextFetchTimeoutMs: number;
  contextMaxBytes: number;
  /** Allow fetching @context documents over the network (off = preloaded only). */
  contextRemote: boolean;
  /** Attributes with value indexes for fast q equality (names as in the core context, or IRIs). */
  indexedAttributes: string[];
  /** Memory for cached rendered entities (MB); 0 switches the cache off. */
  renderCacheMb: number;
  /** Base URL this instance is reached at, used for hosted @context URLs. */
  publicUrl: string;
  /** Subscriptions' notifications (docs/subscriptions.md): SSRF guard, queue bound, timeouts, retries, initial notification. */
  notify: { allowPrivate: boolean; queueMax: number; concurrency: number; timeoutMs: number; retries: number; backoffMs: number; backoffMaxMs: number; initial: boolean; maxEntities: number; tickMs: number; worker: boolean };
  /** Temporal API and history (docs/temporal.md): recording, response caps, retention (ISO 8601 durations; unset = forever). */
  temporal: { history: boolean; maxInstances: number; maxPeriods: number; retention?: string; retentionByType: Record<string, string>; retentionIntervalS: number };
}

type Env = Record<string, string | undefined>;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses the configuration; collects every problem and throws them together. */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const problems: string[] = [];
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
    demo: oneOf('DREHSCHEIBE_DEMO', 'auto', ['auto', 'on', 'off'] as const),
    auth,
    contextMapFile: src.DREHSCHEIBE_CONTEXT_MAP || undefined,
    logLevel,
    bodyLimit: int('DREHSCHEIBE_BODY_LIMIT', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxQueryLength: int('DREHSCHEIBE_MAX_QUERY_LENGTH', 8192, 256, 1024 * 1024),
    defaultLimit,
    maxLimit,
    contextFetchTimeoutMs: int('DREHSCHEIBE_CONTEXT_TIMEOUT_MS', 5000, 50, 120000),
    contextMaxBytes: int('DREHSCHEIBE_CONTEXT_MAX_BYTES', 512 * 1024, 1024, 64 * 1024 * 1024),
    contextRemote: oneOf('DREHSCHEIBE_CONTEXT_REMOTE', 'on', ['on', 'off'] as const) === 'on',
    indexedAttributes: (src.DREHSCHEIBE_INDEXED_ATTRIBUTES ?? '').split(',').map((x) => x.trim()).filter(Boolean),
    renderCacheMb: int('DREHSCHEIBE_RENDER_CACHE_MB', 32, 0, 4096),
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
      initial: oneOf('DREHSCHEIBE_NOTIFY_INITIAL', 'on', ['on', 'off'] as const) === 'on',
      maxEntities: int('DREHSCHEIBE_NOTIFY_MAX_ENTITIES', 1000, 1, 100000),
      tickMs: int('DREHSCHEIBE_NOTIFY_TICK_MS', 250, 10, 60000),
      worker: oneOf('DREHSCHEIBE_NOTIFY_WORKER', 'on', ['on', 'off'] as const) === 'on',
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
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(cfg.postgres.schema)) problems.push(`DREHSCHEIBE_PG_SCHEMA: expected a plain identifier (letters, digits, _), got "${cfg.postgres.schema}"`);
  if (cfg.cluster.leaseMs < 2 * cfg.cluster.heartbeatMs) problems.push(`DREHSCHEIBE_CLUSTER_LEASE_MS: must be at least twice DREHSCHEIBE_CLUSTER_HEARTBEAT_MS (${cfg.cluster.heartbeatMs}), got ${cfg.cluster.leaseMs}`);
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
