// The ingest hot path shared by MQTT, HTTP and LoRaWAN: parse → find the device → rate limit → map
// → bounded queue → micro-batched writes through EntityService.batchMeasure (one storage transaction
// per flush, each entity update atomic, per-device order kept). Every rejection is counted and logged.
import type { EntityService } from '../../ngsi-ld/entities/entities.service.ts';
import type { MeasurementWrite } from '../../ngsi-ld/entities/entities.service.ts';
import type { DeviceRegistry } from '../registry/registry.service.ts';
import { mapMeasurement, MeasurementRejected, type RejectReason, type ResolvedDevice } from './measurement.mapper.ts';
import type { DeviceCounters, IngestStats } from './ingest.stats.ts';

export interface PipelineConfig {
  /** Most measurements waiting to be written; beyond, new ones are rejected as overloaded. */
  queueMax: number;
  /** Most measurements per write transaction. */
  batchMax: number;
  /** Longest wait before a partial batch is written (ms). */
  flushMs: number;
  /** Messages per second per device (token bucket; 0 = unlimited) and the bucket size. */
  deviceRate: number;
  deviceBurst: number;
  /** Largest accepted payload in bytes. */
  maxPayload: number;
}

export type Outcome = { ok: true } | { ok: false; reason: RejectReason; message: string };

export interface RawMeasurement {
  source: 'mqtt' | 'http' | 'chirpstack' | 'ttn';
  apikey?: string;
  deviceId?: string;
  devEui?: string;
  /** Bytes or text to be parsed as JSON, or an already parsed value. */
  payload: unknown;
  /** One attribute's value (MQTT /attrs/<attr>): the payload is that attribute's raw value. */
  attr?: string;
  /** A timestamp outside the payload (HTTP `t`, LoRaWAN receive time). */
  time?: unknown;
}

interface Queued { tenant: string; write: MeasurementWrite; apikey: string; dev: DeviceCounters; done?: (o: Outcome) => void }

interface Logger { warn(o: object, msg: string): void; error(o: object, msg: string): void }

