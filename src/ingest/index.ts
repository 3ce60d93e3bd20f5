// The ingest domain as app.ts and main.ts see it: the registry, the pipeline, its HTTP routes and the
// MQTT transports (embedded aedes broker, or an external broker with shared subscriptions).
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import type { EntityService } from '../ngsi-ld/entities/entities.service.ts';
import type { Terms } from '../ngsi-ld/context/term-map.ts';
import type { IngestStore } from '../storage/port.ingest.ts';
import { DeviceRegistry } from './registry/registry.service.ts';
import { IngestPipeline } from './mapping/ingest.pipeline.ts';
import { IngestStats } from './mapping/ingest.stats.ts';
import { provisioningRoutes } from './http/provisioning.routes.ts';
import { measureRoutes } from './http/measures.routes.ts';
import { ingestErrorHandler } from './http/ingest.http.ts';
import { lorawanRoutes } from './lorawan/lorawan.routes.ts';
import { EmbeddedBroker } from './mqtt/embedded.broker.ts';
import { ExternalBrokerIngest } from './mqtt/external.client.ts';
import { Simulator, type Provisioner } from './simulator/simulator.ts';
import { AlreadyExists } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import type { ClusterFeed } from '../storage/port.cluster.ts';

export { IngestStats, type StatsSnapshot } from './mapping/ingest.stats.ts';
export type { Outcome, RawMeasurement } from './mapping/ingest.pipeline.ts';

interface Logger {
  info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void;
  child(b: object): Logger;
}

export interface IngestDeps {
  config: Readonly<Config>;
  store: IngestStore;
  entities: EntityService;
  resolveTerms(url: string | undefined): Promise<Terms>;
  clock: Clock;
  log: Logger;
  version: string;
  /** Several nodes (PostgreSQL): provisioning changes are announced on the feed, and the bus brings the others'. */
  cluster?: { feed: ClusterFeed; bus: EventBus };
}

export class Ingest {
  readonly stats: IngestStats;
  readonly registry: DeviceRegistry;
  readonly pipeline: IngestPipeline;
  private broker?: EmbeddedBroker;
  private external?: ExternalBrokerIngest;
  private silentTimer?: NodeJS.Timeout;
  /** `module: 'ingest'`; sub-modules are children of d.log (a child of this one would repeat the key). */
  private readonly log: IngestDeps['log'];

  constructor(private readonly d: IngestDeps) {
    const c = d.config.ingest;
    this.log = d.log.child({ module: 'ingest' });
    const now = () => d.clock.now();
    this.stats = new IngestStats(c.silentAfterS * 1000, now);
    this.registry = new DeviceRegistry({
      store: d.store, entities: d.entities, resolveTerms: d.resolveTerms, stats: this.stats,
      autoprovision: c.autoprovision, autoprovisionMax: c.autoprovisionMax, now: () => now().toISOString(), log: d.log.child({ module: 'ingest.registry' }),
      onChange: d.cluster ? () => this.announce() : undefined, shared: d.cluster !== undefined, mqttAuthCacheMs: c.mqttAuthCacheS * 1000,
    });
    d.cluster?.bus.on('cluster.registry', () => {
      this.registry.reload().catch((e) => this.log.warn({ err: e }, 'device registry could not be read again after a change on another node'));
    });
    this.pipeline = new IngestPipeline(this.registry, d.entities, this.stats, {
      queueMax: c.queueMax, batchMax: c.batchMax, flushMs: c.flushMs, deviceRate: c.deviceRate, deviceBurst: c.deviceBurst, maxPayload: c.maxPayload, maxDepth: d.config.maxJsonDepth,
    }, now, this.log);
  }

  async init(): Promise<void> {
    await this.registry.init();
  }

  private announcing?: NodeJS.Timeout;
  /** Tells the other nodes that the registry changed; changes within 100 ms share one notice. */
  private announce(): void {
    const feed = this.d.cluster?.feed;
    if (!feed || this.announcing) return;
    this.announcing = setTimeout(() => {
      this.announcing = undefined;
      feed.publish([{ kind: 'registry' }]).catch((e) => this.log.warn({ err: e }, 'device registry change could not be announced to the other nodes'));
    }, 100);
    this.announcing.unref();
  }

  /** Registers the provisioning, measurement and LoRaWAN routes (each family with its own error handler and body parsing). */
  async routes(app: FastifyInstance): Promise<void> {
    await app.register(async (api) => {
      api.setErrorHandler(ingestErrorHandler);
      await provisioningRoutes(api, this.registry, this.pipeline, { version: this.d.version, port: this.d.config.port });
    });
    await app.register(async (api) => { await measureRoutes(api, this.pipeline, this.d.config.ingest.maxPayload); });
    await app.register(async (api) => { await lorawanRoutes(api, this.pipeline, this.d.config.ingest.maxPayload); });
  }

