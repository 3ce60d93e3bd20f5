// The embedded engine's IngestStore (device registry): writes through the adapter's serialised
// write transactions, reads through the reader connection (committed data only).
import type { Statement } from 'better-sqlite3';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { DeviceRecord, IngestStore, ServiceGroupRecord } from '../port.ingest.ts';
import type { Db } from './sqlite.database.ts';
import type { Serialise } from './sqlite.subscriptions.ts';

interface GroupRow { apikey: string; resource: string; tenant: string; service_path: string; created_at: string; modified_at: string; doc: string }
interface DeviceRow { tenant: string; service_path: string; device_id: string; apikey: string | null; dev_eui: string | null; created_at: string; modified_at: string; doc: string }

function toGroup(r: GroupRow): ServiceGroupRecord {
  return { apikey: r.apikey, resource: r.resource, tenant: r.tenant, servicePath: r.service_path, createdAt: r.created_at, modifiedAt: r.modified_at, doc: JSON.parse(r.doc) as Record<string, unknown> };
}
function toDevice(r: DeviceRow): DeviceRecord {
  const d: DeviceRecord = { tenant: r.tenant, servicePath: r.service_path, deviceId: r.device_id, createdAt: r.created_at, modifiedAt: r.modified_at, doc: JSON.parse(r.doc) as Record<string, unknown> };
  if (r.apikey !== null) d.apikey = r.apikey;
  if (r.dev_eui !== null) d.devEui = r.dev_eui;
  return d;
}
function conflict(err: unknown, what: string): never {
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StorageConflict(`${what} exists`, { cause: err });
  throw err;
}

const GCOLS = 'apikey, resource, tenant, service_path, created_at, modified_at, doc';
const DCOLS = 'tenant, service_path, device_id, apikey, dev_eui, created_at, modified_at, doc';

export class SqliteIngestStore implements IngestStore {
  private readonly w: Record<string, Statement> = {};
  private readonly r: Record<string, Statement> = {};
  constructor(private readonly writer: Db, private readonly reader: Db, private readonly serialise: Serialise) {}
  private ws(sql: string): Statement { return (this.w[sql] ??= this.writer.prepare(sql)); }
  private rs(sql: string): Statement { return (this.r[sql] ??= this.reader.prepare(sql)); }

  createGroup(g: ServiceGroupRecord): Promise<void> {
    return this.serialise(async () => {
      try {
        this.ws(`INSERT INTO ingest_groups (${GCOLS}) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(g.apikey, g.resource, g.tenant, g.servicePath, g.createdAt, g.modifiedAt, JSON.stringify(g.doc));
      } catch (err) { conflict(err, `service group ${g.apikey} ${g.resource}`); }
    });
  }
  updateGroup(g: ServiceGroupRecord): Promise<void> {
    return this.serialise(async () => {
      const r = this.ws('UPDATE ingest_groups SET modified_at = ?, doc = ? WHERE apikey = ? AND resource = ?').run(g.modifiedAt, JSON.stringify(g.doc), g.apikey, g.resource);
      if (r.changes === 0) throw new StorageNotFound(`service group ${g.apikey} ${g.resource} not found`);
    });
  }
  deleteGroup(apikey: string, resource: string): Promise<boolean> {
    return this.serialise(async () => this.ws('DELETE FROM ingest_groups WHERE apikey = ? AND resource = ?').run(apikey, resource).changes > 0);
  }
  async getGroup(apikey: string, resource: string): Promise<ServiceGroupRecord | undefined> {
    const row = this.rs(`SELECT ${GCOLS} FROM ingest_groups WHERE apikey = ? AND resource = ?`).get(apikey, resource) as GroupRow | undefined;
    return row && toGroup(row);
  }
  async listGroups(tenant: string, servicePath?: string): Promise<ServiceGroupRecord[]> {
    const rows = servicePath === undefined
      ? this.rs(`SELECT ${GCOLS} FROM ingest_groups WHERE tenant = ? ORDER BY apikey, resource`).all(tenant)
      : this.rs(`SELECT ${GCOLS} FROM ingest_groups WHERE tenant = ? AND service_path = ? ORDER BY apikey, resource`).all(tenant, servicePath);
    return (rows as GroupRow[]).map(toGroup);
  }
  async allGroups(): Promise<ServiceGroupRecord[]> {
    return (this.rs(`SELECT ${GCOLS} FROM ingest_groups ORDER BY tenant, apikey, resource`).all() as GroupRow[]).map(toGroup);
  }

  createDevice(d: DeviceRecord): Promise<void> {
    return this.serialise(async () => {
      try {
        this.ws(`INSERT INTO ingest_devices (${DCOLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(d.tenant, d.servicePath, d.deviceId, d.apikey ?? null, d.devEui ?? null, d.createdAt, d.modifiedAt, JSON.stringify(d.doc));
      } catch (err) { conflict(err, `device ${d.deviceId}`); }
    });
  }
  updateDevice(d: DeviceRecord): Promise<void> {
    return this.serialise(async () => {
      let changes: number;
      try {
        changes = this.ws('UPDATE ingest_devices SET apikey = ?, dev_eui = ?, modified_at = ?, doc = ? WHERE tenant = ? AND service_path = ? AND device_id = ?')
          .run(d.apikey ?? null, d.devEui ?? null, d.modifiedAt, JSON.stringify(d.doc), d.tenant, d.servicePath, d.deviceId).changes;
      } catch (err) { conflict(err, `DevEUI ${d.devEui}`); }
      if (changes === 0) throw new StorageNotFound(`device ${d.deviceId} not found`);
    });
  }
  deleteDevice(tenant: string, servicePath: string, deviceId: string): Promise<boolean> {
    return this.serialise(async () => this.ws('DELETE FROM ingest_devices WHERE tenant = ? AND service_path = ? AND device_id = ?').run(tenant, servicePath, deviceId).changes > 0);
  }
  async getDevice(tenant: string, servicePath: string, deviceId: string): Promise<DeviceRecord | undefined> {
    const row = this.rs(`SELECT ${DCOLS} FROM ingest_devices WHERE tenant = ? AND service_path = ? AND device_id = ?`).get(tenant, servicePath, deviceId) as DeviceRow | undefined;
    return row && toDevice(row);
  }
  async getDeviceByDevEui(devEui: string): Promise<DeviceRecord | undefined> {
    const row = this.rs(`SELECT ${DCOLS} FROM ingest_devices WHERE dev_eui = ?`).get(devEui) as DeviceRow | undefined;
    return row && toDevice(row);
  }
  async listDevices(tenant: string, servicePath: string | undefined, page: { limit: number; offset: number }): Promise<{ items: DeviceRecord[]; count: number }> {
    const where = servicePath === undefined ? 'tenant = ?' : 'tenant = ? AND service_path = ?';
    const args = servicePath === undefined ? [tenant] : [tenant, servicePath];
    const items = (this.rs(`SELECT ${DCOLS} FROM ingest_devices WHERE ${where} ORDER BY device_id LIMIT ? OFFSET ?`).all(...args, page.limit, page.offset) as DeviceRow[]).map(toDevice);
    const count = (this.rs(`SELECT COUNT(*) AS n FROM ingest_devices WHERE ${where}`).get(...args) as { n: number }).n;
    return { items, count };
  }
  async allDevices(): Promise<DeviceRecord[]> {
    return (this.rs(`SELECT ${DCOLS} FROM ingest_devices ORDER BY tenant, service_path, device_id`).all() as DeviceRow[]).map(toDevice);
  }
}
