// Builds a real app for inject()-based tests: on a fresh SQLite file in a temporary directory, or —
// with TEST_ENGINE=postgres and TEST_PG_URL — on PostgreSQL in a fresh schema (dropped on close).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import type { StoragePort } from '../../src/storage/port.ts';
import type { Clock } from '../../src/core/clock.ts';
import { dropSchema, freshSchema, openPgStorage } from './pg.ts';

/** The engine the HTTP-level suites run on: TEST_ENGINE=postgres (needs TEST_PG_URL), else sqlite. */
export const TEST_ENGINE = process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
if (TEST_ENGINE === 'postgres' && !process.env.TEST_PG_URL) throw new Error('TEST_ENGINE=postgres needs TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');

export interface TestApp {
  app: App;
  dir: string;
  storage: StoragePort;
  close(): Promise<void>;
}

export async function testApp(env: Record<string, string> = {}, opts: { clock?: Clock; fetchImpl?: typeof fetch } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'drehscheibe-test-'));
  const config = loadConfig({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_RATE_LIMIT: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off', ...env });
  const schema = freshSchema();
  const storage: StoragePort = TEST_ENGINE === 'postgres' ? await openPgStorage(schema) : SqliteStorage.inDataDir(dir);
  const app = await buildApp(config, { storage, clock: opts.clock, fetchImpl: opts.fetchImpl });
  return {
    app, dir, storage,
    async close() {
      await app.close();
      await storage.close();
      if (TEST_ENGINE === 'postgres') await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const CORE = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld';
export const DEFAULT_CTX = 'https://uri.etsi.org/ngsi-ld/default-context/';
export const JSON_HEADERS = { 'content-type': 'application/json' };
export const LD_HEADERS = { 'content-type': 'application/ld+json' };
