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
}

export class EventBus {
  private readonly ee = new EventEmitter();
  constructor() { this.ee.setMaxListeners(100); }
  on<K extends keyof EventMap>(name: K, fn: (...args: EventMap[K]) => void): () => void {
    this.ee.on(name, fn as (...a: unknown[]) => void);
    return () => this.ee.off(name, fn as (...a: unknown[]) => void);
  }
  emit<K extends keyof EventMap>(name: K, ...args: EventMap[K]): void {
    if (this.ee.listenerCount(name) > 0) this.ee.emit(name, ...args);
  }
}
