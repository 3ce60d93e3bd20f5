// The browsable OpenAPI description: every operation grouped by tag, server-rendered (no Swagger UI).
import type { Messages } from '../../i18n/index.ts';
import type { AdminMessages } from '../../i18n/admin.index.ts';
import { Layout, type Frame } from '../../components/layout.tsx';
import { href } from '../../paths.ts';
import type { Operation } from '../openapi.ts';

/** A path with line-break opportunities after each "/" only, so narrow screens never split a segment. */
function breakablePath(path: string) {
  return path.split(/(?<=\/)/).flatMap((seg, i) => (i === 0 ? [seg] : [<wbr />, seg]));
}

export function ApiDocsPage(m: { frame: Frame; tags: Array<{ name: string }>; operations: Operation[] }, t: Messages, a: AdminMessages) {
  const d = a.apiDocs;
  const anchor = (tag: string) => `api-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <Layout frame={m.frame} t={t} title={d.title}>
      <p><a class="kern-link" href={href(m.frame.lang, 'developers')}>{t.nav.developers}</a></p>
      <h1 class="kern-heading-x-large">{d.title}</h1>
      <p class="lead">{d.intro} <a class="kern-link" href="/api/openapi.json" type="application/json">{d.download}</a></p>
      <p>{d.englishNote}</p>
      <nav aria-label={d.tocLabel}>
        <ul class="kern-list">
          {m.tags.map((tag) => <li><a class="kern-link" href={`#${anchor(tag.name)}`}>{tag.name}</a></li>)}
        </ul>
      </nav>
      {m.tags.map((tag) => {
        const ops = m.operations.filter((o) => o.tag === tag.name);
        return (
          <section aria-labelledby={anchor(tag.name)}>
            <h2 class="kern-heading-large" id={anchor(tag.name)}>{tag.name}</h2>
            <p>{d.tagDescriptions[tag.name]}</p>
            <div class="table-scroll" tabindex={0} role="region" aria-labelledby={`${anchor(tag.name)}-caption`}>
              <table class="kern-table kern-table--small">
                <caption id={`${anchor(tag.name)}-caption`}>{d.caption(tag.name)}</caption>
                <thead><tr><th scope="col">{d.method}</th><th scope="col">{d.path}</th><th scope="col">{d.summary}</th><th scope="col">{d.access}</th></tr></thead>
                <tbody>
                  {ops.map((o) => (
                    <tr>
                      <td><span class="api-method">{o.method}</span></td>
                      <td><code class="api-path">{breakablePath(o.path)}</code></td>
                      <td lang="en">{o.summary}{o.clause ? ` (${o.clause})` : ''}</td>
                      <td>{d.accessLabels[o.access]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        );
      })}
    </Layout>
  );
}
