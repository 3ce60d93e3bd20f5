// The embedded MQTT broker (aedes) on MQTT_PORT: devices authenticate with their service group's
// username/password (or anonymously when allowed) and may publish and subscribe only under their
// group's apikey. Measurements are taken in process from the broker's publish event (no network hop).
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { DeviceRegistry } from '../registry/registry.service.ts';
import type { IngestPipeline } from '../mapping/ingest.pipeline.ts';
import { parseMeasureTopic, topicApikey } from './mqtt.topics.ts';
import { limitPackets } from './packet-limit.ts';

export interface EmbeddedBrokerOptions {
  port: number;
  host: string;
  /** Largest MQTT packet in bytes (payload limit plus room for topic and properties). */
  maxPacket: number;
  /** Clients without username may connect; the apikey in the topic is then the only check (IoT Agent default). */
  anonymous: boolean;
  tls?: { certFile: string; keyFile: string };
}

interface Logger { info(o: object, msg: string): void; warn(o: object, msg: string): void }

function authError(msg: string, code: 4 | 5): AuthenticateError {
  return Object.assign(new Error(msg), { returnCode: code }) as AuthenticateError;
}

export class EmbeddedBroker {
  private aedes?: Aedes;
  private server?: Server;
  /** apikey a client authenticated for; absent for anonymous clients. */
  private readonly keys = new WeakMap<Client, string>();
  port = 0;

  constructor(private readonly registry: DeviceRegistry, private readonly pipeline: IngestPipeline, private readonly opts: EmbeddedBrokerOptions, private readonly log: Logger) {}

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        if (!username) {
          if (this.opts.anonymous) return done(null, true);
          return done(authError('username and password of a service group are required', 4), false);
        }
        this.registry.checkMqttCredentials(username, password?.toString() ?? '').then((apikey) => {
          if (!apikey) return done(authError('bad username or password', 4), false);
          this.keys.set(client, apikey);
          done(null, true);
        }, (e: Error) => done(authError(e.message, 4), false));
      },
      authorizePublish: (client, packet, cb) => {
        if (!client || packet.topic.startsWith('$SYS')) return cb(client ? new Error('$SYS is read-only') : null);
        const own = this.keys.get(client);
        if (own !== undefined && topicApikey(packet.topic) !== own) {
          const t = parseMeasureTopic(packet.topic);
          // Counted like any rejected measurement; the client is disconnected by the broker.
          if (t) this.pipeline.refuse({ source: 'mqtt', apikey: t.apikey, deviceId: t.deviceId, payload: undefined }, 'wrong_apikey', `client authenticated for another service group published to ${packet.topic}`);
          return cb(new Error(`publishing outside the apikey ${own} is not allowed`));
        }
        cb(null);
      },
      authorizeSubscribe: (client, sub, cb) => {
        const own = this.keys.get(client);
        if (own !== undefined && topicApikey(sub.topic) !== own) return cb(new Error(`subscribing outside the apikey ${own} is not allowed`));
        cb(null, sub);
      },
    });
    aedes.on('publish', (packet, client) => {
      if (!client) return;
      const t = parseMeasureTopic(packet.topic);
      if (!t) return;
      this.pipeline.submit({ source: 'mqtt', apikey: t.apikey, deviceId: t.deviceId, attr: t.attr, payload: packet.payload });
    });
    aedes.on('clientError', (client, err) => this.log.warn({ clientId: client.id, err: err.message }, 'mqtt client error'));
    this.aedes = aedes;
    const handle = (socket: Socket) => aedes.handle(limitPackets(socket, this.opts.maxPacket, (bytes) => {
      this.pipeline.refuse({ source: 'mqtt', payload: undefined }, 'payload_too_large', `an MQTT packet of ${bytes} bytes (limit ${this.opts.maxPacket}); connection closed`);
    }));
    const server = this.opts.tls
      ? createTlsServer({ cert: readFileSync(this.opts.tls.certFile), key: readFileSync(this.opts.tls.keyFile) }, handle)
      : createServer(handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => { server.off('error', reject); resolve(); });
    });
    this.server = server;
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : this.opts.port;
    this.log.info({ port: this.port, host: this.opts.host, tls: !!this.opts.tls }, 'embedded MQTT broker listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (this.aedes) await new Promise<void>((r) => this.aedes!.close(() => r()));
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
