// The steward's KPI editor (/verwaltung/kennzahlen): the list with state and actions, and one form
// for new and existing KPIs in the GOV.UK/KERN shape — every field renders label, hint, German
// error and input together; the error summary links to each field; what was typed stays.
import type { Messages } from '../i18n/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import { ErrorSummary, Field } from '../components/field.tsx';
import { href } from '../paths.ts';
import { KPI_AGGREGATIONS, KPI_PERIODS, KPI_REDUCTIONS, type Kpi, type KpiView, type Project } from '../../strategy/index.ts';
import type { KpiMessages } from './kpi.catalog.ts';
import { kpiStateText, kpiValueText } from './kpi.cells.tsx';

export const FORM_FIELDS = ['id', 'name_de', 'name_en', 'description_de', 'description_en', 'unit', 'project', 'published', 'tenant', 'type', 'q', 'georel', 'geometry', 'coordinates',
  'attr', 'aggregation', 'period', 'hours', 'reduction', 'condition'] as const;
export type FormField = (typeof FORM_FIELDS)[number];
export type KpiFormValues = Partial<Record<FormField, string>>;

/** Where a problem of the KPI validation (its field path) is shown in the form. */
export const FIELD_OF: Record<string, FormField> = {
  id: 'id', 'name.de': 'name_de', 'name.en': 'name_en', 'description.de': 'description_de', 'description.en': 'description_en', unit: 'unit', project: 'project', published: 'published',
  'selection.tenant': 'tenant', 'selection.type': 'type', 'selection.q': 'q', 'selection.geo': 'georel', 'value.attr': 'attr', 'value.aggregation.method': 'aggregation',
  'value.aggregation.period': 'period', 'value.aggregation.hours': 'hours', 'reduction.kind': 'reduction', 'reduction.q': 'condition',
};

/** The form's values as the KPI API's body (the same validation runs on both). */
export function formToBody(v: KpiFormValues, id?: string): Record<string, unknown> {
  const s = (k: FormField) => (v[k] ?? '').trim();
  const geo = s('georel') || s('geometry') || s('coordinates') ? { georel: s('georel'), geometry: s('geometry'), coordinates: s('coordinates') } : undefined;
  const agg = s('aggregation') ? { method: s('aggregation'), period: s('period'), ...(s('period') === 'hours' ? { hours: s('hours') } : {}) } : undefined;
  return {
    id: id ?? s('id'), name: { de: s('name_de'), en: s('name_en') }, description: { de: s('description_de'), en: s('description_en') }, unit: s('unit'),
    ...(s('project') ? { project: s('project') } : {}), published: v.published === 'on',
    selection: { tenant: s('tenant'), type: s('type'), ...(s('q') ? { q: s('q') } : {}), ...(geo ? { geo } : {}) },
    value: { ...(s('attr') ? { attr: s('attr') } : {}), ...(agg ? { aggregation: agg } : {}) },
    reduction: { kind: s('reduction'), ...(s('condition') ? { q: s('condition') } : {}) },
  };
}

export function kpiToForm(k: Kpi): KpiFormValues {
  const agg = k.value.aggregation;
  return {
    id: k.id, name_de: k.name.de, name_en: k.name.en, description_de: k.description.de, description_en: k.description.en, unit: k.unit, project: k.project ?? '',
    published: k.published ? 'on' : '', tenant: k.selection.tenant, type: k.selection.type, q: k.selection.q ?? '', georel: k.selection.geo?.georel ?? '',
    geometry: k.selection.geo?.geometry ?? '', coordinates: k.selection.geo?.coordinates ?? '', attr: k.value.attr ?? '', aggregation: agg?.method ?? '',
    period: agg?.period ?? 'month', hours: agg?.hours !== undefined ? String(agg.hours) : '', reduction: k.reduction.kind, condition: k.reduction.q ?? '',
  };
}

interface Common {
  frame: Frame;
  csrf: string;
}

