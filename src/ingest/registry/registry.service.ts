// The device registry: service groups and devices (IoT Agent provisioning semantics), persisted
// through the storage port and held in memory for the hot path (lookup by apikey + device id or
// DevEUI, MQTT credentials). Autoprovisions unknown devices under a known apikey when allowed.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { AlreadyExists, BadRequestData, ResourceNotFound, StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { IngestStore, DeviceRecord, ServiceGroupRecord } from '../../storage/port.ingest.ts';
import type { Terms } from '../../ngsi-ld/context/term-map.ts';
import type { EntityService } from '../../ngsi-ld/entities/entities.service.ts';
import { entityIdOf, parseDevice, parseGroup, type AttrMapping, type DeviceSpec, type GroupSpec, type StaticAttr } from './registry.schema.ts';
import { initialEntity, MeasurementRejected, type ResolvedDevice } from '../mapping/measurement.mapper.ts';
import { groupName, type IngestStats } from '../mapping/ingest.stats.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

interface GroupEntry { rec: ServiceGroupRecord; spec: GroupSpec; terms: Terms }
interface DeviceEntry { rec: DeviceRecord; spec: DeviceSpec }

export interface RegistryDeps {
  store: IngestStore;
  entities: EntityService;
  /** Resolves a group's jsonLdContext URL (the core @context when undefined). */
  resolveTerms(url: string | undefined): Promise<Terms>;
  stats: IngestStats;
  autoprovision: boolean;
  /** Devices per tenant and service path beyond which autoprovisioning refuses (0 = no limit). */
  autoprovisionMax?: number;
  now(): string;
  log: { warn(o: object, msg: string): void; info(o: object, msg: string): void };
  /** Called after every committed provisioning change (several nodes: the others reload). */
  onChange?(): void;
  /** Several nodes share the store: an unknown apikey or device may be one another node just provisioned. */
  shared?: boolean;
  /** How long verified MQTT credentials are honoured without a new password check (ms; default 5 min). */
  mqttAuthCacheMs?: number;
}

const devKey = (tenant: string, path: string, id: string): string => `${tenant}\u0000${path}\u0000${id}`;
const keyId = (apikey: string, id: string): string => `${apikey}\u0000${id}`;
const fingerprint = (username: string, password: string): string => createHash('sha256').update(`${username}\u0000${password}`).digest('base64');

