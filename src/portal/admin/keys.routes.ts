// API key pages: the same ApiKeyService as /admin/api-keys.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AlreadyExists, ProblemError } from '../../core/errors.ts';
import type { ActiveSession } from '../../accounts/index.ts';
import { ADMIN_CATALOGS } from '../i18n/admin.index.ts';
import { href, type Lang } from '../paths.ts';
import { adminPage, formBody, seeOther, tenantList, type AdminReq, type PageKit } from './admin.kit.ts';
import type { FormState } from './forms.tsx';
import { KeysPage, type KeyField } from './pages/keys.tsx';

const ROLES = ['operator', 'steward', 'moderator', 'citizen'];

export async function keyPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const keys = kit.d.auth.keys;
  const page = async (req: AdminReq, reply: FastifyReply, lang: Lang, s: ActiveSession, extra: { form?: FormState<KeyField>; notice?: string; secret?: { name: string; key: string } } = {}, status = 200) => {
    const list = await keys.list();
    return kit.send(req, reply, lang, { page: 'adminKeys' }, (frame, t, a) => KeysPage({
      frame, csrf: s.session.csrf, keys: list, form: extra.form ?? { values: {}, errors: {} }, notice: extra.notice, secret: extra.secret, now: Date.now(),
    }, t, a), { status, session: s });
  };

  adminPage(app, kit, 'adminKeys', 'operator', async (req, reply, lang, s) => {
    const a = ADMIN_CATALOGS[lang];
    const revoked = req.query.ok === 'revoked' ? (await keys.list()).find((k) => k.id === req.query.id) : undefined;
    return page(req, reply, lang, s, { notice: revoked ? a.keys.revokedDone(revoked.name) : undefined });
  });

  adminPage(app, kit, 'adminKeys', 'operator', async (req, reply, lang, s) => {
    const a = ADMIN_CATALOGS[lang];
    const b = formBody(req);
    if (b.action === 'revoke') {
      req.auditTarget = b.id;
      await keys.revoke(b.id ?? '');
      return seeOther(reply, `${href(lang, 'adminKeys')}?id=${encodeURIComponent(b.id ?? '')}`, 'revoked');
    }
    if (b.action !== 'create') throw new ProblemError('https://drehscheibe.dev/errors/BadRequest', 400, 'Bad request', 'unknown action');
    const form: FormState<KeyField> = { values: { name: b.name ?? '', role: b.role ?? '', tenants: b.tenants ?? '', expires: b.expires ?? '' }, errors: {} };
    const name = (b.name ?? '').trim();
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) form.errors.name = a.keys.nameInvalid;
    if (!ROLES.includes(b.role ?? '')) form.errors.role = a.keys.roleInvalid;
    const tenants = tenantList(b.tenants);
    if (tenants === null) form.errors.tenants = a.keys.tenantsInvalid;
    const exp = (b.expires ?? '').trim();
    let expiresAt: string | undefined;
    if (exp) {
      const d = /^\d{4}-\d{2}-\d{2}$/.test(exp) ? new Date(`${exp}T23:59:59Z`) : undefined;
      if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== exp || d.getTime() <= Date.now()) form.errors.expires = a.keys.expiresInvalid;
      else expiresAt = d.toISOString();
    }
    if (Object.keys(form.errors).length) return page(req, reply, lang, s, { form }, 400);
    try {
      const { key, info } = await keys.create({ name, roles: [b.role!], ...(tenants ? { tenants } : {}), ...(expiresAt ? { expiresAt } : {}) }, `user:${s.user.id}`);
      req.auditTarget = info.id;
      // The secret is in this answer only (no redirect: it must not land in a URL or be shown twice).
      return page(req, reply, lang, s, { secret: { name: info.name, key } }, 201);
    } catch (e) {
      if (e instanceof AlreadyExists) { form.errors.name = a.keys.nameTaken; return page(req, reply, lang, s, { form }, 409); }
      throw e;
    }
  }, 'POST');
}
