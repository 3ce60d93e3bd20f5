// The dataset editor for data stewards (/verwaltung/datensaetze): the list, the form to create and
// edit a dataset, publish/unpublish/delete, uploading a file and adding a link. Every form posts
// (no JavaScript) with the session's CSRF token; errors are shown next to each field with a summary.
import type { ComponentChildren } from 'preact';
import type { Messages } from '../i18n/index.ts';
import type { CatalogMessages } from '../i18n/catalog.de.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import { ErrorSummary, Field } from '../components/field.tsx';
import { CSRF_FIELD } from '../../accounts/index.ts';
import { href, type Lang } from '../paths.ts';

/** The editor's action paths under a dataset's edit page, per language. */
export const ACTIONS = {
  de: { publish: 'veroeffentlichen', unpublish: 'zuruecknehmen', delete: 'loeschen', file: 'datei', link: 'link', remove: 'verteilungen/:dist/entfernen' },
  en: { publish: 'publish', unpublish: 'unpublish', delete: 'delete', file: 'file', link: 'link', remove: 'distributions/:dist/remove' },
} as const satisfies Record<Lang, Record<string, string>>;

export interface EditorRow {
  id: string;
  title: string;
  published: boolean;
  modified?: string;
  live: boolean;
}

export interface EditorListModel {
  frame: Frame;
  t: Messages;
  c: CatalogMessages;
  rows: EditorRow[];
  csrf: string;
  notice?: string;
  /** 1-based page of the list and the number of pages. */
  page: number;
  pages: number;
}

/** The form's own field names; values as typed (strings; checkbox groups as lists). */
export const EDITOR_FIELDS = ['id', 'titleDe', 'titleEn', 'descriptionDe', 'descriptionEn', 'publisher', 'contact', 'contactEmail', 'licence',
  'themes', 'keywords', 'frequency', 'temporalStart', 'temporalEnd', 'municipality', 'contributorId', 'conformsTo', 'project'] as const;
export type EditorField = (typeof EDITOR_FIELDS)[number];
export type EditorValues = Partial<Record<Exclude<EditorField, 'themes'>, string>> & { themes?: string[] };

export interface Option { value: string; label: string }

export interface EditorDistribution {
  id: string;
  title: string;
  format: string;
  kind: 'file' | 'link' | 'live';
  byteSize?: number;
}

export interface EditorFormModel {
  frame: Frame;
  t: Messages;
  c: CatalogMessages;
  csrf: string;
  /** Undefined for a new dataset. */
  id?: string;
  published?: boolean;
  live?: boolean;
  values: EditorValues;
  /** Field name → message (form fields; "file", "url", "format", "distTitle" for the distribution forms; "form" for the rest). */
  errors: Record<string, string>;
  options: { publishers: Option[]; licences: Option[]; themes: Option[]; frequencies: Option[]; projects: Option[] };
  distributions: EditorDistribution[];
  notice?: string;
  maxUploadLabel: string;
}

