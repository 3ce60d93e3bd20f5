// A sensor's page: its current values (pollutants coloured against the EU limits and always said in
// words), its location, and the history of one quantity as a chart over a table.
import type { Messages } from '../i18n/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import { typeLabel } from '../components/cells.tsx';
import { href } from '../paths.ts';
import type { KpiMessages } from './kpi.catalog.ts';
import { HistoryChart } from './kpi.cells.tsx';
import { SensorValuesTable, isShare, percentPoints } from './sensor.cells.tsx';
import type { History, Range } from './history.ts';
import { limitLevel, type Limit } from './limits.ts';
import { displayValue, type SensorDetail } from './sensor.model.ts';

export interface SensorPageModel {
  frame: Frame;
  sensor: SensorDetail;
  /** The quantity whose history is shown (short name), if the sensor has numbers. */
  attr?: string;
  history: History;
  range: Range;
}

function limitText(attr: string, value: number, t: Messages, k: KpiMessages): { cls: string; text: string } | undefined {
  const r = limitLevel(attr, value);
  if (!r) return undefined;
  const fmt = (l: Limit) => k.sensor.annual(t.formatNumber(l.annual));
  const short = (l: Limit) => (l.short ? (l.short.per === 'hourly' ? k.sensor.hourly(t.formatNumber(l.short.value)) : k.sensor.daily(t.formatNumber(l.short.value))) : '');
  if (r.level === 'below') return { cls: 'limit limit--below', text: k.sensor.below(fmt(r.limit)) };
  if (r.level === 'aboveAnnual') return { cls: 'limit limit--above', text: k.sensor.aboveAnnual(fmt(r.limit)) };
  return { cls: 'limit limit--far', text: k.sensor.aboveShort(short(r.limit)) };
}

export function SensorPage(m: SensorPageModel, t: Messages, k: KpiMessages) {
  const lang = m.frame.lang;
  const s = m.sensor;
  const self = href(lang, 'sensor', s.id);
  const numeric = s.values.filter((v) => typeof v.value === 'number');
  const shown = numeric.find((v) => v.attr === m.attr);
  const unit = shown ? displayValue({ value: 0, unitCode: shown.unitCode }).unit : '';
  const share = isShare(shown);
  const points = share ? percentPoints(m.history.points) : m.history.points;
  const label = (a: string) => t.attrs[a] ?? a;
  const anyLimit = s.values.some((v) => typeof v.value === 'number' && limitLevel(v.attr, v.value));
  const link = (attr: string, range: Range) => `${self}?attr=${encodeURIComponent(attr)}&range=${range}#verlauf`;
  return (
    <Layout frame={m.frame} t={t} title={s.name} styles={['uplot.css']} scripts={points.length ? ['chart.js'] : []}>
      <p><a class="kern-link" href={href(lang, 'live')}>{k.sensor.back}</a></p>
      <h1 class="kern-heading-x-large">{s.name}</h1>
      <p class="lead">{typeLabel(s.type, t)} <span class="kern-body--small">({s.type})</span></p>
      <section aria-labelledby="werte">
        <h2 class="kern-heading-medium" id="werte">{k.sensor.current}</h2>
        <SensorValuesTable values={s.values} caption={k.sensor.caption} tableClass="wide" t={t} k={k}
          assess={(v) => (typeof v.value === 'number' ? limitText(v.attr, v.value, t, k) : undefined)} />
        {anyLimit && <p class="kern-body--small">{k.sensor.limitNote}</p>}
        {s.lat !== undefined && s.lon !== undefined && <p>{k.sensor.location}: {t.project.pointText(t.formatCoord(s.lat), t.formatCoord(s.lon))}</p>}
      </section>
      <section aria-labelledby="verlauf">
        <h2 class="kern-heading-medium" id="verlauf">{shown ? `${k.sensor.historyOf} ${label(shown.attr)}` : k.kpiPage.historyHeading}</h2>
        {!shown ? <p>{k.sensor.noNumbers}</p> : (
          <>
            {numeric.length > 1 && (
              <nav aria-label={k.sensor.chooseAttr}>
                <p class="kern-body--small">{k.sensor.chooseAttr}:</p>
                <ul class="range-links">
                  {numeric.map((v) => <li><a class="range-link" href={link(v.attr, m.range)} aria-current={v.attr === shown.attr ? 'true' : undefined}>{label(v.attr)}</a></li>)}
                </ul>
              </nav>
            )}
            <HistoryChart id="sensor-chart" what={`${label(shown.attr)}${unit ? ` (${unit})` : ''}`} unit={unit} history={{ ...m.history, points }} range={m.range} rangeHref={(r) => link(shown.attr, r)} t={t} k={k} />
          </>
        )}
      </section>
      <section aria-labelledby="zitieren">
        <h2 class="kern-heading-medium" id="zitieren">{k.cite.heading}</h2>
        <p>{k.cite.text}</p>
        <p class="user-text"><code>{`[[sensor:${s.id}]]`}</code></p>
      </section>
    </Layout>
  );
}
