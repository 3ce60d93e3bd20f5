// The embedded engine's AccountStore: writes through the adapter's serialised write transactions,
// reads through the reader connection (committed data only).
import type { Statement } from 'better-sqlite3';
import { StorageConflict } from '../../core/errors.ts';
import {
  JOINED_COLS, MAIL_COLS, OIDC_LOGIN_COLS, oidcLoginFromRow, oidcLoginValues, SESSION_COLS, USER_COLS, joinedFromRow, mailFromRow, patchColumns, sessionFromRow, sessionValues, userFromRow, userValues,
  type MailRow, type OidcLoginRow, type SessionRow, type UserRow,
} from '../accounts.rows.ts';
import type { AccountStore, AccountTokenRecord, MailRecord, MailState, OidcLoginRecord, SessionRecord, TokenKind, UserPatch, UserRecord } from '../port.accounts.ts';
import type { Db } from './sqlite.database.ts';
import type { Serialise } from './sqlite.subscriptions.ts';

function conflict(err: unknown, what: string): never {
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StorageConflict(what, { cause: err });
  throw err;
}

export class SqliteAccountStore implements AccountStore {
  private readonly w: Record<string, Statement> = {};
  private readonly r: Record<string, Statement> = {};
  constructor(private readonly writer: Db, private readonly reader: Db, private readonly serialise: Serialise) {}
  private ws(sql: string): Statement { return (this.w[sql] ??= this.writer.prepare(sql)); }
  private rs(sql: string): Statement { return (this.r[sql] ??= this.reader.prepare(sql)); }

