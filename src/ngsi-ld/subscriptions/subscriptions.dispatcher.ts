// Delivers notifications through a bounded queue with one lane per subscription and endpoint: each lane has its
// own concurrency, exponential backoff and retries, so a hanging or failing endpoint — or one subscription whose
// notifications an endpoint refuses — never delays the other subscriptions (even to the same host or URI) or the
// write path. Each lane is bounded in notifications and bytes, and so is the whole queue (docs/security.md#limits):
// beyond, the lane's oldest are dropped.
import type { KeyValue } from './subscriptions.schema.ts';
import type { NotificationMessage } from './notification.render.ts';

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

/** What the subscription service needs from a dispatcher, in process or in a worker. */
export interface DispatchPort {
  enqueue(d: Delivery): void;
  /** Deliveries handed over whose last attempt has not been reported yet. */
  readonly busy: boolean;
  /** Deliveries waiting or in flight (metrics: notification queue depth). */
  readonly pending: number;
  stop(): Promise<void>;
}

/** How notifications are delivered: shared by the dispatcher, its worker thread and the config. */
export interface DeliveryPolicy {
  /** Notifications waiting in all lanes together; one lane may hold at most half. */
  queueMax: number;
  /** Notifications waiting for one subscription's endpoint (its lane). */
  endpointQueueMax: number;
  /** Bytes of the notification bodies waiting for one endpoint, and in all lanes together. */
  endpointQueueBytes: number;
  queueBytes: number;
  /** Attempts in flight per subscription and endpoint. */
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

/** What a waiting notification is counted as: the size of its body (UTF-16 code units ≈ bytes of ASCII JSON). */
function sizeOf(d: Delivery): number {
  return d.message.body.length;
}

class Lane {
  jobs: Delivery[] = [];
  head = 0;
  bytes = 0;
  active = 0;
  pausedUntil = 0;
  failures = 0;
  timer?: NodeJS.Timeout;
  constructor(readonly key: string) {}
  get size(): number { return this.jobs.length - this.head; }
  shift(): Delivery {
    const d = this.jobs[this.head++];
    this.jobs[this.head - 1] = undefined as unknown as Delivery; // the body is garbage once taken
    this.bytes -= sizeOf(d);
    if (this.head > 1024 && this.head * 2 > this.jobs.length) { this.jobs = this.jobs.slice(this.head); this.head = 0; }
    return d;
  }
  unshift(d: Delivery): void {
    this.bytes += sizeOf(d);
    if (this.head > 0) this.jobs[--this.head] = d; else this.jobs.unshift(d);
  }
  push(d: Delivery): void {
    this.bytes += sizeOf(d);
    this.jobs.push(d);
  }
}

export class Dispatcher implements DispatchPort {
  private readonly lanes = new Map<string, Lane>();
  private queued = 0;
  private bytes = 0;
  private readonly inflight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly o: DispatcherOptions) {}

  /** Notifications waiting (not in flight). */
  get pending(): number { return this.queued; }
  get active(): number { return this.inflight.size; }
  get busy(): boolean { return this.queued > 0 || this.inflight.size > 0; }

  /** Bytes of the notifications waiting (metrics). */
  get pendingBytes(): number { return this.bytes; }

  /**
   * Queues a notification. A full lane (endpointQueueMax notifications or endpointQueueBytes, and at
   * most half the whole queue) drops its oldest waiting notifications to make room: the newest state
   * matters most. A full queue drops from this lane too; only a new lane finding it full is refused.
   */
  enqueue(d: Delivery): void {
    if (this.stopped) return;
    // Per subscription, not per URI: a retry's backoff pauses only the notifications of its own subscription.
    const key = `${d.tenant}\u0000${d.subId}\u0000${d.uri}`;
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = new Lane(key)));
    const size = sizeOf(d);
    const o = this.o;
    const laneMax = Math.max(1, Math.min(o.endpointQueueMax, o.queueMax >> 1));
    const laneBytes = Math.min(o.endpointQueueBytes, o.queueBytes >> 1);
    while (lane.size > 0 && (lane.size >= laneMax || lane.bytes + size > laneBytes || this.queued >= o.queueMax || this.bytes + size > o.queueBytes)) {
      const old = lane.shift();
      this.queued--;
      this.bytes -= sizeOf(old);
      o.onOutcome(old, { ok: false, at: o.now(), reason: 'notification queue full: dropped for a newer one', dropped: true });
    }
    if (this.queued >= o.queueMax || this.bytes + size > o.queueBytes || size > laneBytes) {
      o.onOutcome(d, { ok: false, at: o.now(), reason: 'notification queue full', dropped: true });
      if (lane.size === 0 && lane.active === 0 && !lane.timer && lane.failures === 0) this.lanes.delete(lane.key);
      return;
    }
    lane.push(d);
    this.queued++;
    this.bytes += size;
    this.pump(lane);
  }

  private pump(lane: Lane): void {
    if (this.stopped) return;
    const now = Date.now();
    while (lane.active < this.o.concurrency && lane.size > 0 && now >= lane.pausedUntil) {
      const d = lane.shift();
      this.queued--;
      this.bytes -= sizeOf(d);
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
      // Exponential backoff per subscription and endpoint (or its cooldown, clause 5.2.15), with ±20 % jitter.
      const base = d.cooldownMs ?? Math.min(this.o.backoffMs * 2 ** Math.min(lane.failures - 1, 20), this.o.backoffMaxMs);
      lane.pausedUntil = Date.now() + Math.round(base * (0.8 + Math.random() * 0.4));
      if (d.attempt <= this.o.retries && !this.stopped) {
        lane.unshift(d);
        this.queued++;
        this.bytes += sizeOf(d);
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
    this.bytes = 0;
    await Promise.all(Object.values(this.o.notifiers).filter((n, i, a) => a.indexOf(n) === i).map((n) => n.close()));
    await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}
