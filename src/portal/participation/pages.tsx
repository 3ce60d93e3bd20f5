// The participation pages: process list, process (timeline, proposals with filter, map), proposal
// (text, support, comments, the city's answer), proposal form, participatory budget, registration,
// login, moderation. Pages only render their view models; routes gather them (participation.pages.ts).
import type { Ballot, BudgetResult, Comment, Person, ProcessCounts, ProcessView, Proposal, Survey } from '../../participation/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import type { Messages } from '../i18n/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { href } from '../paths.ts';
import { Button, CommentThread, Csrf, ErrorList, Notice, PField, PhaseTimeline, ProposalCard } from './components.tsx';
import { FollowButton, GuestCommentForm, GuestQueue, GuestWaiting } from './guest-follow.pages.tsx';
import type { GuestContribution, HeldContribution, ProposalImageMeta } from '../../participation/index.ts';
import { ImageFields, ImageQueue, ProposalImageFigure } from './image.pages.tsx';
import type { RichPart } from '../../participation/index.ts';
import type { CitationView } from './citations.ts';
import { UserText, citeContext, hasCitedHistory } from './citation.cells.tsx';

type Errors = Record<string, string>;
const errList = (e: Errors) => Object.entries(e).map(([field, message]) => ({ field, message }));
const L = (frame: Frame, x: { de: string; en: string }) => x[frame.lang] || x.de;

export interface Viewer {
  person?: Person;
  csrf: string;
  steward: boolean;
  moderator: boolean;
}

function Paragraphs({ text }: { text: string }) {
  return <>{text.split(/\n\s*\n/).filter(Boolean).map((para) => <p>{para}</p>)}</>;
}

