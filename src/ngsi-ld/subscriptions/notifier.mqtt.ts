// MQTT binding of notifications (GS CIM 009 annex on MQTT notifications): publish to the topic in the endpoint
// URI, message {metadata: headers, body: notification}; notifierInfo MQTT-Version (mqtt3.1.1|mqtt5.0) and MQTT-QoS (0|1|2).
import { randomBytes } from 'node:crypto';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { resolvePublic } from './endpoint.guard.ts';
import type { Delivery, Notifier } from './subscriptions.dispatcher.ts';

export interface MqttNotifierOptions {
  allowPrivate: boolean;
  /** Idle connections are closed after this many ms. */
  idleMs?: number;
}

interface Pooled { client: Promise<MqttClient>; lastUse: number }

function info(d: Delivery, key: string): string | undefined {
  return d.notifierInfo?.find((kv) => kv.key === key)?.value;
}

export class MqttNotifier implements Notifier {
  private readonly pool = new Map<string, Pooled>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: MqttNotifierOptions) {
    const idle = opts.idleMs ?? 60_000;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [k, p] of this.pool) if (now - p.lastUse > idle) this.evict(k, p);
    }, Math.min(idle, 30_000));
    this.sweeper.unref();
  }

  private evict(key: string, p: Pooled): void {
    if (this.pool.get(key) === p) this.pool.delete(key);
    p.client.then((c) => c.end(true), () => undefined);
  }

  /** One connection per broker, user and protocol version, reused across notifications. */
  private async client(url: URL, version: 4 | 5, timeoutMs: number): Promise<MqttClient> {
    const key = `${url.protocol}//${url.username}@${url.host}#${version}`;
    const cached = this.pool.get(key);
    if (cached) {
      cached.lastUse = Date.now();
      const c = await cached.client.catch(() => undefined);
      if (c && c.connected) return c;
      this.evict(key, cached);
    }
    const secure = url.protocol === 'mqtts:';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const address = this.opts.allowPrivate ? host : await resolvePublic(host);
    const options: IClientOptions = {
      protocol: secure ? 'mqtts' : 'mqtt',
      host: address,
      port: url.port ? Number(url.port) : secure ? 8883 : 1883,
      protocolVersion: version,
      clientId: `drehscheibe-notify-${randomBytes(6).toString('hex')}`,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(secure && address !== host ? { servername: host } : {}),
    };
    const entry: Pooled = { client: connectAsync(options), lastUse: Date.now() };
    this.pool.set(key, entry);
    try {
      const c = await entry.client;
      c.on('close', () => { if (this.pool.get(key) === entry) this.pool.delete(key); });
      c.on('error', () => undefined);
      if (this.closed) c.end(true);
      return c;
    } catch (e) {
      if (this.pool.get(key) === entry) this.pool.delete(key);
      throw e;
    }
  }

  async send(d: Delivery, timeoutMs: number): Promise<void> {
    const url = new URL(d.uri);
    const version = info(d, 'MQTT-Version') === 'mqtt3.1.1' ? 4 : 5;
    const qos = Number(info(d, 'MQTT-QoS') ?? '0') as 0 | 1 | 2;
    const topic = decodeURIComponent(url.pathname.replace(/^\//, ''));
    const metadata: Record<string, string> = { 'Content-Type': d.message.contentType };
    if (d.message.link) metadata.Link = d.message.link;
    if (d.tenant) metadata['NGSILD-Tenant'] = d.tenant;
    for (const kv of d.receiverInfo ?? []) metadata[kv.key] = kv.value;
    // The body is already serialised; splice it in rather than parsing it again.
    const payload = `{"metadata":${JSON.stringify(metadata)},"body":${d.message.body}}`;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`MQTT broker did not answer within ${timeoutMs} ms`)), timeoutMs); });
    try {
      await Promise.race([(async () => {
        const c = await this.client(url, version, timeoutMs);
        await c.publishAsync(topic, payload, { qos });
      })(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    const all = [...this.pool.values()];
    this.pool.clear();
    await Promise.all(all.map((p) => p.client.then((c) => c.endAsync(true), () => undefined)));
  }
}
