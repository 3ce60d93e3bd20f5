// The cluster feed of the PostgreSQL engine: node leases in cluster_nodes (renewed every heartbeat, on
// the database's clock), and committed changes as cluster_changes rows announced by NOTIFY <seq>.
// One dedicated connection LISTENs for speed; exactness comes from reading by transaction id (see
// readAll): every heartbeat, and after a lost LISTEN connection is back, a node reads again every row
// whose transaction had not ended at its last such read, so no row is missed however late it commits.
// Heartbeats, publishing and reading use a pool of their own (two sessions, "drehscheibe:<schema>:cluster"),
// so that a saturated request pool cannot delay a heartbeat past the lease.
import pg from 'pg';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ClusterEvent, ClusterFeed, ClusterHandlers, ClusterTiming } from '../port.cluster.ts';
import { createPool, q, quoteIdent, type PgOptions } from './postgres.database.ts';

/** How long published rows are kept (a takeover reads this far back; a transaction must commit within it). */
const KEEP_MS = 10 * 60_000;

/** NOTIFY channel of a schema (channels are per database; names are limited to 63 bytes). */
export function channelOf(schema: string): string {
  const name = `drehscheibe_feed_${schema}`;
  return name.length <= 63 ? name : `drehscheibe_feed_${createHash('sha1').update(schema).digest('hex').slice(0, 32)}`;
}

export interface ClusterFeedOptions extends PgOptions {
  /**
   * A file in the node's data directory naming the node id, process id and host of its last start: a
   * lease left by a previous process of this node that is certainly dead is ended at start-up, instead
   * of counting as another node for a whole lease (issue #13 item 7).
   */
  identityFile?: string;
}

interface Identity { nodeId: string; pid: number; host: string }

export class PgClusterFeed implements ClusterFeed {
  readonly nodeId = `${process.pid}-${randomUUID()}`;
  private readonly channel: string;
  private live: string[] = [this.nodeId];
  private handlers?: ClusterHandlers;
  private listener?: pg.Client;
  private heartbeat?: NodeJS.Timeout;
  private reconnect?: NodeJS.Timeout;
  private timing: ClusterTiming = { heartbeatMs: 2000, leaseMs: 6000 };
  private running = false;
  /**
   * The xmin of the snapshot of the last complete read (readAll): every transaction with a lower id
   * had ended by then, so each committed row below it has been handed over or is older than this node.
   */
  private xmin = 0n;
  /**
   * Rows at or above xmin that were handed over (or are older than this node), seq → xid: reads
   * return them again and skip them here. Rebuilt by each complete read, so it holds no more than
   * the table's rows at or above xmin (a long-running transaction anywhere in the database keeps
   * xmin back; the rows are pruned after KEEP_MS all the same).
   */
  private seen = new Map<number, bigint>();
  private lastPrune = 0;
  private reading: Promise<void> = Promise.resolve();
  private readAllQueued = false;

  private readonly pool: pg.Pool;
  private readonly schema: string;
  private ended = false;

  constructor(private readonly o: ClusterFeedOptions) {
    this.schema = o.schema ?? 'public';
    this.channel = channelOf(this.schema);
    this.pool = createPool({ ...o, poolSize: 2, applicationName: `drehscheibe:${this.schema}:cluster` });
  }

  liveNodes(): readonly string[] { return this.live; }

