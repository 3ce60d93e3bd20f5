// Opens the embedded SQLite database (WAL), runs versioned migrations, and registers the
// SQL functions the query compiler relies on (regexp, in-process match predicates).
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storedRegex } from '../regex.ts';
import { encodeDocument } from './sqlite.document.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export type Db = Database.Database;

/** Predicates evaluated in process during one statement, addressed by a handle (see match()). */
export class MatchRegistry {
  private next = 1;
  private readonly fns = new Map<number, (arg: unknown) => unknown>();
  add(fn: (arg: unknown) => unknown): number {
    const h = this.next++;
    if (this.next > 1e9) this.next = 1;
    this.fns.set(h, fn);
    return h;
  }
  remove(h: number): void { this.fns.delete(h); }
  call(h: number, arg: unknown): boolean {
    const fn = this.fns.get(h);
    return fn ? fn(arg) === true : false;
  }
  /** A numeric function's value (ds_num), null when it gives none. */
  value(h: number, arg: unknown): number | null {
    const fn = this.fns.get(h);
    const v = fn ? fn(arg) : undefined;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
}

/** Page cache per connection in KiB: the reader scans (more), the writer touches hot pages (less). */
function configure(db: Db, registry: MatchRegistry, cacheKiB: number, tempInMemory: boolean): void {
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = -${cacheKiB}`);
  // The writer keeps SQLite's default (FILE): an in-memory statement journal is a list of ~1 KB
  // chunks that every statement's release inside a savepoint walks from its start, so a batch of
  // 1,000 updates spent ~60 µs per UPDATE there once rows share pages (issue #19, docs/scaling.md
  // Part 3). With the default the first 64 KiB stay in memory in one chunk, the rest spills to a
  // temporary file.
  if (tempInMemory) db.pragma('temp_store = MEMORY');
  db.function('regexp', { deterministic: true }, (pattern: unknown, value: unknown) => {
    if (typeof pattern !== 'string' || value === null || value === undefined) return 0;
    return storedRegex(pattern).test(String(value)) ? 1 : 0;
  });
  db.function('ds_match', { deterministic: false, varargs: false }, (h: unknown, arg: unknown) =>
    registry.call(Number(h), arg) ? 1 : 0);
  db.function('ds_num', { deterministic: false, varargs: false }, (h: unknown, arg: unknown) => registry.value(Number(h), arg));
}

export function openWriter(file: string, registry: MatchRegistry, cacheKiB = 16_384): Db {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a committed transaction survives a crash of the process (kill -9);
  // only an operating-system crash may lose the last commits.
  db.pragma('synchronous = NORMAL');
  // Checkpoints normally run in a worker (sqlite.checkpoint.ts); this is only the high-water
  // fallback (about 64 MB of WAL) should the worker fall behind.
  db.pragma('wal_autocheckpoint = 16000');
  configure(db, registry, cacheKiB, false);
  migrate(db);
  return db;
}

/**
 * The reader's page cache: 8 MB unless configured (DREHSCHEIBE_SQLITE_CACHE_MB; it was 32 MB before
 * the memory goal of issue #19). What reads touch again and again (the indexes' upper levels, the
 * first pages of a type's rows, the R*Tree's upper nodes) fits; a GET at 1M entities lands on a page
 * no cache of this size holds, and the operating system's file cache serves it either way. The
 * writer keeps 16 MB: batch upserts at 1M insert into the R*Tree and the indexes at random places.
 */
export function openReader(file: string, registry: MatchRegistry, cacheKiB = 8_192): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  configure(db, registry, cacheKiB, true);
  return db;
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  const files = readdirSync(MIGRATIONS).filter((f) => /^\d+-.*\.sql$/.test(f)).sort();
  for (const f of files) {
    const version = parseInt(f, 10);
    if (done.has(version)) continue;
    const sql = readFileSync(join(MIGRATIONS, f), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      CODE_STEPS[version]?.(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(version, f, new Date().toISOString());
    }).immediate();
  }
}

/** Migrations that need code after their SQL, by version (same transaction). */
const CODE_STEPS: Record<number, (db: Db) => void> = { 13: compactDocuments };

/**
 * Migration 013: every entity document in the compact form (sqlite.document.ts), a thousand rows
 * per statement in key order (~10 s per 100,000 entities). The pages freed stay in the file for
 * later rows; `VACUUM` on a stopped server gives them back to the file system.
 */
export function compactDocuments(db: Db): void {
  for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_attr_%'").all() as Array<{ name: string }>) {
    db.exec(`DROP INDEX ${name}`);
  }
  const read = db.prepare('SELECT pk, created_at, modified_at, json(doc) AS doc FROM entities WHERE pk > ? ORDER BY pk LIMIT 1000');
  const write = db.prepare('UPDATE entities SET doc = jsonb(?) WHERE pk = ?');
  let last = 0;
  for (;;) {
    const rows = read.all(last) as Array<{ pk: number; created_at: string; modified_at: string; doc: string }>;
    if (rows.length === 0) break;
    for (const r of rows) write.run(encodeDocument(JSON.parse(r.doc), r.created_at, r.modified_at), r.pk);
    last = rows[rows.length - 1].pk;
  }
}
