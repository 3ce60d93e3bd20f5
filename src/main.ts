// Start-up: config → logger → storage → app → listen; graceful shutdown on signals.
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { buildApp } from './app.ts';
import { loadConfig } from './config/config.ts';
import { SqliteStorage } from './storage/sqlite/sqlite.adapter.ts';
import type { StoragePort } from './storage/port.ts';

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
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
  });
  if (config.auth === 'off') logger.warn('DREHSCHEIBE_AUTH=off: access control is switched off; use this only for local development and conformance runs');
  let storage: StoragePort;
  if (config.databaseUrl) {
    logger.fatal('DATABASE_URL is set, but the PostgreSQL engine is not part of this build yet; unset it to use the embedded SQLite engine');
    process.exit(2);
  } else {
    storage = SqliteStorage.inDataDir(config.dataDir);
  }
  let app;
  try {
    app = await buildApp(config, { storage, logger });
  } catch (e) {
    logger.fatal({ err: e }, (e as Error).message);
    process.exit(2);
  }
  await app.listen({ port: config.port, host: config.host });
  logger.info({ port: config.port, host: config.host, dataDir: config.dataDir, engine: storage.engine, auth: config.auth }, 'Drehscheibe is listening');
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

void main();
