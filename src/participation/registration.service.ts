// Self-registration of citizens: e-mail, password and a display name (a pseudonym such as "Eule 417"
// unless the person picks one). The answer is the same whether or not the address has an account,
// and the work (argon2id hash, mail) happens after it, so neither content nor timing tells; an
// existing account's owner gets a mail saying so instead of a confirmation link. The address is
// confirmed by a single-use link (the accounts' "confirm" token, valid seven days).
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { AlreadyExists } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Accounts } from '../accounts/index.ts';
import type { AccountStore, MailLang } from '../storage/port.accounts.ts';

const EMAIL = /^[^\s@<>(),;:"\\]{1,64}@[^\s@<>(),;:"\\]+\.[^\s@<>(),;:"\\]{2,}$/;
const ANIMALS = ['Eule', 'Dachs', 'Fuchs', 'Igel', 'Biber', 'Falke', 'Otter', 'Luchs', 'Specht', 'Amsel', 'Hase', 'Kranich', 'Reiher', 'Eichhörnchen', 'Marder', 'Lerche'];
const CONFIRM_TTL_S = 7 * 86400;

export type RegistrationField = 'email' | 'password' | 'displayName';
export interface RegistrationProblem { field: RegistrationField; code: 'email_invalid' | 'password_short' | 'password_long' | 'name_invalid' }

export function pseudonym(): string {
  return `${ANIMALS[randomInt(ANIMALS.length)]} ${randomInt(10, 1000)}`;
}

export class RegistrationService {
  private readonly pending = new Set<Promise<void>>();
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly d: { accounts: Accounts; store: AccountStore; clock: Clock; publicUrl: string; passwordMinLength: number; log: FastifyBaseLogger; maxPerAddressPerHour?: number }) {}

  check(raw: { email?: unknown; password?: unknown; displayName?: unknown }): { problems: RegistrationProblem[]; email: string; password: string; displayName: string } {
    const email = typeof raw.email === 'string' ? raw.email.trim().toLowerCase() : '';
    const password = typeof raw.password === 'string' ? raw.password : '';
    const displayName = typeof raw.displayName === 'string' ? raw.displayName.trim().replace(/\s+/g, ' ') : '';
    const problems: RegistrationProblem[] = [];
    if (email.length > 254 || !EMAIL.test(email)) problems.push({ field: 'email', code: 'email_invalid' });
    if ([...password].length < this.d.passwordMinLength) problems.push({ field: 'password', code: 'password_short' });
    else if (password.length > 1024) problems.push({ field: 'password', code: 'password_long' });
    if (displayName && (displayName.length < 2 || displayName.length > 40 || displayName.includes('@') || /[<>]/.test(displayName))) problems.push({ field: 'displayName', code: 'name_invalid' });
    return { problems, email, password, displayName };
  }

  /** Seconds to wait when the client address has registered too often (0 = go on); counts the attempt. */
  take(address: string): number {
    const now = this.d.clock.now().getTime();
    const max = this.d.maxPerAddressPerHour ?? 10;
    const list = (this.hits.get(address) ?? []).filter((t) => t > now - 3_600_000);
    if (list.length >= max) return Math.max(1, Math.ceil((list[0]! + 3_600_000 - now) / 1000));
    list.push(now);
    this.hits.set(address, list);
    if (this.hits.size > 100_000) this.hits.delete(this.hits.keys().next().value as string);
    return 0;
  }

  /**
   * Starts a registration of checked input; returns at once (the mail follows). `lang` is the
   * language of the registration form: the account's mails are written in it from now on.
   */
  start(v: { email: string; password: string; displayName: string }, lang: MailLang = 'de'): void {
    const p = this.register(v, lang).catch((err) => this.d.log.error({ err }, 'registration could not be completed')).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private async register(v: { email: string; password: string; displayName: string }, lang: MailLang): Promise<void> {
    if (await this.d.store.userByEmail(v.email)) return this.mailExisting(v.email, lang);
    let u;
    try {
      u = await this.d.accounts.users.create({ email: v.email, password: v.password, displayName: v.displayName || pseudonym(), roles: [{ role: 'citizen' }], ...(lang === 'en' ? { lang } : {}) });
    } catch (e) {
      // Registered in the meantime (two requests at once): the same mail as for a known address.
      if (e instanceof AlreadyExists) return this.mailExisting(v.email, lang);
      throw e;
    }
    const token = randomBytes(32).toString('base64url');
    const now = this.d.clock.now();
    await this.d.store.createToken({ hash: createHash('sha256').update(token).digest('hex'), kind: 'confirm', userId: u.id, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + CONFIRM_TTL_S * 1000).toISOString() });
    await this.d.accounts.mailer.send(lang === 'en' ? {
      to: u.email, subject: 'Please confirm your e-mail address',
      text: `Hello ${u.displayName},\n\nwelcome to citizen participation. Please confirm your e-mail address with this link (valid for seven days, once only):\n\n`
        + `${this.d.publicUrl}/en/participation/register/confirm?token=${token}\n\n`
        + `Your name on the platform is "${u.displayName}". Your e-mail address is never published.\n\nIf you did not register, ignore this message.\n`,
    } : {
      to: u.email, subject: 'Bitte bestätigen Sie Ihre E-Mail-Adresse',
      text: `Hallo ${u.displayName},\n\nwillkommen bei der Bürgerbeteiligung. Bitte bestätigen Sie Ihre E-Mail-Adresse mit diesem Link (gültig sieben Tage, nur einmal):\n\n`
        + `${this.d.publicUrl}/beteiligung/registrieren/bestaetigen?token=${token}\n\n`
        + `Ihr Name auf der Plattform ist „${u.displayName}“. Ihre E-Mail-Adresse wird nie veröffentlicht.\n\nWenn Sie sich nicht registriert haben, ignorieren Sie diese Nachricht.\n`,
    });
  }

  private async mailExisting(email: string, lang: MailLang): Promise<void> {
    await this.d.accounts.mailer.send(lang === 'en' ? {
      to: email, subject: 'You already have an account',
      text: `Hello,\n\nsomebody (hopefully you) wanted to create an account with this address. There is one already.\n\n`
        + `Log in; if you have forgotten your password, ask for a new link:\n${this.d.publicUrl}/en/account/forgot-password\n\n`
        + 'If this was not you, ignore this message.\n',
    } : {
      to: email, subject: 'Sie haben bereits ein Konto',
      text: `Hallo,\n\njemand (hoffentlich Sie) wollte mit dieser Adresse ein Konto anlegen. Es gibt bereits eines.\n\n`
        + `Melden Sie sich an; wenn Sie Ihr Passwort vergessen haben, fordern Sie einen neuen Link an:\n${this.d.publicUrl}/konto/passwort-vergessen\n\n`
        + 'Wenn Sie das nicht waren, ignorieren Sie diese Nachricht.\n',
    });
  }

  /** Confirms the address with the link's token; the user, or undefined when unknown, expired or used. */
  async confirm(token: unknown): Promise<{ id: string; displayName: string } | undefined> {
    try {
      const u = await this.d.accounts.login.confirmEmail(token);
      return { id: u.id, displayName: u.displayName };
    } catch {
      return undefined;
    }
  }

  /** Waits for registrations being completed (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    await this.d.accounts.idle();
  }
}
