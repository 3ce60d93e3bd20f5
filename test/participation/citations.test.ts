// Live data cited in proposals and comments (issue #18): `[[kennzahl:…]]` and `[[sensor:…]]` lines
// render the KPI's value, unit and time and the sensor's current values and last day through the same
// services as the KPI and sensor pages; the rest of the text stays sanitised Markdown; an unknown,
// unpublished or not publicly readable reference is a German note on an ordinary page, never an error.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/core/clock.ts';
import { findCitations, renderRich } from '../../src/participation/citations.ts';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { SDM, seedHerne, upsert, wifiKpi } from '../strategy/kpi-support.ts';
import { AT, as, hourly, person, type Who } from './support.ts';

describe('citations in user text (parser)', () => {
  test('a line of its own cites; inline text, fenced code and lines over the limit do not', () => {
    const text = 'Vorher\n[[kennzahl:wlan-online]]\nim Satz [[kennzahl:x]] nicht\n```\n[[sensor:urn:a:b]]\n```\n[[Sensor:urn:ngsi-ld:X:1]]\n[[kpi:Nicht Slug]]';
    assert.deepEqual(findCitations(text), [
      { kind: 'kpi', ref: 'wlan-online', valid: true },
      { kind: 'sensor', ref: 'urn:ngsi-ld:X:1', valid: true },
    ]);
    const six = Array.from({ length: 7 }, (_, i) => `[[kpi:k${i}]]`).join('\n');
    assert.equal(findCitations(six).length, 5);
    assert.match(JSON.stringify(renderRich(six)), /\[\[kpi:k5\]\]/);
  });

  test('a reference that is not a slug or an entity id is kept as invalid; the text around it is sanitised', () => {
    const parts = renderRich('<b>fett?</b>\n[[sensor:<script>alert(1)</script>]]\n[[kennzahl:Ä]]');
    assert.deepEqual(parts.map((p) => ('cite' in p ? p.cite.valid : 'html')), ['html', false, false]);
    assert.doesNotMatch(JSON.stringify(parts), /<b>/);
  });
});

