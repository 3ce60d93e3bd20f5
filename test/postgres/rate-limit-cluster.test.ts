// Rate limits on several nodes (issue #7): with the cluster scope (default) each node enforces its
// share of the configured rate (rate ÷ live nodes), so two nodes together let a client through about
// as often as one node would; with the node scope each node grants the whole rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { PostgresStorage } from '../../src/storage/postgres/postgres.adapter.ts';
import { PG_SKIP, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';

interface Node { app: App; storage: PostgresStorage; dir: string }

async function startNode(schema: string, scope: string): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), 'ds-rate-'));
  writeFileSync(join(dir, 'policy.json'), '{}');
  const config = loadConfig({
    DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_POLICY_FILE: join(dir, 'policy.json'), DREHSCHEIBE_CONTEXT_REMOTE: 'off',
    DREHSCHEIBE_RATE_LIMIT: 'on', DREHSCHEIBE_RATE_LIMIT_SCOPE: scope, DREHSCHEIBE_RATE_ADDRESS_RPS: '1', DREHSCHEIBE_RATE_ADDRESS_BURST: '6',
    DREHSCHEIBE_CLUSTER_HEARTBEAT_MS: '100', DREHSCHEIBE_CLUSTER_LEASE_MS: '1000',
  });
  const storage = await openPgStorage(schema);
  // A clock that stands still: no token comes back during the test, however slow the machine.
  return { app: await buildApp(config, { storage, clock: fixedClock('2026-11-26T12:00:00Z') }), storage, dir };
}

/** Status codes of n anonymous requests from one address, alternating between the nodes. */
async function burst(nodes: Node[], n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await nodes[i % nodes.length].app.inject({ method: 'GET', url: '/ngsi-ld/v1/types', remoteAddress: '192.0.2.7' })).statusCode);
  return out;
}

async function withTwoNodes(scope: string, fn: (nodes: Node[]) => Promise<void>): Promise<void> {
  const schema = freshSchema();
  const nodes = [await startNode(schema, scope), await startNode(schema, scope)];
  try {
    const end = Date.now() + 5000;
    while (nodes.some((x) => x.storage.cluster.liveNodes().length < 2)) {
      if (Date.now() > end) throw new Error('the nodes did not see each other');
      await new Promise((r) => setTimeout(r, 20));
    }
    await fn(nodes);
  } finally {
    for (const x of nodes) { await x.app.close(); await x.storage.close(); rmSync(x.dir, { recursive: true, force: true }); }
    await dropSchema(schema);
  }
}

test('rate limit, cluster scope: two nodes share the burst of 6 (3 each), the 429 names the sharing', { skip: PG_SKIP }, async () => withTwoNodes('cluster', async (nodes) => {
  const codes = await burst(nodes, 8);
  assert.deepEqual(codes, [200, 200, 200, 200, 200, 200, 429, 429]);
  const r = await nodes[0].app.inject({ method: 'GET', url: '/ngsi-ld/v1/types', remoteAddress: '192.0.2.7' });
  assert.equal(r.statusCode, 429);
  assert.match(r.json().detail, /shared by 2 nodes/);
  assert.equal((await nodes[1].app.inject({ method: 'GET', url: '/ngsi-ld/v1/types', remoteAddress: '192.0.2.8' })).statusCode, 200, 'another address is not affected');
}));

test('rate limit, node scope: each of two nodes grants the whole burst of 6', { skip: PG_SKIP }, async () => withTwoNodes('node', async (nodes) => {
  const codes = await burst(nodes, 14);
  assert.equal(codes.filter((c) => c === 200).length, 12);
  assert.deepEqual(codes.slice(12), [429, 429]);
}));
