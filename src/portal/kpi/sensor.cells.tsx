// Pieces a sensor's values are shown with, on its page and where a proposal cites it: the table of
// its current values (with the assessment against limit values on the sensor page), and its
// history in percent when the quantity is a share.
import type { Messages } from '../i18n/index.ts';
import type { KpiMessages } from './kpi.catalog.ts';
import type { HistoryPoint } from './history.ts';
import { displayValue, type SensorValueRow } from './sensor.model.ts';

/** A share (unit C62, a value between 0 and 1) is shown in percent, its history too. */
export function isShare(v: SensorValueRow | undefined): boolean {
  return v?.unitCode === 'C62' && typeof v.value === 'number' && v.value <= 1;
}

/** History points of a share, in percent (one decimal). */
export function percentPoints(points: HistoryPoint[]): HistoryPoint[] {
  const pct = (x: number) => Math.round(x * 1000) / 10;
  return points.map((p) => ({ ...p, avg: pct(p.avg), min: pct(p.min), max: pct(p.max) }));
}

/**
 * The current values as a table: quantity, value with unit, observation time; with `assess`, a
 * column with each value's assessment (text, never colour alone).
 */
export function SensorValuesTable({ values, caption, tableClass, t, k, assess }: {
  values: SensorValueRow[]; caption: string; tableClass: string; t: Messages; k: KpiMessages;
  assess?: (v: SensorValueRow) => { cls: string; text: string } | undefined;
}) {
  const label = (a: string) => t.attrs[a] ?? a;
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-label={caption}>
      <table class={`kern-table ${tableClass}`}>
        <caption>{caption}</caption>
        <thead class="kern-table__header">
          <tr class="kern-table__row">
            <th class="kern-table__header" scope="col">{k.sensor.quantity}</th>
            <th class="kern-table__header kern-table__header--numeric" scope="col">{k.sensor.value}</th>
            {assess && <th class="kern-table__header" scope="col">{k.sensor.assessment}</th>}
            <th class="kern-table__header" scope="col">{k.sensor.observed}</th>
          </tr>
        </thead>
        <tbody class="kern-table__body">
          {values.map((v) => {
            const d = displayValue(v);
            const lim = assess?.(v);
            return (
              <tr class="kern-table__row">
                <th class="kern-table__cell" scope="row">{label(v.attr)}</th>
                <td class="kern-table__cell kern-table__cell--numeric">{typeof d.value === 'number' ? t.formatNumber(d.value) : String(d.value)}{d.unit ? ` ${d.unit}` : ''}</td>
                {assess && <td class="kern-table__cell">{lim ? <span class={lim.cls}>{lim.text}</span> : '–'}</td>}
                <td class="kern-table__cell">{v.observedAt ? t.formatDateTime(v.observedAt) : '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
