// The login, password and account pages. Forms post to the accounts module's /konto routes (one
// implementation for pages and API); a failed post comes back here with the error at its field.
import type { Messages } from '../../i18n/index.ts';
import type { AdminMessages } from '../../i18n/admin.index.ts';
import { Layout, type Frame } from '../../components/layout.tsx';
import { ErrorSummary } from '../../components/field.tsx';
import { href } from '../../paths.ts';
import { ActionButton, Csrf, Input, Notice, Submit, summary, type FormState } from '../forms.tsx';

export interface LoginModel {
  frame: Frame;
  csrf: string;
  form: FormState<'email' | 'password'>;
  notice?: string;
  returnTo: string;
  oidc: boolean;
}

const title = (base: string, errors: object, a: AdminMessages) => (Object.keys(errors).length ? `${a.common.errorPrefix} ${base}` : base);

export function LoginPage(m: LoginModel, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  const errors = summary('login', ['email', 'password'] as const, m.form.errors);
  return (
    <Layout frame={m.frame} t={t} title={title(a.login.title, m.form.errors, a)}>
      <ErrorSummary title={a.common.errorSummary} errors={errors} />
      <h1 class="kern-heading-x-large">{a.login.title}</h1>
      {m.notice && <Notice>{m.notice}</Notice>}
      <p class="lead">{a.login.intro}</p>
      {m.oidc && (
        <section aria-labelledby="login-oidc">
          <h2 class="kern-heading-medium" id="login-oidc">{a.login.oidcHeading}</h2>
          <p><a class="kern-btn kern-btn--secondary" href={`/konto/oidc/start?returnTo=${encodeURIComponent(m.returnTo)}`}><span class="kern-label">{a.login.oidc}</span></a></p>
        </section>
      )}
      <section aria-labelledby="login-local">
        <h2 class="kern-heading-medium" id="login-local">{a.login.localHeading}</h2>
        <form class="portal-form" method="post" action="/konto/anmelden" novalidate>
          <Csrf token={m.csrf} />
          <input type="hidden" name="returnTo" value={m.returnTo} />
          <input type="hidden" name="_lang" value={l} />
          <Input a={a} id="login-email" name="email" type="email" label={a.login.email} autocomplete="username" required value={m.form.values.email} error={m.form.errors.email} />
          <Input a={a} id="login-password" name="password" type="password" label={a.login.password} autocomplete="current-password" required error={m.form.errors.password} />
          <Submit label={a.login.submit} />
        </form>
        <p><a class="kern-link" href={href(l, 'forgot')}>{a.login.forgot}</a></p>
        <p>{a.login.noAccount} <a class="kern-link" href={href(l, 'register')}>{a.login.register}</a></p>
      </section>
    </Layout>
  );
}

export function ForgotPage(m: { frame: Frame; csrf: string; form: FormState<'email'>; sent: boolean }, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  return (
    <Layout frame={m.frame} t={t} title={title(a.forgot.title, m.form.errors, a)}>
      <ErrorSummary title={a.common.errorSummary} errors={summary('forgot', ['email'] as const, m.form.errors)} />
      <h1 class="kern-heading-x-large">{a.forgot.title}</h1>
      {m.sent ? <Notice>{a.forgot.sent}</Notice> : (
        <>
          <p class="lead">{a.forgot.intro}</p>
          <form class="portal-form" method="post" action="/konto/passwort-vergessen" novalidate>
            <Csrf token={m.csrf} />
            <input type="hidden" name="_lang" value={l} />
            <Input a={a} id="forgot-email" name="email" type="email" label={a.forgot.email} autocomplete="username" required value={m.form.values.email} error={m.form.errors.email} />
            <Submit label={a.forgot.submit} />
          </form>
        </>
      )}
      <p><a class="kern-link" href={href(l, 'login')}>{a.forgot.backToLogin}</a></p>
    </Layout>
  );
}

export function ResetPage(m: { frame: Frame; csrf: string; token: string; form: FormState<'password' | 'token'>; minLength: number }, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  return (
    <Layout frame={m.frame} t={t} title={title(a.reset.title, m.form.errors, a)}>
      <ErrorSummary title={a.common.errorSummary} errors={summary('reset', ['token', 'password'] as const, m.form.errors)} />
      <h1 class="kern-heading-x-large">{a.reset.title}</h1>
      {m.form.errors.token && (
        <div id="reset-token">
          <Notice kind="danger">{m.form.errors.token} <a class="kern-link" href={href(l, 'forgot')}>{a.forgot.submit}</a></Notice>
        </div>
      )}
      {m.token && (
        <>
          <p class="lead">{a.reset.intro}</p>
          <form class="portal-form" method="post" action="/konto/passwort-zuruecksetzen" novalidate>
            <Csrf token={m.csrf} />
            <input type="hidden" name="token" value={m.token} />
            <input type="hidden" name="_lang" value={l} />
            <Input a={a} id="reset-password" name="password" type="password" label={a.reset.password} hint={a.reset.passwordHint(m.minLength)} autocomplete="new-password" required error={m.form.errors.password} />
            <Submit label={a.reset.submit} />
          </form>
        </>
      )}
    </Layout>
  );
}

