// The strategy pages: overview of the fields of action, one page per field, one per project.
import type { Messages } from '../i18n/index.ts';
import type { KpiView } from '../../strategy/index.ts';
import { KpiTable } from '../kpi/kpi.cells.tsx';
import { KPI_TEXTS } from '../kpi/kpi.catalog.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import { LiveCounts, ProjectList, Status } from '../components/cells.tsx';
import { href, type Lang } from '../paths.ts';
import type { FieldOfAction, Organisation, Project, ProjectLocation } from '../../strategy/index.ts';
import type { TypeCount } from '../portal.model.ts';
import { ProjectDatasets, type DatasetCardView } from '../catalog/index.ts';
import { FollowButton } from '../participation/guest-follow.pages.tsx';
import { partDe, type ParticipationMessages } from '../i18n/participation.de.ts';
import { partEn } from '../i18n/participation.en.ts';

const PART: Record<Lang, ParticipationMessages> = { de: partDe, en: partEn };

export interface StrategyModel {
  frame: Frame;
  fields: Array<{ field: FieldOfAction; projects: Project[] }>;
}

export function StrategyPage(m: StrategyModel, t: Messages) {
  const lang = m.frame.lang;
  return (
    <Layout frame={m.frame} t={t} title={t.strategy.title}>
      <h1 class="kern-heading-x-large">{t.strategy.title}</h1>
      <p class="lead">{t.strategy.intro}</p>
      {m.fields.map(({ field, projects }) => (
        <section aria-labelledby={`feld-${field.id}`}>
          <h2 class="kern-heading-large" id={`feld-${field.id}`}>{field.title[lang] || field.title.de}</h2>
          {field.goals.length > 0 && <ul class="kern-list">{field.goals.map((g) => <li>{g[lang] || g.de}</li>)}</ul>}
          {projects.length ? <ProjectList projects={projects} lang={lang} t={t} /> : <p>{t.field.none}</p>}
          <p><a class="kern-link" href={href(lang, 'field', field.id)}>{t.strategy.allProjectsOf(field.title[lang] || field.title.de)}</a></p>
        </section>
      ))}
    </Layout>
  );
}

export interface FieldModel {
  frame: Frame;
  field: FieldOfAction;
  projects: Project[];
}

