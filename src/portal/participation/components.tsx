// Pieces of the participation pages ("cells"): the phase timeline, a proposal card, a comment thread; the form
// fields are the portal's shared ones (components/field.tsx), under the names these pages use.
import type { RichPart } from '../../participation/index.ts';
import { UserText, type CiteContext } from './citation.cells.tsx';
import type { ComponentChildren } from 'preact';
import type { Comment, Phase, Proposal } from '../../participation/index.ts';
import type { Messages } from '../i18n/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { href, type Lang } from '../paths.ts';

import { Csrf, ErrorSummary as ErrorList, FormField, SubmitButton as Button, type FormFieldProps } from '../components/field.tsx';

/** The participation pages' names for the shared form pieces. */
export { Button, Csrf, ErrorList };

/** A form field of the participation pages: text areas are 8 rows unless given. */
export function PField(p: FormFieldProps) {
  return <FormField {...p} rows={p.rows ?? 8} />;
}

export function Notice({ children, kind = 'info' }: { children: ComponentChildren; kind?: 'info' | 'success' | 'warning' }) {
  return (
    <div class={`kern-alert kern-alert--${kind}`} role={kind === 'success' ? 'status' : undefined}>
      <div class="kern-alert__body"><p class="kern-body">{children}</p></div>
    </div>
  );
}

export function PhaseTimeline({ phases, current, m, t }: { phases: Phase[]; current?: string; m: ParticipationMessages; t: Messages }) {
  const sorted = [...phases].sort((a, b) => (a.start < b.start ? -1 : 1));
  return (
    <ol class="phase-list">
      {sorted.map((p) => {
        const now = p.kind === current;
        return (
          <li class={now ? 'phase-list__item phase-list__item--current' : 'phase-list__item'} aria-current={now ? 'step' : undefined}>
            <strong>{m.phases[p.kind]}</strong> {now && <span>{m.process.phaseCurrent}</span>}<br />
            <span class="kern-body--small">{m.process.from(t.formatDate(p.start), t.formatDate(new Date(Date.parse(p.end) - 1).toISOString()))}</span>
          </li>
        );
      })}
    </ol>
  );
}

export function ProposalCard({ p, lang, m, t }: { p: Proposal; lang: Lang; m: ParticipationMessages; t: Messages }) {
  return (
    <li class="proposal-card">
      <h3 class="kern-heading-small"><a class="kern-link" href={href(lang, 'proposal', p.id)}>{p.title}</a></h3>
      <p class="kern-body--small">
        {m.proposal.by(p.authorName, t.formatDate(p.createdAt))}
        {p.category && <> · {p.category}</>}
        {' · '}{m.process.supports(p.supportCount)} · {m.process.comments(p.commentCount)}
        {p.answer && <> · {m.proposal.answerStatus[p.answer.status]}</>}
        {p.point && <> · {m.proposal.coords(t.formatCoord(p.point[1]), t.formatCoord(p.point[0]))}</>}
      </p>
    </li>
  );
}

export interface ThreadProps {
  comments: Comment[];
  /** Rendered HTML of each visible comment's Markdown (sanitised). */
  html: Map<string, RichPart[]>;
  /** The page's cited live data. */
  cite: CiteContext;
  viewerId?: string;
  canComment: boolean;
  canReport: boolean;
  canModerate: boolean;
  /** Whether the viewer may rate comments "hilfreich" (signed in, the phase takes comments). */
  canRate?: boolean;
  /** The comments the viewer has rated. */
  rated?: Set<string>;
  csrf: string;
  action: (what: 'comment' | 'reportComment' | 'hideComment' | 'restoreComment' | 'rateComment', id?: string) => string;
  m: ParticipationMessages;
  t: Messages;
}

