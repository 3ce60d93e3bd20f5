// The page to choose the language: a form that posts (no JavaScript needed) and leads back to the
// page the person came from, in the chosen language; for a logged-in person also their mail language.
import type { Messages } from '../i18n/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import { Csrf, ErrorSummary, SubmitButton } from '../components/field.tsx';
import { href, type Lang } from '../paths.ts';

export interface LanguageModel {
  frame: Frame;
  /** The CSRF token of the form (the session's, or the double-submit token); absent without accounts. */
  csrf?: string;
  /** The local address to go back to (in the page's language). */
  returnTo: string;
  /** The logged-in person's mail language; undefined when nobody is logged in. */
  mailLang?: Lang;
  error?: string;
}

export function LanguagePage(m: LanguageModel, t: Messages) {
  const l = m.frame.lang;
  const errId = m.error ? 'sprache-error' : undefined;
  return (
    <Layout frame={m.frame} t={t} title={m.error ? `${t.feedback.errorPrefix} ${t.language.title}` : t.language.title}>
      <ErrorSummary title={t.feedback.errorSummary} errors={m.error ? [{ field: 'sprache-de', message: m.error }] : []} />
      <h1 class="kern-heading-x-large">{t.language.title}</h1>
      <p class="lead">{t.language.intro}</p>
      {m.mailLang && <p>{t.language.mailNote(t.language[m.mailLang])}</p>}
      <form class="portal-form" method="post" action={href(l, 'language')} novalidate>
        {m.csrf !== undefined && <Csrf token={m.csrf} />}
        <input type="hidden" name="returnTo" value={m.returnTo} />
        <fieldset class={`kern-fieldset${m.error ? ' kern-fieldset--error' : ''}`} aria-describedby={errId}>
          <legend class="kern-label">{t.language.legend}</legend>
          {m.error && <p class="kern-error" id={errId} role="alert"><span class="kern-sr-only">{t.feedback.errorPrefix} </span>{m.error}</p>}
          <div class="kern-fieldset__body">
            {(['de', 'en'] as const).map((v) => (
              <div class="kern-form-check">
                <input class="kern-form-check__radio" type="radio" name="lang" value={v} id={`sprache-${v}`} checked={!m.error && v === l} />
                <label class="kern-label" for={`sprache-${v}`} lang={v === l ? undefined : v}>{t.language[v]}</label>
              </div>
            ))}
          </div>
        </fieldset>
        <SubmitButton>{t.language.submit}</SubmitButton>
      </form>
      <p><a class="kern-link" href={m.returnTo}>{t.language.back}</a></p>
    </Layout>
  );
}
