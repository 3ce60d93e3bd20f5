// The PostgreSQL AccountStore: one statement per operation, so every node sees the same users,
// sessions and tokens at once; unique violations become StorageConflict.
import type pg from 'pg';
import { StorageConflict } from '../../core/errors.ts';
import {
  JOINED_COLS, MAIL_COLS, OIDC_LOGIN_COLS, oidcLoginFromRow, oidcLoginValues, SESSION_COLS, USER_COLS, joinedFromRow, mailFromRow, patchColumns, sessionFromRow, sessionValues, userFromRow, userValues,
  type MailRow, type OidcLoginRow, type SessionRow, type UserRow,
} from '../accounts.rows.ts';
import type { AccountStore, AccountTokenRecord, MailRecord, MailState, OidcLoginRecord, SessionRecord, TokenKind, UserPatch, UserRecord } from '../port.accounts.ts';
import { q } from './postgres.database.ts';

const params = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');

function conflict(err: unknown, what: string): never {
  if ((err as { code?: string }).code === '23505') throw new StorageConflict(what, { cause: err });
  throw err;
}

export class PgAccountStore implements AccountStore {
  constructor(private readonly pool: pg.Pool) {}

  async createUser(u: UserRecord): Promise<void> {
    const v = userValues(u);
    try {
      await q(this.pool, `INSERT INTO users (${USER_COLS}) VALUES (${params(v.length).replace('$7', '$7::jsonb')})`, v);
    } catch (err) {
      conflict(err, `a user with the e-mail address ${u.email} or this OpenID Connect identity exists`);
    }
  }
  private async one(where: string, values: unknown[]): Promise<UserRecord | undefined> {
    const row = (await q<UserRow>(this.pool, `SELECT ${USER_COLS} FROM users WHERE ${where}`, values))[0];
    return row && userFromRow(row);
  }
  userById(id: string): Promise<UserRecord | undefined> { return this.one('id = $1', [id]); }
  userByEmail(email: string): Promise<UserRecord | undefined> { return this.one('email = $1', [email]); }
  userByOidc(issuer: string, subject: string): Promise<UserRecord | undefined> { return this.one('oidc_issuer = $1 AND oidc_subject = $2', [issuer, subject]); }
  async listUsers(page: { limit: number; offset: number }): Promise<UserRecord[]> {
    return (await q<UserRow>(this.pool, `SELECT ${USER_COLS} FROM users ORDER BY email LIMIT $1 OFFSET $2`, [page.limit, page.offset])).map(userFromRow);
  }
  async updateUser(id: string, patch: UserPatch): Promise<boolean> {
    const cols = patchColumns(patch);
    if (cols.length === 0) return (await this.userById(id)) !== undefined;
    const set = cols.map(([c], i) => `${c} = $${i + 1}${c === 'roles' ? '::jsonb' : ''}`).join(', ');
    try {
      return (await q(this.pool, `UPDATE users SET ${set} WHERE id = $${cols.length + 1} RETURNING id`, [...cols.map(([, v]) => v), id])).length > 0;
    } catch (err) {
      return conflict(err, 'the e-mail address or OpenID Connect identity belongs to another user');
    }
  }
  async deleteUser(id: string): Promise<boolean> {
    // Sessions and tokens go by ON DELETE CASCADE.
    return (await q(this.pool, 'DELETE FROM users WHERE id = $1 RETURNING id', [id])).length > 0;
  }

