// Ingest from an external broker (Mosquitto, EMQX, HiveMQ) by URL: MQTT 5 shared subscriptions
// ($share/<group>/<filter>) so that several Drehscheibe nodes split the measurement stream.
import mqtt, { type MqttClient } from 'mqtt';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { IngestPipeline } from '../mapping/ingest.pipeline.ts';
import { MEASURE_FILTERS, parseMeasureTopic } from './mqtt.topics.ts';

export interface ExternalBrokerOptions {
  url: string;
  shareGroup: string;
  /** TLS for mqtts:// and wss:// (files in PEM). */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  rejectUnauthorized: boolean;
  /** Topic prefix before the IoT Agent topics (tests use a unique one); empty by default. */
  topicPrefix?: string;
}

interface Logger { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void }

export class ExternalBrokerIngest {
  private client?: MqttClient;
  constructor(private readonly pipeline: IngestPipeline, private readonly opts: ExternalBrokerOptions, private readonly log: Logger) {}

  async start(): Promise<void> {
    const o = this.opts;
    const client = await mqtt.connectAsync(o.url, {
      protocolVersion: 5,
      clientId: `drehscheibe-ingest-${randomBytes(6).toString('hex')}`,
      clean: true,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      ca: o.caFile ? readFileSync(o.caFile) : undefined,
      cert: o.certFile ? readFileSync(o.certFile) : undefined,
      key: o.keyFile ? readFileSync(o.keyFile) : undefined,
      rejectUnauthorized: o.rejectUnauthorized,
    });
    const prefix = o.topicPrefix ?? '';
    client.on('message', (topic, payload) => {
      // An exception here would escape into mqtt.js and end the process: a device's message must not.
      try {
        if (prefix && !topic.startsWith(prefix)) return;
        const t = parseMeasureTopic(topic.slice(prefix.length));
        if (!t) return;
        this.pipeline.submit({ source: 'mqtt', apikey: t.apikey, deviceId: t.deviceId, attr: t.attr, payload });
      } catch (e) {
        this.log.error({ err: (e as Error).message, topic: topic.slice(0, 200) }, 'MQTT message could not be taken');
      }
    });
    client.on('error', (e) => this.log.warn({ err: e.message }, 'external MQTT broker error'));
    client.on('reconnect', () => this.log.warn({ url: redact(o.url) }, 'reconnecting to the external MQTT broker'));
    const filters = (prefix ? MEASURE_FILTERS.filter((f) => f.startsWith('/')) : MEASURE_FILTERS).map((f) => `$share/${o.shareGroup}/${prefix}${f}`);
    const granted = await client.subscribeAsync(filters, { qos: 1 });
    const refused = granted.filter((g) => g.qos > 2);
    if (refused.length) throw new Error(`the broker refused the shared subscriptions ${refused.map((g) => g.topic).join(', ')} (MQTT 5 shared subscriptions are required)`);
    this.client = client;
    this.log.info({ url: redact(o.url), filters }, 'ingest subscribed to the external MQTT broker');
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.endAsync();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
