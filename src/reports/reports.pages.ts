// The Mängelmelder pages: the form (multipart, photo optional) with the duplicate offer and the
// thank-you page, the public list with its clustered map, one report's page, the released photos,
// and the staff pages under /verwaltung/meldungen. Routes gather view models through the reports
// service; the page components only render them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Config } from '../config/config.ts';
import { ProblemError } from '../core/errors.ts';
import type { Accounts } from '../accounts/index.ts';
import { loadAssets } from '../portal/assets.ts';
import type { Frame } from '../portal/components/layout.tsx';
import { CATALOGS, type Messages } from '../portal/i18n/index.ts';
import { reportsDe, type ReportMessages } from '../portal/i18n/reports.de.ts';
import { reportsEn } from '../portal/i18n/reports.en.ts';
import { LANGS, PAGES, href, type Here, type Lang, type PageName } from '../portal/paths.ts';
import { newNonce, sendPage } from '../portal/render.ts';
import { STATUSES, type ReportStatus } from './reports.model.ts';
import { ReportProblem, type ReportService, type StaffChange } from './reports.service.ts';
import type { FieldProblem } from './reports.validate.ts';
import { DuplicatePage, ReportFormPage, ThanksPage, type FormErrors, type FormValues } from './pages/form.tsx';
import { ListPage, ReportPage } from './pages/public.tsx';
import { AdminItemPage, AdminListPage, AdminMessagePage } from './pages/admin.tsx';
import { acceptForms } from '../core/http.ts';

export interface ReportPagesDeps {
  config: Readonly<Config>;
  service: ReportService;
  accounts: Accounts;
  limit(req: FastifyRequest): number;
}

const RT: Record<Lang, ReportMessages> = { de: reportsDe, en: reportsEn };
const open = { config: { access: { op: 'public' as const } } };
const STAFF = ['moderator', 'steward', 'operator'];
const PAGE_SIZE = 50;
/** The map shows at most this many clusters (the largest), whatever the number of reports. */
const MAX_CLUSTERS = 400;
const WORLD = { minLat: -90, maxLat: 90, minLon: -180, maxLon: 180 };

type Req = FastifyRequest<{ Params: { id?: string }; Querystring: Record<string, string | undefined> }>;
type Body = Record<string, unknown>;

const str = (b: Body, k: string) => (typeof b[k] === 'string' ? (b[k] as string) : undefined);

function fieldErrors(problems: FieldProblem[], rt: ReportMessages): FormErrors {
  const out: FormErrors = {};
  for (const p of problems) {
    const k = p.field as keyof FormErrors;
    if (out[k]) continue;
    out[k] = rt.errors[p.field]?.[p.code] ?? rt.fallbackError;
  }
  return out;
}

