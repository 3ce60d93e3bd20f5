// IoT service groups and devices of a tenant with their ingest status (last message, silent,
// rejected).
import type { Messages } from '../../i18n/index.ts';
import type { AdminMessages } from '../../i18n/admin.index.ts';
import type { Frame } from '../../components/layout.tsx';
import { href } from '../../paths.ts';
import { ActionButton, Csrf, Input, Submit, summary, type FormState } from '../forms.tsx';
import { AdminShell, Table } from './shell.tsx';

export type GroupField = 'g_servicePath' | 'g_apikey' | 'g_entity_type' | 'g_resource';
export type DeviceField = 'd_servicePath' | 'd_device_id' | 'd_entity_type' | 'd_entity_name' | 'd_apikey' | 'd_attributes';

export interface GroupRow { servicePath: string; apikey: string; resource: string; entityType?: string; createdAt: string }
export interface DeviceRow {
  servicePath: string; deviceId: string; entityId: string; entityType: string;
  received: number; accepted: number; rejected: number; lastSeen?: string; silent: boolean; lastRejection?: { reason: string; message: string; at: string };
}

export interface DevicesModel {
  frame: Frame;
  csrf: string;
  tenant: string;
  tenantError?: string;
  groups: GroupRow[];
  devices: DeviceRow[];
  groupForm: FormState<GroupField>;
  deviceForm: FormState<DeviceField>;
  notice?: string;
  silentAfterS: number;
  totals: { received: number; accepted: number; rejected: number; queued: number };
}

