// A KPI's page: its current value (with time and state in words), its history as a chart over a
// table, how it is computed, and where its open data is.
import type { Messages } from '../i18n/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import { href } from '../paths.ts';
import { kpiUnitCode, kpiUnitSymbol, type KpiView, type Project } from '../../strategy/index.ts';
import type { KpiMessages } from './kpi.catalog.ts';
import { HistoryChart, kpiStateText, kpiValueText } from './kpi.cells.tsx';
import type { History, Range } from './history.ts';

export interface KpiPageModel {
  frame: Frame;
  view: KpiView;
  project?: Project;
  history: History;
  range: Range;
  baseUrl: string;
  tenant: string;
}

export function KpiPage(m: KpiPageModel, t: Messages, k: KpiMessages) {
  const lang = m.frame.lang;
  const kpi = m.view.kpi;
  const name = kpi.name[lang] || kpi.name.de;
  const desc = kpi.description[lang] || kpi.description.de;
  const bad = m.view.state?.status !== 'ok';
  const e = k.editor;
  const agg = kpi.value.aggregation;
  const perEntity = kpi.value.attr
    ? `${kpi.value.attr}${agg ? `: ${e.aggregations[agg.method]}, ${agg.period === 'hours' ? `${agg.hours} h` : e.periods[agg.period]}` : ` (${e.aggNone})`}`
    : '–';
  const self = href(lang, 'kpi', kpi.id);
  const unit = kpiUnitSymbol(kpi.unit);
  const unitCode = kpiUnitCode(kpi.unit);
  const curl = `curl -H 'NGSILD-Tenant: ${m.tenant}' -H 'Link: <https://smartdatamodels.org/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"' \\\n  '${m.baseUrl}/ngsi-ld/v1/temporal/entities/${m.view.entityId}?attrs=kpiValue&lastN=10'`;
  return (
    <Layout frame={m.frame} t={t} title={name} styles={['uplot.css']} scripts={m.history.points.length ? ['chart.js'] : []}>
      <p>{m.project
        ? <a class="kern-link" href={href(lang, 'project', m.project.slug)}>{k.kpiPage.back}: {m.project.title[lang] || m.project.title.de}</a>
        : <a class="kern-link" href={href(lang, 'home')}>{k.kpiPage.backHome}</a>}</p>
      <h1 class="kern-heading-x-large">{name}</h1>
      {desc && <p class="lead">{desc}</p>}
      <section aria-labelledby="wert">
        <h2 class="kern-heading-medium" id="wert">{k.kpiPage.current}</h2>
        <p class={`kpi-big${bad ? ' kpi-big--bad' : ''}`}>{kpiValueText(m.view, t)}</p>
        <dl class="facts">
          <dt>{k.kpiPage.unit}</dt><dd>{unit || k.kpiPage.noUnit}{unitCode && <> ({k.kpiPage.unitCode} <code>{unitCode}</code>)</>}</dd>
          <dt>{k.kpis.time}</dt><dd>{m.view.state?.at ? t.formatDateTime(m.view.state.at) : '–'}</dd>
          <dt>{k.kpis.state}</dt><dd>{kpiStateText(m.view, t, k)}{m.view.state?.entities !== undefined && m.view.state.status === 'ok' ? ` (${k.kpis.fromEntities(m.view.state.entities)})` : ''}</dd>
        </dl>
      </section>
      <section aria-labelledby="verlauf">
        <h2 class="kern-heading-medium" id="verlauf">{k.kpiPage.historyHeading}</h2>
        <HistoryChart id="kpi-chart" what={`${name}${unit ? ` (${unit})` : ''}`} unit={unit} history={m.history} range={m.range}
          ranges={['day', 'week', 'month', 'year']} rangeHref={(r) => `${self}?range=${r}#verlauf`} t={t} k={k} />
      </section>
      <section aria-labelledby="berechnung">
        <h2 class="kern-heading-medium" id="berechnung">{k.kpiPage.how}</h2>
        <dl class="facts">
          <dt>{k.kpiPage.selection}</dt>
          <dd>{t.types[kpi.selection.type] ?? kpi.selection.type} (<code>{kpi.selection.type}</code>){kpi.selection.q && <>, q: <code>{kpi.selection.q}</code></>}{kpi.selection.geo && <>, georel: <code>{kpi.selection.geo.georel}</code></>}</dd>
          <dt>{k.kpiPage.perEntity}</dt><dd>{perEntity}</dd>
          <dt>{k.kpiPage.reduction}</dt><dd>{e.reductions[kpi.reduction.kind]}{kpi.reduction.q && <>: <code>{kpi.reduction.q}</code></>}</dd>
        </dl>
      </section>
      <section aria-labelledby="offen">
        <h2 class="kern-heading-medium" id="offen">{k.kpiPage.openData}</h2>
        <p>{k.kpiPage.openDataText}</p>
        <pre class="code" tabindex={0}><code>{curl}</code></pre>
      </section>
      <section aria-labelledby="zitieren">
        <h2 class="kern-heading-medium" id="zitieren">{k.cite.heading}</h2>
        <p>{k.cite.text}</p>
        <p><code>{`[[${lang === 'de' ? 'kennzahl' : 'kpi'}:${kpi.id}]]`}</code></p>
      </section>
    </Layout>
  );
}
