// Users and roles: the list with the create form, and one user's page (roles per tenant, disable,
// password link, sessions).
import type { Messages } from '../../i18n/index.ts';
import type { AdminMessages } from '../../i18n/admin.index.ts';
import type { Frame } from '../../components/layout.tsx';
import { href } from '../../paths.ts';
import { ActionButton, Check, Csrf, Input, Submit, summary, type FormState } from '../forms.tsx';
import { AdminShell, Table } from './shell.tsx';

export const USER_ROLES = ['operator', 'steward', 'moderator', 'citizen'] as const;
export type UserField = 'email' | 'displayName' | 'password' | `tenants_${(typeof USER_ROLES)[number]}`;
const ORDER: UserField[] = ['email', 'displayName', 'password', ...USER_ROLES.map((r) => `tenants_${r}` as const)];

export interface UserRow { id: string; email: string; displayName: string; roles: Array<{ role: string; tenants?: string[] }>; disabledAt?: string; lastLoginAt?: string; hasPassword: boolean; oidc: boolean; createdAt: string }

function RoleFields({ form, a, prefix }: { form: FormState<UserField>; a: AdminMessages; prefix: string }) {
  return (
    <fieldset class="admin-fieldset">
      <legend>{a.users.rolesLegend}</legend>
      <p class="kern-hint">{a.users.rolesHint}</p>
      {USER_ROLES.map((r) => (
        <div class="admin-role">
          <Check id={`${prefix}-role_${r}`} name={`role_${r}`} label={a.roles[r]} checked={form.values[`role_${r}` as UserField] === 'on'} />
          <Input a={a} id={`${prefix}-tenants_${r}`} name={`tenants_${r}`} label={a.users.tenantsFor(a.roles[r])} value={form.values[`tenants_${r}`]} error={form.errors[`tenants_${r}`]} />
        </div>
      ))}
    </fieldset>
  );
}

export function roleList(roles: UserRow['roles'], a: AdminMessages): string {
  return roles.map((r) => `${a.roles[r.role] ?? r.role} ${a.roleTenants(r.tenants)}`).join('; ');
}

export function UsersPage(m: { frame: Frame; csrf: string; users: UserRow[]; form: FormState<UserField>; notice?: string; minLength: number; offset: number; more: boolean }, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  const self = href(l, 'adminUsers');
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={a.users.title} notice={m.notice} errors={summary('user', ORDER, m.form.errors)}>
      <Table id="users" caption={a.users.caption} head={[a.users.email, a.users.name, a.users.roles, a.users.status, a.users.lastLogin, a.common.actions]}>
        {m.users.map((u) => (
          <tr>
            <td>{u.email}</td>
            <td>{u.displayName}</td>
            <td>{roleList(u.roles, a)}</td>
            <td>{u.disabledAt ? a.users.disabled : a.users.active}</td>
            <td>{a.when(u.lastLoginAt)}</td>
            <td><a class="kern-link" href={href(l, 'adminUser', u.id)} aria-label={a.users.editLabel(u.email)}>{a.users.edit}</a></td>
          </tr>
        ))}
      </Table>
      <div class="admin-pager">
        {m.offset > 0 && <a class="kern-link" href={`${self}?offset=${Math.max(0, m.offset - 100)}`}>{a.common.previous}</a>}
        {m.more && <a class="kern-link" href={`${self}?offset=${m.offset + 100}`}>{a.common.next}</a>}
      </div>
      <section aria-labelledby="anlegen">
        <h2 class="kern-heading-large" id="anlegen">{a.users.createHeading}</h2>
        <form class="portal-form" method="post" action={self} novalidate>
          <Csrf token={m.csrf} />
          <Input a={a} id="user-email" name="email" type="email" label={a.users.email} required autocomplete="off" value={m.form.values.email} error={m.form.errors.email} />
          <Input a={a} id="user-displayName" name="displayName" label={a.users.name} hint={a.users.nameHint} autocomplete="off" value={m.form.values.displayName} error={m.form.errors.displayName} />
          <Input a={a} id="user-password" name="password" type="password" label={a.users.password} hint={a.users.passwordHint(m.minLength)} autocomplete="new-password" error={m.form.errors.password} />
          <RoleFields form={m.form} a={a} prefix="user" />
          <Submit label={a.users.create} />
        </form>
      </section>
    </AdminShell>
  );
}