  createUser(u: UserRecord): Promise<void> {
    return this.serialise(async () => {
      try {
        this.ws(`INSERT INTO users (${USER_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...userValues(u));
      } catch (err) {
        conflict(err, `a user with the e-mail address ${u.email} or this OpenID Connect identity exists`);
      }
    });
  }
  private one(where: string, ...params: unknown[]): UserRecord | undefined {
    const row = this.rs(`SELECT ${USER_COLS} FROM users WHERE ${where}`).get(...params) as UserRow | undefined;
    return row && userFromRow(row);
  }
  async userById(id: string): Promise<UserRecord | undefined> { return this.one('id = ?', id); }
  async userByEmail(email: string): Promise<UserRecord | undefined> { return this.one('email = ?', email); }
  async userByOidc(issuer: string, subject: string): Promise<UserRecord | undefined> { return this.one('oidc_issuer = ? AND oidc_subject = ?', issuer, subject); }
  async listUsers(page: { limit: number; offset: number }): Promise<UserRecord[]> {
    return (this.rs(`SELECT ${USER_COLS} FROM users ORDER BY email LIMIT ? OFFSET ?`).all(page.limit, page.offset) as UserRow[]).map(userFromRow);
  }
  updateUser(id: string, patch: UserPatch): Promise<boolean> {
    const cols = patchColumns(patch);
    if (cols.length === 0) return this.userById(id).then((u) => u !== undefined);
    return this.serialise(async () => {
      try {
        // Not cached: the set of columns varies per call.
        return this.writer.prepare(`UPDATE users SET ${cols.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map(([, v]) => v), id).changes > 0;
      } catch (err) {
        return conflict(err, 'the e-mail address or OpenID Connect identity belongs to another user');
      }
    });
  }
  deleteUser(id: string): Promise<boolean> {
    // Foreign keys are not enforced on this connection: the user's rows go explicitly, in one transaction.
    return this.serialise(async () => {
      this.ws('DELETE FROM sessions WHERE user_id = ?').run(id);
      this.ws('DELETE FROM account_tokens WHERE user_id = ?').run(id);
      return this.ws('DELETE FROM users WHERE id = ?').run(id).changes > 0;
    });
  }

  createSession(s: SessionRecord): Promise<void> {
    return this.serialise(async () => {
      try {
        this.ws(`INSERT INTO sessions (${SESSION_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...sessionValues(s));
      } catch (err) {
        conflict(err, 'session exists');
      }
    });
  }
  async sessionByHash(hash: string): Promise<{ session: SessionRecord; user: UserRecord } | undefined> {
    const row = this.rs(`SELECT ${JOINED_COLS} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ?`).get(hash) as Record<string, unknown> | undefined;
    return row && joinedFromRow(row);
  }
  touchSession(hash: string, lastSeenAt: string, expiresAt: string): Promise<boolean> {
    return this.serialise(async () => this.ws('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE hash = ? AND revoked_at IS NULL').run(lastSeenAt, expiresAt, hash).changes > 0);
  }
  revokeSession(hash: string, at: string): Promise<boolean> {
    return this.serialise(async () => this.ws('UPDATE sessions SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL').run(at, hash).changes > 0);
  }
  revokeSessionById(id: string, at: string): Promise<boolean> {
    return this.serialise(async () => this.ws('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0);
  }
  revokeUserSessions(userId: string, at: string): Promise<number> {
    return this.serialise(async () => this.ws('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?').run(at, userId, at).changes);
  }
  async listSessions(userId: string, now: string): Promise<SessionRecord[]> {
    return (this.rs(`SELECT ${SESSION_COLS} FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, rowid DESC`).all(userId, now) as SessionRow[]).map(sessionFromRow);
  }
  deleteExpired(before: string): Promise<number> {
    return this.serialise(async () =>
      this.ws('DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?').run(before, before).changes
      + this.ws('DELETE FROM account_tokens WHERE expires_at < ? OR used_at < ?').run(before, before).changes
      + this.ws('DELETE FROM oidc_logins WHERE expires_at < ?').run(before).changes);
  }

  createToken(t: AccountTokenRecord): Promise<void> {
    return this.serialise(async () => {
      this.ws('INSERT INTO account_tokens (hash, kind, user_id, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(t.hash, t.kind, t.userId, t.createdAt, t.expiresAt, t.usedAt ?? null);
    });
  }
  consumeToken(hash: string, kind: TokenKind, now: string): Promise<string | undefined> {
    return this.serialise(async () => {
      const row = this.ws('UPDATE account_tokens SET used_at = ? WHERE hash = ? AND kind = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id')
        .get(now, hash, kind, now) as { user_id: string } | undefined;
      return row?.user_id;
    });
  }

  createOidcLogin(l: OidcLoginRecord): Promise<void> {
    return this.serialise(async () => { this.ws(`INSERT INTO oidc_logins (${OIDC_LOGIN_COLS}) VALUES (?, ?, ?, ?, ?, ?)`).run(...oidcLoginValues(l)); });
  }
  takeOidcLogin(stateHash: string, now: string): Promise<OidcLoginRecord | undefined> {
    return this.serialise(async () => {
      const row = this.ws(`DELETE FROM oidc_logins WHERE state_hash = ? RETURNING ${OIDC_LOGIN_COLS}`).get(stateHash) as OidcLoginRow | undefined;
      return row && row.expires_at > now ? oidcLoginFromRow(row) : undefined;
    });
  }

  enqueueMail(m: MailRecord): Promise<void> {
    return this.serialise(async () => {
      this.ws(`INSERT INTO mail_outbox (${MAIL_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(m.id, m.to, m.subject, m.text, m.html ?? null, m.createdAt, m.state, m.doneAt ?? null, m.error ?? null, m.headers ? JSON.stringify(m.headers) : null);
    });
  }
  markMail(id: string, state: MailState, at: string, error?: string): Promise<void> {
    return this.serialise(async () => { this.ws('UPDATE mail_outbox SET state = ?, done_at = ?, error = ? WHERE id = ?').run(state, at, error ?? null, id); });
  }
  async listMail(q: { limit: number; offset: number; state?: MailState; to?: string }): Promise<MailRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.state) { where.push('state = ?'); params.push(q.state); }
    if (q.to) { where.push('recipient = ?'); params.push(q.to); }
    const sql = `SELECT ${MAIL_COLS} FROM mail_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ? OFFSET ?`;
    return (this.rs(sql).all(...params, q.limit, q.offset) as MailRow[]).map(mailFromRow);
  }
}
