// Pages of the KPI part of the portal: a KPI's page with its history, a sensor's page with its
// values and history, and the steward's KPI editor under /verwaltung/kennzahlen. Data comes through
// the services (KPI, strategy, NGSI-LD entity and temporal services); pages only render it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Config } from '../../config/config.ts';
import { ProblemError } from '../../core/errors.ts';
import type { EntityService } from '../../ngsi-ld/entities/entities.service.ts';
import type { TemporalService } from '../../ngsi-ld/temporal/temporal.service.ts';
import type { Accounts } from '../../accounts/index.ts';
import { StrategyProblem, type KpiService, type KpiProblem, type Project, type StrategyService } from '../../strategy/index.ts';
import type { Frame } from '../components/layout.tsx';
import type { Messages } from '../i18n/index.ts';
import type { PublicRead } from '../portal.model.ts';
import { LANGS, PAGES, href, type Here, type Lang, type PageName } from '../paths.ts';
import { KPI_TEXTS, type KpiMessages } from './kpi.catalog.ts';
import { history, parseRange } from './history.ts';
import { KpiPage } from './kpi.page.tsx';
import { SensorPage } from './sensor.page.tsx';
import { sensorDetail } from './sensor.model.ts';
import { EditorFormPage, EditorListPage, FIELD_OF, FORM_FIELDS, LoginPage, formToBody, kpiToForm, type FormField, type KpiFormValues } from './editor.page.tsx';

/** The attribute holding a KPI's value in its KeyPerformanceIndicator entity (Smart Data Models). */
export const KPI_VALUE_IRI = 'https://smartdatamodels.org/dataModel.KeyPerformanceIndicator/kpiValue';

export type SendPage = (req: FastifyRequest, reply: FastifyReply, lang: Lang, here: Here, build: (f: Frame, t: Messages) => VNode, status?: number) => FastifyReply | Promise<FastifyReply>;

export interface KpiPageDeps {
  config: Readonly<Config>;
  entities: EntityService;
  temporal: TemporalService;
  kpis: KpiService;
  strategy: StrategyService;
  publicRead: PublicRead;
  accounts?: Accounts;
  send: SendPage;
}

type Req = FastifyRequest<{ Params: { id?: string }; Querystring: Record<string, string | undefined>; Body: Record<string, string> | undefined }>;
const open = { config: { access: { op: 'public' as const } } };
const notFound = () => new ProblemError('https://drehscheibe.dev/errors/NotFound', 404, 'Not found', 'No such page');

