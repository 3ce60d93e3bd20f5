// Verifications and invitation codes on PostgreSQL (migration 012).
import type pg from 'pg';
import { StorageConflict } from '../../core/errors.ts';
import { inTransaction } from '../../storage/modules/postgres/module-store.ts';
import type { Verification, VerificationStore } from '../verification.model.ts';

interface Row { user_id: string; method: string; scope: string; detail: string; at: string }
const out = (r: Row): Verification => ({ userId: r.user_id, method: r.method, scope: r.scope, detail: r.detail, at: r.at });
const UPSERT = `INSERT INTO part_verifications (user_id, method, scope, detail, at) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (user_id, method, scope) DO UPDATE SET detail = excluded.detail, at = excluded.at`;

export class PostgresVerifications implements VerificationStore {
  constructor(private readonly pool: pg.Pool) {}

  async put(v: Verification): Promise<void> {
    await this.pool.query(UPSERT, [v.userId, v.method, v.scope, v.detail, v.at]);
  }
  async find(userId: string, method: string, processSlug: string): Promise<Verification | undefined> {
    const r = (await this.pool.query<Row>("SELECT * FROM part_verifications WHERE user_id = $1 AND method = $2 AND scope IN ($3, '*') ORDER BY at DESC LIMIT 1", [userId, method, processSlug])).rows[0];
    return r ? out(r) : undefined;
  }
  async mine(userId: string): Promise<Verification[]> {
    return (await this.pool.query<Row>('SELECT * FROM part_verifications WHERE user_id = $1 ORDER BY at, method, scope', [userId])).rows.map(out);
  }
  async addCodes(processSlug: string, hashes: string[], at: string): Promise<void> {
    try {
      await this.pool.query('INSERT INTO part_invitation_codes (hash, process_slug, created_at) SELECT h, $2, $3 FROM unnest($1::text[]) AS h', [hashes, processSlug, at]);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new StorageConflict('an invitation code exists', { cause: e });
      throw e;
    }
  }
  async redeemCode(processSlug: string, hash: string, v: Verification): Promise<'redeemed' | 'used' | 'unknown'> {
    return inTransaction(this.pool, async (c) => {
      if (!(await c.query('SELECT 1 FROM part_invitation_codes WHERE hash = $1 AND process_slug = $2', [hash, processSlug])).rowCount) return 'unknown';
      // The primary key keeps a second redemption out: a parallel one waits for this transaction, then inserts nothing.
      const r = await c.query('INSERT INTO part_code_redemptions (hash, user_id, at) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING', [hash, v.userId, v.at]);
      if (!r.rowCount) return 'used';
      await c.query(UPSERT, [v.userId, v.method, v.scope, v.detail, v.at]);
      return 'redeemed';
    });
  }
  async codeCounts(processSlug: string): Promise<{ codes: number; redeemed: number }> {
    return (await this.pool.query<{ codes: number; redeemed: number }>('SELECT COUNT(*)::int AS codes, COUNT(r.hash)::int AS redeemed FROM part_invitation_codes c LEFT JOIN part_code_redemptions r ON r.hash = c.hash WHERE c.process_slug = $1', [processSlug])).rows[0]!;
  }
  async removeAccount(userId: string): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      await c.query('UPDATE part_code_redemptions SET user_id = NULL WHERE user_id = $1', [userId]);
      return (await c.query('DELETE FROM part_verifications WHERE user_id = $1', [userId])).rowCount ?? 0;
    });
  }
}
