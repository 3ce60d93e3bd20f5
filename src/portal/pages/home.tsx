// Home: what the platform is, the fields of action with their projects, what is live now, upcoming
// events, Leichte Sprache and a place for a sign-language video.
import type { Messages } from '../i18n/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import { LiveCounts, ProjectList } from '../components/cells.tsx';
import { href } from '../paths.ts';
import type { FieldOfAction, Project, StrategyEvent } from '../../strategy/index.ts';
import type { TypeCount } from '../portal.model.ts';
import type { KpiView } from '../../strategy/index.ts';
import { KpiTable } from '../kpi/kpi.cells.tsx';
import { KPI_TEXTS } from '../kpi/kpi.catalog.ts';

export interface HomeModel {
  frame: Frame;
  fields: Array<{ field: FieldOfAction; projects: Project[] }>;
  live: TypeCount[];
  events: StrategyEvent[];
  signVideoUrl?: string;
  /** Published KPIs with their latest values. */
  kpis?: KpiView[];
}

export function HomePage(m: HomeModel, t: Messages) {
  const lang = m.frame.lang;
  return (
    <Layout frame={m.frame} t={t} title={t.home.title}>
      <h1 class="kern-heading-x-large">{t.home.heading}</h1>
      {t.home.intro.map((p) => <p class="lead">{p}</p>)}
      <p>
        <span class="kern-icon kern-icon--easy-language" aria-hidden="true"></span>{' '}
        {t.home.easyText} <a class="kern-link" href={href(lang, 'easy')}>{t.home.easyLink}</a>
      </p>

      <section aria-labelledby="felder">
        <h2 class="kern-heading-large" id="felder">{t.home.fieldsHeading}</h2>
        <ul class="portal-grid">
          {m.fields.map(({ field, projects }) => (
            <li>
              <div class="portal-card">
                <h3 class="kern-heading-small"><a class="kern-link" href={href(lang, 'field', field.id)}>{field.title[lang] || field.title.de}</a></h3>
                {projects.length ? <><p class="kern-body--small">{t.home.projectsOf(projects.length)}</p><ProjectList projects={projects} lang={lang} t={t} /></> : <p>{t.home.noProjects}</p>}
              </div>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="live">
        <h2 class="kern-heading-large" id="live">{t.home.liveHeading}</h2>
        {m.live.length ? (
          <>
            <p>{t.home.liveIntro}</p>
            <LiveCounts rows={m.live} caption={t.home.liveCaption} t={t} />
          </>
        ) : <p>{t.home.liveNone}</p>}
        {m.kpis && m.kpis.length > 0 && <KpiTable views={m.kpis} lang={lang} t={t} k={KPI_TEXTS[lang]} caption={KPI_TEXTS[lang].kpis.heading} />}
        <p><a class="kern-link" href={href(lang, 'live')}>{t.home.liveMore}</a></p>
      </section>

      <section aria-labelledby="termine">
        <h2 class="kern-heading-large" id="termine">{t.home.eventsHeading}</h2>
        {m.events.length ? (
          <ul class="kern-list">
            {m.events.map((e) => (
              <li><a class="kern-link" href={href(lang, 'event', e.id)}><strong>{e.title[lang] || e.title.de}</strong></a>: {t.formatDateTime(e.start)}, {e.place}</li>
            ))}
          </ul>
        ) : <p>{t.home.eventsNone}</p>}
      </section>

      <section aria-labelledby="dgs">
        <h2 class="kern-heading-large" id="dgs">{t.home.signHeading}</h2>
        <p>
          <span class="kern-icon kern-icon--sign-language" aria-hidden="true"></span>{' '}
          {m.signVideoUrl ? <a class="kern-link" href={m.signVideoUrl}>{t.home.signLink}</a> : t.home.signPlaceholder}
        </p>
      </section>
    </Layout>
  );
}
