// The PostgreSQL IngestStore (device registry): one statement per operation, each atomic on its
// own; unique violations become StorageConflict like on the embedded engine.
import type pg from 'pg';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { DeviceRecord, IngestStore, ServiceGroupRecord } from '../port.ingest.ts';
import { q } from './postgres.database.ts';

interface GroupRow { apikey: string; resource: string; tenant: string; service_path: string; created_at: string; modified_at: string; doc: Record<string, unknown> }
interface DeviceRow { tenant: string; service_path: string; device_id: string; apikey: string | null; dev_eui: string | null; created_at: string; modified_at: string; doc: Record<string, unknown> }

const GCOLS = 'apikey, resource, tenant, service_path, created_at, modified_at, doc';
const DCOLS = 'tenant, service_path, device_id, apikey, dev_eui, created_at, modified_at, doc';

function toGroup(r: GroupRow): ServiceGroupRecord {
  return { apikey: r.apikey, resource: r.resource, tenant: r.tenant, servicePath: r.service_path, createdAt: r.created_at, modifiedAt: r.modified_at, doc: r.doc };
}
function toDevice(r: DeviceRow): DeviceRecord {
  const d: DeviceRecord = { tenant: r.tenant, servicePath: r.service_path, deviceId: r.device_id, createdAt: r.created_at, modifiedAt: r.modified_at, doc: r.doc };
  if (r.apikey !== null) d.apikey = r.apikey;
  if (r.dev_eui !== null) d.devEui = r.dev_eui;
  return d;
}
async function orConflict<T>(run: Promise<T>, what: string): Promise<T> {
  try {
    return await run;
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw new StorageConflict(`${what} exists`, { cause: e });
    throw e;
  }
}

export class PgIngestStore implements IngestStore {
  constructor(private readonly pool: pg.Pool) {}

  async createGroup(g: ServiceGroupRecord): Promise<void> {
    await orConflict(q(this.pool, `INSERT INTO ingest_groups (${GCOLS}) VALUES ($1, $2, $3, $4, $5, $6, $7::json)`,
      [g.apikey, g.resource, g.tenant, g.servicePath, g.createdAt, g.modifiedAt, JSON.stringify(g.doc)]), `service group ${g.apikey} ${g.resource}`);
  }
  async updateGroup(g: ServiceGroupRecord): Promise<void> {
    const rows = await q(this.pool, 'UPDATE ingest_groups SET modified_at = $1, doc = $2::json WHERE apikey = $3 AND resource = $4 RETURNING apikey',
      [g.modifiedAt, JSON.stringify(g.doc), g.apikey, g.resource]);
    if (rows.length === 0) throw new StorageNotFound(`service group ${g.apikey} ${g.resource} not found`);
  }
  async deleteGroup(apikey: string, resource: string): Promise<boolean> {
    return (await q(this.pool, 'DELETE FROM ingest_groups WHERE apikey = $1 AND resource = $2 RETURNING apikey', [apikey, resource])).length > 0;
  }
  async getGroup(apikey: string, resource: string): Promise<ServiceGroupRecord | undefined> {
    const row = (await q<GroupRow>(this.pool, `SELECT ${GCOLS} FROM ingest_groups WHERE apikey = $1 AND resource = $2`, [apikey, resource]))[0];
    return row && toGroup(row);
  }
  async listGroups(tenant: string, servicePath?: string): Promise<ServiceGroupRecord[]> {
    const rows = servicePath === undefined
      ? await q<GroupRow>(this.pool, `SELECT ${GCOLS} FROM ingest_groups WHERE tenant = $1 ORDER BY apikey COLLATE "C", resource COLLATE "C"`, [tenant])
      : await q<GroupRow>(this.pool, `SELECT ${GCOLS} FROM ingest_groups WHERE tenant = $1 AND service_path = $2 ORDER BY apikey COLLATE "C", resource COLLATE "C"`, [tenant, servicePath]);
    return rows.map(toGroup);
  }
  async allGroups(): Promise<ServiceGroupRecord[]> {
    return (await q<GroupRow>(this.pool, `SELECT ${GCOLS} FROM ingest_groups ORDER BY tenant COLLATE "C", apikey COLLATE "C", resource COLLATE "C"`)).map(toGroup);
  }

  async createDevice(d: DeviceRecord): Promise<void> {
    await orConflict(q(this.pool, `INSERT INTO ingest_devices (${DCOLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json)`,
      [d.tenant, d.servicePath, d.deviceId, d.apikey ?? null, d.devEui ?? null, d.createdAt, d.modifiedAt, JSON.stringify(d.doc)]), `device ${d.deviceId}`);
  }
  async updateDevice(d: DeviceRecord): Promise<void> {
    const rows = await orConflict(q(this.pool, 'UPDATE ingest_devices SET apikey = $1, dev_eui = $2, modified_at = $3, doc = $4::json WHERE tenant = $5 AND service_path = $6 AND device_id = $7 RETURNING device_id',
      [d.apikey ?? null, d.devEui ?? null, d.modifiedAt, JSON.stringify(d.doc), d.tenant, d.servicePath, d.deviceId]), `DevEUI ${d.devEui}`);
    if (rows.length === 0) throw new StorageNotFound(`device ${d.deviceId} not found`);
  }
  async deleteDevice(tenant: string, servicePath: string, deviceId: string): Promise<boolean> {
    return (await q(this.pool, 'DELETE FROM ingest_devices WHERE tenant = $1 AND service_path = $2 AND device_id = $3 RETURNING device_id', [tenant, servicePath, deviceId])).length > 0;
  }
  async getDevice(tenant: string, servicePath: string, deviceId: string): Promise<DeviceRecord | undefined> {
    const row = (await q<DeviceRow>(this.pool, `SELECT ${DCOLS} FROM ingest_devices WHERE tenant = $1 AND service_path = $2 AND device_id = $3`, [tenant, servicePath, deviceId]))[0];
    return row && toDevice(row);
  }
  async getDeviceByDevEui(devEui: string): Promise<DeviceRecord | undefined> {
    const row = (await q<DeviceRow>(this.pool, `SELECT ${DCOLS} FROM ingest_devices WHERE dev_eui = $1`, [devEui]))[0];
    return row && toDevice(row);
  }
  async listDevices(tenant: string, servicePath: string | undefined, page: { limit: number; offset: number }): Promise<{ items: DeviceRecord[]; count: number }> {
    const where = servicePath === undefined ? 'tenant = $1' : 'tenant = $1 AND service_path = $2';
    const args: unknown[] = servicePath === undefined ? [tenant] : [tenant, servicePath];
    const n = args.length;
    const items = (await q<DeviceRow>(this.pool, `SELECT ${DCOLS} FROM ingest_devices WHERE ${where} ORDER BY device_id COLLATE "C" LIMIT $${n + 1} OFFSET $${n + 2}`, [...args, page.limit, page.offset])).map(toDevice);
    const count = Number((await q<{ n: string }>(this.pool, `SELECT count(*) AS n FROM ingest_devices WHERE ${where}`, args))[0].n);
    return { items, count };
  }
  async allDevices(): Promise<DeviceRecord[]> {
    return (await q<DeviceRow>(this.pool, `SELECT ${DCOLS} FROM ingest_devices ORDER BY tenant COLLATE "C", service_path COLLATE "C", device_id COLLATE "C"`)).map(toDevice);
  }
}
