// A cell for other pages: the datasets of a strategy project (shown on the project page).
import type { Lang } from '../paths.ts';
import { href } from '../paths.ts';
import type { DatasetCardView } from './catalog.view.ts';
import { CATALOG_TEXTS } from './texts.ts';

export function ProjectDatasets({ datasets, lang }: { datasets: DatasetCardView[]; lang: Lang }) {
  const c = CATALOG_TEXTS[lang];
  return (
    <section aria-labelledby="datensaetze">
      <h2 class="kern-heading-medium" id="datensaetze">{c.project.heading}</h2>
      {datasets.length === 0 ? <p>{c.project.none}</p> : (
        <ul>
          {datasets.map((d) => (
            <li>
              <a class="kern-link" href={href(lang, 'dataset', d.id)}>{d.title}</a>
              {d.live && <> <span class="status status--in_progress">{c.search.live}</span></>}
              {d.formats.length > 0 && <span class="kern-body--small"> ({d.formats.join(', ')})</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
