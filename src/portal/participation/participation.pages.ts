// The participation pages' routes, in German (/beteiligung/…) and English (/en/participation/…).
// Routes gather view models through the participation service; forms post here (no JavaScript
// needed), answer with a redirect (post/redirect/get) or the same page with German messages at
// the fields. Posts with a session carry its CSRF token (checked for every route by the accounts'
// hook); anonymous forms (registration, confirmation) carry the double-submit token.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Config } from '../../config/config.ts';
import { Forbidden, ProblemError } from '../../core/errors.ts';
import type { Accounts } from '../../accounts/index.ts';
import type { StrategyService } from '../../strategy/index.ts';
import { ParticipationProblem, acceptImageForms, hasUpload, type ProposalImageService, type FollowService, type GuestService, type EventService, type ParticipationService, type Person, type Problem, type RegistrationService, type SurveyService } from '../../participation/index.ts';
import { loadAssets } from '../assets.ts';
import type { Frame } from '../components/layout.tsx';
import { CATALOGS, type Messages } from '../i18n/index.ts';
import { partDe, type ParticipationMessages } from '../i18n/participation.de.ts';
import { partEn } from '../i18n/participation.en.ts';
import { ErrorPage, NotFoundPage } from '../pages/legal.tsx';
import { LANGS, PAGES, href, type Here, type Lang, type PageName } from '../paths.ts';
import { newNonce, sendPage } from '../render.ts';
import { SurveyPage, SurveyResultsPage } from './survey.pages.tsx';
import { eventPages } from './event.routes.ts';
import { guestFollowPages, guestOfRequest } from './guest-follow.routes.ts';
import { imagePages } from './image.routes.ts';
import { verificationPages } from './verification.routes.ts';
import { BudgetPage, ConfirmPage, ListPage, ModerationPage, MyDataPage, NotAllowedPage, ProcessPage, ProposalFormPage, ProposalPage, RegisterPage, type Viewer } from './pages.tsx';
import { acceptForms } from '../../core/http.ts';
import { renderRich, VerificationRequired, type CiteRef, type RichPart, type VerificationService } from '../../participation/index.ts';
import { resolveCitations, type CitationSource } from './citations.ts';

export interface ParticipationPagesDeps {
  images: ProposalImageService;
  verification: VerificationService;
  config: Readonly<Config>;
  service: ParticipationService;
  surveys: SurveyService;
  events: EventService;
  registration: RegistrationService;
  guests: GuestService;
  follows: FollowService;
  person(req: FastifyRequest): Promise<Person | undefined>;
  deleteAccount(person: Person, password: unknown): Promise<boolean>;
  accounts: Accounts;
  strategy: StrategyService;
  /** Where cited live data is read (KPIs, sensors); without it every citation shows as unavailable. */
  citations?: CitationSource;
}

const PART: Record<Lang, ParticipationMessages> = { de: partDe, en: partEn };
const open = { config: { access: { op: 'public' as const } } };
const PAGE_SIZE = 20;
const THREADS_PER_PAGE = 25;
type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;
type Form = Record<string, string | string[]>;

/** Rendered Markdown (with its citations) of immutable texts (comments, proposals by id and modification), bounded. */
class HtmlCache {
  private readonly map = new Map<string, RichPart[]>();
  get(key: string, text: string): RichPart[] {
    let h = this.map.get(key);
    if (h === undefined) {
      h = renderRich(text);
      if (this.map.size >= 50_000) this.map.delete(this.map.keys().next().value as string);
      this.map.set(key, h);
    }
    return h;
  }
}

