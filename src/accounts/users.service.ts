// Users: create, change, disable, delete; roles per tenant in the access model's terms. Every
// operation of the admin API (and later the admin pages) goes through here.
import { AlreadyExists, BadRequestData, ResourceNotFound, StorageConflict } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { AccountStore, MailLang, UserPatch, UserRecord, UserRole } from '../storage/port.accounts.ts';
import type { PasswordHasher } from './password.ts';
import { randomId } from './secrets.ts';

/** What the admin API shows of a user: never the password hash. */
export type UserInfo = Omit<UserRecord, 'passwordHash'> & { hasPassword: boolean };

export function userInfo(u: UserRecord): UserInfo {
  const { passwordHash, ...rest } = u;
  return { ...rest, hasPassword: passwordHash !== undefined };
}

/** E-mail addresses are compared trimmed and in lower case (one account per mailbox). */
export function normaliseEmail(e: string): string {
  return e.trim().toLowerCase();
}

const EMAIL = /^[^\s@<>(),;:"\\]{1,64}@[^\s@<>(),;:"\\]+\.[^\s@<>(),;:"\\]{2,}$/;
const ROLE_NAMES = ['operator', 'steward', 'moderator', 'citizen'];
const TENANT = /^[A-Za-z0-9_-]{0,64}$/;

export interface NewUser {
  email: string;
  displayName?: string;
  password?: string;
  roles?: UserRole[];
  /** The language of the person's mails (absent: German). */
  lang?: MailLang;
}

export interface UserChange {
  email?: string;
  displayName?: string;
  password?: string;
  roles?: UserRole[];
  disabled?: boolean;
  /** The language of the person's mails. */
  lang?: MailLang;
}

export function emailProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 254 || !EMAIL.test(v.trim())) return 'email: an e-mail address such as name@herne.de';
  return undefined;
}

export function rolesProblems(v: unknown): string[] {
  if (!Array.isArray(v)) return ['roles: a list of { role, tenants? }'];
  const out: string[] = [];
  for (const g of v as unknown[]) {
    const r = g as UserRole;
    if (!r || typeof r !== 'object' || !ROLE_NAMES.includes(r.role)) { out.push(`roles: each role is one of ${ROLE_NAMES.join(', ')}`); continue; }
    for (const k of Object.keys(r)) if (k !== 'role' && k !== 'tenants') out.push(`roles: unknown member ${k}`);
    if (r.tenants !== undefined && (!Array.isArray(r.tenants) || r.tenants.length === 0 || r.tenants.some((t) => typeof t !== 'string' || !TENANT.test(t)))) {
      out.push('roles: tenants is a non-empty list of tenant names ("" = default tenant); leave it out for every tenant');
    }
  }
  return out;
}

export class UserService {
  constructor(private readonly store: AccountStore, private readonly clock: Clock, private readonly hasher: PasswordHasher, private readonly passwordMinLength: number) {}

  passwordProblem(p: unknown): string | undefined {
    if (typeof p !== 'string' || [...p].length < this.passwordMinLength) return `password: at least ${this.passwordMinLength} characters`;
    if (p.length > 1024) return 'password: at most 1024 characters';
    return undefined;
  }

