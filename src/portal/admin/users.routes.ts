// Users and roles pages: the same UserService, SessionService and LoginService as /admin/users.
import type { FastifyInstance } from 'fastify';
import { AlreadyExists, ProblemError } from '../../core/errors.ts';
import { emailProblem, userInfo, type UserInfo } from '../../accounts/index.ts';
import type { UserRecord } from '../../storage/port.accounts.ts';
import { ADMIN_CATALOGS } from '../i18n/admin.index.ts';
import { href } from '../paths.ts';
import { adminPage, formBody, seeOther, tenantList, type PageKit } from './admin.kit.ts';
import type { FormState } from './forms.tsx';
import { USER_ROLES, UserPage, UsersPage, type UserField, type UserRow } from './pages/users.tsx';

const PAGE = 100;

function row(u: UserInfo): UserRow {
  return { id: u.id, email: u.email, displayName: u.displayName, roles: u.roles, disabledAt: u.disabledAt, lastLoginAt: u.lastLoginAt, hasPassword: u.hasPassword, oidc: u.oidcSubject !== undefined, createdAt: u.createdAt };
}

/** The role checkboxes and tenant fields of a form → roles, with German messages at the fields. */
function parseRoles(b: Record<string, string>, form: FormState<UserField>, msg: string): Array<{ role: (typeof USER_ROLES)[number]; tenants?: string[] }> {
  const roles: Array<{ role: (typeof USER_ROLES)[number]; tenants?: string[] }> = [];
  for (const r of USER_ROLES) {
    const field = `tenants_${r}` as const;
    (form.values as Record<string, string>)[`role_${r}`] = b[`role_${r}`] === 'on' ? 'on' : '';
    form.values[field] = b[field] ?? '';
    const tenants = tenantList(b[field]);
    if (tenants === null) { form.errors[field] = msg; continue; }
    if (b[`role_${r}`] === 'on') roles.push(tenants ? { role: r, tenants } : { role: r });
  }
  return roles;
}

function roleValues(u: UserRecord): FormState<UserField>['values'] {
  const v: Record<string, string> = {};
  for (const g of u.roles) { v[`role_${g.role}`] = 'on'; v[`tenants_${g.role}`] = (g.tenants ?? []).join(', '); }
  return v;
}

