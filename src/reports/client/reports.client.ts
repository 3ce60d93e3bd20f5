// Place picker for the report form (Leaflet): the map moves under a fixed crosshair, by mouse or by
// keyboard (arrow keys pan, + and - zoom, Leaflet's own keyboard handler); the centre is written to
// the latitude/longitude fields and announced. Without this script the fields work on their own.
import L from 'leaflet';

function init(el: HTMLElement): void {
  const latIn = document.getElementById(el.dataset.lat ?? '') as HTMLInputElement | null;
  const lonIn = document.getElementById(el.dataset.lon ?? '') as HTMLInputElement | null;
  const live = document.getElementById(el.dataset.status ?? '');
  const mapEl = el.querySelector<HTMLElement>('.report-picker__map');
  if (!latIn || !lonIn || !mapEl) return;
  const parse = (s: string) => Number(s.trim().replace(',', '.'));
  const lat0 = parse(latIn.value);
  const lon0 = parse(lonIn.value);
  const known = latIn.value.trim() !== '' && lonIn.value.trim() !== '' && Number.isFinite(lat0) && Number.isFinite(lon0);
  el.hidden = false;
  const center = (el.dataset.center ?? '51.538,7.2196').split(',').map(Number) as [number, number];
  const map = L.map(mapEl, { keyboard: true, scrollWheelZoom: false, attributionControl: true }).setView(known ? [lat0, lon0] : center, known ? 17 : 13);
  const tiles = el.dataset.tileUrl;
  if (tiles) L.tileLayer(tiles, { attribution: el.dataset.attribution ?? '', maxZoom: 19 }).addTo(map);
  else map.attributionControl.addAttribution(el.dataset.noTiles ?? '');
  const fmt = (x: number) => x.toFixed(5).replace('.', el.dataset.decimal ?? ',');
  const say = el.dataset.picked ?? 'Ort gesetzt: {lat}, {lon}';
  let touched = known;
  const write = () => {
    if (!touched) return;
    const c = map.getCenter();
    latIn.value = fmt(c.lat);
    lonIn.value = fmt(c.lng);
    if (live) live.textContent = say.replace('{lat}', fmt(c.lat)).replace('{lon}', fmt(c.lng));
  };
  // Only a move the person makes sets the place (not the first view).
  mapEl.addEventListener('keydown', (e) => { if (e.key.startsWith('Arrow') || e.key === '+' || e.key === '-') touched = true; });
  mapEl.addEventListener('pointerdown', () => { touched = true; });
  map.on('click', (e: L.LeafletMouseEvent) => { touched = true; map.panTo(e.latlng); });
  map.on('moveend', write);
  const fromFields = () => {
    const la = parse(latIn.value);
    const lo = parse(lonIn.value);
    if (Number.isFinite(la) && Number.isFinite(lo) && Math.abs(la) <= 90 && Math.abs(lo) <= 180 && latIn.value.trim() && lonIn.value.trim()) {
      touched = false;
      map.setView([la, lo], Math.max(map.getZoom(), 16));
      touched = true;
    }
  };
  latIn.addEventListener('change', fromFields);
  lonIn.addEventListener('change', fromFields);
}

document.querySelectorAll<HTMLElement>('.report-picker').forEach(init);
