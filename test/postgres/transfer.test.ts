// Moving a city from the embedded engine to PostgreSQL: `drehscheibe export` on a SQLite data dir,
// `drehscheibe import` into a PostgreSQL schema (the real CLI, as child processes), and the same
// entities, history (values, times, deletion), subscriptions, device registry, API keys, access
// policy and audit log come out on the other side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { StoragePort } from '../../src/storage/port.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import { PostgresStorage } from '../../src/storage/postgres/postgres.adapter.ts';
import { JSON_HEADERS } from '../support/app.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';

const cli = (args: string[], env: Record<string, string>) => spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
  env: { ...process.env, LOG_LEVEL: 'warn', DREHSCHEIBE_DEMO: 'off', ...env }, encoding: 'utf8',
});

/** Everything a store holds, in a comparable form (engine-specific versions and instance ids left out). */
async function snapshot(s: StoragePort) {
  const out: Record<string, unknown> = {};
  for (const tenant of await s.entities.listTenants()) {
    const { entities } = await s.entities.query(tenant, {}, { limit: 1000, offset: 0, count: false });
    out[`entities:${tenant}`] = entities.map(({ rev: _r, born: _b, ...e }) => e).sort((a, b) => a.id.localeCompare(b.id));
    const { entities: hist } = await s.temporal.queryEntities(tenant, {}, { limit: 1000, offset: 0, count: false });
    for (const h of hist) {
      out[`history:${tenant}:${h.id}`] = { types: h.types, createdAt: h.createdAt, deletedAt: h.deletedAt, series: h.series.map((x) => `${x.attr}|${x.datasetId ?? ''}`) };
      for (const sr of h.series) {
        const list = await s.temporal.instances(sr, { window: { property: 'observedAt' }, limit: 1000 });
        out[`instances:${tenant}:${h.id}:${sr.attr}:${sr.datasetId ?? ''}`] = list.map((i) => ({ ...i.instance, instanceId: undefined, deleted: i.deleted, time: i.time }));
      }
    }
  }
  out.subscriptions = (await s.subscriptions.all()).map(({ tenant, sub }) => ({ tenant, ...sub }));
  out.groups = await s.ingest.allGroups();
  out.devices = (await s.ingest.allDevices()).sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  out.keys = (await s.auth.listKeys()).sort((a, b) => a.id.localeCompare(b.id));
  out.policy = await s.auth.getSetting('policy');
  out.audit = await s.auth.queryAudit({ limit: 100, offset: 0 });
  return out;
}

