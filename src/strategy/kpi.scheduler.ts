// Runs the KPI evaluation periodically (DREHSCHEIBE_KPI_INTERVAL seconds; 0 = off). One run at a
// time: a run that takes longer than the interval delays the next one instead of overlapping it.
import type { KpiService } from './kpi.service.ts';

export interface KpiSchedulerOptions {
  intervalMs: number;
  /** Delay of the first run after start (the demo's sensors need a moment to send data). */
  firstDelayMs?: number;
  log?: { info(o: object, msg: string): void; error(o: object, msg: string): void };
}

export class KpiScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly kpis: KpiService, private readonly o: KpiSchedulerOptions) {}

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

  /** One evaluation of every KPI (also what tests and the bench call). */
  async runOnce(): Promise<void> {
    const t0 = performance.now();
    try {
      const r = await this.kpis.evaluateAll();
      this.o.log?.info({ ...r, ms: Math.round(performance.now() - t0) }, 'KPIs evaluated');
    } catch (e) {
      this.o.log?.error({ err: e }, 'KPI evaluation run failed');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