export function LoginPage(m: Common & { forbidden: boolean; returnTo: string }, t: Messages, k: KpiMessages) {
  return (
    <Layout frame={m.frame} t={t} title={k.editor.title}>
      <h1 class="kern-heading-x-large">{k.editor.title}</h1>
      {m.forbidden ? <p>{k.editor.forbidden}</p> : (
        <>
          <h2 class="kern-heading-medium">{k.editor.loginHeading}</h2>
          <p>{k.editor.loginText}</p>
          <form class="portal-form" method="post" action="/konto/anmelden">
            <input type="hidden" name="_csrf" value={m.csrf} />
            <input type="hidden" name="returnTo" value={m.returnTo} />
            <input type="hidden" name="_lang" value={m.frame.lang} />
            <div class="kern-form-input"><label class="kern-label" for="email">{k.editor.email}</label><input class="kern-form-input__input" id="email" name="email" type="email" autocomplete="username" required /></div>
            <div class="kern-form-input"><label class="kern-label" for="password">{k.editor.password}</label><input class="kern-form-input__input" id="password" name="password" type="password" autocomplete="current-password" required /></div>
            <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{k.editor.login}</span></button>
          </form>
        </>
      )}
    </Layout>
  );
}

export function EditorListPage(m: Common & { views: KpiView[]; notice?: string }, t: Messages, k: KpiMessages) {
  const lang = m.frame.lang;
  const e = k.editor;
  return (
    <Layout frame={m.frame} t={t} title={e.title}>
      <h1 class="kern-heading-x-large">{e.title}</h1>
      <p class="lead">{e.intro}</p>
      {m.notice && <p class="notice" role="status">{m.notice}</p>}
      <p><a class="kern-link" href={href(lang, 'kpiNew')}>{e.newKpi}</a></p>
      <div class="table-scroll">
        <table class="kern-table kern-table--small">
          <caption>{e.list}</caption>
          <thead class="kern-table__header">
            <tr class="kern-table__row">
              <th class="kern-table__header" scope="col">{k.kpis.name}</th>
              <th class="kern-table__header kern-table__header--numeric" scope="col">{k.kpis.value}</th>
              <th class="kern-table__header" scope="col">{e.state}</th>
              <th class="kern-table__header" scope="col">{e.actions}</th>
            </tr>
          </thead>
          <tbody class="kern-table__body">
            {m.views.map((v) => {
              const name = v.kpi.name[lang] || v.kpi.name.de;
              return (
                <tr class="kern-table__row">
                  <th class="kern-table__cell" scope="row">
                    <a class="kern-link" href={href(lang, 'kpiEdit', v.kpi.id)} aria-label={e.edit(name)}>{name}</a>
                    <br /><span class="kern-body--small">{v.kpi.id}, {v.kpi.published ? e.published : e.draft}</span>
                  </th>
                  <td class="kern-table__cell kern-table__cell--numeric">{kpiValueText(v, t)}</td>
                  <td class="kern-table__cell">{v.state ? `${t.formatDateTime(v.state.attemptedAt)}: ${kpiStateText(v, t, k)}` : k.kpis.pendingText}{v.state?.error ? <><br /><span class="kern-body--small">{v.state.error}</span></> : null}</td>
                  <td class="kern-table__cell">
                    <form method="post" action={`${href(lang, 'kpiEdit', v.kpi.id)}/auswerten`} class="inline-form">
                      <input type="hidden" name="_csrf" value={m.csrf} />
                      <button class="kern-btn kern-btn--secondary kern-btn--x-small" type="submit" aria-label={e.evaluateLabel(name)}><span class="kern-label">{e.evaluate}</span></button>
                    </form>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}

function Select({ id, label, value, options, error, hint }: { id: FormField; label: string; value?: string; options: Array<[string, string]>; error?: string; hint?: string }) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-error` : undefined;
  return (
    <div class={`kern-form-input${error ? ' kern-form-input--error' : ''}`}>
      <label class="kern-label" for={id}>{label}</label>
      {hint && <div class="kern-hint" id={hintId}>{hint}</div>}
      {error && <p class="kern-error" id={errId} role="alert">{error}</p>}
      <div class="kern-form-input__select-wrapper">
        <select class={`kern-form-input__select${error ? ' kern-form-input__select--error' : ''}`} id={id} name={id} aria-describedby={[hintId, errId].filter(Boolean).join(' ') || undefined} aria-invalid={error ? 'true' : undefined}>
          {options.map(([v, l]) => <option value={v} selected={v === (value ?? '')}>{l}</option>)}
        </select>
      </div>
    </div>
  );
}

export interface EditorFormModel extends Common {
  /** Absent for a new KPI. */
  id?: string;
  values: KpiFormValues;
  errors: Partial<Record<FormField, string>>;
  projects: Project[];
  cityTenant: string;
}

export function EditorFormPage(m: EditorFormModel, t: Messages, k: KpiMessages) {
  const lang = m.frame.lang;
  const e = k.editor;
  const v = m.values;
  const err = m.errors;
  const title = m.id ? e.editTitle(m.id) : e.newTitle;
  const f = (id: FormField, label: string, extra: { hint?: string; required?: boolean; type?: 'text' | 'textarea' } = {}) =>
    <Field id={id} name={id} label={label} hint={extra.hint} error={err[id]} value={v[id]} required={extra.required} type={extra.type} t={t} />;
  const summary = FORM_FIELDS.filter((x) => err[x]).map((x) => ({ field: x, message: err[x]! }));
  return (
    <Layout frame={m.frame} t={t} title={title}>
      <p><a class="kern-link" href={href(lang, 'kpiAdmin')}>{e.list}</a></p>
      <h1 class="kern-heading-x-large">{title}</h1>
      <ErrorSummary title={e.errorTitle} errors={summary} />
      <form class="portal-form" method="post" action={m.id ? href(lang, 'kpiEdit', m.id) : href(lang, 'kpiNew')} novalidate>
        <input type="hidden" name="_csrf" value={m.csrf} />
        <fieldset class="form-group">
          <legend class="kern-heading-medium">{e.general}</legend>
          {m.id ? <p>{e.id}: <code>{m.id}</code></p> : f('id', e.id, { hint: e.idHint, required: true })}
          {f('name_de', e.nameDe, { required: true })}
          {f('name_en', e.nameEn)}
          {f('description_de', e.descriptionDe, { type: 'textarea' })}
          {f('description_en', e.descriptionEn, { type: 'textarea' })}
          {f('unit', e.unit, { hint: e.unitHint })}
          <Select id="project" label={e.project} value={v.project} error={err.project} options={[['', e.noProject], ...m.projects.map((p) => [p.slug, p.title[lang] || p.title.de] as [string, string])]} />
          <div class={`kern-form-check${err.published ? ' kern-form-check--error' : ''}`}>
            {err.published && <p class="kern-error" id="published-error" role="alert">{err.published}</p>}
            <input class="kern-form-check__checkbox" type="checkbox" id="published" name="published" checked={v.published === 'on'} aria-describedby={err.published ? 'published-error' : undefined} aria-invalid={err.published ? 'true' : undefined} />
            <label class="kern-label" for="published">{e.publish}</label>
          </div>
        </fieldset>
        <fieldset class="form-group">
          <legend class="kern-heading-medium">{e.selectionHeading}</legend>
          {f('tenant', e.tenant)}
          {f('type', e.type, { hint: e.typeHint, required: true })}
          {f('q', e.q, { hint: e.qHint })}
          {f('georel', e.georel, { hint: e.geoHint })}
          {f('geometry', e.geometry)}
          {f('coordinates', e.coordinates)}
        </fieldset>
        <fieldset class="form-group">
          <legend class="kern-heading-medium">{e.valueHeading}</legend>
          {f('attr', e.attr, { hint: e.attrHint })}
          <Select id="aggregation" label={e.aggregation} value={v.aggregation} error={err.aggregation} options={[['', e.aggNone], ...KPI_AGGREGATIONS.map((a) => [a, e.aggregations[a]] as [string, string])]} />
          <Select id="period" label={e.period} value={v.period} error={err.period} options={KPI_PERIODS.map((p) => [p, e.periods[p]] as [string, string])} />
          {f('hours', e.hours)}
        </fieldset>
        <fieldset class="form-group">
          <legend class="kern-heading-medium">{e.reductionHeading}</legend>
          <Select id="reduction" label={e.reduction} value={v.reduction} error={err.reduction} options={KPI_REDUCTIONS.map((r) => [r, e.reductions[r]] as [string, string])} />
          {f('condition', e.condition, { hint: e.conditionHint })}
        </fieldset>
        <div class="form-actions">
          <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{e.save}</span></button>
          <a class="kern-link" href={href(lang, 'kpiAdmin')}>{e.cancel}</a>
        </div>
      </form>
    </Layout>
  );
}
