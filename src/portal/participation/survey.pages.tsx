// The survey pages: the form (one fieldset with a legend per choice or scale question, a labelled
// text area per free-text question, errors at each question and in a summary that links to it) and
// the results (a table per question with counts and shares, and bars drawn as SVG next to the numbers).
import type { QuestionResult, ProcessView, Survey, SurveyQuestion, SurveyResults } from '../../participation/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import type { Messages } from '../i18n/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { href } from '../paths.ts';
import { Button, Csrf, ErrorList, Notice, PField } from './components.tsx';
import { AccountBar, type Viewer } from './pages.tsx';

type Errors = Record<string, string>;
type Values = Record<string, string | string[]>;
const L = (frame: Frame, x: { de: string; en: string }) => x[frame.lang] || x.de;

function Paragraphs({ text }: { text: string }) {
  return <>{text.split(/\n\s*\n/).filter(Boolean).map((para) => <p>{para}</p>)}</>;
}

/** A choice or scale question: radios (single, scale) or checkboxes (multiple) in a fieldset; the first input carries the question's id (the error summary links there). */
function ChoiceQuestion({ q, n, frame, value, error, m }: { q: SurveyQuestion; n: number; frame: Frame; value: string | string[] | undefined; error?: string; m: ParticipationMessages }) {
  const chosen = new Set(([] as string[]).concat(value ?? []));
  const options = q.kind === 'scale'
    ? [1, 2, 3, 4, 5].map((v) => ({ value: String(v), label: m.survey.scalePoint(v, v === 1 ? L(frame, q.scale!.low) : v === 5 ? L(frame, q.scale!.high) : undefined) }))
    : (q.choices ?? []).map((c, i) => ({ value: String(i), label: L(frame, c) }));
  const hint = q.kind === 'scale' ? m.survey.scaleHint(L(frame, q.scale!.low), L(frame, q.scale!.high)) : q.kind === 'multiple' ? m.survey.chooseMany : m.survey.choose1;
  const type = q.kind === 'multiple' ? 'checkbox' : 'radio';
  return (
    <fieldset class={`kern-fieldset survey-question${error ? ' kern-fieldset--error' : ''}`} aria-describedby={`${q.id}-hint${error ? ` ${q.id}-error` : ''}`}>
      <legend class="kern-label">{n}. {L(frame, q.text)} <span class="kern-label__optional">{q.required ? m.survey.required : m.survey.optional}</span></legend>
      <div class="kern-hint" id={`${q.id}-hint`}>{hint}</div>
      {error && <p class="kern-error" id={`${q.id}-error`} role="alert"><span class="kern-sr-only">{m.errors.prefix} </span>{error}</p>}
      <div class={`kern-fieldset__body${q.kind === 'scale' ? ' survey-scale' : ''}`}>
        {options.map((o, i) => {
          const id = i === 0 ? q.id : `${q.id}-${o.value}`;
          return (
            <div class="kern-form-check">
              <input class={`kern-form-check__${type}`} type={type} name={q.id} value={o.value} id={id} checked={chosen.has(o.value)} />
              <label class="kern-label" for={id}>{o.label}</label>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}

export interface SurveyModel {
  frame: Frame;
  viewer: Viewer;
  view: ProcessView;
  survey: Survey;
  answered: boolean;
  /** Where the process takes guests: whether this browser's guest answer waits for release. */
  guest?: { waiting: boolean };
  values: Values;
  errors: Errors;
  notice?: string;
}

export function SurveyPage(x: SurveyModel, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  const s = x.survey;
  const p = x.view.process;
  const open = x.view.allowed.includes('survey');
  const canAnswer = open && !!x.viewer.person && !x.answered;
  const guestForm = open && !x.viewer.person && !!x.guest && !x.guest.waiting;
  const title = m.survey.title(L(x.frame, s.title));
  const errs = [...(x.errors.pseudonym ? [{ field: 'pseudonym', message: x.errors.pseudonym }] : []),
    ...s.questions.flatMap((q, i) => (x.errors[q.id] ? [{ field: q.id, message: m.survey.errorAt(i + 1, L(x.frame, q.text), x.errors[q.id]!) }] : []))];
  const showResults = s.resultsPublished || x.viewer.steward;
  return (
    <Layout frame={x.frame} t={t} title={errs.length ? `${m.errors.prefix} ${title}` : title}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <ErrorList title={m.errors.summary} errors={errs} />
      <p><a class="kern-link" href={href(lang, 'process', p.slug)}>{m.survey.back(L(x.frame, p.title))}</a></p>
      {x.notice && <Notice kind="success">{x.notice}</Notice>}
      <h1 class="kern-heading-x-large">{title}</h1>
      <Paragraphs text={L(x.frame, s.description)} />
      <p>{m.survey.intro}</p>
      {x.answered && <Notice kind="success">{m.survey.answered}</Notice>}
      {!open && <p>{m.survey.closed}</p>}
      {open && !x.viewer.person && <p><a class="kern-link" href={`${href(lang, 'login')}?returnTo=${encodeURIComponent(href(lang, 'survey', s.id))}`}>{m.process.loginToTakePart}</a></p>}
      {showResults && <p><a class="kern-link" href={href(lang, 'surveyResults', s.id)}>{m.survey.results}</a></p>}
      {x.guest?.waiting && !x.viewer.person && <Notice>{m.guests.surveyWaiting}</Notice>}
      {(canAnswer || guestForm) && (
        <form method="post" action={guestForm ? `${href(lang, 'survey', s.id)}/gast` : href(lang, 'survey', s.id)} class="portal-form survey-form" novalidate>
          <Csrf token={x.viewer.csrf} />
          {guestForm && (
            <>
              <h2 class="kern-heading-medium">{m.guests.surveyTitle}</h2>
              <p>{m.guests.intro}</p>
              <PField id="pseudonym" name="pseudonym" required label={m.guests.pseudonym} hint={m.guests.pseudonymHint} value={typeof x.values.pseudonym === 'string' ? x.values.pseudonym : ''} error={x.errors.pseudonym} errorPrefix={m.errors.prefix} />
            </>
          )}
          {s.questions.map((q, i) => q.kind === 'text' ? (
            <PField id={q.id} name={q.id} type="textarea" rows={5} label={`${i + 1}. ${L(x.frame, q.text)}`} hint={m.survey.textHint} value={typeof x.values[q.id] === 'string' ? x.values[q.id] as string : ''}
              error={x.errors[q.id]} errorPrefix={m.errors.prefix} required={q.required} optionalText={m.survey.optional} />
          ) : <ChoiceQuestion q={q} n={i + 1} frame={x.frame} value={x.values[q.id]} error={x.errors[q.id]} m={m} />)}
          <Button>{guestForm ? m.guests.send : m.survey.submit}</Button>
        </form>
      )}
      {x.viewer.steward && <SurveyCityActions x={x} m={m} />}
    </Layout>
  );
}

function SurveyCityActions({ x, m }: { x: SurveyModel; m: ParticipationMessages }) {
  const s = x.survey;
  return (
    <section aria-labelledby="stadt" class="city-actions">
      <h2 class="kern-heading-medium" id="stadt">{m.survey.city}</h2>
      <p>{s.resultsPublished ? m.survey.isPublished : m.survey.notPublished}</p>
      <form method="post" action={`${href(x.frame.lang, 'survey', s.id)}/veroeffentlichen`}>
        <Csrf token={x.viewer.csrf} />
        <input type="hidden" name="published" value={s.resultsPublished ? 'false' : 'true'} />
        <Button secondary={s.resultsPublished}>{s.resultsPublished ? m.survey.unpublish : m.survey.publish}</Button>
      </form>
      <p><a class="kern-link" href={`/api/participation/surveys/${encodeURIComponent(s.id)}/answers.csv`} download>{m.survey.csv}</a></p>
    </section>
  );
}

/** A bar for a share (0–1), beside the number that says the same (hidden from assistive technology). */
function Bar({ share }: { share: number }) {
  const w = Math.round(share * 100);
  return (
    <svg class="survey-bar" width="100" height="12" viewBox="0 0 100 12" aria-hidden="true" focusable="false">
      <rect class="survey-bar__track" x="0" y="0" width="100" height="12" />
      {w > 0 && <rect class="survey-bar__fill" x="0" y="0" width={String(w)} height="12" />}
    </svg>
  );
}

function ResultTable({ q, caption, frame, t, m }: { q: QuestionResult; caption: string; frame: Frame; t: Messages; m: ParticipationMessages }) {
  if (q.kind === 'text') return <p>{m.survey.texts(q.answered)}</p>;
  const pct = (s: number) => `${t.formatNumber(Math.round(s * 1000) / 10)} %`;
  const rows = q.kind === 'scale'
    ? q.distribution.map((d) => ({ label: m.survey.scalePoint(d.value, d.value === 1 ? L(frame, q.scale.low) : d.value === 5 ? L(frame, q.scale.high) : undefined), count: d.count, share: d.share }))
    : q.choices.map((c) => ({ label: L(frame, c.label), count: c.count, share: c.share }));
  return (
    <>
      <p>{m.survey.answeredBy(q.answered)}{q.kind === 'multiple' && <> {m.survey.multipleNote}</>}</p>
      <div class="table-scroll">
        <table class="kern-table survey-table">
          <caption class="kern-sr-only">{caption}</caption>
          <thead class="kern-table__header"><tr class="kern-table__row">
            <th class="kern-table__header" scope="col">{q.kind === 'scale' ? m.survey.value : m.survey.answer}</th>
            <th class="kern-table__header kern-table__header--numeric" scope="col">{m.survey.count}</th>
            <th class="kern-table__header" scope="col">{m.survey.share}</th>
          </tr></thead>
          <tbody class="kern-table__body">
            {rows.map((r) => (
              <tr class="kern-table__row">
                <th class="kern-table__cell" scope="row">{r.label}</th>
                <td class="kern-table__cell kern-table__cell--numeric">{t.formatNumber(r.count)}</td>
                <td class="kern-table__cell survey-share"><span class="survey-share__text">{pct(r.share)}</span> <Bar share={r.share} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {q.kind === 'scale' && <p>{q.mean === null ? m.survey.noMean : m.survey.mean(t.formatNumber(q.mean))}</p>}
    </>
  );
}

export interface SurveyResultsModel {
  frame: Frame;
  viewer: Viewer;
  view: ProcessView;
  survey: Survey;
  /** Absent while the results are not published (and the viewer is no steward). */
  results?: SurveyResults;
}

export function SurveyResultsPage(x: SurveyResultsModel, t: Messages, m: ParticipationMessages) {
  const lang = x.frame.lang;
  const s = x.survey;
  const title = m.survey.resultsTitle(L(x.frame, s.title));
  return (
    <Layout frame={x.frame} t={t} title={title}>
      <AccountBar frame={x.frame} viewer={x.viewer} m={m} />
      <p><a class="kern-link" href={href(lang, 'survey', s.id)}>{m.survey.back(m.survey.title(L(x.frame, s.title)))}</a></p>
      <h1 class="kern-heading-x-large">{title}</h1>
      {!x.results ? <p>{m.survey.resultsPending}</p> : (
        <>
          {!s.resultsPublished && <Notice kind="warning">{m.survey.resultsPreview}</Notice>}
          <p>{m.survey.respondents(x.results.respondents)}</p>
          {x.results.questions.map((q, i) => (
            <section aria-labelledby={`frage-${q.id}`}>
              <h2 class="kern-heading-medium" id={`frage-${q.id}`}>{i + 1}. {L(x.frame, q.text)}</h2>
              <ResultTable q={q} caption={`${i + 1}. ${L(x.frame, q.text)}`} frame={x.frame} t={t} m={m} />
            </section>
          ))}
        </>
      )}
    </Layout>
  );
}
