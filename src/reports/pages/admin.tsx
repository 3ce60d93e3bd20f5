// Staff pages under /verwaltung/meldungen: the list (with the photos waiting for release) and one
// report's form (status with reason, public answer, department, photo release). Forms carry the
// session's CSRF token and the report's updatedAt, so a colleague's change is not overwritten.
import type { Messages } from '../../portal/i18n/index.ts';
import type { ReportMessages } from '../../portal/i18n/reports.de.ts';
import { Layout, type Frame } from '../../portal/components/layout.tsx';
import { ErrorSummary, Field } from '../../portal/components/field.tsx';
import { href } from '../../portal/paths.ts';
import { NEXT, type Category, type Report, type ReportEvent, type ReportStatus } from '../reports.model.ts';
import { Control } from './form.tsx';
import { placeText } from './public.tsx';

export function AdminMessagePage(m: { frame: Frame; text: string; loginUrl?: string }, t: Messages, rt: ReportMessages) {
  return (
    <Layout frame={m.frame} t={t} title={rt.admin.title}>
      <h1 class="kern-heading-x-large">{rt.admin.title}</h1>
      <p>{m.text}</p>
      {m.loginUrl && <p><a class="kern-link" href={m.loginUrl}>{rt.admin.login}</a></p>}
    </Layout>
  );
}

export interface AdminListModel {
  frame: Frame;
  reports: Report[];
  pending: number;
  onlyPhotos: boolean;
  status?: ReportStatus;
  categories: Category[];
}

