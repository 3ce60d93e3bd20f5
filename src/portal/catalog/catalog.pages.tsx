// The public catalogue pages: search with facets (/daten) and the dataset page (/daten/datensatz/<id>).
// Both work without JavaScript: the filters are a GET form with checkboxes, paging and sorting are links.
import type { Messages } from '../i18n/index.ts';
import type { CatalogMessages } from '../i18n/catalog.de.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import { href } from '../paths.ts';
import { FACETS, SORTS, type DatasetCardView, type DatasetView, type FacetName, type FacetView, type SearchView } from './catalog.view.ts';

/** How many values of a facet are shown before "more" (the rest stay behind a details element). */
const FACET_SHOWN = 8;

/** The query string of a search, for links (paging, sorting); the form sends the same names. */
export function searchQuery(s: Pick<SearchView, 'q' | 'sort' | 'selected'>, page = 1): string {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  for (const f of FACETS) for (const v of s.selected[f]) p.set(`${f}:${v}`, '1');
  if (s.sort !== 'relevance') p.set('sort', s.sort);
  if (page > 1) p.set('page', String(page));
  const q = p.toString();
  return q ? `?${q}` : '';
}

function Facet({ f, c, idx }: { f: FacetView; c: CatalogMessages; idx: number }) {
  if (f.values.length === 0) return null;
  const box = (v: FacetView['values'][number], i: number) => {
    const id = `f-${idx}-${i}`;
    return (
      <div class="kern-form-check">
        <input class="kern-form-check__checkbox" type="checkbox" id={id} name={`${f.name}:${v.value}`} value="1" checked={v.selected} />
        <label class="kern-label" for={id}>{v.label} <span class="facet-count">({v.count})</span></label>
      </div>
    );
  };
  // Selected values always stay visible, so a filter in use is never hidden behind "more".
  const shown = f.values.filter((v, i) => i < FACET_SHOWN || v.selected);
  const rest = f.values.filter((v, i) => i >= FACET_SHOWN && !v.selected);
  return (
    <fieldset class="kern-fieldset facet">
      <legend class="kern-label">{c.search.facets[f.name]}</legend>
      <div class="kern-fieldset__body">
        {shown.map((v) => box(v, f.values.indexOf(v)))}
        {rest.length > 0 && (
          <details class="facet-more">
            <summary>{c.search.more(rest.length)}</summary>
            {rest.map((v) => box(v, f.values.indexOf(v)))}
          </details>
        )}
      </div>
    </fieldset>
  );
}

function Card({ d, m, c }: { d: DatasetCardView; m: SearchModel; c: CatalogMessages }) {
  const t = m.t;
  return (
    <li class="dataset-card">
      <h3 class="kern-heading-small"><a class="kern-link" href={href(m.frame.lang, 'dataset', d.id)}>{d.title}</a></h3>
      {d.live && <p><span class="status status--in_progress">{c.search.live}</span></p>}
      <p>{d.teaser}</p>
      <p class="kern-body--small">
        {[d.publisher, d.themes.join(', '), d.modified && c.search.modified(t.formatDate(d.modified))].filter(Boolean).join(' · ')}
      </p>
      {d.formats.length > 0 && (
        <p class="kern-body--small"><span class="kern-sr-only">{c.search.formats}: </span>{d.formats.map((f) => <span class="format-badge">{f}</span>)}</p>
      )}
    </li>
  );
}

