// The SQLite side of a feature module's own store: its own file in the data directory (so its writes never wait
// for the broker's writer), WAL, and the module's migrations applied in order.
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationFiles } from '../migrations.ts';

export interface SqliteModuleOptions {
  /** The file name in the data directory (e.g. `catalog.sqlite`). */
  file: string;
  /** The table that records the applied migrations. */
  table: string;
  /** The folder of `NNN-name.sql` files. */
  dir: string;
  foreignKeys?: boolean;
}

/** Opens (and creates) a module's database in `dataDir`, its migrations applied. */
export function openModuleDb(dataDir: string, o: SqliteModuleOptions): { db: Database.Database; file: string } {
  const file = join(dataDir, o.file);
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  if (o.foreignKeys) db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE IF NOT EXISTS ${o.table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const done = new Set((db.prepare(`SELECT version FROM ${o.table}`).all() as Array<{ version: number }>).map((r) => r.version));
  for (const f of migrationFiles(o.dir)) {
    const version = parseInt(f, 10);
    if (done.has(version)) continue;
    const sql = readFileSync(join(o.dir, f), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.prepare(`INSERT INTO ${o.table} (version, name, applied_at) VALUES (?, ?, ?)`).run(version, f, new Date().toISOString());
    }).immediate();
  }
  return { db, file };
}
