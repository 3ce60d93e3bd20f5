// The storage port: the only way the domain touches persistence. Shaped around our
// operations, not generic SQL; no driver types cross it. Adapters: sqlite/ (embedded), postgres/ (scale).
import type { AttrPath, QNode, ScopeNode, TypeNode } from './query-ast.ts';
import type { HistoryWriter, TemporalStore } from './port.temporal.ts';
import type { SubscriptionStore } from './port.subscriptions.ts';
import type { IngestStore } from './port.ingest.ts';
import type { AuthStore } from './port.auth.ts';
import type { AccountStore } from './port.accounts.ts';
import type { ClusterFeed } from './port.cluster.ts';
import type { EntityChange } from '../core/events.ts';

/**
 * One attribute instance in expanded form. Members that the core context defines keep their
 * short names (type, value, object, languageMap, vocab, valueList, objectList, json, observedAt,
 * unitCode, datasetId, createdAt, modifiedAt, deletedAt); every other key is the expanded IRI of a
 * sub-attribute whose value is again an AttrInstance.
 */
export interface AttrInstance {
  type: AttrType;
  [member: string]: unknown;
}

export type AttrType =
  | 'Property' | 'Relationship' | 'GeoProperty' | 'LanguageProperty'
  | 'VocabProperty' | 'ListProperty' | 'ListRelationship' | 'JsonProperty';

/** An entity as stored: names expanded; attrs keyed by IRI, instances with the default (no datasetId) first. */
export interface EntityRecord {
  id: string;
  types: string[];
  scopes?: string[];
  createdAt: string;
  modifiedAt: string;
  attrs: Record<string, AttrInstance[]>;
  /**
   * Transient entity (clause 4.5.1, v1.9): the instant (UTC, Date.toISOString form) from which the
   * entity no longer exists. Readers never answer an expired entity; a sweeper deletes it.
   */
  expiresAt?: string;
  /** Version set by storage on read: changes with every write of the entity. */
  rev?: number;
  /**
   * Lifetime stamp set by storage on read: differs between an entity and any earlier or later one
   * with the same id (delete and create again), on every node. With rev it names one version.
   */
  born?: number;
}

/** One version of a stored entity: unique across the entity's lifetimes (ETags, render caches). */
export interface EntityVersion {
  born: number;
  rev: number;
}

/** Identity and version of a stored entity (for caches of rendered representations). */
export interface EntityKey extends EntityVersion {
  id: string;
}

/** Geo restriction on entity queries. `predicate` is the exact test; `bbox` narrows by index. */
export interface GeoFilter {
  /** Expanded IRI of the GeoProperty (default https://uri.etsi.org/ngsi-ld/location). */
  property: string;
  /** Search window [minX, minY, maxX, maxY]; absent when no index can narrow (disjoint, minDistance). */
  bbox?: [number, number, number, number];
  predicate: (geometry: unknown) => boolean;
}

/** What an entity query selects. Names are expanded IRIs; q paths use storage member keys. */
export interface EntityFilter {
  ids?: string[];
  idPattern?: string;
  types?: TypeNode;
  q?: QNode;
  scopeQ?: ScopeNode;
  geo?: GeoFilter;
  /** Entities having at least one of these attributes (clause 6.4.3.2 attrs). */
  anyAttrs?: string[];
  /**
   * Type-level read access (docs/security.md): `only` = every type of the entity is one of these;
   * `except` = none of its types is one of these. An entity with several types needs all of them readable.
   */
  readable?: { only?: readonly string[]; except?: readonly string[] };
  /**
   * Entity ordering (clause 4.23): the keys in turn, then the id. Absent: the engine's own stable
   * order (no sort cost). See OrderKey for how values of different types compare.
   */
  order?: OrderKey[];
  /**
   * Leave out entities whose expiresAt is at or before this instant (ISO, UTC). Readers set it
   * themselves when some entity has expired and is not yet swept; callers need not.
   */
  aliveAt?: string;
}

/**
 * One sort key of clause 4.23. The target is the value of a Property (the object of a Relationship,
 * the vocab of a VocabProperty) of the default instance, or the member a path addresses. Types rank
 * as in 4.23.2: numbers, strings, objects, arrays, booleans, Time, Date, DateTime, null, absent.
 * Within a rank: numbers by value, strings and dates by code point, booleans false first; objects
 * and arrays are not ordered among themselves (the id decides). `desc` reverses ranks and values,
 * but null and absent stay last.
 */
export interface OrderKey {
  /** Absent: the entity id. */
  path?: AttrPath;
  desc: boolean;
  /**
   * Order by distance (clause 4.23, dist-asc / dist-desc) instead of by value: `meters` of the
   * default instance's value of the GeoProperty `property` (expanded IRI); entities without it, or
   * whose value gives no distance, come last. Both engines call `meters` in process, so they agree.
   */
  distance?: { property: string; meters: (geometry: unknown) => number | undefined };
}

export interface Page {
  limit: number;
  offset: number;
  count: boolean;
}

export interface QueryResult {
  entities: EntityRecord[];
  /** Total number of matches, when Page.count was set. */
  count?: number;
}

export interface TypeAttrRow {
  type: string;
  attr: string;
  attrType: AttrType;
  /** Number of entities of this type having the attribute. */
  entities: number;
}

