// Chart enhancement (uPlot): draws the history a .portal-chart element carries in data-points
// ([seconds, avg, min, max] per period). The page already shows the same values in a table; without
// this script (or JavaScript) nothing is lost.
import uPlot from 'uplot';

function init(el: HTMLElement): void {
  const rows = JSON.parse(el.dataset.points ?? '[]') as Array<[number, number, number, number]>;
  if (rows.length === 0) return;
  el.hidden = false;
  const lang = el.dataset.lang === 'en' ? 'en-GB' : 'de-DE';
  const num = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const unit = el.dataset.unit ? ` ${el.dataset.unit}` : '';
  const data: uPlot.AlignedData = [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])];
  const width = () => Math.max(280, el.clientWidth);
  const value = (_u: uPlot, v: number | null) => (v == null ? '–' : num.format(v) + unit);
  const from = Number(el.dataset.from);
  const to = Number(el.dataset.to);
  // Times in the city's zone and the page's language; hours for short ranges, dates for long ones.
  const short = to - from <= 2 * 86400;
  const tick = new Intl.DateTimeFormat(lang, short ? { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' } : { day: 'numeric', month: 'short', timeZone: 'Europe/Berlin' });
  const full = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' });
  const plot = new uPlot({
    width: width(),
    height: 280,
    series: [
      { label: el.dataset.period, value: (_u, v) => (v == null ? '–' : full.format(new Date(v * 1000))) },
      { label: el.dataset.avg, stroke: '#00508c', width: 2, value, points: { show: true, size: 6 } },
      // Minimum and maximum: dashed, so the lines differ by more than colour.
      { label: el.dataset.min, stroke: '#4b5563', width: 1, dash: [4, 4], value },
      { label: el.dataset.max, stroke: '#7a4b00', width: 1, dash: [10, 4], value },
    ],
    axes: [{ stroke: '#1f2937', values: (_u, ticks) => ticks.map((v) => tick.format(new Date(v * 1000))) }, { stroke: '#1f2937', values: (_u, ticks) => ticks.map((v) => num.format(v)), size: 60 }],
    // The axis spans the range asked for, so one period alone does not stretch it over years.
    scales: { x: { time: true, range: [from, to] } },
    cursor: { drag: { x: false, y: false } },
  }, data, el);
  if ('ResizeObserver' in window) new ResizeObserver(() => plot.setSize({ width: width(), height: 280 })).observe(el.parentElement ?? el);
}

document.querySelectorAll<HTMLElement>('.portal-chart').forEach(init);
