// Ingest log lines as an operator reads them: one `module` key per line (a child logger of a child
// with the same key would repeat it), and a rejection that says what was wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import { AQ_GROUP, svc } from './support.ts';

test('an ingest rejection is logged once at warn, with exactly one "module" key (ingest)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-ingest-log-'));
  const raw: string[] = [];
  const stream = new Writable({ write(chunk, _e, cb) { raw.push(...String(chunk).split('\n').filter(Boolean)); cb(); } });
  const storage = SqliteStorage.inDataDir(dir);
  const app = await buildApp(loadConfig({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_RATE_LIMIT: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off' }), { storage, logger: pino({ level: 'info' }, stream) });
  try {
    assert.equal((await app.inject({ method: 'POST', url: '/iot/services', headers: svc('herne', '/env'), payload: { services: [AQ_GROUP] } })).statusCode, 201);
    const r = await app.inject({ method: 'POST', url: `/iot/json?k=${AQ_GROUP.apikey}&i=aq-log-1`, headers: { 'content-type': 'application/json' }, payload: '[1, 2]' });
    assert.equal(r.statusCode, 400);
    const lines = raw.filter((l) => l.includes('measurement rejected'));
    assert.equal(lines.length, 1, raw.join('\n'));
    assert.equal(lines[0].match(/"module":/g)?.length, 1, lines[0]);
    assert.equal(JSON.parse(lines[0]).module, 'ingest');
    assert.equal(JSON.parse(lines[0]).level, 40);
  } finally {
    await app.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