export function kpiPageRoutes(app: FastifyInstance, d: KpiPageDeps): void {
  const tenant = d.config.portal.tenant;
  const now = () => Date.parse(d.entities.now());
  const route = (page: PageName, handler: (req: Req, reply: FastifyReply, lang: Lang, k: KpiMessages) => Promise<unknown>, method: 'GET' | 'POST' = 'GET', suffix = '') => {
    for (const lang of LANGS) app.route({ method, url: PAGES[page][lang] + suffix, ...open, handler: (req, reply) => handler(req as Req, reply, lang, KPI_TEXTS[lang]) });
  };

  route('kpi', async (req, reply, lang, k) => {
    const id = req.params.id!;
    const view = await d.kpis.view(id);
    // An unpublished KPI does not exist for the public (stewards see it in the editor).
    if (!view.kpi.published) throw notFound();
    const range = parseRange(req.query.range, 'week');
    const [project, hist] = await Promise.all([
      view.kpi.project ? d.strategy.project(view.kpi.project).catch(() => undefined) : Promise.resolve(undefined),
      history(d.temporal, d.kpis.cityTenant, view.entityId, KPI_VALUE_IRI, range, now()),
    ]);
    return d.send(req, reply, lang, { page: 'kpi', id }, (frame, t) => KpiPage({ frame, view, project, history: hist, range, baseUrl: d.config.publicUrl, tenant: d.kpis.cityTenant }, t, k));
  });

  route('sensor', async (req, reply, lang, k) => {
    const id = req.params.id!;
    // Only what the API would show an anonymous reader.
    const access = d.publicRead(tenant);
    if (!access.allowed) throw notFound();
    const e = await d.entities.get(tenant, id);
    if (access.mayRead && !e.types.every((ty) => access.mayRead!(ty))) throw notFound();
    const sensor = sensorDetail(e);
    const numeric = sensor.values.filter((v) => typeof v.value === 'number');
    const shown = numeric.find((v) => v.attr === req.query.attr) ?? numeric[0];
    const range = parseRange(req.query.range, 'day');
    const hist = shown ? await history(d.temporal, tenant, id, shown.iri, range, now()) : { points: [], from: '', to: '' };
    return d.send(req, reply, lang, { page: 'sensor', id }, (frame, t) => SensorPage({ frame, sensor, attr: shown?.attr, history: hist, range }, t, k));
  });

  // ---- the steward's editor ----

  /** The session's CSRF token when a steward or operator is logged in; otherwise answers the login page and returns undefined. */
  const steward = async (req: Req, reply: FastifyReply, lang: Lang, k: KpiMessages): Promise<{ csrf: string } | undefined> => {
    if (d.config.auth === 'off' || !d.accounts) return { csrf: '' };
    const s = await d.accounts.sessionOf(req);
    if (s && s.user.roles.some((g) => g.role === 'steward' || g.role === 'operator')) return { csrf: s.session.csrf };
    const csrf = s ? s.session.csrf : await d.accounts.formToken(req, reply);
    await d.send(req, reply, lang, { page: 'kpiAdmin' }, (frame, t) => LoginPage({ frame, csrf, forbidden: !!s, returnTo: href(lang, 'kpiAdmin') }, t, k), s ? 403 : 401);
    return undefined;
  };
  const projects = async (): Promise<Project[]> => d.strategy.projects();

  route('kpiAdmin', async (req, reply, lang, k) => {
    const who = await steward(req, reply, lang, k);
    if (!who) return reply;
    const views = await d.kpis.views({ all: true });
    const q = req.query;
    const notice = q.gespeichert ? k.editor.saved(q.gespeichert) : q.berechnet ? k.editor.evaluated(q.berechnet) : undefined;
    return d.send(req, reply, lang, { page: 'kpiAdmin' }, (frame, t) => EditorListPage({ frame, csrf: who.csrf, views, notice }, t, k));
  });

  const form = async (req: Req, reply: FastifyReply, lang: Lang, k: KpiMessages, csrf: string, id: string | undefined, values: KpiFormValues, errors: Partial<Record<FormField, string>>, status = 200) => {
    const ps = await projects();
    const here: Here = id ? { page: 'kpiEdit', id } : { page: 'kpiNew' };
    return d.send(req, reply, lang, here, (frame, t) => EditorFormPage({ frame, csrf, id, values, errors, projects: ps, cityTenant: tenant }, t, k), status);
  };
  const readForm = (req: Req): KpiFormValues => {
    const b = req.body && typeof req.body === 'object' ? req.body : {};
    const v: KpiFormValues = {};
    for (const f of FORM_FIELDS) if (typeof b[f] === 'string') v[f] = b[f];
    return v;
  };
  /** Saves through the KPI service (the API's validation); its problems go next to their fields, in German. */
  const save = async (req: Req, reply: FastifyReply, lang: Lang, k: KpiMessages, csrf: string, id: string | undefined) => {
    const values = readForm(req);
    try {
      const kpi = id ? await d.kpis.replace(id, formToBody(values, id)) : await d.kpis.create(formToBody(values));
      return reply.status(303).header('Location', `${href(lang, 'kpiAdmin')}?gespeichert=${encodeURIComponent(kpi.id)}`).send();
    } catch (e) {
      if (!(e instanceof StrategyProblem) || e.status === 404) throw e;
      const errors: Partial<Record<FormField, string>> = {};
      for (const p of e.problems as KpiProblem[]) {
        const field = FIELD_OF[p.field] ?? 'id';
        const text = lang === 'de' ? p.de : p.message;
        errors[field] = errors[field] ? `${errors[field]} ${text}` : text;
      }
      return form(req, reply, lang, k, csrf, id, values, errors, e.status === 409 ? 409 : 400);
    }
  };

  route('kpiNew', async (req, reply, lang, k) => {
    const who = await steward(req, reply, lang, k);
    if (!who) return reply;
    return form(req, reply, lang, k, who.csrf, undefined, { tenant, reduction: 'count', period: 'month' }, {});
  });
  route('kpiNew', async (req, reply, lang, k) => {
    const who = await steward(req, reply, lang, k);
    if (!who) return reply;
    return save(req, reply, lang, k, who.csrf, undefined);
  }, 'POST');
  route('kpiEdit', async (req, reply, lang, k) => {
    const who = await steward(req, reply, lang, k);
    if (!who) return reply;
    const kpi = await d.kpis.get(req.params.id!);
    return form(req, reply, lang, k, who.csrf, kpi.id, kpiToForm(kpi), {});
  });
  route('kpiEdit', async (req, reply, lang, k) => {
    const who = await steward(req, reply, lang, k);
    if (!who) return reply;
    await d.kpis.get(req.params.id!);
    return save(req, reply, lang, k, who.csrf, req.params.id!);
  }, 'POST');
  route('kpiEdit', async (req, reply, lang, k) => {
    const who = await steward(req, reply, lang, k);
    if (!who) return reply;
    const s = await d.kpis.evaluateById(req.params.id!);
    return reply.status(303).header('Location', `${href(lang, 'kpiAdmin')}?berechnet=${encodeURIComponent(s.id)}`).send();
  }, 'POST', '/auswerten');
}
