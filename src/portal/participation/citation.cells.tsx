// User text with the live data it cites: sanitised HTML parts as they are, each citation as a small
// figure — a KPI's value, unit, time and state; a sensor's current values and its last day as a
// chart over a table. Every value is text; the chart only enhances (src/portal/client/chart.ts).
import type { Messages } from '../i18n/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { citeKey, type RichPart } from '../../participation/index.ts';
import { kpiStateText, kpiValueText, HistoryChart } from '../kpi/kpi.cells.tsx';
import { KPI_TEXTS } from '../kpi/kpi.catalog.ts';
import { displayValue } from '../kpi/sensor.model.ts';
import { SensorValuesTable, isShare, percentPoints } from '../kpi/sensor.cells.tsx';
import { href, type Lang } from '../paths.ts';
import type { CitationView } from './citations.ts';

/** What a page's citations need; `seen` is per rendering (a sensor cited twice is shown in full once). */
export interface CiteContext {
  cites: Map<string, CitationView>;
  seen: Set<string>;
  lang: Lang;
  t: Messages;
  m: ParticipationMessages;
}

export function citeContext(cites: Map<string, CitationView>, lang: Lang, t: Messages, m: ParticipationMessages): CiteContext {
  return { cites, seen: new Set(), lang, t, m };
}

/** Whether any cited sensor brings a history (the page then loads the chart script). */
export const hasCitedHistory = (cites: Map<string, CitationView>): boolean => [...cites.values()].some((c) => c.kind === 'sensor' && c.history.points.length > 0);

export function UserText({ parts, c }: { parts: RichPart[]; c: CiteContext }) {
  return (
    <div class="user-text">
      {parts.map((p) => ('html' in p
        // eslint-disable-next-line react/no-danger -- sanitised by markdown.ts
        ? <div dangerouslySetInnerHTML={{ __html: p.html }} />
        : <Citation view={c.cites.get(citeKey(p.cite)) ?? { kind: 'missing', ref: p.cite.ref, cited: p.cite.kind }} c={c} />))}
    </div>
  );
}

function Citation({ view: v, c }: { view: CitationView; c: CiteContext }) {
  const { m, t, lang } = c;
  const k = KPI_TEXTS[lang];
  if (v.kind === 'missing') return <p class="citation citation--missing">{v.cited === 'kpi' ? m.cite.missingKpi(v.ref) : m.cite.missingSensor(v.ref)}</p>;
  if (v.kind === 'skipped') return <p class="citation citation--missing">{m.cite.skipped(v.ref)}</p>;
  if (v.kind === 'kpi') {
    const name = v.view.kpi.name[lang] || v.view.kpi.name.de;
    const bad = v.view.state?.status !== 'ok';
    return (
      <figure class="citation">
        <figcaption class="citation__title">{m.cite.kpi}: <a class="kern-link" href={href(lang, 'kpi', v.view.kpi.id)}>{name}</a></figcaption>
        <p class={`citation__value${bad ? ' kpi-big--bad' : ''}`}>{kpiValueText(v.view, t)}</p>
        <p class="kern-body--small">{v.view.state?.at ? `${m.cite.asOf(t.formatDateTime(v.view.state.at))} · ` : ''}{kpiStateText(v.view, t, k)}</p>
      </figure>
    );
  }
  const s = v.sensor;
  const key = `sensor:${v.ref}`;
  const first = !c.seen.has(key);
  c.seen.add(key);
  const link = <a class="kern-link" href={href(lang, 'sensor', s.id)}>{s.name}</a>;
  if (!first) return <figure class="citation"><figcaption class="citation__title">{m.cite.sensor}: {link}</figcaption><p class="kern-body--small">{m.cite.seeAbove}</p></figure>;
  const label = (a: string) => t.attrs[a] ?? a;
  const shown = s.values.find((x) => x.attr === v.attr);
  const unit = shown ? displayValue({ value: 0, unitCode: shown.unitCode }).unit : '';
  // A share is shown in percent, its history too (as on the sensor page).
  const points = isShare(shown) ? percentPoints(v.history.points) : v.history.points;
  const caption = m.cite.valuesOf(s.name);
  return (
    <figure class="citation">
      <figcaption class="citation__title">{m.cite.sensor}: {link}</figcaption>
      <SensorValuesTable values={s.values} caption={caption} tableClass="kern-table--small" t={t} k={k} />
      {shown && <HistoryChart id={`zitat-verlauf-${c.seen.size}`} what={`${label(shown.attr)}${unit ? ` (${unit})` : ''}, ${s.name}`} unit={unit}
        history={{ ...v.history, points }} range="day" ranges={[]} rangeHref={() => ''} t={t} k={k} />}
    </figure>
  );
}
