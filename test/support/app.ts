// Builds a real app on a fresh SQLite file in a temporary directory, for inject()-based tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import type { Clock } from '../../src/core/clock.ts';

export interface TestApp {
  app: App;
  dir: string;
  storage: SqliteStorage;
  close(): Promise<void>;
}

export async function testApp(env: Record<string, string> = {}, opts: { clock?: Clock; fetchImpl?: typeof fetch } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'drehscheibe-test-'));
  const config = loadConfig({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_RATE_LIMIT: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off', ...env });
  const storage = SqliteStorage.inDataDir(dir);
  const app = await buildApp(config, { storage, clock: opts.clock, fetchImpl: opts.fetchImpl });
  return {
    app, dir, storage,
    async close() {
      await app.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const CORE = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
export const DEFAULT_CTX = 'https://uri.etsi.org/ngsi-ld/default-context/';
export const JSON_HEADERS = { 'content-type': 'application/json' };
export const LD_HEADERS = { 'content-type': 'application/ld+json' };
