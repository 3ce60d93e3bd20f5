// Optional cluster part of the storage port: a feed of committed changes between the nodes sharing one
// database, and the set of live nodes (heartbeat leases). Engines without several nodes (SQLite) leave it out.
import type { EntityChange } from '../core/events.ts';

/** What travels between nodes: committed entity changes, and notices that a subscription changed. */
export type ClusterEvent =
  | { kind: 'entities'; changes: EntityChange[] }
  | { kind: 'subscription'; tenant: string; id: string };

export interface ClusterTiming {
  /** How often a node renews its lease and reads the live nodes, in ms. */
  heartbeatMs: number;
  /** How long a node counts as live after its last heartbeat, in ms. */
  leaseMs: number;
}

export interface ClusterFeed {
  /** This node's id (unique per process start). */
  readonly nodeId: string;
  /**
   * Joins the cluster: registers this node, renews its lease every heartbeat and delivers the events
   * other nodes publish (never this node's own) to the handler. Idempotent.
   */
  start(timing: ClusterTiming, handler: (events: ClusterEvent[]) => void): Promise<void>;
  /** Sends events to every other live node (after the commit they describe). */
  publish(events: ClusterEvent[]): Promise<void>;
  /** Ids of the live nodes as last read (this node always included), sorted. */
  liveNodes(): readonly string[];
  /**
   * Stops heartbeat and listening. `leave` (default true) removes this node's lease at once, so the
   * others take over without waiting; false simulates a crash (tests). Idempotent.
   */
  stop(opts?: { leave?: boolean }): Promise<void>;
}
