// The main thread's side of the dispatch worker: batches deliveries to it once per event-loop turn and turns
// the outcomes it reports back into counter updates. Same surface as the in-process Dispatcher.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Delivery, DeliveryPolicy, DispatchPort } from './subscriptions.dispatcher.ts';

/** What the worker thread is started with. */
export interface WorkerInit extends DeliveryPolicy {
  allowPrivate: boolean;
}

/** Outcomes of one subscription's attempts, summed over a short batch (one message, not one per attempt). */
export interface OutcomeCounts {
  tenant: string;
  subId: string;
  uri: string;
  /** Attempts made (dropped notifications are not attempts). */
  sent: number;
  /** Notifications dropped unattempted (queue full); also counted in failed. */
  dropped: number;
  ok: number;
  failed: number;
  /** Whether the batch's last outcome was a success. */
  lastOk: boolean;
  reason?: string;
  /** Deliveries that need no further attempt. */
  finals: number;
}

export type ToWorker = { type: 'deliver'; list: Delivery[] } | { type: 'stop' };
type FromWorker = { type: 'outcomes'; list: OutcomeCounts[] } | { type: 'stopped' };

/**
 * Starts the worker. Under tsx (how Drehscheibe runs today) the worker registers tsx's loader first, since
 * workers do not inherit loader hooks; compiled JavaScript would be started directly.
 */
function startWorker(url: URL, init: WorkerInit): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: init });
  const meta = import.meta as ImportMeta & { resolve?: (s: string) => string };
  const api = typeof meta.resolve === 'function' ? meta.resolve('tsx/esm/api')
    : pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true, workerData: init });
}

export class RemoteDispatcher implements DispatchPort {
  /**
   * Started with the first delivery: a worker under tsx is its own V8 isolate plus tsx's loader
   * thread (~46 MB resident), which a server without subscriptions never needs (issue #19, memory).
   */
  private worker?: Worker;
  private batch: Delivery[] = [];
  private scheduled = false;
  private outstanding = 0;
  private stopped?: Promise<void>;

  constructor(private readonly init: WorkerInit, private readonly onOutcome: (c: OutcomeCounts, at: Date) => void, private readonly now: () => Date) {}

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(new URL('./dispatch.worker.ts', import.meta.url), this.init);
    this.worker = worker;
    worker.unref();
    worker.on('message', (m: FromWorker) => {
      if (m.type !== 'outcomes') return;
      const at = this.now();
      for (const c of m.list) {
        this.outstanding -= c.finals;
        this.onOutcome(c, at);
      }
    });
    worker.on('error', (e) => {
      this.outstanding = 0;
      this.onOutcome({ tenant: '', subId: '', uri: '', sent: 0, dropped: 0, ok: 0, failed: 1, lastOk: false, reason: `dispatch worker failed: ${e.message}`, finals: 0 }, this.now());
    });
    return worker;
  }

  get busy(): boolean { return this.outstanding > 0 || this.batch.length > 0; }
  get pending(): number { return this.outstanding; }

  enqueue(d: Delivery): void {
    if (this.stopped) return;
    this.batch.push(d);
    this.outstanding++;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const list = this.batch;
      this.batch = [];
      if (list.length === 0) return;
      // Stopped meanwhile: not delivered (as before, when the worker got them after its stop), and not counted as outstanding.
      if (this.stopped) { this.outstanding -= list.length; return; }
      this.started().postMessage({ type: 'deliver', list } satisfies ToWorker);
    });
  }

  stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return (this.stopped ??= Promise.resolve());
    this.stopped ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => { void worker.terminate().then(() => resolve()); }, 3000);
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'stopped') { clearTimeout(timer); void worker.terminate().then(() => resolve()); }
      });
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
    });
    return this.stopped;
  }
}
