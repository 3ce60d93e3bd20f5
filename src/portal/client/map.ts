// Map enhancement (Leaflet, no WebGL): turns a .portal-map element into a map of the features the
// page already lists in a table, and makes the list of features keyboard-operable. Without this
// script (or JavaScript) the page keeps its table and coordinates: nothing depends on the map.
import L from 'leaflet';

interface Feature {
  id: string;
  name: string;
  lat: number;
  lon: number;
  text: string;
  /** The feature's own page (history and details), if it has one. */
  url?: string;
  link?: string;
}

function init(el: HTMLElement): void {
  const features = JSON.parse(el.dataset.features ?? '[]') as Feature[];
  const shape = el.dataset.geojson ? (JSON.parse(el.dataset.geojson) as GeoJSON.GeoJsonObject) : undefined;
  el.hidden = false;
  // The section around the map (heading, list) exists for the map only: shown with it.
  el.closest('section.map-section')?.removeAttribute('hidden');
  const map = L.map(el, { scrollWheelZoom: false, keyboard: true, attributionControl: true });
  const tiles = el.dataset.tileUrl;
  if (tiles) L.tileLayer(tiles, { attribution: el.dataset.attribution ?? '', maxZoom: 19 }).addTo(map);
  else map.attributionControl.addAttribution(el.dataset.noTiles ?? '');
  // The view is set before any layer is added: a path added to a map without a view can be
  // redrawn by an early resize before its renderer has bounds (Leaflet throws in _clipPoints).
  const bounds = L.latLngBounds([]);
  const shapeLayer = shape ? L.geoJSON(shape, { style: { color: '#00508c', weight: 3 }, pointToLayer: (_f, ll) => L.circleMarker(ll, { radius: 9, color: '#00508c', weight: 3, fillOpacity: 0.6 }) }) : undefined;
  if (shapeLayer) bounds.extend(shapeLayer.getBounds());
  for (const f of features) bounds.extend([f.lat, f.lon]);
  if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), { maxZoom: 16, animate: false });
  else map.setView([51.538, 7.2196], 13);
  shapeLayer?.addTo(map);
  const markers = new Map<string, L.CircleMarker>();
  for (const f of features) {
    const m = L.circleMarker([f.lat, f.lon], { radius: 8, color: '#003a66', weight: 2, fillColor: '#00508c', fillOpacity: 0.7 })
      .bindPopup(() => { const d = document.createElement('div'); const b = document.createElement('strong'); b.textContent = f.name; const p = document.createElement('p'); p.textContent = f.text; d.append(b, p); if (f.url) { const a = document.createElement('a'); a.href = f.url; a.textContent = f.link ?? f.url; d.append(a); } return d; })
      .addTo(map);
    markers.set(f.id, m);
  }

  // The list: one button per feature selects it on the map and announces its values.
  const list = el.dataset.list ? document.getElementById(el.dataset.list) : null;
  const status = el.dataset.status ? document.getElementById(el.dataset.status) : null;
  if (!list) return;
  list.hidden = false;
  list.querySelectorAll<HTMLButtonElement>('button[data-feature]').forEach((btn) => {
    btn.addEventListener('click', () => {
      const f = features.find((x) => x.id === btn.dataset.feature);
      const m = f && markers.get(f.id);
      if (!f || !m) return;
      list.querySelectorAll('button[aria-pressed="true"]').forEach((b) => b.setAttribute('aria-pressed', 'false'));
      btn.setAttribute('aria-pressed', 'true');
      map.setView(m.getLatLng(), Math.max(map.getZoom(), 15));
      m.openPopup();
      if (status) status.textContent = `${f.name}: ${f.text}`;
    });
  });
}

/** Leaflet's stylesheet (its fingerprinted URL, set when the script is bundled: src/portal/assets.ts). */
declare const LEAFLET_CSS: string;

/**
 * Loads Leaflet's stylesheet unless the page links it: the map is the only user, so pages leave it out
 * of their render-blocking styles and the map (whose place is reserved, theme.css) shows once it is in.
 */
function leafletStyles(): Promise<void> {
  if (document.querySelector(`link[rel="stylesheet"][href="${LEAFLET_CSS}"]`)) return Promise.resolve();
  return new Promise((resolve) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = LEAFLET_CSS;
    link.onload = () => resolve();
    // Without its stylesheet the map would be unusable: the page keeps its table and list instead.
    link.onerror = () => {};
    document.head.append(link);
  });
}

const maps = document.querySelectorAll<HTMLElement>('.portal-map');
if (maps.length) void leafletStyles().then(() => maps.forEach(init));
