// One PostgreSQL write transaction: entity writes and history rows are buffered and sent in a few
// set-based statements (at commit, before a savepoint, or before any statement that could see
// them), so a batch of 1,000 upserts costs about one round trip per entity (the locking read)
// instead of six. Nothing is visible to other sessions before COMMIT either way.
import type pg from 'pg';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { EntityRecord, EntityWriteTx } from '../port.ts';
import type { EncodedFields } from '../instance-codec.ts';
import { q, qp } from './postgres.database.ts';

interface Row { pk: number; id: string; types: string[]; scopes: string[] | null; created_at: string; modified_at: string; rev: number; doc: EntityRecord['attrs']; expires_at?: string | null }
/**
 * A history's row. `last`: its latest instance time as stored before this transaction (an upper
 * bound; null = no instance); `wrote`: per attribute name, the latest instance time this
 * transaction wrote.
 */
export interface TemporalRow { pk?: number; types: string[]; deleted: boolean; last: number | null; wrote?: Map<number, number> }
type TRow = { tpk: number | null; ttypes: string[] | null; tdeleted: string | null; tlast: number | null };

export const ENTITY_COLS = 'e.pk, e.id, e.types, e.scopes, e.created_at, e.modified_at, e.rev, e.doc, e.expires_at';
const TEMPORAL_JOIN = 'LEFT JOIN temporal_entities te ON te.tenant = $1 AND te.id = $2';

export function toRecord(r: Row): EntityRecord {
  // pk comes from a sequence, never reused on any node: it is the entity's lifetime stamp.
  const rec: EntityRecord = { id: r.id, types: r.types, createdAt: r.created_at, modifiedAt: r.modified_at, attrs: r.doc, rev: r.rev, born: Number(r.pk) };
  if (r.scopes) rec.scopes = r.scopes;
  if (r.expires_at) rec.expiresAt = r.expires_at;
  return rec;
}

/** PostgreSQL array literal of text values (cheaper to read than JSON in bulk statements). */
function arr(xs: string[] | undefined): string | null {
  return xs ? `{${xs.map((x) => `"${x.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}` : null;
}

/**
 * A PostgreSQL array literal of scalars (text, numbers, booleans, null) made by one native
 * JSON.stringify: JSON's escapes of quote and backslash are also the array syntax's, and JSON's
 * null is SQL NULL. Escapes that PostgreSQL would read differently (\n, \t, \uXXXX…) fall back to
 * the driver's element-wise escaping, which costs about ten times more for a batch's columns.
 */
export function pgArray(xs: unknown[]): string | unknown[] {
  const j = JSON.stringify(xs);
  return /\\[bfnrtu]/.test(j) ? xs : `{${j.slice(1, -1)}}`;
}

/** An error that makes withTransaction run the whole transaction again (like a serialization failure). */
export class RetryableConflict extends Error {
  readonly code = '40001';
  /** The conflict was a history instant written meanwhile: the rerun looks every seq up. */
  history = false;
}

function geoOf(e: EntityRecord): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [attr, insts] of Object.entries(e.attrs)) {
    const inst = insts[0];
    if (inst && inst.type === 'GeoProperty' && inst.value !== undefined && inst.value !== null) out.push([attr, JSON.stringify(inst.value)]);
  }
  return out;
}

function geoChanged(a: EntityRecord, b: EntityRecord): boolean {
  for (const [k, v] of Object.entries(b.attrs)) if (v[0]?.type === 'GeoProperty' && a.attrs[k]?.[0] !== v[0]) return true;
  for (const [k, v] of Object.entries(a.attrs)) if (v[0]?.type === 'GeoProperty' && b.attrs[k]?.[0] !== v[0]) return true;
  return false;
}

const key = (tenant: string, id: string) => `${tenant}\u0000${id}`;
const BUFFER_MAX = 20_000;
const PREFETCH_CHUNK = 2000;

interface PendingEntity { tenant: string; rec: EntityRecord; pk?: number; insert: boolean; geo: boolean }
interface PendingTemporal { tenant: string; id: string; types: string[]; deleted: boolean; at: string }
interface PendingInstance { k: string; name: number; f: EncodedFields; fresh: boolean }

