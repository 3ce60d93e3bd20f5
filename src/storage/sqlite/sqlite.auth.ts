// The embedded engine's AuthStore: writes through the adapter's serialised write transactions,
// reads through the reader connection (committed data only).
import { auditEntryFromRow, type AuditRow } from '../auth.rows.ts';
import type { Statement } from 'better-sqlite3';
import { StorageConflict } from '../../core/errors.ts';
import type { ApiKeyRecord, AuditEntry, AuditQuery, AuthStore } from '../port.auth.ts';
import type { Db } from './sqlite.database.ts';
import type { Serialise } from './sqlite.subscriptions.ts';

interface KeyRow {
  id: string; name: string; hash: string; prefix: string; roles: string; tenants: string | null; types: string | null; ops: string | null;
  created_at: string; created_by: string | null; expires_at: string | null; revoked_at: string | null;
}

function toKey(r: KeyRow): ApiKeyRecord {
  const k: ApiKeyRecord = { id: r.id, name: r.name, hash: r.hash, prefix: r.prefix, roles: JSON.parse(r.roles) as string[], createdAt: r.created_at };
  if (r.tenants) k.tenants = JSON.parse(r.tenants) as string[];
  if (r.types) k.types = JSON.parse(r.types) as string[];
  if (r.ops) k.ops = JSON.parse(r.ops) as string[];
  if (r.created_by) k.createdBy = r.created_by;
  if (r.expires_at) k.expiresAt = r.expires_at;
  if (r.revoked_at) k.revokedAt = r.revoked_at;
  return k;
}


export class SqliteAuthStore implements AuthStore {
  private readonly w: Record<string, Statement> = {};
  private readonly r: Record<string, Statement> = {};
  constructor(private readonly writer: Db, private readonly reader: Db, private readonly serialise: Serialise) {}
  private ws(sql: string): Statement { return (this.w[sql] ??= this.writer.prepare(sql)); }
  private rs(sql: string): Statement { return (this.r[sql] ??= this.reader.prepare(sql)); }

  createKey(k: ApiKeyRecord): Promise<void> {
    return this.serialise(async () => {
      try {
        this.ws(`INSERT INTO api_keys (id, name, hash, prefix, roles, tenants, types, ops, created_at, created_by, expires_at, revoked_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(k.id, k.name, k.hash, k.prefix, JSON.stringify(k.roles),
          k.tenants ? JSON.stringify(k.tenants) : null, k.types ? JSON.stringify(k.types) : null, k.ops ? JSON.stringify(k.ops) : null,
          k.createdAt, k.createdBy ?? null, k.expiresAt ?? null, k.revokedAt ?? null);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' || (err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new StorageConflict(`api key ${k.name} exists`, { cause: err });
        }
        throw err;
      }
    });
  }
  async keyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = this.rs('SELECT * FROM api_keys WHERE hash = ?').get(hash) as KeyRow | undefined;
    return row && toKey(row);
  }
  async keyById(id: string): Promise<ApiKeyRecord | undefined> {
    const row = this.rs('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow | undefined;
    return row && toKey(row);
  }
  async listKeys(): Promise<ApiKeyRecord[]> {
    return (this.rs('SELECT * FROM api_keys ORDER BY created_at DESC, rowid DESC').all() as KeyRow[]).map(toKey);
  }
  revokeKey(id: string, at: string): Promise<boolean> {
    return this.serialise(async () => this.ws('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0);
  }
  appendAudit(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.serialise(async () => {
      const st = this.ws('INSERT INTO audit_log (at, principal, action, tenant, target, status, address, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      for (const e of entries) st.run(e.at, e.principal, e.action, e.tenant ?? null, e.target ?? null, e.status, e.address ?? null, e.requestId ?? null);
    });
  }
  async queryAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.since) { where.push('at >= ?'); params.push(q.since); }
    if (q.until) { where.push('at < ?'); params.push(q.until); }
    if (q.principal) { where.push('principal = ?'); params.push(q.principal); }
    if (q.tenant !== undefined) { where.push('tenant = ?'); params.push(q.tenant); }
    if (q.action) { where.push("instr(action, ?) > 0"); params.push(q.action); }
    const sql = `SELECT at, principal, action, tenant, target, status, address, request_id FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${q.oldestFirst ? 'ASC' : 'DESC'} LIMIT ? OFFSET ?`;
    return (this.rs(sql).all(...params, q.limit, q.offset) as AuditRow[]).map(auditEntryFromRow);
  }
  pruneAudit(before: string): Promise<number> {
    return this.serialise(async () => this.ws('DELETE FROM audit_log WHERE at < ?').run(before).changes);
  }
  async getSetting(name: string): Promise<unknown> {
    const row = this.rs('SELECT value FROM auth_settings WHERE name = ?').get(name) as { value: string } | undefined;
    return row ? JSON.parse(row.value) as unknown : undefined;
  }
  putSetting(name: string, value: unknown): Promise<void> {
    return this.serialise(async () => {
      if (value === undefined) this.ws('DELETE FROM auth_settings WHERE name = ?').run(name);
      else this.ws('INSERT INTO auth_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, JSON.stringify(value));
    });
  }
}
