// Monthly partitions of the history on PostgreSQL: the writer creates the partition of every month
// it writes (back-fills included), ensurePartitions moves rows out of the default partition, and
// retention drops whole partitions before the oldest time any rule keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { PostgresStorage } from '../../src/storage/postgres/postgres.adapter.ts';
import { ensurePartitions } from '../../src/storage/postgres/postgres.database.ts';
import type { HistoryEntry } from '../../src/storage/port.temporal.ts';
import { RetentionJob } from '../../src/ngsi-ld/temporal/index.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const TEMP = V + 'temperature';
const NOW = '2026-06-15T00:00:00.000Z';

const entry = (value: number, observedAt: string): HistoryEntry => ({ attr: TEMP, instance: { type: 'Property', value, observedAt } });

async function write(s: PostgresStorage, id: string, times: string[], o: { type?: string; deleted?: boolean } = {}): Promise<void> {
  await s.withTransaction((tx) => tx.history.append('', { id, types: [V + (o.type ?? 'T')], deleted: o.deleted }, times.map((t, i) => entry(i, t)), NOW));
}

/** Rows per partition that holds any (partition names without the schema). */
async function rowsPerPartition(s: PostgresStorage): Promise<Record<string, number>> {
  const r = await s.pool.query<{ part: string; n: number }>("SELECT c.relname AS part, count(*)::int AS n FROM temporal_instances t JOIN pg_class c ON c.oid = t.tableoid GROUP BY 1");
  return Object.fromEntries(r.rows.map((x) => [x.part, x.n]));
}

async function partitions(s: PostgresStorage): Promise<string[]> {
  const r = await s.pool.query<{ name: string }>("SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'temporal_instances'::regclass ORDER BY 1");
  return r.rows.map((x) => x.name);
}

async function observed(s: PostgresStorage, id: string): Promise<string[]> {
  const e = await s.temporal.getEntity('', id);
  if (!e) return [];
  const out: string[] = [];
  for (const sr of e.series) for (const i of await s.temporal.instances(sr, { window: { property: 'observedAt' }, limit: 100 })) out.push(String(i.instance.observedAt));
  return out.sort();
}

/** Moves the rows of one partition into the default partition, as before the writer created partitions. */
async function intoDefault(s: PostgresStorage, name: string): Promise<void> {
  await s.pool.query(`ALTER TABLE temporal_instances DETACH PARTITION ${name}`);
  await s.pool.query(`INSERT INTO temporal_instances SELECT * FROM ${name}`);
  await s.pool.query(`DROP TABLE ${name}`);
}

interface Warning { obj: Record<string, unknown>; msg: string }

/** A store on a fresh schema; `warnings` collects what the storage reports through its warn callback. */
async function withStore(fn: (s: PostgresStorage, schema: string, warnings: Warning[]) => Promise<void>): Promise<void> {
  const schema = freshSchema();
  const warnings: Warning[] = [];
  const s = await openPgStorage(schema, { warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }) });
  try {
    await fn(s, schema, warnings);
  } finally {
    await s.close();
    await dropSchema(schema);
  }
}

test('back-filled history of a month outside the pre-created window goes to that month\'s partition', { skip: PG_SKIP }, async () => {
  await withStore(async (s) => {
    const times = ['2019-03-02T10:00:00.000Z', '2019-03-30T23:59:59.999Z', '2019-04-01T00:00:00.000Z'];
    await write(s, 'urn:b:1', times);
    await write(s, 'urn:b:2', ['2019-03-15T00:00:00.000Z']);
    assert.deepEqual(await rowsPerPartition(s), { temporal_instances_2019_03: 3, temporal_instances_2019_04: 1 });
    assert.deepEqual(await observed(s, 'urn:b:1'), times);
  });
});

test('ensurePartitions moves a month\'s rows out of the default partition, also for a month of its window', { skip: PG_SKIP }, async () => {
  await withStore(async (s, schema) => {
    const now = Date.parse(NOW);
    const ahead = new Date(Date.UTC(2026, 5 + 3, 10)).toISOString(); // three months ahead: outside the window at NOW
    await write(s, 'urn:h:1', ['2018-05-01T00:00:00.000Z', '2018-05-20T00:00:00.000Z', ahead]);
    await intoDefault(s, 'temporal_instances_2018_05');
    await intoDefault(s, 'temporal_instances_2026_09');
    assert.deepEqual(await rowsPerPartition(s), { temporal_instances_default: 3 });
    // One month later the month ahead is inside the window; the old month is found in the default.
    await ensurePartitions(s.pool, now + 31 * 86400_000);
    assert.deepEqual(await rowsPerPartition(s), { temporal_instances_2018_05: 2, temporal_instances_2026_09: 1 });
    assert.deepEqual(await observed(s, 'urn:h:1'), ['2018-05-01T00:00:00.000Z', '2018-05-20T00:00:00.000Z', ahead]);
    // A node starting on such a database heals it at start-up.
    await intoDefault(s, 'temporal_instances_2018_05');
    const other = await openPgStorage(schema);
    try {
      assert.deepEqual(await rowsPerPartition(other), { temporal_instances_2018_05: 2, temporal_instances_2026_09: 1 });
    } finally {
      await other.close();
    }
  });
});

