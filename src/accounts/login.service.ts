// Local login and password reset. No enumeration: an unknown e-mail address costs the same
// argon2id verification as a known one and gets the same answer; a reset request answers the same
// whether or not the address has an account (the mail is prepared after the answer).
// Failed attempts are limited per e-mail address and per client address within a window (counted
// per node; with the cluster scope each node allows its share of the limit: docs/accounts.md).
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../core/clock.ts';
import { BadRequestData, TooManyRequests, Unauthorized } from '../core/errors.ts';
import type { AccountStore, MailLang, UserRecord } from '../storage/port.accounts.ts';
import { confirmAddressMail, langOf, resetMail } from './mail.texts.ts';
import type { AccountsConfig } from '../config/accounts.config.ts';
import type { Mailer } from './mailer.ts';
import type { PasswordHasher } from './password.ts';
import { randomSecret, sha256 } from './secrets.ts';
import { normaliseEmail, type UserService } from './users.service.ts';

export const WRONG_LOGIN = 'The e-mail address or the password is wrong';
/** Lifetime of an e-mail confirmation link. */
export const CONFIRM_TTL_S = 7 * 86400;

/** Failures per key in a fixed window that starts with the first failure; a success clears the key. */
export class FailureCounter {
  private readonly windows = new Map<string, { count: number; until: number }>();
  private static readonly MAX_KEYS = 100_000;

  /** Seconds to wait when `max` failures are already counted; 0 otherwise. */
  wait(key: string, max: number, nowMs: number): number {
    const w = this.windows.get(key);
    if (!w || w.until <= nowMs) return 0;
    return w.count >= max ? Math.max(1, Math.ceil((w.until - nowMs) / 1000)) : 0;
  }

  fail(key: string, windowS: number, nowMs: number): void {
    let w = this.windows.get(key);
    if (!w || w.until <= nowMs) {
      if (this.windows.size >= FailureCounter.MAX_KEYS) for (const [k, x] of this.windows) if (x.until <= nowMs) this.windows.delete(k);
      if (this.windows.size >= FailureCounter.MAX_KEYS) this.windows.delete(this.windows.keys().next().value as string);
      w = { count: 0, until: nowMs + windowS * 1000 };
      this.windows.set(key, w);
    }
    w.count++;
  }

  clear(key: string): void {
    this.windows.delete(key);
  }
}

