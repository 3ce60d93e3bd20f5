// The auth-store contract (API keys, audit log): one suite every storage adapter must pass
// unchanged. Register it with a factory that opens a fresh, empty store.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { StoragePort } from '../port.ts';
import type { ApiKeyRecord, AuditEntry } from '../port.auth.ts';
import { StorageConflict } from '../../core/errors.ts';

export interface AuthStorageFactory {
  open(): Promise<StoragePort>;
  destroy(s: StoragePort): Promise<void>;
}

function key(n: number, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return { id: `k${n}`, name: `key-${n}`, hash: `${'0'.repeat(63)}${n}`, prefix: `ds_${n}`, roles: ['steward'], createdAt: `2026-11-26T10:00:0${n}.000Z`, ...extra };
}

function entry(at: string, extra: Partial<AuditEntry> = {}): AuditEntry {
  return { at, principal: 'key:a', action: 'POST /ngsi-ld/v1/entities', status: 201, ...extra };
}

export function authStoreContract(name: string, factory: AuthStorageFactory): void {
  describe(`auth store contract: ${name}`, () => {
    let s: StoragePort;
    before(async () => { s = await factory.open(); });
    after(async () => { await factory.destroy(s); });

    test('a created key is found by hash and by id with every scope field', async () => {
      const k = key(1, { tenants: ['', 'swh'], types: ['https://ex.org/T'], ops: ['read', 'write'], expiresAt: '2027-01-01T00:00:00.000Z', createdBy: 'key:root' });
      await s.auth.createKey(k);
      assert.deepEqual(await s.auth.keyByHash(k.hash), k);
      assert.deepEqual(await s.auth.keyById('k1'), k);
      assert.equal(await s.auth.keyByHash('f'.repeat(64)), undefined);
    });

    test('a duplicate key name is a StorageConflict', async () => {
      await assert.rejects(s.auth.createKey(key(2, { name: 'key-1' })), StorageConflict);
      assert.equal(await s.auth.keyById('k2'), undefined);
    });

    test('listKeys lists newest first; revokeKey marks once', async () => {
      await s.auth.createKey(key(3));
      assert.deepEqual((await s.auth.listKeys()).map((k) => k.id), ['k3', 'k1']);
      assert.equal(await s.auth.revokeKey('k3', '2026-11-26T11:00:00.000Z'), true);
      assert.equal(await s.auth.revokeKey('k3', '2026-11-26T12:00:00.000Z'), false);
      assert.equal(await s.auth.revokeKey('nope', '2026-11-26T12:00:00.000Z'), false);
      assert.equal((await s.auth.keyById('k3'))?.revokedAt, '2026-11-26T11:00:00.000Z');
    });

    test('audit entries are appended, filtered, returned newest first and pruned by age', async () => {
      await s.auth.appendAudit([
        entry('2026-11-01T00:00:00.000Z', { tenant: '', target: 'urn:a', address: '10.0.0.1', requestId: 'r1' }),
        entry('2026-11-02T00:00:00.000Z', { principal: 'key:b', tenant: 'swh', action: 'api-key.create', status: 201 }),
        entry('2026-11-03T00:00:00.000Z', { status: 403 }),
      ]);
      const all = await s.auth.queryAudit({ limit: 10, offset: 0 });
      assert.deepEqual(all.map((e) => e.at), ['2026-11-03T00:00:00.000Z', '2026-11-02T00:00:00.000Z', '2026-11-01T00:00:00.000Z']);
      assert.deepEqual(all[2], entry('2026-11-01T00:00:00.000Z', { tenant: '', target: 'urn:a', address: '10.0.0.1', requestId: 'r1' }));
      assert.deepEqual((await s.auth.queryAudit({ limit: 2, offset: 1, oldestFirst: true })).map((e) => e.at), ['2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z']);
      assert.deepEqual((await s.auth.queryAudit({ principal: 'key:b', limit: 10, offset: 0 })).map((e) => e.action), ['api-key.create']);
      assert.equal((await s.auth.queryAudit({ tenant: '', limit: 10, offset: 0 })).length, 1);
      assert.equal((await s.auth.queryAudit({ action: 'api-key', limit: 10, offset: 0 })).length, 1);
      assert.equal((await s.auth.queryAudit({ since: '2026-11-02T00:00:00.000Z', limit: 10, offset: 0 })).length, 2);
      assert.equal((await s.auth.queryAudit({ limit: 1, offset: 1 }))[0].at, '2026-11-02T00:00:00.000Z');
      assert.equal(await s.auth.pruneAudit('2026-11-02T12:00:00.000Z'), 2);
      assert.deepEqual((await s.auth.queryAudit({ limit: 10, offset: 0 })).map((e) => e.status), [403]);
    });

    test('settings are stored as JSON, replaced, and deleted with undefined', async () => {
      assert.equal(await s.auth.getSetting('policy'), undefined);
      await s.auth.putSetting('policy', { tenants: { '': { write: ['key:a'] } } });
      await s.auth.putSetting('policy', { tenants: { x: { read: ['operator'] } } });
      assert.deepEqual(await s.auth.getSetting('policy'), { tenants: { x: { read: ['operator'] } } });
      await s.auth.putSetting('policy', undefined);
      assert.equal(await s.auth.getSetting('policy'), undefined);
    });
  });
}
