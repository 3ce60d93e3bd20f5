// Live data (minimal version): every sensor of the city's tenant by type with its latest values,
// rendered on the server; the map and its keyboard-operable list are an enhancement.
import type { Messages } from '../i18n/index.ts';
import { Layout, type Frame } from '../components/layout.tsx';
import { typeLabel } from '../components/cells.tsx';
import { UNITS, type SensorGroup, type SensorRow, type SensorValue } from '../portal.model.ts';
import { href } from '../paths.ts';
import { KPI_TEXTS } from '../kpi/kpi.catalog.ts';

export interface LiveModel {
  frame: Frame;
  groups: SensorGroup[];
  tileUrl?: string;
  tileAttribution: string;
}

function valueText(v: SensorValue, t: Messages): string {
  // C62 ("one"): the demo's shares (humidity, battery, occupancy) are fractions 0..1, read as percent.
  const share = v.unit === 'C62' && typeof v.value === 'number' && v.value >= 0 && v.value <= 1;
  const unit = share ? '%' : v.unit !== undefined ? (UNITS[v.unit] ?? v.unit) : '';
  const val = typeof v.value === 'number' ? t.formatNumber(share ? Math.round(v.value * 1000) / 10 : v.value) : String(v.value);
  return `${t.attrs[v.attr] ?? v.attr}: ${val}${unit ? ` ${unit}` : ''}`;
}

const rowText = (s: SensorRow, t: Messages) => s.values.map((v) => valueText(v, t)).join('; ');

export function LivePage(m: LiveModel, t: Messages) {
  const all = m.groups.flatMap((g) => g.sensors.filter((s) => s.lat !== undefined && s.lon !== undefined).map((s) => ({ s, type: g.type })));
  const lang = m.frame.lang;
  const k = KPI_TEXTS[lang];
  const features = all.map(({ s, type }) => ({ id: s.id, name: s.name, lat: s.lat!, lon: s.lon!, text: `${typeLabel(type, t)}. ${rowText(s, t)}`, url: href(lang, 'sensor', s.id), link: k.live.details }));
  return (
    <Layout frame={m.frame} t={t} title={t.live.title} scripts={features.length ? ['map.js'] : []}>
      <h1 class="kern-heading-x-large">{t.live.title}</h1>
      <p class="lead">{t.live.intro}</p>
      {m.groups.length === 0 && <p>{t.live.none}</p>}
      {features.length > 0 && (
        <section aria-labelledby="karte" class="map-section" hidden>
          <h2 class="kern-heading-medium" id="karte">{t.live.mapHeading}</h2>
          <div class="portal-map" hidden role="region" aria-label={t.live.mapLabel} data-features={JSON.stringify(features)} data-list="kartenliste" data-status="kartenstatus"
            data-tile-url={m.tileUrl} data-attribution={m.tileAttribution} data-no-tiles={t.map.noTiles}></div>
          <div id="kartenliste" hidden>
            <h3 class="kern-heading-small">{t.live.listHeading}</h3>
            <p class="kern-hint">{t.live.listHint}</p>
            <ul class="map-list">
              {features.map((f) => <li><button type="button" data-feature={f.id} aria-pressed="false">{f.name}</button> <a class="kern-link map-list__details" href={f.url} aria-label={k.live.detailsOf(f.name)}>{k.live.details}</a></li>)}
            </ul>
            <p id="kartenstatus" role="status" aria-live="polite"></p>
          </div>
        </section>
      )}
      {m.groups.map((g) => (
        <section aria-labelledby={`typ-${g.type}`}>
          <h2 class="kern-heading-medium" id={`typ-${g.type}`}>{typeLabel(g.type, t)} <span class="kern-body--small">({t.live.countOf(g.total)})</span></h2>
          {g.total > g.sensors.length && <p>{t.live.more(g.sensors.length)}</p>}
          <div class="table-scroll">
            <table class="kern-table kern-table--small">
              <caption class="kern-sr-only">{typeLabel(g.type, t)}</caption>
              <thead class="kern-table__header">
                <tr class="kern-table__row">
                  <th class="kern-table__header" scope="col">{t.live.sensor}</th>
                  <th class="kern-table__header" scope="col">{t.live.values}</th>
                  <th class="kern-table__header" scope="col">{t.live.updated}</th>
                </tr>
              </thead>
              <tbody class="kern-table__body">
                {g.sensors.map((s) => (
                  <tr class="kern-table__row" id={`sensor-${s.id}`}>
                    <th class="kern-table__cell" scope="row"><a class="kern-link" href={href(lang, 'sensor', s.id)}>{s.name}</a></th>
                    <td class="kern-table__cell">{s.values.length ? <ul class="kern-list kern-list--small">{s.values.map((v) => <li>{valueText(v, t)}</li>)}</ul> : '–'}</td>
                    <td class="kern-table__cell">{s.observedAt ? t.formatDateTime(s.observedAt) : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </Layout>
  );
}