/** The first paragraph of a text, cut after about 240 characters at a word boundary. */
export function teaser(text: string | undefined, max = 240): string {
  const first = (text ?? '').split(/\n\s*\n/).map((p) => p.trim()).find(Boolean) ?? '';
  if (first.length <= max) return first;
  const cut = first.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2)).replace(/[\s,;:.–-]+$/, '')} …`;
}

export function AccountBar({ frame, viewer, m }: { frame: Frame; viewer: Viewer; m: ParticipationMessages }) {
  const lang = frame.lang;
  if (!viewer.person) {
    return <p class="account-bar"><a class="kern-link" href={href(lang, 'login')}>{m.list.login}</a> · <a class="kern-link" href={href(lang, 'register')}>{m.list.register}</a></p>;
  }
  return (
    <div class="account-bar">
      <span>{m.list.loggedInAs(viewer.person.name)}</span> · <a class="kern-link" href={href(lang, 'myData')}>{m.myData.title}</a> · <a class="kern-link" href={href(lang, 'notifications')}>{m.follow.settings}</a>
      {viewer.moderator && <> · <a class="kern-link" href={href(lang, 'moderation')}>{m.list.moderation}</a></>}
    </div>
  );
}

/** What citizens may do in a phase, as the landing page names it (surveys: on the process page, which knows whether there are any). */
const CITIZEN_ACTIONS = ['propose', 'comment', 'support', 'vote'] as const;

export function ListPage(x: { frame: Frame; viewer: Viewer; processes: Array<{ view: ProcessView; counts: ProcessCounts }>; notice?: string }, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  return (
    <Layout frame={x.frame} t={t} title={m.list.title}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      {x.notice && <Notice kind="success">{x.notice}</Notice>}
      <h1 class="kern-heading-x-large">{m.list.title}</h1>
      <p>{m.list.intro}</p>
      <p><a class="kern-link" href={href(lang, 'events')}>{m.list.events}</a> · <a class="kern-link" href="/api/participation/events.ics">{m.list.calendar}</a></p>
      {x.processes.length === 0 ? <p>{m.list.none}</p> : (
        <ul class="process-list">
          {x.processes.map(({ view: v, counts: c }) => {
            const current = v.process.phases.find((p) => p.kind === v.phase);
            const open = CITIZEN_ACTIONS.filter((a) => v.allowed.includes(a) && (a !== 'vote' || v.process.budget !== undefined));
            const title = L(x.frame, v.process.title);
            const desc = teaser(L(x.frame, v.process.description));
            return (
              <li class="process-card">
                <h2 class="kern-heading-medium"><a class="kern-link" href={href(lang, 'process', v.process.slug)}>{title}</a></h2>
                <p class="process-card__phase">
                  <strong>{m.process.now(m.phases[v.phase]!)}</strong>
                  {current && <> {m.list.until(t.formatDate(new Date(Date.parse(current.end) - 1).toISOString()))}</>}
                  {v.next && <><br /><span class="kern-body--small">{m.process.next(m.phases[v.next.kind]!, t.formatDate(v.next.start))}</span></>}
                </p>
                {desc && <p>{desc}</p>}
                <p class="process-card__open">{open.length ? m.list.openNow(open.map((a) => m.list.actions[a]).join(', ')) : m.list.closedNow}</p>
                <dl class="process-counts">
                  <div><dt>{m.process.proposals}</dt><dd>{t.formatNumber(c.proposals)}</dd></div>
                  <div><dt>{m.proposal.comments}</dt><dd>{t.formatNumber(c.comments)}</dd></div>
                  <div><dt>{m.list.supports}</dt><dd>{t.formatNumber(c.supports)}</dd></div>
                </dl>
              </li>
            );
          })}
        </ul>
      )}
    </Layout>
  );
}

export interface ProcessModel {
  frame: Frame;
  viewer: Viewer;
  view: ProcessView;
  projectTitle?: string;
  proposals: Proposal[];
  total: number;
  page: number;
  pageSize: number;
  filter: { category?: string; q?: string; sort: string };
  points: Array<{ id: string; title: string; point: [number, number] }>;
  /** The process's surveys (each with whether its results are shown to this viewer). */
  surveys: Array<{ survey: Survey; resultsVisible: boolean }>;
  /** Whether the logged-in viewer follows the process. */
  following?: boolean;
  tileUrl?: string;
  tileAttribution?: string;
}

export function ProcessPage(x: ProcessModel, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  const p = x.view.process;
  const pages = Math.max(1, Math.ceil(x.total / x.pageSize));
  const qs = (page: number) => {
    const u = new URLSearchParams();
    if (x.filter.category) u.set('kategorie', x.filter.category);
    if (x.filter.q) u.set('suche', x.filter.q);
    if (x.filter.sort !== 'newest') u.set('sortierung', x.filter.sort);
    if (page > 1) u.set('seite', String(page));
    const s = u.toString();
    return `${href(lang, 'process', p.slug)}${s ? `?${s}` : ''}#vorschlaege`;
  };
  const canPropose = x.view.allowed.includes('propose');
  const features = x.points.map((f) => ({ id: f.id, name: f.title, lat: f.point[1], lon: f.point[0], text: m.proposal.coords(t.formatCoord(f.point[1]), t.formatCoord(f.point[0])) }));
  const hasMap = features.length > 0 || !!p.area;
  return (
    <Layout frame={x.frame} t={t} title={L(x.frame, p.title)} styles={hasMap ? ['leaflet.css'] : []} scripts={hasMap ? ['map.js'] : []}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <h1 class="kern-heading-x-large">{L(x.frame, p.title)}</h1>
      {x.viewer.person && <FollowButton kind="process" id={p.slug} following={!!x.following} csrf={x.viewer.csrf} back={href(lang, 'process', p.slug)} lang={lang} m={m} />}
      <p class="kern-body--small">{m.process.now(m.phases[x.view.phase]!)}{x.view.next && <> · {m.process.next(m.phases[x.view.next.kind]!, t.formatDate(x.view.next.start))}</>}</p>
      <Paragraphs text={L(x.frame, p.description)} />
      {p.projectSlug && <p>{m.process.project}: <a class="kern-link" href={href(lang, 'project', p.projectSlug)}>{x.projectTitle ?? p.projectSlug}</a></p>}
      <h2 class="kern-heading-large">{m.process.phases}</h2>
      <PhaseTimeline phases={p.phases} current={x.view.phase} m={m} t={t} />
      <p class="action-row">
        {canPropose && <a class="kern-btn kern-btn--primary" href={href(lang, 'newProposal', p.slug)}><span class="kern-label">{m.process.newProposal}</span></a>}
        {p.budget !== undefined && <a class="kern-btn kern-btn--secondary" href={href(lang, 'budget', p.slug)}><span class="kern-label">{m.process.budget}</span></a>}
      </p>
      {!canPropose && <p>{m.process.closedPropose}</p>}
      {x.surveys.length > 0 && (
        <section aria-labelledby="umfragen">
          <h2 class="kern-heading-large" id="umfragen">{m.survey.section}</h2>
          <ul class="process-list">
            {x.surveys.map(({ survey, resultsVisible }) => (
              <li>
                <h3 class="kern-heading-small"><a class="kern-link" href={href(lang, 'survey', survey.id)}>{L(x.frame, survey.title)}</a></h3>
                {resultsVisible && <p><a class="kern-link" href={href(lang, 'surveyResults', survey.id)}>{m.survey.results}<span class="kern-sr-only">: {L(x.frame, survey.title)}</span></a></p>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="vorschlaege">
        <h2 class="kern-heading-large" id="vorschlaege">{m.process.proposals} ({m.process.count(x.total)})</h2>
        <form method="get" action={`${href(lang, 'process', p.slug)}#vorschlaege`} class="filter-form" role="search" aria-label={m.process.filter}>
          {p.categories.length > 0 && <PField id="kategorie" name="kategorie" type="select" label={m.process.category} value={x.filter.category ?? ''} errorPrefix={m.errors.prefix}
            options={[{ value: '', label: m.process.allCategories }, ...p.categories.map((c) => ({ value: c, label: c }))]} />}
          <PField id="suche" name="suche" label={m.process.search} value={x.filter.q ?? ''} errorPrefix={m.errors.prefix} />
          <PField id="sortierung" name="sortierung" type="select" label={m.process.sort} value={x.filter.sort} errorPrefix={m.errors.prefix}
            options={[{ value: 'newest', label: m.process.sortNewest }, { value: 'supports', label: m.process.sortSupports }, { value: 'comments', label: m.process.sortComments }]} />
          <Button secondary>{m.process.apply}</Button>
        </form>
        {x.proposals.length === 0 ? <p>{m.process.noProposals}</p> : <ul class="proposal-list">{x.proposals.map((pr) => <ProposalCard p={pr} lang={lang} m={m} t={t} />)}</ul>}
        {pages > 1 && (
          <nav aria-label={m.process.pagination} class="pagination">
            {x.page > 1 && <a class="kern-link" href={qs(x.page - 1)}>{m.process.prev}</a>}
            <span>{m.process.page(x.page, pages)}</span>
            {x.page < pages && <a class="kern-link" href={qs(x.page + 1)}>{m.process.next2}</a>}
          </nav>
        )}
      </section>
      <section aria-labelledby="offene-daten">
        <h2 class="kern-heading-large" id="offene-daten">{m.openData.title}</h2>
        <p>{m.openData.intro}</p>
        <ul class="kern-list">
          <li><a class="kern-link" href={`/api/participation/processes/${encodeURIComponent(p.slug)}/export.json`}>{m.openData.json}</a></li>
          <li><a class="kern-link" href={`/api/participation/processes/${encodeURIComponent(p.slug)}/proposals.csv`} download>{m.openData.proposalsCsv}</a></li>
          <li><a class="kern-link" href={`/api/participation/processes/${encodeURIComponent(p.slug)}/comments.csv`} download>{m.openData.commentsCsv}</a></li>
        </ul>
      </section>
      {hasMap && (
        <section class="map-section" hidden aria-labelledby="karte">
          <h2 class="kern-heading-large" id="karte">{m.process.map}</h2>
          <p>{m.process.mapHint}</p>
          <div class="portal-map" hidden role="region" aria-label={m.process.map} data-features={JSON.stringify(features)}
            data-geojson={p.area ? JSON.stringify(p.area) : undefined} data-tile-url={x.tileUrl} data-attribution={x.tileAttribution} data-no-tiles={t.map.noTiles}></div>
        </section>
      )}
    </Layout>
  );
}

export interface ProposalModel {
  frame: Frame;
  viewer: Viewer;
  view: ProcessView;
  proposal: Proposal;
  /** The proposal's text: sanitised HTML and the live data it cites. */
  body: RichPart[];
  /** The cited live data of this page (proposal and comments), by citeKey. */
  cites: Map<string, CitationView>;
  /** The comments of this page of threads. */
  comments: Comment[];
  commentCount: number;
  commentPage: number;
  commentPages: number;
  commentHtml: Map<string, RichPart[]>;
  /** The comments of this page the viewer rated "hilfreich". */
  rated?: Set<string>;
  supported: boolean;
  /** Whether the logged-in viewer follows the proposal. */
  following?: boolean;
  /** Where the process takes guests: the guest's own contributions waiting for release. */
  guest?: { open: boolean; waiting: GuestContribution[] };
  canEdit: boolean;
  /** The proposal's image as this viewer may see it (released; any state for its author and moderators). */
  image?: ProposalImageMeta;
  projectTitle?: string;
  notice?: string;
  errors: Errors;
  values: Record<string, string>;
}

export function ProposalPage(x: ProposalModel, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  const p = x.proposal;
  const base = href(lang, 'proposal', p.id);
  const mine = !!x.viewer.person && p.authorId === x.viewer.person.id;
  const hidden = p.state === 'hidden';
  const canSupport = x.view.allowed.includes('support') && p.state === 'published';
  const canComment = x.view.allowed.includes('comment') && p.state === 'published' && !!x.viewer.person;
  const title = hidden && !mine ? m.proposal.hidden : p.title;
  const action = (what: string, id?: string) => ({
    comment: `${base}/kommentare`, rateComment: `${base}/kommentare/${id}/hilfreich`, reportComment: `${base}/kommentare/${id}/melden`, hideComment: `${base}/kommentare/${id}/ausblenden`, restoreComment: `${base}/kommentare/${id}/wiederherstellen`,
  } as Record<string, string>)[what]!;
  const cite = citeContext(x.cites, lang, t, m);
  const charts = hasCitedHistory(x.cites);
  return (
    <Layout frame={x.frame} t={t} title={Object.keys(x.errors).length ? `${m.errors.prefix} ${title}` : title} styles={charts ? ['uplot.css'] : []} scripts={charts ? ['chart.js'] : []}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <ErrorList title={m.errors.summary} errors={errList(x.errors)} />
      <p><a class="kern-link" href={href(lang, 'process', x.view.process.slug)}>{m.proposal.back(L(x.frame, x.view.process.title))}</a></p>
      {x.notice && <Notice kind="success">{x.notice}</Notice>}
      <h1 class="kern-heading-x-large">{title}</h1>
      {x.viewer.person && !hidden && <FollowButton kind="proposal" id={p.id} following={!!x.following} csrf={x.viewer.csrf} back={base} lang={lang} m={m} />}
      {p.state === 'withdrawn' && <Notice kind="warning">{m.proposal.withdrawn}</Notice>}
      {hidden && <Notice kind="warning">{mine && p.moderation ? m.proposal.hiddenForAuthor(p.moderation.reason) : m.proposal.hidden}</Notice>}
      {(!hidden || mine) && (
        <>
          <p class="kern-body--small">{m.proposal.by(p.authorName, t.formatDate(p.createdAt))}</p>
          <dl class="facts">
            {p.category && <><dt>{m.proposal.category}</dt><dd>{p.category}</dd></>}
            {p.point && <><dt>{m.proposal.place}</dt><dd>{m.proposal.coords(t.formatCoord(p.point[1]), t.formatCoord(p.point[0]))}</dd></>}
            {p.cost !== undefined && <><dt>{m.proposal.cost}</dt><dd>{m.euro(p.cost)}</dd></>}
          </dl>
          <UserText parts={x.body} c={cite} />
          {x.image && <ProposalImageFigure image={x.image} proposalId={p.id} lang={lang} canRemove={mine || x.viewer.moderator} csrf={x.viewer.csrf} m={m} />}
        </>
      )}
      {p.answer && (
        <section aria-labelledby="antwort" class="official-answer">
          <h2 class="kern-heading-medium" id="antwort">{m.proposal.answer}: {m.proposal.answerStatus[p.answer.status]}</h2>
          <Paragraphs text={p.answer.text} />
          {p.answer.projectSlug && <p>{m.proposal.implementedBy}: <a class="kern-link" href={href(lang, 'project', p.answer.projectSlug)}>{x.projectTitle ?? p.answer.projectSlug}</a></p>}
          <p class="kern-body--small">{t.formatDate(p.answer.at)}</p>
        </section>
      )}
      {!hidden && (
        <section aria-labelledby="unterstuetzung" class="support-box">
          <h2 class="kern-heading-medium" id="unterstuetzung">{m.proposal.supportCount(p.supportCount)}</h2>
          {x.supported && <p>{m.proposal.supported}</p>}
          {canSupport ? (x.viewer.person ? (
            <form method="post" action={`${base}/unterstuetzen`}>
              <Csrf token={x.viewer.csrf} />
              <input type="hidden" name="aktion" value={x.supported ? 'zuruecknehmen' : 'unterstuetzen'} />
              <Button secondary={x.supported}>{x.supported ? m.proposal.unsupport : m.proposal.support}</Button>
            </form>
          ) : <p><a class="kern-link" href={`${href(lang, 'login')}?returnTo=${encodeURIComponent(base)}`}>{m.process.loginToTakePart}</a></p>) : <p>{m.proposal.supportClosed}</p>}
        </section>
      )}
      {mine && p.state === 'published' && (
        <section aria-labelledby="eigener" class="own-actions">
          <h2 class="kern-heading-medium" id="eigener">{m.proposal.own}</h2>
          {x.canEdit && <><p>{m.proposal.editHint}</p><p><a class="kern-link" href={href(lang, 'editProposal', p.id)}>{m.proposal.edit}</a></p></>}
          <form method="post" action={`${base}/zurueckziehen`}><Csrf token={x.viewer.csrf} /><Button secondary>{m.proposal.withdraw}</Button></form>
        </section>
      )}
      {x.viewer.person && !mine && !hidden && (
        <details class="report-box">
          <summary>{m.proposal.report}</summary>
          <form method="post" action={`${base}/melden`} class="portal-form">
            <Csrf token={x.viewer.csrf} />
            <PField id="reason" name="reason" type="textarea" rows={3} required label={m.proposal.reportLabel} error={x.errors.reason} errorPrefix={m.errors.prefix} />
            <Button secondary>{m.proposal.sendReport}</Button>
          </form>
        </details>
      )}
      {(x.viewer.steward || x.viewer.moderator) && <CityActions x={x} base={base} m={m} />}
      <section aria-labelledby="kommentare">
        <h2 class="kern-heading-large" id="kommentare">{m.proposal.comments} ({x.commentCount})</h2>
        {x.comments.length === 0 ? <p>{m.proposal.noComments}</p> : (
          <CommentThread comments={x.comments} html={x.commentHtml} cite={cite} viewerId={x.viewer.person?.id} canComment={canComment} canReport={!!x.viewer.person}
            canModerate={x.viewer.moderator} canRate={canComment} rated={x.rated} csrf={x.viewer.csrf} action={action} m={m} t={t} />
        )}
        {x.commentPages > 1 && (
          <nav aria-label={m.proposal.commentPages} class="pagination">
            {x.commentPage > 1 && <a class="kern-link" href={`${base}?kommentarseite=${x.commentPage - 1}#kommentare`}>{m.proposal.olderComments}</a>}
            <span>{m.process.page(x.commentPage, x.commentPages)}</span>
            {x.commentPage < x.commentPages && <a class="kern-link" href={`${base}?kommentarseite=${x.commentPage + 1}#kommentare`}>{m.proposal.newerComments}</a>}
          </nav>
        )}
        {canComment ? (
          <form method="post" action={`${base}/kommentare`} class="portal-form" novalidate>
            <h3 class="kern-heading-medium">{m.proposal.writeComment}</h3>
            <Csrf token={x.viewer.csrf} />
            <PField id="body" name="body" type="textarea" rows={5} required label={m.proposal.commentLabel} hint={m.proposal.commentHint} value={x.values.body} error={x.errors.body} errorPrefix={m.errors.prefix} />
            <Button>{m.proposal.send}</Button>
          </form>
        ) : !x.view.allowed.includes('comment') ? <p>{m.proposal.commentClosed}</p>
          : !x.viewer.person ? <p><a class="kern-link" href={`${href(lang, 'login')}?returnTo=${encodeURIComponent(base)}`}>{m.process.loginToTakePart}</a></p> : null}
        {x.guest && <GuestWaiting items={x.guest.waiting} m={m} t={t} />}
        {x.guest?.open && !x.viewer.person && p.state === 'published' && <GuestCommentForm action={`${base}/gast-kommentare`} csrf={x.viewer.csrf} values={x.values} errors={x.errors} m={m} />}
      </section>
    </Layout>
  );
}

function CityActions({ x, base, m }: { x: ProposalModel; base: string; m: ParticipationMessages }) {
  const p = x.proposal;
  return (
    <section aria-labelledby="stadt" class="city-actions">
      <h2 class="kern-heading-medium" id="stadt">{m.proposal.cityActions}</h2>
      {x.viewer.moderator && (p.state === 'hidden' ? (
        <form method="post" action={`${base}/wiederherstellen`}><Csrf token={x.viewer.csrf} /><Button secondary>{m.proposal.restore}</Button></form>
      ) : (
        <form method="post" action={`${base}/ausblenden`} class="portal-form">
          <Csrf token={x.viewer.csrf} />
          <PField id="hide-reason" name="reason" type="textarea" rows={3} required label={m.proposal.hideReason} error={x.errors['hide-reason']} errorPrefix={m.errors.prefix} />
          <Button secondary>{m.proposal.hide}</Button>
        </form>
      ))}
      {x.viewer.steward && (
        <>
          <form method="post" action={`${base}/antwort`} class="portal-form" novalidate>
            <h3 class="kern-heading-small">{m.proposal.answerForm}</h3>
            <Csrf token={x.viewer.csrf} />
            <PField id="status" name="status" type="select" required label={m.proposal.status} value={x.values.status ?? p.answer?.status ?? 'under_review'} error={x.errors.status} errorPrefix={m.errors.prefix}
              options={Object.entries(m.proposal.answerStatus).map(([value, label]) => ({ value, label }))} />
            <PField id="text" name="text" type="textarea" rows={5} required label={m.proposal.answerText} value={x.values.text ?? p.answer?.text} error={x.errors.text} errorPrefix={m.errors.prefix} />
            <PField id="projectSlug" name="projectSlug" label={m.proposal.projectSlug} hint={m.proposal.projectSlugHint} value={x.values.projectSlug ?? p.answer?.projectSlug} error={x.errors.projectSlug} errorPrefix={m.errors.prefix} optionalText="" />
            <Button>{m.proposal.publishAnswer}</Button>
          </form>
          {x.view.process.budget !== undefined && (
            <form method="post" action={`${base}/kosten`} class="portal-form" novalidate>
              <h3 class="kern-heading-small">{m.proposal.costForm}</h3>
              <Csrf token={x.viewer.csrf} />
              <PField id="cost" name="cost" inputmode="numeric" label={m.proposal.costLabel} value={x.values.cost ?? (p.cost !== undefined ? String(p.cost) : '')} error={x.errors.cost} errorPrefix={m.errors.prefix} />
              <Button secondary>{m.proposal.saveCost}</Button>
            </form>
          )}
        </>
      )}
    </section>
  );
}

export interface FormModel {
  frame: Frame;
  viewer: Viewer;
  view: ProcessView;
  editing?: string;
  /** The edited proposal's image (any state: the author sees it). */
  image?: ProposalImageMeta;
  values: Record<string, string>;
  errors: Errors;
  tileUrl?: string;
  tileAttribution?: string;
}

/** The middle of a process's area (for the place picker's first view), else Herne's centre. */
function areaCentre(p: ProcessView['process']): string {
  const ring = p.area?.coordinates[0];
  if (!ring?.length) return '51.538,7.2196';
  const lons = ring.map((c) => c[0]);
  const lats = ring.map((c) => c[1]);
  return `${(Math.min(...lats) + Math.max(...lats)) / 2},${(Math.min(...lons) + Math.max(...lons)) / 2}`;
}

export function ProposalFormPage(x: FormModel, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  const p = x.view.process;
  const title = x.editing ? m.form.editTitle : m.form.newTitle;
  const action = x.editing ? href(lang, 'editProposal', x.editing) : href(lang, 'newProposal', p.slug);
  const v = x.values;
  return (
    <Layout frame={x.frame} t={t} title={Object.keys(x.errors).length ? `${m.errors.prefix} ${title}` : title} styles={['leaflet.css', 'reports.css']} scripts={['reports.js']}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <ErrorList title={m.errors.summary} errors={errList(x.errors)} />
      <p><a class="kern-link" href={href(lang, 'process', p.slug)}>{m.proposal.back(L(x.frame, p.title))}</a></p>
      <h1 class="kern-heading-x-large">{title}</h1>
      <p>{m.form.intro}</p>
      <form method="post" action={action} class="portal-form" enctype="multipart/form-data" novalidate>
        <Csrf token={x.viewer.csrf} />
        <PField id="title" name="title" required maxLength={150} label={m.form.title} value={v.title} error={x.errors.title} errorPrefix={m.errors.prefix} />
        <PField id="body" name="body" type="textarea" required label={m.form.body} hint={m.form.bodyHint} value={v.body} error={x.errors.body} errorPrefix={m.errors.prefix} />
        {p.categories.length > 0 && <PField id="category" name="category" type="select" label={m.form.category} value={v.category ?? ''} error={x.errors.category} errorPrefix={m.errors.prefix}
          options={[{ value: '', label: m.form.noCategory }, ...p.categories.map((c) => ({ value: c, label: c }))]} />}
        <fieldset class="kern-fieldset" aria-describedby="ort-hint">
          <legend class="kern-label">{m.form.place}</legend>
          <div class="kern-hint" id="ort-hint">{m.form.placeHint}</div>
          {/* The Mängelmelder's place picker (reports.js): the map moves under a crosshair by mouse or arrow keys and fills the fields; without JavaScript it stays hidden. */}
          <div class="report-picker" hidden data-lat="lat" data-lon="lon" data-status="ort-status" data-center={areaCentre(p)} data-tile-url={x.tileUrl} data-attribution={x.tileAttribution ?? ''}
            data-no-tiles={t.map.noTiles} data-picked={m.form.picked} data-decimal={lang === 'de' ? ',' : '.'}>
            <p class="kern-hint" id="karte-hilfe">{m.form.mapHelp}</p>
            <div class="report-picker__map" role="application" aria-label={m.form.mapLabel} aria-describedby="karte-hilfe"></div>
            <div class="report-picker__cross" aria-hidden="true"></div>
            <p id="ort-status" class="kern-body--small" aria-live="polite"></p>
          </div>
          <PField id="lat" name="lat" inputmode="decimal" label={m.form.lat} value={v.lat} error={x.errors.lat} errorPrefix={m.errors.prefix} />
          <PField id="lon" name="lon" inputmode="decimal" label={m.form.lon} value={v.lon} error={x.errors.lon} errorPrefix={m.errors.prefix} />
        </fieldset>
        <ImageFields values={v} errors={x.errors} current={x.image} lang={lang} proposalId={x.editing} m={m} />
        <Button>{x.editing ? m.form.save : m.form.submit}</Button>
      </form>
    </Layout>
  );
}

export interface BudgetModel {
  frame: Frame;
  viewer: Viewer;
  view: ProcessView;
  proposals: Array<{ id: string; title: string; cost: number }>;
  ballot?: Ballot;
  chosen: string[];
  errors: Errors;
  result?: BudgetResult;
  notice?: string;
}

export function BudgetPage(x: BudgetModel, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  const p = x.view.process;
  const budget = p.budget ?? 0;
  const canVote = x.view.allowed.includes('vote') && !!x.viewer.person && !x.ballot;
  const sum = x.proposals.filter((pr) => x.chosen.includes(pr.id)).reduce((s, pr) => s + (pr.cost ?? 0), 0);
  const title = m.budget.title(L(x.frame, p.title));
  return (
    <Layout frame={x.frame} t={t} title={Object.keys(x.errors).length ? `${m.errors.prefix} ${title}` : title}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <ErrorList title={m.errors.summary} errors={errList(x.errors)} />
      <p><a class="kern-link" href={href(lang, 'process', p.slug)}>{m.proposal.back(L(x.frame, p.title))}</a></p>
      <h1 class="kern-heading-x-large">{title}</h1>
      {x.notice && <Notice kind="success">{x.notice}</Notice>}
      <p>{m.budget.intro(m.euro(budget))}</p>
      {x.ballot && <Notice kind="success">{m.budget.voted(m.euro(x.ballot.total))}</Notice>}
      {!x.view.allowed.includes('vote') && <p>{m.budget.closed}</p>}
      {x.view.allowed.includes('vote') && !x.viewer.person && <p><a class="kern-link" href={`${href(lang, 'login')}?returnTo=${encodeURIComponent(href(lang, 'budget', p.slug))}`}>{m.process.loginToTakePart}</a></p>}
      {x.proposals.length === 0 ? <p>{m.budget.none}</p> : canVote ? (
        <form method="post" action={href(lang, 'budget', p.slug)} novalidate>
          <Csrf token={x.viewer.csrf} />
          <fieldset class={`kern-fieldset${x.errors.proposalIds ? ' kern-fieldset--error' : ''}`} aria-describedby={x.errors.proposalIds ? 'proposalIds-error' : undefined}>
            <legend class="kern-heading-medium">{m.budget.choose}</legend>
            {x.errors.proposalIds && <p class="kern-error" id="proposalIds-error" role="alert"><span class="kern-sr-only">{m.errors.prefix} </span>{x.errors.proposalIds}</p>}
            <div class="kern-fieldset__body">
              {x.proposals.map((pr, i) => (
                <div class="kern-form-check">
                  <input class="kern-form-check__checkbox" type="checkbox" name="proposalIds" value={pr.id} id={i === 0 ? 'proposalIds' : `wahl-${pr.id}`} checked={x.chosen.includes(pr.id)} />
                  <label class="kern-label" for={i === 0 ? 'proposalIds' : `wahl-${pr.id}`}>{pr.title} – {m.euro(pr.cost ?? 0)}</label>
                </div>
              ))}
            </div>
          </fieldset>
          {x.chosen.length > 0 && <p>{m.budget.total(m.euro(sum), m.euro(budget))}</p>}
          <Button>{m.budget.submit}</Button>
        </form>
      ) : (
        <ul class="kern-list">{x.proposals.map((pr) => <li><a class="kern-link" href={href(lang, 'proposal', pr.id)}>{pr.title}</a> – {m.euro(pr.cost ?? 0)}</li>)}</ul>
      )}
      <section aria-labelledby="ergebnis">
        <h2 class="kern-heading-large" id="ergebnis">{m.budget.result}</h2>
        {!x.result ? <p>{m.budget.resultPending}</p> : (
          <>
            <p>{m.budget.ballots(x.result.ballots)}</p>
            <div class="table-scroll">
              <table class="kern-table">
                <caption class="kern-sr-only">{m.budget.result}</caption>
                <thead class="kern-table__header"><tr class="kern-table__row">
                  <th class="kern-table__header" scope="col">{m.budget.proposal}</th>
                  <th class="kern-table__header kern-table__header--numeric" scope="col">{m.proposal.cost}</th>
                  <th class="kern-table__header kern-table__header--numeric" scope="col">{m.budget.votes}</th>
                  <th class="kern-table__header" scope="col">{m.budget.funded}</th>
                </tr></thead>
                <tbody class="kern-table__body">
                  {x.result.rows.map((r) => (
                    <tr class="kern-table__row">
                      <th class="kern-table__cell" scope="row"><a class="kern-link" href={href(lang, 'proposal', r.proposal.id)}>{r.proposal.title}</a></th>
                      <td class="kern-table__cell kern-table__cell--numeric">{m.euro(r.proposal.cost ?? 0)}</td>
                      <td class="kern-table__cell kern-table__cell--numeric">{t.formatNumber(r.votes)}</td>
                      <td class="kern-table__cell">{r.funded ? m.budget.yes : m.budget.no}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </Layout>
  );
}

export function RegisterPage(x: { frame: Frame; csrf: string; sent: boolean; values: Record<string, string>; errors: Errors; minLength: number }, t: Messages, m: ParticipationMessages) {
  const title = x.sent ? m.register.sentTitle : m.register.title;
  return (
    <Layout frame={x.frame} t={t} title={Object.keys(x.errors).length ? `${m.errors.prefix} ${title}` : title}>
      <ErrorList title={m.errors.summary} errors={errList(x.errors)} />
      <h1 class="kern-heading-x-large">{title}</h1>
      {x.sent ? <Notice kind="success">{m.register.sent}</Notice> : (
        <>
          <p>{m.register.intro}</p>
          <form method="post" action={href(x.frame.lang, 'register')} class="portal-form" novalidate>
            <Csrf token={x.csrf} />
            <PField id="email" name="email" type="email" required autocomplete="email" label={m.register.email} value={x.values.email} error={x.errors.email} errorPrefix={m.errors.prefix} />
            <PField id="password" name="password" type="password" required autocomplete="new-password" label={m.register.password} hint={m.register.passwordHint(x.minLength)} error={x.errors.password} errorPrefix={m.errors.prefix} />
            <PField id="displayName" name="displayName" autocomplete="nickname" label={m.register.displayName} hint={m.register.displayNameHint} value={x.values.displayName} error={x.errors.displayName} errorPrefix={m.errors.prefix} optionalText={t.feedback.optional} />
            <Button>{m.register.submit}</Button>
          </form>
        </>
      )}
    </Layout>
  );
}

export function ConfirmPage(x: { frame: Frame; csrf: string; token: string; failed: boolean }, t: Messages, m: ParticipationMessages) {
  return (
    <Layout frame={x.frame} t={t} title={m.register.confirmTitle}>
      <h1 class="kern-heading-x-large">{m.register.confirmTitle}</h1>
      {x.failed ? <Notice kind="warning">{m.register.confirmFailed}</Notice> : (
        <form method="post" action={href(x.frame.lang, 'confirm')} class="portal-form">
          <p>{m.register.confirmText}</p>
          <Csrf token={x.csrf} />
          <input type="hidden" name="token" value={x.token} />
          <Button>{m.register.confirm}</Button>
        </form>
      )}
    </Layout>
  );
}

export function NotAllowedPage(x: { frame: Frame; detail: string; link?: { href: string; text: string } }, t: Messages, m: ParticipationMessages) {
  return (
    <Layout frame={x.frame} t={t} title={m.notAllowed.title}>
      <h1 class="kern-heading-x-large">{m.notAllowed.title}</h1>
      <p>{x.detail}</p>
      {x.link && <p><a class="kern-link" href={x.link.href}>{x.link.text}</a></p>}
      <p><a class="kern-link" href={href(x.frame.lang, 'participation')}>{m.notAllowed.back}</a></p>
    </Layout>
  );
}

export interface ModerationModel {
  frame: Frame;
  viewer: Viewer;
  reports: Array<{ id: string; target: { kind: 'proposal' | 'comment'; id: string }; reason: string; createdAt: string; content?: { title?: string; body: string; authorName: string; hidden: boolean; proposalId: string } }>;
  /** Guests' contributions waiting for release. */
  guests?: HeldContribution[];
  /** Proposals' images waiting for release. */
  images?: Array<ProposalImageMeta & { title: string }>;
  notice?: string;
  errors: Errors;
}

export function ModerationPage(x: ModerationModel, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  const base = href(lang, 'moderation');
  return (
    <Layout frame={x.frame} t={t} title={m.moderation.title}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <ErrorList title={m.errors.summary} errors={errList(x.errors)} />
      <h1 class="kern-heading-x-large">{m.moderation.title}</h1>
      {x.notice && <Notice kind="success">{x.notice}</Notice>}
      <h2 class="kern-heading-large">{m.moderation.reports}</h2>
      {x.reports.length === 0 ? <p>{m.moderation.none}</p> : (
        <ul class="report-list">
          {x.reports.map((r) => {
            const kind = r.target.kind === 'proposal' ? m.moderation.proposalLabel : m.moderation.commentLabel;
            const link = r.content?.proposalId ? `${href(lang, 'proposal', r.content.proposalId)}${r.target.kind === 'comment' ? `#kommentar-${r.target.id}` : ''}` : undefined;
            return (
              <li class="report">
                <h3 class="kern-heading-small">{kind}: {r.content?.title ?? r.content?.body.slice(0, 80) ?? r.target.id}</h3>
                <p class="kern-body--small">{m.moderation.reported(t.formatDateTime(r.createdAt))} · {m.moderation.author}: {r.content?.authorName ?? '–'}</p>
                <p><strong>{m.moderation.reason}:</strong> {r.reason}</p>
                {r.content && <blockquote class="reported-text">{r.content.body.slice(0, 1000)}</blockquote>}
                {link && <p><a class="kern-link" href={link}>{m.moderation.open}</a></p>}
                <form method="post" action={`${base}/ausblenden`} class="portal-form">
                  <Csrf token={x.viewer.csrf} />
                  <input type="hidden" name="kind" value={r.target.kind} />
                  <input type="hidden" name="id" value={r.target.id} />
                  <PField id={`grund-${r.id}`} name="reason" type="textarea" rows={3} required label={m.proposal.hideReason} errorPrefix={m.errors.prefix} />
                  <Button>{m.proposal.hide}</Button>
                </form>
                <form method="post" action={`${base}/verwerfen`}>
                  <Csrf token={x.viewer.csrf} />
                  <input type="hidden" name="kind" value={r.target.kind} />
                  <input type="hidden" name="id" value={r.target.id} />
                  <Button secondary>{m.moderation.dismiss}</Button>
                </form>
                <details>
                  <summary>{m.moderation.blockTitle}</summary>
                  <form method="post" action={`${base}/sperren`} class="portal-form">
                    <Csrf token={x.viewer.csrf} />
                    <input type="hidden" name="kind" value={r.target.kind} />
                    <input type="hidden" name="id" value={r.target.id} />
                    <PField id={`tage-${r.id}`} name="days" inputmode="numeric" required label={m.moderation.days} value="7" errorPrefix={m.errors.prefix} />
                    <PField id={`sperrgrund-${r.id}`} name="reason" type="textarea" rows={3} required label={m.proposal.hideReason} errorPrefix={m.errors.prefix} />
                    <Button secondary>{m.moderation.block}</Button>
                  </form>
                </details>
              </li>
            );
          })}
        </ul>
      )}
      <GuestQueue items={x.guests ?? []} csrf={x.viewer.csrf} lang={lang} m={m} t={t} />
      <ImageQueue items={x.images ?? []} csrf={x.viewer.csrf} lang={lang} errors={x.errors} m={m} t={t} />
    </Layout>
  );
}

export function MyDataPage(x: { frame: Frame; viewer: Viewer; error?: string }, t: Messages, m: ParticipationMessages) {
  const errors = x.error ? [{ field: 'password', message: x.error }] : [];
  return (
    <Layout frame={x.frame} t={t} title={x.error ? `${m.errors.prefix} ${m.myData.title}` : m.myData.title}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <ErrorList title={m.errors.summary} errors={errors} />
      <h1 class="kern-heading-x-large">{m.myData.title}</h1>
      <h2 class="kern-heading-medium">{m.myData.exportTitle}</h2>
      <p>{m.myData.exportText}</p>
      <p><a class="kern-link" href="/api/participation/me/export" download="beteiligung-meine-daten.json">{m.myData.exportLink}</a></p>
      <h2 class="kern-heading-medium">{m.myData.deleteTitle}</h2>
      <p>{m.myData.deleteText}</p>
      <form method="post" action={href(x.frame.lang, 'myData')} class="portal-form" novalidate>
        <Csrf token={x.viewer.csrf} />
        <PField id="password" name="password" type="password" required autocomplete="current-password" label={m.myData.password} error={x.error} errorPrefix={m.errors.prefix} />
        <Button>{m.myData.deleteButton}</Button>
      </form>
    </Layout>
  );
}
