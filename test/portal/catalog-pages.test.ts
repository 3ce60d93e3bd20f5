// The catalogue pages and the dataset editor over HTTP (inject; SQLite, or PostgreSQL with
// TEST_ENGINE=postgres): search with facets, sorting and paging; the dataset page (licence in plain
// words, downloads, preview, DCAT links); unknown datasets; the project page's datasets; the editor
// with access control on (login, roles, CSRF, errors next to the fields, values kept, uploads).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountsApp, cookiesOf, type AccountsApp, type Session } from '../accounts/support.ts';
import { loadStarter } from '../../src/strategy/index.ts';
import { ALL_VIEWER } from '../../src/catalog/index.ts';

const CSV = 'Station;NO2;Zeit\nRathaus;21,5;2026-12-04T10:00:00Z\nBahnhof;38;2026-12-04T10:00:00Z\n';

function dataset(id: string, extra: Record<string, unknown> = {}) {
  return {
    id, tenant: 'herne', title: { de: `Datensatz ${id}`, en: `Dataset ${id}` }, description: { de: `Beschreibung von ${id}.`, en: `Description of ${id}.` },
    publisherId: 'stadt-herne', licence: 'dl-by-de/2.0', themes: ['GOVE'], keywords: ['Verwaltung'], distributions: [
      { id: 'link', kind: 'link', accessUrl: `https://example.org/${id}.pdf`, format: 'PDF', mediaType: 'application/pdf' },
    ], ...extra,
  };
}

/** Form fields as url-encoded, with the CSRF token. */
function form(fields: Record<string, string>, s?: Session) {
  return { payload: new URLSearchParams({ ...fields, ...(s ? { _csrf: s.csrf } : {}) }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...(s ? { cookie: s.cookie } : {}) } };
}

