// Prometheus metrics (prom-client): request rate and latency by route pattern, storage ping time,
// notification queue depth and failures, audit backlog, event-loop lag and process metrics.
// Other modules (ingest) register their own counters on `registry`.
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsSources {
  storage: { engine: string; ping(): Promise<void> };
  notifications?: () => { queued: number; sent: number; failed: number };
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
    }
    if (src.auditQueued) {
      const q = src.auditQueued;
      new Gauge({ name: 'drehscheibe_audit_queue_depth', help: 'Audit entries waiting to be written', registers: [r], collect() { this.set(q()); } });
    }
  }

  /** Observes every request by route pattern (never the raw URL: bounded label sets). */
  install(app: FastifyInstance): void {
    app.addHook('onResponse', async (req, reply) => {
      this.requests.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