  async createSession(s: SessionRecord): Promise<void> {
    try {
      await q(this.pool, `INSERT INTO sessions (${SESSION_COLS}) VALUES (${params(10)})`, sessionValues(s));
    } catch (err) {
      conflict(err, 'session exists');
    }
  }
  async sessionByHash(hash: string): Promise<{ session: SessionRecord; user: UserRecord } | undefined> {
    const row = (await q<Record<string, unknown>>(this.pool, `SELECT ${JOINED_COLS} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = $1`, [hash]))[0];
    return row && joinedFromRow(row);
  }
  async touchSession(hash: string, lastSeenAt: string, expiresAt: string): Promise<boolean> {
    return (await q(this.pool, 'UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE hash = $3 AND revoked_at IS NULL RETURNING id', [lastSeenAt, expiresAt, hash])).length > 0;
  }
  async revokeSession(hash: string, at: string): Promise<boolean> {
    return (await q(this.pool, 'UPDATE sessions SET revoked_at = $1 WHERE hash = $2 AND revoked_at IS NULL RETURNING id', [at, hash])).length > 0;
  }
  async revokeSessionById(id: string, at: string): Promise<boolean> {
    return (await q(this.pool, 'UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id', [at, id])).length > 0;
  }
  async revokeUserSessions(userId: string, at: string): Promise<number> {
    return (await q(this.pool, 'UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND expires_at > $1 RETURNING id', [at, userId])).length;
  }
  async listSessions(userId: string, now: string): Promise<SessionRecord[]> {
    return (await q<SessionRow>(this.pool, `SELECT ${SESSION_COLS} FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id DESC`, [userId, now])).map(sessionFromRow);
  }
  async deleteExpired(before: string): Promise<number> {
    const a = await q(this.pool, 'DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1 RETURNING id', [before]);
    const b = await q(this.pool, 'DELETE FROM account_tokens WHERE expires_at < $1 OR used_at < $1 RETURNING hash', [before]);
    const c = await q(this.pool, 'DELETE FROM oidc_logins WHERE expires_at < $1 RETURNING state_hash', [before]);
    return a.length + b.length + c.length;
  }

  async createToken(t: AccountTokenRecord): Promise<void> {
    await q(this.pool, 'INSERT INTO account_tokens (hash, kind, user_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [t.hash, t.kind, t.userId, t.createdAt, t.expiresAt, t.usedAt ?? null]);
  }
  async consumeToken(hash: string, kind: TokenKind, now: string): Promise<string | undefined> {
    // One statement: of two nodes consuming the same token at once, only one gets the row.
    const row = (await q<{ user_id: string }>(this.pool, 'UPDATE account_tokens SET used_at = $1 WHERE hash = $2 AND kind = $3 AND used_at IS NULL AND expires_at > $1 RETURNING user_id', [now, hash, kind]))[0];
    return row?.user_id;
  }

  async createOidcLogin(l: OidcLoginRecord): Promise<void> {
    await q(this.pool, `INSERT INTO oidc_logins (${OIDC_LOGIN_COLS}) VALUES (${params(6)})`, oidcLoginValues(l));
  }
  async takeOidcLogin(stateHash: string, now: string): Promise<OidcLoginRecord | undefined> {
    const row = (await q<OidcLoginRow>(this.pool, `DELETE FROM oidc_logins WHERE state_hash = $1 RETURNING ${OIDC_LOGIN_COLS}`, [stateHash]))[0];
    return row && row.expires_at > now ? oidcLoginFromRow(row) : undefined;
  }

  async enqueueMail(m: MailRecord): Promise<void> {
    await q(this.pool, `INSERT INTO mail_outbox (${MAIL_COLS}) VALUES (${params(10)})`, [m.id, m.to, m.subject, m.text, m.html ?? null, m.createdAt, m.state, m.doneAt ?? null, m.error ?? null, m.headers ? JSON.stringify(m.headers) : null]);
  }
  async markMail(id: string, state: MailState, at: string, error?: string): Promise<void> {
    await q(this.pool, 'UPDATE mail_outbox SET state = $1, done_at = $2, error = $3 WHERE id = $4', [state, at, error ?? null, id]);
  }
  async listMail(a: { limit: number; offset: number; state?: MailState; to?: string }): Promise<MailRecord[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const p = (v: unknown) => { values.push(v); return `$${values.length}`; };
    if (a.state) where.push(`state = ${p(a.state)}`);
    if (a.to) where.push(`recipient = ${p(a.to)}`);
    const sql = `SELECT ${MAIL_COLS} FROM mail_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${p(a.limit)} OFFSET ${p(a.offset)}`;
    return (await q<MailRow>(this.pool, sql, values)).map(mailFromRow);
  }
}
