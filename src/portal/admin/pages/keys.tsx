// API keys: the list (never a secret), the create form, the secret shown once after creating.
import type { Messages } from '../../i18n/index.ts';
import type { AdminMessages } from '../../i18n/admin.index.ts';
import type { Frame } from '../../components/layout.tsx';
import { href } from '../../paths.ts';
import { ActionButton, Csrf, Input, Notice, Select, Submit, summary, type FormState } from '../forms.tsx';
import { AdminShell, Table } from './shell.tsx';

export type KeyField = 'name' | 'role' | 'tenants' | 'expires';
const ORDER: KeyField[] = ['name', 'role', 'tenants', 'expires'];

export interface KeyRow { id: string; name: string; prefix: string; roles: string[]; tenants?: string[]; createdAt: string; createdBy?: string; expiresAt?: string; revokedAt?: string }

export function KeysPage(m: { frame: Frame; csrf: string; keys: KeyRow[]; form: FormState<KeyField>; notice?: string; secret?: { name: string; key: string }; now: number }, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  const self = href(l, 'adminKeys');
  const state = (k: KeyRow) => (k.revokedAt ? a.keys.revoked : k.expiresAt && Date.parse(k.expiresAt) <= m.now ? a.keys.expired : a.keys.active);
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={a.keys.title} notice={m.notice} errors={summary('key', ORDER, m.form.errors)}>
      {m.secret && (
        <Notice kind="warning" title={a.keys.secretTitle}>
          <p>{a.keys.secretText}</p>
          <p><strong>{a.keys.secretLabel} „{m.secret.name}“:</strong></p>
          <p class="admin-secret" id="neuer-schluessel">{m.secret.key}</p>
          <p>{a.keys.usage}</p>
        </Notice>
      )}
      <Table id="keys" caption={a.keys.caption} head={[a.keys.name, a.keys.prefix, a.keys.role, a.keys.tenants, a.keys.created, a.keys.expires, a.keys.state, a.common.actions]}>
        {m.keys.map((k) => (
          <tr>
            <td>{k.name}</td>
            <td><code>{k.prefix}…</code></td>
            <td>{k.roles.map((r) => a.roles[r] ?? r).join(', ')}</td>
            <td>{k.tenants ? k.tenants.join(', ') : a.common.all}</td>
            <td>{a.when(k.createdAt)}{k.createdBy ? ` (${k.createdBy})` : ''}</td>
            <td>{a.when(k.expiresAt)}</td>
            <td>{state(k)}</td>
            <td>{!k.revokedAt && <ActionButton action={self} csrf={m.csrf} fields={{ action: 'revoke', id: k.id }} label={a.keys.revoke} ariaLabel={a.keys.revokeLabel(k.name)} />}</td>
          </tr>
        ))}
      </Table>
      <section aria-labelledby="anlegen">
        <h2 class="kern-heading-large" id="anlegen">{a.keys.createHeading}</h2>
        <form class="portal-form" method="post" action={self} novalidate>
          <Csrf token={m.csrf} />
          <input type="hidden" name="action" value="create" />
          <Input a={a} id="key-name" name="name" label={a.keys.name} hint={a.keys.nameHint} required autocomplete="off" value={m.form.values.name} error={m.form.errors.name} />
          <Select a={a} id="key-role" name="role" label={a.keys.role} required value={m.form.values.role ?? 'steward'} error={m.form.errors.role}
            options={(['operator', 'steward', 'moderator', 'citizen'] as const).map((r) => [r, a.roles[r]])} />
          <Input a={a} id="key-tenants" name="tenants" label={a.keys.tenants} hint={a.keys.tenantsHint} autocomplete="off" value={m.form.values.tenants} error={m.form.errors.tenants} />
          <Input a={a} id="key-expires" name="expires" label={a.keys.expires} hint={a.keys.expiresHint} autocomplete="off" value={m.form.values.expires} error={m.form.errors.expires} />
          <Submit label={a.keys.create} />
        </form>
      </section>
    </AdminShell>
  );
}
