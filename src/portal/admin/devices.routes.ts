// Devices and service groups pages: the same DeviceRegistry and ingest counters as
// /iot/services, /iot/devices and /iot/metrics.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AlreadyExists, ProblemError } from '../../core/errors.ts';
import type { ActiveSession } from '../../accounts/index.ts';
import { ADMIN_CATALOGS } from '../i18n/admin.index.ts';
import { href, type Lang } from '../paths.ts';
import { adminPage, formBody, seeOther, type AdminReq, type PageKit } from './admin.kit.ts';
import type { FormState } from './forms.tsx';
import { DevicesPage, type DeviceField, type DeviceRow, type GroupField } from './pages/devices.tsx';

const TENANT = /^[A-Za-z0-9_-]{0,64}$/;
const PATH = /^\/[A-Za-z0-9_/-]{0,100}$/;
const NAME = /^[^<>"'=;()\\\s\u0000-\u001f]{1,256}$/;

export async function devicePageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { ingest, config } = kit.d;
  const registry = ingest.registry;

  const page = async (req: AdminReq, reply: FastifyReply, lang: Lang, s: ActiveSession, tenant: string, extra: { groupForm?: FormState<GroupField>; deviceForm?: FormState<DeviceField>; notice?: string; tenantError?: string } = {}, status = 200) => {
    const a = ADMIN_CATALOGS[lang];
    const ok = TENANT.test(tenant);
    const groups = ok ? registry.listGroups(tenant, undefined, {}).map((g) => ({ servicePath: g.servicePath, apikey: g.apikey, resource: g.resource, entityType: typeof g.doc.entity_type === 'string' ? g.doc.entity_type : undefined, createdAt: g.createdAt })) : [];
    const devices: DeviceRow[] = ok ? registry.listDevices(tenant, undefined).map((rec) => {
      const d = registry.device(tenant, rec.servicePath, rec.deviceId);
      const st = ingest.stats.deviceSnapshot(tenant, rec.servicePath, rec.deviceId);
      return {
        servicePath: rec.servicePath, deviceId: rec.deviceId, entityId: d.resolved.entityId, entityType: d.entityType,
        received: st?.received ?? 0, accepted: st?.accepted ?? 0, rejected: st?.rejected ?? 0, lastSeen: st?.lastSeen, silent: st?.silent ?? false, lastRejection: st?.lastRejection,
      };
    }) : [];
    const snap = ingest.stats.snapshot(ingest.pipeline.queued);
    const notice = extra.notice ?? ({ group: a.devices.groupCreated, groupDeleted: a.devices.groupDeleted, device: a.devices.deviceCreated, deviceDeleted: a.devices.deviceDeleted } as Record<string, string>)[req.query.ok ?? ''];
    return kit.send(req, reply, lang, { page: 'adminDevices' }, (frame, t, am) => DevicesPage({
      frame, csrf: s.session.csrf, tenant, tenantError: extra.tenantError ?? (ok ? undefined : a.keys.tenantsInvalid), groups, devices,
      groupForm: extra.groupForm ?? { values: {}, errors: {} }, deviceForm: extra.deviceForm ?? { values: {}, errors: {} }, notice,
      silentAfterS: snap.silentAfterSeconds, totals: { received: snap.total.received, accepted: snap.total.accepted, rejected: snap.total.rejected, queued: snap.queued },
    }, t, am), { status: ok ? status : 400, session: s });
  };
  const tenantOf = (req: AdminReq) => (req.query.tenant ?? config.portal.tenant).trim();

  adminPage(app, kit, 'adminDevices', 'operator', async (req, reply, lang, s) => page(req, reply, lang, s, tenantOf(req)));

  adminPage(app, kit, 'adminDevices', 'operator', async (req, reply, lang, s) => {
    const a = ADMIN_CATALOGS[lang];
    const tenant = tenantOf(req);
    if (!TENANT.test(tenant)) return page(req, reply, lang, s, tenant, {}, 400);
    const b = formBody(req);
    const self = `${href(lang, 'adminDevices')}?tenant=${encodeURIComponent(tenant)}`;
    const refused = (e: unknown) => (e instanceof AlreadyExists ? a.devices.taken : e instanceof ProblemError && e.status === 400 ? a.devices.refused(e.detail) : undefined);
    switch (b.action) {
      case 'createGroup': {
        const form: FormState<GroupField> = { values: { g_servicePath: b.g_servicePath ?? '', g_apikey: b.g_apikey ?? '', g_entity_type: b.g_entity_type ?? '', g_resource: b.g_resource ?? '' }, errors: {} };
        const v = form.values;
        if (!PATH.test(v.g_servicePath!)) form.errors.g_servicePath = a.devices.pathInvalid;
        if (!v.g_apikey) form.errors.g_apikey = a.devices.required; else if (!NAME.test(v.g_apikey)) form.errors.g_apikey = a.devices.nameInvalid;
        if (v.g_entity_type && !NAME.test(v.g_entity_type)) form.errors.g_entity_type = a.devices.nameInvalid;
        if (!v.g_resource) form.errors.g_resource = a.devices.required; else if (!PATH.test(v.g_resource)) form.errors.g_resource = a.devices.pathInvalid;
        if (Object.keys(form.errors).length) return page(req, reply, lang, s, tenant, { groupForm: form }, 400);
        try {
          await registry.createGroups(tenant, v.g_servicePath!, [{ apikey: v.g_apikey, resource: v.g_resource, ...(v.g_entity_type ? { entity_type: v.g_entity_type } : {}) }]);
        } catch (e) {
          const msg = refused(e);
          if (!msg) throw e;
          form.errors.g_apikey = msg;
          return page(req, reply, lang, s, tenant, { groupForm: form }, e instanceof AlreadyExists ? 409 : 400);
        }
        req.auditTarget = `group:${tenant}${v.g_servicePath}`;
        return seeOther(reply, self, 'group');
      }
      case 'createDevice': {
        const form: FormState<DeviceField> = { values: { d_servicePath: b.d_servicePath ?? '', d_device_id: b.d_device_id ?? '', d_entity_type: b.d_entity_type ?? '', d_entity_name: b.d_entity_name ?? '', d_apikey: b.d_apikey ?? '', d_attributes: b.d_attributes ?? '' }, errors: {} };
        const v = form.values;
        if (!PATH.test(v.d_servicePath!)) form.errors.d_servicePath = a.devices.pathInvalid;
        if (!v.d_device_id) form.errors.d_device_id = a.devices.required; else if (!NAME.test(v.d_device_id)) form.errors.d_device_id = a.devices.nameInvalid;
        for (const k of ['d_entity_type', 'd_entity_name', 'd_apikey'] as const) if (v[k] && !NAME.test(v[k]!)) form.errors[k] = a.devices.nameInvalid;
        const attributes: Array<{ object_id: string; name: string; type: string }> = [];
        for (const line of (v.d_attributes ?? '').split(/\r?\n/).map((x) => x.trim()).filter(Boolean)) {
          const parts = line.split(/\s+/);
          if (parts.length !== 3 || !parts.every((p) => NAME.test(p))) { form.errors.d_attributes = a.devices.attributesInvalid; break; }
          attributes.push({ object_id: parts[0], name: parts[1], type: parts[2] });
        }
        if (Object.keys(form.errors).length) return page(req, reply, lang, s, tenant, { deviceForm: form }, 400);
        const body: Record<string, unknown> = { device_id: v.d_device_id, attributes };
        if (v.d_entity_type) body.entity_type = v.d_entity_type;
        if (v.d_entity_name) body.entity_name = v.d_entity_name;
        if (v.d_apikey) body.apikey = v.d_apikey;
        try {
          await registry.createDevices(tenant, v.d_servicePath!, [body]);
        } catch (e) {
          const msg = refused(e);
          if (!msg) throw e;
          form.errors.d_device_id = msg;
          return page(req, reply, lang, s, tenant, { deviceForm: form }, e instanceof AlreadyExists ? 409 : 400);
        }
        req.auditTarget = `device:${tenant}${v.d_servicePath}/${v.d_device_id}`;
        return seeOther(reply, self, 'device');
      }
      case 'deleteGroup':
        req.auditTarget = `group:${tenant}${b.servicePath}`;
        await registry.deleteGroup(tenant, b.servicePath ?? '', b.apikey ?? '', b.resource ?? '');
        return seeOther(reply, self, 'groupDeleted');
      case 'deleteDevice':
        req.auditTarget = `device:${tenant}${b.servicePath}/${b.id}`;
        await registry.deleteDevice(tenant, b.servicePath ?? '', b.id ?? '');
        return seeOther(reply, self, 'deviceDeleted');
      default: throw new ProblemError('https://drehscheibe.dev/errors/BadRequest', 400, 'Bad request', 'unknown action');
    }
  }, 'POST');
}