export function DevicesPage(m: DevicesModel, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  const self = `${href(l, 'adminDevices')}?tenant=${encodeURIComponent(m.tenant)}`;
  const errors = [
    ...(m.tenantError ? [{ field: 'devices-tenant', message: m.tenantError }] : []),
    ...summary('group', ['g_servicePath', 'g_apikey', 'g_entity_type', 'g_resource'] as const, m.groupForm.errors),
    ...summary('device', ['d_servicePath', 'd_device_id', 'd_entity_type', 'd_entity_name', 'd_apikey', 'd_attributes'] as const, m.deviceForm.errors),
  ];
  const state = (d: DeviceRow) => (d.silent ? a.devices.silent : d.lastSeen ? a.devices.ok : a.devices.waiting);
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={a.devices.title} notice={m.notice} errors={errors}>
      <form class="admin-filter" method="get" action={href(l, 'adminDevices')} novalidate>
        <Input a={a} id="devices-tenant" name="tenant" label={a.devices.tenant} hint={a.devices.tenantHint} value={m.tenant} error={m.tenantError} />
        <div class="kern-form-input"><button class="kern-btn kern-btn--secondary" type="submit"><span class="kern-label">{a.devices.show}</span></button></div>
      </form>
      <p>{a.devices.totals(m.totals.received, m.totals.accepted, m.totals.rejected, m.totals.queued)} {a.devices.silentAfter(m.silentAfterS)}</p>

      <section aria-labelledby="geraete">
        <h2 class="kern-heading-large" id="geraete">{a.devices.devicesHeading}</h2>
        {m.devices.length === 0 ? <p>{a.common.empty}</p> : (
          <Table id="devices" caption={a.devices.devicesCaption} head={[a.devices.deviceId, a.devices.entityName, a.devices.state, a.devices.lastSeen, a.devices.counts, a.devices.lastRejection, a.common.actions]}>
            {m.devices.map((d) => (
              <tr>
                <td>{d.deviceId}<br /><span class="kern-body--small">{a.devices.servicePath}: {d.servicePath}</span></td>
                <td><code>{d.entityId}</code><br /><span class="kern-body--small">{d.entityType}</span></td>
                <td><strong>{state(d)}</strong></td>
                <td>{a.when(d.lastSeen)}</td>
                <td>{a.devices.countsValue(d.received, d.accepted, d.rejected)}</td>
                <td>{d.lastRejection ? `${a.when(d.lastRejection.at)}: ${d.lastRejection.reason} – ${d.lastRejection.message}` : '–'}</td>
                <td><ActionButton action={self} csrf={m.csrf} fields={{ action: 'deleteDevice', servicePath: d.servicePath, id: d.deviceId }} label={a.devices.deleteDevice} ariaLabel={a.devices.deleteDeviceLabel(d.deviceId)} /></td>
              </tr>
            ))}
          </Table>
        )}
        <h3 class="kern-heading-medium">{a.devices.createDevice}</h3>
        <form class="portal-form" method="post" action={self} novalidate>
          <Csrf token={m.csrf} />
          <input type="hidden" name="action" value="createDevice" />
          <Input a={a} id="device-d_device_id" name="d_device_id" label={a.devices.deviceId} required autocomplete="off" value={m.deviceForm.values.d_device_id} error={m.deviceForm.errors.d_device_id} />
          <Input a={a} id="device-d_servicePath" name="d_servicePath" label={a.devices.servicePath} hint={a.devices.servicePathHint} required value={m.deviceForm.values.d_servicePath ?? '/'} error={m.deviceForm.errors.d_servicePath} />
          <Input a={a} id="device-d_entity_type" name="d_entity_type" label={a.devices.entityType} hint={a.devices.entityTypeHint} value={m.deviceForm.values.d_entity_type} error={m.deviceForm.errors.d_entity_type} />
          <Input a={a} id="device-d_entity_name" name="d_entity_name" label={a.devices.entityName} hint={a.devices.entityNameHint} value={m.deviceForm.values.d_entity_name} error={m.deviceForm.errors.d_entity_name} />
          <Input a={a} id="device-d_apikey" name="d_apikey" label={a.devices.apikey} value={m.deviceForm.values.d_apikey} error={m.deviceForm.errors.d_apikey} />
          <Input a={a} id="device-d_attributes" name="d_attributes" type="textarea" rows={4} label={a.devices.attributes} hint={a.devices.attributesHint} value={m.deviceForm.values.d_attributes} error={m.deviceForm.errors.d_attributes} />
          <Submit label={a.devices.createDevice} />
        </form>
      </section>

      <section aria-labelledby="gruppen">
        <h2 class="kern-heading-large" id="gruppen">{a.devices.groupsHeading}</h2>
        {m.groups.length === 0 ? <p>{a.common.empty}</p> : (
          <Table id="groups" caption={a.devices.groupsCaption} head={[a.devices.apikey, a.devices.servicePath, a.devices.resource, a.devices.entityType, a.keys.created, a.common.actions]}>
            {m.groups.map((g) => (
              <tr>
                <td><code>{g.apikey}</code></td>
                <td>{g.servicePath}</td>
                <td>{g.resource}</td>
                <td>{g.entityType ?? '–'}</td>
                <td>{a.when(g.createdAt)}</td>
                <td><ActionButton action={self} csrf={m.csrf} fields={{ action: 'deleteGroup', servicePath: g.servicePath, apikey: g.apikey, resource: g.resource }} label={a.devices.deleteGroup} ariaLabel={a.devices.deleteGroupLabel(g.apikey)} /></td>
              </tr>
            ))}
          </Table>
        )}
        <h3 class="kern-heading-medium">{a.devices.createGroup}</h3>
        <form class="portal-form" method="post" action={self} novalidate>
          <Csrf token={m.csrf} />
          <input type="hidden" name="action" value="createGroup" />
          <Input a={a} id="group-g_apikey" name="g_apikey" label={a.devices.apikey} hint={a.devices.apikeyHint} required autocomplete="off" value={m.groupForm.values.g_apikey} error={m.groupForm.errors.g_apikey} />
          <Input a={a} id="group-g_servicePath" name="g_servicePath" label={a.devices.servicePath} hint={a.devices.servicePathHint} required value={m.groupForm.values.g_servicePath ?? '/'} error={m.groupForm.errors.g_servicePath} />
          <Input a={a} id="group-g_entity_type" name="g_entity_type" label={a.devices.entityType} hint={a.devices.entityTypeHint} value={m.groupForm.values.g_entity_type} error={m.groupForm.errors.g_entity_type} />
          <Input a={a} id="group-g_resource" name="g_resource" label={a.devices.resource} required value={m.groupForm.values.g_resource ?? '/iot/json'} error={m.groupForm.errors.g_resource} />
          <Submit label={a.devices.createGroup} />
        </form>
      </section>
    </AdminShell>
  );
}
