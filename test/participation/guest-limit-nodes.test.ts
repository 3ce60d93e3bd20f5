// The guests' per-address limit (DREHSCHEIBE_GUEST_LIMIT) is counted in the database, so nodes share
// it: two app instances on one PostgreSQL schema (TEST_PG_URL), and two on one data directory (one
// SQLite file), take guest comments from one address in turn and together let exactly the limit through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import type { StoragePort } from '../../src/storage/port.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';
import { AT, as, hourly, person } from './support.ts';

const LIMIT = 4;

async function twoNodes(dataDir: (i: number) => string, env: Record<string, string>, open: (dir: string) => Promise<StoragePort>) {
  const apps: App[] = [];
  const stores: StoragePort[] = [];
  for (const i of [0, 1]) {
    const dir = dataDir(i);
    const s = await open(dir);
    stores.push(s);
    apps.push(await buildApp(loadConfig({
      DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_RATE_LIMIT: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off', DREHSCHEIBE_FOLLOW_INTERVAL: '0',
      DREHSCHEIBE_GUEST_LIMIT: String(LIMIT), DREHSCHEIBE_GUEST_LIMIT_WINDOW: '600', ...env,
    }), { storage: s, clock: fixedClock(AT.participation!) }));
  }
  return { a: apps[0]!, b: apps[1]!, async close() { for (const x of apps) await x.close(); for (const s of stores) await s.close(); } };
}

async function scenario(a: App, b: App): Promise<void> {
  const steward = await person(a, 'stadt@herne.de', [{ role: 'steward' }]);
  const citizen = await person(a, 'anna@example.org', [{ role: 'citizen' }]);
  const api = (app: App, method: string, url: string, who?: typeof steward, payload?: unknown, ip = '203.0.113.9') =>
    app.inject({ method: method as 'POST', url: `/api/participation${url}`, headers: as(who), remoteAddress: ip, ...(payload === undefined ? {} : { payload: payload as object }) });
  assert.equal((await api(a, 'POST', '/processes', steward, hourly('knoten', { guests: true } as never))).statusCode, 201);
  const proposalId = (await api(a, 'POST', '/processes/knoten/proposals', citizen, { title: 'Bänke', body: 'Am Markt' })).json().id as string;
  assert.equal((await api(b, 'GET', `/proposals/${proposalId}`)).statusCode, 200, 'the second node sees the same store');
  // Eight guest comments from one address, alternating between the nodes: the first four pass, whichever node.
  const codes: number[] = [];
  for (let i = 0; i < 2 * LIMIT; i++) {
    const r = await api(i % 2 ? b : a, 'POST', `/proposals/${proposalId}/guest-comments`, undefined, { pseudonym: `Gast ${i}`, body: `Kommentar ${i}` });
    codes.push(r.statusCode);
    if (r.statusCode === 429) assert.equal(r.headers['retry-after'], '600');
  }
  assert.deepEqual(codes, [202, 202, 202, 202, 429, 429, 429, 429], 'per node it would be 8 × 202');
  // Parallel from both nodes, another address: still exactly the limit.
  const parallel = await Promise.all(Array.from({ length: 10 }, (_, i) => api(i % 2 ? b : a, 'POST', `/proposals/${proposalId}/guest-comments`, undefined, { pseudonym: `Parallel ${i}`, body: 'Gleichzeitig' }, '198.51.100.4')));
  assert.equal(parallel.filter((r) => r.statusCode === 202).length, LIMIT);
  assert.equal(parallel.filter((r) => r.statusCode === 429).length, 10 - LIMIT);
  // Another address is not affected.
  assert.equal((await api(b, 'POST', `/proposals/${proposalId}/guest-comments`, undefined, { pseudonym: 'Andere', body: 'Von woanders' }, '192.0.2.80')).statusCode, 202);
}

test('the guest limit holds across two nodes on one PostgreSQL schema', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  const dirs: string[] = [];
  const n = await twoNodes((i) => (dirs[i] = mkdtempSync(join(tmpdir(), `ds-guest-${i}-`))), { DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: schema }, () => openPgStorage(schema));
  try {
    await scenario(n.a, n.b);
  } finally {
    await n.close();
    await dropSchema(schema);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('the guest limit holds across two app instances on one SQLite data directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-guest-db-'));
  const n = await twoNodes(() => dir, {}, async (d) => SqliteStorage.inDataDir(d));
  try {
    await scenario(n.a, n.b);
  } finally {
    await n.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