export interface UserPageModel {
  frame: Frame;
  csrf: string;
  user: UserRow;
  sessions: Array<{ id: string; userAgent?: string; address?: string; createdAt: string; lastSeenAt: string; expiresAt: string }>;
  form: FormState<UserField>;
  notice?: string;
}

export function UserPage(m: UserPageModel, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  const u = m.user;
  const self = href(l, 'adminUser', u.id);
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={a.users.userTitle(u.email)} notice={m.notice} errors={summary('user', ORDER, m.form.errors)} back={href(l, 'adminUsers')}>
      <h2 class="kern-heading-large">{a.users.detailsHeading}</h2>
      <dl class="facts">
        <dt>{a.users.name}</dt><dd>{u.displayName}</dd>
        <dt>{a.users.status}</dt><dd>{u.disabledAt ? `${a.users.disabled} (${a.when(u.disabledAt)})` : a.users.active}</dd>
        <dt>{a.users.roles}</dt><dd>{roleList(u.roles, a)}</dd>
        <dt>{a.users.hasPassword}</dt><dd>{u.hasPassword ? a.common.yes : a.common.no}</dd>
        <dt>{a.users.oidc}</dt><dd>{u.oidc ? a.common.yes : a.common.no}</dd>
        <dt>{a.users.createdAt}</dt><dd>{a.when(u.createdAt)}</dd>
        <dt>{a.users.lastLogin}</dt><dd>{a.when(u.lastLoginAt)}</dd>
      </dl>
      <section aria-labelledby="rollen">
        <h2 class="kern-heading-large" id="rollen">{a.users.roles}</h2>
        <form class="portal-form" method="post" action={self} novalidate>
          <Csrf token={m.csrf} />
          <input type="hidden" name="action" value="roles" />
          <RoleFields form={m.form} a={a} prefix="user" />
          <Submit label={a.users.saveRoles} />
        </form>
      </section>
      <section aria-labelledby="aktionen">
        <h2 class="kern-heading-large" id="aktionen">{a.users.actionsHeading}</h2>
        <div class="admin-actions">
          {u.disabledAt
            ? <ActionButton action={self} csrf={m.csrf} fields={{ action: 'enable' }} label={a.users.enable} />
            : <ActionButton action={self} csrf={m.csrf} fields={{ action: 'disable' }} label={a.users.disable} />}
          <ActionButton action={self} csrf={m.csrf} fields={{ action: 'link' }} label={a.users.resetLink} />
          <ActionButton action={self} csrf={m.csrf} fields={{ action: 'endSessions' }} label={a.users.endSessions} />
        </div>
      </section>
      <section aria-labelledby="sitzungen">
        <h2 class="kern-heading-large" id="sitzungen">{a.users.sessions}</h2>
        {m.sessions.length === 0 ? <p>{a.users.noSessions}</p> : (
          <Table id="user-sessions" caption={a.users.sessionsCaption} head={[a.account.browser, a.users.address, a.account.created, a.account.lastSeen, a.account.expires, a.common.actions]}>
            {m.sessions.map((s) => (
              <tr>
                <td>{s.userAgent ?? a.account.unknownBrowser}</td>
                <td>{s.address ?? '–'}</td>
                <td>{a.when(s.createdAt)}</td>
                <td>{a.when(s.lastSeenAt)}</td>
                <td>{a.when(s.expiresAt)}</td>
                <td><ActionButton action={self} csrf={m.csrf} fields={{ action: 'endSession', session: s.id }} label={a.account.end} ariaLabel={a.account.endLabel(`${s.userAgent ?? a.account.unknownBrowser}, ${a.when(s.createdAt)}`)} /></td>
              </tr>
            ))}
          </Table>
        )}
      </section>
    </AdminShell>
  );
}
