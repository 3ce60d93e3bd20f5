// Pieces of the participation pages ("cells"): form fields of every kind in the GOV.UK / KERN shape
// (label, hint, error and input wired once), the phase timeline, a proposal card, a comment thread.
import type { ComponentChildren } from 'preact';
import type { Comment, Phase, Proposal } from '../../participation/index.ts';
import type { Messages } from '../i18n/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { href, type Lang } from '../paths.ts';

export interface FieldProps {
  id: string;
  name: string;
  label: string;
  hint?: string;
  error?: string;
  value?: string;
  type?: 'text' | 'email' | 'password' | 'textarea' | 'select';
  inputmode?: 'decimal' | 'numeric';
  options?: Array<{ value: string; label: string }>;
  required?: boolean;
  autocomplete?: string;
  maxLength?: number;
  rows?: number;
  optionalText?: string;
  errorPrefix: string;
}

export function PField(p: FieldProps) {
  const hintId = p.hint ? `${p.id}-hint` : undefined;
  const errId = p.error ? `${p.id}-error` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  const cls = `${p.type === 'select' ? 'kern-form-input__select' : 'kern-form-input__input'}${p.error ? ' kern-form-input__input--error' : ''}`;
  const common = {
    id: p.id, name: p.name, class: cls, 'aria-describedby': describedBy, 'aria-invalid': p.error ? ('true' as const) : undefined,
    required: p.required || undefined, autocomplete: p.autocomplete, maxLength: p.maxLength,
  };
  return (
    <div class={`kern-form-input${p.error ? ' kern-form-input--error' : ''}`}>
      <label class="kern-label" for={p.id}>
        {p.label}
        {!p.required && p.optionalText && <span class="kern-label__optional"> {p.optionalText}</span>}
      </label>
      {p.hint && <div class="kern-hint" id={hintId}>{p.hint}</div>}
      {p.error && <p class="kern-error" id={errId} role="alert"><span class="kern-sr-only">{p.errorPrefix} </span>{p.error}</p>}
      {p.type === 'textarea' ? <textarea {...common} rows={p.rows ?? 8}>{p.value ?? ''}</textarea>
        : p.type === 'select' ? (
          <div class="kern-form-input__select-wrapper">
            <select {...common}>{(p.options ?? []).map((o) => <option value={o.value} selected={o.value === (p.value ?? '')}>{o.label}</option>)}</select>
          </div>
        ) : p.type === 'password' ? <input {...common} type="password" value="" />
        : p.type === 'email' ? <input {...common} type="email" value={p.value ?? ''} />
        : <input {...common} type="text" inputMode={p.inputmode} value={p.value ?? ''} />}
    </div>
  );
}

export function ErrorList({ title, errors }: { title: string; errors: Array<{ field: string; message: string }> }) {
  if (errors.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1} id="fehler">
      <h2 class="kern-heading-medium">{title}</h2>
      <ul class="kern-list">{errors.map((e) => <li><a href={`#${e.field}`}>{e.message}</a></li>)}</ul>
    </div>
  );
}

export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

export function Button({ children, secondary }: { children: ComponentChildren; secondary?: boolean }) {
  return <button class={`kern-btn ${secondary ? 'kern-btn--secondary' : 'kern-btn--primary'}`} type="submit"><span class="kern-label">{children}</span></button>;
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
  html: Map<string, string>;
  viewerId?: string;
  canComment: boolean;
  canReport: boolean;
  canModerate: boolean;
  csrf: string;
  action: (what: 'comment' | 'reportComment' | 'hideComment' | 'restoreComment', id?: string) => string;
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
          <p class="kern-body--small comment__meta">{p.m.proposal.by(c.authorName, p.t.formatDateTime(c.createdAt))}</p>
          {c.moderation
            ? <p class="comment__hidden">{mine ? p.m.proposal.commentHiddenForAuthor(c.moderation.reason) : p.m.proposal.commentHidden}</p>
            // eslint-disable-next-line react/no-danger -- sanitised by markdown.ts
            : <div class="user-text" dangerouslySetInnerHTML={{ __html: p.html.get(c.id) ?? '' }} />}
          <div class="comment__actions">
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
