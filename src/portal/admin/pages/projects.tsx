// The stewards' project editor: the list of projects, and one form for a new or an existing project.
import type { Messages } from '../../i18n/index.ts';
import type { AdminMessages } from '../../i18n/admin.index.ts';
import type { Frame } from '../../components/layout.tsx';
import { Status } from '../../components/cells.tsx';
import { href } from '../../paths.ts';
import type { FieldOfAction, Organisation, Project } from '../../../strategy/index.ts';
import { PROJECT_STATUSES } from '../../../strategy/index.ts';
import { ActionButton, Csrf, Input, Select, Submit, summary, type FormState } from '../forms.tsx';
import { AdminShell, Table } from './shell.tsx';

export const PROJECT_FIELDS = ['slug', 'fieldId', 'title.de', 'title.en', 'summary.de', 'summary.en', 'description.de', 'description.en', 'status', 'organisationId', 'start', 'end', 'location', 'lat', 'entityTypes'] as const;
export type ProjectField = (typeof PROJECT_FIELDS)[number];

export function ProjectsPage(m: { frame: Frame; csrf: string; projects: Project[]; fields: FieldOfAction[]; notice?: string }, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={a.projects.title} notice={m.notice}>
      <p><a class="kern-btn kern-btn--primary" href={href(l, 'adminProjectNew')}><span class="kern-label">{a.projects.create}</span></a></p>
      <Table id="projects" caption={a.projects.caption} head={[a.projects.project, a.projects.field, a.projects.status, a.projects.modified, a.common.actions]}>
        {m.projects.map((p) => {
          const title = p.title[l] || p.title.de;
          const field = m.fields.find((f) => f.id === p.fieldId);
          return (
            <tr>
              <td><a class="kern-link" href={href(l, 'project', p.slug)}>{title}</a></td>
              <td>{field ? field.title[l] || field.title.de : p.fieldId}</td>
              <td><Status status={p.status} t={t} /></td>
              <td>{a.when(p.modifiedAt)}</td>
              <td><a class="kern-link" href={href(l, 'adminProject', p.slug)} aria-label={a.projects.editLabel(title)}>{a.projects.edit}</a></td>
            </tr>
          );
        })}
      </Table>
    </AdminShell>
  );
}

export interface ProjectFormModel {
  frame: Frame;
  csrf: string;
  /** Absent for a new project. */
  slug?: string;
  form: FormState<ProjectField>;
  fields: FieldOfAction[];
  organisations: Organisation[];
  notice?: string;
}

export function ProjectFormPage(m: ProjectFormModel, t: Messages, a: AdminMessages) {
  const l = m.frame.lang;
  const p = a.projects;
  const v = m.form.values;
  const e = m.form.errors;
  const action = m.slug ? href(l, 'adminProject', m.slug) : href(l, 'adminProjectNew');
  const heading = m.slug ? p.editTitle(v['title.de'] || m.slug) : p.newTitle;
  const text = (name: ProjectField, label: string, opts: { type?: 'textarea'; required?: boolean; hint?: string; rows?: number } = {}) => (
    <Input a={a} id={`project-${name.replace('.', '-')}`} name={name} label={label} type={opts.type} rows={opts.rows} hint={opts.hint} required={opts.required} value={v[name]} error={e[name]} />
  );
  return (
    <AdminShell frame={m.frame} t={t} a={a} title={heading} notice={m.notice} errors={summary('project', PROJECT_FIELDS, e)} back={href(l, 'adminProjects')}>
      {m.slug && <p><a class="kern-link" href={href(l, 'project', m.slug)}>{p.view}: {href(l, 'project', m.slug)}</a></p>}
      <form class="portal-form" method="post" action={action} novalidate>
        <Csrf token={m.csrf} />
        <input type="hidden" name="action" value="save" />
        {m.slug ? <input type="hidden" name="slug" value={m.slug} /> : text('slug', p.slug, { required: true, hint: p.slugHint })}
        <Select a={a} id="project-fieldId" name="fieldId" label={p.field} required value={v.fieldId} error={e.fieldId}
          options={[['', '–'], ...m.fields.map((f): [string, string] => [f.id, f.title[l] || f.title.de])]} />
        {text('title.de', p.titleDe, { required: true })}
        {text('title.en', p.titleEn)}
        {text('summary.de', p.summaryDe, { type: 'textarea', rows: 3 })}
        {text('summary.en', p.summaryEn, { type: 'textarea', rows: 3 })}
        {text('description.de', p.descriptionDe, { type: 'textarea', rows: 8 })}
        {text('description.en', p.descriptionEn, { type: 'textarea', rows: 8 })}
        <Select a={a} id="project-status" name="status" label={p.status} required value={v.status ?? 'idea'} error={e.status}
          options={PROJECT_STATUSES.map((s): [string, string] => [s, t.status[s]])} />
        <Select a={a} id="project-organisationId" name="organisationId" label={p.organisation} value={v.organisationId ?? ''} error={e.organisationId}
          options={[['', p.noOrganisation], ...m.organisations.map((o): [string, string] => [o.id, o.name])]} />
        {text('start', p.start, { hint: p.dateHint })}
        {text('end', p.end, { hint: p.dateHint })}
        {text('location', p.lon, { hint: p.coordHint })}
        {text('lat', p.lat)}
        {text('entityTypes', p.entityTypes, { hint: p.entityTypesHint })}
        <Submit label={p.save} />
      </form>
      {m.slug && (
        <section aria-labelledby="loeschen">
          <h2 class="kern-heading-medium" id="loeschen">{p.delete}</h2>
          <p>{p.deleteHint}</p>
          <ActionButton action={action} csrf={m.csrf} fields={{ action: 'delete' }} label={p.deleteConfirm} />
        </section>
      )}
    </AdminShell>
  );
}