  async start(timing: ClusterTiming, handlers: ClusterHandlers): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.timing = timing;
    this.handlers = handlers;
    // Rows committed before this read are older than the node: marked seen, never handed over.
    await this.readAll(false);
    await this.listen();
    await this.endPredecessorLease();
    await this.beat();
    this.heartbeat = setInterval(() => {
      void this.beat().catch((e) => this.handlers?.warn?.({ err: e }, 'cluster heartbeat failed'));
      // Also what no NOTIFY announced (LISTEN connection down, or a notification lost otherwise).
      this.catchUp();
    }, timing.heartbeatMs);
    this.heartbeat.unref();
  }

  shareChanges: () => boolean = () => false;

  /**
   * Writes events as one feed row on a transaction's connection: NOTIFY is delivered at its commit.
   * The row is written right before COMMIT, so `at` is the statement's time (clock_timestamp), not
   * the transaction's start: a long transaction's row is kept KEEP_MS from about its commit.
   */
  async publishIn(c: pg.PoolClient, events: ClusterEvent[]): Promise<void> {
    if (!this.running || events.length === 0) return;
    await q(c, `WITH ins AS (INSERT INTO cluster_changes (origin, events, at) VALUES ($1, $2, clock_timestamp()) RETURNING seq)
      SELECT pg_notify($3, ins.seq::text || ' ' || $1) FROM ins`, [this.nodeId, JSON.stringify(events), this.channel]);
  }

  async publish(events: ClusterEvent[]): Promise<void> {
    if (!this.running || events.length === 0) return;
    await q(this.pool, `WITH ins AS (INSERT INTO cluster_changes (origin, events) VALUES ($1, $2) RETURNING seq)
      SELECT pg_notify($3, ins.seq::text || ' ' || $1) FROM ins`, [this.nodeId, JSON.stringify(events), this.channel]);
  }

  async stop(opts: { leave?: boolean } = {}): Promise<void> {
    if (!this.running) return this.end();
    this.running = false;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.reconnect) clearTimeout(this.reconnect);
    const l = this.listener;
    this.listener = undefined;
    if (l) await l.end().catch(() => {});
    await this.reading.catch(() => {});
    // The row stays (with its last heartbeat) so that the others know since when to re-match.
    if (opts.leave ?? true) await q(this.pool, 'UPDATE cluster_nodes SET expires_at = now() WHERE node_id = $1', [this.nodeId]).catch(() => {});
    await this.end();
  }

  private async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end().catch(() => {});
  }

  /**
   * The previous process of this node (same data directory, same host) left a lease behind if it did not
   * stop cleanly (kill -9, a crash, an out-of-memory kill). When that process is certainly gone — its pid is
   * ours, or no process has it — the lease is ended now, so it neither counts as another node nor delays the
   * takeover of what it owned (the others see it gone at their next heartbeat, as after an expiry). A process
   * still alive with that pid (two nodes sharing one data directory) or another host is left to its lease.
   */
  private async endPredecessorLease(): Promise<void> {
    const file = this.o.identityFile;
    if (!file) return;
    let prev: Partial<Identity> | undefined;
    try {
      prev = JSON.parse(readFileSync(file, 'utf8')) as Partial<Identity>;
    } catch { /* first start in this data directory, or an unreadable file: nothing to recognise */ }
    const me: Identity = { nodeId: this.nodeId, pid: process.pid, host: hostname() };
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(me));
      renameSync(`${file}.tmp`, file);
    } catch (e) {
      this.handlers?.warn?.({ err: e, file }, 'cluster: cannot record this node\'s id in the data directory');
    }
    if (typeof prev?.nodeId !== 'string' || prev.nodeId === this.nodeId || prev.host !== me.host || typeof prev.pid !== 'number') return;
    if (prev.pid !== process.pid && processAlive(prev.pid)) return;
    const ended = await q(this.pool, 'UPDATE cluster_nodes SET expires_at = now() WHERE node_id = $1 AND expires_at > now() RETURNING node_id', [prev.nodeId]);
    if (ended.length) this.handlers?.warn?.({ previous: prev.nodeId, pid: prev.pid }, 'cluster: ended the lease this node\'s previous process left behind (it did not stop cleanly)');
  }

  /** Renews this node's lease and reads who else is live; prunes old feed rows now and then. */
  private async beat(): Promise<void> {
    if (!this.running) return;
    const lease = this.timing.leaseMs;
    const rows = await q<{ node_id: string }>(this.pool, `WITH up AS (
        INSERT INTO cluster_nodes (node_id, heartbeat_at, expires_at) VALUES ($1, now(), now() + $2 * interval '1 millisecond')
        ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = now(), expires_at = excluded.expires_at RETURNING node_id)
      SELECT node_id FROM cluster_nodes WHERE expires_at > now() AND node_id <> $1 UNION SELECT node_id FROM up`, [this.nodeId, lease]);
    if (!this.running) return;
    const live = rows.map((r) => r.node_id).sort();
    if (live.join('\n') !== this.live.join('\n')) {
      const before = this.live;
      this.live = live;
      const gone = before.filter((n) => !live.includes(n));
      if (gone.length) await this.reportGone(gone, before);
    }
    if (Date.now() - this.lastPrune > 60_000) {
      this.lastPrune = Date.now();
      await q(this.pool, `DELETE FROM cluster_changes WHERE at < now() - $1 * interval '1 millisecond'`, [KEEP_MS]);
      await q(this.pool, `DELETE FROM cluster_nodes WHERE expires_at < now() - interval '1 day'`);
    }
  }

  /**
   * Hands over every event published since a heartbeat before the gone nodes' last one: what they
   * may not have notified. Read after the live set changed, so nothing is left between the two.
   */
  private async reportGone(gone: string[], before: readonly string[]): Promise<void> {
    const rows = await q<{ events: ClusterEvent[] }>(this.pool, `SELECT events FROM cluster_changes
      WHERE at >= (SELECT min(heartbeat_at) FROM cluster_nodes WHERE node_id = ANY($1)) - $2 * interval '1 millisecond' ORDER BY seq`, [gone, this.timing.heartbeatMs]);
    if (this.running) this.handlers?.nodesGone(gone, before, rows.flatMap((r) => r.events));
  }

  /** Opens the LISTEN connection; on failure or loss, retries every heartbeat and then catches up. */
  private async listen(): Promise<void> {
    const c = new pg.Client({ connectionString: this.o.url, application_name: `drehscheibe:${this.schema}:feed` });
    const lost = () => {
      if (this.listener !== c) return;
      this.listener = undefined;
      c.end().catch(() => {});
      this.handlers?.warn?.({}, 'cluster feed: LISTEN connection lost, reconnecting');
      this.retry();
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (n) => {
      const [seq, origin] = (n.payload ?? '').split(' ');
      if (origin === this.nodeId || !seq) return;
      this.readOne(Number(seq));
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${quoteIdent(this.channel)}`);
    } catch (e) {
      c.end().catch(() => {});
      this.handlers?.warn?.({ err: e }, 'cluster feed: LISTEN connection failed, retrying');
      this.retry();
      return;
    }
    if (!this.running) { await c.end().catch(() => {}); return; }
    this.listener = c;
    // Rows committed while no connection listened (since start, or while reconnecting).
    this.catchUp();
  }

  private retry(): void {
    if (!this.running || this.reconnect) return;
    this.reconnect = setTimeout(() => { this.reconnect = undefined; void this.listen(); }, this.timing.heartbeatMs);
    this.reconnect.unref();
  }

  /** Queues a complete read (one at most waiting: a queued one reads everything up to when it runs). */
  private catchUp(): void {
    if (this.readAllQueued) return;
    this.readAllQueued = true;
    this.queue(() => { this.readAllQueued = false; return this.readAll(true); });
  }

  /**
   * The complete read. Feed rows are numbered and stamped with their transaction's id when written,
   * and commit in any order, so no seq tells what has been read. Transaction ids do: the snapshot
   * of this statement has an xmin below which every transaction has ended, so every committed row
   * with a lower xid is visible to it. Rows below the xmin of the previous complete read were
   * handed over then (or before); so reading the rows at or above it, and handing over those not
   * seen, hands over every committed row below the new xmin, once. Later rows are left to the
   * next read, however late they commit. The first read (`handOver` false, at start) hands over
   * nothing: what it sees is older than this node; rows that commit after it are all at or above
   * its xmin.
   */
  private async readAll(handOver: boolean): Promise<void> {
    const rows = await q<{ xmin: string; seq: number | null; xid: string | null }>(this.pool, `SELECT s.xmin::text AS xmin, c.seq, c.xid::text AS xid
      FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) s
      LEFT JOIN cluster_changes c ON c.xid >= coalesce($1::xid8, s.xmin) AND c.origin <> $2 ORDER BY c.seq`,
      [handOver ? this.xmin.toString() : null, this.nodeId]);
    const found = rows.filter((r) => r.seq !== null) as Array<{ seq: number; xid: string }>;
    const fresh = found.filter((r) => !this.seen.has(r.seq));
    if (handOver && fresh.length > 0) {
      const xidOf = new Map(fresh.map((r) => [r.seq, BigInt(r.xid)]));
      const full = await q<{ seq: number; events: ClusterEvent[] }>(this.pool, 'SELECT seq, events FROM cluster_changes WHERE seq = ANY($1::bigint[]) ORDER BY seq', [[...xidOf.keys()]]);
      for (const r of full) {
        this.seen.set(r.seq, xidOf.get(r.seq)!);
        if (this.running) this.handlers?.events(r.events);
      }
    }
    // Never backwards (a later snapshot's xmin is not lower, but nothing here depends on it).
    const xmin = BigInt(rows[0].xmin);
    if (xmin > this.xmin) this.xmin = xmin;
    // Every row handed over so far that is at or above the xmin and still stored is among `found`
    // (it committed before this snapshot): the seen set is exactly those.
    const seen = new Map<number, bigint>();
    for (const r of found) {
      const xid = BigInt(r.xid);
      if (xid >= this.xmin) seen.set(r.seq, xid);
    }
    this.seen = seen;
  }

  /**
   * Reads one announced row. Skipped when seen, and read only if its xid is at or above the xmin:
   * below it, a complete read has already handed it over (NOTIFY may arrive after that read).
   */
  private readOne(seq: number): void {
    this.queue(async () => {
      if (this.seen.has(seq)) return;
      const rows = await q<{ xid: string; events: ClusterEvent[] }>(this.pool, 'SELECT xid::text AS xid, events FROM cluster_changes WHERE seq = $1 AND xid >= $2::xid8', [seq, this.xmin.toString()]);
      for (const r of rows) {
        this.seen.set(seq, BigInt(r.xid));
        if (this.running) this.handlers?.events(r.events);
      }
    });
  }

  /** Runs feed reads one at a time, in order. */
  private queue(read: () => Promise<void>): void {
    this.reading = this.reading.then(read).catch((e) => this.handlers?.warn?.({ err: e }, 'cluster feed: changes could not be read'));
  }
}

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