export async function userPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { accounts } = kit.d;
  const min = kit.d.config.accounts.passwordMinLength;

  const list = async (req: Parameters<Parameters<typeof adminPage>[4]>[0], reply: Parameters<Parameters<typeof adminPage>[4]>[1], lang: 'de' | 'en', s: Parameters<Parameters<typeof adminPage>[4]>[3], form: FormState<UserField>, status = 200, notice?: string) => {
    const offset = Math.max(0, Number.parseInt(req.query.offset ?? '0', 10) || 0);
    const users = await accounts.users.list(PAGE + 1, offset);
    return kit.send(req, reply, lang, { page: 'adminUsers' }, (frame, t, a) => UsersPage({
      frame, csrf: s.session.csrf, users: users.slice(0, PAGE).map((u) => row(userInfo(u))), form, notice, minLength: min, offset, more: users.length > PAGE,
    }, t, a), { status, session: s });
  };

  adminPage(app, kit, 'adminUsers', 'operator', async (req, reply, lang, s) => list(req, reply, lang, s, { values: { role_citizen: 'on' } as FormState<UserField>['values'], errors: {} }));

  adminPage(app, kit, 'adminUsers', 'operator', async (req, reply, lang, s) => {
    const a = ADMIN_CATALOGS[lang];
    const b = formBody(req);
    const form: FormState<UserField> = { values: { email: b.email ?? '', displayName: b.displayName ?? '' }, errors: {} };
    if (emailProblem(b.email ?? '')) form.errors.email = a.users.emailInvalid;
    if ((b.displayName ?? '').length > 200) form.errors.displayName = a.users.nameLong;
    if (b.password && [...b.password].length < min) form.errors.password = a.users.passwordShort(min);
    const roles = parseRoles(b, form, a.users.tenantsInvalid);
    if (Object.keys(form.errors).length) return list(req, reply, lang, s, form, 400);
    let u: UserRecord;
    try {
      u = await accounts.users.create({ email: b.email!, displayName: b.displayName?.trim() || undefined, password: b.password || undefined, roles: roles.length ? roles : undefined });
    } catch (e) {
      if (e instanceof AlreadyExists) { form.errors.email = a.users.emailTaken; return list(req, reply, lang, s, form, 409); }
      throw e;
    }
    req.auditTarget = `user:${u.id}`;
    // Without a first password the person gets a link to set one.
    if (!b.password) await accounts.login.invite(u.id);
    return seeOther(reply, href(lang, 'adminUser', u.id), 'created');
  }, 'POST');

  const one = async (req: Parameters<Parameters<typeof adminPage>[4]>[0], reply: Parameters<Parameters<typeof adminPage>[4]>[1], lang: 'de' | 'en', s: Parameters<Parameters<typeof adminPage>[4]>[3], u: UserRecord, form?: FormState<UserField>, status = 200, notice?: string) => {
    const a = ADMIN_CATALOGS[lang];
    const sessions = (await accounts.sessions.list(u.id)).map(({ id, userAgent, address, createdAt, lastSeenAt, expiresAt }) => ({ id, userAgent, address, createdAt, lastSeenAt, expiresAt }));
    const ok = req.query.ok;
    const note = notice ?? ({ created: a.users.created(u.email), saved: a.common.saved, disabled: a.users.disabledDone, enabled: a.users.enabledDone, link: a.users.resetSent, ended: a.account.ended } as Record<string, string>)[ok ?? ''];
    return kit.send(req, reply, lang, { page: 'adminUser', id: u.id }, (frame, t, am) => UserPage({
      frame, csrf: s.session.csrf, user: row(userInfo(u)), sessions, form: form ?? { values: roleValues(u), errors: {} }, notice: note,
    }, t, am), { status, session: s });
  };

  adminPage(app, kit, 'adminUser', 'operator', async (req, reply, lang, s) => one(req, reply, lang, s, await accounts.users.get(req.params.id!)));

  adminPage(app, kit, 'adminUser', 'operator', async (req, reply, lang, s) => {
    const a = ADMIN_CATALOGS[lang];
    const id = req.params.id!;
    const u = await accounts.users.get(id);
    const b = formBody(req);
    const self = href(lang, 'adminUser', id);
    req.auditTarget = `user:${id}`;
    switch (b.action) {
      case 'roles': {
        const form: FormState<UserField> = { values: {}, errors: {} };
        const roles = parseRoles(b, form, a.users.tenantsInvalid);
        if (Object.keys(form.errors).length) return one(req, reply, lang, s, u, form, 400);
        await accounts.users.change(id, { roles: roles.length ? roles : [{ role: 'citizen' }] });
        return seeOther(reply, self, 'saved');
      }
      case 'disable': await accounts.users.change(id, { disabled: true }); return seeOther(reply, self, 'disabled');
      case 'enable': await accounts.users.change(id, { disabled: false }); return seeOther(reply, self, 'enabled');
      case 'link': await accounts.login.invite(id); return seeOther(reply, self, 'link');
      case 'endSessions': {
        const n = await accounts.sessions.revokeAll(id);
        return one(req, reply, lang, s, u, undefined, 200, a.users.sessionsEnded(n));
      }
      case 'endSession': {
        const own = (await accounts.sessions.list(id)).some((x) => x.id === b.session);
        if (own) await accounts.sessions.revokeById(b.session!);
        return seeOther(reply, self, 'ended');
      }
      default: throw new ProblemError('https://drehscheibe.dev/errors/BadRequest', 400, 'Bad request', 'unknown action');
    }
  }, 'POST');
}
