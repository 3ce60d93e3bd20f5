// The subscription part of the storage port (clause 5.2.12 Subscription, 5.8 operations): definitions per
// tenant plus additive delivery counters, so that several nodes can report notifications without overwriting each other.

/** A subscription as stored. The store treats `definition`, `context` and `compiled` as opaque JSON. */
export interface SubscriptionRecord {
  id: string;
  createdAt: string;
  modifiedAt: string;
  /** The subscription as the client defined it (names as written), without the read-only status members. */
  definition: Record<string, unknown>;
  /** The @context the definition was written with (URL, object or array). */
  context: unknown;
  /** The expanded, parsed form the matcher uses (built by the subscription service). */
  compiled: unknown;
  /** The principal that created it (docs/security.md); absent when created with access control off. Never changed by update. */
  owner?: string;
}

/** Delivery counters of clause 5.2.14 (NotificationParams: timesSent, timesFailed, last*). */
export interface DeliveryStats {
  timesSent: number;
  timesFailed: number;
  lastNotification?: string;
  lastSuccess?: string;
  lastFailure?: string;
  /** Why the last failed attempt failed (HTTP status, timeout, connection refused …). */
  lastFailureReason?: string;
}

export interface StoredSubscription extends SubscriptionRecord {
  stats: DeliveryStats;
}

/** Counters to add to a subscription's stats; last* only move forward in time. */
export interface DeliveryDelta {
  tenant: string;
  id: string;
  sent: number;
  failed: number;
  lastNotification?: string;
  lastSuccess?: string;
  lastFailure?: string;
  lastFailureReason?: string;
}

export interface SubscriptionStore {
  /** Throws StorageConflict when the id exists in the tenant. */
  create(tenant: string, rec: SubscriptionRecord): Promise<void>;
  get(tenant: string, id: string): Promise<StoredSubscription | undefined>;
  /** One page of a tenant's subscriptions in creation order (only `owner`'s, when given), and the total count. */
  list(tenant: string, page: { limit: number; offset: number }, owner?: string): Promise<{ items: StoredSubscription[]; count: number }>;
  /** Every subscription of every tenant (start-up: the matcher's index is built from it). */
  all(): Promise<Array<{ tenant: string; sub: StoredSubscription }>>;
  /** Replaces definition, context, compiled and modifiedAt; keeps the stats. Throws StorageNotFound if absent. */
  update(tenant: string, rec: SubscriptionRecord): Promise<void>;
  /** Returns false when the subscription did not exist. */
  delete(tenant: string, id: string): Promise<boolean>;
  /** Adds delivery counters; deltas for deleted subscriptions are ignored. */
  addDeliveryStats(deltas: DeliveryDelta[]): Promise<void>;
  /** Whether the tenant has any subscription (a tenant exists once something was written to it). */
  tenantHasSubscriptions(tenant: string): Promise<boolean>;
}
