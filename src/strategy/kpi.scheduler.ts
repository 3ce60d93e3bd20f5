// Runs the KPI evaluation periodically (DREHSCHEIBE_KPI_INTERVAL seconds; 0 = off). One run at a
// time: a run that takes longer than the interval delays the next one instead of overlapping it.
// Each KPI is claimed for one interval in the strategy store first (a lease), so several nodes on
// one database evaluate it once per interval between them.
import { randomUUID } from 'node:crypto';
import type { KpiService } from './kpi.service.ts';

export interface KpiSchedulerOptions {
  intervalMs: number;
  /** Delay of the first run after start (the demo's sensors need a moment to send data). */
  firstDelayMs?: number;
  log?: { info(o: object, msg: string): void; error(o: object, msg: string): void };
  /** This node's name in the KPI leases (a random id per process unless given). */
  node?: string;
}

export class KpiScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  readonly node: string;

  constructor(private readonly kpis: KpiService, private readonly o: KpiSchedulerOptions) {
    this.node = o.node ?? `node-${randomUUID()}`;
  }

  start(): void {
    if (this.o.intervalMs <= 0 || this.timer) return;
    this.schedule(this.o.firstDelayMs ?? Math.min(this.o.intervalMs, 10_000));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => { this.running = undefined; this.schedule(this.o.intervalMs); });
    }, ms);
    this.timer.unref();
  }

  /**
   * One evaluation of every KPI whose lease this node gets (also what tests and the bench call).
   * Without an interval (0: no scheduler, a test's manual run) every KPI is evaluated, unleased.
   */
  async runOnce(): Promise<{ ok: number; failed: number; skipped: number } | undefined> {
    const t0 = performance.now();
    try {
      const r = await this.kpis.evaluateAll(this.o.intervalMs > 0 ? { holder: this.node, ms: this.o.intervalMs } : undefined);
      this.o.log?.info({ ...r, node: this.node, ms: Math.round(performance.now() - t0) }, 'KPIs evaluated');
      return r;
    } catch (e) {
      this.o.log?.error({ err: e }, 'KPI evaluation run failed');
      return undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
