// The KPI and sensor pages over HTTP (inject, SQLite): a project's and the home page's KPIs with
// value, unit, time and state in words; "nicht verfügbar" with the time of the last good value after
// a failed evaluation; the KPI history as a table; a sensor's values against EU limits in words; the
// steward's KPI editor (login, roles, CSRF, German errors next to the fields, what was typed kept).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/core/clock.ts';
import { loadStarter } from '../../src/strategy/index.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { accountsApp, cookiesOf, form, type AccountsApp } from '../accounts/support.ts';
import { energyKpi, no2Kpi, seedHerne, wifiKpi } from '../strategy/kpi-support.ts';

describe('KPI and sensor pages', () => {
  let a: TestApp;
  const clock = fixedClock('2026-12-05T10:00:00Z');
  before(async () => {
    a = await testApp({ DREHSCHEIBE_KPI_INTERVAL: '0' }, { clock });
    await loadStarter(a.app.drehscheibe.strategy);
    await seedHerne(a.app);
    const k = a.app.drehscheibe.kpis.service;
    await k.create(wifiKpi());
    await k.create(energyKpi());
    await k.create(no2Kpi());
    await k.create(wifiKpi({ id: 'intern', published: false, name: { de: 'Interne Zahl', en: 'Internal' } }));
    await a.app.drehscheibe.kpis.scheduler.runOnce();
    clock.advance(3_600_000);
    await a.app.drehscheibe.kpis.scheduler.runOnce();
  });
  after(async () => { await a.close(); });
  const get = (url: string) => a.app.inject({ url });

  test('a project page shows its published KPIs: value, unit, time and state as text, linked to the KPI page', async () => {
    const r = await get('/projekte/solarbaenke');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /Kennzahlen aus Live-Daten/);
    assert.match(r.body, /<a class="kern-link" href="\/kennzahlen\/solar-energie">Energie der Solarbänke in diesem Monat<\/a>/);
    assert.match(r.body, /13 kWh/);
    assert.match(r.body, /5\. Dezember 2026 um 12:00 Uhr/);
    assert.match(r.body, />aktuell</);
    const en = await get('/en/projects/wlan-innenstaedte');
    assert.match(en.body, /Indicators from live data/);
    assert.match(en.body, /href="\/en\/kpis\/wlan-online"/);
  });

  test('the home page lists every published KPI and no unpublished one', async () => {
    const r = await get('/');
    assert.match(r.body, /WLAN-Zugangspunkte in Betrieb/);
    assert.match(r.body, /66,7 %/);
    assert.doesNotMatch(r.body, /Interne Zahl/);
  });

  test('a KPI page shows the current value and its history as a table; range links work without JavaScript', async () => {
    const r = await get('/kennzahlen/wlan-online?range=day');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<h1 class="kern-heading-x-large">WLAN-Zugangspunkte in Betrieb<\/h1>/);
    assert.match(r.body, /Mittelwerte je Stunde/);
    assert.match(r.body, /<a class="range-link" href="\/kennzahlen\/wlan-online\?range=week#verlauf">Woche<\/a>/);
    assert.match(r.body, /aria-current="true">Tag</);
    // Two evaluations, an hour apart: two rows in the table (the hours of 11 and 12 in Berlin).
    const rows = [...r.body.matchAll(/<th class="kern-table__cell" scope="row">5\. Dez\., (\d\d:\d\d) Uhr<\/th>/g)].map((m) => m[1]);
    assert.deepEqual(rows, ['11:00', '12:00']);
    assert.match(r.body, /src="\/assets\/chart\.[0-9a-f]{12}\.js"/);
    assert.match(r.body, /urn:ngsi-ld:KeyPerformanceIndicator:drehscheibe-wlan-online/);
    assert.equal((await get('/en/kpis/wlan-online')).statusCode, 200);
  });

  test('the unit is shown with the value, a UN/CEFACT code as its symbol, and named with its code on the KPI page', async () => {
    const k = a.app.drehscheibe.kpis.service;
    await k.create({ id: 'no2-mittel', name: { de: 'NO₂ im Mittel', en: 'Mean NO₂' }, unit: 'GQ', project: 'umweltsensorik', published: true,
      selection: { tenant: 'herne', type: 'AirQualityObserved' }, value: { attr: 'no2' }, reduction: { kind: 'avg' } });
    await k.evaluateById('no2-mittel');
    const project = await get('/projekte/umweltsensorik');
    assert.match(project.body, /<td class="kern-table__cell kern-table__cell--numeric kpi-value" data-label="Wert">35,67 µg\/m³<\/td>/);
    assert.match(project.body, /<td class="kern-table__cell kern-table__cell--numeric kpi-value" data-label="Wert">66,7 %<\/td>/);
    const page = await get('/kennzahlen/no2-mittel');
    assert.match(page.body, /<p class="kpi-big">35,67 µg\/m³<\/p>/);
    assert.match(page.body, /<dt>Einheit<\/dt><dd>µg\/m³ \(UN\/CEFACT-Code <code>GQ<\/code>\)<\/dd>/);
    const energy = await get('/en/kpis/solar-energie');
    assert.match(energy.body, /<dt>Unit<\/dt><dd>kWh \(UN\/CEFACT code <code>KWH<\/code>\)<\/dd>/);
    const count = await get('/kennzahlen/wlan-online');
    assert.match(count.body, /<dt>Einheit<\/dt><dd>Anzahl \(ohne Einheit\) \(UN\/CEFACT-Code <code>C62<\/code>\)<\/dd>/);
    await k.delete('no2-mittel');
  });

  test('an unpublished or unknown KPI has no public page (404 page)', async () => {
    assert.equal((await get('/kennzahlen/intern')).statusCode, 404);
    const r = await get('/kennzahlen/gibtsnicht');
    assert.equal(r.statusCode, 404);
    assert.match(String(r.headers['content-type']), /^text\/html/);
  });

  test('after a failed evaluation the pages say "nicht verfügbar" with the time of the last good value, and no new number', async () => {
    clock.advance(3_600_000);
    for (const id of ['eins', 'zwei']) await a.app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/entities/urn:ngsi-ld:SolarEnergy:${id}`, headers: { 'ngsild-tenant': 'herne' } });
    await a.app.drehscheibe.kpis.scheduler.runOnce();
    const p = await get('/projekte/solarbaenke');
    assert.match(p.body, /nicht verfügbar/);
    // The table's state word says "nicht verfügbar" once; the note beside it only adds the time.
    assert.match(p.body, /nicht verfügbar<\/span>\s*<span[^>]*>\s*Letzter gültiger Wert vom 5\. Dezember 2026 um 12:00 Uhr\./);
    assert.doesNotMatch(p.body, /Nicht verfügbar\. Letzter/);
    const k = await get('/kennzahlen/solar-energie');
    assert.match(k.body, /Nicht verfügbar\. Letzter gültiger Wert vom 5\. Dezember 2026 um 12:00 Uhr\./);
    const en = await get('/en/kpis/solar-energie');
    assert.match(en.body, /Not available\. Last valid value from/);
  });

  test('a sensor page shows every value, NO₂ and PM10 against the EU limits in words, and its history', async () => {
    const r = await get('/daten/live/urn:ngsi-ld:AirQualityObserved:bahnhof');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /Luftmessstation bahnhof/);
    assert.match(r.body, /52 µg\/m³/);
    assert.match(r.body, /class="limit limit--above">Über dem EU-Jahresgrenzwert \(40 µg\/m³ im Jahresmittel\)/);
    // PM10 55 µg/m³ is above the daily limit of 50.
    assert.match(r.body, /class="limit limit--far">Über dem EU-Kurzzeitgrenzwert \(50 µg\/m³ im Tagesmittel\)/);
    const below = await get('/daten/live/urn:ngsi-ld:AirQualityObserved:mitte');
    assert.match(below.body, /Unter dem EU-Grenzwert \(40 µg\/m³ im Jahresmittel\)/);
    const en = await get('/en/data/live/urn:ngsi-ld:AirQualityObserved:bahnhof?attr=no2&range=month');
    assert.match(en.body, /Above the EU annual limit/);
    assert.match(en.body, /aria-current="true">Month</);
    assert.equal((await get('/daten/live/urn:ngsi-ld:AirQualityObserved:gibtsnicht')).statusCode, 404);
  });

  test('the live page links each sensor to its page, in the table and in the map list', async () => {
    const r = await get('/daten/live');
    assert.match(r.body, /<a class="kern-link" href="\/daten\/live\/urn%3Angsi-ld%3AAirQualityObserved%3Abahnhof">Luftmessstation bahnhof<\/a>/);
    assert.match(r.body, /class="kern-link map-list__details" href="\/daten\/live\/urn%3Angsi-ld%3AAccessPoint%3Aa" aria-label="Verlauf und Details: WLAN a"/);
  });
});

describe('KPI editor', () => {
  let a: AccountsApp;
  before(async () => {
    a = await accountsApp({ DREHSCHEIBE_KPI_INTERVAL: '0' });
    await loadStarter(a.app.drehscheibe.strategy);
    await a.user('redaktion@herne.de', [{ role: 'steward' }]);
    await a.user('buerger@herne.de', [{ role: 'citizen' }]);
  });
  after(async () => { await a.close(); });

  test('without a session the editor asks for a login (401) with a form posting to /konto/anmelden', async () => {
    const r = await a.app.inject({ url: '/verwaltung/kennzahlen' });
    assert.equal(r.statusCode, 401);
    assert.match(r.body, /Anmeldung erforderlich/);
    assert.match(r.body, /action="\/konto\/anmelden"/);
    assert.match(r.body, /name="returnTo" value="\/verwaltung\/kennzahlen"/);
  });

  test('a citizen is told the role is missing (403)', async () => {
    const s = await a.login('buerger@herne.de');
    const r = await a.app.inject({ url: '/verwaltung/kennzahlen', headers: { cookie: s.cookie } });
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /nicht die Rolle Redaktion/);
  });

  test('a steward\'s invalid form is shown again with German errors next to the fields and what was typed', async () => {
    const s = await a.login('redaktion@herne.de');
    const fields = { _csrf: s.csrf, id: 'luft', name_de: 'Luft', tenant: 'herne', type: 'AirQualityObserved', q: 'no2="40"', reduction: 'share', condition: '', period: 'month' };
    const r = await a.app.inject({ method: 'POST', url: '/verwaltung/kennzahlen/neu', ...form(fields), headers: { ...form(fields).headers, cookie: s.cookie } });
    assert.equal(r.statusCode, 400, r.body);
    assert.match(r.body, /<p class="kern-error" id="q-error" role="alert"><span class="kern-sr-only">[^<]*<\/span>Die Abfrage \(q\) ist ungültig: Invalid q at position 4/);
    assert.match(r.body, /aria-describedby="q-hint q-error"/);
    assert.match(r.body, /id="condition-error"[^>]*>.*Für einen Anteil bitte die Bedingung/);
    assert.match(r.body, /value="no2=&quot;40&quot;"/);
    assert.match(r.body, /<a href="#q">/);
  });

  test('a form post without the session\'s CSRF token is refused', async () => {
    const s = await a.login('redaktion@herne.de');
    const fields = { id: 'ohne-token', name_de: 'X', tenant: 'herne', type: 'AccessPoint', reduction: 'count', period: 'month' };
    const r = await a.app.inject({ method: 'POST', url: '/verwaltung/kennzahlen/neu', ...form(fields), headers: { ...form(fields).headers, cookie: s.cookie } });
    assert.equal(r.statusCode, 403);
    assert.equal((await a.app.inject({ url: '/api/strategy/kpis/ohne-token', headers: { 'x-api-key': a.operatorKey } })).statusCode, 404);
  });

  test('a steward creates a KPI by form, evaluates it and sees its state in the list', async () => {
    const s = await a.login('redaktion@herne.de');
    const fields = { _csrf: s.csrf, id: 'wlan', name_de: 'WLAN in Betrieb', name_en: 'WiFi online', tenant: 'herne', type: 'AccessPoint', q: 'apState=="up"', reduction: 'count', period: 'month', project: 'wlan-innenstaedte', published: 'on' };
    const r = await a.app.inject({ method: 'POST', url: '/verwaltung/kennzahlen/neu', ...form(fields), headers: { ...form(fields).headers, cookie: s.cookie } });
    assert.equal(r.statusCode, 303, r.body);
    assert.equal(r.headers.location, '/verwaltung/kennzahlen?gespeichert=wlan');
    const k = (await a.app.inject({ url: '/api/strategy/kpis/wlan' })).json();
    assert.deepEqual(k.selection, { tenant: 'herne', type: 'AccessPoint', q: 'apState=="up"' });
    assert.equal(k.published, true);
    const ev = await a.app.inject({ method: 'POST', url: '/verwaltung/kennzahlen/wlan/auswerten', ...form({ _csrf: s.csrf }), headers: { ...form({}).headers, cookie: s.cookie } });
    assert.equal(ev.statusCode, 303);
    const list = await a.app.inject({ url: '/verwaltung/kennzahlen?berechnet=wlan', headers: { cookie: s.cookie } });
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Die Kennzahl wlan wurde berechnet\./);
    // The tenant has no access points yet: evaluated honestly as "nicht verfügbar", never a made-up number.
    assert.match(list.body, /Nicht verfügbar\. Es gibt noch keinen gültigen Wert\./);
    assert.match(list.body, /the tenant herne does not exist/);
    const edit = await a.app.inject({ url: '/verwaltung/kennzahlen/wlan', headers: { cookie: s.cookie } });
    assert.match(edit.body, /value="apState==&quot;up&quot;"/);
    void cookiesOf;
  });
});
