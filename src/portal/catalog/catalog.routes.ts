// Routes of the catalogue pages (/daten, /daten/datensatz/<id>) and of the dataset editor
// (/verwaltung/datensaetze…), German and English. Registered inside the portal's plugin, so its
// 404/500 pages and form parser apply. Data goes through the catalogue service only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Config } from '../../config/config.ts';
import { ProblemError } from '../../core/errors.ts';
import type { Accounts } from '../../accounts/index.ts';
import type { CatalogService, CatalogViewer } from '../../catalog/index.ts';
import { mayManage, PUBLIC_VIEWER } from '../../catalog/index.ts';
import type { StrategyService } from '../../strategy/index.ts';
import type { Frame } from '../components/layout.tsx';
import type { Messages } from '../i18n/index.ts';
import { LANGS, PAGES, href, type Here, type Lang, type PageName } from '../paths.ts';
import { CatalogPresenter, parseSearchParams } from './catalog.present.ts';
import { DatasetPage, SearchPage } from './catalog.pages.tsx';
import { ACTIONS, EditorFormPage, EditorGatePage, EditorListPage, type EditorFormModel, type EditorValues } from './editor.pages.tsx';
import { ALL_VIEWER, addFile, addLink, asFormErrors, removeDistribution, saveForm, tenantFor, valuesFromBody, valuesOf, viewerOfRoles } from './catalog.editor.ts';
import { boundaryOf, parseMultipart, type Multipart } from './multipart.ts';
import { CATALOG_TEXTS, type CatalogMessages } from './texts.ts';

export interface CatalogPageDeps {
  config: Readonly<Config>;
  catalog: CatalogService;
  strategy: StrategyService;
  accounts: Accounts;
  presenter: CatalogPresenter;
  send(req: FastifyRequest, reply: FastifyReply, lang: Lang, here: Here, build: (f: Frame, t: Messages) => VNode, status?: number): FastifyReply | Promise<FastifyReply>;
}

type Req = FastifyRequest<{ Params: { id?: string; dist?: string }; Querystring: Record<string, string> }>;

const open = { config: { access: { op: 'public' as const } } };
const EDITOR_PAGE = 50;

/** Notices after a redirect (?ok=…), by key. */
const NOTICES = ['saved', 'created', 'published', 'unpublished', 'deleted', 'file', 'link', 'removed'] as const;
type NoticeKey = (typeof NOTICES)[number];
function noticeText(c: CatalogMessages, k: string | undefined): string | undefined {
  if (!k || !(NOTICES as readonly string[]).includes(k)) return undefined;
  const e = c.editor;
  return ({ saved: e.saved, created: e.created, published: e.publishedMsg, unpublished: e.unpublishedMsg, deleted: e.deleted, file: e.distAdded, link: e.linkAdded, removed: e.distRemoved } as Record<NoticeKey, string>)[k as NoticeKey];
}

function mb(bytes: number, lang: Lang): string {
  const n = bytes / 1024 / 1024;
  return `${new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', { maximumFractionDigits: 1 }).format(n)} MB`;
}

