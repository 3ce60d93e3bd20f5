// The portal's routes: every page in German (/…) and English (/en/…), the fingerprinted assets,
// the feedback form, and the HTML 404/500 pages for non-API paths. Routes gather data through the
// services into view models; pages only render them.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Config } from '../config/config.ts';
import type { EntityService } from '../ngsi-ld/entities/entities.service.ts';
import { ProblemError } from '../core/errors.ts';
import type { StrategyService } from '../strategy/index.ts';
import { ASSET_PREFIX, loadAssets, type AssetMap } from './assets.ts';
import type { Frame } from './components/layout.tsx';
import type { FrameAccount } from './admin/account-nav.tsx';
import { CATALOGS, type Messages } from './i18n/index.ts';
import { LiveData, type PublicRead } from './portal.model.ts';
import { LANGS, PAGES, href, inLanguage, type Here, type Lang, type PageName } from './paths.ts';
import { LanguagePage } from './pages/language.tsx';
import { newNonce, sendCompressed, sendPage } from './render.ts';
import { HomePage } from './pages/home.tsx';
import { FieldPage, ProjectPage, StrategyPage } from './pages/strategy.tsx';
import { LivePage } from './pages/live.tsx';
import { DevelopersPage } from './pages/developers.tsx';
import { CatalogPresenter, catalogPageRoutes } from './catalog/index.ts';
import type { CatalogService } from '../catalog/index.ts';
import { kpiPageRoutes } from './kpi/kpi.routes.ts';
import type { KpiService } from '../strategy/index.ts';
import type { TemporalService } from '../ngsi-ld/temporal/temporal.service.ts';
import type { Accounts } from '../accounts/index.ts';
import { AccessibilityPage, EasyPage, ErrorPage, LegalPage, NotFoundPage, parseLegalText, type FeedbackForm, type LegalText } from './pages/legal.tsx';
import { acceptForms } from '../core/http.ts';

export interface PortalDeps {
  config: Readonly<Config>;
  entities: EntityService;
  strategy: StrategyService;
  /** The access policy's answer for an anonymous reader (the pages are public). */
  publicRead: PublicRead;
  /** The catalogue pages and dataset editor (src/portal/catalog) are served when both are given. */
  catalog?: CatalogService;
  /** KPIs (home, project and KPI pages), the temporal service (charts) and accounts (the KPI editor's login). */
  kpis?: KpiService;
  temporal?: TemporalService;
  accounts?: Accounts;
  /** Who is logged in, for the header's account menu (src/portal/admin). */
  account?: (req: FastifyRequest) => Promise<FrameAccount | undefined>;
  /**
   * Whether the logged-in person follows a project (participation's follows, lent by app.ts so the portal
   * never reaches into that module's storage); undefined when nobody is logged in. Absent: no „Folgen“.
   */
  following?: (req: FastifyRequest, kind: 'project', id: string) => Promise<boolean | undefined>;
}

const HERE_DIR = dirname(fileURLToPath(import.meta.url));
const open = { config: { access: { op: 'public' as const } } };
/** Paths that belong to the APIs: their 404s stay as the APIs give them, never an HTML page. */
const API_PATHS = /^\/(ngsi-ld|iot|api|admin|assets|health|ready|metrics|version)(\/|$|\?)/;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

type Req = FastifyRequest<{ Params: { id?: string }; Querystring: Record<string, string> }>;

/** A local address to lead back to ("/…", not "//host" or "/\\host", no white space); else the fallback. */
function localPath(v: unknown, fallback: string): string {
  return typeof v === 'string' && /^\/(?![/\\])\S{0,1000}$/.test(v) ? v : fallback;
}

function legal(file: string | undefined, fallback: string): LegalText {
  return parseLegalText(readFileSync(file ?? join(HERE_DIR, 'legal', fallback), 'utf8'));
}