/** Reads, outside any write transaction: see only committed data. */
export interface EntityReader {
  get(tenant: string, id: string): Promise<EntityRecord | undefined>;
  query(tenant: string, filter: EntityFilter, page: Page): Promise<QueryResult>;
  /** Like query, but only ids and versions: callers fetch what they have not cached. */
  queryKeys(tenant: string, filter: EntityFilter, page: Page): Promise<{ keys: EntityKey[]; count?: number }>;
  /** Entities by id, in no particular order; missing ids are left out. */
  getMany(tenant: string, ids: string[]): Promise<EntityRecord[]>;
  /** The version of one entity, undefined when it does not exist. */
  versionOf(tenant: string, id: string): Promise<EntityVersion | undefined>;
  /** Entity counts per type (expanded type IRIs). */
  typeCounts(tenant: string): Promise<Array<{ type: string; entities: number }>>;
  /** Which attributes (and attribute types) occur per entity type. */
  typeAttributes(tenant: string): Promise<TypeAttrRow[]>;
  /** Number of entities having each attribute (expanded IRIs). */
  attributeCounts(tenant: string): Promise<Array<{ attr: string; entities: number }>>;
  tenantExists(tenant: string): Promise<boolean>;
  listTenants(): Promise<string[]>;
  /** Expired transient entities (expiresAt at or before `now`) of every tenant, soonest first. */
  expired(now: string, limit: number): Promise<Array<{ tenant: string; id: string }>>;
}

/** Reads and writes inside one transaction; nothing is visible to readers before commit. */
export interface EntityWriteTx {
  get(tenant: string, id: string): Promise<EntityRecord | undefined>;
  /** Throws StorageConflict when the id exists in the tenant. */
  insert(tenant: string, entity: EntityRecord): Promise<void>;
  /**
   * Replaces the stored record of entity.id; throws StorageNotFound if absent. `before` (the record
   * as read in this transaction) lets the adapter skip index work for unchanged parts.
   */
  update(tenant: string, entity: EntityRecord, before?: EntityRecord): Promise<void>;
  /** Returns false when the entity did not exist. */
  delete(tenant: string, id: string): Promise<boolean>;
  /**
   * Optional: reads (and, where the engine locks, locks) these entities ahead of a batch in one
   * statement, so that the get/insert calls that follow cost no round trip each. Engines whose
   * reads are in process (SQLite) leave it out.
   */
  prefetch?(tenant: string, ids: string[]): Promise<void>;
}

export interface WriteTx {
  entities: EntityWriteTx;
  history: HistoryWriter;
  /** Runs fn in a nested savepoint: if it throws, only its writes are undone (batch operations). */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * The transaction's entity changes for the other nodes (engines with a cluster feed): written
   * to the feed inside this transaction, so they are announced exactly when it commits.
   */
  share?(changes: EntityChange[]): void;
}

export interface StorageCapabilities {
  /** Geometry predicates are evaluated inside the engine (PostGIS) rather than in process. */
  nativeGeo: boolean;
  /** Regular expressions in q are evaluated by the engine. */
  regex: boolean;
}

/**
 * Tenants as such (the operators' tenant management, src/tenants/): a tenant comes into being with
 * its first entity or by `create`; `drop` removes its entities and their history in one
 * transaction. Subscriptions and the device registry are removed by their services (they keep
 * caches of their own), before the drop.
 */
export interface TenantStore {
  /** Adds the tenant; false when it exists already. */
  create(name: string, at: string): Promise<boolean>;
  /** Entities and history instances (with the entities that have history) the tenant holds. */
  usage(name: string): Promise<TenantUsage>;
  /** Deletes every entity of the tenant, its history and the tenant itself; answers what was there. */
  drop(name: string): Promise<TenantUsage>;
  /**
   * Another node (same database) dropped the tenant: forget what this node cached of it (that its
   * row exists), so that a later write creates the tenant again instead of leaving it unlisted.
   */
  forgetTenant(name: string): void;
}

export interface TenantUsage {
  entities: number;
  /** Entities with history (also entities deleted since). */
  historyEntities: number;
  /** Attribute instances in the history. */
  historyInstances: number;
}

export interface StoragePort {
  readonly engine: string;
  /** Creating, measuring and deleting whole tenants. */
  readonly tenants: TenantStore;
  readonly capabilities: StorageCapabilities;
  readonly entities: EntityReader;
  readonly subscriptions: SubscriptionStore;
  readonly temporal: TemporalStore;
  /** Device registry of the ingest (port.ingest.ts). */
  readonly ingest: IngestStore;
  /** API keys and the audit log (port.auth.ts). */
  readonly auth: AuthStore;
  /** Users, sessions, account tokens and the mail outbox (port.accounts.ts). */
  readonly accounts: AccountStore;
  /** Change feed and live nodes when several nodes share the engine's database (PostgreSQL); absent on SQLite. */
  readonly cluster?: ClusterFeed;
  /** Runs fn in one atomic transaction; writers are serialised. */
  withTransaction<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  /** Value indexes for these attributes (expanded IRIs), replacing the previous set. */
  ensureAttributeIndexes(iris: string[]): Promise<void>;
  /** The clock that decides which transient entities have expired on read (default: system time). */
  useClock?(clock: { now(): Date }): void;
  /** Storage reachable (for /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
