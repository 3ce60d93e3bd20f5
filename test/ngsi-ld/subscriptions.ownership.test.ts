// Rendezvous ownership of subscriptions over live nodes, and the cluster timing options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ownership, ownerOf } from '../../src/ngsi-ld/subscriptions/subscriptions.ownership.ts';
import { loadConfig } from '../../src/config/config.ts';

const keys = Array.from({ length: 300 }, (_, i) => `\u0000urn:ngsi-ld:Subscription:${i}`);

test('ownership: the owner does not depend on the order of the node list, and every node gets a share', () => {
  const nodes = ['n-a', 'n-b', 'n-c'];
  const share = new Map<string, number>();
  for (const k of keys) {
    const o = ownerOf(k, nodes)!;
    assert.equal(ownerOf(k, [...nodes].reverse()), o);
    share.set(o, (share.get(o) ?? 0) + 1);
  }
  assert.deepEqual([...share.keys()].sort(), nodes);
  for (const n of share.values()) assert.ok(n >= 50, `an uneven share: ${[...share.values()]}`);
});

test('ownership: when a node leaves, only its subscriptions move (to the survivors)', () => {
  const before = keys.map((k) => ownerOf(k, ['n-a', 'n-b', 'n-c']));
  const after = keys.map((k) => ownerOf(k, ['n-a', 'n-c']));
  let moved = 0;
  for (let i = 0; i < keys.length; i++) {
    if (before[i] === 'n-b') { moved++; assert.ok(after[i] === 'n-a' || after[i] === 'n-c'); } else assert.equal(after[i], before[i]);
  }
  assert.ok(moved > 0);
});

test('ownership: a node alone owns everything; the answer follows the live list', () => {
  let live: string[] = ['me'];
  const o = new Ownership('me', () => live);
  assert.equal(o.owns('', 'urn:x'), true);
  live = ['me', 'other'];
  const mine = keys.filter((k) => o.owns('', k.slice(1)));
  assert.ok(mine.length > 0 && mine.length < keys.length);
  for (const k of keys) assert.equal(o.owns('', k.slice(1)), ownerOf(k, live) === 'me');
});

test('config: the cluster lease must be at least twice the heartbeat', () => {
  assert.throws(() => loadConfig({ DREHSCHEIBE_CLUSTER_HEARTBEAT_MS: '1000', DREHSCHEIBE_CLUSTER_LEASE_MS: '1500' }), /DREHSCHEIBE_CLUSTER_LEASE_MS: must be at least twice/);
  const c = loadConfig({ DREHSCHEIBE_CLUSTER_HEARTBEAT_MS: '500', DREHSCHEIBE_CLUSTER_LEASE_MS: '1500' });
  assert.deepEqual(c.cluster, { heartbeatMs: 500, leaseMs: 1500 });
  assert.deepEqual(loadConfig({}).cluster, { heartbeatMs: 2000, leaseMs: 6000 });
});
