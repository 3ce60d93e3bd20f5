// The mails that follow a contribution (followers, moderators) are kept in the database until sent
// (part_jobs, afterwards.ts): on SQLite (one data directory) and PostgreSQL (one schema), a node whose
// line is stuck has already stored the job when it answers; a node started on the same database sends
// it at start-up; the stuck node, once free, finds nothing left and sends nothing twice.
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

async function node(dir: string, env: Record<string, string>, open: (dir: string) => Promise<StoragePort>): Promise<{ app: App; close(): Promise<void> }> {
  const storage = await open(dir);
  const app = await buildApp(loadConfig({
    DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_RATE_LIMIT: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off', DREHSCHEIBE_FOLLOW_INTERVAL: '0', DREHSCHEIBE_PUBLIC_URL: 'http://drehscheibe.test', ...env,
  }), { storage, clock: fixedClock(AT.participation!) });
  return { app, async close() { await app.close(); await storage.close(); } };
}

async function scenario(dir: string, env: Record<string, string>, open: (dir: string) => Promise<StoragePort>): Promise<void> {
  const a = await node(dir, env, open);
  let b: { app: App; close(): Promise<void> } | undefined;
  let free!: () => void;
  try {
    const api = (app: App, method: string, url: string, who?: Awaited<ReturnType<typeof person>>, payload?: unknown) =>
      app.inject({ method: method as 'POST', url: `/api/participation${url}`, headers: as(who), ...(payload === undefined ? {} : { payload: payload as object }) });
    const steward = await person(a.app, 'stadt@herne.de', [{ role: 'steward' }]);
    const anna = await person(a.app, 'anna@example.org', [{ role: 'citizen' }]);
    const dora = await person(a.app, 'dora@example.org', [{ role: 'citizen' }], { displayName: 'Dora' });
    assert.equal((await api(a.app, 'POST', '/processes', steward, hourly('dauer'))).statusCode, 201);
    assert.ok([200, 201, 204].includes((await api(a.app, 'PUT', '/follows/process/dauer', dora)).statusCode));
    const mails = async () => (await a.app.drehscheibe.storage.accounts.listMail({ limit: 50, offset: 0, to: 'dora@example.org' })).map((m) => m.subject);

    // Node A's line is stuck (as if it died right after answering): the proposal is answered, its job is stored.
    a.app.participation!.afterwards.run(() => new Promise<void>((resolve) => { free = resolve; }));
    const r = await api(a.app, 'POST', '/processes/dauer/proposals', anna, { title: 'Bleibt nicht liegen', body: 'Text' });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(await a.app.participation!.store.jobCount(), 1, 'the job is in the database when the answer leaves');
    assert.deepEqual(await mails(), []);

    // Node B starts on the same database and sends what was pending.
    b = await node(dir, env, open);
    await b.app.ready();
    await b.app.participation!.afterwards.idle();
    assert.deepEqual(await mails(), ['Neuer Vorschlag in „Verfahren dauer“: Bleibt nicht liegen']);
    assert.equal(await b.app.participation!.store.jobCount(), 0, 'done jobs are removed');

    // Node A, free again, finds nothing left: the mail is not sent twice.
    free();
    await a.app.participation!.afterwards.idle();
    assert.equal((await mails()).length, 1);
  } finally {
    free?.();
    await b?.close();
    await a.close();
  }
}

test('a pending follower mail survives its node: another start on the same SQLite data directory sends it, once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-afterjobs-'));
  try {
    await scenario(dir, {}, async (d) => SqliteStorage.inDataDir(d));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pending follower mail survives its node: another start on the same PostgreSQL schema sends it, once', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  const dir = mkdtempSync(join(tmpdir(), 'ds-afterjobs-pg-'));
  try {
    await scenario(dir, { DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: schema }, () => openPgStorage(schema));
  } finally {
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  }
});