export interface AccountModel {
  frame: Frame;
  csrf: string;
  user: { displayName: string; email: string; roles: Array<{ role: string; tenants?: string[] }>; lastLoginAt?: string; hasPassword: boolean; staff: boolean };
  sessions: Array<{ id: string; userAgent?: string; createdAt: string; lastSeenAt: string; expiresAt: string; current: boolean }>;
  form: FormState<'currentPassword' | 'password'>;
  notice?: string;
  minLength: number;
}

export function AccountPage(m: AccountModel, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  const u = m.user;
  const self = href(l, 'account');
  return (
    <Layout frame={m.frame} t={t} title={title(a.account.title, m.form.errors, a)}>
      <ErrorSummary title={a.common.errorSummary} errors={summary('account', ['currentPassword', 'password'] as const, m.form.errors)} />
      <h1 class="kern-heading-x-large">{a.account.title}</h1>
      {m.notice && <Notice>{m.notice}</Notice>}
      <dl class="facts">
        <dt>{a.account.name}</dt><dd>{u.displayName}</dd>
        <dt>{a.account.email}</dt><dd>{u.email}</dd>
        <dt>{a.account.roles}</dt>
        <dd><ul class="kern-list">{u.roles.map((r) => <li>{a.roles[r.role] ?? r.role} {a.roleTenants(r.tenants)}</li>)}</ul></dd>
        <dt>{a.account.lastLogin}</dt><dd>{a.when(u.lastLoginAt)}</dd>
      </dl>
      {u.staff && <p><a class="kern-link" href={href(l, 'admin')}>{a.account.adminLink}</a></p>}

      <section aria-labelledby="passwort">
        <h2 class="kern-heading-large" id="passwort">{a.account.changeHeading}</h2>
        {u.hasPassword ? (
          <>
            <p>{a.account.changeIntro}</p>
            <form class="portal-form" method="post" action="/konto/passwort-aendern" novalidate>
              <Csrf token={m.csrf} />
              <input type="hidden" name="_lang" value={l} />
              <Input a={a} id="account-currentPassword" name="currentPassword" type="password" label={a.account.current} autocomplete="current-password" required error={m.form.errors.currentPassword} />
              <Input a={a} id="account-password" name="password" type="password" label={a.account.newPassword} hint={a.reset.passwordHint(m.minLength)} autocomplete="new-password" required error={m.form.errors.password} />
              <Submit label={a.account.changeSubmit} />
            </form>
          </>
        ) : <p>{a.account.noPassword}</p>}
      </section>

      <section aria-labelledby="sitzungen">
        <h2 class="kern-heading-large" id="sitzungen">{a.account.sessionsHeading}</h2>
        <div class="table-scroll" tabindex={0} role="region" aria-labelledby="sitzungen">
          <table class="kern-table">
            <caption>{a.account.sessionsCaption}</caption>
            <thead><tr><th scope="col">{a.account.browser}</th><th scope="col">{a.account.created}</th><th scope="col">{a.account.lastSeen}</th><th scope="col">{a.account.expires}</th><th scope="col">{a.common.actions}</th></tr></thead>
            <tbody>
              {m.sessions.map((s) => (
                <tr>
                  <td>{s.userAgent ?? a.account.unknownBrowser}{s.current && <> <strong>({a.account.thisOne})</strong></>}</td>
                  <td>{a.when(s.createdAt)}</td>
                  <td>{a.when(s.lastSeenAt)}</td>
                  <td>{a.when(s.expiresAt)}</td>
                  <td>{!s.current && <ActionButton action={self} csrf={m.csrf} fields={{ endSession: s.id }} label={a.account.end} ariaLabel={a.account.endLabel(`${s.userAgent ?? a.account.unknownBrowser}, ${a.when(s.createdAt)}`)} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <form method="post" action="/konto/abmelden-ueberall">
          <Csrf token={m.csrf} />
          <input type="hidden" name="_lang" value={l} />
          <p class="kern-hint" id="end-all-hint">{a.account.endAllHint}</p>
          <button class="kern-btn kern-btn--secondary" type="submit" aria-describedby="end-all-hint"><span class="kern-label">{a.account.endAll}</span></button>
        </form>
      </section>
    </Layout>
  );
}

/** 403 (no role, or a form without its CSRF token) as a page. */
export function ForbiddenPage(m: { frame: Frame; csrf: boolean }, t: Messages, a: AdminMessages) {
  const heading = m.csrf ? a.common.csrfTitle : a.common.forbiddenTitle;
  return (
    <Layout frame={m.frame} t={t} title={heading}>
      <h1 class="kern-heading-x-large">{heading}</h1>
      <p class="lead">{m.csrf ? a.common.csrfText : a.common.forbiddenText}</p>
      <p><a class="kern-link" href={href(m.frame.lang, 'home')}>{t.nav.home}</a></p>
    </Layout>
  );
}