export class LoginService {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly d: {
    store: AccountStore; users: UserService; hasher: PasswordHasher; mailer: Mailer; clock: Clock;
    /** How many nodes share the limits (cluster scope); 1 when absent. */
    nodes?: () => number;
    cfg: AccountsConfig; publicUrl: string; log: FastifyBaseLogger;
  }) {}

  private readonly failures = new FailureCounter();

  private check(key: string, max: number, what: string): void {
    const nodes = Math.max(1, this.d.nodes?.() ?? 1);
    const mine = Math.max(1, Math.floor(max / nodes));
    const wait = this.failures.wait(key, mine, this.d.clock.now().getTime());
    if (wait > 0) throw new TooManyRequests(`Too many failed attempts for this ${what}: at most ${max} in ${this.d.cfg.loginWindowS} s; retry after ${wait} s`, wait);
  }

  private fail(...keys: string[]): void {
    for (const k of keys) this.failures.fail(k, this.d.cfg.loginWindowS, this.d.clock.now().getTime());
  }

  /**
   * The user for this e-mail and password; Unauthorized (always the same text) otherwise. `lang`,
   * the language of the login form, becomes the language of the person's mails.
   */
  async login(emailRaw: unknown, password: unknown, address: string, lang?: MailLang): Promise<UserRecord> {
    if (typeof emailRaw !== 'string' || typeof password !== 'string' || emailRaw.length > 254 || password.length > 1024) {
      throw new BadRequestData('email and password are required (text)');
    }
    const email = normaliseEmail(emailRaw);
    this.check(`la:${address}`, this.d.cfg.loginMaxPerAddress, 'client address');
    this.check(`le:${email}`, this.d.cfg.loginMaxPerEmail, 'e-mail address');
    const u = await this.d.store.userByEmail(email);
    const ok = u?.passwordHash && !u.disabledAt ? await this.d.hasher.verify(u.passwordHash, password) : await this.d.hasher.verifyDummy(password);
    if (!ok || !u) {
      this.fail(`la:${address}`, `le:${email}`);
      throw new Unauthorized(WRONG_LOGIN);
    }
    this.failures.clear(`le:${email}`);
    const patch: { lastLoginAt: string; passwordHash?: string; lang?: MailLang } = { lastLoginAt: this.d.clock.now().toISOString() };
    if (this.d.hasher.needsRehash(u.passwordHash!)) patch.passwordHash = await this.d.hasher.hash(password);
    if (lang && lang !== langOf(u)) patch.lang = lang;
    await this.d.store.updateUser(u.id, patch);
    return patch.lang ? { ...u, lang: patch.lang } : u;
  }

  /**
   * Starts a password reset: answers at once and the same way for every address; for an active
   * account a single-use link (valid DREHSCHEIBE_RESET_TTL_S) is mailed afterwards, in `lang` (the
   * language of the form; it becomes the person's mail language) or else the person's language.
   */
  requestReset(emailRaw: unknown, address: string, lang?: MailLang): void {
    if (typeof emailRaw !== 'string' || emailRaw.length > 254) throw new BadRequestData('email is required (text)');
    const email = normaliseEmail(emailRaw);
    // Counted like failed logins: reset mails to one mailbox, or from one address, are not sent in a loop.
    this.check(`ra:${address}`, this.d.cfg.loginMaxPerAddress, 'client address');
    this.check(`re:${email}`, this.d.cfg.loginMaxPerEmail, 'e-mail address');
    this.fail(`ra:${address}`, `re:${email}`);
    const p = this.sendReset(email, lang).catch((err) => this.d.log.error({ err }, 'password reset mail could not be prepared')).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private async sendReset(email: string, lang: MailLang | undefined): Promise<void> {
    let u = await this.d.store.userByEmail(email);
    if (!u || u.disabledAt) return;
    if (lang && lang !== langOf(u)) {
      await this.d.store.updateUser(u.id, { lang });
      u = { ...u, lang };
    }
    await this.mailLink(u, false);
  }

  /** An operator sends a user the link to set a password (a new account, or on request by phone). */
  async invite(userId: string): Promise<void> {
    const u = await this.d.users.get(userId);
    if (u.disabledAt) throw new BadRequestData('This account is disabled; enable it first');
    await this.mailLink(u, true);
  }

  private async mailLink(u: UserRecord, invitation: boolean): Promise<void> {
    const token = randomSecret();
    const now = this.d.clock.now();
    await this.d.store.createToken({ hash: sha256(token), kind: 'reset', userId: u.id, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + this.d.cfg.resetTtlS * 1000).toISOString() });
    const minutes = Math.round(this.d.cfg.resetTtlS / 60);
    await this.d.mailer.send({ to: u.email, ...resetMail(langOf(u), u, this.d.publicUrl, token, minutes, invitation) });
  }

  /** Mails a single-use link that confirms the account's (new) e-mail address. */
  async sendConfirmation(u: UserRecord): Promise<void> {
    const token = randomSecret();
    const now = this.d.clock.now();
    await this.d.store.createToken({ hash: sha256(token), kind: 'confirm', userId: u.id, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + CONFIRM_TTL_S * 1000).toISOString() });
    await this.d.mailer.send({ to: u.email, ...confirmAddressMail(langOf(u), u, this.d.publicUrl, token) });
  }

  /** Confirms an address with the token from the link; 400 when unknown, expired or used. */
  async confirmEmail(token: unknown): Promise<UserRecord> {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{20,128}$/.test(token)) throw new BadRequestData('token: the token from the link in the mail');
    const now = this.d.clock.now().toISOString();
    const userId = await this.d.store.consumeToken(sha256(token), 'confirm', now);
    if (!userId) throw new BadRequestData('This confirmation link is unknown, has expired or has been used');
    await this.d.store.updateUser(userId, { emailConfirmedAt: now });
    return this.d.users.get(userId);
  }

  /**
   * A logged-in user changes the password: the current one must be right (failures count like failed
   * logins); every session of the account ends, the caller opens a new one for this browser.
   */
  async changePassword(u: UserRecord, current: unknown, password: unknown, address: string): Promise<void> {
    if (typeof current !== 'string' || current.length > 1024) throw new BadRequestData('currentPassword is required (text)');
    const pp = this.d.users.passwordProblem(password);
    if (pp) throw new BadRequestData(pp);
    this.check(`la:${address}`, this.d.cfg.loginMaxPerAddress, 'client address');
    this.check(`le:${u.email}`, this.d.cfg.loginMaxPerEmail, 'e-mail address');
    const fresh = await this.d.users.get(u.id);
    const ok = fresh.passwordHash ? await this.d.hasher.verify(fresh.passwordHash, current) : await this.d.hasher.verifyDummy(current);
    if (!ok) {
      this.fail(`la:${address}`, `le:${u.email}`);
      throw new Unauthorized('The current password is wrong');
    }
    const now = this.d.clock.now().toISOString();
    await this.d.store.updateUser(u.id, { passwordHash: await this.d.hasher.hash(password as string) });
    await this.d.store.revokeUserSessions(u.id, now);
  }

  /** Sets a new password with a reset token; ends every session of the account. */
  async resetPassword(token: unknown, password: unknown): Promise<UserRecord> {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{20,128}$/.test(token)) throw new BadRequestData('token: the token from the link in the mail');
    const pp = this.d.users.passwordProblem(password);
    if (pp) throw new BadRequestData(pp);
    const now = this.d.clock.now().toISOString();
    const userId = await this.d.store.consumeToken(sha256(token), 'reset', now);
    if (!userId) throw new BadRequestData('This password reset link is unknown, has expired or has been used; request a new one');
    const u = await this.d.users.get(userId);
    await this.d.store.updateUser(userId, { passwordHash: await this.d.hasher.hash(password as string), emailConfirmedAt: u.emailConfirmedAt ?? now });
    await this.d.store.revokeUserSessions(userId, now);
    return u;
  }

  /** Waits for reset mails being prepared (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    await this.d.mailer.idle();
  }
}
