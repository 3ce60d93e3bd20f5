// Sessions are rows in the shared database: a session opened on one node is valid on the other, and
// a logout or revocation on one ends it on the other at its next request (no per-node cache).
// On PostgreSQL (TEST_PG_URL: two nodes on one schema, the scale-out set-up) and on one SQLite file
// opened by two app instances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import type { StoragePort } from '../../src/storage/port.ts';
import { PG_SKIP, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';
import { cookiesOf, PASSWORD } from './support.ts';

const ADMIN = 'ds_two-nodes-operator-key-0123456789';

async function twoNodes(open: () => Promise<StoragePort>): Promise<{ a: App; b: App; close(): Promise<void> }> {
  const dirs = [mkdtempSync(join(tmpdir(), 'ds-acc-a-')), mkdtempSync(join(tmpdir(), 'ds-acc-b-'))];
  const stores: StoragePort[] = [];
  const apps: App[] = [];
  for (const dir of dirs) {
    const s = await open();
    stores.push(s);
    apps.push(await buildApp(loadConfig({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_RATE_LIMIT: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off', DREHSCHEIBE_ADMIN_KEY: ADMIN }), { storage: s }));
  }
  return {
    a: apps[0], b: apps[1],
    async close() {
      for (const app of apps) await app.close();
      for (const s of stores) await s.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

async function scenario(a: App, b: App): Promise<void> {
  const created = await a.inject({ method: 'POST', url: '/admin/users', headers: { 'x-api-key': ADMIN }, payload: { email: 'knoten@herne.de', password: PASSWORD, roles: [{ role: 'operator' }] } });
  assert.equal(created.statusCode, 201, created.body);
  const login = async (app: App) => {
    const r = await app.inject({ method: 'POST', url: '/konto/anmelden', payload: { email: 'knoten@herne.de', password: PASSWORD } });
    assert.equal(r.statusCode, 200, r.body);
    return { cookie: cookiesOf(r), csrf: (r.json() as { csrf: string }).csrf };
  };
  const s1 = await login(a);
  assert.equal((await b.inject({ url: '/konto/sitzung', headers: { cookie: s1.cookie } })).statusCode, 200, 'the session opened on A is valid on B');
  assert.equal((await b.inject({ url: '/admin/users', headers: { cookie: s1.cookie } })).statusCode, 200, 'and carries its roles there');
  // The CSRF token is the session's, so a form rendered by A may be posted to B.
  const out = await b.inject({ method: 'POST', url: '/konto/abmelden', headers: { cookie: s1.cookie, 'x-csrf-token': s1.csrf, 'content-type': 'application/json' }, payload: {} });
  assert.equal(out.statusCode, 204);
  assert.equal((await a.inject({ url: '/konto/sitzung', headers: { cookie: s1.cookie } })).statusCode, 401, 'logged out on B, refused on A');
  const s2 = await login(b);
  assert.equal((await a.inject({ url: '/admin/users', headers: { cookie: s2.cookie } })).statusCode, 200);
  const id = ((await a.inject({ url: '/konto/sitzung', headers: { cookie: s2.cookie } })).json() as { user: { id: string } }).user.id;
  const rv = await a.inject({ method: 'DELETE', url: `/admin/users/${id}/sessions`, headers: { 'x-api-key': ADMIN } });
  assert.deepEqual(rv.json(), { revoked: 1 });
  assert.equal((await b.inject({ url: '/admin/users', headers: { cookie: s2.cookie } })).statusCode, 401, 'revoked on A, refused on B at once');
}

test('sessions across two app instances sharing a PostgreSQL schema: login, logout and revocation hold on both', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  const n = await twoNodes(() => openPgStorage(schema));
  try {
    await scenario(n.a, n.b);
  } finally {
    await n.close();
    await dropSchema(schema);
  }
});

test('sessions across two app instances sharing one SQLite file: login, logout and revocation hold on both', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-acc-db-'));
  const n = await twoNodes(async () => SqliteStorage.inDataDir(dir));
  try {
    await scenario(n.a, n.b);
  } finally {
    await n.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
