// Versions (born, rev) of recently read entities, kept in memory so that a GET's render-cache probe
// needs no SQLite read transaction. A read transaction costs 8–14 µs inside a loaded server (a
// third of a cached GET's CPU); a Map lookup well under one.
//
// Correctness rests on three rules:
// 1. Every change to a row of `entities` made through a writer connection of this process fires
//    a TEMP trigger (installed per writer connection) that forgets the entity's version, in every
//    cache of this process on the same file (INSERT, UPDATE — also an upsert's DO UPDATE — and
//    DELETE; a REPLACE fires the INSERT trigger).
// 2. While any writer connection on the file is inside a transaction, nothing is remembered:
//    the reader may still see the version before the open transaction, and its trigger has
//    already fired. After COMMIT the next read takes the committed version from the database.
// 3. No other process writes the file while this one runs (the data-directory lock,
//    sqlite.lock.ts).
import { resolve } from 'node:path';
import type { EntityVersion } from '../port.ts';
import type { Db } from './sqlite.database.ts';

interface FileState {
  caches: Set<VersionCache>;
  writers: Set<Db>;
}
const files = new Map<string, FileState>();

function stateOf(path: string): FileState {
  const file = resolve(path);
  let s = files.get(file);
  if (!s) {
    s = { caches: new Set(), writers: new Set() };
    files.set(file, s);
  }
  return s;
}

const key = (tenant: string, id: string): string => `${tenant}\u0000${id}`;

export class VersionCache {
  private readonly map = new Map<string, EntityVersion>();
  private readonly state: FileState;
  constructor(private readonly file: string, private readonly max = 100_000) {
    this.state = stateOf(file);
    this.state.caches.add(this);
  }

  get(tenant: string, id: string): EntityVersion | undefined {
    return this.map.get(key(tenant, id));
  }

  /** Keeps a version read from the database, unless a write transaction is open on the file. */
  remember(tenant: string, id: string, v: EntityVersion): void {
    for (const w of this.state.writers) if (w.open && w.inTransaction) return;
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key(tenant, id), { born: v.born, rev: v.rev });
  }

  forget(k: string): void {
    this.map.delete(k);
  }

  get size(): number {
    return this.map.size;
  }

  close(): void {
    this.state.caches.delete(this);
    this.map.clear();
    if (this.state.caches.size === 0 && this.state.writers.size === 0) files.delete(resolve(this.file));
  }
}

/**
 * Installs the TEMP triggers on a writer connection of `file` (after its migrations): each change of
 * an entity row forgets that entity's version in every VersionCache of this process on the file.
 */
export function trackWrites(file: string, writer: Db): () => void {
  const state = stateOf(file);
  state.writers.add(writer);
  writer.function('ds_entity_changed', { deterministic: false, varargs: false }, (tenant: unknown, id: unknown) => {
    const k = key(String(tenant), String(id));
    for (const c of state.caches) c.forget(k);
    return null;
  });
  writer.exec(`
    CREATE TEMP TRIGGER IF NOT EXISTS ds_entities_ins AFTER INSERT ON main.entities BEGIN SELECT ds_entity_changed(NEW.tenant, NEW.id); END;
    CREATE TEMP TRIGGER IF NOT EXISTS ds_entities_upd AFTER UPDATE ON main.entities BEGIN SELECT ds_entity_changed(OLD.tenant, OLD.id); END;
    CREATE TEMP TRIGGER IF NOT EXISTS ds_entities_key AFTER UPDATE OF tenant, id ON main.entities BEGIN SELECT ds_entity_changed(NEW.tenant, NEW.id); END;
    CREATE TEMP TRIGGER IF NOT EXISTS ds_entities_del AFTER DELETE ON main.entities BEGIN SELECT ds_entity_changed(OLD.tenant, OLD.id); END;
  `);
  return () => {
    state.writers.delete(writer);
    if (state.caches.size === 0 && state.writers.size === 0) files.delete(resolve(file));
  };
}
