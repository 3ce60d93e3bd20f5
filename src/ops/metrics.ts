// Prometheus metrics (prom-client): request rate and latency by route pattern, storage ping time,
// notification queue depth and failures, audit backlog, event-loop lag and process metrics.
// Other modules (ingest) register their own counters on `registry`.
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoragePort } from '../storage/port.ts';

export interface MetricsSources {
  storage: { engine: string; ping(): Promise<void> };
  notifications?: () => { queued: number; sent: number; failed: number; dropped: number };
  auditQueued?: () => number;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Histogram<'method' | 'route' | 'status_code'>;

  constructor(src: MetricsSources) {
    const r = this.registry;
    collectDefaultMetrics({ register: r, prefix: 'drehscheibe_', eventLoopMonitoringPrecision: 20 });
    this.requests = new Histogram({
      name: 'drehscheibe_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status code, with their latency',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [r],
    });
    new Gauge({
      name: 'drehscheibe_storage_ping_seconds',
      help: 'Time of a storage round trip, measured at scrape time (-1 when unreachable)',
      labelNames: ['engine'],
      registers: [r],
      async collect() {
        const t0 = process.hrtime.bigint();
        try {
          await src.storage.ping();
          this.set({ engine: src.storage.engine }, Number(process.hrtime.bigint() - t0) / 1e9);
        } catch {
          this.set({ engine: src.storage.engine }, -1);
        }
      },
    });
    if (src.notifications) {
      const n = src.notifications;
      new Gauge({ name: 'drehscheibe_notification_queue_depth', help: 'Notifications waiting or in flight', registers: [r], collect() { this.set(n().queued); } });
      // Counters mirror the service's totals at scrape time.
      new Counter({ name: 'drehscheibe_notifications_sent_total', help: 'Notification attempts since start', registers: [r], collect() { this.reset(); this.inc(n().sent); } });
      new Counter({ name: 'drehscheibe_notifications_failed_total', help: 'Failed notification attempts since start', registers: [r], collect() { this.reset(); this.inc(n().failed); } });
      new Counter({ name: 'drehscheibe_notifications_dropped_total', help: 'Notifications dropped unattempted since start: the queue of their endpoint (or the whole queue) was full (DREHSCHEIBE_NOTIFY_ENDPOINT_QUEUE, _ENDPOINT_QUEUE_MB, _QUEUE, _QUEUE_MB)', registers: [r], collect() { this.reset(); this.inc(n().dropped); } });
    }
    if (src.auditQueued) {
      const q = src.auditQueued;
      new Gauge({ name: 'drehscheibe_audit_queue_depth', help: 'Audit entries waiting to be written', registers: [r], collect() { this.set(q()); } });
    }
  }

  private storageOps?: Histogram<'op'>;

  /**
   * The storage port with its write transactions and pings timed (drehscheibe_storage_operation_seconds
   * by operation). A transaction's time includes waiting for its group commit, as callers see it.
   */
  timeStorage<S extends StoragePort>(storage: S): S {
    const h = (this.storageOps ??= new Histogram({
      name: 'drehscheibe_storage_operation_seconds',
      help: 'Storage operations as the caller sees them: write transactions (with group-commit wait) and entity reads',
      labelNames: ['op'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [this.registry],
    }));
    const timed = <T extends object>(target: T, prefix: string, only?: Set<string>): T => {
      const cache = new Map<PropertyKey, unknown>();
      return new Proxy(target, {
        get(t, prop) {
          const v = Reflect.get(t, prop, t) as unknown;
          if (typeof v !== 'function' || (only && !only.has(String(prop)))) return typeof v === 'function' ? v.bind(t) : v;
          let w = cache.get(prop);
          if (!w) {
            const op = `${prefix}${String(prop)}`;
            w = (...args: unknown[]) => {
              const end = h.startTimer({ op });
              const out = (v as (...a: unknown[]) => unknown).apply(t, args);
              if (out instanceof Promise) return out.finally(end);
              end();
              return out;
            };
            cache.set(prop, w);
          }
          return w;
        },
      });
    };
    // Entity reads are not wrapped: a proxy on the read path cost the GET benchmark several per cent,
    // and a read's time is in the request latency by route already.
    return timed(storage, '', new Set(['withTransaction', 'ping']));
  }

  /**
   * Ingest counters (received, accepted, rejected by reason) per service group, the write queue and
   * silent devices, read from the ingest's snapshot at scrape time. Per-device figures stay in
   * GET /iot/metrics: devices are too many for Prometheus labels.
   */
  ingest(snapshot: () => IngestSnapshotLike): void {
    const r = this.registry;
    new Counter({
      name: 'drehscheibe_ingest_measurements_total', help: 'Measurement messages by service group and outcome (accepted, or the rejection reason)',
      labelNames: ['group', 'outcome'], registers: [r],
      collect() {
        this.reset();
        const s = snapshot();
        for (const [group, c] of Object.entries(s.groups)) {
          this.inc({ group, outcome: 'accepted' }, c.accepted);
          for (const [reason, n] of Object.entries(c.rejectedBy)) this.inc({ group, outcome: reason }, n ?? 0);
        }
        // Rejections that belong to no known group (unknown apikey, invalid payload before lookup).
        const known = Object.values(s.groups).reduce((n, c) => n + c.rejected, 0);
        if (s.total.rejected > known) this.inc({ group: '', outcome: 'rejected_unattributed' }, s.total.rejected - known);
      },
    });
    new Gauge({ name: 'drehscheibe_ingest_queue_depth', help: 'Measurements waiting to be written', registers: [r], collect() { this.set(snapshot().queued); } });
    new Gauge({ name: 'drehscheibe_ingest_silent_devices', help: 'Devices not heard from within DREHSCHEIBE_INGEST_SILENT_AFTER', registers: [r], collect() { this.set(snapshot().devices.filter((d) => d.silent).length); } });
  }

  /** Observes every request by route pattern (never the raw URL: bounded label sets). */
  install(app: FastifyInstance): void {
    // Callback style and one labelled child per (method, route, status): no promise and no label
    // hashing per request.
    const children = new Map<string, { observe(v: number): void }>();
    app.addHook('onResponse', (req, reply, done) => {
      const route = req.routeOptions.url ?? 'unmatched';
      const key = `${req.method} ${reply.statusCode} ${route}`;
      let child = children.get(key);
      if (!child) children.set(key, child = this.requests.labels({ method: req.method, route, status_code: String(reply.statusCode) }));
      child.observe(reply.elapsedTime / 1000);
      done();
    });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** The parts of the ingest's statistics snapshot that metrics read (ops does not import ingest). */
export interface IngestSnapshotLike {
  total: { rejected: number };
  groups: Record<string, { accepted: number; rejected: number; rejectedBy: Partial<Record<string, number>> }>;
  devices: Array<{ silent: boolean }>;
  queued: number;
}