function Csrf({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

function Notice({ text }: { text?: string }) {
  return text ? <p class="notice" role="status">{text}</p> : null;
}

export function EditorListPage(m: EditorListModel) {
  const { t, c } = m;
  const lang = m.frame.lang;
  return (
    <Layout frame={m.frame} t={t} title={c.editor.title} styles={['catalog.css']}>
      <h1 class="kern-heading-x-large">{c.editor.title}</h1>
      <Notice text={m.notice} />
      <p>{c.editor.intro}</p>
      <p><a class="kern-btn kern-btn--primary" href={href(lang, 'editorNew')}><span class="kern-label">{c.editor.newLink}</span></a></p>
      {m.rows.length === 0 ? <p>{c.editor.none}</p> : (
        <div class="table-scroll">
          <table class="kern-table">
            <caption>{c.editor.listCaption}</caption>
            <thead class="kern-table__header">
              <tr class="kern-table__row">
                <th class="kern-table__header" scope="col">{c.editor.colTitle}</th>
                <th class="kern-table__header" scope="col">{c.editor.colState}</th>
                <th class="kern-table__header" scope="col">{c.editor.colModified}</th>
                <th class="kern-table__header" scope="col">{c.editor.colActions}</th>
              </tr>
            </thead>
            <tbody class="kern-table__body">
              {m.rows.map((r) => (
                <tr class="kern-table__row">
                  <th class="kern-table__cell" scope="row">{r.title}{r.live && <> <span class="kern-body--small">({c.search.live})</span></>}</th>
                  <td class="kern-table__cell">{r.published ? c.editor.published : c.editor.draft}</td>
                  <td class="kern-table__cell">{r.modified ? t.formatDate(r.modified) : ''}</td>
                  <td class="kern-table__cell">
                    <a class="kern-link" href={href(lang, 'editorEdit', r.id)} aria-label={c.editor.editOf(r.title)}>{c.editor.edit}</a>
                    {' · '}
                    <a class="kern-link" href={href(lang, 'dataset', r.id)}>{c.editor.view}<span class="kern-sr-only">: {r.title}</span></a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {m.pages > 1 && (
        <nav class="pager" aria-label={c.search.pagination}>
          <p class="kern-body--small">{c.search.pageOf(m.page, m.pages)}</p>
          <ul>
            {m.page > 1 && <li><a class="kern-link" rel="prev" href={`${href(lang, 'editor')}?page=${m.page - 1}`}>{c.search.prev}</a></li>}
            {m.page < m.pages && <li><a class="kern-link" rel="next" href={`${href(lang, 'editor')}?page=${m.page + 1}`}>{c.search.next}</a></li>}
          </ul>
        </nav>
      )}
    </Layout>
  );
}

interface ChoiceProps {
  id: string;
  name: string;
  label: string;
  hint?: string;
  error?: string;
  t: Messages;
  c: CatalogMessages;
  required?: boolean;
}

/** Label, hint, error and control wired like Field (aria-describedby, aria-invalid). */
function Wrap(p: ChoiceProps & { children: (aria: Record<string, string | undefined>) => ComponentChildren }) {
  const hintId = p.hint ? `${p.id}-hint` : undefined;
  const errId = p.error ? `${p.id}-error` : undefined;
  const aria = { 'aria-describedby': [hintId, errId].filter(Boolean).join(' ') || undefined, 'aria-invalid': p.error ? 'true' : undefined };
  return (
    <div class={`kern-form-input${p.error ? ' kern-form-input--error' : ''}`}>
      <label class="kern-label" for={p.id}>{p.label}{!p.required && <span class="kern-label__optional"> {p.t.feedback.optional}</span>}</label>
      {p.hint && <div class="kern-hint" id={hintId}>{p.hint}</div>}
      {p.error && <p class="kern-error" id={errId}><span class="kern-sr-only">{p.c.errors.prefix} </span>{p.error}</p>}
      {p.children(aria)}
    </div>
  );
}

function Select(p: ChoiceProps & { options: Option[]; value?: string }) {
  return (
    <Wrap {...p}>
      {(aria) => (
        <div class="kern-form-input__select-wrapper">
          <select class={`kern-form-input__select${p.error ? ' kern-form-input__select--error' : ''}`} id={p.id} name={p.name} required={p.required || undefined} {...aria}>
            <option value="">{p.c.editor.fields.choose}</option>
            {p.options.map((o) => <option value={o.value} selected={o.value === p.value}>{o.label}</option>)}
          </select>
        </div>
      )}
    </Wrap>
  );
}

function Checkboxes(p: ChoiceProps & { options: Option[]; values: string[] }) {
  const hintId = p.hint ? `${p.id}-hint` : undefined;
  const errId = p.error ? `${p.id}-error` : undefined;
  return (
    <fieldset class={`kern-fieldset${p.error ? ' kern-fieldset--error' : ''}`} id={p.id} aria-describedby={[hintId, errId].filter(Boolean).join(' ') || undefined}>
      <legend class="kern-label">{p.label}{!p.required && <span class="kern-label__optional"> {p.t.feedback.optional}</span>}</legend>
      {p.hint && <div class="kern-hint" id={hintId}>{p.hint}</div>}
      {p.error && <p class="kern-error" id={errId}><span class="kern-sr-only">{p.c.errors.prefix} </span>{p.error}</p>}
      <div class="check-grid">
        {p.options.map((o, i) => (
          <div class="kern-form-check">
            <input class="kern-form-check__checkbox" type="checkbox" id={`${p.id}-${i}`} name={`${p.name}:${o.value}`} value="1" checked={p.values.includes(o.value)} />
            <label class="kern-label" for={`${p.id}-${i}`}>{o.label}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

function DateField(p: ChoiceProps & { value?: string }) {
  return <Wrap {...p}>{(aria) => <input class={`kern-form-input__input${p.error ? ' kern-form-input__input--error' : ''}`} type="date" id={p.id} name={p.name} value={p.value ?? ''} {...aria} />}</Wrap>;
}

const FIELD_ORDER: EditorField[] = [...EDITOR_FIELDS];

export function EditorFormPage(m: EditorFormModel) {
  const { t, c } = m;
  const lang = m.frame.lang;
  const f = c.editor.fields;
  const v = m.values;
  const e = m.errors;
  const isNew = m.id === undefined;
  const title = isNew ? c.editor.newTitle : c.editor.editTitle(v.titleDe || m.id!);
  const fieldErrors = FIELD_ORDER.filter((k) => e[k]).map((k) => ({ field: `ds-${k}`, message: e[k]! }));
  const distErrors = (['file', 'distTitle', 'url', 'format', 'form'] as const).filter((k) => e[k]).map((k) => ({ field: k === 'form' ? 'ds-titleDe' : `dist-${k}`, message: e[k]! }));
  const errors = [...fieldErrors, ...distErrors];
  const self = isNew ? href(lang, 'editorNew') : href(lang, 'editorEdit', m.id);
  const A = ACTIONS[lang];
  const common = { t, c };
  const text = (k: Exclude<EditorField, 'themes'>, label: string, extra: { hint?: string; required?: boolean; type?: 'text' | 'email' | 'textarea'; maxLength?: number } = {}) => (
    <Field t={t} id={`ds-${k}`} name={k} label={label} value={v[k]} error={e[k]} {...extra} />
  );
  return (
    <Layout frame={m.frame} t={t} title={errors.length ? `${c.errors.prefix} ${title}` : title} styles={['catalog.css']}>
      <ErrorSummary title={c.errors.summary} errors={errors} />
      <p><a class="kern-link" href={href(lang, 'editor')}>{c.editor.back}</a></p>
      <h1 class="kern-heading-x-large">{title}</h1>
      <Notice text={m.notice} />
      {!isNew && (
        <section aria-labelledby="veroeffentlichung" class="editor-section">
          <h2 class="kern-heading-medium" id="veroeffentlichung">{c.editor.stateHeading}</h2>
          <p>{m.published ? c.editor.statePublished : c.editor.stateDraft}</p>
          <div class="editor-actions">
            <form method="post" action={`${self}/${m.published ? A.unpublish : A.publish}`}>
              <Csrf token={m.csrf} />
              <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{m.published ? c.editor.unpublish : c.editor.publish}</span></button>
            </form>
            {m.published && <a class="kern-link" href={href(lang, 'dataset', m.id)}>{c.editor.view}</a>}
          </div>
        </section>
      )}
      <form class="portal-form" method="post" action={self} novalidate>
        <Csrf token={m.csrf} />
        {isNew
          ? text('id', f.id, { hint: f.idHint, required: true, maxLength: 100 })
          : null}
        {text('titleDe', f.titleDe, { required: true, maxLength: 500 })}
        {text('titleEn', f.titleEn, { maxLength: 500 })}
        {text('descriptionDe', f.descriptionDe, { required: true, type: 'textarea', hint: f.descriptionHint })}
        {text('descriptionEn', f.descriptionEn, { type: 'textarea' })}
        <Select {...common} id="ds-publisher" name="publisher" label={f.publisher} required options={m.options.publishers} value={v.publisher} error={e.publisher} />
        <Select {...common} id="ds-contact" name="contact" label={f.contact} options={m.options.publishers} value={v.contact} error={e.contact} />
        {text('contactEmail', f.contactEmail, { type: 'email' })}
        <Select {...common} id="ds-licence" name="licence" label={f.licence} hint={f.licenceHint} required options={m.options.licences} value={v.licence} error={e.licence} />
        <Checkboxes {...common} id="ds-themes" name="themes" label={f.themes} hint={f.themesHint} options={m.options.themes} values={v.themes ?? []} error={e.themes} />
        {text('keywords', f.keywords, { hint: f.keywordsHint })}
        <Select {...common} id="ds-frequency" name="frequency" label={f.frequency} options={m.options.frequencies} value={v.frequency} error={e.frequency} />
        <DateField {...common} id="ds-temporalStart" name="temporalStart" label={f.temporalStart} hint={f.dateHint} value={v.temporalStart} error={e.temporalStart} />
        <DateField {...common} id="ds-temporalEnd" name="temporalEnd" label={f.temporalEnd} hint={f.dateHint} value={v.temporalEnd} error={e.temporalEnd} />
        {text('municipality', f.municipality, { hint: f.municipalityHint, maxLength: 12 })}
        {text('contributorId', f.contributorId, { hint: f.contributorHint })}
        {text('conformsTo', f.conformsTo)}
        <Select {...common} id="ds-project" name="project" label={f.project} options={m.options.projects} value={v.project} error={e.project} />
        <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{isNew ? c.editor.create : c.editor.save}</span></button>
      </form>
      {!isNew && (
        <>
          <section aria-labelledby="verteilungen" class="editor-section">
            <h2 class="kern-heading-medium" id="verteilungen">{c.editor.distHeading}</h2>
            {m.distributions.length === 0 ? <p>{c.editor.distNone}</p> : (
              <ul class="dist-list">
                {m.distributions.map((d) => (
                  <li class="dist">
                    <span>{d.title} <span class="format-badge">{d.format}</span>{d.byteSize !== undefined && ` ${c.formatSize(d.byteSize)}`}</span>
                    {d.kind !== 'live' && (
                      <form method="post" action={`${self}/${A.remove.replace(':dist', encodeURIComponent(d.id))}`}>
                        <Csrf token={m.csrf} />
                        <button class="kern-btn kern-btn--secondary" type="submit" aria-label={c.editor.distRemoveOf(d.title)}><span class="kern-label">{c.editor.distRemove}</span></button>
                      </form>
                    )}
                  </li>
                ))}
              </ul>
            )}
            <h3 class="kern-heading-small" id="hochladen">{c.editor.uploadHeading}</h3>
            <form class="portal-form" method="post" action={`${self}/${A.file}`} enctype="multipart/form-data" novalidate aria-labelledby="hochladen">
              <Csrf token={m.csrf} />
              <Field t={t} id="dist-distTitle" name="title" label={c.editor.distTitle} hint={c.editor.distTitleHint} error={e.distTitle} />
              <Wrap {...common} id="dist-file" name="file" label={c.editor.file} hint={c.editor.fileHint(m.maxUploadLabel)} error={e.file} required>
                {(aria) => <input class="kern-form-input__input" type="file" id="dist-file" name="file" required {...aria} />}
              </Wrap>
              <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{c.editor.upload}</span></button>
            </form>
            <h3 class="kern-heading-small" id="link">{c.editor.linkHeading}</h3>
            <form class="portal-form" method="post" action={`${self}/${A.link}`} novalidate aria-labelledby="link">
              <Csrf token={m.csrf} />
              <Field t={t} id="dist-url" name="url" label={c.editor.url} hint={c.editor.urlHint} required error={e.url} />
              <Field t={t} id="dist-format" name="format" label={c.editor.format} hint={c.editor.formatHint} required error={e.format} />
              <Field t={t} id="dist-linkTitle" name="title" label={c.editor.distTitle} />
              <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{c.editor.addLink}</span></button>
            </form>
          </section>
          <section aria-labelledby="loeschen" class="editor-section">
            <h2 class="kern-heading-medium" id="loeschen">{c.editor.deleteHeading}</h2>
            <p>{c.editor.deleteConfirm}</p>
            <form method="post" action={`${self}/${A.delete}`}>
              <Csrf token={m.csrf} />
              <button class="kern-btn kern-btn--secondary" type="submit"><span class="kern-label">{c.editor.delete}</span></button>
            </form>
          </section>
        </>
      )}
    </Layout>
  );
}

export interface EditorGateModel {
  frame: Frame;
  t: Messages;
  c: CatalogMessages;
  kind: 'login' | 'forbidden';
  loginUrl: string;
  /** Another title and text (an expired form, a file over the limit). */
  message?: { title: string; text: string; back?: string };
}

/** Shown instead of the editor to a visitor without a session (401) or without the steward role (403). */
export function EditorGatePage(m: EditorGateModel) {
  const { t, c } = m;
  const title = m.message?.title ?? (m.kind === 'login' ? c.editor.loginNeeded : c.editor.forbidden);
  return (
    <Layout frame={m.frame} t={t} title={title} styles={['catalog.css']}>
      <h1 class="kern-heading-x-large">{title}</h1>
      <p>{m.message?.text ?? (m.kind === 'login' ? c.editor.loginText : c.editor.forbiddenText)}</p>
      {m.kind === 'login' && <p><a class="kern-link" href={m.loginUrl}>{c.editor.loginLink}</a></p>}
      {m.message?.back && <p><a class="kern-link" href={m.message.back}>{c.editor.back}</a></p>}
    </Layout>
  );
}
