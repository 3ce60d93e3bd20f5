// Engine-neutral row shapes of the accounts tables: both adapters store the same columns (roles as
// JSON text on SQLite, JSONB on PostgreSQL).
import type { MailRecord, OidcLoginRecord, MailState, SessionRecord, UserPatch, UserRecord, UserRole } from './port.accounts.ts';

export interface UserRow {
  id: string; email: string; display_name: string; password_hash: string | null; oidc_issuer: string | null; oidc_subject: string | null;
  roles: string | UserRole[]; created_at: string; last_login_at: string | null; email_confirmed_at: string | null; disabled_at: string | null;
  lang: string | null;
}
export const USER_COLS = 'id, email, display_name, password_hash, oidc_issuer, oidc_subject, roles, created_at, last_login_at, email_confirmed_at, disabled_at, lang';

export function userFromRow(r: UserRow): UserRecord {
  const u: UserRecord = { id: r.id, email: r.email, displayName: r.display_name, roles: typeof r.roles === 'string' ? JSON.parse(r.roles) as UserRole[] : r.roles, createdAt: r.created_at };
  if (r.password_hash !== null) u.passwordHash = r.password_hash;
  if (r.oidc_issuer !== null) u.oidcIssuer = r.oidc_issuer;
  if (r.oidc_subject !== null) u.oidcSubject = r.oidc_subject;
  if (r.last_login_at !== null) u.lastLoginAt = r.last_login_at;
  if (r.email_confirmed_at !== null) u.emailConfirmedAt = r.email_confirmed_at;
  if (r.disabled_at !== null) u.disabledAt = r.disabled_at;
  if (r.lang === 'en' || r.lang === 'de') u.lang = r.lang;
  return u;
}

export function userValues(u: UserRecord): unknown[] {
  return [u.id, u.email, u.displayName, u.passwordHash ?? null, u.oidcIssuer ?? null, u.oidcSubject ?? null, JSON.stringify(u.roles),
    u.createdAt, u.lastLoginAt ?? null, u.emailConfirmedAt ?? null, u.disabledAt ?? null, u.lang ?? null];
}

const PATCH_COLUMNS: Record<keyof UserPatch, string> = {
  email: 'email', displayName: 'display_name', passwordHash: 'password_hash', oidcIssuer: 'oidc_issuer', oidcSubject: 'oidc_subject',
  roles: 'roles', lastLoginAt: 'last_login_at', emailConfirmedAt: 'email_confirmed_at', disabledAt: 'disabled_at', lang: 'lang',
};

/** The columns and values a patch sets, in a fixed order. */
export function patchColumns(p: UserPatch): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [k, col] of Object.entries(PATCH_COLUMNS) as Array<[keyof UserPatch, string]>) {
    if (!(k in p) || p[k] === undefined) continue;
    out.push([col, k === 'roles' ? JSON.stringify(p.roles) : p[k]]);
  }
  return out;
}

export interface SessionRow {
  id: string; hash: string; user_id: string; created_at: string; last_seen_at: string; expires_at: string; csrf: string;
  user_agent: string | null; address: string | null; revoked_at: string | null;
}
export const SESSION_COLS = 'id, hash, user_id, created_at, last_seen_at, expires_at, csrf, user_agent, address, revoked_at';

export function sessionFromRow(r: SessionRow): SessionRecord {
  const s: SessionRecord = { id: r.id, hash: r.hash, userId: r.user_id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at, csrf: r.csrf };
  if (r.user_agent !== null) s.userAgent = r.user_agent;
  if (r.address !== null) s.address = r.address;
  if (r.revoked_at !== null) s.revokedAt = r.revoked_at;
  return s;
}

export function sessionValues(s: SessionRecord): unknown[] {
  return [s.id, s.hash, s.userId, s.createdAt, s.lastSeenAt, s.expiresAt, s.csrf, s.userAgent ?? null, s.address ?? null, s.revokedAt ?? null];
}

/** A session joined with its user: the session's columns prefixed s_, the user's plain. */
export const JOINED_COLS = `${SESSION_COLS.split(', ').map((c) => `s.${c} AS s_${c}`).join(', ')}, ${USER_COLS.split(', ').map((c) => `u.${c}`).join(', ')}`;

export function joinedFromRow(r: Record<string, unknown>): { session: SessionRecord; user: UserRecord } {
  const s: Record<string, unknown> = {};
  for (const c of SESSION_COLS.split(', ')) s[c] = r[`s_${c}`];
  return { session: sessionFromRow(s as unknown as SessionRow), user: userFromRow(r as unknown as UserRow) };
}

export interface MailRow { id: string; recipient: string; subject: string; text: string; html: string | null; created_at: string; state: string; done_at: string | null; error: string | null; headers: string | null }
export const MAIL_COLS = 'id, recipient, subject, text, html, created_at, state, done_at, error, headers';

export function mailFromRow(r: MailRow): MailRecord {
  const m: MailRecord = { id: r.id, to: r.recipient, subject: r.subject, text: r.text, createdAt: r.created_at, state: r.state as MailState };
  if (r.html !== null) m.html = r.html;
  if (r.done_at !== null) m.doneAt = r.done_at;
  if (r.error !== null) m.error = r.error;
  if (r.headers !== null && r.headers !== undefined) m.headers = JSON.parse(r.headers) as Record<string, string>;
  return m;
}

export interface OidcLoginRow { state_hash: string; nonce: string; code_verifier: string; return_to: string; created_at: string; expires_at: string }
export const OIDC_LOGIN_COLS = 'state_hash, nonce, code_verifier, return_to, created_at, expires_at';
export function oidcLoginFromRow(r: OidcLoginRow): OidcLoginRecord {
  return { stateHash: r.state_hash, nonce: r.nonce, codeVerifier: r.code_verifier, returnTo: r.return_to, createdAt: r.created_at, expiresAt: r.expires_at };
}
export function oidcLoginValues(l: OidcLoginRecord): unknown[] {
  return [l.stateHash, l.nonce, l.codeVerifier, l.returnTo, l.createdAt, l.expiresAt];
}
