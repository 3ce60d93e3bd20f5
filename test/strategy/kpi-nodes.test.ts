// The KPI scheduler with several nodes: each KPI is claimed for one interval in the strategy store
// (a lease), so two nodes on one PostgreSQL schema evaluate each KPI once per interval between them.
// On SQLite (one node) the lease keeps a second run within the interval from repeating the work.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { loadStarter } from '../../src/strategy/index.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';
import { energyKpi, no2Kpi, SDM, seedHerne, wifiKpi } from './kpi-support.ts';

const LINK = `<${SDM}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
const INTERVAL_S = 300;
const KPIS = ['wlan-online', 'solar-energie', 'no2-unter-grenzwert'];

async function historyLengths(app: App): Promise<number[]> {
  const out: number[] = [];
  for (const id of KPIS) {
    const r = await app.inject({ url: `/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:KeyPerformanceIndicator:drehscheibe-${id}?attrs=kpiValue&options=temporalValues`, headers: { 'ngsild-tenant': 'herne', link: LINK, accept: 'application/json' } });
    out.push(r.statusCode === 404 ? 0 : (r.json().kpiValue?.values?.length ?? 0));
  }
  return out;
}

async function createKpis(app: App): Promise<void> {
  const k = app.drehscheibe.kpis.service;
  await k.create(wifiKpi());
  await k.create(energyKpi());
  await k.create(no2Kpi());
}

describe('KPI scheduler on two nodes sharing one PostgreSQL schema', { skip: PG_SKIP }, () => {
  const clock = fixedClock('2026-12-05T10:00:00Z');
  const schema = freshSchema();
  const dirs: string[] = [];
  const nodes: Array<{ app: App; close(): Promise<void> }> = [];
  before(async () => {
    for (const name of ['a', 'b']) {
      const dir = mkdtempSync(join(tmpdir(), `ds-kpi-node-${name}-`));
      dirs.push(dir);
      const config = loadConfig({
        DREHSCHEIBE_DATA_DIR: dir, DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: schema, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_RATE_LIMIT: 'off',
        DREHSCHEIBE_CONTEXT_REMOTE: 'off', DREHSCHEIBE_DEMO: 'off', DREHSCHEIBE_KPI_INTERVAL: String(INTERVAL_S),
      });
      const storage = await openPgStorage(schema);
      const app = await buildApp(config, { storage, clock });
      await app.ready();
      // The timers stay out of the way: the test drives both runs itself.
      await app.drehscheibe.kpis.scheduler.stop();
      nodes.push({ app, async close() { await app.close(); await storage.close(); } });
    }
    await loadStarter(nodes[0].app.drehscheibe.strategy);
    await seedHerne(nodes[0].app);
    await createKpis(nodes[0].app);
  });
  after(async () => {
    for (const n of nodes) await n.close();
    await dropSchema(schema);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('two schedulers running at once evaluate each KPI once; within the interval nobody again; after it once more', async () => {
    const [a, b] = nodes.map((n) => n.app.drehscheibe.kpis.scheduler);
    assert.notEqual(a.node, b.node);
    const first = await Promise.all([a.runOnce(), b.runOnce()]);
    const evaluated = (rs: typeof first) => rs.reduce((n, r) => n + r!.ok + r!.failed, 0);
    const skipped = (rs: typeof first) => rs.reduce((n, r) => n + r!.skipped, 0);
    assert.equal(evaluated(first), KPIS.length, 'each KPI evaluated by one node');
    assert.equal(skipped(first), KPIS.length, 'and skipped by the other');
    assert.deepEqual(await historyLengths(nodes[1].app), [1, 1, 1], 'one value per KPI in the history');

    clock.advance((INTERVAL_S / 2) * 1000);
    const within = await Promise.all([b.runOnce(), a.runOnce()]);
    assert.equal(evaluated(within), 0, 'the leases run for the whole interval');
    assert.deepEqual(await historyLengths(nodes[0].app), [1, 1, 1]);

    clock.advance((INTERVAL_S / 2) * 1000);
    const next = await Promise.all([b.runOnce(), a.runOnce()]);
    assert.equal(evaluated(next), KPIS.length, 'the next interval: each KPI once more');
    assert.deepEqual(await historyLengths(nodes[0].app), [2, 2, 2]);
  });

  test('"evaluate now" of a steward is not held back by the lease', async () => {
    const s = await nodes[1].app.drehscheibe.kpis.service.evaluateById('wlan-online');
    assert.equal(s.status, 'ok');
    assert.deepEqual(await historyLengths(nodes[0].app), [3, 2, 2]);
  });
});

describe('KPI scheduler on SQLite (one node)', () => {
  let t: TestApp;
  const clock = fixedClock('2026-12-05T10:00:00Z');
  before(async () => {
    t = await testApp({ DREHSCHEIBE_KPI_INTERVAL: String(INTERVAL_S) }, { clock });
    await t.app.ready();
    await t.app.drehscheibe.kpis.scheduler.stop();
    await loadStarter(t.app.drehscheibe.strategy);
    await seedHerne(t.app);
    await createKpis(t.app);
  });
  after(async () => { await t.close(); });

  test('a run evaluates every KPI; a second run within the interval none; the next interval every KPI again', async () => {
    const s = t.app.drehscheibe.kpis.scheduler;
    assert.deepEqual(await s.runOnce(), { ok: 3, failed: 0, skipped: 0 });
    clock.advance(60_000);
    assert.deepEqual(await s.runOnce(), { ok: 0, failed: 0, skipped: 3 }, 'within the interval: nothing again');
    clock.advance((INTERVAL_S - 60) * 1000);
    assert.deepEqual(await s.runOnce(), { ok: 3, failed: 0, skipped: 0 });
    assert.deepEqual(await historyLengths(t.app), [2, 2, 2]);
  });
});
