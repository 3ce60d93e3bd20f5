// Small reusable pieces of pages ("cells"): a project list, a status badge, the live counts table.
import type { Messages } from '../i18n/index.ts';
import { href, type Lang } from '../paths.ts';
import type { Project, ProjectStatus } from '../../strategy/index.ts';
import type { TypeCount } from '../portal.model.ts';

export function Status({ status, t }: { status: ProjectStatus; t: Messages }) {
  // The status is text, never only a colour.
  return <span class={`status status--${status}`}>{t.status[status]}</span>;
}

export function ProjectList({ projects, lang, t }: { projects: Project[]; lang: Lang; t: Messages }) {
  return (
    <ul>
      {projects.map((p) => (
        <li><a class="kern-link" href={href(lang, 'project', p.slug)}>{p.title[lang] || p.title.de}</a> <Status status={p.status} t={t} /></li>
      ))}
    </ul>
  );
}

export function typeLabel(type: string, t: Messages): string {
  return t.types[type] ?? type;
}

export function LiveCounts({ rows, caption, t }: { rows: TypeCount[]; caption: string; t: Messages }) {
  return (
    <div class="table-scroll">
      <table class="kern-table">
        <caption>{caption}</caption>
        <thead class="kern-table__header">
          <tr class="kern-table__row">
            <th class="kern-table__header" scope="col">{t.live.kind}</th>
            <th class="kern-table__header kern-table__header--numeric" scope="col">{t.live.count}</th>
          </tr>
        </thead>
        <tbody class="kern-table__body">
          {rows.map((r) => (
            <tr class="kern-table__row">
              <th class="kern-table__cell" scope="row">{typeLabel(r.type, t)} <span class="kern-body--small">({r.type})</span></th>
              <td class="kern-table__cell kern-table__cell--numeric">{t.formatNumber(r.count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
