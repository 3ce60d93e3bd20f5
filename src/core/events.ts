// Typed in-process event bus: the one write path publishes changes here after commit;
// subscriptions, history and catalog freshness react without the write path knowing them.
import { EventEmitter } from 'node:events';

export interface EntityChange {
  tenant: string;
  kind: 'created' | 'updated' | 'replaced' | 'deleted';
  id: string;
  /** Expanded entity as it was before the write (absent on create). */
  before?: unknown;
  /** Expanded entity as it is after the write (absent on delete). */
  after?: unknown;
  at: string;
}

export interface EventMap {
  'entity.changed': [EntityChange[]];
  /** Another node changed the ingest's device registry (docs/scaling.md). */
  'cluster.registry': [];
  /** Another node replaced the access policy (docs/security.md). */
  'cluster.policy': [];
  /** Another node revoked the API key with this id (docs/security.md). */
  'cluster.apikey': [id: string];
  /** Another node deleted this tenant (docs/admin.md#tenants). */
  'cluster.tenant': [name: string];
}

/**
 * Listeners run in the emitter's turn (after a commit, inside a request or the ingest's flush): one
 * that throws must neither fail that write nor stop the other listeners, so each is isolated and its
 * error goes to `onError`.
 */
export class EventBus {
  private readonly ee = new EventEmitter();
  constructor(private readonly onError: (err: unknown, event: string) => void = (err, event) => console.error(`event listener of ${event} failed:`, err)) {
    this.ee.setMaxListeners(100);
  }
  on<K extends keyof EventMap>(name: K, fn: (...args: EventMap[K]) => void): () => void {
    const guarded = (...a: unknown[]): void => {
      try { (fn as (...a: unknown[]) => void)(...a); } catch (e) { this.report(e, name); }
    };
    this.ee.on(name, guarded);
    return () => this.ee.off(name, guarded);
  }
  emit<K extends keyof EventMap>(name: K, ...args: EventMap[K]): void {
    if (this.ee.listenerCount(name) > 0) this.ee.emit(name, ...args);
  }
  private report(err: unknown, event: string): void {
    try { this.onError(err, event); } catch { /* the reporter itself must not throw into the emitter */ }
  }
}
