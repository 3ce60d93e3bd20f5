// The project editor for stewards: create, replace and delete projects through StrategyService,
// so the rules are those of /api/strategy (parseProject); each problem is shown in German at its field.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ProblemError } from '../../core/errors.ts';
import type { ActiveSession } from '../../accounts/index.ts';
import { StrategyProblem, type Project } from '../../strategy/index.ts';
import { ADMIN_CATALOGS } from '../i18n/admin.index.ts';
import { href, type Lang } from '../paths.ts';
import { adminPage, formBody, seeOther, type AdminReq, type PageKit } from './admin.kit.ts';
import type { FormState } from './forms.tsx';
import { ProjectFormPage, ProjectsPage, type ProjectField } from './pages/projects.tsx';

const num = (v: string | undefined) => Number((v ?? '').trim().replace(',', '.'));

function valuesOf(p: Project): FormState<ProjectField>['values'] {
  const point = p.location?.type === 'Point' ? p.location.coordinates : undefined;
  return {
    slug: p.slug, fieldId: p.fieldId, 'title.de': p.title.de, 'title.en': p.title.en, 'summary.de': p.summary.de, 'summary.en': p.summary.en,
    'description.de': p.description.de, 'description.en': p.description.en, status: p.status, organisationId: p.organisationId ?? '',
    start: p.start ?? '', end: p.end ?? '', location: point ? String(point[0]) : '', lat: point ? String(point[1]) : '', entityTypes: p.entityTypes.join(', '),
  };
}

/** The form → the API's project body; a half-given location is a problem before the service sees it. */
function bodyOf(v: FormState<ProjectField>['values'], before: Project | undefined, errors: FormState<ProjectField>['errors'], msg: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    fieldId: v.fieldId ?? '', status: v.status ?? '',
    title: { de: v['title.de'] ?? '', en: v['title.en'] ?? '' },
    summary: { de: v['summary.de'] ?? '', en: v['summary.en'] ?? '' },
    description: { de: v['description.de'] ?? '', en: v['description.en'] ?? '' },
    entityTypes: (v.entityTypes ?? '').split(',').map((x) => x.trim()).filter(Boolean),
    datasets: before?.datasets ?? [],
  };
  if (!before) body.slug = (v.slug ?? '').trim();
  if (v.organisationId) body.organisationId = v.organisationId;
  for (const k of ['start', 'end'] as const) if (v[k]?.trim()) body[k] = v[k]!.trim();
  const lon = v.location?.trim() ?? '';
  const lat = v.lat?.trim() ?? '';
  if (lon || lat) {
    if (!lon || !lat || !Number.isFinite(num(lon)) || !Number.isFinite(num(lat))) errors.location = msg;
    else body.location = { type: 'Point', coordinates: [num(lon), num(lat)] };
  } else if (before?.location?.type === 'Polygon') body.location = before.location; // an area is kept (the form edits points only)
  return body;
}

export async function projectPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const strategy = kit.d.strategy;

  adminPage(app, kit, 'adminProjects', 'steward', async (req, reply, lang, s) => {
    const a = ADMIN_CATALOGS[lang];
    const [projects, fields] = await Promise.all([strategy.projects(), strategy.fields()]);
    const notice = req.query.ok === 'deleted' && req.query.title ? a.projects.deleted(req.query.title.slice(0, 200)) : undefined;
    return kit.send(req, reply, lang, { page: 'adminProjects' }, (frame, t, am) => ProjectsPage({ frame, csrf: s.session.csrf, projects, fields, notice }, t, am), { session: s });
  });

  const form = async (req: AdminReq, reply: FastifyReply, lang: Lang, s: ActiveSession, slug: string | undefined, f: FormState<ProjectField>, status = 200, notice?: string) => {
    const [fields, organisations] = await Promise.all([strategy.fields(), strategy.organisations()]);
    return kit.send(req, reply, lang, slug ? { page: 'adminProject', id: slug } : { page: 'adminProjectNew' }, (frame, t, a) => ProjectFormPage({ frame, csrf: s.session.csrf, slug, form: f, fields, organisations, notice }, t, a), { status, session: s });
  };

  /** Saves through the service; its problems become German messages at the fields. */
  const save = async (req: AdminReq, reply: FastifyReply, lang: Lang, s: ActiveSession, before: Project | undefined) => {
    const a = ADMIN_CATALOGS[lang];
    const b = formBody(req);
    const f: FormState<ProjectField> = { values: {}, errors: {} };
    for (const k of ['slug', 'fieldId', 'title.de', 'title.en', 'summary.de', 'summary.en', 'description.de', 'description.en', 'status', 'organisationId', 'start', 'end', 'location', 'lat', 'entityTypes'] as const) f.values[k] = b[k] ?? '';
    if (before) f.values.slug = before.slug;
    const body = bodyOf(f.values, before, f.errors, a.projects.errors.location);
    if (Object.keys(f.errors).length) return form(req, reply, lang, s, before?.slug, f, 400);
    try {
      const p = before ? await strategy.replaceProject(before.slug, body) : await strategy.createProject(body);
      req.auditTarget = `project:${p.slug}`;
      return seeOther(reply, href(lang, 'adminProject', p.slug), before ? 'saved' : 'created');
    } catch (e) {
      if (!(e instanceof StrategyProblem) || e.status === 404) throw e;
      if (e.status === 409) f.errors.slug = a.projects.errors.slugTaken;
      for (const pr of e.problems) {
        const key = (pr.field.split('.').length > 2 ? pr.field.split('.').slice(0, 2).join('.') : pr.field) as ProjectField;
        const known = (a.projects.errors as Record<string, string>)[key];
        f.errors[known ? key : 'title.de'] ??= known ?? pr.message;
      }
      return form(req, reply, lang, s, before?.slug, f, e.status);
    }
  };

  adminPage(app, kit, 'adminProjectNew', 'steward', async (req, reply, lang, s) => form(req, reply, lang, s, undefined, { values: { status: 'idea' }, errors: {} }));
  adminPage(app, kit, 'adminProjectNew', 'steward', async (req, reply, lang, s) => save(req, reply, lang, s, undefined), 'POST');

  adminPage(app, kit, 'adminProject', 'steward', async (req, reply, lang, s) => {
    const a = ADMIN_CATALOGS[lang];
    const p = await strategy.project(req.params.id!);
    const notice = req.query.ok === 'created' ? a.projects.created : req.query.ok === 'saved' ? a.projects.saved : undefined;
    return form(req, reply, lang, s, p.slug, { values: valuesOf(p), errors: {} }, 200, notice);
  });
  adminPage(app, kit, 'adminProject', 'steward', async (req, reply, lang, s) => {
    const p = await strategy.project(req.params.id!);
    const b = formBody(req);
    if (b.action === 'delete') {
      req.auditTarget = `project:${p.slug}`;
      await strategy.deleteProject(p.slug);
      return seeOther(reply, `${href(lang, 'adminProjects')}?title=${encodeURIComponent(p.title[lang] || p.title.de)}`, 'deleted');
    }
    if (b.action !== 'save') throw new ProblemError('https://drehscheibe.dev/errors/BadRequest', 400, 'Bad request', 'unknown action');
    return save(req, reply, lang, s, p);
  }, 'POST');
}