  async create(n: NewUser): Promise<UserRecord> {
    if (!n || typeof n !== 'object') throw new BadRequestData('The body must be a JSON object: { email, displayName?, password?, roles? }');
    const problems: string[] = [];
    const ep = emailProblem(n.email);
    if (ep) problems.push(ep);
    if (n.displayName !== undefined && (typeof n.displayName !== 'string' || n.displayName.length > 200)) problems.push('displayName: text of at most 200 characters');
    if (n.password !== undefined) { const pp = this.passwordProblem(n.password); if (pp) problems.push(pp); }
    if (n.roles !== undefined) problems.push(...rolesProblems(n.roles));
    if (n.lang !== undefined && n.lang !== 'de' && n.lang !== 'en') problems.push('lang: "de" or "en"');
    for (const k of Object.keys(n)) if (!['email', 'displayName', 'password', 'roles', 'lang'].includes(k)) problems.push(`unknown member ${k}`);
    if (problems.length) throw new BadRequestData(problems.join('; '));
    const email = normaliseEmail(n.email);
    const u: UserRecord = {
      id: randomId(), email, displayName: n.displayName?.trim() || email.split('@')[0],
      roles: n.roles ?? [{ role: 'citizen' }], createdAt: this.clock.now().toISOString(),
    };
    if (n.password !== undefined) u.passwordHash = await this.hasher.hash(n.password);
    if (n.lang) u.lang = n.lang;
    try {
      await this.store.createUser(u);
    } catch (e) {
      if (e instanceof StorageConflict) throw new AlreadyExists(`A user with the e-mail address ${email} exists`);
      throw e;
    }
    return u;
  }

  async get(id: string): Promise<UserRecord> {
    const u = await this.store.userById(id);
    if (!u) throw new ResourceNotFound(`No user with id ${id}`);
    return u;
  }

  list(limit: number, offset: number): Promise<UserRecord[]> {
    return this.store.listUsers({ limit, offset });
  }

  async change(id: string, c: UserChange): Promise<UserRecord> {
    if (!c || typeof c !== 'object' || Array.isArray(c)) throw new BadRequestData('The body must be a JSON object: { email?, displayName?, password?, roles?, disabled?, lang? }');
    const problems: string[] = [];
    if (c.lang !== undefined && c.lang !== 'de' && c.lang !== 'en') problems.push('lang: "de" or "en"');
    if (c.email !== undefined) { const ep = emailProblem(c.email); if (ep) problems.push(ep); }
    if (c.displayName !== undefined && (typeof c.displayName !== 'string' || c.displayName.trim() === '' || c.displayName.length > 200)) problems.push('displayName: text of 1 to 200 characters');
    if (c.password !== undefined) { const pp = this.passwordProblem(c.password); if (pp) problems.push(pp); }
    if (c.roles !== undefined) problems.push(...rolesProblems(c.roles));
    if (c.disabled !== undefined && typeof c.disabled !== 'boolean') problems.push('disabled: true or false');
    for (const k of Object.keys(c)) if (!['email', 'displayName', 'password', 'roles', 'disabled', 'lang'].includes(k)) problems.push(`unknown member ${k}`);
    if (problems.length) throw new BadRequestData(problems.join('; '));
    const before = await this.get(id);
    const patch: UserPatch = {};
    if (c.email !== undefined && normaliseEmail(c.email) !== before.email) {
      patch.email = normaliseEmail(c.email);
      // A new address is not confirmed until its owner follows the link mailed to it.
      patch.emailConfirmedAt = null;
    }
    if (c.displayName !== undefined) patch.displayName = c.displayName.trim();
    if (c.password !== undefined) patch.passwordHash = await this.hasher.hash(c.password);
    if (c.roles !== undefined) patch.roles = c.roles;
    if (c.lang !== undefined) patch.lang = c.lang;
    if (c.disabled !== undefined) patch.disabledAt = c.disabled ? (before.disabledAt ?? this.clock.now().toISOString()) : null;
    try {
      if (!(await this.store.updateUser(id, patch))) throw new ResourceNotFound(`No user with id ${id}`);
    } catch (e) {
      if (e instanceof StorageConflict) throw new AlreadyExists(`Another user has the e-mail address ${patch.email}`);
      throw e;
    }
    // A new password, new roles or disabling ends the user's sessions: they log in again under the new terms.
    if (c.password !== undefined || c.roles !== undefined || c.disabled === true) await this.store.revokeUserSessions(id, this.clock.now().toISOString());
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.store.deleteUser(id))) throw new ResourceNotFound(`No user with id ${id}`);
  }
}
