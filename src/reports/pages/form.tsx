// The report form (works without JavaScript: coordinate fields or an address), the duplicate offer
// and the thank-you page. Fields follow the portal's GOV.UK/KERN shape: label, hint, error, input.
import type { Messages } from '../../portal/i18n/index.ts';
import type { ReportMessages } from '../../portal/i18n/reports.de.ts';
import { Layout, type Frame } from '../../portal/components/layout.tsx';
import { ErrorSummary, Field } from '../../portal/components/field.tsx';
import { href } from '../../portal/paths.ts';
import type { Category, Report } from '../reports.model.ts';

export interface FormValues { category?: string; description?: string; lat?: string; lon?: string; address?: string; email?: string }
export type FormErrors = Partial<Record<'category' | 'description' | 'lat' | 'lon' | 'location' | 'address' | 'email' | 'photo' | 'form', string>>;

export interface FormModel {
  frame: Frame;
  categories: Category[];
  values: FormValues;
  errors: FormErrors;
  csrf: string;
  tileUrl?: string;
  tileAttribution: string;
}

const ORDER = ['form', 'category', 'description', 'location', 'lat', 'lon', 'address', 'photo', 'email'] as const;
const TARGET: Record<string, string> = { location: 'lat', form: 'meldung' };

interface ControlProps { id: string; label: string; hint?: string; error?: string; optional?: string; t: Messages; children: (describedBy: string | undefined) => preact.ComponentChildren }

/** A form control that is not a text input (select, file): the same label/hint/error wiring as Field. */
export function Control(p: ControlProps) {
  const hintId = p.hint ? `${p.id}-hint` : undefined;
  const errId = p.error ? `${p.id}-error` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`kern-form-input${p.error ? ' kern-form-input--error' : ''}`}>
      <label class="kern-label" for={p.id}>{p.label}{p.optional && <span class="kern-label__optional"> {p.optional}</span>}</label>
      {p.hint && <div class="kern-hint" id={hintId}>{p.hint}</div>}
      {p.error && <p class="kern-error" id={errId} role="alert"><span class="kern-sr-only">{p.t.feedback.errorPrefix} </span>{p.error}</p>}
      {p.children(describedBy)}
    </div>
  );
}

export function CategorySelect({ m, rt, t, error }: { m: { categories: Category[]; values: FormValues; frame: Frame }; rt: ReportMessages; t: Messages; error?: string }) {
  const lang = m.frame.lang;
  return (
    <Control id="category" label={rt.category} error={error} t={t}>
      {(d) => (
        <div class="kern-form-input__select-wrapper">
          <select id="category" name="category" class={`kern-form-input__select${error ? ' kern-form-input__select--error' : ''}`} aria-describedby={d} aria-invalid={error ? 'true' : undefined} required>
            <option value="">{rt.categoryChoose}</option>
            {m.categories.map((c) => <option value={c.code} selected={m.values.category === c.code}>{c.name[lang]}</option>)}
          </select>
        </div>
      )}
    </Control>
  );
}

function PhotoInput({ rt, t, error }: { rt: ReportMessages; t: Messages; error?: string }) {
  return (
    <Control id="photo" label={rt.photo} hint={rt.photoHint} error={error} optional={rt.optional} t={t}>
      {(d) => <input id="photo" name="photo" type="file" accept="image/jpeg,image/png" class="kern-form-input__input" aria-describedby={d} aria-invalid={error ? 'true' : undefined} />}
    </Control>
  );
}

