// Delivers notifications through a bounded queue with one lane per endpoint: each lane has its own concurrency,
// exponential backoff and retries, so a hanging or failing endpoint never delays the others or the write path.
import type { KeyValue } from './subscriptions.schema.ts';
import type { NotificationMessage } from './notification.render.ts';
import type { DispatchPort } from './dispatch.remote.ts';

export interface Delivery {
  tenant: string;
  subId: string;
  uri: string;
  message: NotificationMessage;
  receiverInfo?: KeyValue[];
  notifierInfo?: KeyValue[];
  /** Per-endpoint overrides (clause 5.2.15 timeout, cooldown), in ms. */
  timeoutMs?: number;
  cooldownMs?: number;
  /** Attempts made so far. */
  attempt: number;
}

export interface Notifier {
  /** Resolves when the endpoint accepted the notification; rejects with a short reason otherwise. */
  send(d: Delivery, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface Outcome {
  ok: boolean;
  at: Date;
  reason?: string;
  /** The notification was not attempted (queue full, shutting down). */
  dropped?: boolean;
}

/** How notifications are delivered: shared by the dispatcher, its worker thread and the config. */
export interface DeliveryPolicy {
  /** Notifications waiting in all lanes together; one lane may hold at most half. */
  queueMax: number;
  /** Attempts in flight per endpoint. */
  concurrency: number;
  timeoutMs: number;
  /** Further attempts after a failed one. */
  retries: number;
  backoffMs: number;
  backoffMaxMs: number;
}

export interface DispatcherOptions extends DeliveryPolicy {
  /** Notifier per URI scheme ('http:', 'https:', 'mqtt:', 'mqtts:'). */
  notifiers: Record<string, Notifier>;
  onOutcome(d: Delivery, o: Outcome): void;
  now(): Date;
}

class Lane {
  jobs: Delivery[] = [];
  head = 0;
  active = 0;
  pausedUntil = 0;
  failures = 0;
  timer?: NodeJS.Timeout;
  constructor(readonly key: string) {}
  get size(): number { return this.jobs.length - this.head; }
  shift(): Delivery {
    const d = this.jobs[this.head++];
    if (this.head > 1024 && this.head * 2 > this.jobs.length) { this.jobs = this.jobs.slice(this.head); this.head = 0; }
    return d;
  }
  unshift(d: Delivery): void {
    if (this.head > 0) this.jobs[--this.head] = d; else this.jobs.unshift(d);
  }
}

export class Dispatcher implements DispatchPort {
  private readonly lanes = new Map<string, Lane>();
  private queued = 0;
  private readonly inflight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly o: DispatcherOptions) {}

  /** Notifications waiting (not in flight). */
  get pending(): number { return this.queued; }
  get active(): number { return this.inflight.size; }
  get busy(): boolean { return this.queued > 0 || this.inflight.size > 0; }

  enqueue(d: Delivery): void {
    if (this.stopped) return;
    let lane = this.lanes.get(d.uri);
    if (!lane) this.lanes.set(d.uri, (lane = new Lane(d.uri)));
    if (this.queued >= this.o.queueMax || lane.size >= Math.max(1, this.o.queueMax >> 1)) {
      this.o.onOutcome(d, { ok: false, at: this.o.now(), reason: 'notification queue full', dropped: true });
      return;
    }
    lane.jobs.push(d);
    this.queued++;
    this.pump(lane);
  }

  private pump(lane: Lane): void {
    if (this.stopped) return;
    const now = Date.now();
    while (lane.active < this.o.concurrency && lane.size > 0 && now >= lane.pausedUntil) {
      const d = lane.shift();
      this.queued--;
      lane.active++;
      const p = this.run(lane, d);
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p));
    }
    if (lane.size > 0 && now < lane.pausedUntil && !lane.timer) {
      lane.timer = setTimeout(() => { lane.timer = undefined; this.pump(lane); }, lane.pausedUntil - now);
      lane.timer.unref();
    }
    if (lane.size === 0 && lane.active === 0 && !lane.timer && lane.failures === 0) this.lanes.delete(lane.key);
  }

  private async run(lane: Lane, d: Delivery): Promise<void> {
    const scheme = d.uri.slice(0, d.uri.indexOf(':') + 1).toLowerCase();
    const notifier = this.o.notifiers[scheme];
    const at = this.o.now();
    d.attempt++;
    let reason: string | undefined;
    try {
      if (!notifier) throw new Error(`no notifier for ${scheme}`);
      await notifier.send(d, d.timeoutMs ?? this.o.timeoutMs);
    } catch (e) {
      reason = (e as Error).message || String(e);
    }
    lane.active--;
    if (reason === undefined) {
      lane.failures = 0;
      this.o.onOutcome(d, { ok: true, at });
    } else {
      this.o.onOutcome(d, { ok: false, at, reason });
      lane.failures++;
      // Exponential backoff per endpoint (or its cooldown, clause 5.2.15), with ±20 % jitter.
      const base = d.cooldownMs ?? Math.min(this.o.backoffMs * 2 ** Math.min(lane.failures - 1, 20), this.o.backoffMaxMs);
      lane.pausedUntil = Date.now() + Math.round(base * (0.8 + Math.random() * 0.4));
      if (d.attempt <= this.o.retries && !this.stopped) {
        lane.unshift(d);
        this.queued++;
      }
    }
    // A lane that failed stays (with its backoff) until a notification gets through again.
    this.pump(lane);
  }

  /** Stops taking work, closes the notifiers and waits (briefly) for attempts in flight to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const lane of this.lanes.values()) if (lane.timer) clearTimeout(lane.timer);
    this.lanes.clear();
    this.queued = 0;
    await Promise.all(Object.values(this.o.notifiers).filter((n, i, a) => a.indexOf(n) === i).map((n) => n.close()));
    await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}
