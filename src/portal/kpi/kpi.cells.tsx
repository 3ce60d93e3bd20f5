// Cells of the KPI pages: the KPI table (value, unit, time and state always as text) and the history
// chart — a figure the client script draws with uPlot over a data table that is always there.
import type { Messages } from '../i18n/index.ts';
import { kpiUnitSymbol, type KpiView } from '../../strategy/index.ts';
import { href, type Lang } from '../paths.ts';
import type { KpiMessages } from './kpi.catalog.ts';
import { RANGES, type History, type Range } from './history.ts';

export function kpiValueText(v: KpiView, t: Messages): string {
  const s = v.state;
  if (s?.value === undefined) return '–';
  const unit = kpiUnitSymbol(v.kpi.unit);
  return `${t.formatNumber(s.value)}${unit ? ` ${unit}` : ''}`;
}

/** The state in words: current, or not available since (the time of the last good value). */
export function kpiStateText(v: KpiView, t: Messages, k: KpiMessages): string {
  const s = v.state;
  if (!s) return k.kpis.pendingText;
  if (s.status === 'unavailable') return k.kpis.unavailableText(s.at ? t.formatDateTime(s.at) : undefined);
  return k.kpis.ok;
}

export function KpiTable({ views, lang, t, k, caption }: { views: KpiView[]; lang: Lang; t: Messages; k: KpiMessages; caption: string }) {
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-label={caption}>
      <table class="kern-table kpi-table">
        <caption>{caption}</caption>
        <thead class="kern-table__header">
          <tr class="kern-table__row">
            <th class="kern-table__header" scope="col">{k.kpis.name}</th>
            <th class="kern-table__header kern-table__header--numeric" scope="col">{k.kpis.value}</th>
            <th class="kern-table__header" scope="col">{k.kpis.time}</th>
            <th class="kern-table__header" scope="col">{k.kpis.state}</th>
          </tr>
        </thead>
        <tbody class="kern-table__body">
          {views.map((v) => {
            const name = v.kpi.name[lang] || v.kpi.name.de;
            const bad = v.state?.status !== 'ok';
            return (
              <tr class="kern-table__row">
                <th class="kern-table__cell" scope="row"><a class="kern-link" href={href(lang, 'kpi', v.kpi.id)}>{name}</a></th>
                <td class="kern-table__cell kern-table__cell--numeric kpi-value" data-label={k.kpis.value}>{kpiValueText(v, t)}</td>
                <td class="kern-table__cell" data-label={k.kpis.time}>{v.state?.at ? t.formatDateTime(v.state.at) : '–'}</td>
                <td class="kern-table__cell" data-label={k.kpis.state}><span class={`kpi-state${bad ? ' kpi-state--bad' : ''}`}>{v.state?.status === 'ok' ? k.kpis.ok : v.state ? k.kpis.unavailable : k.kpis.pending}</span>
                  {bad && <span class="kern-body--small kpi-state-note"> {v.state ? k.kpis.unavailableNote(v.state.at ? t.formatDateTime(v.state.at) : undefined) : k.kpis.pendingNote}</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export interface ChartProps {
  id: string;
  /** What the chart shows, e.g. "Stickstoffdioxid (NO₂) in µg/m³". */
  what: string;
  unit: string;
  history: History;
  range: Range;
  /** The ranges offered (links that work without JavaScript); none: no choice is offered. */
  ranges?: readonly Range[];
  rangeHref(r: Range): string;
  t: Messages;
  k: KpiMessages;
}

export function HistoryChart(p: ChartProps) {
  const { k, t } = p;
  const points = p.history.points;
  const ranges = p.ranges ?? RANGES;
  const caption = k.chart.tableCaption(p.what, k.chart.rangeText[p.range]);
  return (
    <div class="history">
      {ranges.length > 0 && (
        <nav aria-label={`${k.chart.ranges}: ${p.what}`}>
          <ul class="range-links">
            {ranges.map((r) => (
              <li><a class="range-link" href={p.rangeHref(r)} aria-current={r === p.range ? 'true' : undefined}>{k.chart.range[r]}</a></li>
            ))}
          </ul>
        </nav>
      )}
      {points.length === 0 ? <p>{k.kpiPage.noHistory}</p> : (
        <>
          <figure class="chart-figure">
            <div class="portal-chart" id={p.id} hidden role="img" aria-label={k.chart.chartLabel(caption)}
              data-from={Date.parse(p.history.from) / 1000} data-to={Date.parse(p.history.to) / 1000} data-points={JSON.stringify(points.map((x) => [Date.parse(x.t) / 1000, x.avg, x.min, x.max]))}
              data-label={p.what} data-period={k.chart.period} data-unit={p.unit} data-lang={t.lang} data-avg={k.chart.avg} data-min={k.chart.min} data-max={k.chart.max}></div>
          </figure>
          <div class="table-scroll" tabindex={0} role="region" aria-label={caption}>
            <table class="kern-table kern-table--small wide">
              <caption>{caption}</caption>
              <thead class="kern-table__header">
                <tr class="kern-table__row">
                  <th class="kern-table__header" scope="col">{k.chart.period}</th>
                  <th class="kern-table__header kern-table__header--numeric" scope="col">{k.chart.avg}{p.unit ? ` (${p.unit})` : ''}</th>
                  <th class="kern-table__header kern-table__header--numeric" scope="col">{k.chart.min}</th>
                  <th class="kern-table__header kern-table__header--numeric" scope="col">{k.chart.max}</th>
                </tr>
              </thead>
              <tbody class="kern-table__body">
                {points.map((x) => (
                  <tr class="kern-table__row">
                    <th class="kern-table__cell" scope="row">{k.chart.formatTime(x.t)}</th>
                    <td class="kern-table__cell kern-table__cell--numeric">{t.formatNumber(x.avg)}</td>
                    <td class="kern-table__cell kern-table__cell--numeric">{t.formatNumber(x.min)}</td>
                    <td class="kern-table__cell kern-table__cell--numeric">{t.formatNumber(x.max)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
