// The portal's pages over HTTP (inject, SQLite): status, lang, title, key content, the security
// headers (CSP with a nonce), compression, immutable assets, the 404/500 pages, the feedback form,
// and that the NGSI-LD API's answers stay as they were.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { testApp, type TestApp } from '../support/app.ts';
import { loadStarter } from '../../src/strategy/index.ts';

const HERNE = { 'content-type': 'application/json', 'ngsild-tenant': 'herne' };

function station(n: number, no2: number) {
  return {
    id: `urn:ngsi-ld:AirQualityObserved:test-${n}`, type: 'AirQualityObserved',
    name: { type: 'Property', value: `Luftmessstation Test ${n}` },
    no2: { type: 'Property', value: no2, unitCode: 'GQ', observedAt: '2026-12-04T10:00:00Z' },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.2 + n / 100, 51.53] } },
  };
}

describe('portal pages', () => {
  let a: TestApp;
  before(async () => {
    a = await testApp();
    await loadStarter(a.app.drehscheibe.strategy);
    for (const [n, v] of [[1, 21.5], [2, 38]] as const) {
      const r = await a.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: HERNE, payload: station(n, v) });
      assert.equal(r.statusCode, 201, r.body);
    }
    const r = await a.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: HERNE, payload: { id: 'urn:ngsi-ld:SolarEnergy:bank-1', type: 'SolarEnergy', name: { type: 'Property', value: 'Solarbank Rathaus' } } });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await a.close(); });

  const pages: Array<[string, string, string, RegExp]> = [
    ['/', 'de', 'Start – Datendrehscheibe Herne', /Die vier Handlungsfelder/],
    ['/en', 'en', 'Home – Herne data hub', /The four fields of action/],
    ['/strategie', 'de', 'Digitalstrategie – Datendrehscheibe Herne', /Smart City-Infrastruktur/],
    ['/en/strategy', 'en', 'Digital strategy – Herne data hub', /Smart city infrastructure/],
    ['/strategie/energie-umwelt', 'de', 'Handlungsfeld Energie und Umwelt – Datendrehscheibe Herne', /Solarbänke in der Stadt/],
    ['/en/strategy/energie-umwelt', 'en', 'Field of action: Energy and environment – Herne data hub', /Solar benches/],
    ['/projekte/solarbaenke', 'de', 'Solarbänke in der Stadt – Datendrehscheibe Herne', /Stadtwerke Herne AG/],
    ['/en/projects/solarbaenke', 'en', 'Solar benches – Herne data hub', /In progress/],
    ['/daten/live', 'de', 'Live-Daten – Datendrehscheibe Herne', /Luftmessstation Test 1/],
    ['/en/data/live', 'en', 'Live data – Herne data hub', /Nitrogen dioxide/],
    ['/entwickler', 'de', 'Für Entwickler – Datendrehscheibe Herne', /curl -s 'http:\/\/127\.0\.0\.1:1026\/ngsi-ld\/v1\/types'/],
    ['/en/developers', 'en', 'Developers – Herne data hub', /NGSILD-Tenant: herne/],
    ['/leichte-sprache', 'de', 'Leichte Sprache – Datendrehscheibe Herne', /Daten·dreh·scheibe/],
    ['/en/easy-read', 'en', 'Easy read – Herne data hub', /easy German/],
    ['/impressum', 'de', 'Impressum – Datendrehscheibe Herne', /Platzhalter/],
    ['/en/imprint', 'en', 'Imprint – Herne data hub', /Angaben gemäß/],
    ['/datenschutz', 'de', 'Datenschutzerklärung – Datendrehscheibe Herne', /Verantwortliche Stelle/],
    ['/en/privacy', 'en', 'Privacy statement – Herne data hub', /Verantwortliche Stelle/],
    ['/barrierefreiheit', 'de', 'Erklärung zur Barrierefreiheit – Datendrehscheibe Herne', /Barriere melden/],
    ['/en/accessibility', 'en', 'Accessibility statement – Herne data hub', /Report a barrier/],
  ];
  for (const [url, lang, title, content] of pages) {
    test(`${url} is a ${lang} page titled "${title}" with its content, a skip link, landmarks and a language switch`, async () => {
      const r = await a.app.inject({ url });
      assert.equal(r.statusCode, 200);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.ok(r.body.startsWith('<!DOCTYPE html>'));
      assert.match(r.body, new RegExp(`<html lang="${lang}">`));
      assert.match(r.body, new RegExp(`<title>${title}</title>`));
      assert.match(r.body, content);
      assert.match(r.body, /<a class="skip-link" href="#inhalt">/);
      for (const l of ['<header', '<nav', '<main id="inhalt"', '<footer']) assert.ok(r.body.includes(l), l);
      assert.match(r.body, lang === 'de' ? /hreflang="en" lang="en"/ : /hreflang="de" lang="de"/);
      assert.equal((r.body.match(/<h1[ >]/g) ?? []).length, 1, 'one h1');
    });
  }

  test('the home page lists the fields of action with their projects and the live counts of the city tenant', async () => {
    const r = await a.app.inject({ url: '/' });
    assert.match(r.body, /href="\/projekte\/solarbaenke"/);
    assert.match(r.body, /Luftqualität <span class="kern-body--small">\(AirQualityObserved\)<\/span><\/th><td class="kern-table__cell kern-table__cell--numeric">2</);
    assert.match(r.body, /href="\/leichte-sprache"/);
    assert.match(r.body, /Gebärdensprache/);
    assert.match((await a.app.inject({ url: '/en' })).body, /<a class="kern-link" href="\/en\/easy-read">The data hub in easy read<\/a>/);
  });

  test('a project page shows its location as text and table, and the live data of its entity types', async () => {
    const r = await a.app.inject({ url: '/projekte/solarbaenke' });
    assert.match(r.body, /Punkt bei Breite 51,53800, Länge 7,21960/);
    assert.match(r.body, /<td class="kern-table__cell">51,53800<\/td>/);
    assert.match(r.body, /Solarbänke <span class="kern-body--small">\(SolarEnergy\)<\/span><\/th><td class="kern-table__cell kern-table__cell--numeric">1</);
    assert.match(r.body, /class="portal-map" hidden/);
    assert.match(r.body, /<script src="\/assets\/map\.[0-9a-f]{12}\.js" nonce="[^"]+" defer>/);
  });

  test('the live page renders the latest values on the server and the map list for the enhancement', async () => {
    const r = await a.app.inject({ url: '/daten/live' });
    assert.match(r.body, /Stickstoffdioxid \(NO₂\): 21,5 µg\/m³/);
    assert.match(r.body, /<button type="button" data-feature="urn:ngsi-ld:AirQualityObserved:test-2" aria-pressed="false">Luftmessstation Test 2<\/button>/);
  });

  test('every page carries a CSP whose script nonce is new per response and matches the script tags', async () => {
    const one = await a.app.inject({ url: '/daten/live' });
    const two = await a.app.inject({ url: '/daten/live' });
    const csp = String(one.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(one.body.includes(`nonce="${nonce}"`));
    assert.notEqual(/nonce-([^']+)/.exec(String(two.headers['content-security-policy']))?.[1], nonce);
    assert.equal(one.headers['x-content-type-options'], 'nosniff');
    assert.equal(one.headers['referrer-policy'], 'no-referrer');
    assert.doesNotMatch(one.body, /style="/, 'no inline styles');
  });

  test('pages are compressed with brotli or gzip as the client accepts', async () => {
    const br = await a.app.inject({ url: '/', headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(brotliDecompressSync(br.rawPayload).toString(), /Die vier Handlungsfelder/);
    const gz = await a.app.inject({ url: '/', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(gz.rawPayload).toString(), /Die vier Handlungsfelder/);
    const none = await a.app.inject({ url: '/', headers: { 'accept-encoding': 'br;q=0' } });
    assert.equal(none.headers['content-encoding'], undefined);
  });

  test('assets are fingerprinted and served immutable, compressed; an unknown asset is 404', async () => {
    const page = await a.app.inject({ url: '/' });
    const css = /href="(\/assets\/kern\.[0-9a-f]{12}\.css)"/.exec(page.body)?.[1];
    assert.ok(css);
    const r = await a.app.inject({ url: css!, headers: { 'accept-encoding': 'br' } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(r.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(r.headers['content-encoding'], 'br');
    assert.ok(r.rawPayload.length < 60_000, `KERN CSS compressed: ${r.rawPayload.length} bytes`);
    const again = await a.app.inject({ url: css!, headers: { 'if-none-match': String(r.headers.etag) } });
    assert.equal(again.statusCode, 304);
    assert.equal((await a.app.inject({ url: '/assets/kern.000000000000.css' })).statusCode, 404);
  });

  test('an unknown page is a helpful German 404 page; under /en an English one', async () => {
    const r = await a.app.inject({ url: '/gibt-es-nicht' });
    assert.equal(r.statusCode, 404);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(r.body, /<title>Seite nicht gefunden – Datendrehscheibe Herne<\/title>/);
    assert.match(r.body, /href="\/strategie"/);
    const p = await a.app.inject({ url: '/projekte/gibt-es-nicht' });
    assert.equal(p.statusCode, 404);
    assert.match(p.body, /Seite nicht gefunden/);
    const en = await a.app.inject({ url: '/en/nothing-here' });
    assert.equal(en.statusCode, 404);
    assert.match(en.body, /<html lang="en">/);
  });

  test('the NGSI-LD API keeps its own 404s and content types (the portal answers only non-API paths)', async () => {
    const r = await a.app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:X:nope' });
    assert.equal(r.statusCode, 404);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound');
    const unknown = await a.app.inject({ url: '/ngsi-ld/v1/nothing' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.headers['content-type'], 'application/json');
    const iot = await a.app.inject({ url: '/iot/nothing' });
    assert.equal(iot.statusCode, 404);
    assert.match(String(iot.headers['content-type']), /^application\/json/);
    const ok = await a.app.inject({ url: '/ngsi-ld/v1/types', headers: { 'ngsild-tenant': 'herne' } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['content-type'], 'application/json');
    assert.equal(ok.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
  });

  test('a page that fails shows the 500 page with a reference and no stack trace or internal detail', async () => {
    const s = a.app.drehscheibe.strategy as unknown as { overview: () => Promise<unknown> };
    const orig = s.overview;
    s.overview = async () => { throw new Error('SQLITE_CORRUPT: database disk image is malformed at /var/lib/secret.db'); };
    try {
      const r = await a.app.inject({ url: '/' });
      assert.equal(r.statusCode, 500);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(r.body, /Ein Fehler ist aufgetreten/);
      assert.doesNotMatch(r.body, /SQLITE|secret|at \//);
    } finally {
      s.overview = orig;
    }
  });

  test('feedback without a message is refused next to the field, keeps what was typed, and an error summary links to the field', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/barrierefreiheit', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=Kim+M%C3%BCller&email=kein-mail&message=' });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /<title>Fehler: Erklärung zur Barrierefreiheit/);
    assert.match(r.body, /<div class="error-summary" role="alert"[^>]*>.*<a href="#feedback-message">Bitte geben Sie eine Nachricht ein\.<\/a>/s);
    assert.match(r.body, /<a href="#feedback-email">Bitte geben Sie eine E-Mail-Adresse im Format name@beispiel\.de ein\.<\/a>/);
    assert.match(r.body, /<textarea id="feedback-message"[^>]*aria-describedby="feedback-message-hint feedback-message-error"[^>]*aria-invalid="true"/);
    assert.match(r.body, /id="feedback-message-error"/);
    assert.match(r.body, /<input id="feedback-name"[^>]*value="Kim Müller"/);
    assert.match(r.body, /<input id="feedback-email"[^>]*value="kein-mail"/);
    assert.equal((await a.app.drehscheibe.strategy.feedback()).length, 0);
  });

  test('feedback that is too long is refused with the limit named', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/barrierefreiheit', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `message=${'x'.repeat(5001)}` });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /höchstens 5000 Zeichen/);
  });

  test('valid feedback is stored and the person is redirected to a thank-you message (post/redirect/get)', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/en/accessibility', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'message=The+map+list+is+hard+to+use&email=kim%40example.org&page=%2Fen%2Fdata%2Flive' });
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, '/en/accessibility?gesendet=1#rueckmeldung');
    const stored = await a.app.drehscheibe.strategy.feedback();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.message, 'The map list is hard to use');
    assert.equal(stored[0]!.email, 'kim@example.org');
    assert.equal(stored[0]!.lang, 'en');
    const thanks = await a.app.inject({ url: '/en/accessibility?gesendet=1' });
    assert.match(thanks.body, /Thank you for your message/);
  });
});

describe('portal configuration', () => {
  test('DREHSCHEIBE_PORTAL=off leaves / to the APIs (JSON 404)', async () => {
    const a = await testApp({ DREHSCHEIBE_PORTAL: 'off' });
    try {
      const r = await a.app.inject({ url: '/' });
      assert.equal(r.statusCode, 404);
      assert.match(String(r.headers['content-type']), /^application\/json/);
    } finally {
      await a.close();
    }
  });

  test('a configured tile source is allowed by the CSP and its attribution reaches the map', async () => {
    const a = await testApp({ DREHSCHEIBE_PORTAL_TILE_URL: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', DREHSCHEIBE_PORTAL_TILE_ATTRIBUTION: '© OpenStreetMap-Mitwirkende' });
    try {
      await loadStarter(a.app.drehscheibe.strategy);
      const r = await a.app.inject({ url: '/projekte/solarbaenke' });
      assert.match(String(r.headers['content-security-policy']), /img-src 'self' data: https:\/\/tile\.openstreetmap\.org/);
      assert.match(r.body, /data-attribution="© OpenStreetMap-Mitwirkende"/);
    } finally {
      await a.close();
    }
  });

  test('legal texts come from the configured files', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(tmpdir(), `impressum-${process.pid}.txt`);
    writeFileSync(file, '## Herausgeberin\n\nStadt Herne, Friedrich-Ebert-Platz 2');
    const a = await testApp({ DREHSCHEIBE_PORTAL_IMPRINT_FILE: file });
    try {
      const r = await a.app.inject({ url: '/impressum' });
      assert.match(r.body, /<h2 class="kern-heading-medium">Herausgeberin<\/h2><p>Stadt Herne, Friedrich-Ebert-Platz 2<\/p>/);
      assert.doesNotMatch(r.body, /Platzhalter/);
    } finally {
      await a.close();
    }
  });
});
