// Verifications and invitation codes in the participation module's SQLite file (migration 012).
import type Database from 'better-sqlite3';
import { StorageConflict } from '../../core/errors.ts';
import type { Verification, VerificationStore } from '../verification.model.ts';

interface Row { user_id: string; method: string; scope: string; detail: string; at: string }
const out = (r: Row): Verification => ({ userId: r.user_id, method: r.method, scope: r.scope, detail: r.detail, at: r.at });
const UPSERT = `INSERT INTO part_verifications (user_id, method, scope, detail, at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (user_id, method, scope) DO UPDATE SET detail = excluded.detail, at = excluded.at`;

export class SqliteVerifications implements VerificationStore {
  constructor(private readonly db: Database.Database) {}

  async put(v: Verification): Promise<void> {
    this.db.prepare(UPSERT).run(v.userId, v.method, v.scope, v.detail, v.at);
  }
  async find(userId: string, method: string, processSlug: string): Promise<Verification | undefined> {
    const r = this.db.prepare("SELECT * FROM part_verifications WHERE user_id = ? AND method = ? AND scope IN (?, '*') ORDER BY at DESC LIMIT 1").get(userId, method, processSlug) as Row | undefined;
    return r ? out(r) : undefined;
  }
  async mine(userId: string): Promise<Verification[]> {
    return (this.db.prepare('SELECT * FROM part_verifications WHERE user_id = ? ORDER BY at, method, scope').all(userId) as Row[]).map(out);
  }
  async addCodes(processSlug: string, hashes: string[], at: string): Promise<void> {
    const ins = this.db.prepare('INSERT INTO part_invitation_codes (hash, process_slug, created_at) VALUES (?, ?, ?)');
    try {
      this.db.transaction(() => { for (const h of hashes) ins.run(h, processSlug, at); })();
    } catch (e) {
      if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) throw new StorageConflict('an invitation code exists', { cause: e });
      throw e;
    }
  }
  async redeemCode(processSlug: string, hash: string, v: Verification): Promise<'redeemed' | 'used' | 'unknown'> {
    return this.db.transaction((): 'redeemed' | 'used' | 'unknown' => {
      if (!this.db.prepare('SELECT 1 FROM part_invitation_codes WHERE hash = ? AND process_slug = ?').get(hash, processSlug)) return 'unknown';
      // The primary key keeps a second redemption out (ON CONFLICT: nothing inserted, no change).
      const r = this.db.prepare('INSERT INTO part_code_redemptions (hash, user_id, at) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING').run(hash, v.userId, v.at);
      if (r.changes === 0) return 'used';
      this.db.prepare(UPSERT).run(v.userId, v.method, v.scope, v.detail, v.at);
      return 'redeemed';
    }).immediate();
  }
  async codeCounts(processSlug: string): Promise<{ codes: number; redeemed: number }> {
    return this.db.prepare('SELECT COUNT(*) AS codes, COUNT(r.hash) AS redeemed FROM part_invitation_codes c LEFT JOIN part_code_redemptions r ON r.hash = c.hash WHERE c.process_slug = ?').get(processSlug) as { codes: number; redeemed: number };
  }
  async removeAccount(userId: string): Promise<number> {
    return this.db.transaction(() => {
      this.db.prepare('UPDATE part_code_redemptions SET user_id = NULL WHERE user_id = ?').run(userId);
      return this.db.prepare('DELETE FROM part_verifications WHERE user_id = ?').run(userId).changes;
    })();
  }
}