test('two nodes writing the same new month at once both succeed, into one partition', { skip: PG_SKIP }, async () => {
  await withStore(async (a, schema) => {
    const b = await openPgStorage(schema);
    try {
      const jobs: Array<Promise<void>> = [];
      for (let i = 0; i < 6; i++) {
        jobs.push(write(a, `urn:c:a${i}`, ['2017-07-01T00:00:00.000Z', '2017-08-05T00:00:00.000Z']));
        jobs.push(write(b, `urn:c:b${i}`, ['2017-07-02T00:00:00.000Z', '2017-08-06T00:00:00.000Z']));
      }
      await Promise.all(jobs);
      assert.deepEqual(await rowsPerPartition(a), { temporal_instances_2017_07: 12, temporal_instances_2017_08: 12 });
    } finally {
      await b.close();
    }
  });
});

test('a writer that holds the default partition itself does not wait for a new partition: its rows wait in the default', { skip: PG_SKIP }, async () => {
  await withStore(async (s, _schema, warnings) => {
    await write(s, 'urn:d:1', [NOW]);
    const started = Date.now();
    await s.withTransaction(async (tx) => {
      await tx.history.deleteEntity('', 'urn:d:1'); // a statement over every partition, the default included
      await tx.history.append('', { id: 'urn:d:2', types: [V + 'T'] }, [entry(1, '2016-02-03T00:00:00.000Z')], NOW);
    });
    assert.ok(Date.now() - started < 1000, 'no lock wait (the writer\'s lock timeout is 1 s)');
    assert.deepEqual(await rowsPerPartition(s), { temporal_instances_default: 1 });
    await ensurePartitions(s.pool, Date.parse(NOW));
    assert.deepEqual(await rowsPerPartition(s), { temporal_instances_2016_02: 1 });
    assert.deepEqual(await observed(s, 'urn:d:2'), ['2016-02-03T00:00:00.000Z']);
    assert.deepEqual(warnings, [], 'the writer\'s own lock is no trouble to report');
  });
});

const OLD = ['2024-01-10T00:00:00.000Z', '2024-11-10T00:00:00.000Z', '2025-05-10T00:00:00.000Z', '2025-06-05T00:00:00.000Z', '2025-07-10T00:00:00.000Z', '2026-06-01T00:00:00.000Z'];

test('[retention] partitions wholly before the global cutoff are dropped; the rest goes row by row', { skip: PG_SKIP }, async () => {
  await withStore(async (s) => {
    await write(s, 'urn:r:1', OLD);
    await write(s, 'urn:r:gone', ['2024-01-20T00:00:00.000Z'], { deleted: true });
    const job = new RetentionJob(s, fixedClock(NOW), { retention: 'P1Y', byType: { Short: 'P30D' } });
    // Cutoff 2025-06-15: the months up to May 2025 go whole (4 instances), 2025-06-05 row by row.
    assert.equal(await job.runOnce(), 5);
    const parts = await partitions(s);
    for (const p of ['temporal_instances_2024_01', 'temporal_instances_2024_11', 'temporal_instances_2025_05']) assert.ok(!parts.includes(p), `${p} dropped`);
    assert.ok(parts.includes('temporal_instances_2025_06'), 'the month of the cutoff stays');
    assert.deepEqual(await observed(s, 'urn:r:1'), OLD.slice(4));
    assert.equal(await s.temporal.getEntity('', 'urn:r:gone'), undefined, 'a deleted entity whose history went with the partition leaves no trace');
    // History written later for a dropped month lands in a partition again.
    await write(s, 'urn:r:2', ['2024-01-11T00:00:00.000Z']);
    assert.equal((await rowsPerPartition(s)).temporal_instances_2024_01, 1);
  });
});

