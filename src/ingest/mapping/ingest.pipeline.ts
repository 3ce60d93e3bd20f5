// The ingest hot path shared by MQTT, HTTP and LoRaWAN: parse → find the device → rate limit → map
// → bounded queue → micro-batched writes through EntityService.batchMeasure (one storage transaction
// per flush, each entity update atomic, per-device order kept). Every rejection is counted and logged.
import type { EntityService } from '../../ngsi-ld/entities/entities.service.ts';
import type { MeasurementWrite } from '../../ngsi-ld/entities/entities.service.ts';
import type { DeviceRegistry } from '../registry/registry.service.ts';
import { mapMeasurement, MeasurementRejected, type RejectReason, type ResolvedDevice } from './measurement.mapper.ts';
import type { DeviceCounters, IngestStats } from './ingest.stats.ts';
import { jsonProblem } from '../../core/json.ts';

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
  /** Deepest nesting of objects and arrays in a payload (DREHSCHEIBE_MAX_JSON_DEPTH). */
  maxDepth: number;
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
  /**
   * Why there is no payload (a LoRaWAN uplink without decoded payload): rejected as invalid_payload
   * with this message once the device is found, so it is counted for that device.
   */
  missing?: string;
}

interface Queued { tenant: string; write: MeasurementWrite; group: string; dev: DeviceCounters; done?: (o: Outcome) => void }

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
      counters = this.stats.device(dev.tenant, dev.servicePath, dev.deviceId);
      this.stats.received(counters.group, counters, iso);
      this.limit(dev, at.getTime());
      if (m.missing !== undefined) throw new MeasurementRejected('invalid_payload', m.missing);
      const payload = this.parse(m);
      if (this.queue.length >= this.cfg.queueMax) throw new MeasurementRejected('overloaded', `The write queue is full (${this.cfg.queueMax} measurements); try again later`);
      const write = mapMeasurement(dev, payload, iso, m.time);
      this.queue.push({ tenant: dev.tenant, write, group: counters.group, dev: counters, done });
      this.schedule();
    } catch (err) {
      // Nothing a device sends may escape from here: this runs inside the MQTT brokers' handlers,
      // where an exception ends the process. Anything unexpected is a rejection too (and logged).
      const e = err instanceof MeasurementRejected ? err : this.unexpected(err, m);
      if (!dev && !retried && (e.reason === 'unknown_apikey' || e.reason === 'unknown_device')) {
        // Several nodes: provisioned on another node a moment ago? Read the registry, then try once more.
        const reload = this.registry.reloadOnMiss();
        if (reload) {
          reload.then(() => this.submit(m, done, true), () => this.submit(m, done, true));
          return;
        }
      }
      const group = counters?.group ?? this.knownGroup(m.apikey);
      if (!dev) this.stats.received(group, undefined, iso);
      this.reject(group, counters, e.reason, e.message, iso, m);
      done?.({ ok: false, reason: e.reason, message: e.message });
    }
  }

  /** An unexpected error while taking a measurement: logged (once per 10 s, with the number suppressed), answered as invalid_payload. */
  private unexpected(err: unknown, m: RawMeasurement): MeasurementRejected {
    const now = Date.now();
    if (now - this.unexpectedLog.at >= 10_000) {
      this.log.error({ err: err instanceof Error ? err.message : String(err), source: m.source, apikey: m.apikey, deviceId: m.deviceId, devEui: m.devEui, suppressed: this.unexpectedLog.suppressed }, 'measurement could not be processed');
      this.unexpectedLog = { at: now, suppressed: 0 };
    } else this.unexpectedLog.suppressed++;
    return new MeasurementRejected('invalid_payload', 'The measurement could not be processed');
  }
  private unexpectedLog = { at: 0, suppressed: 0 };

  /** A parsed payload's nesting and numbers (before the mapper walks it); throws invalid_value. */
  check(value: unknown): void {
    const problem = jsonProblem(value, this.cfg.maxDepth);
    if (problem) throw new MeasurementRejected('invalid_value', problem);
  }

  /** Counts a measurement refused before it reached the pipeline (e.g. by the broker's authorisation). */
  refuse(m: RawMeasurement, reason: RejectReason, message: string): void {
    const iso = this.now().toISOString();
    const group = this.knownGroup(m.apikey);
    this.stats.received(group, undefined, iso);
    this.reject(group, undefined, reason, message, iso, m);
  }

  /** Counters exist only for provisioned apikeys' groups: a flood of random keys must not grow memory. */
  private knownGroup(apikey: string | undefined): string | undefined {
    return apikey !== undefined ? this.registry.groupNameOf(apikey) : undefined;
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
        p = { [m.attr]: v };
      } else {
        try { p = JSON.parse(text); } catch (e) {
          throw new MeasurementRejected('invalid_json', `The payload is not valid JSON: ${(e as Error).message}`);
        }
      }
    } else if (m.attr !== undefined) p = { [m.attr]: p };
    this.check(p);
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

  /** `group`: the group's name (never its apikey, a credential that logs must not carry). */
  private reject(group: string | undefined, dev: DeviceCounters | undefined, reason: RejectReason, message: string, iso: string, m: RawMeasurement): void {
    this.stats.rejected(group, dev, reason, message, iso);
    // One log line per reason and device every 10 s at most, with the number of suppressed repeats.
    const key = `${reason}\u0000${group ?? ''}\u0000${m.deviceId ?? m.devEui ?? ''}`;
    const now = Date.parse(iso);
    const l = this.logged.get(key);
    if (l && now - l.at < 10_000) { l.suppressed++; return; }
    if (this.logged.size > 10_000) this.logged.clear();
    this.logged.set(key, { at: now, suppressed: 0 });
    this.log.warn({ reason, source: m.source, group, deviceId: m.deviceId, devEui: m.devEui, suppressed: l?.suppressed ?? 0 }, `measurement rejected: ${message}`);
  }

  private schedule(): void {
    if (this.flushing) return;
    if (this.queue.length >= this.cfg.batchMax) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.flushing = true;
      setImmediate(() => this.startFlush());
    } else if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; if (!this.flushing) { this.flushing = true; this.startFlush(); } }, this.cfg.flushMs);
    }
  }

  /** Runs a flush from a timer: a failure is logged, never an unhandled rejection (which ends the process). */
  private startFlush(): void {
    this.flush().catch((e) => this.log.error({ err: (e as Error).message }, 'ingest flush failed'));
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
          // The cause is in the log line above; the device's answer and the counters get no internals.
          errors = items.map(() => ({ message: 'The measurement could not be written (storage error); it has been logged' }));
        }
        const iso = this.now().toISOString();
        items.forEach((q, i) => {
          const err = errors[i];
          if (!err) { this.stats.accepted(q.group, q.dev); q.done?.({ ok: true }); return; }
          this.reject(q.group, q.dev, 'storage_error', err.message, iso, { source: 'mqtt', deviceId: q.dev.deviceId, payload: undefined });
          q.done?.({ ok: false, reason: 'storage_error', message: err.message });
        });
      }));
    } finally {
      // What arrived meanwhile has waited already: written next, without the flush delay.
      if (this.queue.length > 0) setImmediate(() => this.startFlush());
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
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; if (!this.flushing && this.queue.length) { this.flushing = true; this.startFlush(); } }
    await this.drain();
  }
}
