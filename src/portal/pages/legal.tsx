// Legal pages (imprint, privacy, accessibility statement with the feedback form BITV NRW asks for)
// and the Leichte Sprache page. Legal texts come from configurable files (German; shown in German
// on the English pages too, marked with lang="de").
import type { Messages } from '../i18n/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import { ErrorSummary, Field } from '../components/field.tsx';
import { href } from '../paths.ts';

/** A legal text: paragraphs separated by blank lines; "## " starts a heading. */
export interface LegalText {
  blocks: Array<{ kind: 'h' | 'p'; text: string }>;
  placeholder: boolean;
}

export function parseLegalText(src: string): LegalText {
  const blocks = src.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean)
    .map((b) => (b.startsWith('## ') ? { kind: 'h' as const, text: b.slice(3).trim() } : { kind: 'p' as const, text: b.replace(/\s*\n\s*/g, ' ') }));
  return { blocks, placeholder: /\[Platzhalter\]/.test(src) };
}

function LegalBody({ text, t, lang }: { text: LegalText; t: Messages; lang: string }) {
  return (
    <div class="legal-text" lang={lang === 'de' ? undefined : 'de'}>
      {text.placeholder && <p class="placeholder-note" lang={lang === 'de' ? undefined : lang}>{t.legal.placeholder}</p>}
      {text.blocks.map((b) => (b.kind === 'h' ? <h2 class="kern-heading-medium">{b.text}</h2> : <p>{b.text}</p>))}
    </div>
  );
}

export interface LegalModel {
  frame: Frame;
  title: string;
  text: LegalText;
}

export function LegalPage(m: LegalModel, t: Messages) {
  return (
    <Layout frame={m.frame} t={t} title={m.title}>
      <h1 class="kern-heading-x-large">{m.title}</h1>
      <LegalBody text={m.text} t={t} lang={m.frame.lang} />
    </Layout>
  );
}

export interface FeedbackForm {
  values: { name?: string; email?: string; page?: string; message?: string };
  errors: Partial<Record<'name' | 'email' | 'page' | 'message', string>>;
  sent: boolean;
}

export interface AccessibilityModel extends LegalModel {
  form: FeedbackForm;
  maxChars: number;
}

