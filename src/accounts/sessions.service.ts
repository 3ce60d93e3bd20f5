// Server-side sessions: a random 256-bit secret in the cookie, only its SHA-256 in the database
// (shared by every node, so a revocation holds everywhere at the next request). Sliding expiry:
// each use moves the end to now + idle time, never past login + the absolute lifetime.
import type { Clock } from '../core/clock.ts';
import type { Principal, RoleGrant } from '../auth/index.ts';
import type { AccountStore, SessionRecord, UserRecord } from '../storage/port.accounts.ts';
import { randomId, randomSecret, sha256 } from './secrets.ts';

export interface ActiveSession {
  session: SessionRecord;
  user: UserRecord;
}

/** Writes of last-seen are spaced by at least this much (one write per minute per session, not per request). */
const TOUCH_MS = 60_000;

/** "Firefox 133 on Linux": enough for a person to recognise their sessions in a list. */
export function summariseUserAgent(ua: string | undefined): string | undefined {
  if (!ua) return undefined;
  const browser = /(Edg|OPR|Firefox|Chrome|Safari|curl|Wget)\/(\d+)/.exec(ua);
  const os = /(Windows|Android|iPhone|iPad|Mac OS X|Linux|CrOS)/.exec(ua);
  if (!browser) return ua.slice(0, 80);
  const name = ({ Edg: 'Edge', OPR: 'Opera' } as Record<string, string>)[browser[1]] ?? browser[1];
  return `${name} ${browser[2]}${os ? ` on ${os[1] === 'Mac OS X' ? 'macOS' : os[1]}` : ''}`;
}

export function sessionPrincipal(a: ActiveSession): Principal {
  return { id: `user:${a.user.id}`, kind: 'user', roles: a.user.roles as RoleGrant[], expiresAt: Date.parse(a.session.expiresAt) };
}

export class SessionService {
  constructor(private readonly store: AccountStore, private readonly clock: Clock, private readonly cfg: { idleS: number; maxS: number }) {}

  /** Opens a session; the returned secret goes into the cookie and is never stored. */
  async create(user: UserRecord, meta: { userAgent?: string; address?: string }): Promise<{ secret: string; session: SessionRecord }> {
    const secret = randomSecret();
    const now = this.clock.now();
    const s: SessionRecord = {
      id: randomId(), hash: sha256(secret), userId: user.id, createdAt: now.toISOString(), lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + Math.min(this.cfg.idleS, this.cfg.maxS) * 1000).toISOString(),
      csrf: randomSecret(), userAgent: summariseUserAgent(meta.userAgent), address: meta.address,
    };
    await this.store.createSession(s);
    return { secret, session: s };
  }

  /** The live session of a cookie's secret, touched; undefined when unknown, revoked, expired or the user is disabled. */
  async resolve(secret: string): Promise<ActiveSession | undefined> {
    const hash = sha256(secret);
    const found = await this.store.sessionByHash(hash);
    if (!found) return undefined;
    const now = this.clock.now().getTime();
    const { session, user } = found;
    if (session.revokedAt || Date.parse(session.expiresAt) <= now || user.disabledAt) return undefined;
    if (now - Date.parse(session.lastSeenAt) >= TOUCH_MS) {
      const end = Math.min(now + this.cfg.idleS * 1000, Date.parse(session.createdAt) + this.cfg.maxS * 1000);
      const lastSeenAt = new Date(now).toISOString();
      const expiresAt = new Date(end).toISOString();
      if (!(await this.store.touchSession(hash, lastSeenAt, expiresAt))) return undefined;
      session.lastSeenAt = lastSeenAt;
      session.expiresAt = expiresAt;
    }
    return found;
  }

  async revoke(secret: string): Promise<boolean> {
    return this.store.revokeSession(sha256(secret), this.clock.now().toISOString());
  }

  revokeById(id: string): Promise<boolean> {
    return this.store.revokeSessionById(id, this.clock.now().toISOString());
  }

  revokeAll(userId: string): Promise<number> {
    return this.store.revokeUserSessions(userId, this.clock.now().toISOString());
  }

  list(userId: string): Promise<SessionRecord[]> {
    return this.store.listSessions(userId, this.clock.now().toISOString());
  }

  /** Deletes sessions, tokens and OIDC logins that ended more than a day ago (kept that long for support questions). */
  cleanup(): Promise<number> {
    return this.store.deleteExpired(new Date(this.clock.now().getTime() - 86_400_000).toISOString());
  }
}