export function AdminListPage(m: AdminListModel, t: Messages, rt: ReportMessages) {
  const lang = m.frame.lang;
  const catName = new Map(m.categories.map((c) => [c.code, c.name[lang]]));
  return (
    <Layout frame={m.frame} t={t} title={rt.admin.title} styles={['reports.css']}>
      <h1 class="kern-heading-x-large">{rt.admin.title}</h1>
      <p><a class="kern-link" href={`${href(lang, 'reportAdmin')}?fotos=1`}>{rt.admin.pendingPhotos(m.pending)}</a></p>
      <form class="report-filter" method="get" action={href(lang, 'reportAdmin')}>
        <div class="kern-form-input">
          <label class="kern-label" for="filter-status">{rt.filterStatus}</label>
          <div class="kern-form-input__select-wrapper">
            <select id="filter-status" name="status" class="kern-form-input__select">
              <option value="">{rt.filterAll}</option>
              {(Object.keys(rt.statuses) as ReportStatus[]).map((s) => <option value={s} selected={m.status === s}>{rt.statuses[s]}</option>)}
            </select>
          </div>
        </div>
        <div class="kern-form-check">
          <input class="kern-form-check__checkbox" type="checkbox" id="only-photos" name="fotos" value="1" checked={m.onlyPhotos} />
          <label class="kern-label" for="only-photos">{rt.admin.onlyPhotos}</label>
        </div>
        <button class="kern-btn kern-btn--secondary" type="submit"><span class="kern-label">{rt.filterSubmit}</span></button>
      </form>
      {m.reports.length === 0 ? <p>{rt.none}</p> : (
        <div class="table-scroll" tabindex={0} role="region" aria-label={rt.admin.title}>
          <table class="kern-table kern-table--small">
            <thead><tr class="kern-table__row">
              <th class="kern-table__header" scope="col">{rt.colNumber}</th><th class="kern-table__header" scope="col">{rt.colCategory}</th>
              <th class="kern-table__header" scope="col">{rt.colPlace}</th><th class="kern-table__header" scope="col">{rt.colStatus}</th>
              <th class="kern-table__header" scope="col">{rt.photo}</th><th class="kern-table__header" scope="col">{rt.colDate}</th>
            </tr></thead>
            <tbody class="kern-table__body">
              {m.reports.map((r) => (
                <tr class="kern-table__row">
                  <td class="kern-table__cell"><a class="kern-link" href={href(lang, 'reportAdminItem', r.id)}>{rt.admin.open} {r.id}</a></td>
                  <td class="kern-table__cell">{catName.get(r.category) ?? r.category}</td>
                  <td class="kern-table__cell">{placeText(r, rt)}</td>
                  <td class="kern-table__cell">{rt.statuses[r.status]}</td>
                  <td class="kern-table__cell">{r.photo ? rt.admin.photoState[r.photo.state] : '–'}</td>
                  <td class="kern-table__cell">{rt.formatDateTime(r.requestedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

export interface AdminItemModel {
  frame: Frame;
  report: Report;
  category?: Category;
  history: ReportEvent[];
  hasEmail: boolean;
  csrf: string;
  saved: boolean;
  errors: Record<string, string>;
  values: { status?: string; note?: string; answer?: string; department?: string };
  photoUrl?: string;
}

export function AdminItemPage(m: AdminItemModel, t: Messages, rt: ReportMessages) {
  const r = m.report;
  const lang = m.frame.lang;
  const a = rt.admin;
  const action = href(lang, 'reportAdminItem', r.id);
  const order = ['form', 'status', 'note', 'answer', 'department', 'photo'];
  const errors = order.filter((k) => m.errors[k]).map((k) => ({ field: k === 'form' ? 'bearbeiten' : k === 'photo' ? 'foto' : k, message: m.errors[k]! }));
  const cat = m.category?.name[lang] ?? r.category;
  return (
    <Layout frame={m.frame} t={t} title={errors.length ? `${rt.errorPrefix} ${a.editTitle(r.id)}` : a.editTitle(r.id)} styles={['reports.css']}>
      <ErrorSummary title={rt.errorSummary} errors={errors} />
      {m.saved && <div class="kern-alert kern-alert--success" role="status"><div class="kern-alert__body"><p class="kern-body">{a.saved}</p></div></div>}
      <h1 class="kern-heading-x-large">{a.editTitle(r.id)}</h1>
      <p><a class="kern-link" href={href(lang, 'report', r.id)}>{rt.reportTitle(r.id)}</a> · <a class="kern-link" href={href(lang, 'reportAdmin')}>{a.title}</a></p>
      <dl class="facts">
        <dt>{rt.colCategory}</dt><dd>{cat}</dd>
        <dt>{rt.description}</dt><dd>{r.description}</dd>
        <dt>{rt.place}</dt><dd>{placeText(r, rt)}</dd>
        <dt>{rt.status}</dt><dd>{rt.statuses[r.status]}{r.statusNote ? ` – ${r.statusNote}` : ''}</dd>
        <dt>{a.contact}</dt><dd>{m.hasEmail ? a.contactYes : a.contactNo}</dd>
      </dl>
      {r.photo && (
        <section aria-labelledby="foto-titel" id="foto" tabindex={-1}>
          <h2 class="kern-heading-medium" id="foto-titel">{a.photoTitle}</h2>
          <p>{a.photoCheck} ({a.photoState[r.photo.state]})</p>
          {m.photoUrl && <p><img class="report-photo" src={m.photoUrl} alt={rt.photoAlt(cat)} width={r.photo.width} height={r.photo.height} /></p>}
          <div class="report-actions">
            {r.photo.state !== 'released' && (
              <form method="post" action={action}>
                <input type="hidden" name="_csrf" value={m.csrf} /><input type="hidden" name="photo" value="released" /><input type="hidden" name="expectedUpdatedAt" value={r.updatedAt} />
                <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{a.release}</span></button>
              </form>
            )}
            {r.photo.state !== 'rejected' && (
              <form method="post" action={action}>
                <input type="hidden" name="_csrf" value={m.csrf} /><input type="hidden" name="photo" value="rejected" /><input type="hidden" name="expectedUpdatedAt" value={r.updatedAt} />
                <button class="kern-btn kern-btn--secondary" type="submit"><span class="kern-label">{a.reject}</span></button>
              </form>
            )}
          </div>
        </section>
      )}
      <h2 class="kern-heading-medium">{rt.status}</h2>
      <form id="bearbeiten" class="portal-form" method="post" action={action} novalidate>
        <input type="hidden" name="_csrf" value={m.csrf} />
        <input type="hidden" name="expectedUpdatedAt" value={r.updatedAt} />
        <Control id="status" label={a.newStatus} error={m.errors.status} t={t}>
          {(d) => (
            <div class="kern-form-input__select-wrapper">
              <select id="status" name="status" class="kern-form-input__select" aria-describedby={d}>
                <option value="">{a.keep} ({rt.statuses[r.status]})</option>
                {NEXT[r.status].map((s) => <option value={s} selected={m.values.status === s}>{rt.statuses[s]}</option>)}
              </select>
            </div>
          )}
        </Control>
        <Field t={t} id="note" name="note" type="textarea" label={a.note} hint={a.noteHint} value={m.values.note ?? r.statusNote ?? ''} error={m.errors.note} maxLength={2000} />
        <Field t={t} id="answer" name="answer" type="textarea" label={a.answer} value={m.values.answer ?? r.answer ?? ''} error={m.errors.answer} maxLength={4000} />
        <Field t={t} id="department" name="department" label={a.department} value={m.values.department ?? r.department ?? ''} error={m.errors.department} maxLength={100} />
        <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{a.save}</span></button>
      </form>
      <h2 class="kern-heading-medium">{rt.history}</h2>
      <ol class="report-history">
        {m.history.map((h) => <li>{rt.formatDateTime(h.at)}: {rt.statuses[h.status]}{h.note ? ` – ${h.note}` : ''}</li>)}
      </ol>
    </Layout>
  );
}
