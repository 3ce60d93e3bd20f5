// Start-up: config → logger → storage → app → listen; graceful shutdown on signals.
import pino from 'pino';
import { buildApp } from './app.ts';
import { loadConfig } from './config/config.ts';
import { SqliteStorage } from './storage/sqlite/sqlite.adapter.ts';
import type { StoragePort } from './storage/port.ts';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

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
  // A new data directory gets the demo (DREHSCHEIBE_DEMO=auto); a marker keeps it on across restarts.
  const fresh = !config.databaseUrl && !existsSync(join(config.dataDir, 'drehscheibe.sqlite'));
  const demoMarker = join(config.dataDir, 'demo-simulator');
  let storage: StoragePort;
  if (config.databaseUrl) {
    logger.fatal('DATABASE_URL is set, but the PostgreSQL engine is not part of this build yet; unset it to use the embedded SQLite engine');
    process.exit(2);
  } else {
    storage = SqliteStorage.inDataDir(config.dataDir);
  }
  const app = await buildApp(config, { storage, logger });
  await app.listen({ port: config.port, host: config.host });
  logger.info({ port: config.port, host: config.host, dataDir: config.dataDir, engine: storage.engine }, 'Drehscheibe is listening');
  try {
    await app.drehscheibe.ingest.startMqtt();
  } catch (e) {
    logger.fatal({ err: (e as Error).message, mqttUrl: config.mqttUrl ? 'set' : undefined, mqttPort: config.mqttPort }, 'MQTT ingest could not start (MQTT_PORT=0 switches the embedded broker off)');
    await app.close();
    await storage.close();
    process.exit(2);
  }
  app.drehscheibe.ingest.watchSilence();
  if (config.demo === 'on' || (config.demo === 'auto' && (fresh || existsSync(demoMarker)))) {
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
    await app.close();
    await storage.close();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
