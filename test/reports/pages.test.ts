// The Mängelmelder pages over HTTP (inject): the form without JavaScript, German messages at the
// fields, CSRF, the duplicate offer, the thank-you page, photos held back until a moderator releases
// them and served without EXIF, the staff pages' access and changes, the reporter's mails, rate limits.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { accountsApp, cookiesOf, type AccountsApp, type Session } from '../accounts/support.ts';
import { csrfOf, gpsJpeg, hasGpsTag, multipart } from './support.ts';
import { hasMetadata } from '../../src/reports/reports.photos.ts';

describe('Mängelmelder pages', () => {
  let a: AccountsApp;
  let cookie: string;
  let csrf: string;
  let mod: Session;
  let citizen: Session;
  before(async () => {
    a = await accountsApp({ DREHSCHEIBE_RATE_LIMIT: 'off' });
    await a.user('moderation@herne.de', [{ role: 'moderator' }]);
    await a.user('buerger@example.org', [{ role: 'citizen' }]);
    mod = await a.login('moderation@herne.de');
    citizen = await a.login('buerger@example.org');
  });
  after(async () => { await a.close(); });
  const outbox = async () => (await a.app.inject({ url: '/admin/outbox', headers: { 'x-api-key': a.operatorKey } })).json() as Array<{ to: string; subject: string; text: string }>;
  const send = async (fields: Record<string, string | undefined>, file?: { name: string; type: string; bytes: Buffer }, url = '/maengelmelder', c = cookie) => {
    const m = await multipart(fields, file);
    return a.app.inject({ method: 'POST', url, headers: { ...m.headers, cookie: c }, payload: m.payload });
  };

  test('the form works without JavaScript: fields with labels, coordinates and address, photo, e-mail; a CSRF token; German and English', async () => {
    const r = await a.app.inject({ url: '/maengelmelder' });
    assert.equal(r.statusCode, 200);
    cookie = cookiesOf(r);
    csrf = csrfOf(r.body);
    for (const id of ['category', 'description', 'lat', 'lon', 'address', 'photo', 'email']) assert.match(r.body, new RegExp(`<label class="kern-label" for="${id}">`), id);
    assert.match(r.body, /enctype="multipart\/form-data"/);
    assert.match(r.body, /<option value="schlagloch">Schlagloch oder Straßenschaden<\/option>/);
    const en = await a.app.inject({ url: '/en/report-a-problem' });
    assert.match(en.body, /<html lang="en"/);
    assert.match(en.body, /Pothole or road damage/);
  });

  test('a post without the CSRF token is refused and stores nothing', async () => {
    const r = await send({ category: 'schlagloch', description: 'Loch', lat: '51.5381', lon: '7.2201' });
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /Das Formular ist abgelaufen/);
    assert.equal((await a.app.inject({ url: '/open311/v2/requests.json' })).json().length, 0);
  });

  test('bad input gives German messages next to each field and an error summary; values are kept', async () => {
    const r = await send({ _csrf: csrf, category: '', description: '', lat: '95', lon: '', address: '', email: 'keine-adresse' }, { name: 'x.jpg', type: 'image/jpeg', bytes: Buffer.from('kein Bild') });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /<title>Fehler: Mangel melden/);
    assert.match(r.body, /class="error-summary"/);
    assert.match(r.body, /id="category-error"[^>]*><span class="kern-sr-only">Fehler: <\/span>Bitte wählen Sie eine Kategorie\./);
    assert.match(r.body, /id="description-error"[^>]*>.*Bitte beschreiben Sie den Mangel\./);
    assert.match(r.body, /id="lat-error"[^>]*>.*Bitte geben Sie den Breitengrad als Dezimalzahl zwischen -90 und 90 an\./);
    assert.match(r.body, /id="email-error"[^>]*>.*Bitte geben Sie eine gültige E-Mail-Adresse an/);
    assert.match(r.body, /id="photo-error"[^>]*>.*Das Foto muss eine JPEG- oder PNG-Datei sein\./);
    assert.match(r.body, /aria-describedby="email-hint email-error"/);
    assert.match(r.body, /value="keine-adresse"/);
    const place = await send({ _csrf: csrf, category: 'muell', description: 'Sperrmüll' });
    assert.equal(place.statusCode, 400);
    assert.match(place.body, /Bitte geben Sie den Ort an: Koordinaten oder eine Adresse\./);
  });

  test('a report with a GPS-tagged photo and an e-mail: 303 to the thank-you page with the tracking link; a mail in the outbox', async () => {
    const jpeg = await gpsJpeg();
    assert.ok(hasGpsTag((await sharp(jpeg).metadata()).exif!), 'the fixture carries GPS EXIF');
    const r = await send({ _csrf: csrf, category: 'schlagloch', description: 'Tiefes Loch vor Nr. 12', lat: '51,53810', lon: '7,22010', email: 'Melder@Example.org' }, { name: 'loch.jpg', type: 'image/jpeg', bytes: jpeg });
    assert.equal(r.statusCode, 303, r.body);
    assert.equal(r.headers.location, '/maengelmelder/danke/1?mail=1');
    const thanks = await a.app.inject({ url: '/maengelmelder/danke/1?mail=1' });
    assert.match(thanks.body, /Ihre Meldung hat die Nummer 1\./);
    assert.match(thanks.body, /href="\/maengelmelder\/meldungen\/1"/);
    const mails = (await outbox()).filter((m) => m.to === 'melder@example.org');
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.subject, 'Ihre Meldung 1 ist eingegangen');
    assert.match(mails[0]!.text, /\/maengelmelder\/meldungen\/1/);
  });

  test('the photo is not public before release; staff see it; the report page says it is being checked', async () => {
    assert.equal((await a.app.inject({ url: '/maengelmelder/fotos/1' })).statusCode, 404);
    assert.equal((await a.app.inject({ url: '/maengelmelder/fotos/1', headers: { cookie: citizen.cookie } })).statusCode, 404);
    const staff = await a.app.inject({ url: '/maengelmelder/fotos/1', headers: { cookie: mod.cookie } });
    assert.equal(staff.statusCode, 200);
    assert.equal(staff.headers['content-type'], 'image/jpeg');
    const page = await a.app.inject({ url: '/maengelmelder/meldungen/1' });
    assert.match(page.body, /wird vor der Veröffentlichung geprüft/);
    assert.doesNotMatch(page.body, /<img class="report-photo"/);
    assert.doesNotMatch(page.body, /example\.org/i);
  });

  test('a second report of the same kind within 50 m is offered the open one first; confirming makes it', async () => {
    const r = await send({ _csrf: csrf, category: 'schlagloch', description: 'Noch ein Loch', lat: '51.53830', lon: '7.22010' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /Wurde das schon gemeldet\?/);
    assert.match(r.body, /href="\/maengelmelder\/meldungen\/1">Meldung 1<\/a>/);
    assert.match(r.body, /22 m entfernt/);
    assert.equal((await a.app.inject({ url: '/open311/v2/requests.json' })).json().length, 1);
    const other = await send({ _csrf: csrf, category: 'graffiti', description: 'Graffiti', lat: '51.53830', lon: '7.22010' });
    assert.equal(other.statusCode, 303, 'another category is not a duplicate');
    const ok = await send({ _csrf: csrf, confirmed: '1', category: 'schlagloch', description: 'Noch ein Loch', lat: '51.53830', lon: '7.22010' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/maengelmelder/danke/3');
  });

  test('staff pages: 401 without login, 403 for a citizen, the list for a moderator', async () => {
    const anon = await a.app.inject({ url: '/verwaltung/meldungen' });
    assert.equal(anon.statusCode, 401);
    assert.match(anon.body, /Bitte melden Sie sich an/);
    assert.equal((await a.app.inject({ url: '/verwaltung/meldungen', headers: { cookie: citizen.cookie } })).statusCode, 403);
    const list = await a.app.inject({ url: '/verwaltung/meldungen', headers: { cookie: mod.cookie } });
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /1 Foto wartet auf Freigabe/);
    const item = await a.app.inject({ url: '/verwaltung/meldungen/1', headers: { cookie: mod.cookie } });
    assert.match(item.body, /ja, die meldende Person erhält bei jeder Änderung eine E-Mail/);
    assert.doesNotMatch(item.body, /example\.org/i, 'staff pages do not show the address either');
  });

  test('a moderator releases the photo (with the session CSRF token); it is served without any EXIF', async () => {
    const before = (await a.app.inject({ url: '/api/reports/1' })).json();
    const noToken = await a.app.inject({ method: 'POST', url: '/verwaltung/meldungen/1', headers: { cookie: mod.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'photo=released' });
    assert.equal(noToken.statusCode, 403);
    const r = await a.app.inject({ method: 'POST', url: '/verwaltung/meldungen/1', headers: { cookie: mod.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: mod.csrf, photo: 'released', expectedUpdatedAt: before.updatedAt }).toString() });
    assert.equal(r.statusCode, 303, r.body);
    const p = await a.app.inject({ url: '/maengelmelder/fotos/1' });
    assert.equal(p.statusCode, 200);
    const bytes = p.rawPayload;
    assert.equal(hasMetadata(bytes), false);
    assert.equal(bytes.includes(Buffer.from('TestCam')), false);
    const meta = await sharp(bytes).metadata();
    assert.equal(meta.exif, undefined);
    assert.deepEqual([meta.width, meta.height, meta.format], [64, 48, 'jpeg']);
    const page = await a.app.inject({ url: '/maengelmelder/meldungen/1' });
    assert.match(page.body, /<img class="report-photo" src="\/maengelmelder\/fotos\/1" alt="Foto zur Meldung: Schlagloch oder Straßenschaden"/);
    const o311 = (await a.app.inject({ url: '/open311/v2/requests/1.json' })).json()[0];
    assert.match(o311.media_url, /\/maengelmelder\/fotos\/1$/);
  });

  test('a rejection needs a reason (German message); with one, the status is public and the reporter gets a mail', async () => {
    const form = (o: Record<string, string>) => ({ method: 'POST' as const, url: '/verwaltung/meldungen/1', headers: { cookie: mod.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: mod.csrf, ...o }).toString() });
    const bad = await a.app.inject(form({ status: 'rejected', note: '' }));
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="note-error"[^>]*>.*Bitte geben Sie eine Begründung an/);
    const n = (await outbox()).length;
    const stale = await a.app.inject(form({ status: 'in_progress', expectedUpdatedAt: '2000-01-01T00:00:00.000Z' }));
    assert.equal(stale.statusCode, 409);
    assert.match(stale.body, /inzwischen von jemand anderem geändert/);
    const ok = await a.app.inject(form({ status: 'rejected', note: 'Privatgrundstück, bitte an den Eigentümer wenden', answer: 'Danke für den Hinweis.' }));
    assert.equal(ok.statusCode, 303, ok.body);
    const mails = (await outbox()).slice(0, (await outbox()).length - n);
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.subject, 'Neuer Stand zu Ihrer Meldung 1');
    assert.match(mails[0]!.text, /Stand: abgelehnt/);
    const page = await a.app.inject({ url: '/maengelmelder/meldungen/1' });
    assert.match(page.body, /<span class="report-status">Abgelehnt<\/span>/);
    assert.match(page.body, /Privatgrundstück, bitte an den Eigentümer wenden/);
    assert.match(page.body, /Danke für den Hinweis\./);
  });

  test('the public list shows status in text, filters, and the English pages', async () => {
    const list = await a.app.inject({ url: '/maengelmelder/meldungen' });
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /3 Meldungen/);
    assert.match(list.body, /<td class="kern-table__cell">Abgelehnt<\/td>/);
    assert.match(list.body, /data-features=/);
    const open = await a.app.inject({ url: '/maengelmelder/meldungen?status=received&kategorie=graffiti' });
    assert.match(open.body, /1 Meldung</);
    const en = await a.app.inject({ url: '/en/report-a-problem/reports/1' });
    assert.match(en.body, /<span class="report-status">Rejected<\/span>/);
    assert.equal((await a.app.inject({ url: '/maengelmelder/meldungen/999' })).statusCode, 404);
  });

  test('new reports are limited per address (German message, Retry-After); nothing is stored beyond the limit', async () => {
    const b = await accountsApp({ DREHSCHEIBE_RATE_LIMIT: 'on' });
    try {
      const g = await b.app.inject({ url: '/maengelmelder' });
      const c = cookiesOf(g);
      const token = csrfOf(g.body);
      let last = 0;
      for (let i = 0; i < 11; i++) {
        const m = await multipart({ _csrf: token, category: 'muell', description: `Müll ${i}`, address: `Straße ${i}` });
        const r = await b.app.inject({ method: 'POST', url: '/maengelmelder', headers: { ...m.headers, cookie: c }, payload: m.payload });
        last = r.statusCode;
        if (i === 10) {
          assert.equal(r.statusCode, 429);
          assert.match(r.body, /Bitte versuchen Sie es in \d+ Minuten erneut/);
          assert.ok(Number(r.headers['retry-after']) > 0);
        } else assert.equal(r.statusCode, 303);
      }
      assert.equal(last, 429);
      assert.equal((await b.app.inject({ url: '/open311/v2/requests.json' })).json().length, 10);
    } finally {
      await b.close();
    }
  });
});