  /**
   * Starts MQTT: the embedded broker on MQTT_PORT (0 = off) unless MQTT_URL names an external broker.
   * `port` overrides MQTT_PORT (tests use free ports). Returns the embedded broker's port (0 when none).
   */
  async startMqtt(opts: { port?: number; topicPrefix?: string } = {}): Promise<number> {
    const c = this.d.config;
    const log = this.d.log.child({ module: 'ingest.mqtt' });
    if (c.mqttUrl) {
      this.external = new ExternalBrokerIngest(this.pipeline, {
        url: c.mqttUrl, shareGroup: c.ingest.mqttShareGroup, caFile: c.ingest.mqttCa, certFile: c.ingest.mqttCert, keyFile: c.ingest.mqttKey,
        rejectUnauthorized: c.ingest.mqttRejectUnauthorized, topicPrefix: opts.topicPrefix,
      }, log);
      await this.external.start();
      return 0;
    }
    const port = opts.port ?? c.mqttPort;
    if (port === 0 && opts.port === undefined) return 0;
    this.broker = new EmbeddedBroker(this.registry, this.pipeline, {
      port, host: c.host, anonymous: c.ingest.mqttAnonymous, maxPacket: c.ingest.maxPayload + 64 * 1024,
      authFailuresPerAddress: c.ingest.mqttAuthFailuresPerAddress, authFailuresPerUsername: c.ingest.mqttAuthFailuresPerUsername,
      tls: c.ingest.mqttTlsCert && c.ingest.mqttTlsKey ? { certFile: c.ingest.mqttTlsCert, keyFile: c.ingest.mqttTlsKey } : undefined,
    }, log);
    await this.broker.start();
    return this.broker.port;
  }

  /**
   * The demo: provisions the simulated Herne fleet through the registry (the provisioning API's
   * operations, in process) and publishes over MQTT to the embedded broker or MQTT_URL.
   */
  async startDemo(opts: { password: string; intervalMs: number; embeddedPort?: number }): Promise<Simulator> {
    const c = this.d.config;
    const brokerUrl = c.mqttUrl ?? `mqtt://127.0.0.1:${opts.embeddedPort ?? this.broker?.port ?? 0}`;
    if (!c.mqttUrl && !this.broker) throw new Error('the demo simulator needs MQTT: the embedded broker is off (MQTT_PORT=0) and MQTT_URL is unset');
    const sim = new Simulator({
      service: 'herne', servicePath: '/simulated', intervalMs: opts.intervalMs, password: opts.password,
      brokerCredentials: !c.mqttUrl, log: this.d.log.child({ module: 'ingest.simulator' }), now: () => this.d.clock.now(),
    });
    await sim.provision(this.inProcessProvisioner());
    await sim.start(brokerUrl);
    this.simulator = sim;
    return sim;
  }
  private simulator?: Simulator;

  private inProcessProvisioner(): Provisioner {
    const r = this.registry;
    return {
      async groups(service, path, groups) {
        for (const g of groups) {
          try { await r.createGroups(service, path, [g]); } catch (e) {
            if (!(e instanceof AlreadyExists)) throw e;
            await r.updateGroup(service, path, String(g.apikey), '/iot/json', g);
          }
        }
      },
      async devices(service, path, devices) {
        for (const d of devices) {
          try { await r.createDevices(service, path, [d]); } catch (e) { if (!(e instanceof AlreadyExists)) throw e; }
        }
      },
    };
  }

  /** Logs devices that fell silent, once a minute. */
  watchSilence(intervalMs = 60_000): void {
    const reported = new Set<string>();
    this.silentTimer = setInterval(() => {
      for (const dev of this.stats.silentDevices()) {
        const k = `${dev.tenant}\u0000${dev.servicePath}\u0000${dev.deviceId}`;
        if (reported.has(k)) continue;
        reported.add(k);
        this.log.warn({ tenant: dev.tenant, servicePath: dev.servicePath, deviceId: dev.deviceId, lastSeen: dev.lastSeen }, 'device silent');
      }
      if (reported.size > 100_000) reported.clear();
    }, intervalMs);
    this.silentTimer.unref();
  }

  async close(): Promise<void> {
    if (this.silentTimer) clearInterval(this.silentTimer);
    await this.simulator?.stop();
    await this.external?.stop();
    await this.broker?.stop();
    await this.pipeline.close();
  }
}