test('SQLite → drehscheibe export → drehscheibe import into PostgreSQL keeps entities, history, subscriptions, devices, API keys, policy and audit log', { skip: PG_SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-transfer-'));
  const schema = freshSchema();
  const file = join(dir, 'city.ndjson');
  try {
    const sqlite = SqliteStorage.inDataDir(dir);
    const app = await buildApp(loadConfig({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off', LOG_LEVEL: 'silent', DREHSCHEIBE_NOTIFY_INITIAL: 'off' }), { storage: sqlite });
    const inject = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = JSON_HEADERS) =>
      app.inject({ method, url: `/ngsi-ld/v1${url}`, headers, payload: payload as object });
    const sub = await inject('POST', '/subscriptions', { id: 'urn:ngsi-ld:Subscription:s1', type: 'Subscription', entities: [{ type: 'Bench' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/notify' } } });
    assert.equal(sub.statusCode, 201);
    for (const i of [1, 2, 3]) {
      const r = await inject('POST', '/entities', {
        id: `urn:ngsi-ld:Bench:${i}`, type: 'Bench', scope: '/Herne/Mitte',
        temperature: { type: 'Property', value: 20 + i, observedAt: '2026-11-01T10:00:00Z', unitCode: 'CEL' },
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.2 + i / 100, 51.5] } },
        owner: { type: 'Relationship', object: 'urn:ngsi-ld:Organisation:herne' },
      });
      assert.equal(r.statusCode, 201);
    }
    for (const v of [30, 31]) assert.equal((await inject('PATCH', '/entities/urn:ngsi-ld:Bench:1/attrs', { temperature: { type: 'Property', value: v, observedAt: `2026-11-01T1${v - 29}:00:00Z` } })).statusCode, 204);
    assert.equal((await inject('DELETE', '/entities/urn:ngsi-ld:Bench:3')).statusCode, 204);
    assert.equal((await inject('POST', '/entities', { id: 'urn:ngsi-ld:Bench:9', type: 'Bench', n: { type: 'Property', value: 1 } }, { ...JSON_HEADERS, 'NGSILD-Tenant': 'bochum' })).statusCode, 201);
    await app.close();
    // The device registry and access control, as the IoT Agent API and the admin API store them.
    const T = '2026-11-20T08:00:00.000Z';
    await sqlite.ingest.createGroup({ tenant: 'herne', servicePath: '/umwelt', apikey: 'k-umwelt', resource: '/iot/json', createdAt: T, modifiedAt: T, doc: { entity_type: 'AirQualityObserved', cbroker: 'http://localhost:1026' } });
    await sqlite.ingest.createDevice({ tenant: 'herne', servicePath: '/umwelt', deviceId: 'aq-001', createdAt: T, modifiedAt: T, doc: { entity_name: 'urn:ngsi-ld:AirQualityObserved:aq-001', attributes: [{ object_id: 't', name: 'temperature', type: 'Number' }] } });
    await sqlite.ingest.createDevice({ tenant: 'herne', servicePath: '/umwelt', deviceId: 'lora-7', devEui: '0004a30b001c0530', apikey: 'k-own', createdAt: T, modifiedAt: T, doc: { entity_name: 'urn:ngsi-ld:Bench:lora-7' } });
    await sqlite.auth.createKey({ id: 'key-1', name: 'umweltamt', hash: 'a'.repeat(64), prefix: 'ds_abcdef', roles: ['steward'], tenants: ['herne'], createdAt: T, createdBy: 'key:admin' });
    await sqlite.auth.createKey({ id: 'key-2', name: 'old', hash: 'b'.repeat(64), prefix: 'ds_ghijkl', roles: ['citizen'], createdAt: T, revokedAt: '2026-11-21T08:00:00.000Z' });
    await sqlite.auth.putSetting('policy', { tenants: { herne: { write: ['key:umweltamt'] } } });
    await sqlite.auth.appendAudit([{ at: T, principal: 'key:admin', action: 'api-key.create', target: 'key-1', status: 201, address: '192.0.2.1' },
      { at: '2026-11-20T09:00:00.000Z', principal: 'key:umweltamt', action: 'POST /ngsi-ld/v1/entities', tenant: 'herne', status: 201 }]);
    const before = await snapshot(sqlite);
    await sqlite.close();

    const exp = cli(['export', `--out=${file}`], { DREHSCHEIBE_DATA_DIR: dir });
    assert.equal(exp.status, 0, exp.stderr);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; version?: number });
    assert.deepEqual([lines[0].kind, lines[0].version], ['header', 2]);
    assert.equal(lines.at(-1)!.kind, 'end');

    const imp = cli(['import', file], { DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: schema, DREHSCHEIBE_DATA_DIR: dir });
    assert.equal(imp.status, 0, imp.stderr);
    assert.match(imp.stderr, /"entities":3/);

    const pg = await PostgresStorage.open({ url: PG_URL!, schema });
    try {
      const after = await snapshot(pg);
      assert.deepEqual(Object.keys(after).sort(), Object.keys(before).sort());
      for (const k of Object.keys(before)) assert.deepEqual(after[k], before[k], k);
      // The comparison had something to compare: three temperature instances, a deleted entity's history, a second tenant.
      assert.equal((before['instances::urn:ngsi-ld:Bench:1:https://uri.etsi.org/ngsi-ld/default-context/temperature:'] as unknown[]).length, 3);
      assert.ok((after['history::urn:ngsi-ld:Bench:3'] as { deletedAt?: string }).deletedAt);
      assert.equal((after['entities:bochum'] as unknown[]).length, 1);
      assert.equal((after.subscriptions as unknown[]).length, 1);
      assert.equal((after.devices as unknown[]).length, 2);
      assert.equal((after.keys as unknown[]).length, 2);
      assert.ok((after.audit as Array<{ action: string }>).some((e) => e.action === 'api-key.create'), 'the audit log came along (with the entries the requests above wrote)');
      assert.equal((await pg.ingest.getDeviceByDevEui('0004a30b001c0530'))?.deviceId, 'lora-7', 'lookup keys are columns of the target too');
      assert.equal((await pg.auth.keyByHash('a'.repeat(64)))?.name, 'umweltamt', 'a key works on the new engine with the same secret');
    } finally {
      await pg.close();
    }
    // A second run into the same target changes nothing, and says so.
    const second = cli(['import', file], { DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: schema, DREHSCHEIBE_DATA_DIR: dir });
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /nothing new/);
    const pg2 = await PostgresStorage.open({ url: PG_URL!, schema });
    try {
      const twice = await snapshot(pg2);
      for (const k of Object.keys(before)) assert.deepEqual(twice[k], before[k], `after a second import: ${k}`);
    } finally {
      await pg2.close();
    }
    const again = cli(['import', join(dir, 'missing.ndjson')], { DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: schema, DREHSCHEIBE_DATA_DIR: dir });
    assert.notEqual(again.status, 0, 'a missing file fails');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  }
});

