// Start-up: config → logger → storage → app → listen; graceful shutdown on signals. With a command
// (export, import, backup) it moves data instead of serving: `npm run drehscheibe -- export --out=f`.
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { join } from 'node:path';
import { buildApp } from './app.ts';
import { loadConfig } from './config/config.ts';
import { SqliteStorage } from './storage/sqlite/sqlite.adapter.ts';
import { PostgresStorage } from './storage/postgres/postgres.adapter.ts';
import type { StoragePort } from './storage/port.ts';
import { existsSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { runCommand, COMMANDS } from './storage/transfer/transfer.cli.ts';
import { systemClock } from './core/clock.ts';
import { loadStarter, loadStarterKpis } from './strategy/index.ts';
import { CatalogService, catalogTransfer, loadCatalogStarter } from './catalog/index.ts';
import { SqliteCatalogStore } from './catalog/sqlite/catalog.sqlite.ts';
import { PostgresCatalogStore } from './catalog/postgres/catalog.postgres.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const logger = pino({
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'apikey', '*.apikey'],
  });
  if (config.auth === 'off') logger.warn('DREHSCHEIBE_AUTH=off: access control is switched off; use this only for local development and conformance runs');
  const command = process.argv[2];
  if (command && !command.startsWith('-')) {
    if (!COMMANDS.includes(command)) {
      console.error(`unknown command "${command}"; known: ${COMMANDS.join(', ')} (no command: serve)`);
      process.exit(2);
    }
    if (command === 'backup' && !config.databaseUrl) {
      // SQLite's online backup API: a consistent copy while the server keeps running.
      const dest = process.argv[3];
      if (!dest) { console.error('usage: drehscheibe backup <file>'); process.exit(2); }
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(join(config.dataDir, 'drehscheibe.sqlite'), { readonly: true, fileMustExist: true });
      try {
        await db.backup(dest);
      } finally {
        db.close();
      }
      console.error(`backup of ${join(config.dataDir, 'drehscheibe.sqlite')} written to ${dest}`);
      process.exit(0);
    }
    if (command === 'backup') {
      console.error('With PostgreSQL, back up with pg_dump (docs/scaling.md#backup), e.g.:\n  pg_dump --format=custom --schema=' + config.postgres.schema + ' "$DATABASE_URL" > drehscheibe.dump');
      process.exit(2);
    }
    // export only reads: it may run beside the server that owns the SQLite data directory.
    const s = await openStorage(config, (m) => console.error(m), logger, { lock: command !== 'export' });
    // The catalogue's own store travels in the same stream (docs/catalog.md).
    const catalogStore = config.databaseUrl ? await PostgresCatalogStore.open({ url: config.databaseUrl, schema: config.postgres.schema }) : SqliteCatalogStore.inDataDir(config.dataDir);
    const catalog = new CatalogService({ store: catalogStore, clock: systemClock, organisations: async () => [], baseUrl: config.publicUrl });
    try {
      process.exitCode = await runCommand(command, process.argv.slice(3), s, [catalogTransfer(catalog)]);
    } finally {
      await s.close();
      await catalogStore.close();
    }
    return;
  }
  // A new data directory gets the demo (DREHSCHEIBE_DEMO=auto); a marker keeps it on across restarts.
  const fresh = !config.databaseUrl && !existsSync(join(config.dataDir, 'drehscheibe.sqlite'));
  const demoMarker = join(config.dataDir, 'demo-simulator');
  const storage = await openStorage(config, (m) => logger.fatal(m), logger);
  let app;
  try {
    app = await buildApp(config, { storage, logger });
  } catch (e) {
    logger.fatal({ err: e }, (e as Error).message);
    process.exit(2);
  }
  // The embedded broker lives in one process: devices connected to it would reach one node only.
  let others = (storage.cluster?.liveNodes().length ?? 1) - 1;
  if (others > 0 && !config.mqttUrl && config.mqttPort !== 0) {
    // A lease may be stale: a node that died without ending it (its own previous process is recognised
    // and its lease ended at start-up; one from another host or data directory is not). Wait one lease
    // and a heartbeat for such a lease to run out before refusing.
    logger.warn({ otherNodes: others, waitMs: config.cluster.leaseMs + config.cluster.heartbeatMs }, 'another node holds a lease on this database; waiting for it to run out in case that node is gone');
    await new Promise((r) => setTimeout(r, config.cluster.leaseMs + config.cluster.heartbeatMs));
    others = (storage.cluster?.liveNodes().length ?? 1) - 1;
  }
  if (others > 0 && !config.mqttUrl && config.mqttPort !== 0) {
    logger.fatal({ otherNodes: others }, 'several nodes share this database: the embedded MQTT broker cannot serve them; set MQTT_URL to an external broker (Mosquitto, EMQX: the nodes split the stream by shared subscription) or MQTT_PORT=0');
    await app.close();
    await storage.close();
    process.exit(2);
  }
  await app.listen({ port: config.port, host: config.host });
  logger.info({ port: config.port, host: config.host, dataDir: config.dataDir, engine: storage.engine, auth: config.auth, ...(config.databaseUrl ? { schema: config.postgres.schema } : {}) }, 'Drehscheibe is listening');
  // Prometheus metrics on their own port (bound to HOST), so the main port need not expose them.
  let metricsServer: Server | undefined;
  if (config.ops.metricsPort !== undefined) {
    const metrics = app.drehscheibe.metrics;
    metricsServer = createServer((req, res) => {
      if (req.url !== '/metrics') { res.statusCode = 404; res.end(); return; }
      void metrics.text().then((m) => { res.setHeader('content-type', m.contentType); res.end(m.body); }, () => { res.statusCode = 500; res.end(); });
    });
    await new Promise<void>((r) => metricsServer!.listen(config.ops.metricsPort, config.host, r));
    logger.info({ port: (metricsServer.address() as { port: number }).port, host: config.host }, 'metrics are served on their own port');
  }
  try {
    await startMqtt(app, config, logger);
  } catch (e) {
    logger.fatal({ err: (e as Error).message, mqttUrl: config.mqttUrl ? 'set' : undefined, mqttPort: config.mqttPort }, 'MQTT ingest could not start (MQTT_PORT=0 switches the embedded broker off)');
    await app.close();
    await storage.close();
    process.exit(2);
  }
  app.drehscheibe.ingest.watchSilence();
  const demoOn = config.demo === 'on' || (config.demo === 'auto' && (fresh || existsSync(demoMarker)));
  // The strategy's starter content (Herne) comes with the demo, into a strategy store without projects.
  if (config.portal.starter === 'on' || (config.portal.starter === 'auto' && demoOn)) {
    try {
      if (await loadStarter(app.drehscheibe.strategy)) logger.info('strategy: starter content (Herne) loaded (DREHSCHEIBE_STRATEGY_STARTER=off to skip)');
      const live = await loadCatalogStarter(app.drehscheibe.catalog, await app.drehscheibe.strategy.projects());
      if (live) logger.info({ datasets: live }, 'catalog: live datasets of the simulated Herne sensors published');
      if (await loadStarterKpis(app.drehscheibe.kpis.service)) logger.info('strategy: demo KPIs (Herne) defined; evaluated every DREHSCHEIBE_KPI_INTERVAL seconds');
      if (await app.participation?.loadStarter()) logger.info('participation: a sample process loaded');
    } catch (e) {
      logger.warn({ err: (e as Error).message }, 'strategy starter content not loaded');
    }
  }
  if (demoOn) {
    try {
      await app.drehscheibe.ingest.startDemo({ password: randomBytes(12).toString('base64url'), intervalMs: config.demoIntervalS * 1000 });
      if (config.demo === 'auto' && fresh) writeFileSync(demoMarker, 'The demo simulator (simulated sensor data) runs in this data directory because it started empty with DREHSCHEIBE_DEMO=auto.\nDelete this file, or set DREHSCHEIBE_DEMO=off, to stop it.\n');
      logger.info({ service: 'herne', servicePath: '/simulated' }, 'demo: simulated Herne sensors publish over MQTT (DREHSCHEIBE_DEMO=off to switch off)');
    } catch (e) {
      logger.warn({ err: (e as Error).message }, 'demo simulator not started');
    }
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    // Fastify stops accepting, lets in-flight requests finish; onClose hooks flush the audit log
    // and stop subscriptions; then the storage closes after its last transaction.
    metricsServer?.close();
    await app.close();
    await storage.close();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/**
 * The embedded broker on MQTT_PORT. When MQTT_PORT was not set and its default (1883) is taken,
 * e.g. by a Mosquitto on the same machine, `npm start` still comes up: the broker takes a free port
 * and says which, loudly. An explicitly configured port that is taken stops the start.
 */
async function startMqtt(app: Awaited<ReturnType<typeof buildApp>>, config: ReturnType<typeof loadConfig>, logger: pino.Logger): Promise<void> {
  try {
    await app.drehscheibe.ingest.startMqtt();
  } catch (e) {
    if ((e as { code?: string }).code !== 'EADDRINUSE' || config.mqttUrl || config.mqttPortSet) throw e;
    const port = await app.drehscheibe.ingest.startMqtt({ port: 0 });
    logger.warn({ port, taken: config.mqttPort }, `MQTT port ${config.mqttPort} is in use (another broker?): the embedded MQTT broker listens on port ${port} instead; set MQTT_PORT to choose one, or MQTT_URL to use the other broker`);
  }
}

async function openStorage(config: ReturnType<typeof loadConfig>, fail: (msg: string) => void, logger: pino.Logger, sqlite: { lock?: boolean } = {}): Promise<StoragePort> {
  if (!config.databaseUrl) return SqliteStorage.inDataDir(config.dataDir, { ...sqlite, cacheMb: config.sqliteCacheMb });
  try {
    const pg = config.postgres;
    // What the storage works around by itself (partition upkeep) is still worth an operator's look.
    const log = logger.child({ module: 'storage.postgres' });
    return await PostgresStorage.open({ url: config.databaseUrl, schema: pg.schema, poolSize: pg.poolSize, statementTimeoutMs: pg.statementTimeoutMs, maxAttempts: pg.txAttempts,
      nodeIdentityFile: join(config.dataDir, `cluster-node.${pg.schema}.json`), warn: (obj, msg) => log.warn(obj, msg) });
  } catch (e) {
    fail(`cannot open the PostgreSQL database: ${(e as Error).message}`);
    process.exit(2);
  }
}

void main();