export async function catalogPageRoutes(app: FastifyInstance, d: CatalogPageDeps): Promise<void> {
  const { catalog, presenter, send } = d;
  const authOn = d.config.auth === 'on';
  const cityTenant = d.config.portal.tenant;
  const maxUpload = catalog.limits.maxUploadBytes;

  // The upload form: multipart/form-data, read whole (twice the upload limit at most, so a file just
  // over the limit still gets the form with its message rather than a bare 413).
  if (!app.hasContentTypeParser('multipart/form-data')) {
    app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: maxUpload * 2 + 64 * 1024 }, (req, body, done) => {
      const b = boundaryOf(req.headers['content-type']);
      if (!b) return done(Object.assign(new Error('multipart/form-data without a boundary'), { statusCode: 400 }), undefined);
      try {
        const m = parseMultipart(body as Buffer, b);
        // Text fields on the body (so the CSRF hook finds _csrf), files beside them.
        done(null, { ...m.fields, [FILES]: m.files });
      } catch (e) {
        done(Object.assign(new Error(`malformed multipart body: ${(e as Error).message}`), { statusCode: 400 }), undefined);
      }
    });
  }

  /** A message page in the editor's frame (expired form, not allowed, file too large). */
  const message = (req: FastifyRequest, reply: FastifyReply, lang: Lang, status: number, title?: string, text?: string) => {
    const c = CATALOG_TEXTS[lang];
    const msg = title && text ? { title, text, back: href(lang, 'editor') } : undefined;
    return send(req, reply, lang, { page: 'editor' }, (frame, t) => EditorGatePage({ frame, t, c, kind: 'forbidden', loginUrl: '', message: msg }), status);
  };

  const page = (name: PageName, method: 'GET' | 'POST', suffix: string | ((lang: Lang) => string), handler: (req: Req, reply: FastifyReply, lang: Lang) => Promise<unknown>) => {
    for (const lang of LANGS) {
      const s = typeof suffix === 'function' ? suffix(lang) : suffix;
      app.route({
        method, url: PAGES[name][lang] + (s ? `/${s}` : ''), ...open, handler: (req, reply) => handler(req as Req, reply, lang),
        // Errors raised before the handler (the accounts hook's CSRF check, the body limit) and the
        // service's Forbidden get a page in the editor's words; anything else goes on to the portal's handler.
        errorHandler: (err, req, reply) => {
          const c = CATALOG_TEXTS[lang];
          if (err instanceof ProblemError && err.status === 403) {
            return /CSRF/.test(err.detail) ? message(req, reply, lang, 403, c.errors.summary, c.errors.csrf) : message(req, reply, lang, 403);
          }
          if ((err as { statusCode?: number }).statusCode === 413) return message(req, reply, lang, 413, c.errors.summary, c.errors.fileTooLarge(mb(maxUpload, lang)));
          throw err;
        },
      });
    }
  };

  // ---- public pages ----

  page('catalogue', 'GET', '', async (req, reply, lang) => {
    const search = await presenter.search(parseSearchParams(req.query), lang);
    return send(req, reply, lang, { page: 'catalogue' }, (frame, t) => SearchPage({ frame, t, c: CATALOG_TEXTS[lang], search }));
  });

  page('dataset', 'GET', '', async (req, reply, lang) => {
    const id = req.params.id!;
    // A steward also sees their drafts (marked as such); everyone else published datasets only.
    const viewer = (await editorViewer(req)) ?? PUBLIC_VIEWER;
    const dataset = await presenter.dataset(id, lang, CATALOG_TEXTS[lang], viewer);
    return send(req, reply, lang, { page: 'dataset', id }, (frame, t) => DatasetPage({ frame, t, c: CATALOG_TEXTS[lang], dataset }));
  });

  // ---- editor ----

  /** The person's catalogue rights: access control off = everything; a session with steward/operator roles; else none. */
  async function editorViewer(req: FastifyRequest): Promise<CatalogViewer | undefined> {
    if (!authOn) return ALL_VIEWER;
    const s = await d.accounts.sessionOf(req);
    return s ? viewerOfRoles(`user:${s.user.id}`, s.user.roles) : undefined;
  }

  /** The viewer, or the login (401) / not-allowed (403) page already sent. */
  async function gate(req: Req, reply: FastifyReply, lang: Lang): Promise<CatalogViewer | undefined> {
    const v = await editorViewer(req);
    if (v) return v;
    const loggedIn = authOn && !!(await d.accounts.sessionOf(req));
    const loginUrl = `${href(lang, 'login')}?returnTo=${encodeURIComponent(req.url.split('?')[0]!)}`;
    send(req, reply, lang, { page: 'editor' }, (frame, t) => EditorGatePage({ frame, t, c: CATALOG_TEXTS[lang], kind: loggedIn ? 'forbidden' : 'login', loginUrl }), loggedIn ? 403 : 401);
    return undefined;
  }

  /** Every editor form is checked: the session's token (the accounts hook checks it too), or the double-submit token without a session. */
  async function checkCsrf(req: Req, reply: FastifyReply, lang: Lang): Promise<boolean> {
    try {
      await d.accounts.verifyForm(req);
      return true;
    } catch {
      const c = CATALOG_TEXTS[lang];
      message(req, reply, lang, 403, c.errors.summary, c.errors.csrf);
      return false;
    }
  }

  const options = async (lang: Lang) => {
    const [orgs, projects] = await Promise.all([presenter.organisations(), d.strategy.projects()]);
    const freq = catalog.frequencies();
    return {
      publishers: orgs.map((o) => ({ value: o.id, label: o.name })),
      licences: catalog.licences().map((l) => ({ value: l.id, label: l.label })),
      themes: catalog.themes().map((th) => ({ value: th.code, label: th.label[lang] })),
      frequencies: Object.entries(freq).map(([k, v]) => ({ value: k, label: v[lang] })),
      projects: projects.map((p) => ({ value: p.slug, label: lang === 'en' && p.title.en ? p.title.en : p.title.de })),
    };
  };

  const self = (lang: Lang, id?: string) => (id === undefined ? href(lang, 'editorNew') : href(lang, 'editorEdit', id));

  async function form(req: Req, reply: FastifyReply, lang: Lang, viewer: CatalogViewer, m: Partial<EditorFormModel> & { values: EditorValues; errors: Record<string, string> }, status = 200) {
    const c = CATALOG_TEXTS[lang];
    const csrf = await d.accounts.formToken(req, reply);
    let extra: Partial<EditorFormModel> = {};
    if (m.id !== undefined) {
      const ds = await catalog.dataset(m.id, viewer);
      extra = {
        published: ds.state === 'published', live: !!ds.live,
        distributions: ds.distributions.map((x) => ({ id: x.id, title: (lang === 'en' && x.title?.en) || x.title?.de || x.fileName || x.id, format: x.format, kind: x.kind, byteSize: x.byteSize })),
      };
    }
    const model = { csrf, options: await options(lang), distributions: [], maxUploadLabel: mb(maxUpload, lang), ...extra, ...m };
    const here: Here = m.id === undefined ? { page: 'editorNew' } : { page: 'editorEdit', id: m.id };
    return send(req, reply, lang, here, (frame, t) => EditorFormPage({ frame, t, c, ...model }), status);
  }

  const redirect = (reply: FastifyReply, url: string, ok: NoticeKey) => reply.status(303).header('Location', `${url}?ok=${ok}`).send();

  async function loadManaged(req: Req, reply: FastifyReply, lang: Lang, viewer: CatalogViewer) {
    const ds = await catalog.dataset(req.params.id!, viewer);
    if (!mayManage(viewer, ds.tenant)) {
      message(req, reply, lang, 403);
      return undefined;
    }
    return ds;
  }

  page('editor', 'GET', '', async (req, reply, lang) => {
    const viewer = await gate(req, reply, lang);
    if (!viewer) return reply;
    const pageNo = /^[1-9]\d{0,5}$/.test(req.query.page ?? '') ? Number(req.query.page) : 1;
    // Drafts and published datasets of the tenants the person manages, 50 per page.
    const r = await catalog.search({
      includeDrafts: true, sort: 'title', limit: EDITOR_PAGE, offset: (pageNo - 1) * EDITOR_PAGE,
      ...(viewer.manages === 'all' ? {} : { tenants: [...viewer.manages] }),
    }, viewer);
    const rows = r.datasets.filter((x) => mayManage(viewer, x.tenant)).map((x) => ({
      id: x.id, title: (lang === 'en' && x.title.en) || x.title.de, published: x.state === 'published', modified: x.modified, live: !!x.live,
    }));
    const csrf = await d.accounts.formToken(req, reply);
    const pages = Math.max(1, Math.ceil(r.total / EDITOR_PAGE));
    return send(req, reply, lang, { page: 'editor' }, (frame, t) => EditorListPage({ frame, t, c: CATALOG_TEXTS[lang], rows, csrf, notice: noticeText(CATALOG_TEXTS[lang], req.query.ok), page: pageNo, pages }));
  });

  page('editorNew', 'GET', '', async (req, reply, lang) => {
    const viewer = await gate(req, reply, lang);
    if (!viewer) return reply;
    return form(req, reply, lang, viewer, { values: { licence: 'dl-by-de/2.0', municipality: '05916000' }, errors: {} });
  });

  page('editorNew', 'POST', '', async (req, reply, lang) => {
    const viewer = await gate(req, reply, lang);
    if (!viewer || !(await checkCsrf(req, reply, lang))) return reply;
    const c = CATALOG_TEXTS[lang];
    const values = valuesFromBody(body(req), themesOf(req));
    const r = await saveForm(catalog, values, viewer, tenantFor(viewer, cityTenant), c);
    if (!r.ok) return form(req, reply, lang, viewer, { values, errors: r.errors }, r.status);
    return redirect(reply, self(lang, r.dataset.id), 'created');
  });

  page('editorEdit', 'GET', '', async (req, reply, lang) => {
    const viewer = await gate(req, reply, lang);
    if (!viewer) return reply;
    const ds = await loadManaged(req, reply, lang, viewer);
    if (!ds) return reply;
    return form(req, reply, lang, viewer, { id: ds.id, values: valuesOf(ds), errors: {}, notice: noticeText(CATALOG_TEXTS[lang], req.query.ok) });
  });

  page('editorEdit', 'POST', '', async (req, reply, lang) => {
    const viewer = await gate(req, reply, lang);
    if (!viewer || !(await checkCsrf(req, reply, lang))) return reply;
    const ds = await loadManaged(req, reply, lang, viewer);
    if (!ds) return reply;
    const values = { ...valuesFromBody(body(req), themesOf(req)), id: ds.id };
    const r = await saveForm(catalog, values, viewer, ds.tenant, CATALOG_TEXTS[lang], ds);
    if (!r.ok) return form(req, reply, lang, viewer, { id: ds.id, values, errors: r.errors }, r.status);
    return redirect(reply, self(lang, ds.id), 'saved');
  });

  const action = (key: keyof typeof ACTIONS.de, run: (req: Req, lang: Lang, viewer: CatalogViewer, id: string) => Promise<{ ok: NoticeKey; to?: string } | { errors: Record<string, string>; status: number }>) => {
    page('editorEdit', 'POST', (lang) => ACTIONS[lang][key], async (req, reply, lang) => {
      const viewer = await gate(req, reply, lang);
      if (!viewer || !(await checkCsrf(req, reply, lang))) return reply;
      const ds = await loadManaged(req, reply, lang, viewer);
      if (!ds) return reply;
      const r = await run(req, lang, viewer, ds.id);
      if ('errors' in r) return form(req, reply, lang, viewer, { id: ds.id, values: valuesOf(ds), errors: r.errors }, r.status);
      return redirect(reply, r.to ?? self(lang, ds.id), r.ok);
    });
  };

  const viaService = async (lang: Lang, f: () => Promise<unknown>, ok: NoticeKey, to?: string) => {
    try {
      await f();
      return { ok, to };
    } catch (e) {
      const r = asFormErrors(e, CATALOG_TEXTS[lang]);
      return r.ok ? { ok, to } : { errors: r.errors, status: r.status };
    }
  };

  action('publish', (_req, lang, viewer, id) => viaService(lang, () => catalog.publish(id, viewer), 'published'));
  action('unpublish', (_req, lang, viewer, id) => viaService(lang, () => catalog.unpublish(id, viewer), 'unpublished'));
  action('delete', (_req, lang, viewer, id) => viaService(lang, () => catalog.remove(id, viewer), 'deleted', href(lang, 'editor')));
  action('file', async (req, lang, viewer, id) => {
    const c = CATALOG_TEXTS[lang];
    const files = ((req.body as Record<symbol, unknown> | undefined)?.[FILES] ?? []) as Multipart['files'];
    const file = files.find((f) => f.field === 'file');
    if (!file) return { errors: { file: c.errors.fileMissing }, status: 400 };
    const r = await addFile(catalog, id, viewer, { title: body(req).title as string | undefined, fileName: file.fileName, data: file.data }, c, mb(maxUpload, lang));
    return r.ok ? { ok: 'file' } : { errors: r.errors, status: r.status };
  });
  action('link', async (req, lang, viewer, id) => {
    const b = body(req);
    const s = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');
    const r = await addLink(catalog, id, viewer, { url: s('url'), format: s('format'), title: s('title') }, CATALOG_TEXTS[lang]);
    return r.ok ? { ok: 'link' } : { errors: r.errors, status: r.status };
  });
  action('remove', async (req, lang, viewer, id) => {
    const r = await removeDistribution(catalog, id, req.params.dist!, viewer, CATALOG_TEXTS[lang]);
    return r.ok ? { ok: 'removed' } : { errors: r.errors, status: r.status };
  });
}

const FILES = Symbol('files');

function body(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

/**
 * The checked themes: each checkbox has its own name "themes:<code>" (the form parsers keep one
 * value per name, and the query parser refuses repeated names).
 */
function themesOf(req: FastifyRequest): string[] {
  return Object.keys(body(req)).filter((k) => k.startsWith('themes:')).map((k) => k.slice(7)).filter(Boolean);
}

