// The accounts part of the one configuration schema (docs/accounts.md): sessions, login limits,
// password hashing, password reset, mail, and the OpenID Connect login. Called by loadConfig with
// its parsed source and helpers; reads nothing itself.

export interface AccountsConfig {
  /** A session ends after this long without use (sliding), seconds. */
  sessionIdleS: number;
  /** …and at the latest this long after login, seconds. */
  sessionMaxS: number;
  /** Failed login attempts (and reset requests) allowed per e-mail address and per client address within the window. */
  loginMaxPerEmail: number;
  loginMaxPerAddress: number;
  loginWindowS: number;
  /** argon2id cost: memory in KiB and iterations (parallelism 1). */
  argon2MemoryKiB: number;
  argon2Time: number;
  passwordMinLength: number;
  /** Lifetime of a password-reset link, seconds. */
  resetTtlS: number;
  /** SMTP server (smtp:// or smtps://, credentials in the URL); unset = mails stay in the outbox in the database. */
  smtpUrl?: string;
  mailFrom: string;
  /** OpenID Connect login (authorization code flow with PKCE) against DREHSCHEIBE_OIDC_ISSUER. */
  oidcClientId?: string;
  oidcClientSecret?: string;
  oidcScopes: string;
  /** Where a user's roles come from at OIDC login: the token's roles claim, or the stored account. */
  oidcLoginRoles: 'claim' | 'account';
}

export interface ConfigHelpers {
  src: Record<string, string | undefined>;
  problems: string[];
  int(name: string, def: number, min: number, max: number): number;
  oneOf<T extends string>(name: string, def: T, allowed: readonly T[]): T;
  secret(name: string): string | undefined;
}

export function parseAccountsConfig(h: ConfigHelpers, oidcAudience: string | undefined): AccountsConfig {
  const { src, problems, int, oneOf } = h;
  const smtpUrl = h.secret('DREHSCHEIBE_SMTP_URL');
  if (smtpUrl && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) problems.push('DREHSCHEIBE_SMTP_URL: expected smtp://[user:password@]host[:port] or smtps://…');
  const mailFrom = src.DREHSCHEIBE_MAIL_FROM || 'Drehscheibe <noreply@localhost>';
  if (!/@/.test(mailFrom) || /[\r\n]/.test(mailFrom)) problems.push(`DREHSCHEIBE_MAIL_FROM: expected an address such as "Stadt Herne <noreply@herne.de>", got "${mailFrom}"`);
  const c: AccountsConfig = {
    sessionIdleS: int('DREHSCHEIBE_SESSION_IDLE_S', 7200, 60, 30 * 86400),
    sessionMaxS: int('DREHSCHEIBE_SESSION_MAX_S', 43200, 60, 365 * 86400),
    loginMaxPerEmail: int('DREHSCHEIBE_LOGIN_MAX_PER_EMAIL', 5, 1, 10_000),
    loginMaxPerAddress: int('DREHSCHEIBE_LOGIN_MAX_PER_ADDRESS', 50, 1, 1_000_000),
    loginWindowS: int('DREHSCHEIBE_LOGIN_WINDOW_S', 900, 1, 86400),
    // OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane (docs/accounts.md has the measured cost).
    argon2MemoryKiB: int('DREHSCHEIBE_ARGON2_MEMORY_KIB', 19456, 19456, 4 * 1024 * 1024),
    argon2Time: int('DREHSCHEIBE_ARGON2_TIME', 2, 2, 100),
    passwordMinLength: int('DREHSCHEIBE_PASSWORD_MIN_LENGTH', 12, 8, 1024),
    resetTtlS: int('DREHSCHEIBE_RESET_TTL_S', 3600, 60, 7 * 86400),
    smtpUrl,
    mailFrom,
    oidcClientId: src.DREHSCHEIBE_OIDC_CLIENT_ID || oidcAudience || undefined,
    oidcClientSecret: h.secret('DREHSCHEIBE_OIDC_CLIENT_SECRET'),
    oidcScopes: src.DREHSCHEIBE_OIDC_SCOPES || 'openid email profile',
    oidcLoginRoles: oneOf('DREHSCHEIBE_OIDC_LOGIN_ROLES', 'claim', ['claim', 'account'] as const),
  };
  if (c.sessionIdleS > c.sessionMaxS) problems.push('DREHSCHEIBE_SESSION_IDLE_S must not exceed DREHSCHEIBE_SESSION_MAX_S');
  if (!c.oidcScopes.split(/\s+/).includes('openid')) problems.push('DREHSCHEIBE_OIDC_SCOPES: must include openid');
  return c;
}