export function AccessibilityPage(m: AccessibilityModel, t: Messages) {
  const f = m.form;
  const errors = (['message', 'email', 'name', 'page'] as const).filter((k) => f.errors[k]).map((k) => ({ field: `feedback-${k}`, message: f.errors[k]! }));
  const action = href(m.frame.lang, 'accessibility');
  return (
    <Layout frame={m.frame} t={t} title={errors.length ? `${t.feedback.errorPrefix} ${m.title}` : m.title}>
      <ErrorSummary title={t.feedback.errorSummary} errors={errors} />
      <h1 class="kern-heading-x-large">{m.title}</h1>
      <LegalBody text={m.text} t={t} lang={m.frame.lang} />
      <section aria-labelledby="rueckmeldung">
        <h2 class="kern-heading-large" id="rueckmeldung">{t.feedback.heading}</h2>
        {f.sent ? (
          <div class="kern-alert kern-alert--success" role="status">
            <div class="kern-alert__header"><span class="kern-title">{t.feedback.thanksTitle}</span></div>
            <div class="kern-alert__body"><p class="kern-body">{t.feedback.thanks}</p></div>
          </div>
        ) : (
          <>
            <p>{t.feedback.intro}</p>
            <form class="portal-form" method="post" action={`${action}#rueckmeldung`} novalidate>
              <Field t={t} id="feedback-message" name="message" type="textarea" label={t.feedback.message} hint={t.feedback.messageHint} required value={f.values.message} error={f.errors.message} />
              <Field t={t} id="feedback-name" name="name" label={t.feedback.name} hint={t.feedback.nameHint || undefined} autocomplete="name" value={f.values.name} error={f.errors.name} />
              <Field t={t} id="feedback-email" name="email" type="email" label={t.feedback.email} hint={t.feedback.emailHint} autocomplete="email" value={f.values.email} error={f.errors.email} />
              <Field t={t} id="feedback-page" name="page" label={t.feedback.page} hint={t.feedback.pageHint} value={f.values.page} error={f.errors.page} />
              <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{t.feedback.submit}</span></button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}

export function EasyPage(m: { frame: Frame }, t: Messages) {
  const de = m.frame.lang === 'de';
  return (
    <Layout frame={m.frame} t={t} title={t.easy.title}>
      <div class="easy">
        <h1 class="kern-heading-x-large">{t.easy.heading}</h1>
        {de ? (
          <>
            <p>Diese Internet·seite gehört zur Stadt Herne.</p>
            <p>Die Seite heißt: Daten·dreh·scheibe.</p>
            <h2 class="kern-heading-medium">Was sind Daten?</h2>
            <p>Daten sind Informationen. Zum Beispiel:</p>
            <ul>
              <li>Wie sauber ist die Luft?</li>
              <li>Wie laut ist es an einer Straße?</li>
              <li>Wie viele Park·plätze sind frei?</li>
            </ul>
            <p>Kleine Geräte messen das. Die Geräte heißen: Sensoren.</p>
            <h2 class="kern-heading-medium">Was macht die Daten·dreh·scheibe?</h2>
            <p>Die Daten·dreh·scheibe sammelt die Daten. Alle Menschen können die Daten hier ansehen.</p>
            <p>Die Daten sind kostenlos.</p>
            <h2 class="kern-heading-medium">Was ist die Digital·strategie?</h2>
            <p>Die Stadt Herne hat einen Plan. Der Plan heißt: Digital·strategie.</p>
            <p>In dem Plan stehen Projekte. Zum Beispiel: Bänke mit Strom aus der Sonne. Dort können Sie Ihr Handy laden.</p>
            <p>Auf dieser Seite sehen Sie: Wie weit ist jedes Projekt?</p>
            <h2 class="kern-heading-medium">Haben Sie eine Frage?</h2>
            <p>Schreiben Sie uns. Das geht hier: <a class="kern-link" href={`${href('de', 'accessibility')}#rueckmeldung`}>Barriere melden</a></p>
          </>
        ) : (
          <>
            <p>This website belongs to the city of Herne. It is called the data hub.</p>
            <p>Small devices measure things in the city: how clean the air is, how loud a street is, how many parking spaces are free. These devices are called sensors.</p>
            <p>The data hub collects this data. Everyone can look at the data here, free of charge.</p>
            <p>The city has a plan called the digital strategy. It has projects, for example benches that make electricity from the sun, where you can charge your phone. Here you can see how far each project has come.</p>
            <p>The German page is written in Leichte Sprache (easy German): <a class="kern-link" href={href('de', 'easy')} hreflang="de" lang="de">Die Daten·dreh·scheibe in Leichter Sprache</a></p>
          </>
        )}
      </div>
    </Layout>
  );
}

export function NotFoundPage(m: { frame: Frame }, t: Messages) {
  const l = m.frame.lang;
  return (
    <Layout frame={m.frame} t={t} title={t.notFound.title}>
      <h1 class="kern-heading-x-large">{t.notFound.title}</h1>
      <p class="lead">{t.notFound.text}</p>
      <p>{t.notFound.try}</p>
      <ul class="kern-list">
        <li><a class="kern-link" href={href(l, 'home')}>{t.nav.home}</a></li>
        <li><a class="kern-link" href={href(l, 'strategy')}>{t.nav.strategy}</a></li>
        <li><a class="kern-link" href={href(l, 'live')}>{t.nav.live}</a></li>
        <li><a class="kern-link" href={href(l, 'developers')}>{t.nav.developers}</a></li>
      </ul>
    </Layout>
  );
}

export function ErrorPage(m: { frame: Frame; requestId: string }, t: Messages) {
  return (
    <Layout frame={m.frame} t={t} title={t.error.title}>
      <h1 class="kern-heading-x-large">{t.error.title}</h1>
      <p class="lead">{t.error.text}</p>
      <p>{t.error.ref(m.requestId)}</p>
    </Layout>
  );
}
