// The accounts part of the storage port: people who log in (users with roles per tenant), their
// server-side sessions (shared by all nodes), single-use tokens for password reset and e-mail
// confirmation, and the mail outbox. Secrets (session ids, tokens) are stored as SHA-256 hashes only.

/** A role, optionally limited to tenants ('' = default tenant); the access model's RoleGrant. */
export interface UserRole {
  role: string;
  tenants?: string[];
}

export interface UserRecord {
  /** Public, random identifier; the principal is "user:<id>". */
  id: string;
  /** Normalised (trimmed, lower case); unique. */
  email: string;
  displayName: string;
  /** argon2id PHC string; absent for accounts that only log in through OpenID Connect. */
  passwordHash?: string;
  /** OpenID Connect identity (issuer + subject, unique together); absent for local-only accounts. */
  oidcIssuer?: string;
  oidcSubject?: string;
  roles: UserRole[];
  createdAt: string;
  lastLoginAt?: string;
  emailConfirmedAt?: string;
  disabledAt?: string;
  /** The language mails are written in: 'en' when the person registered or last logged in on the English portal; absent = German. */
  lang?: MailLang;
}

/** Languages of mails to a person (German is the default). */
export type MailLang = 'de' | 'en';

/** What may change on a user; null clears an optional member. */
export interface UserPatch {
  email?: string;
  displayName?: string;
  passwordHash?: string | null;
  oidcIssuer?: string | null;
  oidcSubject?: string | null;
  roles?: UserRole[];
  lastLoginAt?: string;
  emailConfirmedAt?: string | null;
  disabledAt?: string | null;
  lang?: MailLang | null;
}

export interface SessionRecord {
  /** Public identifier (lists, revocation by an operator); not the secret. */
  id: string;
  /** SHA-256 (hex) of the secret the cookie carries. */
  hash: string;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  /** Sliding: moved forward on use, never past the absolute lifetime. */
  expiresAt: string;
  /** Synchronizer token for the session's forms (CSRF). */
  csrf: string;
  /** Short summary of the User-Agent header, for the user's list of sessions. */
  userAgent?: string;
  address?: string;
  revokedAt?: string;
}

export type TokenKind = 'reset' | 'confirm';

export interface AccountTokenRecord {
  /** SHA-256 (hex) of the secret in the link. */
  hash: string;
  kind: TokenKind;
  userId: string;
  createdAt: string;
  expiresAt: string;
  usedAt?: string;
}

/** An OpenID Connect login in progress (authorization code flow with PKCE). */
export interface OidcLoginRecord {
  /** SHA-256 (hex) of the state parameter. */
  stateHash: string;
  nonce: string;
  codeVerifier: string;
  /** Local path to return to after login. */
  returnTo: string;
  createdAt: string;
  expiresAt: string;
}

export type MailState = 'pending' | 'sent' | 'failed';

export interface MailRecord {
  id: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra header fields (name → value), e.g. RFC 8058's List-Unsubscribe and List-Unsubscribe-Post. */
  headers?: Record<string, string>;
  createdAt: string;
  state: MailState;
  /** When it was sent or failed. */
  doneAt?: string;
  error?: string;
}

export interface AccountStore {
  /** Throws StorageConflict when the e-mail address or the OIDC identity is taken. */
  createUser(u: UserRecord): Promise<void>;
  userById(id: string): Promise<UserRecord | undefined>;
  userByEmail(email: string): Promise<UserRecord | undefined>;
  userByOidc(issuer: string, subject: string): Promise<UserRecord | undefined>;
  /** Ordered by e-mail address. */
  listUsers(page: { limit: number; offset: number }): Promise<UserRecord[]>;
  /** false when there is no such user; StorageConflict when the new e-mail or OIDC identity is taken. */
  updateUser(id: string, patch: UserPatch): Promise<boolean>;
  /** Deletes the user with its sessions and tokens; false when there is no such user. */
  deleteUser(id: string): Promise<boolean>;

  createSession(s: SessionRecord): Promise<void>;
  /** The session with its user, whatever its state (the caller checks expiry, revocation, disabled). */
  sessionByHash(hash: string): Promise<{ session: SessionRecord; user: UserRecord } | undefined>;
  /** Records use: last seen and the new expiry; false when the session is gone or revoked. */
  touchSession(hash: string, lastSeenAt: string, expiresAt: string): Promise<boolean>;
  /** Revokes one session by its hash; false when absent or revoked before. */
  revokeSession(hash: string, at: string): Promise<boolean>;
  /** Revokes one session by its public id (operators); false when absent or revoked before. */
  revokeSessionById(id: string, at: string): Promise<boolean>;
  /** Revokes every live session of a user; returns how many. */
  revokeUserSessions(userId: string, at: string): Promise<number>;
  /** A user's sessions that are neither revoked nor expired at `now`, newest first. */
  listSessions(userId: string, now: string): Promise<SessionRecord[]>;
  /** Deletes sessions, tokens and OIDC logins that expired (or were revoked / used) before `before`; returns how many rows. */
  deleteExpired(before: string): Promise<number>;

  createToken(t: AccountTokenRecord): Promise<void>;
  /** Marks an unused, unexpired token used and returns its user id; undefined otherwise (single use, also across nodes). */
  consumeToken(hash: string, kind: TokenKind, now: string): Promise<string | undefined>;

  createOidcLogin(l: OidcLoginRecord): Promise<void>;
  /** Removes and returns the login if it has not expired at `now` (single use, also across nodes). */
  takeOidcLogin(stateHash: string, now: string): Promise<OidcLoginRecord | undefined>;

  enqueueMail(m: MailRecord): Promise<void>;
  markMail(id: string, state: MailState, at: string, error?: string): Promise<void>;
  /** Newest first. */
  listMail(q: { limit: number; offset: number; state?: MailState; to?: string }): Promise<MailRecord[]>;
}
