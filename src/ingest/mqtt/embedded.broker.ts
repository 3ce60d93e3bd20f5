// The embedded MQTT broker (aedes) on MQTT_PORT: devices authenticate with their service group's
// username/password (or anonymously when allowed) and may publish and subscribe only under their
// group's apikey. Measurements are taken in process from the broker's publish event (no network hop).
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { DeviceRegistry } from '../registry/registry.service.ts';
import type { IngestPipeline } from '../mapping/ingest.pipeline.ts';
import { parseMeasureTopic, topicApikey } from './mqtt.topics.ts';
import { limitPackets } from './packet-limit.ts';
import { FailureThrottle } from './auth-throttle.ts';

export interface EmbeddedBrokerOptions {
  port: number;
  host: string;
  /** Largest MQTT packet in bytes (payload limit plus room for topic and properties). */
  maxPacket: number;
  /** Clients without username may connect; the apikey in the topic is then the only check (IoT Agent default). */
  anonymous: boolean;
  tls?: { certFile: string; keyFile: string };
  /** Failed logins per minute per client address and per username before logins are refused unchecked (0 = no throttle). */
  authFailuresPerAddress: number;
  authFailuresPerUsername: number;
}

interface Logger { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void }

function authError(msg: string, code: 4 | 5): AuthenticateError {
  return Object.assign(new Error(msg), { returnCode: code }) as AuthenticateError;
}

export class EmbeddedBroker {
  private aedes?: Aedes;
  private server?: Server;
  /** apikey a client authenticated for; absent for anonymous clients. */
  private readonly keys = new WeakMap<Client, string>();
  /** Remote address of each connection (aedes sees the packet-limit wrapper, not the socket). */
  private readonly addresses = new WeakMap<object, string>();
  private readonly byAddress: FailureThrottle;
  private readonly byUsername: FailureThrottle;
  private throttledLogged = 0;
  /** Logins being checked, by username and password digest (one check per pair at a time). */
  private readonly checking = new Map<string, Promise<string | AuthenticateError>>();
  port = 0;

  constructor(private readonly registry: DeviceRegistry, private readonly pipeline: IngestPipeline, private readonly opts: EmbeddedBrokerOptions, private readonly log: Logger) {
    this.byAddress = new FailureThrottle(opts.authFailuresPerAddress);
    this.byUsername = new FailureThrottle(opts.authFailuresPerUsername);
  }

  /**
   * Checks a login. Recently verified credentials pass from the registry's cache without a password
   * check; otherwise a token per client address and per username is taken first (given back on
   * success), so wrong-password floods cost no scrypt once a bucket is empty.
   */
  private login(client: Client, username: string, password: string): Promise<string | AuthenticateError> {
    const cached = this.registry.cachedMqttCredentials(username, password);
    if (cached) return Promise.resolve(cached);
    // A service group's devices share its credentials: when they all reconnect at once (a broker restart,
    // a gateway coming back), the same pair is checked once and the others wait for that answer, instead of
    // each taking a token from the address's bucket before the first check could give it back.
    const key = `${username}\u0000${createHash('sha256').update(password).digest('base64')}`;
    const pending = this.checking.get(key);
    if (pending) return pending;
    const check = this.check(client, username, password).finally(() => this.checking.delete(key));
    this.checking.set(key, check);
    return check;
  }

  private async check(client: Client, username: string, password: string): Promise<string | AuthenticateError> {
    const addr = `a:${this.addresses.get(client.conn) ?? 'unknown'}`;
    const user = `u:${username}`;
    const a = this.byAddress.take(addr);
    const u = a && this.byUsername.take(user);
    if (!a || !u) {
      if (a) this.byAddress.refund(addr);
      const now = Date.now();
      if (now - this.throttledLogged > 10_000) {
        this.throttledLogged = now;
        this.log.warn({ address: addr.slice(2), username: username.slice(0, 64) }, 'MQTT logins throttled after repeated failures (further ones are not logged for 10 s)');
      }
      return authError('too many failed logins; try again later', 5);
    }
    const apikey = await this.registry.checkMqttCredentials(username, password);
    if (!apikey) return authError('bad username or password', 4);
    this.byAddress.refund(addr);
    this.byUsername.refund(user);
    return apikey;
  }

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        if (!username) {
          if (this.opts.anonymous) return done(null, true);
          return done(authError('username and password of a service group are required', 4), false);
        }
        this.login(client, username, password?.toString() ?? '').then((r) => {
          if (typeof r !== 'string') return done(r, false);
          this.keys.set(client, r);
          done(null, true);
        }, (e: Error) => done(authError(e.message, 4), false));
      },
      authorizePublish: (client, packet, cb) => {
        if (!client || packet.topic.startsWith('$SYS')) return cb(client ? new Error('$SYS is read-only') : null);
        const own = this.keys.get(client);
        // The same parse decides authorisation and the group the message is ingested under (mqtt.topics.ts).
        if (own !== undefined && topicApikey(packet.topic) !== own) {
          try {
            const t = parseMeasureTopic(packet.topic);
            // Counted like any rejected measurement, for the sender's group (whose credentials did it, not
            // the group it aimed at); the client is disconnected by the broker.
            if (t) this.pipeline.refuse({ source: 'mqtt', apikey: own, deviceId: t.deviceId, payload: undefined }, 'wrong_apikey', `a client of the service group ${own} published to ${packet.topic}, outside its apikey`);
          } catch (e) {
            this.log.error({ err: (e as Error).message }, 'refused MQTT publish could not be counted');
          }
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
      // An exception here would escape into aedes and end the process: a device's message must not.
      try {
        const t = parseMeasureTopic(packet.topic);
        if (!t) return;
        this.pipeline.submit({ source: 'mqtt', apikey: t.apikey, deviceId: t.deviceId, attr: t.attr, payload: packet.payload });
      } catch (e) {
        this.log.error({ err: (e as Error).message, topic: packet.topic.slice(0, 200) }, 'MQTT message could not be taken');
      }
    });
    aedes.on('clientError', (client, err) => this.log.warn({ clientId: client.id, err: err.message }, 'mqtt client error'));
    this.aedes = aedes;
    const handle = (socket: Socket) => {
      const conn = limitPackets(socket, this.opts.maxPacket, (bytes) => {
        this.pipeline.refuse({ source: 'mqtt', payload: undefined }, 'payload_too_large', `an MQTT packet of ${bytes} bytes (limit ${this.opts.maxPacket}); connection closed`);
      });
      if (socket.remoteAddress) this.addresses.set(conn, socket.remoteAddress);
      aedes.handle(conn);
    };
    const server = this.opts.tls
      ? createTlsServer({ cert: readFileSync(this.opts.tls.certFile), key: readFileSync(this.opts.tls.keyFile) }, handle)
      : createServer(handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => { server.off('error', reject); resolve(); });
    });
    // After listening, an 'error' without a listener (e.g. EMFILE while accepting a flood of connections) would end the process.
    server.on('error', (e) => this.log.error({ err: e.message }, 'embedded MQTT broker: server error'));
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