export function ReportFormPage(m: FormModel, t: Messages, rt: ReportMessages) {
  const v = m.values;
  const errors = ORDER.filter((k) => m.errors[k]).map((k) => ({ field: TARGET[k] ?? k, message: m.errors[k]! }));
  const lang = m.frame.lang;
  return (
    <Layout frame={m.frame} t={t} title={errors.length ? `${rt.errorPrefix} ${rt.formTitle}` : rt.formTitle} styles={['leaflet.css', 'reports.css']} scripts={['reports.js']}>
      <ErrorSummary title={rt.errorSummary} errors={errors} />
      <h1 class="kern-heading-x-large">{rt.formTitle}</h1>
      <p class="lead">{rt.intro}</p>
      <p><a class="kern-link" href={href(lang, 'reportList')}>{rt.listLink}</a></p>
      <form id="meldung" class="portal-form" method="post" action={href(lang, 'reports')} enctype="multipart/form-data" novalidate>
        <input type="hidden" name="_csrf" value={m.csrf} />
        <CategorySelect m={m} rt={rt} t={t} error={m.errors.category} />
        <Field t={t} id="description" name="description" type="textarea" label={rt.description} hint={rt.descriptionHint} required value={v.description} error={m.errors.description} maxLength={4000} />
        <fieldset class={`kern-fieldset${m.errors.location ? ' kern-fieldset--error' : ''}`} aria-describedby={`ort-hint${m.errors.location ? ' ort-error' : ''}`}>
          <legend class="kern-label">{rt.placeLegend}</legend>
          <div class="kern-hint" id="ort-hint">{rt.placeHint}</div>
          {m.errors.location && <p class="kern-error" id="ort-error" role="alert"><span class="kern-sr-only">{rt.errorPrefix} </span>{m.errors.location}</p>}
          <div class="report-picker" hidden data-lat="lat" data-lon="lon" data-status="ort-status" data-tile-url={m.tileUrl} data-attribution={m.tileAttribution}
            data-no-tiles={t.map.noTiles} data-picked={pickedTemplate(rt)} data-decimal={lang === 'de' ? ',' : '.'}>
            <p class="kern-hint" id="karte-hilfe">{rt.mapHelp}</p>
            <div class="report-picker__map" role="application" aria-label={rt.mapLabel} aria-describedby="karte-hilfe"></div>
            <div class="report-picker__cross" aria-hidden="true"></div>
            <p id="ort-status" class="kern-body--small" aria-live="polite"></p>
          </div>
          <div class="report-coords">
            <div><Field t={t} id="lat" name="lat" label={rt.lat} hint={rt.latHint} value={v.lat} error={m.errors.lat} maxLength={20} /></div>
            <div><Field t={t} id="lon" name="lon" label={rt.lon} hint={rt.lonHint} value={v.lon} error={m.errors.lon} maxLength={20} /></div>
          </div>
          <Field t={t} id="address" name="address" label={rt.address} hint={rt.addressHint} autocomplete="street-address" value={v.address} error={m.errors.address} maxLength={500} />
        </fieldset>
        <PhotoInput rt={rt} t={t} error={m.errors.photo} />
        <Field t={t} id="email" name="email" type="email" label={rt.email} hint={rt.emailHint} autocomplete="email" value={v.email} error={m.errors.email} maxLength={254} />
        <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{rt.submit}</span></button>
      </form>
    </Layout>
  );
}

/** The announcement template for the client script ({lat}/{lon} are filled in there). */
function pickedTemplate(rt: ReportMessages): string {
  return rt.mapPicked(11.11111, 22.22222).replace(/11[.,]11111/, '{lat}').replace(/22[.,]22222/, '{lon}');
}

export interface DuplicateModel extends FormModel {
  candidates: Array<Report & { distanceM: number }>;
}

export function DuplicatePage(m: DuplicateModel, t: Messages, rt: ReportMessages) {
  const lang = m.frame.lang;
  const v = m.values;
  const hidden = (name: keyof FormValues) => (v[name] ? <input type="hidden" name={name} value={v[name]} /> : null);
  return (
    <Layout frame={m.frame} t={t} title={rt.dupTitle} styles={['reports.css']}>
      <h1 class="kern-heading-x-large">{rt.dupTitle}</h1>
      <p class="lead">{rt.dupIntro(m.candidates.length)}</p>
      <ul class="kern-list">
        {m.candidates.map((r) => (
          <li><a class="kern-link" href={href(lang, 'report', r.id)}>{rt.reportTitle(r.id)}</a>: {r.description.length > 140 ? `${r.description.slice(0, 140)} …` : r.description} ({rt.dupDistance(r.distanceM)}, {rt.statuses[r.status]})</li>
        ))}
      </ul>
      <p>{rt.dupSame}</p>
      <h2 class="kern-heading-medium">{rt.dupNew}</h2>
      <form class="portal-form" method="post" action={href(lang, 'reports')} enctype="multipart/form-data" novalidate>
        <input type="hidden" name="_csrf" value={m.csrf} />
        <input type="hidden" name="confirmed" value="1" />
        {hidden('category')}{hidden('description')}{hidden('lat')}{hidden('lon')}{hidden('address')}{hidden('email')}
        <p class="kern-hint" id="photo-again">{rt.dupNewHint}</p>
        <PhotoInput rt={rt} t={t} error={m.errors.photo} />
        <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{rt.dupSubmit}</span></button>
      </form>
    </Layout>
  );
}

export function ThanksPage(m: { frame: Frame; id: string; mail: boolean }, t: Messages, rt: ReportMessages) {
  const lang = m.frame.lang;
  return (
    <Layout frame={m.frame} t={t} title={rt.thanksTitle} styles={['reports.css']}>
      <div class="kern-alert kern-alert--success" role="status">
        <div class="kern-alert__header"><h1 class="kern-heading-x-large kern-title">{rt.thanksTitle}</h1></div>
        <div class="kern-alert__body"><p class="kern-body">{rt.thanksNumber(m.id)}</p>{m.mail && <p class="kern-body">{rt.thanksMail}</p>}</div>
      </div>
      <ul class="kern-list">
        <li><a class="kern-link" href={href(lang, 'report', m.id)}>{rt.thanksTrack}</a></li>
        <li><a class="kern-link" href={href(lang, 'reports')}>{rt.thanksAnother}</a></li>
      </ul>
    </Layout>
  );
}
