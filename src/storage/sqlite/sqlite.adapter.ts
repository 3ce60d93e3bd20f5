// The embedded storage engine: one writer connection (serialised transactions) and one
// reader connection that only ever sees committed data (WAL snapshots).
import type { Statement } from 'better-sqlite3';
import { join } from 'node:path';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type {
  EntityFilter, EntityKey, EntityReader, EntityRecord, EntityWriteTx, Page, QueryResult,
  StoragePort, TypeAttrRow, WriteTx, AttrType,
} from '../port.ts';
import { bboxOf } from '../../ngsi-ld/geo/geojson.validate.ts';
import { compileFilter } from './sqlite.query-compiler.ts';
import { MatchRegistry, openReader, openWriter, type Db } from './sqlite.database.ts';

interface Row { pk: number; id: string; types: string; scopes: string | null; created_at: string; modified_at: string; rev: number; doc: string }

const COLS = 'e.pk, e.id, e.types, e.scopes, e.created_at, e.modified_at, e.rev, json(e.doc) AS doc';

function toRecord(r: Row): EntityRecord {
  const rec: EntityRecord = {
    id: r.id,
    types: JSON.parse(r.types) as string[],
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
    attrs: JSON.parse(r.doc) as EntityRecord['attrs'],
    rev: r.rev,
  };
  if (r.scopes) rec.scopes = JSON.parse(r.scopes) as string[];
  return rec;
}

/** Prepared statements cached by SQL text (query shapes repeat). */
class StatementCache {
  private readonly map = new Map<string, Statement>();
  constructor(private readonly db: Db, private readonly max = 500) {}
  get(sql: string): Statement {
    let s = this.map.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
      this.map.set(sql, s);
    }
    return s;
  }
}