function Pager({ m, c }: { m: SearchModel; c: CatalogMessages }) {
  const s = m.search;
  const pages = Math.max(1, Math.ceil(s.total / s.pageSize));
  if (pages <= 1) return null;
  const base = href(m.frame.lang, 'catalogue');
  // First, last, and two either side of the current page.
  const nums = [...new Set([1, s.page - 2, s.page - 1, s.page, s.page + 1, s.page + 2, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  return (
    <nav class="pager" aria-label={c.search.pagination}>
      <p class="kern-body--small">{c.search.pageOf(s.page, pages)}</p>
      <ul>
        {s.page > 1 && <li><a class="kern-link" rel="prev" href={base + searchQuery(s, s.page - 1)}>{c.search.prev}</a></li>}
        {nums.map((n) => (
          <li>{n === s.page
            ? <a class="kern-link" aria-current="page" href={base + searchQuery(s, n)} aria-label={c.search.pageN(n)}>{n}</a>
            : <a class="kern-link" href={base + searchQuery(s, n)} aria-label={c.search.pageN(n)}>{n}</a>}</li>
        ))}
        {s.page < pages && <li><a class="kern-link" rel="next" href={base + searchQuery(s, s.page + 1)}>{c.search.next}</a></li>}
      </ul>
    </nav>
  );
}

export interface SearchModel {
  frame: Frame;
  t: Messages;
  c: CatalogMessages;
  search: SearchView;
}

export function SearchPage(m: SearchModel) {
  const { t, c, search: s } = m;
  const lang = m.frame.lang;
  const base = href(lang, 'catalogue');
  const anyFilter = FACETS.some((f) => s.selected[f].length > 0);
  return (
    <Layout frame={m.frame} t={t} title={c.search.title} styles={['catalog.css']}>
      <h1 class="kern-heading-x-large">{c.search.title}</h1>
      <p class="lead">{c.search.intro}</p>
      <form class="catalog-search" method="get" action={base} role="search">
        <div class="search-row">
          <div class="kern-form-input">
            <label class="kern-label" for="suche">{c.search.searchLabel}</label>
            <div class="kern-hint" id="suche-hint">{c.search.searchHint}</div>
            <input class="kern-form-input__input" type="search" id="suche" name="q" value={s.q} aria-describedby="suche-hint" />
          </div>
          <button class="kern-btn kern-btn--primary" type="submit"><span class="kern-label">{c.search.submit}</span></button>
        </div>
        <div class="catalog-layout">
          <aside class="catalog-filters" aria-labelledby="filter">
            <h2 class="kern-heading-medium" id="filter">{c.search.filtersHeading}</h2>
            {s.facets.map((f, i) => <Facet f={f} c={c} idx={i} />)}
            <div class="kern-form-input">
              <label class="kern-label" for="sortierung">{c.search.sortLabel}</label>
              <div class="kern-form-input__select-wrapper">
                <select class="kern-form-input__select" id="sortierung" name="sort">
                  {SORTS.map((o) => <option value={o} selected={o === s.sort}>{c.search.sort[o]}</option>)}
                </select>
              </div>
            </div>
            <button class="kern-btn kern-btn--secondary" type="submit"><span class="kern-label">{c.search.applyFilters}</span></button>
            {(anyFilter || s.q) && <p><a class="kern-link" href={base}>{c.search.resetFilters}</a></p>}
          </aside>
          <section class="catalog-results" aria-labelledby="ergebnisse">
            <h2 class="kern-heading-medium" id="ergebnisse" aria-live="polite">{c.search.results(s.total, s.q)}</h2>
            {s.total === 0 && <p>{c.search.none}</p>}
            <ul class="dataset-list">{s.results.map((d) => <Card d={d} m={m} c={c} />)}</ul>
            <Pager m={m} c={c} />
            <p><a class="kern-link" href={href(lang, 'live')}>{c.search.liveLink}</a></p>
          </section>
        </div>
      </form>
    </Layout>
  );
}

export interface DatasetModel {
  frame: Frame;
  t: Messages;
  c: CatalogMessages;
  dataset: DatasetView;
}

function Preview({ d, c }: { d: DatasetView; c: CatalogMessages }) {
  const p = d.preview;
  if (!p) return <p>{c.dataset.previewNone}</p>;
  const caption = p.kind === 'csv' ? c.dataset.previewCsv(p.rows.length, p.source) : c.dataset.previewGeo(p.rows.length, p.source);
  return (
    <>
      <div class="table-scroll" tabindex={0} role="region" aria-label={caption}>
        <table class="kern-table kern-table--small preview-table">
          <caption>{caption}</caption>
          <thead class="kern-table__header"><tr class="kern-table__row">{p.columns.map((col) => <th class="kern-table__header" scope="col">{col}</th>)}</tr></thead>
          <tbody class="kern-table__body">{p.rows.map((r) => <tr class="kern-table__row">{r.map((v) => <td class="kern-table__cell">{v}</td>)}</tr>)}</tbody>
        </table>
      </div>
      {p.truncated && <p class="kern-body--small">{c.dataset.previewTruncated}</p>}
    </>
  );
}

export function DatasetPage(m: DatasetModel) {
  const { t, c, dataset: d } = m;
  const lang = m.frame.lang;
  const fact = (label: string, value: unknown) => (value ? <><dt>{label}</dt><dd>{value}</dd></> : null);
  const temporal = d.temporal && (d.temporal.start || d.temporal.end)
    ? [d.temporal.start && c.dataset.from(t.formatDate(d.temporal.start)), d.temporal.end && c.dataset.until(t.formatDate(d.temporal.end))].filter(Boolean).join(' ')
    : undefined;
  return (
    <Layout frame={m.frame} t={t} title={d.title} styles={['catalog.css']}>
      <p><a class="kern-link" href={href(lang, 'catalogue')}>{c.dataset.back}</a></p>
      <h1 class="kern-heading-x-large">{d.title}</h1>
      {!d.published && <p class="placeholder-note">{c.dataset.draft}</p>}
      {d.description.map((para) => <p class="legal-text">{para}</p>)}
      {d.ngsiUrl && <p class="kern-body--small">{c.dataset.live}</p>}
      <section aria-labelledby="fakten">
        <h2 class="kern-heading-medium" id="fakten">{c.dataset.facts}</h2>
        <dl class="facts">
          {fact(c.dataset.publisher, d.publisher?.name)}
          {d.contact && fact(c.dataset.contact, <>{d.contact.name}{d.contact.email && <>, <a class="kern-link" href={`mailto:${d.contact.email}`}>{d.contact.email}</a></>}</>)}
          {d.themes.length > 0 && fact(c.dataset.themes, d.themes.map((th) => th.label).join(', '))}
          {d.keywords.length > 0 && fact(c.dataset.keywords, d.keywords.join(', '))}
          {fact(c.dataset.temporal, temporal)}
          {d.spatial.length > 0 && fact(c.dataset.spatial, d.spatial.join('; '))}
          {fact(c.dataset.frequency, d.frequency)}
          {fact(c.dataset.issued, d.issued && t.formatDate(d.issued))}
          {fact(c.dataset.modified, d.modified && t.formatDate(d.modified))}
          {d.projects.length > 0 && fact(c.dataset.projects, <>{d.projects.map((p, i) => <>{i > 0 && ', '}<a class="kern-link" href={href(lang, 'project', p.slug)}>{p.title}</a></>)}</>)}
          {fact(c.dataset.identifier, <code>{d.id}</code>)}
        </dl>
      </section>
      {d.licence && (
        <section aria-labelledby="lizenz">
          <h2 class="kern-heading-medium" id="lizenz">{c.dataset.licenceHeading}</h2>
          <p class="licence-plain">{d.licence.plain ?? c.licences.unknown}</p>
          <p>{c.dataset.licence}: <a class="kern-link" href={d.licence.url}>{d.licence.name}</a></p>
        </section>
      )}
      <section aria-labelledby="downloads">
        <h2 class="kern-heading-medium" id="downloads">{c.dataset.distributions}</h2>
        {d.distributions.length === 0 ? <p>{c.dataset.noDistributions}</p> : (
          <ul class="dist-list">
            {d.distributions.map((x) => (
              <li class="dist">
                <div>
                  <h3 class="kern-heading-small">{x.title}</h3>
                  {x.description && <p class="kern-body--small">{x.description}</p>}
                  <p class="kern-body--small">
                    <span class="format-badge">{x.format}</span>
                    {x.byteSize !== undefined && <> {c.formatSize(x.byteSize)}</>}
                  </p>
                </div>
                <a class="kern-btn kern-btn--secondary" href={x.url} download={x.kind === 'file' ? '' : undefined}
                  aria-label={x.kind === 'link' ? c.dataset.openOf(x.title) : c.dataset.downloadOf(x.title, x.format)}>
                  <span class="kern-label">{x.kind === 'link' ? c.dataset.open : c.dataset.download}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="vorschau">
        <h2 class="kern-heading-medium" id="vorschau">{c.dataset.preview}</h2>
        <Preview d={d} c={c} />
      </section>
      {d.ngsiUrl && (
        <section aria-labelledby="ngsi">
          <h2 class="kern-heading-medium" id="ngsi">{c.dataset.ngsi}</h2>
          <p>{c.dataset.ngsiIntro}</p>
          <pre class="code" tabindex={0}><code>{d.ngsiUrl}</code></pre>
        </section>
      )}
      {d.dcat.length > 0 && (
        <section aria-labelledby="metadaten">
          <h2 class="kern-heading-medium" id="metadaten">{c.dataset.metadata}</h2>
          <p>{c.dataset.metadataIntro}</p>
          <ul class="kern-list">{d.dcat.map((l) => <li><a class="kern-link" href={l.url} type={l.type}>{l.label}</a></li>)}</ul>
        </section>
      )}
    </Layout>
  );
}

export type { FacetName };