describe('citations on the proposal page', () => {
  let a: AuthApp;
  const clock = fixedClock(AT.participation!);
  let steward: Who;
  let anna: Who;
  let proposalId = '';
  const api = (method: string, url: string, who?: Who, payload?: unknown) => a.app.inject({ method: method as 'GET', url: `/api/participation${url}`, headers: as(who), ...(payload === undefined ? {} : { payload: payload as object }) });

  before(async () => {
    // The city's tenant is public except water meters, which only stewards read.
    a = await authApp({ tenants: { herne: { types: { WaterMeter: { read: ['steward'] } } } } }, { DREHSCHEIBE_KPI_INTERVAL: '0' }, { clock });
    const key = await a.key({ name: 'messnetz', roles: ['operator'] });
    await seedHerne(a.app, key);
    await upsert(a.app, [{ id: 'urn:ngsi-ld:WaterMeter:keller', type: 'WaterMeter', name: { type: 'Property', value: 'Zähler Keller' }, volume: { type: 'Property', value: 12, observedAt: AT.information } }], key);
    // NO₂ at "mitte" over the last hours, so the cited sensor has a day's history.
    const r = await a.app.inject({
      method: 'POST', url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:AirQualityObserved:mitte/attrs', headers: { 'content-type': 'application/ld+json', 'ngsild-tenant': 'herne', 'x-api-key': key },
      payload: { '@context': SDM, no2: [[-3, 18], [-2, 22], [-1, 26]].map(([h, v]) => ({ type: 'Property', value: v, unitCode: 'GQ', observedAt: new Date(clock.now().getTime() + h! * 3_600_000).toISOString() })) },
    });
    assert.equal(r.statusCode, 204, r.body);
    const k = a.app.drehscheibe.kpis.service;
    await k.create(wifiKpi({ project: undefined }));
    await k.create(wifiKpi({ project: undefined, id: 'intern', published: false, name: { de: 'Interne Zahl', en: 'Internal' } }));
    await k.evaluateById('wlan-online');
    await k.evaluateById('intern');
    steward = await person(a.app, 'redaktion@herne.de', [{ role: 'steward' }]);
    anna = await person(a.app, 'anna@example.org', [{ role: 'citizen' }]);
    assert.equal((await api('POST', '/processes', steward, hourly('wlan'))).statusCode, 201);
    const p = await api('POST', '/processes/wlan/proposals', anna, {
      title: 'Mehr WLAN', body: 'So viele sind **in Betrieb**:\n[[kennzahl:wlan-online]]\nUnd die Luft:\n[[sensor:urn:ngsi-ld:AirQualityObserved:mitte]]\n<script>alert(1)</script>',
    });
    assert.equal(p.statusCode, 201, p.body);
    proposalId = p.json().id;
  });
  after(async () => { await a.close(); });
  const page = (lang: 'de' | 'en' = 'de') => a.app.inject({ url: lang === 'de' ? `/beteiligung/vorschlaege/${proposalId}` : `/en/participation/proposals/${proposalId}` });

  test('a cited KPI shows its current value, linked to its page, with the time it was computed', async () => {
    const r = await page();
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<figcaption class="citation__title">Kennzahl aus Live-Daten: <a class="kern-link" href="\/kennzahlen\/wlan-online">WLAN-Zugangspunkte in Betrieb<\/a><\/figcaption>/);
    assert.match(r.body, /<p class="citation__value">3<\/p>/);
    assert.match(r.body, /Stand: 7\. Dezember 2026 um 12:30 Uhr · aktuell/);
    // The user's own text is still sanitised Markdown around it.
    assert.match(r.body, /So viele sind <strong>in Betrieb<\/strong>:/);
    assert.doesNotMatch(r.body, /<script>alert/);
    assert.match(r.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  test('a cited sensor shows its current values and its last day as a table, and the page loads the chart', async () => {
    const r = await page();
    assert.match(r.body, /Messwerte: <a class="kern-link" href="\/daten\/live\/urn%3Angsi-ld%3AAirQualityObserved%3Amitte">Luftmessstation mitte<\/a>/);
    assert.match(r.body, /<caption>Aktuelle Messwerte: Luftmessstation mitte<\/caption>/);
    assert.match(r.body, /Stickstoffdioxid \(NO₂\)<\/th><td class="kern-table__cell kern-table__cell--numeric">20 µg\/m³<\/td>/);
    const rows = [...r.body.matchAll(/<th class="kern-table__cell" scope="row">7\. Dez\., (\d\d:\d\d) Uhr<\/th>/g)].map((m) => m[1]);
    assert.deepEqual(rows, ['09:00', '10:00', '11:00']);
    assert.match(r.body, /src="\/assets\/chart\.[0-9a-f]{12}\.js"/);
    const en = await page('en');
    assert.match(en.body, /Indicator from live data: <a class="kern-link" href="\/en\/kpis\/wlan-online">WiFi access points online<\/a>/);
  });

  test('unknown, unpublished and not publicly readable references are German notes on a 200 page, escaped', async () => {
    const c = await api('POST', `/proposals/${proposalId}/comments`, anna, {
      body: 'Siehe:\n[[kennzahl:gibt-es-nicht]]\n[[kennzahl:intern]]\n[[sensor:urn:ngsi-ld:WaterMeter:keller]]\n[[sensor:urn:ngsi-ld:Nichts:1]]\n[[sensor:<img/src=x/onerror=alert(1)>]]',
    });
    assert.equal(c.statusCode, 201, c.body);
    const r = await page();
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /Hier sollte die Kennzahl „gibt-es-nicht“ stehen\. Es gibt sie nicht, oder sie ist nicht öffentlich\./);
    assert.match(r.body, /Hier sollte die Kennzahl „intern“ stehen/);
    assert.doesNotMatch(r.body, /Interne Zahl/);
    // Readable for stewards, not for the public: the page says only that it is not there.
    const H = { 'ngsild-tenant': 'herne' };
    assert.equal((await a.app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:WaterMeter:keller', headers: { ...H, 'x-api-key': a.operatorKey } })).statusCode, 200);
    assert.notEqual((await a.app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:WaterMeter:keller', headers: H })).statusCode, 200);
    assert.match(r.body, /Hier sollten die Messwerte von „urn:ngsi-ld:WaterMeter:keller“ stehen\. Diesen Sensor gibt es nicht, oder seine Daten sind nicht öffentlich\./);
    assert.doesNotMatch(r.body, /Zähler Keller/);
    assert.match(r.body, /Messwerte von „urn:ngsi-ld:Nichts:1“ stehen/);
    assert.match(r.body, /Messwerte von „&lt;img\/src=x\/onerror=alert\(1\)>“ stehen/);
    assert.doesNotMatch(r.body, /<img\/src/);
  });

  test('a sensor cited twice on a page is shown in full once', async () => {
    const c = await api('POST', `/proposals/${proposalId}/comments`, anna, { body: 'Nochmal:\n[[sensor:urn:ngsi-ld:AirQualityObserved:mitte]]' });
    assert.equal(c.statusCode, 201, c.body);
    const r = await page();
    assert.equal(r.body.match(/<caption>Aktuelle Messwerte: Luftmessstation mitte<\/caption>/g)?.length, 1);
    assert.match(r.body, /Die Werte stehen weiter oben auf dieser Seite\./);
  });

  test('the KPI and sensor pages give the line to cite them', async () => {
    const k = await a.app.inject({ url: '/kennzahlen/wlan-online' });
    assert.match(k.body, /<code>\[\[kennzahl:wlan-online\]\]<\/code>/);
    const s = await a.app.inject({ url: '/daten/live/urn:ngsi-ld:AirQualityObserved:mitte' });
    assert.match(s.body, /<code>\[\[sensor:urn:ngsi-ld:AirQualityObserved:mitte\]\]<\/code>/);
  });
});
