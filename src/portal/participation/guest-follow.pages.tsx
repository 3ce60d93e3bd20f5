// Pieces and pages of guests and following: the "Folgen" button (a form, no JavaScript needed), the
// guest's comment form with their own contributions waiting for release, the moderators' queue of
// guest contributions, the notification settings and the unsubscribe page of the mails' links.
import type { FollowKind, GuestContribution, HeldContribution, NotifyMode, Text2 } from '../../participation/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import type { Messages } from '../i18n/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { href, type Lang } from '../paths.ts';
import { Button, Csrf, ErrorList, Notice, PField } from './components.tsx';
import { AccountBar, type Viewer } from './pages.tsx';

type Errors = Record<string, string>;
const L = (lang: Lang, x: Text2) => x[lang] || x.de;

/** Follow or stop following; the form comes back to `back` with a notice. */
export function FollowButton({ kind, id, following, csrf, back, lang, m }: { kind: FollowKind; id: string; following: boolean; csrf: string; back: string; lang: Lang; m: ParticipationMessages }) {
  return (
    <form method="post" action={href(lang, 'follow')} class="follow-form">
      <Csrf token={csrf} />
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="zurueck" value={back} />
      <input type="hidden" name="aktion" value={following ? 'entfolgen' : 'folgen'} />
      {following && <p class="kern-body--small">{m.follow.following}</p>}
      <Button secondary={following}>{following ? m.follow.unfollow : m.follow.follow}</Button>
      {!following && <p class="kern-body--small">{m.follow.why}</p>}
    </form>
  );
}

