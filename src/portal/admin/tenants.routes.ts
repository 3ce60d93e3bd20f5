// Tenants pages: the overview with a form to create one, and deleting one after a confirmation page
// that names what goes. The same TenantService as /admin/tenants; German checks first, then the
// service's (the API's) rules.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AlreadyExists, ProblemError } from '../../core/errors.ts';
import type { ActiveSession } from '../../accounts/index.ts';
import { TENANT_NAME } from '../../core/tenant.ts';
import { ConfirmationRequired, TenantInUse } from '../../tenants/tenants.service.ts';
import { ADMIN_CATALOGS } from '../i18n/admin.index.ts';
import { href, type Lang } from '../paths.ts';
import { adminPage, formBody, seeOther, type AdminReq, type PageKit } from './admin.kit.ts';
import type { FormState } from './forms.tsx';
import { TenantDeletePage, TenantsPage } from './pages/tenants.tsx';

const notFound = () => new ProblemError('https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound', 404, 'Not found', 'no such tenant');

export async function tenantPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { config, storage, accounts, auth, ingest, tenants } = kit.d;

  const overview = async (req: AdminReq, reply: FastifyReply, lang: Lang, s: ActiveSession, form: FormState<'name'> = { values: {}, errors: {} }, status = 200) => {
    const a = ADMIN_CATALOGS[lang];
    const [names, users, keys] = await Promise.all([tenants.names(), accounts.users.list(1000, 0), auth.keys.list()]);
    const all = [...new Set(['', config.portal.tenant, ...names])].sort();
    const holds = (list: readonly string[] | undefined, t: string) => list === undefined || list.includes(t);
    const rows = await Promise.all(all.map(async (name) => {
      const counts = await storage.entities.typeCounts(name);
      return {
        name, types: counts.length, entities: counts.reduce((n, c) => n + c.entities, 0),
        devices: ingest.registry.listDevices(name, undefined).length,
        users: users.filter((u) => u.roles.some((g) => holds(g.tenants, name))).length,
        keys: keys.filter((k) => !k.revokedAt && holds(k.tenants, name)).length,
      };
    }));
    const q = req.query;
    const notice = q.ok === 'created' && q.name ? a.tenants.created(q.name) : q.ok === 'deleted' && q.name ? a.tenants.deleted(q.name) : undefined;
    return kit.send(req, reply, lang, { page: 'adminTenants' }, (frame, t, am) => TenantsPage({ frame, csrf: s.session.csrf, rows, portalTenant: config.portal.tenant, form, notice }, t, am), { status, session: s });
  };

  adminPage(app, kit, 'adminTenants', 'operator', async (req, reply, lang, s) => overview(req, reply, lang, s));

  adminPage(app, kit, 'adminTenants', 'operator', async (req, reply, lang, s) => {
    const a = ADMIN_CATALOGS[lang];
    const name = (formBody(req).name ?? '').trim();
    const form: FormState<'name'> = { values: { name }, errors: {} };
    if (!name) form.errors.name = a.tenants.nameRequired;
    else if (!TENANT_NAME.test(name)) form.errors.name = a.tenants.nameInvalid;
    if (form.errors.name) return overview(req, reply, lang, s, form, 400);
    req.auditTarget = `tenant:${name}`;
    try {
      await tenants.create(name);
    } catch (e) {
      if (!(e instanceof AlreadyExists)) throw e;
      form.errors.name = a.tenants.nameTaken;
      return overview(req, reply, lang, s, form, 409);
    }
    return seeOther(reply, `${href(lang, 'adminTenants')}?name=${encodeURIComponent(name)}`, 'created');
  }, 'POST');

  // The confirmation page (GET) and the deletion (POST); unknown or invalid names get the 404 page.
  const confirmPage = async (req: AdminReq, reply: FastifyReply, lang: Lang, s: ActiveSession, extra: { confirm?: string; error?: string } = {}, status = 200) => {
    const name = req.params.id ?? '';
    if (!TENANT_NAME.test(name)) throw notFound();
    const [contents, inUse] = await Promise.all([tenants.contents(name), tenants.references(name)]);
    return kit.send(req, reply, lang, { page: 'adminTenant', id: name }, (frame, t, a) => TenantDeletePage({ frame, csrf: s.session.csrf, tenant: contents, inUse, ...extra }, t, a), { status, session: s });
  };

  adminPage(app, kit, 'adminTenant', 'operator', async (req, reply, lang, s) => confirmPage(req, reply, lang, s));

  adminPage(app, kit, 'adminTenant', 'operator', async (req, reply, lang, s) => {
    const a = ADMIN_CATALOGS[lang];
    const name = req.params.id ?? '';
    const confirm = (formBody(req).confirm ?? '').trim();
    req.auditTarget = `tenant:${name.slice(0, 64)}`;
    if (!TENANT_NAME.test(name)) throw notFound();
    try {
      await tenants.delete(name, confirm);
    } catch (e) {
      // KPIs or datasets still use it: the page again, naming them (the service's rule).
      if (e instanceof TenantInUse) return confirmPage(req, reply, lang, s, { confirm }, 409);
      // The city's tenant goes only when its name was typed (the service's rule), said at the field.
      if (!(e instanceof ConfirmationRequired)) throw e;
      return confirmPage(req, reply, lang, s, { confirm, error: a.tenants.confirmWrong(name) }, 409);
    }
    return seeOther(reply, `${href(lang, 'adminTenants')}?name=${encodeURIComponent(name)}`, 'deleted');
  }, 'POST');
}
