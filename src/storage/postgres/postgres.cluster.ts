// The cluster feed of the PostgreSQL engine: node leases in cluster_nodes (renewed every heartbeat, on
// the database's clock), and committed changes as cluster_changes rows announced by NOTIFY <seq>.
// One dedicated connection LISTENs; when it breaks it reconnects and catches up on the rows it missed.
// Heartbeats, publishing and reading use a pool of their own (two sessions, "drehscheibe:<schema>:cluster"),
// so that a saturated request pool cannot delay a heartbeat past the lease.
import pg from 'pg';
import { createHash, randomUUID } from 'node:crypto';
import type { ClusterEvent, ClusterFeed, ClusterHandlers, ClusterTiming } from '../port.cluster.ts';
import { createPool, q, quoteIdent, type PgOptions } from './postgres.database.ts';

/** How long published rows are kept (catch-up after a reconnect reaches this far back). */
const KEEP_MS = 10 * 60_000;
/** How many rows before the last one seen a catch-up reads again (late commits; `seen` drops repeats). */
const CATCHUP_SLACK = 1000;

/** NOTIFY channel of a schema (channels are per database; names are limited to 63 bytes). */
export function channelOf(schema: string): string {
  const name = `drehscheibe_feed_${schema}`;
  return name.length <= 63 ? name : `drehscheibe_feed_${createHash('sha1').update(schema).digest('hex').slice(0, 32)}`;
}

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
  /** Highest seq read from the feed: a reconnect catches up from here. */
  private lastSeq = 0;
  /** The feed's end when this node joined: rows up to here are older than the node. */
  private startSeq = 0;
  private lastPrune = 0;
  private readonly seen = new Set<number>();
  private reading: Promise<void> = Promise.resolve();

  private readonly pool: pg.Pool;
  private readonly schema: string;
  private ended = false;

  constructor(private readonly o: PgOptions) {
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
    this.lastSeq = (await q<{ n: number }>(this.pool, 'SELECT coalesce(max(seq), 0) AS n FROM cluster_changes'))[0].n;
    this.startSeq = this.lastSeq;
    await this.listen();
    await this.beat();
    this.heartbeat = setInterval(() => { void this.beat().catch((e) => this.handlers?.warn?.({ err: e }, 'cluster heartbeat failed')); }, timing.heartbeatMs);
    this.heartbeat.unref();
  }

  shareChanges: () => boolean = () => false;

  /** Writes events as one feed row on a transaction's connection: NOTIFY is delivered at its commit. */
  async publishIn(c: pg.PoolClient, events: ClusterEvent[]): Promise<void> {
    if (!this.running || events.length === 0) return;
    await q(c, `WITH ins AS (INSERT INTO cluster_changes (origin, events) VALUES ($1, $2) RETURNING seq)
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
      this.read(`seq = $1`, [Number(seq)]);
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
    // Rows published while no connection listened (since start, or while reconnecting).
    // Feed rows are numbered when written, inside their transaction, and may commit out of order:
    // the catch-up also reads the CATCHUP_SLACK rows before the last one seen (those already
    // handed over are skipped), but none older than this node.
    this.read('seq > $1 AND origin <> $2', [Math.max(this.startSeq, this.lastSeq - CATCHUP_SLACK), this.nodeId]);
  }

  private retry(): void {
    if (!this.running || this.reconnect) return;
    this.reconnect = setTimeout(() => { this.reconnect = undefined; void this.listen(); }, this.timing.heartbeatMs);
    this.reconnect.unref();
  }

  /** Reads feed rows in order (one read at a time) and hands their events to the handler. */
  private read(where: string, params: unknown[]): void {
    this.reading = this.reading.then(async () => {
      const rows = await q<{ seq: number; events: ClusterEvent[] }>(this.pool, `SELECT seq, events FROM cluster_changes WHERE ${where} ORDER BY seq`, params);
      for (const r of rows) {
        // A row can be announced and caught up on both: each is handed over once.
        if (this.seen.has(r.seq)) continue;
        this.seen.add(r.seq);
        if (this.seen.size > 10_000) this.seen.delete(this.seen.values().next().value as number);
        if (r.seq > this.lastSeq) this.lastSeq = r.seq;
        if (this.running) this.handlers?.events(r.events);
      }
    }).catch((e) => this.handlers?.warn?.({ err: e }, 'cluster feed: changes could not be read'));
  }
}