export class PgTransaction implements EntityWriteTx {
  /** Rows this transaction has read with FOR UPDATE (locked until commit): pk and version. */
  private readonly locked = new Map<string, { pk: number; rev: number }>();
  /** Records as read by prefetch (valid while `locked` holds the same rev). */
  private readonly read = new Map<string, EntityRecord>();
  private readonly entities = new Map<string, PendingEntity>();
  /** Known temporal_entities rows (pk undefined while its insert is pending). */
  readonly temporal = new Map<string, TemporalRow>();
  private readonly newTemporal = new Map<string, PendingTemporal>();
  private readonly temporalUpdates = new Map<string, { pk: number; newTypes: string[]; deleted: boolean; at: string }>();
  private instances: PendingInstance[] = [];
  private size = 0;
  /**
   * Whether last_ts may spare seq lookups. Off in the rerun of a transaction whose history insert
   * met an instant written meanwhile (by a concurrent temporal write, or a node of an older version
   * that does not maintain last_ts), so that the rerun cannot meet the same conflict again.
   */
  trustLast = true;
  /** Entities inserted by this transaction (the storage refreshes planner statistics after bulk loads). */
  inserted = 0;

  constructor(readonly c: pg.PoolClient, private readonly tenants: Set<string>, readonly newTenants: Set<string>) {}

  private rememberTemporal(k: string, r: TRow): void {
    if (this.temporal.has(k)) return;
    if (r.tpk !== null && r.tpk !== undefined) this.temporal.set(k, { pk: r.tpk, types: r.ttypes ?? [], deleted: r.tdeleted !== null, last: r.tlast });
    else this.temporal.set(k, { types: [], deleted: false, pk: -1, last: null }); // -1: known to have no history
  }

  /**
   * Reads and locks (FOR UPDATE, in id order so that two batches never wait on each other in a
   * cycle) the entities of a batch in one statement per PREFETCH_CHUNK ids, with their history
   * rows. Later get/insert calls for these ids answer from what was read.
   */
  async prefetch(tenant: string, ids: string[]): Promise<void> {
    const want = [...new Set(ids)].filter((id) => {
      const k = key(tenant, id);
      return !this.entities.has(k) && !this.locked.has(k);
    }).sort();
    for (let i = 0; i < want.length; i += PREFETCH_CHUNK) {
      const part = want.slice(i, i + PREFETCH_CHUNK);
      const rows = await qp<Row & TRow & { qid: string }>(this.c, 'ds_tx_prefetch', `WITH l AS (SELECT ${ENTITY_COLS} FROM entities e WHERE e.tenant = $1 AND e.id = ANY($2::text[]) ORDER BY e.id FOR UPDATE)
        SELECT x.id AS qid, l.*, te.pk AS tpk, te.types AS ttypes, te.deleted_at AS tdeleted, te.last_ts AS tlast
        FROM unnest($2::text[]) x(id) LEFT JOIN l ON l.id = x.id LEFT JOIN temporal_entities te ON te.tenant = $1 AND te.id = x.id`, [tenant, part]);
      for (const r of rows) {
        const k = key(tenant, r.qid);
        this.rememberTemporal(k, r);
        if (r.pk === null) this.locked.set(k, { pk: -1, rev: 0 });
        else {
          this.locked.set(k, { pk: r.pk, rev: r.rev });
          this.read.set(k, toRecord(r));
        }
      }
    }
  }

