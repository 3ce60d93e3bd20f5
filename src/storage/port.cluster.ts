// Optional cluster part of the storage port: a feed of committed changes between the nodes sharing one
// database, and the set of live nodes (heartbeat leases). Engines without several nodes (SQLite) leave it out.
import type { EntityChange } from '../core/events.ts';

/** What travels between nodes: committed entity changes, and notices that a subscription changed. */
export type ClusterEvent =
  | { kind: 'entities'; changes: EntityChange[] }
  | { kind: 'subscription'; tenant: string; id: string }
  /** The ingest's device registry changed (provisioning): the others read it again. */
  | { kind: 'registry' }
  /** The access policy was replaced through the admin API: the others read it again. */
  | { kind: 'policy' }
  /** An API key was revoked: the others drop it from their key caches at once (by its public id, not its hash). */
  | { kind: 'apikey'; id: string }
  /** A tenant was deleted through the admin API: the others forget what they cached of it. */
  | { kind: 'tenant'; name: string };

export interface ClusterTiming {
  /** How often a node renews its lease and reads the live nodes, in ms. */
  heartbeatMs: number;
  /** How long a node counts as live after its last heartbeat, in ms. */
  leaseMs: number;
}

export interface ClusterHandlers {
  /** Events other nodes published (never this node's own). */
  events(events: ClusterEvent[]): void;
  /**
   * Nodes dropped out of the live set (lease expired or left). `events` are all events published
   * since shortly before their last heartbeat, by any node, this node's own included, so that what
   * the gone nodes owned can be matched again. `before` is the live set until now.
   */
  nodesGone(gone: string[], before: readonly string[], events: ClusterEvent[]): void;
  /** Trouble the feed recovers from by itself (failed heartbeat, lost LISTEN connection). */
  warn?(obj: object, msg: string): void;
}

export interface ClusterFeed {
  /** This node's id (unique per process start). */
  readonly nodeId: string;
  /**
   * Joins the cluster: registers this node, renews its lease every heartbeat, delivers the events
   * other nodes publish and reports nodes that are gone. Idempotent.
   */
  start(timing: ClusterTiming, handlers: ClusterHandlers): Promise<void>;
  /** Sends events to every other live node (after the commit they describe). */
  publish(events: ClusterEvent[]): Promise<void>;
  /**
   * Whether write transactions hand their entity changes to the other nodes (WriteTx.share): set by
   * the subscription service, true only while other nodes are live and subscriptions exist. The
   * changes then travel in the transaction that makes them, committed (or not) with it.
   */
  shareChanges: () => boolean;
  /** Ids of the live nodes as last read (this node always included), sorted. */
  liveNodes(): readonly string[];
  /**
   * Stops heartbeat and listening. `leave` (default true) ends this node's lease at once, so the
   * others take over at their next heartbeat; false simulates a crash (tests). Idempotent.
   */
  stop(opts?: { leave?: boolean }): Promise<void>;
}