export function CommentThread(p: ThreadProps) {
  const children = new Map<string, Comment[]>();
  const top: Comment[] = [];
  const ids = new Set(p.comments.map((c) => c.id));
  for (const c of p.comments) {
    if (c.parentId && ids.has(c.parentId)) {
      const list = children.get(c.parentId) ?? [];
      list.push(c);
      children.set(c.parentId, list);
    } else top.push(c);
  }
  const one = (c: Comment, depth: number) => {
    const mine = p.viewerId !== undefined && c.authorId === p.viewerId;
    const kids = children.get(c.id) ?? [];
    return (
      <li class="comment" id={`kommentar-${c.id}`}>
        <article aria-label={p.m.proposal.by(c.authorName, p.t.formatDateTime(c.createdAt))}>
          <p class="kern-body--small comment__meta" id={`kommentar-von-${c.id}`}>{p.m.proposal.by(c.authorName, p.t.formatDateTime(c.createdAt))}</p>
          {c.moderation
            ? <p class="comment__hidden">{mine ? p.m.proposal.commentHiddenForAuthor(c.moderation.reason) : p.m.proposal.commentHidden}</p>
            : <UserText parts={p.html.get(c.id) ?? []} c={p.cite} />}
          {!c.moderation && (c.helpfulCount ?? 0) > 0 && <p class="kern-body--small comment__helpful">{p.m.helpful.count(c.helpfulCount ?? 0)}</p>}
          <div class="comment__actions">
            {p.canRate && !c.moderation && !mine && (
              <form method="post" action={p.action('rateComment', c.id)} class="comment__rate">
                <Csrf token={p.csrf} />
                <input type="hidden" name="aktion" value={p.rated?.has(c.id) ? 'zuruecknehmen' : 'hilfreich'} />
                {/* The comment's author line describes the button (KERN sizes a button holding .kern-sr-only as an icon button). */}
                <button class="kern-btn kern-btn--secondary" type="submit" aria-describedby={`kommentar-von-${c.id}`}>
                  <span class="kern-label">{p.rated?.has(c.id) ? p.m.helpful.unrate : p.m.helpful.rate}</span>
                </button>
              </form>
            )}
            {p.canComment && !c.moderation && depth < 6 && (
              <details>
                <summary>{p.m.proposal.reply}</summary>
                <form method="post" action={p.action('comment')} class="portal-form">
                  <Csrf token={p.csrf} />
                  <input type="hidden" name="parentId" value={c.id} />
                  <PField id={`antwort-${c.id}`} name="body" type="textarea" rows={4} required label={p.m.proposal.replyLabel} errorPrefix={p.m.errors.prefix} />
                  <Button>{p.m.proposal.sendReply}</Button>
                </form>
              </details>
            )}
            {p.canReport && !c.moderation && !mine && (
              <details>
                <summary>{p.m.proposal.report}</summary>
                <form method="post" action={p.action('reportComment', c.id)} class="portal-form">
                  <Csrf token={p.csrf} />
                  <PField id={`meldung-${c.id}`} name="reason" type="textarea" rows={3} required label={p.m.proposal.reportLabel} errorPrefix={p.m.errors.prefix} />
                  <Button secondary>{p.m.proposal.sendReport}</Button>
                </form>
              </details>
            )}
            {p.canModerate && (c.moderation ? (
              <form method="post" action={p.action('restoreComment', c.id)}><Csrf token={p.csrf} /><Button secondary>{p.m.proposal.restore}</Button></form>
            ) : (
              <details>
                <summary>{p.m.proposal.hide}</summary>
                <form method="post" action={p.action('hideComment', c.id)} class="portal-form">
                  <Csrf token={p.csrf} />
                  <PField id={`ausblenden-${c.id}`} name="reason" type="textarea" rows={3} required label={p.m.proposal.hideReason} errorPrefix={p.m.errors.prefix} />
                  <Button secondary>{p.m.proposal.hide}</Button>
                </form>
              </details>
            ))}
          </div>
        </article>
        {kids.length > 0 && <ul class="comment-list comment-list--nested">{kids.map((k) => one(k, depth + 1))}</ul>}
      </li>
    );
  };
  return <ul class="comment-list">{top.map((c) => one(c, 0))}</ul>;
}