  async get(tenant: string, id: string): Promise<EntityRecord | undefined> {
    const k = key(tenant, id);
    const p = this.entities.get(k);
    if (p) return p.rec;
    const l = this.locked.get(k);
    if (l) {
      // Read before in this transaction (and locked since, if it existed). An absent id stays
      // absent to this transaction: a concurrent insert of it is found at flush (then all runs again).
      if (l.pk === -1) return undefined;
      const rec = this.read.get(k);
      if (rec && rec.rev === l.rev) return rec;
    }
    // FOR UPDATE: a read-modify-write (PATCH, upsert) holds the row until commit, so two nodes never
    // lose an update. The history row comes along, saving the history writer a lookup.
    const rows = await qp<Row & TRow>(this.c, 'ds_tx_get', `WITH x AS (SELECT ${ENTITY_COLS} FROM entities e WHERE e.tenant = $1 AND e.id = $2 FOR UPDATE)
      SELECT x.*, te.pk AS tpk, te.types AS ttypes, te.deleted_at AS tdeleted, te.last_ts AS tlast FROM (SELECT 1) one LEFT JOIN x ON true ${TEMPORAL_JOIN}`, [tenant, id]);
    const r = rows[0];
    this.rememberTemporal(k, r);
    if (!r || r.pk === null) {
      this.locked.set(k, { pk: -1, rev: 0 }); // known absent: an insert may be buffered
      return undefined;
    }
    this.locked.set(k, { pk: r.pk, rev: r.rev });
    return toRecord(r);
  }

