// The ingest-store contract (device registry): one suite every storage adapter must pass unchanged.
// Register it with a factory that opens a fresh, empty store.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { StoragePort } from '../port.ts';
import type { DeviceRecord, ServiceGroupRecord } from '../port.ingest.ts';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';

export interface IngestStorageFactory {
  open(): Promise<StoragePort>;
  destroy(s: StoragePort): Promise<void>;
}

const T0 = '2026-11-26T10:00:00.000Z';
const T1 = '2026-11-26T11:00:00.000Z';

function group(apikey: string, extra: Partial<ServiceGroupRecord> = {}): ServiceGroupRecord {
  return { tenant: 'herne', servicePath: '/env', apikey, resource: '/iot/json', createdAt: T0, modifiedAt: T0, doc: { apikey, entity_type: 'AirQualityObserved', attributes: [{ object_id: 't', name: 'temperature', type: 'Number' }] }, ...extra };
}
function device(id: string, extra: Partial<DeviceRecord> = {}): DeviceRecord {
  return { tenant: 'herne', servicePath: '/env', deviceId: id, createdAt: T0, modifiedAt: T0, doc: { device_id: id, entity_type: 'AirQualityObserved' }, ...extra };
}

export function ingestStoreContract(name: string, factory: IngestStorageFactory): void {
  describe(`ingest store contract: ${name}`, () => {
    let s: StoragePort;
    before(async () => { s = await factory.open(); });
    after(async () => { await factory.destroy(s); });

    test('a created service group is read back by (apikey, resource) with its body', async () => {
      await s.ingest.createGroup(group('k1'));
      const g = await s.ingest.getGroup('k1', '/iot/json');
      assert.deepEqual(g, group('k1'));
      assert.equal(await s.ingest.getGroup('k1', '/other'), undefined);
    });

    test('a second group with the same (apikey, resource) is a StorageConflict; another resource is not', async () => {
      await assert.rejects(s.ingest.createGroup(group('k1', { tenant: 'other' })), StorageConflict);
      await s.ingest.createGroup(group('k1', { resource: '/iot/d' }));
      assert.ok(await s.ingest.getGroup('k1', '/iot/d'));
    });

    test('groups are listed per tenant and service path, ordered by apikey', async () => {
      await s.ingest.createGroup(group('k0'));
      await s.ingest.createGroup(group('k2', { servicePath: '/mobility' }));
      await s.ingest.createGroup(group('k3', { tenant: 'bochum' }));
      assert.deepEqual((await s.ingest.listGroups('herne')).map((g) => `${g.apikey}${g.resource}`), ['k0/iot/json', 'k1/iot/d', 'k1/iot/json', 'k2/iot/json']);
      assert.deepEqual((await s.ingest.listGroups('herne', '/mobility')).map((g) => g.apikey), ['k2']);
      assert.deepEqual((await s.ingest.listGroups('nowhere')), []);
      assert.equal((await s.ingest.allGroups()).length, 5);
    });

    test('updating a group replaces its body and modifiedAt, keeps createdAt; an absent group is StorageNotFound', async () => {
      await s.ingest.updateGroup({ ...group('k0'), modifiedAt: T1, doc: { apikey: 'k0', entity_type: 'NoiseLevelObserved' } });
      const g = await s.ingest.getGroup('k0', '/iot/json');
      assert.equal(g?.createdAt, T0);
      assert.equal(g?.modifiedAt, T1);
      assert.deepEqual(g?.doc, { apikey: 'k0', entity_type: 'NoiseLevelObserved' });
      await assert.rejects(s.ingest.updateGroup(group('nope')), StorageNotFound);
    });

    test('deleting a group reports whether it existed', async () => {
      assert.equal(await s.ingest.deleteGroup('k0', '/iot/json'), true);
      assert.equal(await s.ingest.deleteGroup('k0', '/iot/json'), false);
      assert.equal(await s.ingest.getGroup('k0', '/iot/json'), undefined);
    });

    test('devices are unique per (tenant, service path, device id) and found by DevEUI', async () => {
      await s.ingest.createDevice(device('d1', { apikey: 'k1' }));
      await s.ingest.createDevice(device('d1', { servicePath: '/other' }));
      await s.ingest.createDevice(device('lora1', { devEui: '0004a30b001c0530' }));
      await assert.rejects(s.ingest.createDevice(device('d1')), StorageConflict);
      await assert.rejects(s.ingest.createDevice(device('lora2', { devEui: '0004a30b001c0530' })), StorageConflict);
      assert.deepEqual(await s.ingest.getDevice('herne', '/env', 'd1'), device('d1', { apikey: 'k1' }));
      assert.equal((await s.ingest.getDeviceByDevEui('0004a30b001c0530'))?.deviceId, 'lora1');
      assert.equal(await s.ingest.getDeviceByDevEui('ffffffffffffffff'), undefined);
      assert.equal(await s.ingest.getDevice('bochum', '/env', 'd1'), undefined);
    });

    test('devices are listed in pages ordered by device id, with the total count', async () => {
      for (const id of ['d3', 'd2', 'd4']) await s.ingest.createDevice(device(id));
      const p = await s.ingest.listDevices('herne', '/env', { limit: 2, offset: 1 });
      assert.deepEqual(p.items.map((d) => d.deviceId), ['d2', 'd3']);
      assert.equal(p.count, 5);
      assert.equal((await s.ingest.listDevices('herne', undefined, { limit: 100, offset: 0 })).count, 6);
      assert.equal((await s.ingest.allDevices()).length, 6);
    });

    test('updating a device replaces apikey, DevEUI and body; a taken DevEUI is a conflict; delete reports existence', async () => {
      await s.ingest.updateDevice(device('d2', { devEui: 'aaaaaaaaaaaaaaaa', modifiedAt: T1, doc: { device_id: 'd2', x: 1 } }));
      const d = await s.ingest.getDevice('herne', '/env', 'd2');
      assert.equal(d?.devEui, 'aaaaaaaaaaaaaaaa');
      assert.equal(d?.modifiedAt, T1);
      assert.deepEqual(d?.doc, { device_id: 'd2', x: 1 });
      await assert.rejects(s.ingest.updateDevice(device('d3', { devEui: 'aaaaaaaaaaaaaaaa' })), StorageConflict);
      await assert.rejects(s.ingest.updateDevice(device('nope')), StorageNotFound);
      assert.equal(await s.ingest.deleteDevice('herne', '/env', 'd2'), true);
      assert.equal(await s.ingest.deleteDevice('herne', '/env', 'd2'), false);
      assert.equal(await s.ingest.getDeviceByDevEui('aaaaaaaaaaaaaaaa'), undefined);
    });
  });
}
