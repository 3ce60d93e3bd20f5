// Start-up: config → logger → storage → app → listen; graceful shutdown on signals.
import pino from 'pino';
import { buildApp } from './app.ts';
import { loadConfig } from './config/config.ts';
import { SqliteStorage } from './storage/sqlite/sqlite.adapter.ts';
import { PostgresStorage } from './storage/postgres/postgres.adapter.ts';
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
    try {
      const pg = config.postgres;
      storage = await PostgresStorage.open({ url: config.databaseUrl, schema: pg.schema, poolSize: pg.poolSize, statementTimeoutMs: pg.statementTimeoutMs, maxAttempts: pg.txAttempts });
    } catch (e) {
      logger.fatal({ err: e }, `cannot open the PostgreSQL database: ${(e as Error).message}`);
      process.exit(2);
    }
  } else {
    storage = SqliteStorage.inDataDir(config.dataDir);
  }
  const app = await buildApp(config, { storage, logger });
  await app.listen({ port: config.port, host: config.host });
  logger.info({ port: config.port, host: config.host, dataDir: config.dataDir, engine: storage.engine, ...(config.databaseUrl ? { schema: config.postgres.schema } : {}) }, 'Drehscheibe is listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    await app.close();
    await storage.close();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
