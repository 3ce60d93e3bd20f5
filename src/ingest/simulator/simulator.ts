// The demo simulator: provisions the Herne fleet (herne.fleet.ts) through the provisioning API, as
// an operator would, then publishes each device's measurements over MQTT (IoT Agent JSON topics)
// every few seconds. Used by `npm run simulate` (over HTTP) and DREHSCHEIBE_DEMO (in process).
import mqtt, { type MqttClient } from 'mqtt';
import { herneFleet, type SimDevice, type SimGroup } from './herne.fleet.ts';

/** The provisioning API as the simulator needs it: over HTTP, or the registry in process. */
export interface Provisioner {
  /** Creates the groups; groups that exist already are updated (credentials) instead. */
  groups(service: string, path: string, groups: Array<Record<string, unknown>>): Promise<void>;
  /** Creates the devices; devices that exist already are left as they are. */
  devices(service: string, path: string, devices: Array<Record<string, unknown>>): Promise<void>;
}

export interface SimulatorOptions {
  service: string;
  servicePath: string;
  /** Time between two messages of one device. */
  intervalMs: number;
  /** MQTT password of the simulated service groups (username = apikey). */
  password: string;
  /** Send credentials to the broker (the embedded one wants them; an external broker has its own). */
  brokerCredentials: boolean;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
  now?: () => Date;
}

export class Simulator {
  readonly groups: SimGroup[];
  readonly devices: SimDevice[];
  private readonly clients = new Map<string, MqttClient>();
  private timer?: NodeJS.Timeout;
  sent = 0;

  constructor(private readonly o: SimulatorOptions) {
    const fleet = herneFleet();
    this.groups = fleet.groups;
    this.devices = fleet.devices;
  }

  async provision(p: Provisioner): Promise<void> {
    await p.groups(this.o.service, this.o.servicePath, this.groups.map((g) => ({ ...g.service, mqtt: { username: g.apikey, password: this.o.password } })));
    await p.devices(this.o.service, this.o.servicePath, this.groups.flatMap((g) => g.devices));
    this.o.log.info({ groups: this.groups.length, devices: this.devices.length, service: this.o.service }, 'simulator: fleet provisioned');
  }

  async start(brokerUrl: string): Promise<void> {
    for (const g of this.groups) {
      const c = await mqtt.connectAsync(brokerUrl, {
        clientId: `drehscheibe-sim-${g.apikey}-${process.pid}`,
        username: this.o.brokerCredentials ? g.apikey : undefined,
        password: this.o.brokerCredentials ? this.o.password : undefined,
        reconnectPeriod: 5000,
      });
      c.on('error', (e) => this.o.log.warn({ err: e.message, entityType: g.service.entity_type }, 'simulator: MQTT error'));
      this.clients.set(g.apikey, c);
    }
    const now = this.o.now ?? (() => new Date());
    const n = this.devices.length;
    // Spread the devices over the interval; check every 250 ms which are due.
    const due = this.devices.map((_, i) => now().getTime() + Math.round((i * this.o.intervalMs) / n));
    this.timer = setInterval(() => {
      const t = now();
      this.devices.forEach((d, i) => {
        if (t.getTime() < due[i]) return;
        due[i] += this.o.intervalMs;
        if (due[i] < t.getTime()) due[i] = t.getTime() + this.o.intervalMs;
        this.clients.get(d.apikey)?.publish(`/${d.apikey}/${d.deviceId}/attrs`, JSON.stringify(d.next(t)), { qos: 0 });
        this.sent++;
      });
    }, 250);
    this.timer.unref();
    this.o.log.info({ broker: brokerUrl.replace(/\/\/[^@/]*@/, '//***@'), devices: n, intervalMs: this.o.intervalMs }, 'simulator: publishing (simulated data)');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.clients.values()].map((c) => c.endAsync().catch(() => undefined)));
    this.clients.clear();
  }
}

/** Provisioning over HTTP against a running Drehscheibe (npm run simulate). */
export function httpProvisioner(baseUrl: string, token?: string): Provisioner {
  const call = async (method: string, path: string, service: string, servicePath: string, body: unknown): Promise<number> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'fiware-service': service, 'fiware-servicepath': servicePath };
    if (token) headers.authorization = `Bearer ${token}`;
    const r = await fetch(`${baseUrl}${path}`, { method, headers, body: JSON.stringify(body) });
    if (r.status === 401 && !token) throw new Error(`${method} ${path}: 401 — access control is on; pass an operator or steward API key, e.g. npm run simulate -- --token=$(cat data/admin-key)`);
    if (r.status >= 400 && r.status !== 409) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.status;
  };
  return {
    async groups(service, path, groups) {
      for (const g of groups) {
        if (await call('POST', '/iot/services', service, path, { services: [g] }) === 409) {
          await call('PUT', `/iot/services?apikey=${encodeURIComponent(String(g.apikey))}&resource=/iot/json`, service, path, g);
        }
      }
    },
    async devices(service, path, devices) {
      if (await call('POST', '/iot/devices', service, path, { devices }) !== 409) return;
      for (const d of devices) await call('POST', '/iot/devices', service, path, { devices: [d] });
    },
  };
}