  private async ensureTenant(tenant: string, at: string): Promise<void> {
    if (this.tenants.has(tenant) || this.newTenants.has(tenant)) return;
    await q(this.c, 'INSERT INTO tenants (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [tenant, at]);
    this.newTenants.add(tenant);
  }

  async insert(tenant: string, e: EntityRecord): Promise<void> {
    const k = key(tenant, e.id);
    await this.ensureTenant(tenant, e.createdAt);
    const l = this.locked.get(k);
    if (l && l.pk > 0) throw new StorageConflict(`entity ${e.id} exists`);
    if (l?.pk === -1) {
      // Known absent in this transaction: buffered. A concurrent insert of the same id is found at
      // flush and makes the whole transaction run again (then the id is seen as existing).
      this.entities.set(k, { tenant, rec: { ...e, rev: 1 }, insert: true, geo: true });
      this.inserted++;
      this.locked.delete(k);
      await this.grow();
      return;
    }
    // Not read before: insert now, so a duplicate is reported to this caller (batch create), with
    // ON CONFLICT DO NOTHING keeping the transaction usable; the history row comes along.
    const rows = await qp<{ pk: number | null } & TRow>(this.c, 'ds_tx_insert', `WITH ins AS (
        INSERT INTO entities (tenant, id, types, scopes, created_at, modified_at, doc, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
        ON CONFLICT (tenant, id) DO NOTHING RETURNING pk)
      SELECT (SELECT pk FROM ins) AS pk, te.pk AS tpk, te.types AS ttypes, te.deleted_at AS tdeleted, te.last_ts AS tlast FROM (SELECT 1) one ${TEMPORAL_JOIN}`,
    [tenant, e.id, e.types, e.scopes ?? null, e.createdAt, e.modifiedAt, JSON.stringify(e.attrs), e.expiresAt ?? null]);
    if (rows[0].pk === null) throw new StorageConflict(`entity ${e.id} exists`);
    this.inserted++;
    this.rememberTemporal(k, rows[0]);
    this.locked.set(k, { pk: rows[0].pk, rev: 1 });
    const g = geoOf(e);
    if (g.length) await this.writeGeo([rows[0].pk], [g]);
  }

  async update(tenant: string, e: EntityRecord, before?: EntityRecord): Promise<void> {
    const k = key(tenant, e.id);
    const p = this.entities.get(k);
    const l = this.locked.get(k);
    if (p || (l && l.pk > 0)) {
      const rev = (p ? p.rec.rev ?? 1 : l!.rev) + 1;
      const geo = (p?.geo ?? false) || !before || geoChanged(before, e);
      this.entities.set(k, { tenant, rec: { ...e, rev }, pk: p ? p.pk : l!.pk, insert: p?.insert ?? false, geo });
      if (!p) this.locked.delete(k);
      await this.grow();
      return;
    }
    const rows = await q<{ pk: number; rev: number }>(this.c, 'UPDATE entities SET types = $1, scopes = $2, created_at = $3, modified_at = $4, rev = rev + 1, doc = $5::jsonb, expires_at = $8 WHERE tenant = $6 AND id = $7 RETURNING pk, rev',
      [e.types, e.scopes ?? null, e.createdAt, e.modifiedAt, JSON.stringify(e.attrs), tenant, e.id, e.expiresAt ?? null]);
    if (rows.length === 0) throw new StorageNotFound(`entity ${e.id} not found`);
    this.locked.set(k, { pk: rows[0].pk, rev: rows[0].rev });
    if (!before || geoChanged(before, e)) {
      await q(this.c, 'DELETE FROM entity_geo WHERE pk = $1', [rows[0].pk]);
      const g = geoOf(e);
      if (g.length) await this.writeGeo([rows[0].pk], [g]);
    }
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    await this.flush();
    const k = key(tenant, id);
    this.locked.delete(k);
    this.read.delete(k);
    // Geometry rows go with their entity (no foreign key: migration 008).
    return (await q(this.c, `WITH d AS (DELETE FROM entities WHERE tenant = $1 AND id = $2 RETURNING pk),
      g AS (DELETE FROM entity_geo WHERE pk IN (SELECT pk FROM d)) SELECT pk FROM d`, [tenant, id])).length > 0;
  }

  private async writeGeo(pks: number[], geos: Array<Array<[string, string]>>): Promise<void> {
    const p: number[] = [];
    const a: string[] = [];
    const g: string[] = [];
    pks.forEach((pk, i) => { for (const [attr, json] of geos[i]) { p.push(pk); a.push(attr); g.push(json); } });
    if (p.length) await q(this.c, 'INSERT INTO entity_geo (pk, attr, geom) SELECT u.pk, u.a, ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326) FROM unnest($1::bigint[], $2::text[], $3::text[]) u(pk, a, g)', [pgArray(p), pgArray(a), pgArray(g)]);
  }

  // ---- history rows, buffered for PgHistoryWriter.record ----

  /** The temporal row of an entity: from this transaction's knowledge, else one lookup. */
  async temporalRow(tenant: string, id: string): Promise<TemporalRow | undefined> {
    const k = key(tenant, id);
    let r = this.temporal.get(k);
    if (!r) {
      const row = (await qp<{ pk: number; types: string[]; deleted_at: string | null; last_ts: number | null }>(this.c, 'ds_tx_temporal_row', 'SELECT pk, types, deleted_at, last_ts FROM temporal_entities WHERE tenant = $1 AND id = $2', [tenant, id]))[0];
      r = row ? { pk: row.pk, types: row.types, deleted: row.deleted_at !== null, last: row.last_ts } : { pk: -1, types: [], deleted: false, last: null };
      this.temporal.set(k, r);
    }
    return r.pk === -1 ? undefined : r;
  }

  /** Buffers instances of one entity's history; true when the history starts here. */
  async bufferHistory(tenant: string, id: string, types: string[], deleted: boolean, at: string, rows: Array<{ name: number; f: EncodedFields }>): Promise<boolean> {
    const k = key(tenant, id);
    const have = await this.temporalRow(tenant, id);
    let created = false;
    if (!have) {
      await this.ensureTenant(tenant, at);
      this.newTemporal.set(k, { tenant, id, types: [...types], deleted, at });
      this.temporal.set(k, { pk: undefined, types: [...types], deleted, last: null });
      created = true;
    } else {
      const newTypes = types.filter((t) => !have.types.includes(t));
      if (newTypes.length || have.deleted !== deleted) {
        have.types = [...have.types, ...newTypes];
        have.deleted = deleted;
        const pending = this.newTemporal.get(k);
        if (pending) { pending.types = have.types; pending.deleted = deleted; pending.at = at; } else {
          const u = this.temporalUpdates.get(k);
          this.temporalUpdates.set(k, { pk: have.pk!, newTypes: [...(u?.newTypes ?? []), ...newTypes], deleted, at });
        }
      }
    }
    // An instance later than every earlier one of its history (as far as this transaction knows)
    // gets seq 0 without a lookup; a repeated or earlier instant looks its seq up.
    const t = this.temporal.get(k)!;
    const wrote = (t.wrote ??= new Map());
    for (const r of rows) {
      const mine = wrote.get(r.name);
      const fresh = this.trustLast && (t.last === null || r.f.ts > t.last) && (mine === undefined || r.f.ts > mine);
      if (mine === undefined || r.f.ts > mine) wrote.set(r.name, r.f.ts);
      this.instances.push({ k, name: r.name, f: r.f, fresh });
    }
    this.size += rows.length;
    await this.grow();
    return created;
  }

  private async grow(): Promise<void> {
    if (++this.size >= BUFFER_MAX) await this.flush();
  }

  /** The entities this transaction has read for writing (locked, or known absent), per tenant. */
  lockedIds(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const add = (k: string) => {
      const i = k.indexOf('\u0000');
      const tenant = k.slice(0, i);
      let ids = out.get(tenant);
      if (!ids) out.set(tenant, (ids = []));
      ids.push(k.slice(i + 1));
    };
    for (const k of this.locked.keys()) add(k);
    for (const k of this.entities.keys()) if (!this.locked.has(k)) add(k);
    return out;
  }

  /** Drops what is buffered (a savepoint rolled back: everything buffered happened inside it). */
  discard(): void {
    this.entities.clear();
    this.newTemporal.clear();
    this.temporalUpdates.clear();
    this.instances = [];
    this.size = 0;
    this.locked.clear();
    this.read.clear();
    this.temporal.clear();
  }

  /** Sends everything buffered, in set-based statements. */
  async flush(): Promise<void> {
    if (this.size === 0 && this.entities.size === 0 && this.newTemporal.size === 0) return;
    const ents = [...this.entities.values()];
    const newT = [...this.newTemporal.entries()];
    const updT = [...this.temporalUpdates.values()];
    const inst = this.instances;
    this.entities.clear(); this.newTemporal.clear(); this.temporalUpdates.clear(); this.instances = []; this.size = 0;

    const ins = ents.filter((p) => p.insert);
    if (ins.length) {
      // The documents travel as one JSON array (parsed once, no text-array escaping); the other
      // columns as array literals.
      const rows = await qp<{ pk: number; tenant: string; id: string }>(this.c, 'ds_tx_flush_insert', `INSERT INTO entities (tenant, id, types, scopes, created_at, modified_at, rev, doc, expires_at)
        SELECT u.tenant, u.id, u.types::text[], u.scopes::text[], u.c, u.m, u.rev, d.doc, u.x
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $9::text[]) WITH ORDINALITY u(tenant, id, types, scopes, c, m, rev, x, o)
        JOIN jsonb_array_elements($8::jsonb) WITH ORDINALITY d(doc, o) ON d.o = u.o ORDER BY u.o
        ON CONFLICT (tenant, id) DO NOTHING RETURNING pk, tenant, id`,
      [pgArray(ins.map((p) => p.tenant)), pgArray(ins.map((p) => p.rec.id)), pgArray(ins.map((p) => arr(p.rec.types))), pgArray(ins.map((p) => arr(p.rec.scopes))),
        pgArray(ins.map((p) => p.rec.createdAt)), pgArray(ins.map((p) => p.rec.modifiedAt)), pgArray(ins.map((p) => p.rec.rev ?? 1)), JSON.stringify(ins.map((p) => p.rec.attrs)), pgArray(ins.map((p) => p.rec.expiresAt ?? null))]);
      if (rows.length !== ins.length) throw new RetryableConflict('another transaction created one of these entities meanwhile');
      const pkOf = new Map(rows.map((r) => [key(r.tenant, r.id), r.pk]));
      for (const p of ins) {
        p.pk = pkOf.get(key(p.tenant, p.rec.id));
        this.locked.set(key(p.tenant, p.rec.id), { pk: p.pk!, rev: p.rec.rev ?? 1 });
      }
    }
    const upd = ents.filter((p) => !p.insert);
    if (upd.length) {
      await qp(this.c, 'ds_tx_flush_update', `UPDATE entities e SET types = u.types::text[], scopes = u.scopes::text[],
          created_at = u.c, modified_at = u.m, rev = u.rev, doc = d.doc, expires_at = u.x
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $8::text[]) WITH ORDINALITY u(pk, types, scopes, c, m, rev, x, o)
        JOIN jsonb_array_elements($7::jsonb) WITH ORDINALITY d(doc, o) ON d.o = u.o WHERE e.pk = u.pk`,
      [pgArray(upd.map((p) => p.pk)), pgArray(upd.map((p) => arr(p.rec.types))), pgArray(upd.map((p) => arr(p.rec.scopes))),
        pgArray(upd.map((p) => p.rec.createdAt)), pgArray(upd.map((p) => p.rec.modifiedAt)), pgArray(upd.map((p) => p.rec.rev)), JSON.stringify(upd.map((p) => p.rec.attrs)), pgArray(upd.map((p) => p.rec.expiresAt ?? null))]);
      for (const p of upd) this.locked.set(key(p.tenant, p.rec.id), { pk: p.pk!, rev: p.rec.rev! });
    }
    const geoUpd = upd.filter((p) => p.geo).map((p) => p.pk!);
    if (geoUpd.length) await q(this.c, 'DELETE FROM entity_geo WHERE pk = ANY($1::bigint[])', [geoUpd]);
    const geo = ents.filter((p) => p.geo);
    if (geo.length) await this.writeGeo(geo.map((p) => p.pk!), geo.map((p) => geoOf(p.rec)));

    /** Histories inserted by this flush with their last_ts already set. */
    const started = new Set<number>();
    if (newT.length) {
      // DO UPDATE (types merge) rather than DO NOTHING: a concurrent writer may have started the
      // same history; either way we learn the row's pk.
      // last_ts comes with the row (every instance of a new history is in this flush).
      const lastOf = (k: string): number | null => {
        let m: number | null = null;
        for (const ts of this.temporal.get(k)?.wrote?.values() ?? []) if (m === null || ts > m) m = ts;
        return m;
      };
      const rows = await qp<{ pk: number; tenant: string; id: string; types: string[]; inserted: boolean }>(this.c, 'ds_tx_temporal_insert', `INSERT INTO temporal_entities AS t (tenant, id, types, created_at, deleted_at, last_ts)
        SELECT u.tenant, u.id, ARRAY(SELECT jsonb_array_elements_text(u.types::jsonb)), u.at, CASE WHEN u.del THEN u.at END, u.last
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::bigint[]) u(tenant, id, types, at, del, last)
        ON CONFLICT (tenant, id) DO UPDATE SET types = t.types || ARRAY(SELECT x FROM unnest(EXCLUDED.types) x WHERE x <> ALL(t.types)), deleted_at = EXCLUDED.deleted_at,
          last_ts = GREATEST(t.last_ts, EXCLUDED.last_ts)
        RETURNING pk, tenant, id, types, (xmax = 0) AS inserted`,
      [pgArray(newT.map(([, t]) => t.tenant)), pgArray(newT.map(([, t]) => t.id)), pgArray(newT.map(([, t]) => JSON.stringify(t.types))), pgArray(newT.map(([, t]) => t.at)), pgArray(newT.map(([, t]) => t.deleted)), pgArray(newT.map(([k]) => lastOf(k)))]);
      const existed = new Set<string>();
      for (const r of rows) {
        const t = this.temporal.get(key(r.tenant, r.id));
        if (t) { t.pk = r.pk; t.types = r.types; }
        // The history existed after all (committed by another writer after our read): its
        // instances need the seq lookup.
        if (!r.inserted) existed.add(key(r.tenant, r.id));
        else started.add(r.pk);
      }
      if (existed.size) for (const i of inst) if (existed.has(i.k)) i.fresh = false;
    }
    if (updT.length) {
      await qp(this.c, 'ds_tx_temporal_types', `UPDATE temporal_entities t SET types = t.types || ARRAY(SELECT x FROM jsonb_array_elements_text(u.nt::jsonb) x WHERE x <> ALL(t.types)),
          deleted_at = CASE WHEN u.del THEN u.at END
        FROM unnest($1::bigint[], $2::text[], $3::bool[], $4::text[]) u(pk, nt, del, at) WHERE t.pk = u.pk`,
      [updT.map((u) => u.pk), updT.map((u) => JSON.stringify(u.newTypes)), updT.map((u) => u.deleted), updT.map((u) => u.at)]);
    }
    if (inst.length) await this.insertInstances(inst.map((r) => ({ pk: this.temporal.get(r.k)!.pk!, name: r.name, f: r.f, fresh: r.fresh })), started);
  }

  /**
   * Multi-row inserts; one statement never holds two rows with the same (entity, name, ts), so each
   * seq sees the rows before. Raises each history's last_ts, except for those in `lastSet` (set already).
   */
  async insertInstances(rows: Array<{ pk: number; name: number; f: EncodedFields; fresh?: boolean }>, lastSet?: Set<number>): Promise<void> {
    let chunk: typeof rows = [];
    let keys = new Set<string>();
    // Each history's latest instance time goes up with the rows (temporal_entities.last_ts).
    const last = new Map<number, number>();
    for (const r of rows) if (!lastSet?.has(r.pk) && !(last.get(r.pk)! >= r.f.ts)) last.set(r.pk, r.f.ts);
    const LAST = 'UPDATE temporal_entities t SET last_ts = GREATEST(t.last_ts, u.ts) FROM unnest($12::bigint[], $13::bigint[]) u(pk, ts) WHERE t.pk = u.pk AND (t.last_ts IS NULL OR t.last_ts < u.ts)';
    /** With final set, the last_ts update rides along in the same statement (one round trip fewer). */
    const send = async (final = false) => {
      if (chunk.length === 0) return;
      const withLast = final && last.size > 0;
      const seq = 'CASE WHEN u.fresh THEN 0 ELSE COALESCE((SELECT max(i.seq) + 1 FROM temporal_instances i WHERE i.entity = u.pk AND i.name = u.name AND i.ts = u.ts), 0) END';
      const col = <T>(f: (r: typeof rows[number]) => T) => pgArray(chunk.map(f));
      try {
        const insert = `INSERT INTO temporal_instances (entity, name, ts, seq, num, val, doc, unit, created, modified, flags)
          SELECT u.pk, u.name, u.ts, ${seq}, u.num, u.val, u.doc, u.unit, u.created, u.modified, u.flags
          FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::float8[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::int[], $11::bool[]) AS u(pk, name, ts, num, val, doc, unit, created, modified, flags, fresh)`;
        const params = [col((r) => r.pk), col((r) => r.name), col((r) => r.f.ts), col((r) => r.f.num), col((r) => r.f.val), col((r) => r.f.doc), col((r) => r.f.unit), col((r) => r.f.created), col((r) => r.f.modified), col((r) => r.f.flags), col((r) => r.fresh === true)];
        // A data-modifying WITH runs to completion whether or not the main statement reads it.
        if (withLast) await qp(this.c, 'ds_tx_instances_last', `WITH ins AS (${insert}) ${LAST}`, [...params, pgArray([...last.keys()]), pgArray([...last.values()])]);
        else await qp(this.c, 'ds_tx_instances', insert, params);
      } catch (e) {
        // Another transaction recorded an instance of the same series at the same time: run again.
        if ((e as { code?: string }).code === '23505') {
          const c = new RetryableConflict('concurrent history write of the same instant', { cause: e });
          c.history = true;
          throw c;
        }
        throw e;
      }
      chunk = [];
      keys = new Set();
    };
    for (let r of rows) {
      const k = `${r.pk}.${r.name}.${r.f.ts}`;
      if (keys.has(k)) {
        await send();
        // The repeated instant needs the seq lookup: it now sees the row just sent.
        r = { ...r, fresh: false };
      } else if (chunk.length >= 5000) await send();
      keys.add(k);
      chunk.push(r);
    }
    await send(true);
  }
}