export async function portalRoutes(app: FastifyInstance, d: PortalDeps): Promise<void> {
  const cfg = d.config.portal;
  const assets: AssetMap = await loadAssets();
  const live = new LiveData(d.entities, cfg.tenant, d.publicRead);
  const texts = {
    imprint: legal(cfg.imprintFile, 'impressum.txt'),
    privacy: legal(cfg.privacyFile, 'datenschutz.txt'),
    accessibility: legal(cfg.accessibilityFile, 'barrierefreiheit.txt'),
  };
  const tileOrigin = cfg.tileUrl ? new URL(cfg.tileUrl.replace(/\{[a-z]\}/g, '0')).origin : undefined;
  const demoMarker = join(d.config.dataDir, 'demo-simulator');
  const demo = () => d.config.demo === 'on' || (d.config.demo === 'auto' && existsSync(demoMarker));

  const frame = (lang: Lang, here: Here, nonce: string, account?: FrameAccount): Frame => ({ lang, here, nonce, asset: (n) => assets.url(n), demo: demo(), account });
  const send = async (req: FastifyRequest, reply: FastifyReply, lang: Lang, here: Here, build: (f: Frame, t: Messages) => VNode, status = 200) => {
    const nonce = newNonce();
    const account = await d.account?.(req).catch(() => undefined);
    return sendPage(req, reply, build(frame(lang, here, nonce, account), CATALOGS[lang]), { nonce, tileOrigin, status, personal: account !== undefined });
  };

  acceptForms(app, 64 * 1024);

  // A page's failure is an HTML page without any detail of the cause (logged once with the request id).
  app.setErrorHandler((err, req, reply) => {
    const lang: Lang = req.url.startsWith('/en') ? 'en' : 'de';
    if (err instanceof ProblemError && err.status === 404) return send(req, reply, lang, { page: 'home' }, (f, t) => NotFoundPage({ frame: f }, t), 404);
    // Fastify's errors carry statusCode, ours (e.g. a CSRF refusal) status.
    const status = (err as { statusCode?: number }).statusCode ?? (err instanceof ProblemError ? err.status : undefined);
    if (typeof status === 'number' && status >= 400 && status < 500) return reply.status(status).type('text/plain; charset=utf-8').send(lang === 'de' ? 'Die Anfrage ist ungültig.' : 'The request is invalid.');
    req.log.error({ err }, 'page failed');
    return send(req, reply, lang, { page: 'home' }, (f, t) => ErrorPage({ frame: f, requestId: String(req.id) }, t), 500);
  });

  app.get(`${ASSET_PREFIX}:name`, open, async (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const a = assets.byName.get(req.params.name);
    if (!a) return reply.status(404).type('text/plain; charset=utf-8').send('Not found');
    reply.header('Content-Type', a.type).header('Cache-Control', 'public, max-age=31536000, immutable').header('ETag', a.etag);
    if (req.headers['if-none-match'] === a.etag) return reply.status(304).send();
    return sendCompressed(req, reply, a.body, a);
  });

  const catalogView = d.catalog ? new CatalogPresenter(d.catalog, d.strategy) : undefined;
  const fieldsWithProjects = async () => {
    const o = await d.strategy.overview();
    return o.fields.map((field) => ({ field, projects: o.projects.filter((p) => p.fieldId === field.id) }));
  };

  const route = (page: PageName, handler: (req: Req, reply: FastifyReply, lang: Lang) => Promise<unknown>, method: 'GET' | 'POST' = 'GET') => {
    for (const lang of LANGS) app.route({ method, url: PAGES[page][lang], ...open, handler: (req, reply) => handler(req as Req, reply, lang) });
  };

  route('home', async (req, reply, lang) => {
    const [fields, counts, events, kpis] = await Promise.all([fieldsWithProjects(), live.typeCounts(), d.strategy.upcomingEvents(), d.kpis?.views() ?? []]);
    return send(req, reply, lang, { page: 'home' }, (frame, t) => HomePage({ frame, fields, live: counts, events: events.slice(0, 5), signVideoUrl: cfg.signVideoUrl, kpis }, t));
  });
  route('strategy', async (req, reply, lang) => {
    const fields = await fieldsWithProjects();
    return send(req, reply, lang, { page: 'strategy' }, (frame, t) => StrategyPage({ frame, fields }, t));
  });
  route('field', async (req, reply, lang) => {
    const id = req.params.id!;
    const [field, projects] = await Promise.all([d.strategy.field(id), d.strategy.projects({ fieldId: id })]);
    return send(req, reply, lang, { page: 'field', id }, (frame, t) => FieldPage({ frame, field, projects }, t));
  });
  route('project', async (req, reply, lang) => {
    const slug = req.params.id!;
    const project = await d.strategy.project(slug);
    const [fields, orgs, counts, datasets, kpis] = await Promise.all([d.strategy.fields(), d.strategy.organisations(), project.entityTypes.length ? live.typeCounts() : Promise.resolve([]), catalogView?.ofProject(slug, lang), d.kpis?.views({ project: slug }) ?? []]);
    const following = d.following ? await d.following(req, 'project', slug) : undefined;
    return send(req, reply, lang, { page: 'project', id: slug }, (frame, t) => ProjectPage({
      frame, project, field: fields.find((f) => f.id === project.fieldId), organisation: orgs.find((o) => o.id === project.organisationId),
      live: counts.filter((c) => project.entityTypes.includes(c.type)), tileUrl: cfg.tileUrl, tileAttribution: cfg.tileAttribution,
      datasets, kpis, follow: d.following ? (following === undefined ? 'login' : { following }) : undefined,
    }, t));
  });
  route('live', async (req, reply, lang) => {
    const groups = await live.sensors(cfg.liveMaxPerType);
    return send(req, reply, lang, { page: 'live' }, (frame, t) => LivePage({ frame, groups, tileUrl: cfg.tileUrl, tileAttribution: cfg.tileAttribution }, t));
  });
  if (d.kpis && d.temporal) kpiPageRoutes(app, { config: d.config, entities: d.entities, temporal: d.temporal, kpis: d.kpis, strategy: d.strategy, publicRead: d.publicRead, accounts: d.accounts, send });
  route('developers', async (req, reply, lang) => {
    return send(req, reply, lang, { page: 'developers' }, (frame, t) => DevelopersPage({ frame, baseUrl: d.config.publicUrl, tenant: cfg.tenant }, t));
  });
  route('easy', async (req, reply, lang) => send(req, reply, lang, { page: 'easy' }, (frame, t) => EasyPage({ frame }, t)));
  route('imprint', async (req, reply, lang) => send(req, reply, lang, { page: 'imprint' }, (frame, t) => LegalPage({ frame, title: t.legal.imprintTitle, text: texts.imprint }, t)));
  route('privacy', async (req, reply, lang) => send(req, reply, lang, { page: 'privacy' }, (frame, t) => LegalPage({ frame, title: t.legal.privacyTitle, text: texts.privacy }, t)));

  const accessibility = (req: FastifyRequest, reply: FastifyReply, lang: Lang, form: FeedbackForm, status = 200) =>
    send(req, reply, lang, { page: 'accessibility' }, (frame, t) => AccessibilityPage({ frame, title: t.legal.accessibilityTitle, text: texts.accessibility, form, maxChars: cfg.feedbackMaxChars }, t), status);
  route('accessibility', async (req, reply, lang) => accessibility(req, reply, lang, { values: {}, errors: {}, sent: req.query.gesendet === '1' }));
  route('accessibility', async (req, reply, lang) => {
    const t = CATALOGS[lang];
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
    const values = { name: str('name'), email: str('email'), page: str('page'), message: str('message') };
    const errors: FeedbackForm['errors'] = {};
    const max = { name: 200, email: 254, page: 500, message: cfg.feedbackMaxChars };
    if (!values.message) errors.message = t.feedback.messageRequired;
    for (const k of ['message', 'name', 'email', 'page'] as const) if (values[k].length > max[k]) errors[k] = t.feedback.tooLong(max[k]);
    if (values.email && !errors.email && !EMAIL.test(values.email)) errors.email = t.feedback.emailInvalid;
    if (Object.keys(errors).length) return accessibility(req, reply, lang, { values, errors, sent: false }, 400);
    await d.strategy.addFeedback({ lang, message: values.message, name: values.name || undefined, email: values.email || undefined, page: values.page || undefined });
    // Post/redirect/get: a reload does not send the message twice.
    return reply.status(303).header('Location', `${href(lang, 'accessibility')}?gesendet=1#rueckmeldung`).send();
  }, 'POST');

  // Choosing the language: GET shows the form, POST leads back to the page the person came from in
  // the chosen language and, for a logged-in person, makes it their mail language (users.lang).
  const languagePage = async (req: FastifyRequest, reply: FastifyReply, lang: Lang, returnTo: string, status = 200, error?: string) => {
    const s = await d.accounts?.sessionOf(req);
    const csrf = d.accounts ? await d.accounts.formToken(req, reply) : undefined;
    const mailLang = s ? (s.user.lang ?? 'de') : undefined;
    return send(req, reply, lang, { page: 'language' }, (frame, t) => LanguagePage({ frame, csrf, returnTo, mailLang, error }, t), status);
  };
  route('language', async (req, reply, lang) => languagePage(req, reply, lang, localPath(req.query.returnTo, href(lang, 'home'))));
  route('language', async (req, reply, lang) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    // With a session the accounts hook has checked the session's token; without one, the double-submit token.
    if (d.accounts) await d.accounts.verifyForm(req);
    const returnTo = localPath(body.returnTo, href(lang, 'home'));
    const chosen = body.lang;
    if (chosen !== 'de' && chosen !== 'en') return languagePage(req, reply, lang, returnTo, 400, CATALOGS[lang].language.required);
    const s = await d.accounts?.sessionOf(req);
    if (s && (s.user.lang ?? 'de') !== chosen) {
      await d.accounts!.users.change(s.user.id, { lang: chosen });
    }
    return reply.status(303).header('Location', inLanguage(returnTo, chosen)).send();
  }, 'POST');
  if (catalogView && d.catalog && d.accounts) await catalogPageRoutes(app, { config: d.config, catalog: d.catalog, strategy: d.strategy, accounts: d.accounts, presenter: catalogView, send });
}

/** The 404 answer for paths no route has: an HTML page, except under the APIs (their answer is unchanged). */
export function portalNotFound(app: FastifyInstance, d: PortalDeps): void {
  let assets: AssetMap | undefined;
  void loadAssets().then((a) => { assets = a; });
  app.setNotFoundHandler((req, reply) => {
    const url = req.url;
    if (API_PATHS.test(url) || !assets || (req.method !== 'GET' && req.method !== 'HEAD')) {
      return reply.status(404).send({ message: `Route ${req.method}:${url} not found`, error: 'Not Found', statusCode: 404 });
    }
    const lang: Lang = url === '/en' || url.startsWith('/en/') || url.startsWith('/en?') ? 'en' : 'de';
    const nonce = newNonce();
    const a = assets;
    const frame: Frame = { lang, here: { page: 'home' }, nonce, asset: (n) => a.url(n), demo: false };
    return sendPage(req, reply, NotFoundPage({ frame }, CATALOGS[lang]), { nonce, status: 404 });
  });
  void d;
}
