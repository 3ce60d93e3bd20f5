// The subscription-store contract (clause 5.8 operations, 5.2.14 counters): one suite every storage
// adapter must pass unchanged. Register it with a factory that opens a fresh, empty store.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { StoragePort } from '../port.ts';
import type { SubscriptionRecord } from '../port.subscriptions.ts';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';

export interface SubscriptionStorageFactory {
  open(): Promise<StoragePort>;
  destroy(s: StoragePort): Promise<void>;
}

const T0 = '2026-11-26T10:00:00.000Z';

function rec(id: string, extra: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id, createdAt: T0, modifiedAt: T0,
    definition: { type: 'Subscription', entities: [{ type: 'Sensor' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/n' } } },
    context: 'https://example.org/ctx.jsonld',
    compiled: { entities: [{ types: { kind: 'type', name: 'https://example.org/Sensor' } }] },
    ...extra,
  };
}

export function subscriptionStoreContract(name: string, factory: SubscriptionStorageFactory): void {
  describe(`subscription store contract: ${name}`, () => {
    let s: StoragePort;
    before(async () => { s = await factory.open(); });
    after(async () => { await factory.destroy(s); });

    test('[5.8.1] create then get returns the record with zero counters', async () => {
      await s.subscriptions.create('', rec('urn:ngsi-ld:Subscription:1'));
      const got = await s.subscriptions.get('', 'urn:ngsi-ld:Subscription:1');
      assert.ok(got);
      assert.deepEqual(got.definition, rec('x').definition);
      assert.equal(got.context, 'https://example.org/ctx.jsonld');
      assert.deepEqual(got.compiled, rec('x').compiled);
      assert.deepEqual(got.stats, { timesSent: 0, timesFailed: 0 });
      assert.equal(got.createdAt, T0);
    });

    test('[5.8.1] a duplicate id in the same tenant throws StorageConflict; other tenants are separate', async () => {
      await assert.rejects(s.subscriptions.create('', rec('urn:ngsi-ld:Subscription:1')), StorageConflict);
      await s.subscriptions.create('t2', rec('urn:ngsi-ld:Subscription:1'));
      assert.ok(await s.subscriptions.get('t2', 'urn:ngsi-ld:Subscription:1'));
      assert.equal(await s.subscriptions.get('t3', 'urn:ngsi-ld:Subscription:1'), undefined);
      assert.equal(await s.subscriptions.tenantHasSubscriptions('t2'), true);
      assert.equal(await s.subscriptions.tenantHasSubscriptions('t3'), false);
    });

    test('[5.8.4] list pages in creation order and counts the whole tenant', async () => {
      for (let i = 2; i <= 5; i++) await s.subscriptions.create('', rec(`urn:ngsi-ld:Subscription:${i}`));
      const p = await s.subscriptions.list('', { limit: 2, offset: 1 });
      assert.deepEqual(p.items.map((x) => x.id), ['urn:ngsi-ld:Subscription:2', 'urn:ngsi-ld:Subscription:3']);
      assert.equal(p.count, 5);
      const all = await s.subscriptions.all();
      assert.equal(all.length, 6);
      assert.ok(all.some((x) => x.tenant === 't2'));
    });

    test('[5.8.2] update replaces the definition and keeps counters; a missing id throws StorageNotFound', async () => {
      await s.subscriptions.addDeliveryStats([{ tenant: '', id: 'urn:ngsi-ld:Subscription:2', sent: 3, failed: 1, lastNotification: '2026-11-26T10:00:03.000Z', lastSuccess: '2026-11-26T10:00:02.000Z', lastFailure: '2026-11-26T10:00:03.000Z', lastFailureReason: 'HTTP 500' }]);
      const next = rec('urn:ngsi-ld:Subscription:2', { modifiedAt: '2026-11-26T11:00:00.000Z', definition: { type: 'Subscription', description: 'changed' } });
      await s.subscriptions.update('', next);
      const got = await s.subscriptions.get('', 'urn:ngsi-ld:Subscription:2');
      assert.equal(got?.definition.description, 'changed');
      assert.equal(got?.modifiedAt, '2026-11-26T11:00:00.000Z');
      assert.equal(got?.createdAt, T0);
      assert.equal(got?.stats.timesSent, 3);
      await assert.rejects(s.subscriptions.update('', rec('urn:ngsi-ld:Subscription:404')), StorageNotFound);
    });

    test('[5.2.14] delivery counters add up and last* keep the latest time', async () => {
      const id = 'urn:ngsi-ld:Subscription:3';
      await s.subscriptions.addDeliveryStats([
        { tenant: '', id, sent: 2, failed: 0, lastNotification: '2026-11-26T10:00:05.000Z', lastSuccess: '2026-11-26T10:00:05.000Z' },
        { tenant: '', id, sent: 1, failed: 1, lastNotification: '2026-11-26T10:00:04.000Z', lastFailure: '2026-11-26T10:00:04.000Z', lastFailureReason: 'timeout' },
        { tenant: '', id: 'urn:ngsi-ld:Subscription:gone', sent: 1, failed: 0 },
      ]);
      const st = (await s.subscriptions.get('', id))!.stats;
      assert.deepEqual(st, {
        timesSent: 3, timesFailed: 1, lastNotification: '2026-11-26T10:00:05.000Z', lastSuccess: '2026-11-26T10:00:05.000Z',
        lastFailure: '2026-11-26T10:00:04.000Z', lastFailureReason: 'timeout',
      });
    });

    test('owners are stored, kept by update, and narrow the list and its count', async () => {
      const t = 'owned';
      await s.subscriptions.create(t, rec('urn:ngsi-ld:Subscription:o1', { owner: 'key:alice' }));
      await s.subscriptions.create(t, rec('urn:ngsi-ld:Subscription:o2', { owner: 'key:bob' }));
      await s.subscriptions.create(t, rec('urn:ngsi-ld:Subscription:o3', { owner: 'key:alice' }));
      await s.subscriptions.create(t, rec('urn:ngsi-ld:Subscription:o4'));
      assert.equal((await s.subscriptions.get(t, 'urn:ngsi-ld:Subscription:o2'))?.owner, 'key:bob');
      assert.equal((await s.subscriptions.get(t, 'urn:ngsi-ld:Subscription:o4'))?.owner, undefined);
      await s.subscriptions.update(t, rec('urn:ngsi-ld:Subscription:o2', { modifiedAt: '2026-11-26T11:00:00.000Z' }));
      assert.equal((await s.subscriptions.get(t, 'urn:ngsi-ld:Subscription:o2'))?.owner, 'key:bob', 'update keeps the owner');
      const alice = await s.subscriptions.list(t, { limit: 10, offset: 0 }, 'key:alice');
      assert.deepEqual(alice.items.map((x) => x.id), ['urn:ngsi-ld:Subscription:o1', 'urn:ngsi-ld:Subscription:o3']);
      assert.equal(alice.count, 2);
      const page = await s.subscriptions.list(t, { limit: 1, offset: 1 }, 'key:alice');
      assert.deepEqual(page.items.map((x) => x.id), ['urn:ngsi-ld:Subscription:o3']);
      assert.equal(page.count, 2);
      assert.equal((await s.subscriptions.list(t, { limit: 10, offset: 0 })).count, 4);
      assert.equal((await s.subscriptions.list(t, { limit: 10, offset: 0 }, 'key:carol')).count, 0);
      assert.equal((await s.subscriptions.all()).find((x) => x.sub.id === 'urn:ngsi-ld:Subscription:o3')?.sub.owner, 'key:alice');
    });

    test('[5.8.5] delete removes the subscription once', async () => {
      assert.equal(await s.subscriptions.delete('', 'urn:ngsi-ld:Subscription:4'), true);
      assert.equal(await s.subscriptions.delete('', 'urn:ngsi-ld:Subscription:4'), false);
      assert.equal(await s.subscriptions.get('', 'urn:ngsi-ld:Subscription:4'), undefined);
    });
  });
}
