// Ingest counters per service group and per device: received, accepted, rejected by reason, last
// seen. Plain in-memory counters; snapshot() gives the JSON the metrics routes serve. Groups are
// named by their tenant and service path, never by their apikey: that is a device credential, and
// the metrics port answers without authentication.
import type { RejectReason } from './measurement.mapper.ts';

export interface Counters {
  received: number;
  accepted: number;
  rejected: number;
  rejectedBy: Partial<Record<RejectReason, number>>;
  /** Last time a measurement of this device / group was received (ISO), whatever its fate. */
  lastSeen?: string;
  /** Last rejection's reason and message. */
  lastRejection?: { reason: RejectReason; message: string; at: string };
}

export interface DeviceCounters extends Counters {
  tenant: string;
  servicePath: string;
  deviceId: string;
  /** The service group's name (groupName), not its apikey. */
  group: string;
}

/** How metrics, /iot/metrics and logs name a service group: `<tenant><servicePath>` (fiware-service and -servicepath). */
export function groupName(tenant: string, servicePath: string): string {
  return `${tenant}${servicePath}`;
}

export interface StatsSnapshot {
  total: Counters;
  groups: Record<string, Counters>;
  devices: Array<DeviceCounters & { silent: boolean }>;
  /** Measurements waiting in the write queue. */
  queued: number;
  silentAfterSeconds: number;
}

function counters(): Counters {
  return { received: 0, accepted: 0, rejected: 0, rejectedBy: {} };
}

const devKey = (tenant: string, path: string, id: string): string => `${tenant}\u0000${path}\u0000${id}`;

export class IngestStats {
  readonly total = counters();
  private readonly groups = new Map<string, Counters>();
  private readonly devices = new Map<string, DeviceCounters>();
  /** Registered devices with when they were provisioned (a never-heard device is silent after the threshold too). */
  private readonly since = new Map<string, string>();

  constructor(private readonly silentAfterMs: number, private readonly now: () => Date) {}

  private group(name: string): Counters {
    let c = this.groups.get(name);
    if (!c) this.groups.set(name, (c = counters()));
    return c;
  }
  device(tenant: string, path: string, id: string): DeviceCounters {
    const k = devKey(tenant, path, id);
    let c = this.devices.get(k);
    if (!c) this.devices.set(k, (c = { ...counters(), tenant, servicePath: path, deviceId: id, group: groupName(tenant, path) }));
    return c;
  }
  /** Called when a device is provisioned, so it can be reported silent before it ever sent. */
  provisioned(tenant: string, path: string, id: string, at: string): void {
    this.device(tenant, path, id);
    this.since.set(devKey(tenant, path, id), at);
  }
  forget(tenant: string, path: string, id: string): void {
    this.devices.delete(devKey(tenant, path, id));
    this.since.delete(devKey(tenant, path, id));
  }

  /** `group`: the group's name (groupName), undefined when the measurement belongs to no known group. */
  received(group: string | undefined, dev: DeviceCounters | undefined, at: string): void {
    this.total.received++;
    this.total.lastSeen = at;
    if (group !== undefined) { const g = this.group(group); g.received++; g.lastSeen = at; }
    if (dev) { dev.received++; dev.lastSeen = at; }
  }
  accepted(group: string, dev: DeviceCounters): void {
    this.total.accepted++;
    this.group(group).accepted++;
    dev.accepted++;
  }
  rejected(group: string | undefined, dev: DeviceCounters | undefined, reason: RejectReason, message: string, at: string): void {
    const bump = (c: Counters) => {
      c.rejected++;
      c.rejectedBy[reason] = (c.rejectedBy[reason] ?? 0) + 1;
      c.lastRejection = { reason, message, at };
    };
    bump(this.total);
    // Unknown keys are counted in the total only: a flood of random keys must not grow memory.
    if (group !== undefined && this.groups.has(group)) bump(this.group(group));
    if (dev) bump(dev);
  }

  isSilent(d: DeviceCounters): boolean {
    const ref = d.lastSeen ?? this.since.get(devKey(d.tenant, d.servicePath, d.deviceId));
    if (!ref) return false;
    return this.now().getTime() - new Date(ref).getTime() > this.silentAfterMs;
  }
  deviceSnapshot(tenant: string, path: string, id: string): (DeviceCounters & { silent: boolean }) | undefined {
    const d = this.devices.get(devKey(tenant, path, id));
    return d && { ...d, rejectedBy: { ...d.rejectedBy }, silent: this.isSilent(d) };
  }
  snapshot(queued: number, filter?: { tenant?: string }): StatsSnapshot {
    const devices = [...this.devices.values()]
      .filter((d) => filter?.tenant === undefined || d.tenant === filter.tenant)
      .map((d) => ({ ...d, rejectedBy: { ...d.rejectedBy }, silent: this.isSilent(d) }));
    const groups: Record<string, Counters> = {};
    for (const [k, c] of this.groups) groups[k] = { ...c, rejectedBy: { ...c.rejectedBy } };
    return { total: { ...this.total, rejectedBy: { ...this.total.rejectedBy } }, groups, devices, queued, silentAfterSeconds: this.silentAfterMs / 1000 };
  }
  /** Devices that are silent now (for the periodic log line). */
  silentDevices(): DeviceCounters[] {
    return [...this.devices.values()].filter((d) => this.isSilent(d));
  }
}
