// The ingest part of the storage port: the device registry (IoT Agent service groups and devices).
// Records are opaque JSON to the store; only the lookup keys (tenant, path, apikey, resource,
// device id, DevEUI) are columns.

/** A service group (IoT Agent "service"): an API key with defaults for its devices. */
export interface ServiceGroupRecord {
  tenant: string;
  servicePath: string;
  apikey: string;
  resource: string;
  createdAt: string;
  modifiedAt: string;
  /** The provisioning body as stored (IoT Agent JSON field names). */
  doc: Record<string, unknown>;
}

/** A provisioned device. */
export interface DeviceRecord {
  tenant: string;
  servicePath: string;
  deviceId: string;
  /** The device's own apikey, when the provisioning body named one (else the group's). */
  apikey?: string;
  /** LoRaWAN DevEUI, lower-case hex, when the device is a LoRaWAN device. */
  devEui?: string;
  createdAt: string;
  modifiedAt: string;
  doc: Record<string, unknown>;
}

export interface IngestStore {
  /** Throws StorageConflict when (apikey, resource) exists. */
  createGroup(g: ServiceGroupRecord): Promise<void>;
  /** Replaces doc and modifiedAt; throws StorageNotFound if absent. */
  updateGroup(g: ServiceGroupRecord): Promise<void>;
  /** Returns false when no such group existed. */
  deleteGroup(apikey: string, resource: string): Promise<boolean>;
  getGroup(apikey: string, resource: string): Promise<ServiceGroupRecord | undefined>;
  /** Groups of one tenant (and service path, when given), ordered by apikey. */
  listGroups(tenant: string, servicePath?: string): Promise<ServiceGroupRecord[]>;
  /** Every group of every tenant (start-up: the registry's caches are built from it). */
  allGroups(): Promise<ServiceGroupRecord[]>;

  /** Throws StorageConflict when (tenant, servicePath, deviceId) exists or the DevEUI is taken. */
  createDevice(d: DeviceRecord): Promise<void>;
  /** Replaces apikey, devEui, doc and modifiedAt; throws StorageNotFound if absent. */
  updateDevice(d: DeviceRecord): Promise<void>;
  deleteDevice(tenant: string, servicePath: string, deviceId: string): Promise<boolean>;
  getDevice(tenant: string, servicePath: string, deviceId: string): Promise<DeviceRecord | undefined>;
  getDeviceByDevEui(devEui: string): Promise<DeviceRecord | undefined>;
  /** One page of a tenant's devices (and service path, when given) ordered by device id, and the total. */
  listDevices(tenant: string, servicePath: string | undefined, page: { limit: number; offset: number }): Promise<{ items: DeviceRecord[]; count: number }>;
  allDevices(): Promise<DeviceRecord[]>;
}