export async function participationPages(app: FastifyInstance, d: ParticipationPagesDeps): Promise<void> {
  const cfg = d.config.portal;
  const assets = await loadAssets();
  const s = d.service;
  const tileOrigin = cfg.tileUrl ? new URL(cfg.tileUrl.replace(/\{[a-z]\}/g, '0')).origin : undefined;
  const demoMarker = join(d.config.dataDir, 'demo-simulator');
  const demo = () => d.config.demo === 'on' || (d.config.demo === 'auto' && existsSync(demoMarker));
  const html = new HtmlCache();

  // Forms post url-encoded; repeated fields (budget choices) become lists.
  acceptForms(app, 64 * 1024, true);
  // The proposal form is multipart (its optional image): one file, within the image limits.
  await acceptImageForms(app, 'image');
  const form = (req: FastifyRequest): Record<string, string> => {
    const b = (req.body && typeof req.body === 'object' ? req.body : {}) as Form;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(b)) if (typeof v === 'string' || Array.isArray(v)) out[k] = Array.isArray(v) ? v[0]! : v;
    return out;
  };
  /** The form's image file (multipart), if one was chosen. */
  const upload = (req: FastifyRequest): unknown => ((req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>).image;
  const list = (req: FastifyRequest, k: string): string[] => {
    const v = ((req.body && typeof req.body === 'object' ? req.body : {}) as Form)[k];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };

  const frame = (lang: Lang, here: Here, nonce: string, account?: Frame['account']): Frame => ({ lang, here, nonce, asset: (n) => assets.url(n), demo: demo(), account });
  // The header's account menu (the layout's) needs who is logged in and the token for its logout form.
  const send = async (req: FastifyRequest, reply: FastifyReply, lang: Lang, here: Here, build: (f: Frame, t: Messages, m: ParticipationMessages) => VNode, status = 200) => {
    const nonce = newNonce();
    const person = await d.person(req);
    const account = person ? { name: person.name, csrf: await d.accounts.formToken(req, reply), staff: s.hasRole(person, 'steward') } : undefined;
    reply.header('cache-control', 'no-store');
    return sendPage(req, reply, build(frame(lang, here, nonce, account), CATALOGS[lang], PART[lang]), { nonce, tileOrigin, status });
  };
  const viewer = async (req: FastifyRequest, reply: FastifyReply): Promise<Viewer> => {
    const person = await d.person(req);
    return { person, csrf: await d.accounts.formToken(req, reply), steward: s.hasRole(person, 'steward'), moderator: s.hasRole(person, 'moderator') };
  };
  const messages = (problems: Problem[], m: ParticipationMessages, prefix = ''): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const p of problems) {
      const field = prefix + (p.field === 'parentId' ? 'body' : p.field);
      const msg = m.errors[p.code as keyof typeof m.errors];
      if (!(field in out)) out[field] = typeof msg === 'string' ? msg : p.message;
    }
    return out;
  };
  const badInput = (e: unknown): Problem[] | undefined => (e instanceof ParticipationProblem && e.status === 400 ? e.problems : undefined);
  const langOf = (req: FastifyRequest): Lang => (req.url === '/en' || req.url.startsWith('/en/') ? 'en' : 'de');

  app.setErrorHandler(async (err, req, reply) => {
    const lang = langOf(req);
    const m = PART[lang];
    if (err instanceof ParticipationProblem && err.status === 401) {
      const back = req.method === 'GET' ? req.url : (req.headers.referer && new URL(req.headers.referer, 'http://x').pathname) || href(lang, 'participation');
      return reply.status(303).header('location', `${href(lang, 'login')}?returnTo=${encodeURIComponent(back)}`).send();
    }
    if (err instanceof ProblemError && err.status === 404) return send(req, reply, lang, { page: 'participation' }, (f, t) => NotFoundPage({ frame: f }, t), 404);
    // An unverified person: the German message and the way to the verification page.
    if (err instanceof VerificationRequired) {
      const link = { href: href(lang, 'process', err.processSlug) + '/nachweis', text: m.verification.go };
      return send(req, reply, lang, { page: 'participation' }, (f, t, mm) => NotAllowedPage({ frame: f, detail: mm.verification.required, link }, t, mm), 403);
    }
    if (err instanceof ProblemError && [403, 409, 429].includes(err.status)) {
      let detail = m.notAllowed.forbidden;
      if (err instanceof Forbidden) detail = m.notAllowed.csrf;
      else if (err instanceof ParticipationProblem) {
        if (err.problemName === 'PhaseClosed') detail = m.notAllowed.phase;
        else if (err.status === 409 && err.detail.startsWith('You have answered this survey')) detail = m.notAllowed.surveyAnswered;
        else if (err.status === 409) detail = m.notAllowed.conflict;
        else if (err.status === 429) { detail = m.notAllowed.tooMany; if (err.retryAfterS) reply.header('retry-after', String(err.retryAfterS)); }
        else if (err.detail.startsWith('Confirm your e-mail')) detail = m.notAllowed.unconfirmed;
        else if (err.detail.startsWith('This account is blocked')) detail = m.notAllowed.blocked;
      }
      return send(req, reply, lang, { page: 'participation' }, (f, t, mm) => NotAllowedPage({ frame: f, detail }, t, mm), err.status);
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return reply.status(status).type('text/plain; charset=utf-8').send(lang === 'de' ? 'Die Anfrage ist ungültig.' : 'The request is invalid.');
    req.log.error({ err }, 'participation page failed');
    return send(req, reply, lang, { page: 'participation' }, (f, t) => ErrorPage({ frame: f, requestId: String(req.id) }, t), 500);
  });

  const route = (page: PageName, method: 'GET' | 'POST', handler: (req: Req, reply: FastifyReply, lang: Lang) => Promise<unknown>, suffix = '') => {
    for (const lang of LANGS) app.route({ method, url: PAGES[page][lang] + suffix, ...open, handler: (req, reply) => handler(req as Req, reply, lang) });
  };
  const notice = (req: Req, m: ParticipationMessages) => (req.query.hinweis ? m.notices[req.query.hinweis] : undefined);
  const projectTitle = async (slug: string | undefined, lang: Lang) => {
    if (!slug) return undefined;
    try { const p = await d.strategy.project(slug); return p.title[lang] || p.title.de; } catch { return undefined; }
  };

  route('participation', 'GET', async (req, reply, lang) => {
    const [v, processes] = await Promise.all([viewer(req, reply), s.overview()]);
    return send(req, reply, lang, { page: 'participation' }, (frame, t, m) => ListPage({ frame, viewer: v, processes, notice: notice(req, m) }, t, m));
  });

  route('process', 'GET', async (req, reply, lang) => {
    const slug = req.params.id!;
    const view = await s.process(slug);
    const q = req.query;
    const category = q.kategorie && view.process.categories.includes(q.kategorie) ? q.kategorie : undefined;
    const text = (q.suche ?? '').trim().slice(0, 100) || undefined;
    const sort = q.sortierung === 'supports' || q.sortierung === 'comments' ? q.sortierung : 'newest';
    const page = Math.max(1, Math.min(10_000, parseInt(q.seite ?? '1', 10) || 1));
    const [v, r, points, pt, surveys] = await Promise.all([
      viewer(req, reply), s.proposals(slug, { category, text, sort, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }), s.proposalPoints(slug, 500), projectTitle(view.process.projectSlug, lang), d.surveys.list(slug),
    ]);
    const following = await d.follows.isFollowing(v.person, 'process', slug);
    return send(req, reply, lang, { page: 'process', id: slug }, (frame, t, m) => ProcessPage({
      frame, viewer: v, view, projectTitle: pt, proposals: r.items, total: r.total, page, pageSize: PAGE_SIZE, filter: { category, q: text, sort }, points,
      surveys: surveys.map((survey) => ({ survey, resultsVisible: d.surveys.resultsVisible(survey, v.person) })), following, tileUrl: cfg.tileUrl, tileAttribution: cfg.tileAttribution,
    }, t, m));
  });

  // The proposal page, also answering a form with errors (status 400) in place.
  const proposalPage = async (req: Req, reply: FastifyReply, lang: Lang, errors: Record<string, string> = {}, values: Record<string, string> = {}, status = 200) => {
    const id = req.params.id!;
    const [{ proposal, view }, v] = await Promise.all([s.proposal(id), viewer(req, reply)]);
    const [comments, supported, pt] = await Promise.all([s.comments({ kind: 'proposal', id }), s.hasSupport(id, v.person), projectTitle(proposal.answer?.projectSlug, lang)]);
    // Threads in pages of THREADS_PER_PAGE top-level comments (oldest first); ?kommentar=<id> opens the page with that comment.
    const parentOf = new Map(comments.map((c) => [c.id, c.parentId]));
    const rootOf = (id: string) => { let r = id; for (let i = 0; i < 100 && parentOf.get(r) && parentOf.has(parentOf.get(r)!); i++) r = parentOf.get(r)!; return r; };
    const roots = comments.filter((c) => !c.parentId || !parentOf.has(c.parentId)).map((c) => c.id);
    const pages = Math.max(1, Math.ceil(roots.length / THREADS_PER_PAGE));
    let cpage = Math.min(pages, Math.max(1, parseInt(req.query.kommentarseite ?? '1', 10) || 1));
    if (req.query.kommentar && parentOf.has(req.query.kommentar)) cpage = Math.floor(roots.indexOf(rootOf(req.query.kommentar)) / THREADS_PER_PAGE) + 1;
    const shown = new Set(roots.slice((cpage - 1) * THREADS_PER_PAGE, cpage * THREADS_PER_PAGE));
    const pageComments = pages === 1 ? comments : comments.filter((c) => shown.has(rootOf(c.id)));
    const commentHtml = new Map<string, RichPart[]>();
    for (const c of pageComments) if (!c.moderation) commentHtml.set(c.id, html.get(`c:${c.id}`, c.body));
    const rated = await s.ratedComments(v.person, pageComments.map((c) => c.id));
    const visible = proposal.state !== 'hidden' || (v.person && v.person.id === proposal.authorId);
    const body = visible ? html.get(`p:${proposal.id}:${proposal.modifiedAt}`, proposal.body) : [];
    // The live data cited on this page, read once per distinct citation.
    const refs: CiteRef[] = [];
    for (const parts of [body, ...commentHtml.values()]) for (const p of parts) if ('cite' in p) refs.push(p.cite);
    const cites = await resolveCitations(d.citations, refs, Date.parse(s.now()));
    const following = await d.follows.isFollowing(v.person, 'proposal', id);
    const guest = view.process.guests ? { open: view.allowed.includes('comment'), waiting: await d.guests.mine(guestOfRequest(req), id) } : undefined;
    const image = visible ? await d.images.visible(proposal, v.person) : undefined;
    return send(req, reply, lang, { page: 'proposal', id }, (frame, t, m) => ProposalPage({
      frame, viewer: v, view, proposal, body, cites, comments: pageComments, commentCount: comments.length, commentPage: cpage, commentPages: pages, commentHtml, rated, supported, following, guest, canEdit: s.canEdit(proposal, view, v.person), image, projectTitle: pt,
      notice: notice(req, m), errors, values,
    }, t, m), status);
  };
  route('proposal', 'GET', (req, reply, lang) => proposalPage(req, reply, lang));

  const back = (reply: FastifyReply, lang: Lang, id: string, hint: string, anchor = '') => reply.status(303).header('location', `${href(lang, 'proposal', id)}?hinweis=${hint}${anchor}`).send();

  route('proposal', 'POST', async (req, reply, lang) => {
    const id = req.params.id!;
    const add = form(req).aktion !== 'zuruecknehmen';
    if (add) await s.support(await d.person(req), id);
    else await s.unsupport(await d.person(req), id);
    return back(reply, lang, id, add ? 'supported' : 'unsupported', '#unterstuetzung');
  }, '/unterstuetzen');

  route('proposal', 'POST', async (req, reply, lang) => {
    const f = form(req);
    try {
      const c = await s.comment(await d.person(req), { kind: 'proposal', id: req.params.id! }, f.body, f.parentId);
      return reply.status(303).header('location', `${href(lang, 'proposal', req.params.id!)}?hinweis=commented&kommentar=${c.id}#kommentar-${c.id}`).send();
    } catch (e) {
      const problems = badInput(e);
      if (!problems) throw e;
      return proposalPage(req, reply, lang, messages(problems, PART[lang]), { body: f.body ?? '' }, 400);
    }
  }, '/kommentare');

  const targetRoute = (suffix: string, kind: 'proposal' | 'comment', run: (person: Person | undefined, target: { kind: 'proposal' | 'comment'; id: string }, f: Record<string, string>) => Promise<unknown>, hint: string, errorField: string) => {
    route('proposal', 'POST', async (req, reply, lang) => {
      const f = form(req);
      const target = { kind, id: kind === 'proposal' ? req.params.id! : req.params.cid! };
      try {
        await run(await d.person(req), target, f);
      } catch (e) {
        const problems = badInput(e);
        if (!problems) throw e;
        const first = Object.values(messages(problems, PART[lang]))[0] ?? '';
        return proposalPage(req, reply, lang, { [errorField.replace(':cid', target.id)]: first }, {}, 400);
      }
      return back(reply, lang, req.params.id!, hint, kind === 'comment' ? `#kommentar-${target.id}` : '');
    }, suffix);
  };
  targetRoute('/melden', 'proposal', (p, t, f) => s.report(p, t, f.reason), 'reported', 'reason');
  targetRoute('/ausblenden', 'proposal', (p, t, f) => s.hide(p, t, f.reason), 'hidden', 'hide-reason');
  targetRoute('/wiederherstellen', 'proposal', (p, t) => s.restore(p, t), 'restored', 'hide-reason');
  targetRoute('/kommentare/:cid/melden', 'comment', (p, t, f) => s.report(p, t, f.reason), 'reported', 'meldung-:cid');
  targetRoute('/kommentare/:cid/ausblenden', 'comment', (p, t, f) => s.hide(p, t, f.reason), 'hidden', 'ausblenden-:cid');
  targetRoute('/kommentare/:cid/wiederherstellen', 'comment', (p, t) => s.restore(p, t), 'restored', 'ausblenden-:cid');

  route('proposal', 'POST', async (req, reply, lang) => {
    const add = form(req).aktion !== 'zuruecknehmen';
    await s.rateComment(await d.person(req), req.params.cid!, add);
    return back(reply, lang, req.params.id!, add ? 'rated' : 'unrated', `&kommentar=${encodeURIComponent(req.params.cid!)}#kommentar-${req.params.cid!}`);
  }, '/kommentare/:cid/hilfreich');

  route('proposal', 'POST', async (req, reply, lang) => {
    await s.withdraw(await d.person(req), req.params.id!);
    return back(reply, lang, req.params.id!, 'withdrawn');
  }, '/zurueckziehen');

  route('proposal', 'POST', async (req, reply, lang) => {
    const f = form(req);
    try {
      await s.answer(await d.person(req), req.params.id!, { status: f.status, text: f.text, projectSlug: f.projectSlug });
    } catch (e) {
      const problems = badInput(e);
      if (!problems) throw e;
      return proposalPage(req, reply, lang, messages(problems, PART[lang]), { status: f.status ?? '', text: f.text ?? '', projectSlug: f.projectSlug ?? '' }, 400);
    }
    return back(reply, lang, req.params.id!, 'answered', '#antwort');
  }, '/antwort');

  route('proposal', 'POST', async (req, reply, lang) => {
    const f = form(req);
    try {
      await s.estimate(await d.person(req), req.params.id!, f.cost ?? '');
    } catch (e) {
      const problems = badInput(e);
      if (!problems) throw e;
      return proposalPage(req, reply, lang, messages(problems, PART[lang]), { cost: f.cost ?? '' }, 400);
    }
    return back(reply, lang, req.params.id!, 'costSaved');
  }, '/kosten');

  // New and edited proposals.
  const formPage = async (req: Req, reply: FastifyReply, lang: Lang, slug: string, editing: string | undefined, values: Record<string, string>, errors: Record<string, string>, status = 200) => {
    const [view, v] = await Promise.all([s.process(slug), viewer(req, reply)]);
    const image = editing ? await s.proposal(editing).then(({ proposal }) => d.images.visible(proposal, v.person)) : undefined;
    return send(req, reply, lang, { page: editing ? 'editProposal' : 'newProposal', id: editing ?? slug }, (frame, t, m) => ProposalFormPage({ frame, viewer: v, view, editing, image, values, errors, tileUrl: cfg.tileUrl, tileAttribution: cfg.tileAttribution }, t, m), status);
  };
  /** The form's messages; a chosen image that was fine must be chosen again (browsers do not keep files). */
  const formErrors = (req: FastifyRequest, problems: Problem[], lang: Lang) => {
    const errors = messages(problems, PART[lang]);
    if (hasUpload(upload(req)) && !errors.image && Object.keys(errors).length) errors.image = PART[lang].errors.image_again;
    return errors;
  };
  route('newProposal', 'GET', async (req, reply, lang) => {
    await s.check(await d.person(req), 'propose', await s.process(req.params.id!));
    return formPage(req, reply, lang, req.params.id!, undefined, {}, {});
  });
  route('newProposal', 'POST', async (req, reply, lang) => {
    const f = form(req);
    try {
      const p = await d.images.propose(await d.person(req), req.params.id!, f, upload(req), f.alt);
      return reply.status(303).header('location', `${href(lang, 'proposal', p.id)}?hinweis=published`).send();
    } catch (e) {
      const problems = badInput(e);
      if (!problems) throw e;
      return formPage(req, reply, lang, req.params.id!, undefined, f, formErrors(req, problems, lang), 400);
    }
  });
  route('editProposal', 'GET', async (req, reply, lang) => {
    const person = await d.person(req);
    const { proposal, view } = await s.proposal(req.params.id!);
    await s.check(person, 'propose', view);
    if (!s.canEdit(proposal, view, person)) throw new ParticipationProblem('Conflict', 409, 'Conflict', 'not editable');
    const values = { title: proposal.title, body: proposal.body, category: proposal.category ?? '', lat: proposal.point ? String(proposal.point[1]) : '', lon: proposal.point ? String(proposal.point[0]) : '' };
    return formPage(req, reply, lang, proposal.processSlug, proposal.id, values, {});
  });
  route('editProposal', 'POST', async (req, reply, lang) => {
    const f = form(req);
    try {
      await d.images.edit(await d.person(req), req.params.id!, f, upload(req), f.alt);
      return back(reply, lang, req.params.id!, 'saved');
    } catch (e) {
      const problems = badInput(e);
      if (!problems) throw e;
      const { proposal } = await s.proposal(req.params.id!);
      return formPage(req, reply, lang, proposal.processSlug, proposal.id, f, formErrors(req, problems, lang), 400);
    }
  });

  // The participatory budget.
  const budgetPage = async (req: Req, reply: FastifyReply, lang: Lang, chosen: string[], errors: Record<string, string>, status = 200) => {
    const slug = req.params.id!;
    const view = await s.process(slug);
    if (view.process.budget === undefined) throw new ParticipationProblem('NotFound', 404, 'Not found', 'no budget');
    const v = await viewer(req, reply);
    const [proposals, ballot] = await Promise.all([s.budgetProposals(slug), s.ballot(v.person, slug)]);
    const result = s.resultPublic(view) || v.steward ? await s.budgetResult(v.person, slug) : undefined;
    return send(req, reply, lang, { page: 'budget', id: slug }, (frame, t, m) => BudgetPage({ frame, viewer: v, view, proposals, ballot, chosen, errors, result, notice: notice(req, m) }, t, m), status);
  };
  route('budget', 'GET', (req, reply, lang) => budgetPage(req, reply, lang, [], {}));
  route('budget', 'POST', async (req, reply, lang) => {
    const chosen = list(req, 'proposalIds');
    try {
      await s.castBallot(await d.person(req), req.params.id!, chosen);
      return reply.status(303).header('location', `${href(lang, 'budget', req.params.id!)}?hinweis=voted`).send();
    } catch (e) {
      const problems = badInput(e);
      if (!problems) throw e;
      return budgetPage(req, reply, lang, chosen, messages(problems, PART[lang]), 400);
    }
  });

  // Surveys: the form (answer once), the steward's publish switch, the results.
  const surveyPage = async (req: Req, reply: FastifyReply, lang: Lang, values: Record<string, string | string[]>, errors: Record<string, string>, status = 200) => {
    const [{ survey, view }, v] = await Promise.all([d.surveys.get(req.params.id!), viewer(req, reply)]);
    const answered = !!(await d.surveys.mine(v.person, survey.id));
    const guest = view.process.guests ? { waiting: (await d.guests.mine(guestOfRequest(req), survey.id)).length > 0 } : undefined;
    return send(req, reply, lang, { page: 'survey', id: survey.id }, (frame, t, m) => SurveyPage({ frame, viewer: v, view, survey, answered, guest, values, errors, notice: notice(req, m) }, t, m), status);
  };
  route('survey', 'GET', (req, reply, lang) => surveyPage(req, reply, lang, {}, {}));
  route('survey', 'POST', async (req, reply, lang) => {
    const b = (req.body && typeof req.body === 'object' ? req.body : {}) as Form;
    const values: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(b)) if (k !== '_csrf') values[k] = v;
    try {
      await d.surveys.answer(await d.person(req), req.params.id!, values);
      return reply.status(303).header('location', `${href(lang, 'survey', req.params.id!)}?hinweis=surveyAnswered`).send();
    } catch (e) {
      const problems = badInput(e);
      if (!problems) throw e;
      return surveyPage(req, reply, lang, values, messages(problems, PART[lang]), 400);
    }
  });
  route('survey', 'POST', async (req, reply, lang) => {
    const published = form(req).published === 'true';
    await d.surveys.publish(await d.person(req), req.params.id!, published);
    return reply.status(303).header('location', `${href(lang, 'survey', req.params.id!)}?hinweis=${published ? 'surveyPublished' : 'surveyUnpublished'}`).send();
  }, '/veroeffentlichen');
  route('surveyResults', 'GET', async (req, reply, lang) => {
    const [{ survey, view }, v] = await Promise.all([d.surveys.get(req.params.id!), viewer(req, reply)]);
    const results = d.surveys.resultsVisible(survey, v.person) ? await d.surveys.results(v.person, survey.id) : undefined;
    return send(req, reply, lang, { page: 'surveyResults', id: survey.id }, (frame, t, m) => SurveyResultsPage({ frame, viewer: v, view, survey, results }, t, m));
  });

  // Registration, confirmation, login.
  const minLength = d.config.accounts.passwordMinLength;
  route('register', 'GET', async (req, reply, lang) => {
    const csrf = await d.accounts.formToken(req, reply);
    return send(req, reply, lang, { page: 'register' }, (frame, t, m) => RegisterPage({ frame, csrf, sent: req.query.gesendet === '1', values: {}, errors: {}, minLength }, t, m));
  });
  route('register', 'POST', async (req, reply, lang) => {
    await d.accounts.verifyForm(req);
    const f = form(req);
    const m = PART[lang];
    const v = d.registration.check(f);
    const errors: Record<string, string> = {};
    for (const p of v.problems) errors[p.field] = p.code === 'password_short' ? m.errors.password_short(minLength) : m.errors[p.code];
    if (!v.problems.length) {
      const wait = d.registration.take(req.ip);
      if (wait) errors.email = m.errors.tooMany(wait);
    }
    if (Object.keys(errors).length) {
      const csrf = await d.accounts.formToken(req, reply);
      return send(req, reply, lang, { page: 'register' }, (frame, t, mm) => RegisterPage({ frame, csrf, sent: false, values: { email: f.email ?? '', displayName: f.displayName ?? '' }, errors, minLength }, t, mm), errors.email?.startsWith(m.errors.tooMany(0).slice(0, 10)) ? 429 : 400);
    }
    d.registration.start(v, lang);
    return reply.status(303).header('location', `${href(lang, 'register')}?gesendet=1`).send();
  });
  route('confirm', 'GET', async (req, reply, lang) => {
    const csrf = await d.accounts.formToken(req, reply);
    const token = req.query.token ?? '';
    return send(req, reply, lang, { page: 'confirm' }, (frame, t, m) => ConfirmPage({ frame, csrf, token, failed: !/^[A-Za-z0-9_-]{20,128}$/.test(token) }, t, m));
  });
  route('confirm', 'POST', async (req, reply, lang) => {
    await d.accounts.verifyForm(req);
    const u = await d.registration.confirm(form(req).token);
    if (!u) {
      const csrf = await d.accounts.formToken(req, reply);
      return send(req, reply, lang, { page: 'confirm' }, (frame, t, m) => ConfirmPage({ frame, csrf, token: '', failed: true }, t, m), 400);
    }
    return reply.status(303).header('location', `${href(lang, 'login')}?bestaetigt=1&returnTo=${encodeURIComponent(href(lang, 'participation'))}`).send();
  });
  // One login page, the portal's (/anmelden): its form answers a wrong password with the page again and a
  // German message at the field. The participation's old address leads there, keeping where to go back to.
  route('participationLogin', 'GET', async (req, reply, lang) => {
    const z = req.query.zurueck ?? req.query.returnTo ?? '';
    const q = new URLSearchParams();
    if (/^\/(?!\/)[^\s\\]*$/.test(z)) q.set('returnTo', z);
    if (req.query.bestaetigt === '1') q.set('bestaetigt', '1');
    const qs = q.toString();
    return reply.status(303).header('location', `${href(lang, 'login')}${qs ? `?${qs}` : ''}`).send();
  });

  // The person's own data: export and deletion of the account.
  const myData = async (req: Req, reply: FastifyReply, lang: Lang, error?: string, status = 200) => {
    const v = await viewer(req, reply);
    if (!v.person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in');
    return send(req, reply, lang, { page: 'myData' }, (frame, t, m) => MyDataPage({ frame, viewer: v, error }, t, m), status);
  };
  route('myData', 'GET', (req, reply, lang) => myData(req, reply, lang));
  route('myData', 'POST', async (req, reply, lang) => {
    const p = await d.person(req);
    if (!p) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in');
    if (!(await d.deleteAccount(p, form(req).password))) return myData(req, reply, lang, PART[lang].myData.wrongPassword, 400);
    return reply.status(303).header('location', `${href(lang, 'participation')}?hinweis=deleted`).send();
  });

  // Moderation.
  const moderationPage = async (req: Req, reply: FastifyReply, lang: Lang, errors: Record<string, string> = {}, status = 200) => {
    const v = await viewer(req, reply);
    const reports = await s.reports(v.person);
    const guests = await d.guests.pending(v.person);
    const images = await d.images.pending(v.person);
    return send(req, reply, lang, { page: 'moderation' }, (frame, t, m) => ModerationPage({ frame, viewer: v, reports, guests, images, notice: status === 200 ? notice(req, m) : undefined, errors }, t, m), status);
  };
  route('moderation', 'GET', (req, reply, lang) => moderationPage(req, reply, lang));
  const modRoute = (suffix: string, run: (p: Person | undefined, target: { kind: 'proposal' | 'comment'; id: string }, f: Record<string, string>) => Promise<unknown>, hint: string) => {
    route('moderation', 'POST', async (req, reply, lang) => {
      const f = form(req);
      const target = { kind: f.kind === 'proposal' ? 'proposal' as const : 'comment' as const, id: f.id ?? '' };
      const person = await d.person(req);
      try {
        await run(person, target, f);
      } catch (e) {
        const problems = badInput(e);
        if (!problems) throw e;
        return moderationPage(req, reply, lang, messages(problems, PART[lang]), 400);
      }
      return reply.status(303).header('location', `${href(lang, 'moderation')}?hinweis=${hint}`).send();
    }, suffix);
  };
  modRoute('/ausblenden', (p, t, f) => s.hide(p, t, f.reason), 'hidden');
  modRoute('/verwerfen', (p, t) => s.dismissReports(p, t), 'dismissed');
  modRoute('/sperren', async (p, t, f) => { const author = await s.authorOf(p, t); await s.block(p, author, f.days, f.reason); await s.dismissReports(p, t); }, 'blocked');

  // Proposals' images: the file (404 unless released, or for its author and moderators), removal, release, rejection.
  verificationPages(app, { service: s, verification: d.verification, route, send, viewer, form, badInput, messages: (p, m) => messages(p, m), part: PART });
  imagePages({ images: d.images, person: d.person, route, form, badInput, messages: (p, m) => messages(p, m), part: PART, moderationPage });

  // Guests' comments, following, notification settings, unsubscribe links, guest moderation.
  guestFollowPages({ guests: d.guests, follows: d.follows, accounts: d.accounts, person: d.person, route, send, viewer, form, messages, badInput, notice, part: PART, proposalPage, surveyPage });

  // Events with registration, and the stewards' event pages.
  eventPages({ service: s, events: d.events, person: d.person, route, send, viewer, form, messages: (p, m) => messages(p, m), badInput, notice, part: PART, tileUrl: cfg.tileUrl, tileAttribution: cfg.tileAttribution });
}