export class IngestPipeline {
  private queue: Queued[] = [];
  private timer?: NodeJS.Timeout;
  private flushing = false;
  private idle: Array<() => void> = [];
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly logged = new Map<string, { at: number; suppressed: number }>();
  private closed = false;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly entities: EntityService,
    readonly stats: IngestStats,
    private readonly cfg: PipelineConfig,
    private readonly now: () => Date,
    private readonly log: Logger,
  ) {}

  get queued(): number { return this.queue.length; }

  /** Takes one measurement; `done` (optional) is called once it is written or rejected. */
  submit(m: RawMeasurement, done?: (o: Outcome) => void, retried = false): void {
    const at = this.now();
    const iso = at.toISOString();
    let dev: ResolvedDevice | undefined;
    let counters: DeviceCounters | undefined;
    try {
      if (this.closed) throw new MeasurementRejected('overloaded', 'The ingest is shutting down');
      dev = m.devEui !== undefined ? this.registry.lookupByDevEui(m.devEui, m.apikey) : this.registry.lookup(m.apikey ?? '', m.deviceId ?? '');
      counters = this.stats.device(dev.tenant, dev.servicePath, dev.deviceId, dev.apikey);
      this.stats.received(dev.apikey, counters, iso);
      this.limit(dev, at.getTime());
      const payload = this.parse(m);
      if (this.queue.length >= this.cfg.queueMax) throw new MeasurementRejected('overloaded', `The write queue is full (${this.cfg.queueMax} measurements); try again later`);
      const write = mapMeasurement(dev, payload, iso, m.time);
      this.queue.push({ tenant: dev.tenant, write, apikey: dev.apikey, dev: counters, done });
      this.schedule();
    } catch (e) {
      if (!(e instanceof MeasurementRejected)) throw e;
      if (!dev && !retried && (e.reason === 'unknown_apikey' || e.reason === 'unknown_device')) {
        // Several nodes: provisioned on another node a moment ago? Read the registry, then try once more.
        const reload = this.registry.reloadOnMiss();
        if (reload) {
          reload.then(() => this.submit(m, done, true), () => this.submit(m, done, true));
          return;
        }
      }
      if (!dev) this.stats.received(this.knownKey(m.apikey), undefined, iso);
      this.reject(dev?.apikey ?? m.apikey, counters, e.reason, e.message, iso, m);
      done?.({ ok: false, reason: e.reason, message: e.message });
    }
  }

  /** Counts a measurement refused before it reached the pipeline (e.g. by the broker's authorisation). */
  refuse(m: RawMeasurement, reason: RejectReason, message: string): void {
    const iso = this.now().toISOString();
    this.stats.received(this.knownKey(m.apikey), undefined, iso);
    this.reject(m.apikey, undefined, reason, message, iso, m);
  }

  /** Counters exist only for provisioned apikeys: a flood of random keys must not grow memory. */
  private knownKey(apikey: string | undefined): string | undefined {
    return apikey !== undefined && this.registry.hasApikey(apikey) ? apikey : undefined;
  }

  submitAsync(m: RawMeasurement): Promise<Outcome> {
    return new Promise((resolve) => this.submit(m, resolve));
  }

  private parse(m: RawMeasurement): unknown {
    let p = m.payload;
    if (Buffer.isBuffer(p) || typeof p === 'string') {
      const len = typeof p === 'string' ? Buffer.byteLength(p) : p.length;
      if (len > this.cfg.maxPayload) throw new MeasurementRejected('payload_too_large', `The payload has ${len} bytes; the limit is ${this.cfg.maxPayload}`);
      const text = p.toString();
      if (m.attr !== undefined) {
        // A single attribute's value: JSON when it parses (numbers, booleans), else the text itself.
        let v: unknown = text;
        try { v = JSON.parse(text); } catch { /* plain text value */ }
        return { [m.attr]: v };
      }
      try { p = JSON.parse(text); } catch (e) {
        throw new MeasurementRejected('invalid_json', `The payload is not valid JSON: ${(e as Error).message}`);
      }
    } else if (m.attr !== undefined) return { [m.attr]: p };
    return p;
  }

  private limit(dev: ResolvedDevice, nowMs: number): void {
    if (this.cfg.deviceRate <= 0) return;
    const k = `${dev.apikey}\u0000${dev.deviceId}`;
    let b = this.buckets.get(k);
    if (!b) this.buckets.set(k, (b = { tokens: this.cfg.deviceBurst, at: nowMs }));
    b.tokens = Math.min(this.cfg.deviceBurst, b.tokens + ((nowMs - b.at) / 1000) * this.cfg.deviceRate);
    b.at = nowMs;
    if (b.tokens < 1) throw new MeasurementRejected('rate_limited', `Device ${dev.deviceId} sends faster than ${this.cfg.deviceRate} messages/s`);
    b.tokens -= 1;
  }

  private reject(apikey: string | undefined, dev: DeviceCounters | undefined, reason: RejectReason, message: string, iso: string, m: RawMeasurement): void {
    this.stats.rejected(apikey, dev, reason, message, iso);
    // One log line per reason and device every 10 s at most, with the number of suppressed repeats.
    const key = `${reason}\u0000${apikey ?? ''}\u0000${m.deviceId ?? m.devEui ?? ''}`;
    const now = Date.parse(iso);
    const l = this.logged.get(key);
    if (l && now - l.at < 10_000) { l.suppressed++; return; }
    if (this.logged.size > 10_000) this.logged.clear();
    this.logged.set(key, { at: now, suppressed: 0 });
    this.log.warn({ reason, source: m.source, apikey, deviceId: m.deviceId, devEui: m.devEui, suppressed: l?.suppressed ?? 0 }, `measurement rejected: ${message}`);
  }

  private schedule(): void {
    if (this.flushing) return;
    if (this.queue.length >= this.cfg.batchMax) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.flushing = true;
      setImmediate(() => void this.flush());
    } else if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; if (!this.flushing) { this.flushing = true; void this.flush(); } }, this.cfg.flushMs);
    }
  }

  /** One flush at a time, so batches are applied in arrival order (per-device order kept). */
  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.cfg.batchMax);
    try {
      const byTenant = new Map<string, Queued[]>();
      for (const q of batch) {
        let l = byTenant.get(q.tenant);
        if (!l) byTenant.set(q.tenant, (l = []));
        l.push(q);
      }
      // Called in the same turn: the storage's group commit puts them in one transaction.
      await Promise.all([...byTenant].map(async ([tenant, items]) => {
        let errors: Array<{ message: string } | undefined>;
        try {
          errors = await this.entities.batchMeasure(tenant, items.map((q) => q.write));
        } catch (e) {
          this.log.error({ err: (e as Error).message, tenant, n: items.length }, 'ingest batch write failed');
          errors = items.map(() => ({ message: `storage error: ${(e as Error).message}` }));
        }
        const iso = this.now().toISOString();
        items.forEach((q, i) => {
          const err = errors[i];
          if (!err) { this.stats.accepted(q.apikey, q.dev); q.done?.({ ok: true }); return; }
          this.reject(q.apikey, q.dev, 'storage_error', err.message, iso, { source: 'mqtt', deviceId: q.dev.deviceId, payload: undefined });
          q.done?.({ ok: false, reason: 'storage_error', message: err.message });
        });
      }));
    } finally {
      // What arrived meanwhile has waited already: written next, without the flush delay.
      if (this.queue.length > 0) setImmediate(() => void this.flush());
      else { this.flushing = false; for (const f of this.idle.splice(0)) f(); }
    }
  }

  /** Resolves when everything queued so far is written (tests, shutdown). */
  drain(): Promise<void> {
    if (this.queue.length === 0 && !this.flushing) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; if (!this.flushing && this.queue.length) { this.flushing = true; void this.flush(); } }
    await this.drain();
  }
}