test('a second import of the same export into the same SQLite target changes nothing: no doubled history instances or audit entries', async () => {
  const { importLines, wroteNothing } = await import('../../src/storage/transfer/transfer.import.ts');
  const { exportLines } = await import('../../src/storage/transfer/transfer.export.ts');
  const src = mkdtempSync(join(tmpdir(), 'ds-transfer-src-'));
  const dst = mkdtempSync(join(tmpdir(), 'ds-transfer-dst-'));
  try {
    const sqlite = SqliteStorage.inDataDir(src);
    const app = await buildApp(loadConfig({ DREHSCHEIBE_DATA_DIR: src, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off', LOG_LEVEL: 'silent', DREHSCHEIBE_NOTIFY_INITIAL: 'off' }), { storage: sqlite });
    const post = (url: string, payload: unknown, method: 'POST' | 'PATCH' | 'DELETE' = 'POST') => app.inject({ method, url: `/ngsi-ld/v1${url}`, headers: JSON_HEADERS, payload: payload as object });
    for (const i of [1, 2]) assert.equal((await post('/entities', { id: `urn:ngsi-ld:Bench:${i}`, type: 'Bench', temperature: { type: 'Property', value: i, observedAt: '2026-11-01T10:00:00Z' } })).statusCode, 201);
    assert.equal((await post('/entities/urn:ngsi-ld:Bench:1/attrs', { temperature: { type: 'Property', value: 5, observedAt: '2026-11-01T11:00:00Z' } }, 'PATCH')).statusCode, 204);
    assert.equal((await post('/entities/urn:ngsi-ld:Bench:2', undefined, 'DELETE')).statusCode, 204);
    await app.close();
    await sqlite.auth.appendAudit([{ at: '2026-11-20T08:00:00.000Z', principal: 'key:admin', action: 'api-key.create', status: 201 },
      { at: '2026-11-20T08:00:00.000Z', principal: 'key:admin', action: 'api-key.create', status: 201 }]);
    const lines: unknown[] = [];
    for await (const l of exportLines(sqlite)) lines.push(l);
    await sqlite.close();
    async function* of() { yield* lines; }
    const target = SqliteStorage.inDataDir(dst);
    try {
      const first = await importLines(target, of());
      assert.equal(first.entities, 1);
      assert.equal(first.instances, 4, 'Bench:1 twice, Bench:2 once and its deletion');
      assert.equal(first.auditEntries, 6, 'the four writes above and two identical entries (two entries, not one)');
      const once = await snapshot(target);
      const second = await importLines(target, of());
      assert.ok(wroteNothing(second), JSON.stringify(second));
      assert.equal(second.skippedInstances, 4);
      assert.equal(second.skippedAuditEntries, 6);
      assert.deepEqual(await snapshot(target), once);
    } finally {
      await target.close();
    }
  } finally {
    rmSync(src, { recursive: true, force: true });
    rmSync(dst, { recursive: true, force: true });
  }
});

test('import refuses a stream without the export header, and a newer format version, before writing anything', async () => {
  const { importLines, ImportFormatError } = await import('../../src/storage/transfer/transfer.import.ts');
  const dir = mkdtempSync(join(tmpdir(), 'ds-transfer-bad-'));
  const s = SqliteStorage.inDataDir(dir);
  async function* of(...xs: unknown[]) { yield* xs; }
  try {
    await assert.rejects(importLines(s, of({ kind: 'entity', tenant: '', entity: {} })), ImportFormatError);
    await assert.rejects(importLines(s, of({ kind: 'header', format: 'drehscheibe-export', version: 99 })), /version 99 is newer/);
    assert.deepEqual(await s.entities.listTenants(), []);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('drehscheibe backup copies a live SQLite database (online backup API) into a file that opens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-backup-'));
  try {
    const s = SqliteStorage.inDataDir(dir);
    await s.withTransaction((tx) => tx.entities.insert('', { id: 'urn:x:1', types: ['urn:T'], createdAt: '2026-01-01T00:00:00Z', modifiedAt: '2026-01-01T00:00:00Z', attrs: {} }));
    const r = cli(['backup', join(dir, 'copy.sqlite')], { DREHSCHEIBE_DATA_DIR: dir });
    await s.close();
    assert.equal(r.status, 0, r.stderr);
    const copyDir = join(dir, 'restored');
    mkdirSync(copyDir);
    copyFileSync(join(dir, 'copy.sqlite'), join(copyDir, 'drehscheibe.sqlite'));
    const restored = SqliteStorage.inDataDir(copyDir);
    assert.equal((await restored.entities.get('', 'urn:x:1'))?.id, 'urn:x:1');
    await restored.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