test('[retention] a type whose rule keeps longer, or no global retention, keeps the partitions', { skip: PG_SKIP }, async () => {
  await withStore(async (s) => {
    await write(s, 'urn:r:1', OLD);
    await write(s, 'urn:r:long', ['2024-01-12T00:00:00.000Z'], { type: 'Long' });
    const before = await partitions(s);
    const job = new RetentionJob(s, fixedClock(NOW), { retention: 'P1Y', byType: { Long: 'P3Y' } });
    assert.equal(await job.runOnce(), 4, 'row by row: the four instances of urn:r:1 before 2025-06-15');
    assert.deepEqual(await partitions(s), before);
    assert.deepEqual(await observed(s, 'urn:r:long'), ['2024-01-12T00:00:00.000Z']);
    const noGlobal = new RetentionJob(s, fixedClock(NOW), { byType: { T: 'P30D' } });
    assert.equal(await noGlobal.runOnce(), 1, 'only urn:r:1 (type T) loses 2025-07-10');
    assert.deepEqual(await partitions(s), before, 'entities of types without a rule keep everything');
    assert.deepEqual(await observed(s, 'urn:r:long'), ['2024-01-12T00:00:00.000Z']);
  });
});

/** Another session (a long report, a manual maintenance step) that holds a lock until the returned function ends it. */
async function holdLock(sql: string): Promise<() => Promise<void>> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query('BEGIN');
  await c.query(sql);
  return async () => { await c.query('ROLLBACK'); await c.end(); };
}

test('a partition the writer cannot create (another transaction holds the default partition) is reported; the write goes to the default partition', { skip: PG_SKIP }, async () => {
  await withStore(async (s, schema, warnings) => {
    const release = await holdLock(`LOCK TABLE "${schema}".temporal_instances_default IN ACCESS SHARE MODE`);
    try {
      await write(s, 'urn:w:1', ['2015-05-05T00:00:00.000Z']);
    } finally {
      await release();
    }
    assert.deepEqual(await rowsPerPartition(s), { temporal_instances_default: 1 });
    assert.deepEqual(await observed(s, 'urn:w:1'), ['2015-05-05T00:00:00.000Z']);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0].obj.partition, 'temporal_instances_2015_05');
    assert.match(warnings[0].msg, /not granted within 1000 ms/);
    // Healing moves the rows once the lock is gone, and has nothing to report.
    await ensurePartitions(s.pool, Date.parse(NOW), { warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }) });
    assert.deepEqual(await rowsPerPartition(s), { temporal_instances_2015_05: 1 });
    assert.equal(warnings.length, 1);
  });
});

test('a table of a partition\'s name that is no partition (detached to archive it) is reported by the writer and by healing, with the error', { skip: PG_SKIP }, async () => {
  await withStore(async (s, schema) => {
    await write(s, 'urn:x:1', ['2014-03-03T00:00:00.000Z']);
    await s.pool.query('ALTER TABLE temporal_instances DETACH PARTITION temporal_instances_2014_03');
    // A late back-fill of that month on a node that starts now: its partition cannot be created,
    // the row waits in the default.
    const warnings: Warning[] = [];
    const b = await openPgStorage(schema, { warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }) });
    try {
      await write(b, 'urn:x:2', ['2014-03-04T00:00:00.000Z']);
    } finally {
      await b.close();
    }
    assert.deepEqual(await rowsPerPartition(s), { temporal_instances_default: 1 });
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0].obj.partition, 'temporal_instances_2014_03');
    assert.match(String((warnings[0].obj.err as Error).message), /temporal_instances_2014_03 exists but is not a partition/);
    const healing: Warning[] = [];
    await ensurePartitions(s.pool, Date.parse(NOW), { warn: (obj, msg) => healing.push({ obj: obj as Record<string, unknown>, msg }) });
    assert.deepEqual(healing.map((w) => w.obj.partition), ['temporal_instances_2014_03']);
    assert.ok(healing[0].obj.err instanceof Error);
    assert.deepEqual(await rowsPerPartition(s), { temporal_instances_default: 1 }, 'the row stays where it is correct');
  });
});

test('[retention] partitions that cannot be dropped in time (a long reader) are reported; retention deletes row by row instead', { skip: PG_SKIP }, async () => {
  await withStore(async (s, schema, warnings) => {
    await write(s, 'urn:r:1', OLD);
    const before = await partitions(s);
    const job = new RetentionJob(s, fixedClock(NOW), { retention: 'P1Y', byType: {} });
    const release = await holdLock(`LOCK TABLE "${schema}".temporal_instances IN ACCESS SHARE MODE`);
    let removed: number;
    try {
      removed = await job.runOnce();
    } finally {
      await release();
    }
    assert.equal(removed, 4, 'the instances before 2025-06-15, row by row');
    assert.deepEqual(await partitions(s), before);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.deepEqual(warnings[0].obj.partitions, ['temporal_instances_2024_01', 'temporal_instances_2024_11', 'temporal_instances_2025_05']);
    assert.match(warnings[0].msg, /not dropped/);
  });
});