/** A guest's own contributions waiting for release (their browser's token finds them). */
export function GuestWaiting({ items, m, t }: { items: GuestContribution[]; m: ParticipationMessages; t: Messages }) {
  if (!items.length) return null;
  return (
    <section aria-labelledby="gast-wartet" class="guest-waiting">
      <h3 class="kern-heading-small" id="gast-wartet">{m.guests.waiting}</h3>
      <ul>
        {items.map((g) => (
          <li>
            <p class="kern-body--small">{m.guests.by(g.pseudonym, t.formatDateTime(g.createdAt))}</p>
            {g.comment ? <p class="guest-text">{g.comment.body}</p> : <p>{m.guests.answers(Object.keys(g.answers ?? {}).length)}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The guest's comment form (where the process allows guests), with messages at its fields. */
export function GuestCommentForm({ action, csrf, values, errors, m }: { action: string; csrf: string; values: Record<string, string>; errors: Errors; m: ParticipationMessages }) {
  return (
    <form method="post" action={action} class="portal-form" id="gast" novalidate>
      <h3 class="kern-heading-medium">{m.guests.title}</h3>
      <p>{m.guests.intro}</p>
      <Csrf token={csrf} />
      <PField id="guest-pseudonym" name="pseudonym" required label={m.guests.pseudonym} hint={m.guests.pseudonymHint} value={values.pseudonym} error={errors['guest-pseudonym']} errorPrefix={m.errors.prefix} />
      <PField id="guest-body" name="body" type="textarea" rows={5} required label={m.proposal.commentLabel} hint={m.proposal.commentHint} value={values.guestBody} error={errors['guest-body']} errorPrefix={m.errors.prefix} />
      <Button>{m.guests.send}</Button>
    </form>
  );
}

/** The moderators' queue of guest contributions: release or reject each. */
export function GuestQueue({ items, csrf, lang, m, t }: { items: HeldContribution[]; csrf: string; lang: Lang; m: ParticipationMessages; t: Messages }) {
  const base = href(lang, 'moderation');
  return (
    <section aria-labelledby="gaeste">
      <h2 class="kern-heading-large" id="gaeste">{m.guests.queue}</h2>
      {items.length === 0 ? <p>{m.guests.queueNone}</p> : (
        <ul class="report-list">
          {items.map((g) => (
            <li class="report">
              <h3 class="kern-heading-small">
                {g.kind === 'comment' ? m.guests.kindComment : m.guests.kindSurvey}{' '}
                <a class="kern-link" href={g.context.proposalId ? href(lang, 'proposal', g.context.proposalId) : href(lang, 'survey', g.context.surveyId!)}>{g.context.title}</a>
              </h3>
              <p class="kern-body--small">{m.guests.by(g.pseudonym, t.formatDateTime(g.createdAt))}</p>
              {g.comment ? <blockquote class="reported-text">{g.comment.body}</blockquote> : <p>{m.guests.answers(Object.keys(g.answers ?? {}).length)}</p>}
              <div class="button-row">
                <form method="post" action={`${base}/gast/${encodeURIComponent(g.id)}/freigeben`}><Csrf token={csrf} /><Button>{m.guests.release}</Button></form>
                <form method="post" action={`${base}/gast/${encodeURIComponent(g.id)}/ablehnen`}><Csrf token={csrf} /><Button secondary>{m.guests.reject}</Button></form>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export interface NotificationsModel {
  frame: Frame;
  viewer: Viewer;
  mode: NotifyMode;
  follows: Array<{ kind: FollowKind; targetId: string; title: Text2; path: string }>;
  notice?: string;
  errors: Errors;
}

export function NotificationsPage(x: NotificationsModel, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  const here = href(lang, 'notifications');
  const toPage = (path: string) => (lang === 'en' ? path.replace(/^\/beteiligung\/vorschlaege\//, '/en/participation/proposals/').replace(/^\/beteiligung\//, '/en/participation/').replace(/^\/projekte\//, '/en/projects/') : path);
  return (
    <Layout frame={x.frame} t={t} title={m.follow.settings}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <ErrorList title={m.errors.summary} errors={Object.entries(x.errors).map(([field, message]) => ({ field, message }))} />
      <h1 class="kern-heading-x-large">{m.follow.settings}</h1>
      {x.notice && <Notice kind="success">{x.notice}</Notice>}
      <p>{m.follow.settingsIntro}</p>
      <form method="post" action={here} class="portal-form">
        <Csrf token={x.viewer.csrf} />
        <fieldset class={`kern-fieldset${x.errors.mode ? ' kern-fieldset--error' : ''}`}>
          <legend class="kern-label">{m.follow.mode}</legend>
          {x.errors.mode && <p class="kern-error" id="mode-error" role="alert"><span class="kern-sr-only">{m.errors.prefix} </span>{x.errors.mode}</p>}
          <div class="kern-fieldset__body">
            {(['immediate', 'digest'] as const).map((v, i) => (
              <div class="kern-form-check">
                <input class="kern-form-check__radio" type="radio" name="mode" value={v} id={i === 0 ? 'mode' : `mode-${v}`} checked={x.mode === v} />
                <label class="kern-label" for={i === 0 ? 'mode' : `mode-${v}`}>{m.follow[v]}</label>
              </div>
            ))}
          </div>
        </fieldset>
        <Button>{m.follow.save}</Button>
      </form>
      <h2 class="kern-heading-large">{m.follow.list}</h2>
      {x.follows.length === 0 ? <p>{m.follow.none}</p> : (
        <ul class="follow-list">
          {x.follows.map((f) => (
            <li>
              <span>{m.follow.kinds[f.kind]}: <a class="kern-link" href={toPage(f.path)}>{L(lang, f.title)}</a></span>
              <form method="post" action={href(lang, 'follow')}>
                <Csrf token={x.viewer.csrf} />
                <input type="hidden" name="kind" value={f.kind} />
                <input type="hidden" name="id" value={f.targetId} />
                <input type="hidden" name="zurueck" value={here} />
                <input type="hidden" name="aktion" value="entfolgen" />
                <Button secondary>{m.follow.unfollow}<span class="kern-sr-only">: {L(lang, f.title)}</span></Button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

/** The mails' link: a GET asks (with the button), the POST's answer says it is done; a bad token says so. */
export function UnsubscribePage(x: { frame: Frame; viewer: Viewer; result?: { kind: string; title?: Text2 }; pending?: { kind: string; title?: Text2 }; token?: string }, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  const r = x.result;
  const q = x.pending;
  const title = q ? m.follow.unsubscribeAsk : m.follow.unsubscribed;
  return (
    <Layout frame={x.frame} t={t} title={title}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <h1 class="kern-heading-x-large">{title}</h1>
      {q && x.token ? (
        <form method="post" action={`${href(lang, 'unsubscribe')}?token=${encodeURIComponent(x.token)}`}>
          {/* Logged in, the session's token is needed like on every form; without a session the signed token is the proof. */}
          <Csrf token={x.viewer.csrf} />
          <p>{q.title ? m.follow.unsubscribeOne(L(lang, q.title)) : m.follow.unsubscribeAll}</p>
          <Button>{m.follow.unsubscribeButton}</Button>
        </form>
      ) : r ? (
        <>
          <Notice kind="success">{r.title ? m.follow.unsubscribedOne(L(lang, r.title)) : m.follow.unsubscribedAll}</Notice>
          <p>{m.follow.unsubscribedHint}</p>
        </>
      ) : <Notice kind="warning">{m.follow.invalid}</Notice>}
      <p><a class="kern-link" href={href(lang, 'participation')}>{m.list.title}</a></p>
    </Layout>
  );
}