export function FieldPage(m: FieldModel, t: Messages) {
  const lang = m.frame.lang;
  const name = m.field.title[lang] || m.field.title.de;
  return (
    <Layout frame={m.frame} t={t} title={t.field.titleOf(name)}>
      <p><a class="kern-link" href={href(lang, 'strategy')}>{t.field.back}</a></p>
      <h1 class="kern-heading-x-large">{t.field.titleOf(name)}</h1>
      {m.field.goals.length > 0 && <ul class="kern-list">{m.field.goals.map((g) => <li>{g[lang] || g.de}</li>)}</ul>}
      {m.projects.length === 0 && <p>{t.field.none}</p>}
      <ul class="portal-grid">
        {m.projects.map((p) => (
          <li>
            <div class="portal-card">
              <h2 class="kern-heading-small"><a class="kern-link" href={href(lang, 'project', p.slug)}>{p.title[lang] || p.title.de}</a></h2>
              <p><Status status={p.status} t={t} /></p>
              <p>{p.summary[lang] || p.summary.de}</p>
            </div>
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export interface ProjectModel {
  frame: Frame;
  project: Project;
  field?: FieldOfAction;
  organisation?: Organisation;
  live: TypeCount[];
  tileUrl?: string;
  tileAttribution: string;
  /** The project's datasets in the catalogue (absent when the catalogue is not served). */
  datasets?: DatasetCardView[];
  /** The project's published KPIs with their latest values. */
  kpis?: KpiView[];
  /** The „Folgen“ button (the frame's account gives its CSRF token), or 'login' for a link to log in; absent: none. */
  follow?: { following: boolean } | 'login';
}


function Timeline({ p, t }: { p: Project; t: Messages }) {
  const d = (s: string) => (s.length === 7 ? s : t.formatDate(s));
  if (!p.start && !p.end) return <>{t.project.open}</>;
  return <>{[p.start && t.project.from(d(p.start)), p.end && t.project.until(d(p.end))].filter(Boolean).join(' ')}</>;
}

function Location({ loc, t, m }: { loc: ProjectLocation; t: Messages; m: ProjectModel }) {
  const coord = t.formatCoord;
  const ring = loc.type === 'Point' ? [loc.coordinates] : loc.coordinates[0]!.slice(0, -1);
  return (
    <>
      <p>{loc.type === 'Point' ? t.project.pointText(coord(loc.coordinates[1]), coord(loc.coordinates[0])) : t.project.areaText(ring.length)}</p>
      <div class="table-scroll">
        <table class="kern-table kern-table--small">
          <caption>{t.project.coordCaption}</caption>
          <thead class="kern-table__header"><tr class="kern-table__row"><th class="kern-table__header" scope="col">{t.project.lat}</th><th class="kern-table__header" scope="col">{t.project.lon}</th></tr></thead>
          <tbody class="kern-table__body">{ring.map(([lon, lat]) => <tr class="kern-table__row"><td class="kern-table__cell">{coord(lat)}</td><td class="kern-table__cell">{coord(lon)}</td></tr>)}</tbody>
        </table>
      </div>
      <div class="portal-map" hidden role="region" aria-label={t.project.mapLabel} data-geojson={JSON.stringify(loc)}
        data-tile-url={m.tileUrl} data-attribution={m.tileAttribution} data-no-tiles={t.map.noTiles}></div>
    </>
  );
}

export function ProjectPage(m: ProjectModel, t: Messages) {
  const lang: Lang = m.frame.lang;
  const p = m.project;
  const title = p.title[lang] || p.title.de;
  return (
    <Layout frame={m.frame} t={t} title={title} scripts={p.location ? ['map.js'] : []}>
      <p><a class="kern-link" href={href(lang, 'strategy')}>{t.project.back}</a></p>
      <h1 class="kern-heading-x-large">{title}</h1>
      <p class="lead">{p.summary[lang] || p.summary.de}</p>
      {m.follow === 'login' || (m.follow && !m.frame.account)
        ? <p><a class="kern-link" href={`${href(lang, 'login')}?returnTo=${encodeURIComponent(href(lang, 'project', p.slug))}`}>{PART[lang].follow.loginToFollowProject}</a></p>
        : m.follow && <FollowButton kind="project" id={p.slug} following={m.follow.following} csrf={m.frame.account!.csrf} back={href(lang, 'project', p.slug)} lang={lang} m={PART[lang]} />}
      <section aria-labelledby="fakten">
        <h2 class="kern-heading-medium" id="fakten">{t.project.facts}</h2>
        <dl class="facts">
          <dt>{t.project.status}</dt><dd><Status status={p.status} t={t} /></dd>
          {m.field && <><dt>{t.project.field}</dt><dd><a class="kern-link" href={href(lang, 'field', m.field.id)}>{m.field.title[lang] || m.field.title.de}</a></dd></>}
          {m.organisation && <><dt>{t.project.organisation}</dt><dd>{m.organisation.name}</dd></>}
          <dt>{t.project.timeline}</dt><dd><Timeline p={p} t={t} /></dd>
        </dl>
      </section>
      {(p.description[lang] || p.description.de).split(/\n\s*\n/).filter(Boolean).map((para) => <p class="legal-text">{para}</p>)}
      {m.kpis && m.kpis.length > 0 && (
        <section aria-labelledby="kennzahlen">
          <h2 class="kern-heading-medium" id="kennzahlen">{KPI_TEXTS[lang].kpis.heading}</h2>
          <p>{KPI_TEXTS[lang].kpis.intro}</p>
          <KpiTable views={m.kpis} lang={lang} t={t} k={KPI_TEXTS[lang]} caption={KPI_TEXTS[lang].kpis.caption} />
        </section>
      )}
      <section aria-labelledby="ort">
        <h2 class="kern-heading-medium" id="ort">{t.project.location}</h2>
        {p.location ? <Location loc={p.location} t={t} m={m} /> : <p>{t.project.noLocation}</p>}
      </section>
      <section aria-labelledby="daten">
        <h2 class="kern-heading-medium" id="daten">{t.project.liveHeading}</h2>
        {m.live.length ? <LiveCounts rows={m.live} caption={t.project.liveCaption} t={t} /> : <p>{t.project.liveNone}</p>}
        {m.live.length > 0 && <p><a class="kern-link" href={href(lang, 'live')}>{t.home.liveMore}</a></p>}
      </section>
      {m.datasets && <ProjectDatasets datasets={m.datasets} lang={lang} />}
    </Layout>
  );
}