async function hashPassword(pw: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${(await scrypt(pw, salt, 32)).toString('base64')}`;
}
async function verifyPassword(pw: string, stored: string): Promise<boolean> {
  const [alg, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const got = await scrypt(pw, Buffer.from(salt, 'base64'), 32);
  const want = Buffer.from(hash, 'base64');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** A group as returned by the provisioning API: the body as given, never the password (hash). */
export function publicGroup(g: ServiceGroupRecord): Record<string, unknown> {
  const doc = { ...g.doc };
  if (doc.mqtt && typeof doc.mqtt === 'object') doc.mqtt = { username: (doc.mqtt as Record<string, unknown>).username };
  return { ...doc, apikey: g.apikey, resource: g.resource, service: g.tenant, subservice: g.servicePath };
}
export function publicDevice(d: DeviceRecord, spec: { entity_name: string; entity_type: string }): Record<string, unknown> {
  return { ...d.doc, device_id: d.deviceId, service: d.tenant, service_path: d.servicePath, entity_name: spec.entity_name, entity_type: spec.entity_type };
}

export class DeviceRegistry {
  private readonly groupsByKey = new Map<string, GroupEntry[]>();
  private readonly devices = new Map<string, DeviceEntry>();
  private readonly byEui = new Map<string, string>();
  private readonly byOwnKey = new Map<string, string>();
  private readonly byId = new Map<string, number>();
  /** Devices per tenant and service path (the autoprovisioning limit). */
  private readonly perPath = new Map<string, number>();
  private readonly resolved = new Map<string, ResolvedDevice>();
  /**
   * sha256(username:password) → apikey and when it was verified, for credentials already verified
   * (scrypt is slow by design). Bounded in lifetime; cleared when a group changes or is deleted.
   */
  private readonly verified = new Map<string, { apikey: string; at: number }>();

  constructor(private readonly d: RegistryDeps) {}

  async load(): Promise<void> {
    for (const rec of await this.d.store.allGroups()) {
      const { spec } = parseGroup(rec.doc);
      if (rec.doc.mqtt && typeof rec.doc.mqtt === 'object') spec.mqtt = { username: String((rec.doc.mqtt as Record<string, unknown>).username), passwordHash: (rec.doc.mqtt as Record<string, unknown>).passwordHash as string | undefined };
      let terms: Terms;
      try { terms = await this.d.resolveTerms(spec.jsonLdContext); } catch (e) {
        this.d.log.warn({ group: groupName(rec.tenant, rec.servicePath), context: spec.jsonLdContext, err: (e as Error).message }, 'service group @context not available; using the core @context');
        terms = await this.d.resolveTerms(undefined);
      }
      this.addGroup({ rec, spec, terms });
    }
    for (const rec of await this.d.store.allDevices()) this.addDevice({ rec, spec: parseDevice(rec.doc) });
  }

  // ---- in-memory indexes ----
  private addGroup(g: GroupEntry): void {
    const list = (this.groupsByKey.get(g.rec.apikey) ?? []).filter((x) => x.rec.resource !== g.rec.resource);
    list.push(g);
    this.groupsByKey.set(g.rec.apikey, list);
    this.changed();
  }
  private dropGroup(apikey: string, resource: string): void {
    const list = (this.groupsByKey.get(apikey) ?? []).filter((x) => x.rec.resource !== resource);
    if (list.length) this.groupsByKey.set(apikey, list); else this.groupsByKey.delete(apikey);
    this.changed();
  }
  private addDevice(e: DeviceEntry): void {
    const k = devKey(e.rec.tenant, e.rec.servicePath, e.rec.deviceId);
    if (this.devices.has(k)) this.dropDevice(k);
    this.devices.set(k, e);
    if (e.rec.devEui) this.byEui.set(e.rec.devEui, k);
    if (e.rec.apikey) this.byOwnKey.set(keyId(e.rec.apikey, e.rec.deviceId), k);
    this.byId.set(e.rec.deviceId, (this.byId.get(e.rec.deviceId) ?? 0) + 1);
    const pk = devKey(e.rec.tenant, e.rec.servicePath, '');
    this.perPath.set(pk, (this.perPath.get(pk) ?? 0) + 1);
    this.d.stats.provisioned(e.rec.tenant, e.rec.servicePath, e.rec.deviceId, e.rec.createdAt);
    this.changed();
  }
  private dropDevice(k: string): void {
    const e = this.devices.get(k);
    if (!e) return;
    this.devices.delete(k);
    if (e.rec.devEui && this.byEui.get(e.rec.devEui) === k) this.byEui.delete(e.rec.devEui);
    if (e.rec.apikey) this.byOwnKey.delete(keyId(e.rec.apikey, e.rec.deviceId));
    const n = (this.byId.get(e.rec.deviceId) ?? 1) - 1;
    if (n > 0) this.byId.set(e.rec.deviceId, n); else this.byId.delete(e.rec.deviceId);
    const pk = devKey(e.rec.tenant, e.rec.servicePath, '');
    const m = (this.perPath.get(pk) ?? 1) - 1;
    if (m > 0) this.perPath.set(pk, m); else this.perPath.delete(pk);
    this.changed();
  }
  private changed(): void { this.resolved.clear(); }

  /** The group a device belongs to: its own apikey's group, else the group of its tenant and path with its entity_type (or the only one). */
  private groupFor(e: DeviceEntry): GroupEntry | undefined {
    if (e.rec.apikey) {
      const own = this.groupsByKey.get(e.rec.apikey)?.find((g) => g.rec.tenant === e.rec.tenant);
      if (own) return own;
    }
    // Same tenant and path: the group of the device's entity_type, else the only group there.
    const here: GroupEntry[] = [];
    for (const list of this.groupsByKey.values()) {
      for (const g of list) {
        if (g.rec.tenant !== e.rec.tenant || g.rec.servicePath !== e.rec.servicePath) continue;
        if (e.spec.entity_type && g.spec.entity_type === e.spec.entity_type) return g;
        here.push(g);
      }
    }
    return here.length === 1 ? here[0] : undefined;
  }

  private build(e: DeviceEntry, g: GroupEntry | undefined, apikey: string): ResolvedDevice {
    const type = e.spec.entity_type ?? g?.spec.entity_type ?? 'Thing';
    const terms = g?.terms ?? this.coreTerms!;
    const mappings = new Map<string, AttrMapping>();
    for (const m of g?.spec.attributes ?? []) mappings.set(m.object_id, m);
    for (const m of e.spec.attributes) mappings.set(m.object_id, m);
    const statics = new Map<string, StaticAttr>();
    for (const s of [...(g?.spec.static_attributes ?? []), ...e.spec.static_attributes]) statics.set(s.name, s);
    return {
      tenant: e.rec.tenant, servicePath: e.rec.servicePath, deviceId: e.rec.deviceId, apikey,
      entityId: entityIdOf(e.spec, type), entityType: terms.expandType(type), terms, mappings,
      statics: [...statics.values()],
      explicitAttrs: e.spec.explicitAttrs ?? g?.spec.explicitAttrs ?? false,
      timestamp: e.spec.timestamp ?? g?.spec.timestamp ?? true,
    };
  }
  private coreTerms?: Terms;
  async init(): Promise<void> {
    this.coreTerms = await this.d.resolveTerms(undefined);
    await this.load();
  }

  private reloading?: Promise<void>;
  private reloadAgain = false;
  private lastMissReload = 0;

  /**
   * Several nodes: a reload to run before an unknown apikey or device is refused (another node may
   * have provisioned it a moment ago, before its notice arrived). At most one per second, so that
   * a flood of unknown keys cannot keep the database busy; undefined = refuse now.
   */
  reloadOnMiss(): Promise<void> | undefined {
    if (!this.d.shared) return undefined;
    if (this.reloading) return this.reloading;
    const now = Date.now();
    if (now - this.lastMissReload < 1000) return undefined;
    this.lastMissReload = now;
    return this.reload();
  }

  /**
   * Reads groups and devices from the store again (another node changed them). Built aside and
   * swapped in at once, so lookups never see a half-loaded registry; calls during a reload run one
   * more reload after it.
   */
  reload(): Promise<void> {
    if (this.reloading) { this.reloadAgain = true; return this.reloading; }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        const fresh = new DeviceRegistry({ ...this.d, onChange: undefined });
        fresh.coreTerms = this.coreTerms;
        await fresh.load();
        for (const [k, e] of this.devices) if (!fresh.devices.has(k)) this.d.stats.forget(e.rec.tenant, e.rec.servicePath, e.rec.deviceId);
        for (const [mine, theirs] of [[this.groupsByKey, fresh.groupsByKey], [this.devices, fresh.devices], [this.byEui, fresh.byEui],
          [this.byOwnKey, fresh.byOwnKey], [this.byId, fresh.byId], [this.perPath, fresh.perPath]] as Array<[Map<string, unknown>, Map<string, unknown>]>) {
          mine.clear();
          for (const [k, v] of theirs) mine.set(k, v);
        }
        this.resolved.clear();
        this.forgetVerified();
      } while (this.reloadAgain);
    })().finally(() => { this.reloading = undefined; });
    return this.reloading;
  }

  // ---- hot path ----
  /** The device that sends with this apikey and id; autoprovisions when allowed. Throws MeasurementRejected. */
  lookup(apikey: string, deviceId: string): ResolvedDevice {
    const ck = keyId(apikey, deviceId);
    const hit = this.resolved.get(ck);
    if (hit) return hit;
    const groups = this.groupsByKey.get(apikey);
    let out: ResolvedDevice | undefined;
    if (groups) {
      for (const g of groups) {
        const e = this.devices.get(devKey(g.rec.tenant, g.rec.servicePath, deviceId));
        if (!e) continue;
        if (e.rec.apikey && e.rec.apikey !== apikey) throw new MeasurementRejected('wrong_apikey', `Device ${deviceId} is provisioned with another apikey`);
        out = this.build(e, g, apikey);
        break;
      }
    }
    if (!out) {
      const own = this.byOwnKey.get(ck);
      if (own) {
        const e = this.devices.get(own)!;
        out = this.build(e, this.groupFor(e), apikey);
      }
    }
    if (!out && groups) {
      const g = groups[0];
      if (!this.d.autoprovision || !g.spec.autoprovision) throw new MeasurementRejected('unknown_device', `Device ${deviceId} is not provisioned under this apikey and autoprovisioning is off`);
      const max = this.d.autoprovisionMax ?? 0;
      if (max > 0 && (this.perPath.get(devKey(g.rec.tenant, g.rec.servicePath, '')) ?? 0) >= max) {
        // A leaked apikey must not let anyone create devices (and entities) without end.
        throw new MeasurementRejected('unknown_device', `Device ${deviceId} is not provisioned, and this service path already holds ${max} devices (DREHSCHEIBE_INGEST_AUTOPROVISION_MAX): provision it explicitly`);
      }
      out = this.build(this.autoprovision(g, deviceId), g, apikey);
    }
    if (!out) {
      if (this.byId.has(deviceId)) throw new MeasurementRejected('wrong_apikey', `The apikey is not the one device ${deviceId} is provisioned with`);
      throw new MeasurementRejected('unknown_apikey', 'No service group or device has this apikey');
    }
    this.resolved.set(ck, out);
    return out;
  }

  /** A LoRaWAN device by DevEUI (the webhook's apikey, when given, must match its group). */
  lookupByDevEui(devEui: string, apikey?: string): ResolvedDevice {
    const k = this.byEui.get(devEui.toLowerCase());
    if (!k) throw new MeasurementRejected('unknown_device', `No device has the DevEUI ${devEui}`);
    const e = this.devices.get(k)!;
    const g = this.groupFor(e);
    const key = e.rec.apikey ?? g?.rec.apikey ?? '';
    if (apikey !== undefined && apikey !== key) throw new MeasurementRejected('wrong_apikey', `The apikey is not the one device ${e.rec.deviceId} is provisioned with`);
    return this.build(e, g, key);
  }

  private autoprovision(g: GroupEntry, deviceId: string): DeviceEntry {
    const now = this.d.now();
    const doc: Record<string, unknown> = { device_id: deviceId, autoprovisioned: true };
    const e: DeviceEntry = { rec: { tenant: g.rec.tenant, servicePath: g.rec.servicePath, deviceId, createdAt: now, modifiedAt: now, doc }, spec: parseDevice(doc) };
    this.addDevice(e);
    this.d.store.createDevice(e.rec).then(
      () => { this.d.log.info({ group: groupName(g.rec.tenant, g.rec.servicePath), deviceId }, 'device autoprovisioned'); this.d.onChange?.(); },
      (err) => { if (!(err instanceof StorageConflict)) this.d.log.warn({ deviceId, err: (err as Error).message }, 'autoprovisioned device not persisted'); },
    );
    return e;
  }

  /** Drops every cached MQTT verification (a group changed); checks in flight do not cache their result. */
  private forgetVerified(): void {
    this.verified.clear();
    this.verifiedGen++;
  }
  private verifiedGen = 0;

  /** MQTT: the apikey of credentials verified within the cache lifetime (no password check), or undefined. */
  cachedMqttCredentials(username: string, password: string): string | undefined {
    const fp = fingerprint(username, password);
    const known = this.verified.get(fp);
    if (!known) return undefined;
    if (Date.parse(this.d.now()) - known.at > (this.d.mqttAuthCacheMs ?? 300_000)) { this.verified.delete(fp); return undefined; }
    return this.groupsByKey.get(known.apikey)?.some((g) => g.spec.mqtt?.username === username) ? known.apikey : undefined;
  }

  /** MQTT: the apikey whose group has these credentials, or undefined. */
  async checkMqttCredentials(username: string, password: string): Promise<string | undefined> {
    const known = this.cachedMqttCredentials(username, password);
    if (known) return known;
    const gen = this.verifiedGen;
    for (const list of [...this.groupsByKey.values()]) {
      for (const g of list) {
        if (g.spec.mqtt?.username !== username || !g.spec.mqtt.passwordHash) continue;
        if (await verifyPassword(password, g.spec.mqtt.passwordHash)) {
          // Changed or deleted meanwhile: the answer stands for this login, but is not cached.
          if (gen !== this.verifiedGen) return this.groupsByKey.get(g.rec.apikey)?.includes(g) ? g.rec.apikey : undefined;
          if (this.verified.size > 10_000) this.verified.clear();
          this.verified.set(fingerprint(username, password), { apikey: g.rec.apikey, at: Date.parse(this.d.now()) });
          return g.rec.apikey;
        }
      }
    }
    return undefined;
  }
  hasApikey(apikey: string): boolean { return this.groupsByKey.has(apikey); }
  /** The name of the (first) service group with this apikey, for counters and logs; never the key. */
  groupNameOf(apikey: string): string | undefined {
    const g = this.groupsByKey.get(apikey)?.[0];
    return g && groupName(g.rec.tenant, g.rec.servicePath);
  }

  // ---- provisioning (IoT Agent API semantics) ----
  async createGroups(tenant: string, servicePath: string, bodies: unknown[]): Promise<void> {
    const parsed = bodies.map((b, i) => parseGroup(b, `services[${i}]`));
    const entries: GroupEntry[] = [];
    for (const [i, { spec, password }] of parsed.entries()) {
      if (this.groupsByKey.get(spec.apikey)?.some((g) => g.rec.resource === spec.resource) || parsed.findIndex((p) => p.spec.apikey === spec.apikey && p.spec.resource === spec.resource) !== i) {
        throw new AlreadyExists(`A service group with apikey ${spec.apikey} and resource ${spec.resource} already exists`);
      }
      const terms = await this.d.resolveTerms(spec.jsonLdContext);
      const doc = { ...(bodies[i] as Record<string, unknown>) };
      delete doc.service; delete doc.subservice;
      if (spec.mqtt) {
        spec.mqtt.passwordHash = password ? await hashPassword(password) : undefined;
        doc.mqtt = { username: spec.mqtt.username, passwordHash: spec.mqtt.passwordHash };
      }
      const now = this.d.now();
      entries.push({ rec: { tenant, servicePath, apikey: spec.apikey, resource: spec.resource, createdAt: now, modifiedAt: now, doc }, spec, terms });
    }
    for (const g of entries) {
      try { await this.d.store.createGroup(g.rec); } catch (err) {
        if (err instanceof StorageConflict) throw new AlreadyExists(`A service group with apikey ${g.rec.apikey} and resource ${g.rec.resource} already exists`, { cause: err });
        throw err;
      }
      this.addGroup(g);
    }
    this.d.onChange?.();
  }

  listGroups(tenant: string, servicePath: string | undefined, filter: { apikey?: string; resource?: string }): ServiceGroupRecord[] {
    const out: ServiceGroupRecord[] = [];
    for (const list of this.groupsByKey.values()) for (const g of list) {
      if (g.rec.tenant !== tenant || (servicePath !== undefined && servicePath !== '/*' && g.rec.servicePath !== servicePath)) continue;
      if ((filter.apikey && g.rec.apikey !== filter.apikey) || (filter.resource && g.rec.resource !== filter.resource)) continue;
      out.push(g.rec);
    }
    return out.sort((a, b) => (a.apikey + a.resource).localeCompare(b.apikey + b.resource));
  }

  private findGroup(tenant: string, servicePath: string, apikey: string, resource: string): GroupEntry {
    const g = this.groupsByKey.get(apikey)?.find((x) => x.rec.resource === resource && x.rec.tenant === tenant && x.rec.servicePath === servicePath);
    if (!g) throw new ResourceNotFound(`No service group with apikey ${apikey} and resource ${resource} in this fiware-service and fiware-servicepath`);
    return g;
  }

  /** PUT /iot/services: fields of the body replace those of the group (apikey and resource stay). */
  async updateGroup(tenant: string, servicePath: string, apikey: string, resource: string, body: Record<string, unknown>): Promise<void> {
    const g = this.findGroup(tenant, servicePath, apikey, resource);
    const merged: Record<string, unknown> = { ...g.rec.doc, ...body, apikey, resource };
    delete merged.service; delete merged.subservice;
    const { spec, password } = parseGroup({ ...merged, mqtt: body.mqtt ?? (g.spec.mqtt ? { username: g.spec.mqtt.username } : undefined) });
    if (spec.mqtt) {
      spec.mqtt.passwordHash = password ? await hashPassword(password) : body.mqtt === undefined ? g.spec.mqtt?.passwordHash : undefined;
      merged.mqtt = { username: spec.mqtt.username, passwordHash: spec.mqtt.passwordHash };
    }
    const terms = await this.d.resolveTerms(spec.jsonLdContext);
    const rec: ServiceGroupRecord = { ...g.rec, modifiedAt: this.d.now(), doc: merged };
    await this.d.store.updateGroup(rec);
    this.forgetVerified();
    this.addGroup({ rec, spec, terms });
    this.d.onChange?.();
  }

  async deleteGroup(tenant: string, servicePath: string, apikey: string, resource: string): Promise<void> {
    this.findGroup(tenant, servicePath, apikey, resource);
    await this.d.store.deleteGroup(apikey, resource);
    this.forgetVerified();
    this.dropGroup(apikey, resource);
    this.d.onChange?.();
  }

  /** POST /iot/devices: all validated first; each device's entity is created (upserted) with its static attributes. */
  async createDevices(tenant: string, servicePath: string, bodies: unknown[]): Promise<void> {
    const specs = bodies.map((b, i) => parseDevice(b, `devices[${i}]`));
    specs.forEach((s, i) => {
      if (this.devices.has(devKey(tenant, servicePath, s.device_id)) || specs.findIndex((x) => x.device_id === s.device_id) !== i) throw new AlreadyExists(`Device ${s.device_id} already exists in this fiware-service and fiware-servicepath`);
      if (s.devEui && (this.byEui.has(s.devEui) || specs.findIndex((x) => x.devEui === s.devEui) !== i)) throw new AlreadyExists(`Another device has the DevEUI ${s.devEui}`);
    });
    const now = this.d.now();
    const entries = specs.map((spec, i): DeviceEntry => {
      const doc = { ...(bodies[i] as Record<string, unknown>) };
      delete doc.service; delete doc.service_path;
      return { rec: { tenant, servicePath, deviceId: spec.device_id, apikey: spec.apikey, devEui: spec.devEui, createdAt: now, modifiedAt: now, doc }, spec };
    });
    // Mapping errors of static attributes surface before anything is stored.
    const initial = entries.map((e) => { const g = this.groupFor(e); const r = this.build(e, g, e.rec.apikey ?? g?.rec.apikey ?? ''); return { r, entity: this.initialOrReject(r) }; });
    for (const e of entries) {
      try { await this.d.store.createDevice(e.rec); } catch (err) {
        if (err instanceof StorageConflict) throw new AlreadyExists(`Device ${e.rec.deviceId} (or its DevEUI) already exists`, { cause: err });
        throw err;
      }
      this.addDevice(e);
    }
    await this.upsertEntities(tenant, initial);
    this.d.onChange?.();
  }

  private initialOrReject(r: ResolvedDevice) {
    try { return initialEntity(r, this.d.now()); } catch (e) {
      if (e instanceof MeasurementRejected) throw new BadRequestData(`static_attributes: ${e.message}`);
      throw e;
    }
  }

  private async upsertEntities(tenant: string, list: Array<{ r: ResolvedDevice; entity: ReturnType<typeof initialEntity> }>): Promise<void> {
    if (list.length === 0) return;
    await this.d.entities.batchUpsert(tenant, list.map((x) => ({ id: x.r.entityId, entity: x.entity })), 'update');
  }

  device(tenant: string, servicePath: string, deviceId: string): { rec: DeviceRecord; resolved: ResolvedDevice; entityType: string } {
    const e = this.devices.get(devKey(tenant, servicePath, deviceId));
    if (!e) throw new ResourceNotFound(`No device ${deviceId} in this fiware-service and fiware-servicepath`);
    const g = this.groupFor(e);
    return { rec: e.rec, resolved: this.build(e, g, e.rec.apikey ?? g?.rec.apikey ?? ''), entityType: e.spec.entity_type ?? g?.spec.entity_type ?? 'Thing' };
  }

  listDevices(tenant: string, servicePath: string | undefined): DeviceRecord[] {
    const out: DeviceRecord[] = [];
    for (const e of this.devices.values()) {
      if (e.rec.tenant !== tenant || (servicePath !== undefined && servicePath !== '/*' && e.rec.servicePath !== servicePath)) continue;
      out.push(e.rec);
    }
    return out.sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  }

  /** PUT /iot/devices/:id: fields of the body replace those of the device (device_id stays). */
  async updateDevice(tenant: string, servicePath: string, deviceId: string, body: Record<string, unknown>): Promise<void> {
    const old = this.devices.get(devKey(tenant, servicePath, deviceId));
    if (!old) throw new ResourceNotFound(`No device ${deviceId} in this fiware-service and fiware-servicepath`);
    const doc: Record<string, unknown> = { ...old.rec.doc, ...body, device_id: deviceId };
    delete doc.service; delete doc.service_path;
    const spec = parseDevice(doc);
    if (spec.devEui && this.byEui.has(spec.devEui) && this.byEui.get(spec.devEui) !== devKey(tenant, servicePath, deviceId)) throw new AlreadyExists(`Another device has the DevEUI ${spec.devEui}`);
    const rec: DeviceRecord = { ...old.rec, apikey: spec.apikey, devEui: spec.devEui, modifiedAt: this.d.now(), doc };
    const e = { rec, spec };
    const g = this.groupFor(e);
    const r = this.build(e, g, rec.apikey ?? g?.rec.apikey ?? '');
    const entity = this.initialOrReject(r);
    try { await this.d.store.updateDevice(rec); } catch (err) {
      if (err instanceof StorageConflict) throw new AlreadyExists(`Another device has the DevEUI ${spec.devEui}`, { cause: err });
      if (err instanceof StorageNotFound) throw new ResourceNotFound(`No device ${deviceId}`, { cause: err });
      throw err;
    }
    this.addDevice(e);
    await this.upsertEntities(tenant, [{ r, entity }]);
    this.d.onChange?.();
  }

  /** DELETE /iot/devices/:id: the registry entry only; the entity and its history stay. */
  async deleteDevice(tenant: string, servicePath: string, deviceId: string): Promise<void> {
    const k = devKey(tenant, servicePath, deviceId);
    if (!this.devices.has(k)) throw new ResourceNotFound(`No device ${deviceId} in this fiware-service and fiware-servicepath`);
    await this.d.store.deleteDevice(tenant, servicePath, deviceId);
    this.dropDevice(k);
    this.d.stats.forget(tenant, servicePath, deviceId);
    this.d.onChange?.();
  }
}
