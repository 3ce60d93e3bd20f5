// The PostgreSQL cluster feed on its own (docs/scaling.md#several-nodes): which rows a node hands
// over, by transaction id rather than seq. Rows are written by plain SQL as another node would, some
// without NOTIFY (a lost notification); the feed reads them all the same, each once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { ClusterEvent } from '../../src/storage/port.cluster.ts';
import type { PostgresStorage } from '../../src/storage/postgres/postgres.adapter.ts';
import { channelOf } from '../../src/storage/postgres/postgres.cluster.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';

const HEARTBEAT_MS = 100;

interface Feed { schema: string; storage: PostgresStorage; got: string[]; start: () => Promise<void>; client: () => Promise<pg.Client> }

/** A migrated schema whose feed collects the ids of the 'subscription' events it is handed. */
async function withFeed(fn: (f: Feed) => Promise<void>): Promise<void> {
  const schema = freshSchema();
  const storage = await openPgStorage(schema);
  const got: string[] = [];
  const clients: pg.Client[] = [];
  const feed: Feed = {
    schema, storage, got,
    start: () => storage.cluster.start({ heartbeatMs: HEARTBEAT_MS, leaseMs: 10 * HEARTBEAT_MS }, {
      events: (events: ClusterEvent[]) => { for (const e of events) if (e.kind === 'subscription') got.push(e.id); },
      nodesGone: () => {},
    }),
    client: async () => {
      const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      await c.connect();
      clients.push(c);
      return c;
    },
  };
  try {
    await fn(feed);
  } finally {
    for (const c of clients) await c.end().catch(() => {});
    await storage.close();
    await dropSchema(schema);
  }
}

/** Writes a feed row as another node would; announced by NOTIFY unless `notify` is false. */
async function write(c: pg.Client, schema: string, id: string, notify = true): Promise<void> {
  await c.query(`WITH ins AS (INSERT INTO cluster_changes (origin, events) VALUES ('elsewhere', $1) RETURNING seq)
    SELECT pg_notify($2, ins.seq::text || ' elsewhere') FROM ins WHERE $3`, [JSON.stringify([{ kind: 'subscription', tenant: '', id }]), channelOf(schema), notify]);
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Several heartbeats: time for repeats to show up if there were any. */
const settle = () => new Promise((r) => setTimeout(r, 5 * HEARTBEAT_MS));

test('cluster feed: rows committed before the node started are not handed over; a row whose transaction was open then is, once', { skip: PG_SKIP }, () => withFeed(async ({ schema, got, start, client }) => {
  const [a, b] = [await client(), await client()];
  await write(a, schema, 'old-1');
  // An open transaction with a feed row: numbered before old-2, committed after the node started.
  await b.query('BEGIN');
  await write(b, schema, 'open-at-start');
  // Committed while that transaction is open: at or above the start snapshot's xmin, yet older than the node.
  await write(a, schema, 'old-2');
  await start();
  await write(a, schema, 'new');
  await b.query('COMMIT');
  await until('both rows newer than the node arrived', () => got.length >= 2);
  await settle();
  assert.deepEqual(got.sort(), ['new', 'open-at-start']);
}));

test('cluster feed: rows whose NOTIFY never came are read at the next heartbeat, each once', { skip: PG_SKIP }, () => withFeed(async ({ schema, got, start, client }) => {
  const a = await client();
  await start();
  await write(a, schema, 'announced-1');
  await write(a, schema, 'silent-1', false);
  await write(a, schema, 'announced-2');
  await write(a, schema, 'silent-2', false);
  await until('four rows arrived', () => got.length >= 4);
  await settle();
  assert.deepEqual(got.sort(), ['announced-1', 'announced-2', 'silent-1', 'silent-2']);
}));

test('cluster feed: while a long transaction holds the xmin back, 12,000 rows read again at every heartbeat are each handed over once', { skip: PG_SKIP }, () => withFeed(async ({ schema, storage, got, start, client }) => {
  const [a, long] = [await client(), await client()];
  await start();
  // Any open transaction with an id holds every snapshot's xmin at or below it: each complete
  // read returns all rows committed since, more than the 10,000 repeats the feed used to remember.
  await long.query('BEGIN');
  await long.query('SELECT pg_current_xact_id()');
  await a.query(`INSERT INTO cluster_changes (origin, events) SELECT 'elsewhere', json_build_array(json_build_object('kind', 'subscription', 'tenant', '', 'id', 'bulk-' || i))
    FROM generate_series(1, 12000) i`);
  await write(a, schema, 'announced');
  await until('12,001 rows arrived', () => got.length >= 12_001);
  await settle();
  await long.query('COMMIT');
  await write(a, schema, 'after');
  await until('the row after the long transaction arrived', () => got.includes('after'));
  await settle();
  assert.equal(got.length, 12_002);
  assert.equal(new Set(got).size, 12_002, 'no row twice');
  // Once the xmin has passed them, the rows are no longer remembered.
  const seen = (storage.cluster as unknown as { seen: Map<number, bigint> }).seen;
  assert.ok(seen.size <= 1, `remembered ${seen.size} rows`);
}));

test('a feed row written in a long transaction is stamped near its commit, so pruning by age keeps it for the full time', { skip: PG_SKIP }, async () => withFeed(async (f) => {
  await f.start();
  const c = await f.client();
  await c.query('BEGIN');
  const started = (await c.query('SELECT now() AS t')).rows[0].t as Date;
  await new Promise((r) => setTimeout(r, 400));
  await f.storage.cluster.publishIn(c as unknown as pg.PoolClient, [{ kind: 'subscription', tenant: '', id: 'late' }]);
  await c.query('COMMIT');
  const at = (await c.query('SELECT at FROM cluster_changes ORDER BY seq DESC LIMIT 1')).rows[0].at as Date;
  assert.ok(at.getTime() - started.getTime() >= 350, `stamped ${at.getTime() - started.getTime()} ms after the transaction began`);
}));