function multipart(fields: Record<string, string>, file: { name: string; type: string; data: Buffer | string }) {
  const b = '----drehscheibe' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`));
  parts.push(Buffer.isBuffer(file.data) ? file.data : Buffer.from(file.data));
  parts.push(Buffer.from(`\r\n--${b}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${b}` };
}

describe('catalogue pages and dataset editor', () => {
  let a: AccountsApp;
  let steward: Session;
  let citizen: Session;
  let otherSteward: Session;

  before(async () => {
    a = await accountsApp();
    await loadStarter(a.app.drehscheibe.strategy);
    const cat = a.app.drehscheibe.catalog;
    // 23 published datasets about air quality and parking, and one draft.
    for (let i = 1; i <= 12; i++) {
      await cat.create(dataset(`luft-${String(i).padStart(2, '0')}`, {
        title: { de: `Luftqualitätsdaten Messstelle ${i}`, en: `Air quality data station ${i}` }, themes: ['ENVI'], keywords: ['Luftqualität', 'Umwelt'],
        publisherId: i % 2 ? 'stadt-herne' : 'stadtwerke-herne', projectSlug: 'umweltsensorik',
      }), ALL_VIEWER);
      await cat.publish(`luft-${String(i).padStart(2, '0')}`, ALL_VIEWER);
    }
    for (let i = 1; i <= 11; i++) {
      await cat.create(dataset(`parken-${String(i).padStart(2, '0')}`, { title: { de: `Parkplätze ${i}` }, themes: ['TRAN'], licence: i === 1 ? 'cc-by/4.0' : 'dl-zero-de/2.0' }), ALL_VIEWER);
      await cat.publish(`parken-${String(i).padStart(2, '0')}`, ALL_VIEWER);
    }
    await cat.create(dataset('entwurf', { title: { de: 'Geheimer Entwurf' } }), ALL_VIEWER);
    // A dataset with an uploaded CSV (through the service's own upload).
    await cat.create(dataset('messwerte', {
      title: { de: 'Messwerte Stickstoffdioxid', en: 'Nitrogen dioxide measurements' }, themes: ['ENVI'], keywords: ['Luftqualität'],
      contactPoint: { organisationId: 'stabsstelle-digitalisierung', email: 'daten@herne.de' }, temporal: { start: '2025-01-01', end: '2025-12-31' },
      spatial: { municipalityKey: '05916000' }, accrualPeriodicity: 'DAILY',
      distributions: [{ id: 'werte', kind: 'file', format: 'CSV', mediaType: 'text/csv', title: { de: 'Messwerte 2025' } }],
    }), ALL_VIEWER);
    await cat.upload('messwerte', 'werte', Buffer.from(CSV), 'text/csv', 'werte.csv', ALL_VIEWER);
    await cat.publish('messwerte', ALL_VIEWER);

    await a.user('stewardin@herne.de', [{ role: 'steward', tenants: ['herne'] }]);
    await a.user('buerger@herne.de', [{ role: 'citizen' }]);
    await a.user('anderswo@herne.de', [{ role: 'steward', tenants: ['bochum'] }]);
    steward = await a.login('stewardin@herne.de');
    citizen = await a.login('buerger@herne.de');
    otherSteward = await a.login('anderswo@herne.de');
  });
  after(async () => { await a.close(); });

  // ---- search ----

  test('/daten lists published datasets with facets (counts), 10 per page, and no drafts; the navigation marks "Datenkatalog"', async () => {
    // First request of this app: keyword values are shown as the datasets spell them, also when no hit on the page has them.
    const p3 = await a.app.inject({ url: '/daten?page=3&sort=title' });
    assert.doesNotMatch(p3.body, /Luftqualitätsdaten Messstelle/);
    assert.match(p3.body, /name="keyword:luftqualit(?:ae|ä)t" value="1"\/><label class="kern-label" for="[^"]+">Luftqualität <span class="facet-count">\(13\)/);
    const r = await a.app.inject({ url: '/daten' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<html lang="de">/);
    assert.match(r.body, /<title>Datenkatalog – Datendrehscheibe Herne<\/title>/);
    assert.match(r.body, /24 Datensätze/);
    assert.equal((r.body.match(/class="dataset-card"/g) ?? []).length, 10);
    assert.doesNotMatch(r.body, /Geheimer Entwurf/);
    assert.match(r.body, /<a href="\/daten" aria-current="page">Datenkatalog<\/a>/);
    // Facets as checkboxes with counts: 13 ENVI (12 + messwerte), 11 TRAN.
    assert.match(r.body, /name="theme:ENVI" value="1"\/><label class="kern-label" for="[^"]+">Umwelt <span class="facet-count">\(13\)<\/span>/);
    assert.match(r.body, /name="theme:TRAN" value="1"\/><label class="kern-label" for="[^"]+">Verkehr <span class="facet-count">\(11\)<\/span>/);
    assert.match(r.body, /name="publisher:stadtwerke-herne"[^>]*><label[^>]*>Stadtwerke Herne AG <span class="facet-count">\(6\)/);
    assert.match(r.body, /name="licence:cc-by\/4.0"/);
    assert.match(r.body, /name="format:PDF"/);
    // Paging: three pages, a next link, no previous link on page 1.
    assert.match(r.body, /Seite 1 von 3/);
    assert.match(r.body, /<a class="kern-link" rel="next" href="\/daten\?page=2">Nächste Seite<\/a>/);
    assert.doesNotMatch(r.body, /rel="prev"/);
  });

  test('a facet filter narrows the hits and keeps the box ticked; paging keeps the filter and the search term', async () => {
    const r = await a.app.inject({ url: '/daten?theme:ENVI=1&publisher:stadt-herne=1' });
    assert.equal(r.statusCode, 200);
    // Odd stations (6) of stadt-herne plus "messwerte" (stadt-herne, ENVI).
    assert.match(r.body, /7 Datensätze/);
    assert.match(r.body, /name="theme:ENVI" value="1" checked/);
    const q = await a.app.inject({ url: '/daten?q=Luftqualit%C3%A4t&sort=title' });
    assert.match(q.body, /13 Datensätze zu „Luftqualität“/);
    assert.match(q.body, /href="\/daten\?q=Luftqualit%C3%A4t&amp;sort=title&amp;page=2"/);
    const p2 = await a.app.inject({ url: '/daten?q=Luftqualit%C3%A4t&sort=title&page=2' });
    assert.match(p2.body, /Seite 2 von 2/);
    assert.equal((p2.body.match(/class="dataset-card"/g) ?? []).length, 3);
    assert.match(p2.body, /rel="prev" href="\/daten\?q=Luftqualit%C3%A4t&amp;sort=title"/);
  });

  test('German full-text search: "Luftqualitaet" and "luftqualität" find the same datasets; sorting by title orders the list', async () => {
    const a1 = await a.app.inject({ url: '/daten?q=Luftqualitaet' });
    const a2 = await a.app.inject({ url: '/daten?q=luftqualit%C3%A4t' });
    assert.match(a1.body, /13 Datensätze/);
    assert.match(a2.body, /13 Datensätze/);
    const t = await a.app.inject({ url: '/daten?theme:TRAN=1&sort=title' });
    const titles = [...t.body.matchAll(/href="\/daten\/datensatz\/[a-z0-9-]+">([^<]+)</g)].map((m) => m[1]!);
    assert.equal(titles.length, 10);
    assert.deepEqual(titles, [...titles].sort());
    assert.match(t.body, /<option value="title" selected>Titel \(A–Z\)<\/option>/);
  });

  test('no hits: a helpful message and a link to remove the filters; a bad page number or unknown sort falls back', async () => {
    const r = await a.app.inject({ url: '/daten?q=Raumschiff' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /Keine Datensätze gefunden/);
    assert.match(r.body, /<a class="kern-link" href="\/daten">Alle Filter entfernen<\/a>/);
    const bad = await a.app.inject({ url: '/daten?page=abc&sort=egal' });
    assert.equal(bad.statusCode, 200);
    assert.match(bad.body, /Seite 1 von 3/);
    const far = await a.app.inject({ url: '/daten?page=99' });
    assert.equal(far.statusCode, 200);
    assert.equal((far.body.match(/class="dataset-card"/g) ?? []).length, 0);
  });

  test('/en/data is the English search page; the language switch leads to /daten', async () => {
    const r = await a.app.inject({ url: '/en/data?theme:ENVI=1' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<html lang="en">/);
    assert.match(r.body, /<title>Data catalogue – Herne data hub<\/title>/);
    assert.match(r.body, /13 datasets/);
    assert.match(r.body, />Environment <span class="facet-count">/);
    assert.match(r.body, /href="\/daten" hreflang="de" lang="de"/);
    assert.match(r.body, /href="\/en\/data\/dataset\/luft-01"/);
  });

  test('/daten/live still is the live sensor page', async () => {
    const r = await a.app.inject({ url: '/daten/live' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<title>Live-Daten – Datendrehscheibe Herne<\/title>/);
  });

  // ---- dataset page ----

  test('the dataset page: description, publisher, contact, licence in plain words, themes, period, area, frequency, download with size, CSV preview, DCAT links', async () => {
    const r = await a.app.inject({ url: '/daten/datensatz/messwerte' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<title>Messwerte Stickstoffdioxid – Datendrehscheibe Herne<\/title>/);
    assert.match(r.body, /Beschreibung von messwerte\./);
    assert.match(r.body, /<dt>Herausgeber<\/dt><dd>Stadt Herne<\/dd>/);
    assert.match(r.body, /Stabsstelle Digitalisierung[^<]*, <a class="kern-link" href="mailto:daten@herne.de">/);
    assert.match(r.body, /Sie dürfen die Daten frei nutzen, wenn Sie die Quelle nennen\./);
    assert.match(r.body, /Datenlizenz Deutschland – Namensnennung – Version 2.0/);
    assert.match(r.body, /<dt>Themen<\/dt><dd>Umwelt<\/dd>/);
    assert.match(r.body, /ab 1\. Januar 2025 bis 31\. Dezember 2025/);
    assert.match(r.body, /Gemeindeschlüssel 05916000/);
    assert.match(r.body, /<dt>Aktualisierung<\/dt><dd>täglich<\/dd>/);
    assert.match(r.body, /href="\/api\/catalog\/datasets\/messwerte\/distributions\/werte\/download" download aria-label="Messwerte 2025 als CSV herunterladen"/);
    assert.match(r.body, /<span class="format-badge">CSV<\/span> 83 Byte/);
    // The preview: the header and both rows, with the German separator understood.
    assert.match(r.body, /<caption>Die ersten 2 Zeilen von Messwerte 2025<\/caption>/);
    assert.match(r.body, /<th class="kern-table__header" scope="col">NO2<\/th>/);
    assert.match(r.body, /<td class="kern-table__cell">21,5<\/td>/);
    for (const [s, type] of [['ttl', 'text/turtle'], ['rdf', 'application/rdf+xml'], ['jsonld', 'application/ld+json']]) {
      assert.match(r.body, new RegExp(`href="/catalog/datasets/messwerte\\.${s}"`));
      // The links lead to the dataset's DCAT-AP.de description in that format.
      const d = await a.app.inject({ url: `/catalog/datasets/messwerte.${s}` });
      assert.equal(d.statusCode, 200, `.${s}`);
      assert.ok(String(d.headers['content-type']).startsWith(type!), `${d.headers['content-type']}`);
    }
    assert.equal((r.body.match(/<h1[ >]/g) ?? []).length, 1);
  });

  test('the English dataset page uses the English title and the licence in plain English words', async () => {
    const r = await a.app.inject({ url: '/en/data/dataset/messwerte' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<h1 class="kern-heading-x-large">Nitrogen dioxide measurements<\/h1>/);
    assert.match(r.body, /You may use the data freely if you name the source\./);
    const z = await a.app.inject({ url: '/daten/datensatz/parken-02' });
    assert.match(z.body, /Sie dürfen die Daten ohne jede Bedingung nutzen/);
    assert.match(z.body, /Öffnen/);
    assert.match(z.body, /href="https:\/\/example.org\/parken-02.pdf"/);
  });

  test('an unknown dataset and a draft give the 404 page (German, English) to the public', async () => {
    for (const [url, lang] of [['/daten/datensatz/gibt-es-nicht', 'de'], ['/daten/datensatz/entwurf', 'de'], ['/en/data/dataset/gibt-es-nicht', 'en']]) {
      const r = await a.app.inject({ url });
      assert.equal(r.statusCode, 404, url);
      assert.match(r.body, new RegExp(`<html lang="${lang}">`));
      assert.match(r.body, lang === 'de' ? /Seite nicht gefunden/ : /Page not found/);
      assert.doesNotMatch(r.body, /Geheimer Entwurf/);
    }
  });

  test('a steward sees the draft on its page, marked as a draft', async () => {
    const r = await a.app.inject({ url: '/daten/datensatz/entwurf', headers: { cookie: steward.cookie } });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /Entwurf: Dieser Datensatz ist noch nicht veröffentlicht/);
  });

  test('the project page lists the project\'s datasets', async () => {
    const r = await a.app.inject({ url: '/projekte/umweltsensorik' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<h2 class="kern-heading-medium" id="datensaetze">Datensätze zu diesem Projekt<\/h2>/);
    assert.equal((r.body.match(/href="\/daten\/datensatz\/luft-/g) ?? []).length, 12);
    const none = await a.app.inject({ url: '/en/projects/solarbaenke' });
    assert.match(none.body, /This project has no datasets in the catalogue yet\./);
  });

  // ---- editor: access ----

  test('the editor asks for a login (401) without a session and refuses (403) a citizen', async () => {
    const r = await a.app.inject({ url: '/verwaltung/datensaetze' });
    assert.equal(r.statusCode, 401);
    assert.match(r.body, /Bitte melden Sie sich an/);
    assert.match(r.body, /href="\/anmelden\?returnTo=%2Fverwaltung%2Fdatensaetze"/);
    const c = await a.app.inject({ url: '/verwaltung/datensaetze/neu', headers: { cookie: citizen.cookie } });
    assert.equal(c.statusCode, 403);
    assert.match(c.body, /Keine Berechtigung/);
    const post = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/neu', ...form({ id: 'x', titleDe: 'X' }, citizen) });
    assert.equal(post.statusCode, 403);
    const anon = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/luft-01/loeschen', ...form({}) });
    assert.equal(anon.statusCode, 401);
    assert.equal((await a.app.inject({ url: '/daten/datensatz/luft-01' })).statusCode, 200, 'nothing was deleted');
  });

  test('a steward of another tenant cannot open or change Herne\'s datasets', async () => {
    const list = await a.app.inject({ url: '/verwaltung/datensaetze', headers: { cookie: otherSteward.cookie } });
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Es gibt noch keine Datensätze/);
    const edit = await a.app.inject({ url: '/verwaltung/datensaetze/luft-01', headers: { cookie: otherSteward.cookie } });
    assert.equal(edit.statusCode, 403);
    const del = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/luft-01/loeschen', ...form({}, otherSteward) });
    assert.equal(del.statusCode, 403);
    assert.equal((await a.app.inject({ url: '/daten/datensatz/luft-01' })).statusCode, 200);
  });

  test('a form post without the session\'s CSRF token is refused (403) and changes nothing', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/luft-02/loeschen', ...form({}, { cookie: steward.cookie, csrf: 'falsch' }) });
    assert.equal(r.statusCode, 403);
    const none = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/luft-02/loeschen', payload: '', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: steward.cookie } });
    assert.equal(none.statusCode, 403);
    assert.equal((await a.app.inject({ url: '/daten/datensatz/luft-02' })).statusCode, 200);
  });

  // ---- editor: forms ----

  test('the list shows the steward\'s datasets with their state, drafts included', async () => {
    const r = await a.app.inject({ url: '/verwaltung/datensaetze', headers: { cookie: steward.cookie } });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /Geheimer Entwurf<\/th><td class="kern-table__cell">Entwurf<\/td>/);
    assert.match(r.body, /href="\/verwaltung\/datensaetze\/luft-01" aria-label="Luftqualitätsdaten Messstelle 1 bearbeiten"/);
    assert.match(r.body, /href="\/verwaltung\/datensaetze\/neu"/);
  });

  test('an invalid new dataset: 400, an error summary linking to each field, German messages next to the fields, typed values kept, nothing created', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/neu', ...form({
      id: 'neuer-datensatz', titleDe: '', descriptionDe: 'Etwas <b>fett</b>', publisher: '', licence: 'dl-by-de/2.0', contactEmail: 'keine-adresse',
      temporalStart: '2025-02-30x', municipality: '123', 'themes:ENVI': '1', keywords: 'Luft, Wasser',
    }, steward) });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /<title>Fehler: Neuer Datensatz – Datendrehscheibe Herne<\/title>/);
    assert.match(r.body, /<div class="error-summary" role="alert"/);
    assert.match(r.body, /<a href="#ds-titleDe">Bitte geben Sie „Titel \(deutsch\)“ an\.<\/a>/);
    assert.match(r.body, /<a href="#ds-publisher">Bitte wählen Sie „Herausgeber“ aus der Liste\.<\/a>/);
    assert.match(r.body, /id="ds-contactEmail-error"[^>]*><span class="kern-sr-only">Fehler: <\/span>Bitte geben Sie eine E-Mail-Adresse im Format name@beispiel.de ein\./);
    assert.match(r.body, /Bitte geben Sie ein Datum im Format JJJJ-MM-TT an/);
    assert.match(r.body, /Der Gemeindeschlüssel hat 8 Ziffern/);
    assert.match(r.body, /aria-describedby="ds-titleDe-error" aria-invalid="true"/);
    // What was typed stays (escaped), the ticked theme too.
    assert.match(r.body, />Etwas &lt;b>fett&lt;\/b><\/textarea>/);
    assert.match(r.body, /value="keine-adresse"/);
    assert.match(r.body, /value="Luft, Wasser"/);
    assert.match(r.body, /name="themes:ENVI" value="1" checked/);
    assert.match(r.body, /value="neuer-datensatz"/);
    assert.equal((await a.app.inject({ url: '/verwaltung/datensaetze/neuer-datensatz', headers: { cookie: steward.cookie } })).statusCode, 404);
  });

  test('an id that is taken answers 409 with the message next to the id field', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/neu', ...form({
      id: 'luft-01', titleDe: 'Doppelt', descriptionDe: 'Doppelt', publisher: 'stadt-herne', licence: 'dl-by-de/2.0',
    }, steward) });
    assert.equal(r.statusCode, 409);
    assert.match(r.body, /<a href="#ds-id">Diese Kennung ist schon vergeben/);
  });

  test('a steward creates a dataset, uploads a CSV, adds a link, publishes it — and the public finds it; then unpublishes and deletes it', async () => {
    const c = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/neu', ...form({
      id: 'baumkataster', titleDe: 'Baumkataster Herne', titleEn: 'Tree register', descriptionDe: 'Alle Straßenbäume der Stadt.\n\nMit Art und Pflanzjahr.',
      publisher: 'stadt-herne', contact: 'stadt-herne', contactEmail: 'baeume@herne.de', licence: 'dl-zero-de/2.0', 'themes:ENVI': '1', 'themes:REGI': '1',
      keywords: 'Bäume, Grün', frequency: 'ANNUAL', temporalStart: '2024-01-01', municipality: '05916000', contributorId: 'stadtHerne', project: 'umweltsensorik',
    }, steward) });
    assert.equal(c.statusCode, 303, c.body);
    assert.equal(c.headers.location, '/verwaltung/datensaetze/baumkataster?ok=created');
    const edit = await a.app.inject({ url: c.headers.location!, headers: { cookie: steward.cookie } });
    assert.match(edit.body, /Der Datensatz ist angelegt\./);
    assert.match(edit.body, /name="themes:REGI" value="1" checked/);
    assert.match(edit.body, /Dieser Datensatz ist ein Entwurf/);
    // Publishing without any file or link is refused with a readable message.
    const early = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/baumkataster/veroeffentlichen', ...form({}, steward) });
    assert.equal(early.statusCode, 400);
    assert.match(early.body, /Ein veröffentlichter Datensatz braucht mindestens eine Datei oder einen Link/);
    assert.equal((await a.app.inject({ url: '/daten/datensatz/baumkataster' })).statusCode, 404);

    const up = multipart({ _csrf: steward.csrf, title: 'Bäume 2025' }, { name: 'baeume.csv', type: 'text/csv', data: 'Art,Jahr\nLinde,1990\nEiche,2001\n' });
    const u = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/baumkataster/datei', payload: up.payload, headers: { 'content-type': up.contentType, cookie: steward.cookie } });
    assert.equal(u.statusCode, 303, u.body);
    const l = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/baumkataster/link', ...form({ url: 'https://geo.herne.de/wms', format: 'WMS', title: 'Kartendienst' }, steward) });
    assert.equal(l.statusCode, 303, l.body);
    const p = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/baumkataster/veroeffentlichen', ...form({}, steward) });
    assert.equal(p.statusCode, 303, p.body);
    assert.equal(p.headers.location, '/verwaltung/datensaetze/baumkataster?ok=published');

    const page = await a.app.inject({ url: '/daten/datensatz/baumkataster' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Sie dürfen die Daten ohne jede Bedingung nutzen/);
    assert.match(page.body, /<caption>Die ersten 2 Zeilen von Bäume 2025<\/caption>/);
    const dl = /href="(\/api\/catalog\/datasets\/baumkataster\/distributions\/[a-z0-9-]+\/download)"/.exec(page.body)![1]!;
    const file = await a.app.inject({ url: dl });
    assert.equal(file.statusCode, 200);
    assert.equal(file.body, 'Art,Jahr\nLinde,1990\nEiche,2001\n');
    assert.match(page.body, /href="https:\/\/geo.herne.de\/wms"/);
    assert.match((await a.app.inject({ url: '/daten?q=Baumkataster' })).body, /1 Datensatz zu „Baumkataster“/);
    assert.match((await a.app.inject({ url: '/projekte/umweltsensorik' })).body, /href="\/daten\/datensatz\/baumkataster">Baumkataster Herne</);

    // Editing keeps the upload; the English title changes.
    const e = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/baumkataster', ...form({
      titleDe: 'Baumkataster Herne', titleEn: 'Tree register of Herne', descriptionDe: 'Alle Straßenbäume.', publisher: 'stadt-herne', licence: 'dl-zero-de/2.0', 'themes:ENVI': '1',
    }, steward) });
    assert.equal(e.statusCode, 303, e.body);
    const en = await a.app.inject({ url: '/en/data/dataset/baumkataster' });
    assert.match(en.body, /<h1 class="kern-heading-x-large">Tree register of Herne<\/h1>/);
    assert.match(en.body, /Download/);

    const un = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/baumkataster/zuruecknehmen', ...form({}, steward) });
    assert.equal(un.statusCode, 303);
    assert.equal((await a.app.inject({ url: '/daten/datensatz/baumkataster' })).statusCode, 404);
    const del = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/baumkataster/loeschen', ...form({}, steward) });
    assert.equal(del.statusCode, 303);
    assert.equal(del.headers.location, '/verwaltung/datensaetze?ok=deleted');
    assert.equal((await a.app.inject({ url: '/verwaltung/datensaetze/baumkataster', headers: { cookie: steward.cookie } })).statusCode, 404);
  });

  test('uploads: a disallowed type (415) and an empty file are refused next to the file field; nothing is added', async () => {
    const bad = multipart({ _csrf: steward.csrf }, { name: 'programm.exe', type: 'application/octet-stream', data: 'MZ...' });
    const r = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/parken-03/datei', payload: bad.payload, headers: { 'content-type': bad.contentType, cookie: steward.cookie } });
    assert.equal(r.statusCode, 415);
    assert.match(r.body, /<a href="#dist-file">Dateien dieser Art können nicht hochgeladen werden\.<\/a>/);
    const empty = multipart({ _csrf: steward.csrf }, { name: 'leer.csv', type: 'text/csv', data: '' });
    const e = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/parken-03/datei', payload: empty.payload, headers: { 'content-type': empty.contentType, cookie: steward.cookie } });
    assert.equal(e.statusCode, 400);
    assert.match(e.body, /Bitte wählen Sie eine Datei aus\./);
    const noToken = multipart({}, { name: 'a.csv', type: 'text/csv', data: 'a\n1\n' });
    const n = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/parken-03/datei', payload: noToken.payload, headers: { 'content-type': noToken.contentType, cookie: steward.cookie } });
    assert.equal(n.statusCode, 403);
    const ds = await a.app.drehscheibe.catalog.dataset('parken-03', ALL_VIEWER);
    assert.equal(ds.distributions.length, 1);
  });

  test('a bad link (no URL, unknown format) gives messages next to its fields', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/parken-04/link', ...form({ url: 'ftp://x', format: 'KEINS' }, steward) });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /id="dist-url-error"/);
    assert.match(r.body, /Bitte geben Sie eine Adresse an, die mit https:\/\/ oder http:\/\/ beginnt\./);
    assert.match(r.body, /Dieses Format kennen wir nicht/);
  });

  test('removing the last distribution of a published dataset is refused; of a draft it works', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/parken-05/verteilungen/link/entfernen', ...form({}, steward) });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /Ein veröffentlichter Datensatz braucht mindestens eine Datei oder einen Link/);
    const d = await a.app.inject({ method: 'POST', url: '/verwaltung/datensaetze/entwurf/verteilungen/link/entfernen', ...form({}, steward) });
    assert.equal(d.statusCode, 303);
    assert.equal((await a.app.drehscheibe.catalog.dataset('entwurf', ALL_VIEWER)).distributions.length, 0);
  });

  test('the English editor works under /en/admin/datasets with English messages', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/en/admin/datasets/new', ...form({ id: 'Bad Id!', titleDe: 'x', descriptionDe: 'y', publisher: 'stadt-herne', licence: 'dl-by-de/2.0' }, steward) });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /<html lang="en">/);
    assert.match(r.body, /Please enter an identifier of lower-case letters, digits and hyphens/);
    const list = await a.app.inject({ url: '/en/admin/datasets', headers: { cookie: steward.cookie } });
    assert.match(list.body, /Manage datasets/);
  });

  test('the editor list pages by 50 and shows only the tenants the steward manages', async () => {
    const cat = a.app.drehscheibe.catalog;
    for (let i = 1; i <= 30; i++) await cat.create(dataset(`seite-${String(i).padStart(2, '0')}`), ALL_VIEWER);
    // A dataset of another tenant is not listed for the Herne steward.
    await cat.create(dataset('bochum-daten', { tenant: 'bochum', title: { de: 'Bochumer Daten' } }), ALL_VIEWER);
    const total = (await cat.search({ includeDrafts: true, tenants: ['herne'], limit: 0 }, ALL_VIEWER)).total;
    assert.ok(total > 50, `${total}`);
    const p1 = await a.app.inject({ url: '/verwaltung/datensaetze', headers: { cookie: steward.cookie } });
    assert.equal((p1.body.match(/<tr class="kern-table__row"><th class="kern-table__cell" scope="row">/g) ?? []).length, 50);
    assert.match(p1.body, /Seite 1 von 2/);
    assert.match(p1.body, /rel="next" href="\/verwaltung\/datensaetze\?page=2"/);
    const p2 = await a.app.inject({ url: '/verwaltung/datensaetze?page=2', headers: { cookie: steward.cookie } });
    assert.equal((p2.body.match(/<tr class="kern-table__row"><th class="kern-table__cell" scope="row">/g) ?? []).length, total - 50);
    assert.doesNotMatch(p1.body + p2.body, /Bochumer Daten/);
    const other = await a.app.inject({ url: '/verwaltung/datensaetze', headers: { cookie: otherSteward.cookie } });
    assert.match(other.body, /Bochumer Daten/);
  });

  test('a session cookie login through the form cookie jar works too (cookiesOf keeps the session)', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/konto/anmelden', payload: { email: 'stewardin@herne.de', password: 'Sonnenbank-Herne-2030' } });
    const cookie = cookiesOf(r);
    assert.equal((await a.app.inject({ url: '/verwaltung/datensaetze', headers: { cookie } })).statusCode, 200);
  });
});