export async function reportPages(app: FastifyInstance, d: ReportPagesDeps): Promise<void> {
  const cfg = d.config.portal;
  const s = d.service;
  const assets = await loadAssets();
  const tileOrigin = cfg.tileUrl ? new URL(cfg.tileUrl.replace(/\{[a-z]\}/g, '0')).origin : undefined;
  const demoMarker = join(d.config.dataDir, 'demo-simulator');
  const demo = () => d.config.demo === 'on' || (d.config.demo === 'auto' && existsSync(demoMarker));
  const authOn = d.config.auth === 'on';

  const send = (req: FastifyRequest, reply: FastifyReply, lang: Lang, here: Here, build: (f: Frame, t: Messages, rt: ReportMessages) => VNode, status = 200) => {
    const nonce = newNonce();
    const frame: Frame = { lang, here, nonce, asset: (n) => assets.url(n), demo: demo() };
    return sendPage(req, reply, build(frame, CATALOGS[lang], RT[lang]), { nonce, tileOrigin, status });
  };

  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: 8 * 1024 * 1024, files: 1, fields: 20, fieldSize: 16 * 1024, parts: 25 },
    // The photo as bytes with its declared type; a file over the limit is marked, not thrown.
    async onFile(part) {
      const bytes = await part.toBuffer();
      (part as unknown as { value: unknown }).value = { bytes, type: part.mimetype, truncated: part.file.truncated, name: part.filename };
    },
  });
  acceptForms(app, 64 * 1024);

  app.setErrorHandler((err, req, reply) => {
    const lang: Lang = req.url.startsWith('/en') ? 'en' : 'de';
    const rt = RT[lang];
    if (err instanceof ProblemError && err.status === 404) return send(req, reply, lang, { page: 'reportList' }, (f, t) => AdminMessagePage({ frame: f, text: t.notFound.text }, t, rt), 404);
    if (err instanceof ProblemError && err.status === 403) return send(req, reply, lang, { page: 'reports' }, (f, t) => AdminMessagePage({ frame: f, text: rt.csrf }, t, rt), 403);
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return reply.status(status).type('text/plain; charset=utf-8').send(lang === 'de' ? 'Die Anfrage ist ungültig.' : 'The request is invalid.');
    req.log.error({ err }, 'report page failed');
    return reply.status(500).type('text/plain; charset=utf-8').send(lang === 'de' ? `Ein Fehler ist aufgetreten (Anfrage ${req.id}).` : `An error occurred (request ${req.id}).`);
  });

  const route = (page: PageName, method: 'GET' | 'POST', handler: (req: Req, reply: FastifyReply, lang: Lang) => Promise<unknown>) => {
    for (const lang of LANGS) app.route({ method, url: PAGES[page][lang], ...open, handler: (req, reply) => handler(req as Req, reply, lang) });
  };

  const formPage = async (req: FastifyRequest, reply: FastifyReply, lang: Lang, values: FormValues, errors: FormErrors, status = 200) => {
    const [categories, csrf] = await Promise.all([s.categories(), d.accounts.formToken(req, reply)]);
    return send(req, reply, lang, { page: 'reports' }, (frame, t, rt) => ReportFormPage({ frame, categories, values, errors, csrf, tileUrl: cfg.tileUrl, tileAttribution: cfg.tileAttribution }, t, rt), status);
  };

  route('reports', 'GET', async (req, reply, lang) => formPage(req, reply, lang, {}, {}));

  route('reports', 'POST', async (req, reply, lang) => {
    const rt = RT[lang];
    const b = (req.body && typeof req.body === 'object' ? req.body : {}) as Body;
    const values: FormValues = { category: str(b, 'category'), description: str(b, 'description'), lat: str(b, 'lat'), lon: str(b, 'lon'), address: str(b, 'address'), email: str(b, 'email') };
    try {
      await d.accounts.verifyForm(req);
    } catch {
      return formPage(req, reply, lang, values, { form: rt.csrf }, 403);
    }
    const wait = d.limit(req);
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      return formPage(req, reply, lang, values, { form: rt.tooMany(wait) }, 429);
    }
    const f = b.photo as { bytes?: Buffer; type?: string; truncated?: boolean } | undefined;
    if (f?.truncated) return formPage(req, reply, lang, values, { photo: rt.errors.photo!.size }, 400);
    const photo = f?.bytes && f.bytes.length > 0 ? { bytes: f.bytes, type: f.type === 'application/octet-stream' ? undefined : f.type } : undefined;
    // The duplicate offer: once, before a new report with coordinates is made.
    if (str(b, 'confirmed') !== '1' && values.category && values.lat && values.lon) {
      const lat = Number(values.lat.trim().replace(',', '.'));
      const lon = Number(values.lon.trim().replace(',', '.'));
      if (Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && (await s.category(values.category))) {
        const candidates = await s.nearbyOpen(values.category, lat, lon);
        if (candidates.length) {
          const [categories, csrf] = await Promise.all([s.categories(), d.accounts.formToken(req, reply)]);
          return send(req, reply, lang, { page: 'reports' }, (frame, t) => DuplicatePage({ frame, categories, values, errors: {}, csrf, candidates, tileAttribution: cfg.tileAttribution }, t, rt));
        }
      }
    }
    try {
      const r = await s.create({ ...values, photo, lang }, 'web');
      const mail = values.email ? '?mail=1' : '';
      return reply.status(303).header('Location', `${href(lang, 'reportThanks', r.id)}${mail}`).send();
    } catch (e) {
      if (e instanceof ReportProblem && e.status === 400) return formPage(req, reply, lang, values, fieldErrors(e.problems, rt), 400);
      throw e;
    }
  });

  route('reportThanks', 'GET', async (req, reply, lang) => {
    const r = await s.get(req.params.id!);
    return send(req, reply, lang, { page: 'reportThanks', id: r.id }, (frame, t, rt) => ThanksPage({ frame, id: r.id, mail: req.query.mail === '1' }, t, rt));
  });

  route('reportList', 'GET', async (req, reply, lang) => {
    const q = req.query;
    const categories = await s.categories();
    const status = STATUSES.includes(q.status as ReportStatus) ? (q.status as ReportStatus) : undefined;
    const category = categories.some((c) => c.code === q.kategorie) ? q.kategorie : undefined;
    const filter = { ...(status ? { statuses: [status] } : {}), ...(category ? { categories: [category] } : {}) };
    const total = await s.cachedRead(`count:${status ?? ''}:${category ?? ''}`, () => s.count(filter));
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(pages, Math.max(1, /^\d{1,6}$/.test(q.seite ?? '') ? Number(q.seite) : 1));
    const [reports, clusters] = await Promise.all([s.list(filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }), s.cachedRead(`clusters:${status ?? ''}:${category ?? ''}`, () => mapClusters(s, filter))]);
    return send(req, reply, lang, { page: 'reportList' }, (frame, t, rt) => ListPage({ frame, reports, total, page, pages, status, category, categories, clusters, tileUrl: cfg.tileUrl, tileAttribution: cfg.tileAttribution }, t, rt));
  });

  route('report', 'GET', async (req, reply, lang) => {
    const r = await s.get(req.params.id!);
    const [history, category] = await Promise.all([s.history(r.id), s.category(r.category)]);
    const photoUrl = r.photo?.state === 'released' ? `/maengelmelder/fotos/${r.id}` : undefined;
    return send(req, reply, lang, { page: 'report', id: r.id }, (frame, t, rt) => ReportPage({ frame, report: r, category, history, photoUrl, tileUrl: cfg.tileUrl, tileAttribution: cfg.tileAttribution }, t, rt));
  });

  // Photos: released ones for everyone; staff also see those waiting for release. Never EXIF (re-encoded on upload).
  app.get('/maengelmelder/fotos/:id', open, async (req: Req, reply) => {
    const staff = (await staffOf(req)) === 'ok';
    const p = await s.photo(req.params.id!, staff);
    if (!p) return reply.status(404).type('text/plain; charset=utf-8').send('Nicht gefunden / Not found');
    return reply.header('Content-Type', p.contentType).header('Cache-Control', staff ? 'private, no-store' : 'public, max-age=300')
      .header('X-Content-Type-Options', 'nosniff').header('Content-Security-Policy', "default-src 'none'").send(p.data);
  });

  // ---- staff pages ----
  const staffOf = async (req: FastifyRequest): Promise<'ok' | 'login' | 'forbidden'> => {
    if (!authOn) return 'ok';
    const sess = await d.accounts.sessionOf(req);
    if (!sess) return 'login';
    return sess.user.roles.some((g) => STAFF.includes(g.role)) ? 'ok' : 'forbidden';
  };
  const gate = async (req: FastifyRequest, reply: FastifyReply, lang: Lang, here: Here): Promise<boolean> => {
    const who = await staffOf(req);
    if (who === 'ok') return true;
    const rt = RT[lang];
    const loginUrl = `/konto/anmelden?returnTo=${encodeURIComponent(href(lang, here.page, here.id))}`;
    await send(req, reply, lang, here, (frame, t) => AdminMessagePage({ frame, text: who === 'login' ? rt.admin.loginNeeded : rt.admin.forbidden, loginUrl: who === 'login' ? loginUrl : undefined }, t, rt), who === 'login' ? 401 : 403);
    return false;
  };

  route('reportAdmin', 'GET', async (req, reply, lang) => {
    if (!(await gate(req, reply, lang, { page: 'reportAdmin' }))) return reply;
    const onlyPhotos = req.query.fotos === '1';
    const status = STATUSES.includes(req.query.status as ReportStatus) ? (req.query.status as ReportStatus) : undefined;
    const [pendingList, categories] = await Promise.all([s.pendingPhotos(200), s.categories()]);
    const reports = onlyPhotos ? pendingList : await s.list(status ? { statuses: [status] } : { statuses: ['received', 'in_progress'] }, { limit: 200, offset: 0 });
    return send(req, reply, lang, { page: 'reportAdmin' }, (frame, t, rt) => AdminListPage({ frame, reports, pending: pendingList.length, onlyPhotos, status, categories }, t, rt));
  });

  const itemPage = async (req: FastifyRequest, reply: FastifyReply, lang: Lang, id: string, extra: { errors?: Record<string, string>; values?: AdminValues; saved?: boolean; status?: number } = {}) => {
    const r = await s.get(id);
    const [history, category, contact, csrf] = await Promise.all([s.history(r.id), s.category(r.category), s.contact(r.id), d.accounts.formToken(req, reply)]);
    const photoUrl = r.photo ? `/maengelmelder/fotos/${r.id}` : undefined;
    return send(req, reply, lang, { page: 'reportAdminItem', id: r.id }, (frame, t, rt) => AdminItemPage({
      frame, report: r, category, history, hasEmail: Boolean(contact?.email), csrf, saved: extra.saved ?? false, errors: extra.errors ?? {}, values: extra.values ?? {}, photoUrl,
    }, t, rt), extra.status ?? 200);
  };
  type AdminValues = { status?: string; note?: string; answer?: string; department?: string };

  route('reportAdminItem', 'GET', async (req, reply, lang) => {
    if (!(await gate(req, reply, lang, { page: 'reportAdminItem', id: req.params.id }))) return reply;
    return itemPage(req, reply, lang, req.params.id!, { saved: req.query.gespeichert === '1' });
  });

  route('reportAdminItem', 'POST', async (req, reply, lang) => {
    if (!(await gate(req, reply, lang, { page: 'reportAdminItem', id: req.params.id }))) return reply;
    const rt = RT[lang];
    // With a session the accounts hook has checked the CSRF token; with access control off, the double-submit one.
    if (!authOn) await d.accounts.verifyForm(req).catch(() => { throw new ProblemError('https://drehscheibe.dev/errors/Forbidden', 403, 'Forbidden', 'CSRF'); });
    const b = (req.body && typeof req.body === 'object' ? req.body : {}) as Body;
    const photo = str(b, 'photo');
    const values: AdminValues = { status: str(b, 'status') || undefined, note: str(b, 'note'), answer: str(b, 'answer'), department: str(b, 'department') };
    const change: StaffChange = photo === 'released' || photo === 'rejected' ? { photo } : { status: values.status as ReportStatus | undefined, note: values.note, answer: values.answer, department: values.department };
    const sess = await d.accounts.sessionOf(req);
    try {
      await s.change(req.params.id!, change, sess ? `user:${sess.user.id}` : 'auth-off', str(b, 'expectedUpdatedAt') || undefined);
    } catch (e) {
      if (e instanceof ReportProblem && e.status === 400) {
        const errors: Record<string, string> = {};
        for (const p of e.problems) errors[p.field] ??= rt.admin.errors[p.field] ?? rt.fallbackError;
        return itemPage(req, reply, lang, req.params.id!, { errors, values, status: 400 });
      }
      if (e instanceof ReportProblem && e.status === 409) return itemPage(req, reply, lang, req.params.id!, { errors: { form: rt.admin.conflict }, values, status: 409 });
      throw e;
    }
    return reply.status(303).header('Location', `${href(lang, 'reportAdminItem', req.params.id)}?gespeichert=1`).send();
  });
}

/** Clusters for the list's map: a grid fine enough for a city, the largest groups first, bounded. */
async function mapClusters(s: ReportService, filter: { statuses?: ReportStatus[]; categories?: string[] }) {
  const clusters = await s.clusters({ ...filter, bbox: WORLD }, 0.005);
  if (clusters.length <= MAX_CLUSTERS) return clusters;
  return [...clusters].sort((a, b) => b.count - a.count).slice(0, MAX_CLUSTERS);
}
