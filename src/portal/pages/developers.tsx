// Developers: how to use this instance's NGSI-LD API, with copy-paste examples against its own URL.
import type { Messages } from '../i18n/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import { href } from '../paths.ts';
import { ADMIN_CATALOGS } from '../i18n/admin.index.ts';

export interface DevelopersModel {
  frame: Frame;
  baseUrl: string;
  tenant: string;
  /** An entity id of the tenant for the temporal example, when one exists. */
  sampleId?: string;
}

function Example({ title, cmd }: { title: string; cmd: string }) {
  return (
    <>
      <h3 class="kern-heading-small">{title}</h3>
      <pre class="code" tabindex={0}><code>{cmd}</code></pre>
    </>
  );
}

export function DevelopersPage(m: DevelopersModel, t: Messages) {
  const api = `${m.baseUrl}/ngsi-ld/v1`;
  const tenant = m.tenant ? ` \\\n  -H 'NGSILD-Tenant: ${m.tenant}'` : '';
  const sample = m.sampleId ?? 'urn:ngsi-ld:AirQualityObserved:Herne-herne-mitte';
  return (
    <Layout frame={m.frame} t={t} title={t.developers.title}>
      <h1 class="kern-heading-x-large">{t.developers.title}</h1>
      <p class="lead">{t.developers.intro}</p>
      <dl class="facts">
        <dt>{t.developers.baseUrl}</dt><dd><code>{api}</code></dd>
      </dl>
      <p><a class="kern-link" href={href(m.frame.lang, 'apiDocs')}>{ADMIN_CATALOGS[m.frame.lang].apiDocs.link}</a></p>
      {m.tenant && <p>{t.developers.tenant(m.tenant)}</p>}
      <section aria-labelledby="beispiele">
        <h2 class="kern-heading-large" id="beispiele">{t.developers.examplesHeading}</h2>
        <Example title={t.developers.exTypes} cmd={`curl -s '${api}/types'${tenant}`} />
        <Example title={t.developers.exEntities} cmd={`curl -s '${api}/entities?type=AirQualityObserved&options=keyValues&limit=10'${tenant} \\\n  -H 'Link: <https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'`} />
        <Example title={t.developers.exGeo} cmd={`curl -s '${api}/entities?georel=near;maxDistance==1000&geometry=Point&coordinates=%5B7.2196,51.538%5D&options=keyValues'${tenant}`} />
        <Example title={t.developers.exTemporal} cmd={`curl -s '${api}/temporal/entities/${encodeURIComponent(sample)}?lastN=10'${tenant}`} />
        <Example title={t.developers.exStrategy} cmd={`curl -s '${m.baseUrl}/api/strategy/projects'`} />
      </section>
      <section aria-labelledby="mehr">
        <h2 class="kern-heading-large" id="mehr">{t.developers.moreHeading}</h2>
        <p>{t.developers.moreText}</p>
      </section>
    </Layout>
  );
}
