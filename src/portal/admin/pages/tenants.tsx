// The tenants overview (with the form to create one) and the confirmation page of a deletion, which
// names what will be deleted and, for the city's tenant, asks for its name.
import type { Messages } from '../../i18n/index.ts';
import type { AdminMessages } from '../../i18n/admin.index.ts';
import type { Frame } from '../../components/layout.tsx';
import { href } from '../../paths.ts';
import type { TenantContents, TenantReference } from '../../../tenants/tenants.service.ts';
import { Csrf, Input, Notice, Submit, type FormState } from '../forms.tsx';
import { AdminShell, Table } from './shell.tsx';

export interface TenantRow { name: string; entities: number; types: number; users: number; keys: number; devices: number }

export interface TenantsModel { frame: Frame; csrf: string; rows: TenantRow[]; portalTenant: string; form: FormState<'name'>; notice?: string }

export function TenantsPage(m: TenantsModel, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  const errors = m.form.errors.name ? [{ field: 'tenant-name', message: m.form.errors.name }] : [];
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={a.tenants.title} notice={m.notice} errors={errors}>
      <p class="lead">{a.tenants.intro}</p>
      <Table id="tenants" caption={a.tenants.caption} head={[a.tenants.name, a.tenants.entities, a.tenants.types, a.tenants.devices, a.tenants.users, a.tenants.keys, a.common.actions]} numeric={[1, 2, 3, 4, 5]}>
        {m.rows.map((r) => (
          <tr>
            <td>
              <a class="kern-link" href={`${href(l, 'adminDevices')}?tenant=${encodeURIComponent(r.name)}`}>{r.name === '' ? a.tenants.defaultTenant : r.name}</a>
              {r.name === m.portalTenant && <> ({a.tenants.portal})</>}
            </td>
            <td class="kern-table__cell--numeric">{r.entities}</td>
            <td class="kern-table__cell--numeric">{r.types}</td>
            <td class="kern-table__cell--numeric">{r.devices}</td>
            <td class="kern-table__cell--numeric">{r.users}</td>
            <td class="kern-table__cell--numeric">{r.keys}</td>
            <td>{r.name === '' ? '–' : <a class="kern-link" href={href(l, 'adminTenant', r.name)} aria-label={a.tenants.deleteLinkLabel(r.name)}>{a.tenants.deleteLink}</a>}</td>
          </tr>
        ))}
      </Table>
      <section aria-labelledby="mandant-anlegen">
        <h2 class="kern-heading-large" id="mandant-anlegen">{a.tenants.create}</h2>
        <form class="portal-form" method="post" action={href(l, 'adminTenants')} novalidate>
          <Csrf token={m.csrf} />
          <Input a={a} id="tenant-name" name="name" label={a.tenants.newName} hint={a.tenants.newNameHint} required autocomplete="off" value={m.form.values.name} error={m.form.errors.name} />
          <Submit label={a.tenants.create} />
        </form>
      </section>
    </AdminShell>
  );
}

export interface TenantDeleteModel {
  frame: Frame;
  csrf: string;
  tenant: TenantContents;
  /** KPIs and datasets that use the tenant: while any is left, it cannot be deleted (no form then). */
  inUse: TenantReference[];
  confirm?: string;
  error?: string;
}

export function TenantDeletePage(m: TenantDeleteModel, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  const c = m.tenant;
  const errors = m.error ? [{ field: 'tenant-confirm', message: m.error }] : [];
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={a.tenants.deleteTitle(c.name)} errors={errors}>
      {c.portal && <Notice kind="warning">{a.tenants.portalWarning}</Notice>}
      {m.inUse.length > 0 && (
        <section class="kern-alert kern-alert--danger" role="alert" aria-labelledby="tenant-in-use">
          <div class="kern-alert__header"><h2 class="kern-title" id="tenant-in-use">{a.tenants.inUseTitle}</h2></div>
          <div class="kern-alert__body">
            <p class="kern-body">{a.tenants.inUse}</p>
            <ul class="kern-list" id="tenant-references">
              {m.inUse.map((r) => (
                <li>
                  <a class="kern-link" href={r.kind === 'kpi' ? href(l, 'kpiEdit', r.id) : href(l, 'editorEdit', r.id)}>{a.tenants.refName(r.kind, r.id)}</a>
                  {`: ${r.uses.map((u) => a.tenants.uses[u]).join(', ')}`}
                </li>
              ))}
            </ul>
          </div>
        </section>
      )}
      <p>{a.tenants.deleteWhat}</p>
      <ul class="kern-list" id="tenant-contents">
        <li>{a.tenants.countEntities(c.entities)}</li>
        <li>{a.tenants.countHistory(c.historyInstances, c.historyEntities)}</li>
        <li>{a.tenants.countSubscriptions(c.subscriptions)}</li>
        <li>{a.tenants.countDevices(c.devices, c.serviceGroups)}</li>
      </ul>
      <p>{a.tenants.deleteKeeps}</p>
      {m.inUse.length === 0 && (
        <form class="portal-form" method="post" action={href(l, 'adminTenant', c.name)} novalidate>
          <Csrf token={m.csrf} />
          {c.portal && <Input a={a} id="tenant-confirm" name="confirm" label={a.tenants.confirm} hint={a.tenants.confirmHint(c.name)} required autocomplete="off" value={m.confirm} error={m.error} />}
          <Submit label={a.tenants.deleteButton} />
        </form>
      )}
      <p><a class="kern-link" href={href(l, 'adminTenants')}>{a.tenants.cancel}</a></p>
    </AdminShell>
  );
}
