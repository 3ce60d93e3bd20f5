// The public list of reports (filters, paging, status in text) with a clustered map as enhancement,
// and one report's page (status, reason, answer, history, released photo).
import type { Messages } from '../../portal/i18n/index.ts';
import type { ReportMessages } from '../../portal/i18n/reports.de.ts';
import { Layout, type Frame } from '../../portal/components/layout.tsx';
import { href } from '../../portal/paths.ts';
import type { Category, Report, ReportEvent, ReportStatus } from '../reports.model.ts';
import type { Cluster } from '../reports.port.ts';

export interface ListModel {
  frame: Frame;
  reports: Report[];
  total: number;
  page: number;
  pages: number;
  status?: ReportStatus;
  category?: string;
  categories: Category[];
  clusters: Cluster[];
  tileUrl?: string;
  tileAttribution: string;
}

export function placeText(r: Report, rt: ReportMessages): string {
  return [r.address, r.lat !== undefined && r.lon !== undefined ? rt.coords(r.lat, r.lon) : undefined].filter(Boolean).join('; ');
}

export function StatusText({ r, rt }: { r: Report; rt: ReportMessages }) {
  return <span class="report-status">{rt.statuses[r.status]}</span>;
}

export function ListPage(m: ListModel, t: Messages, rt: ReportMessages) {
  const lang = m.frame.lang;
  const catName = new Map(m.categories.map((c) => [c.code, c.name[lang]]));
  const q = (page: number) => {
    const p = new URLSearchParams();
    if (m.status) p.set('status', m.status);
    if (m.category) p.set('kategorie', m.category);
    if (page > 1) p.set('seite', String(page));
    const s = p.toString();
    return `${href(lang, 'reportList')}${s ? `?${s}` : ''}`;
  };
  const features = m.clusters.map((c, i) => ({ id: c.id ?? `g${i}`, name: c.id ? rt.reportTitle(c.id) : rt.clusterText(c.count), lat: c.lat, lon: c.lon, text: c.id ? rt.clusterText(1) : rt.clusterText(c.count) }));
  return (
    <Layout frame={m.frame} t={t} title={rt.listTitle} styles={['leaflet.css', 'reports.css']} scripts={features.length ? ['map.js'] : []}>
      <h1 class="kern-heading-x-large">{rt.listTitle}</h1>
      <p class="lead">{rt.listIntro}</p>
      <p><a class="kern-link" href={href(lang, 'reports')}>{rt.formTitle}</a></p>
      <form class="report-filter" method="get" action={href(lang, 'reportList')}>
        <div class="kern-form-input">
          <label class="kern-label" for="filter-status">{rt.filterStatus}</label>
          <div class="kern-form-input__select-wrapper">
            <select id="filter-status" name="status" class="kern-form-input__select">
              <option value="">{rt.filterAll}</option>
              {(Object.keys(rt.statuses) as ReportStatus[]).map((s) => <option value={s} selected={m.status === s}>{rt.statuses[s]}</option>)}
            </select>
          </div>
        </div>
        <div class="kern-form-input">
          <label class="kern-label" for="filter-category">{rt.filterCategory}</label>
          <div class="kern-form-input__select-wrapper">
            <select id="filter-category" name="kategorie" class="kern-form-input__select">
              <option value="">{rt.filterAll}</option>
              {m.categories.map((c) => <option value={c.code} selected={m.category === c.code}>{c.name[lang]}</option>)}
            </select>
          </div>
        </div>
        <button class="kern-btn kern-btn--secondary" type="submit"><span class="kern-label">{rt.filterSubmit}</span></button>
      </form>
      <p role="status">{rt.count(m.total)}</p>
      {features.length > 0 && (
        <section aria-labelledby="karte" class="map-section" hidden>
          <h2 class="kern-heading-medium" id="karte">{rt.mapHeading}</h2>
          <p class="kern-hint">{rt.mapNote(features.length)}</p>
          <div class="portal-map" hidden role="region" aria-label={rt.mapListLabel} data-features={JSON.stringify(features)} data-tile-url={m.tileUrl} data-attribution={m.tileAttribution} data-no-tiles={t.map.noTiles}></div>
        </section>
      )}
      {m.reports.length === 0 ? <p>{rt.none}</p> : (
        <div class="table-scroll" tabindex={0} role="region" aria-label={rt.listTitle}>
          <table class="kern-table kern-table--small">
            <thead><tr class="kern-table__row">
              <th class="kern-table__header" scope="col">{rt.colNumber}</th><th class="kern-table__header" scope="col">{rt.colCategory}</th>
              <th class="kern-table__header" scope="col">{rt.colPlace}</th><th class="kern-table__header" scope="col">{rt.colStatus}</th><th class="kern-table__header" scope="col">{rt.colDate}</th>
            </tr></thead>
            <tbody class="kern-table__body">
              {m.reports.map((r) => (
                <tr class="kern-table__row">
                  <td class="kern-table__cell"><a class="kern-link" href={href(lang, 'report', r.id)}>{r.id}</a></td>
                  <td class="kern-table__cell">{catName.get(r.category) ?? r.category}</td>
                  <td class="kern-table__cell">{placeText(r, rt)}</td>
                  <td class="kern-table__cell">{rt.statuses[r.status]}</td>
                  <td class="kern-table__cell">{rt.formatDateTime(r.requestedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {m.pages > 1 && (
        <nav class="report-pager" aria-label={rt.page(m.page, m.pages)}>
          {m.page > 1 && <a class="kern-link" href={q(m.page - 1)} rel="prev">{rt.prev}</a>}
          <span>{rt.page(m.page, m.pages)}</span>
          {m.page < m.pages && <a class="kern-link" href={q(m.page + 1)} rel="next">{rt.next}</a>}
        </nav>
      )}
    </Layout>
  );
}

export interface ReportModel {
  frame: Frame;
  report: Report;
  category?: Category;
  history: ReportEvent[];
  photoUrl?: string;
  tileUrl?: string;
  tileAttribution: string;
}

export function ReportPage(m: ReportModel, t: Messages, rt: ReportMessages) {
  const r = m.report;
  const lang = m.frame.lang;
  const cat = m.category?.name[lang] ?? r.category;
  const features = r.lat !== undefined && r.lon !== undefined ? [{ id: r.id, name: rt.reportTitle(r.id), lat: r.lat, lon: r.lon, text: cat }] : [];
  return (
    <Layout frame={m.frame} t={t} title={rt.reportTitle(r.id)} styles={['leaflet.css', 'reports.css']} scripts={features.length ? ['map.js'] : []}>
      <h1 class="kern-heading-x-large">{rt.reportTitle(r.id)}: {cat}</h1>
      <p class="lead">{r.description}</p>
      <dl class="facts">
        <dt>{rt.status}</dt><dd><StatusText r={r} rt={rt} /></dd>
        {r.statusNote && <><dt>{r.status === 'rejected' ? rt.reason : rt.admin.note}</dt><dd>{r.statusNote}</dd></>}
        {r.department && <><dt>{rt.department}</dt><dd>{r.department}</dd></>}
        <dt>{rt.place}</dt><dd>{placeText(r, rt)}</dd>
        <dt>{rt.reported}</dt><dd>{rt.formatDateTime(r.requestedAt)}</dd>
        <dt>{rt.updated}</dt><dd>{rt.formatDateTime(r.updatedAt)}</dd>
      </dl>
      {r.answer && (
        <section aria-labelledby="antwort">
          <h2 class="kern-heading-medium" id="antwort">{rt.answer}</h2>
          <p>{r.answer}</p>
        </section>
      )}
      {m.photoUrl && <p><img class="report-photo" src={m.photoUrl} alt={rt.photoAlt(cat)} width={r.photo?.width} height={r.photo?.height} /></p>}
      {r.photo?.state === 'pending' && <p class="kern-hint">{rt.photoPending}</p>}
      {features.length > 0 && (
        <section aria-labelledby="karte" class="map-section" hidden>
          <h2 class="kern-heading-medium" id="karte">{rt.mapHeading}</h2>
          <div class="portal-map" hidden role="region" aria-label={rt.mapHeading} data-features={JSON.stringify(features)} data-tile-url={m.tileUrl} data-attribution={m.tileAttribution} data-no-tiles={t.map.noTiles}></div>
        </section>
      )}
      <h2 class="kern-heading-medium">{rt.history}</h2>
      <ol class="report-history">
        {m.history.map((h) => <li>{rt.formatDateTime(h.at)}: {rt.statuses[h.status]}{h.note ? ` – ${h.note}` : ''}</li>)}
      </ol>
      <p><a class="kern-link" href={href(lang, 'reportList')}>{rt.listLink}</a></p>
    </Layout>
  );
}