class SqliteReader implements EntityReader {
  private readonly stmts: StatementCache;
  constructor(private readonly db: Db, private readonly registry: MatchRegistry) {
    this.stmts = new StatementCache(db);
  }
  async get(tenant: string, id: string): Promise<EntityRecord | undefined> {
    return getOne(this.stmts, tenant, id);
  }
  async query(tenant: string, filter: EntityFilter, page: Page): Promise<QueryResult> {
    const c = compileFilter(tenant, filter, this.registry);
    try {
      const out: QueryResult = { entities: [] };
      if (page.limit > 0) {
        const sql = `SELECT ${COLS} FROM ${c.from} WHERE ${c.where} ORDER BY ${c.order} LIMIT @limit OFFSET @offset`;
        const rows = this.stmts.get(sql).all({ ...c.params, limit: page.limit, offset: page.offset }) as Row[];
        out.entities = rows.map(toRecord);
      }
      if (page.count) {
        const row = this.stmts.get(`SELECT COUNT(*) AS n FROM ${c.from} WHERE ${c.where}`).get(c.params) as { n: number };
        out.count = row.n;
      }
      return out;
    } finally {
      for (const h of c.handles) this.registry.remove(h);
    }
  }
  async queryKeys(tenant: string, filter: EntityFilter, page: Page): Promise<{ keys: EntityKey[]; count?: number }> {
    const c = compileFilter(tenant, filter, this.registry);
    try {
      const out: { keys: EntityKey[]; count?: number } = { keys: [] };
      if (page.limit > 0) {
        const sql = `SELECT e.id, e.rev FROM ${c.from} WHERE ${c.where} ORDER BY ${c.order} LIMIT @limit OFFSET @offset`;
        out.keys = this.stmts.get(sql).all({ ...c.params, limit: page.limit, offset: page.offset }) as EntityKey[];
      }
      if (page.count) out.count = (this.stmts.get(`SELECT COUNT(*) AS n FROM ${c.from} WHERE ${c.where}`).get(c.params) as { n: number }).n;
      return out;
    } finally {
      for (const h of c.handles) this.registry.remove(h);
    }
  }
  async getMany(tenant: string, ids: string[]): Promise<EntityRecord[]> {
    if (ids.length === 0) return [];
    // json_each keeps one prepared statement for any number of ids.
    const rows = this.stmts.get(`SELECT ${COLS} FROM json_each(?) k JOIN entities e ON e.tenant = ? AND e.id = k.value`).all(JSON.stringify(ids), tenant) as Row[];
    return rows.map(toRecord);
  }
  async revOf(tenant: string, id: string): Promise<number | undefined> {
    return (this.stmts.get('SELECT rev FROM entities WHERE tenant = ? AND id = ?').get(tenant, id) as { rev: number } | undefined)?.rev;
  }
  async typeCounts(tenant: string): Promise<Array<{ type: string; entities: number }>> {
    return this.stmts.get('SELECT type, COUNT(*) AS entities FROM entity_types WHERE tenant = ? GROUP BY type ORDER BY type').all(tenant) as Array<{ type: string; entities: number }>;
  }
  async typeAttributes(tenant: string): Promise<TypeAttrRow[]> {
    const sql = `SELECT t.type AS type, j.key AS attr, json_extract(j.value, '$[0].type') AS attrType, COUNT(*) AS entities
      FROM entity_types t JOIN entities e ON e.pk = t.pk, json_each(e.doc) j
      WHERE t.tenant = ? GROUP BY t.type, j.key, attrType ORDER BY t.type, j.key`;
    return this.stmts.get(sql).all(tenant) as Array<TypeAttrRow & { attrType: AttrType }>;
  }
  async attributeCounts(tenant: string): Promise<Array<{ attr: string; entities: number }>> {
    return this.stmts.get('SELECT j.key AS attr, COUNT(*) AS entities FROM entities e, json_each(e.doc) j WHERE e.tenant = ? GROUP BY j.key ORDER BY j.key').all(tenant) as Array<{ attr: string; entities: number }>;
  }
  async tenantExists(tenant: string): Promise<boolean> {
    return this.stmts.get('SELECT 1 FROM tenants WHERE name = ?').get(tenant) !== undefined;
  }
  async listTenants(): Promise<string[]> {
    return (this.stmts.get('SELECT name FROM tenants ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
  }
}

function getOne(stmts: StatementCache, tenant: string, id: string): EntityRecord | undefined {
  const row = stmts.get(`SELECT ${COLS} FROM entities e WHERE e.tenant = ? AND e.id = ?`).get(tenant, id) as Row | undefined;
  return row ? toRecord(row) : undefined;
}

class SqliteWriteTx implements EntityWriteTx {
  constructor(private readonly stmts: StatementCache) {}
  async get(tenant: string, id: string): Promise<EntityRecord | undefined> {
    return getOne(this.stmts, tenant, id);
  }
  async insert(tenant: string, e: EntityRecord): Promise<void> {
    this.stmts.get('INSERT OR IGNORE INTO tenants (name, created_at) VALUES (?, ?)').run(tenant, e.createdAt);
    let pk: number;
    try {
      const r = this.stmts.get('INSERT INTO entities (tenant, id, types, scopes, created_at, modified_at, doc) VALUES (?, ?, ?, ?, ?, ?, jsonb(?))')
        .run(tenant, e.id, JSON.stringify(e.types), e.scopes ? JSON.stringify(e.scopes) : null, e.createdAt, e.modifiedAt, JSON.stringify(e.attrs));
      pk = Number(r.lastInsertRowid);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new StorageConflict(`entity ${e.id} exists`, { cause: err });
      throw err;
    }
    this.writeTypes(tenant, pk, e.types);
    this.writeGeo(pk, e);
  }
  async update(tenant: string, e: EntityRecord): Promise<void> {
    const row = this.stmts.get('SELECT pk, types FROM entities WHERE tenant = ? AND id = ?').get(tenant, e.id) as { pk: number; types: string } | undefined;
    if (!row) throw new StorageNotFound(`entity ${e.id} not found`);
    const types = JSON.stringify(e.types);
    this.stmts.get('UPDATE entities SET types = ?, scopes = ?, created_at = ?, modified_at = ?, rev = rev + 1, doc = jsonb(?) WHERE pk = ?')
      .run(types, e.scopes ? JSON.stringify(e.scopes) : null, e.createdAt, e.modifiedAt, JSON.stringify(e.attrs), row.pk);
    if (row.types !== types) {
      this.stmts.get('DELETE FROM entity_types WHERE pk = ?').run(row.pk);
      this.writeTypes(tenant, row.pk, e.types);
    }
    this.clearGeo(row.pk);
    this.writeGeo(row.pk, e);
  }
  async delete(tenant: string, id: string): Promise<boolean> {
    const row = this.stmts.get('DELETE FROM entities WHERE tenant = ? AND id = ? RETURNING pk').get(tenant, id) as { pk: number } | undefined;
    if (!row) return false;
    this.stmts.get('DELETE FROM entity_types WHERE pk = ?').run(row.pk);
    this.clearGeo(row.pk);
    return true;
  }
  private writeTypes(tenant: string, pk: number, types: string[]): void {
    const st = this.stmts.get('INSERT OR IGNORE INTO entity_types (tenant, type, pk) VALUES (?, ?, ?)');
    for (const t of types) st.run(tenant, t, pk);
  }
  private clearGeo(pk: number): void {
    const gids = this.stmts.get('DELETE FROM geo_rows WHERE pk = ? RETURNING gid').all(pk) as Array<{ gid: number }>;
    if (gids.length === 0) return;
    const del = this.stmts.get('DELETE FROM geo_index WHERE gid = ?');
    for (const g of gids) del.run(g.gid);
  }
  private writeGeo(pk: number, e: EntityRecord): void {
    for (const [attr, insts] of Object.entries(e.attrs)) {
      const inst = insts[0];
      if (!inst || inst.type !== 'GeoProperty' || inst.value === undefined) continue;
      const [minX, minY, maxX, maxY] = bboxOf(inst.value as Parameters<typeof bboxOf>[0]);
      const r = this.stmts.get('INSERT INTO geo_index (min_x, max_x, min_y, max_y, pk, attr) VALUES (?, ?, ?, ?, ?, ?)').run(minX, maxX, minY, maxY, pk, attr);
      this.stmts.get('INSERT INTO geo_rows (pk, gid) VALUES (?, ?)').run(pk, Number(r.lastInsertRowid));
    }
  }
}

export class SqliteStorage implements StoragePort {
  readonly engine = 'sqlite';
  readonly capabilities = { nativeGeo: false, regex: true };
  readonly entities: EntityReader;
  private readonly writer: Db;
  private readonly reader: Db;
  private readonly wstmts: StatementCache;
  private readonly tx: WriteTx;
  private chain: Promise<unknown> = Promise.resolve();
  private spDepth = 0;

  constructor(readonly file: string) {
    const registry = new MatchRegistry();
    this.writer = openWriter(file, registry);
    this.reader = openReader(file, registry);
    this.wstmts = new StatementCache(this.writer);
    this.entities = new SqliteReader(this.reader, registry);
    const entities = new SqliteWriteTx(this.wstmts);
    this.tx = { entities, savepoint: (fn) => this.savepoint(fn) };
  }

  static inDataDir(dataDir: string): SqliteStorage {
    return new SqliteStorage(join(dataDir, 'drehscheibe.sqlite'));
  }

  withTransaction<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    // Writers are serialised: the callback awaits only already-resolved storage calls, but other
    // requests' microtasks could otherwise interleave on the one connection.
    const run = async (): Promise<T> => {
      this.wstmts.get('BEGIN IMMEDIATE').run();
      try {
        const out = await fn(this.tx);
        this.wstmts.get('COMMIT').run();
        return out;
      } catch (e) {
        if (this.writer.inTransaction) this.wstmts.get('ROLLBACK').run();
        throw e;
      }
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async savepoint<T>(fn: () => Promise<T>): Promise<T> {
    const name = `sp${++this.spDepth}`;
    this.writer.exec(`SAVEPOINT ${name}`);
    try {
      const out = await fn();
      this.writer.exec(`RELEASE ${name}`);
      return out;
    } catch (e) {
      this.writer.exec(`ROLLBACK TO ${name}`);
      this.writer.exec(`RELEASE ${name}`);
      throw e;
    } finally {
      this.spDepth--;
    }
  }

  async ping(): Promise<void> {
    this.reader.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.chain;
    this.reader.close();
    this.writer.close();
  }
}
