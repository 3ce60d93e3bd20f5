// Images on proposals over HTTP on SQLite and (with TEST_PG_URL) PostgreSQL: the author uploads one
// (API and the proposal form), it is re-encoded without EXIF, waits for a moderator, and is public only
// once released; size, type and decoding limits and the required description give clear messages.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { hasMetadata } from '../../src/reports/index.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';
import { gpsJpeg, hasGpsTag } from '../reports/support.ts';
import { AT, as, hourly, person, type Who } from './support.ts';

const ENGINES: Array<{ name: string; skip: string | false; env: () => Record<string, string> }> = [
  { name: 'sqlite', skip: false, env: () => ({}) },
  { name: 'postgres', skip: PG_SKIP, env: () => ({ DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: freshSchema() }) },
];

/** A multipart body: text fields and at most one file under `fileField`. */
async function multipart(fields: Record<string, string>, file?: { field?: string; name: string; type: string; bytes: Buffer }) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  if (file) fd.append(file.field ?? 'image', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const req = new Request('http://localhost/', { method: 'POST', body: fd });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

for (const engine of ENGINES) {
  describe(`proposal images: ${engine.name}`, { skip: engine.skip }, () => {
    let t: TestApp;
    let env: Record<string, string>;
    let anna: Who, bert: Who, mod: Who;
    let jpeg: Buffer;
    let proposalId = '';
    const api = (method: string, url: string, who?: Who, payload?: unknown) =>
      t.app.inject({ method: method as 'GET', url: `/api/participation${url}`, headers: as(who), ...(payload === undefined ? {} : { payload: payload as object }) });
    const upload = async (id: string, who: Who | undefined, fields: Record<string, string>, file?: { name: string; type: string; bytes: Buffer }) => {
      const m = await multipart(fields, file);
      return t.app.inject({ method: 'PUT', url: `/api/participation/proposals/${id}/image`, payload: m.payload, headers: { ...m.headers, ...(who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {}) } });
    };
    const mails = (to: string) => t.app.drehscheibe.storage.accounts.listMail({ limit: 50, offset: 0, to });

    before(async () => {
      env = { ...engine.env(), DREHSCHEIBE_FOLLOW_INTERVAL: '0' };
      t = await testApp(env, { clock: fixedClock(AT.participation!) });
      const steward = await person(t.app, 'stadt@herne.de', [{ role: 'steward' }]);
      mod = await person(t.app, 'moderation@herne.de', [{ role: 'moderator' }], { displayName: 'Moderation' });
      anna = await person(t.app, 'anna@example.org', [{ role: 'citizen' }], { displayName: 'Eule 417' });
      bert = await person(t.app, 'bert@example.org', [{ role: 'citizen' }], { displayName: 'Dachs 12' });
      assert.equal((await api('POST', '/processes', steward, hourly('bilder'))).statusCode, 201);
      proposalId = (await api('POST', '/processes/bilder/proposals', anna, { title: 'Bank am Markt', body: 'Eine Bank mehr' })).json().id;
      jpeg = await gpsJpeg(320, 200);
      assert.ok(hasGpsTag((await sharp(jpeg).metadata()).exif!), 'the fixture carries GPS EXIF');
    });
    after(async () => {
      await t?.close();
      if (env?.DREHSCHEIBE_PG_SCHEMA) await dropSchema(env.DREHSCHEIBE_PG_SCHEMA);
    });

    test('bad uploads: 401 anonymous, 403 not the author; missing file and description, wrong type, too large, undecodable: 400 at the field', async () => {
      assert.equal((await upload(proposalId, undefined, { alt: 'Bank' }, { name: 'a.jpg', type: 'image/jpeg', bytes: jpeg })).statusCode, 401);
      assert.equal((await upload(proposalId, bert, { alt: 'Bank' }, { name: 'a.jpg', type: 'image/jpeg', bytes: jpeg })).statusCode, 403);
      const fields = async (r: Promise<{ statusCode: number; json(): { errors?: Array<{ field: string; message: string }> } }>) => { const x = await r; assert.equal(x.statusCode, 400); return x.json().errors!.map((e) => e.field); };
      assert.deepEqual(await fields(upload(proposalId, anna, {})), ['image', 'alt']);
      assert.deepEqual(await fields(upload(proposalId, anna, { alt: ' ' }, { name: 'a.jpg', type: 'image/jpeg', bytes: jpeg })), ['alt'], 'a description is required');
      assert.deepEqual(await fields(upload(proposalId, anna, { alt: 'x'.repeat(301) }, { name: 'a.jpg', type: 'image/jpeg', bytes: jpeg })), ['alt']);
      const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
      const r = await upload(proposalId, anna, { alt: 'Ein Bild' }, { name: 'a.gif', type: 'image/gif', bytes: gif });
      assert.equal(r.statusCode, 400);
      assert.match(r.json().errors[0].message, /JPEG or PNG/);
      assert.deepEqual(await fields(upload(proposalId, anna, { alt: 'Ein Bild' }, { name: 'a.png', type: 'image/png', bytes: jpeg })), ['image'], 'declared PNG, is a JPEG');
      const broken = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);
      const dec = await upload(proposalId, anna, { alt: 'Ein Bild' }, { name: 'a.png', type: 'image/png', bytes: broken });
      assert.equal(dec.statusCode, 400);
      assert.match(dec.json().errors[0].message, /cannot be read/);
      const big = await upload(proposalId, anna, { alt: 'Ein Bild' }, { name: 'a.jpg', type: 'image/jpeg', bytes: Buffer.concat([jpeg, Buffer.alloc(8 * 1024 * 1024)]) });
      assert.equal(big.statusCode, 400);
      assert.match(big.json().errors[0].message, /at most 8 MB/);
      assert.equal((await api('GET', `/proposals/${proposalId}`, anna)).json().image, undefined, 'nothing was kept');
    });

    test('the author uploads one: re-encoded without EXIF, waiting; only the author and moderators see it', async () => {
      const r = await upload(proposalId, anna, { alt: 'Eine Holzbank vor dem Rathaus' }, { name: 'bank.jpg', type: 'image/jpeg', bytes: jpeg });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual([r.json().state, r.json().alt, r.json().width, r.json().height, r.json().contentType], ['pending', 'Eine Holzbank vor dem Rathaus', 320, 200, 'image/jpeg']);
      assert.equal((await api('GET', `/proposals/${proposalId}`)).json().image, undefined, 'not public while waiting');
      assert.equal((await api('GET', `/proposals/${proposalId}/image`)).statusCode, 404);
      assert.equal((await api('GET', `/proposals/${proposalId}/image`, bert)).statusCode, 404);
      const own = await api('GET', `/proposals/${proposalId}/image`, anna);
      assert.equal(own.statusCode, 200);
      assert.equal(own.headers['content-type'], 'image/jpeg');
      assert.match(String(own.headers['cache-control']), /no-store/);
      assert.equal(hasMetadata(own.rawPayload), false, 'no EXIF, XMP or IPTC segment');
      assert.equal((await sharp(own.rawPayload).metadata()).exif, undefined);
      assert.equal((await api('GET', `/proposals/${proposalId}/image`, mod)).statusCode, 200);
      assert.equal((await api('GET', `/proposals/${proposalId}`, anna)).json().image.state, 'pending');
      // The moderators are told (after the answer), at most once an hour.
      await t.app.participation!.afterwards.idle();
      const told = (await mails('moderation@herne.de')).filter((m) => m.subject === 'Bilder warten auf Freigabe');
      assert.equal(told.length, 1);
      assert.match(told[0]!.text, /\/verwaltung\/beteiligung#bilder/);
      // The author's data export lists it.
      const mine = (await api('GET', '/me/export', anna)).json().proposalImages;
      assert.deepEqual(mine.map((i: { alt: string; state: string }) => [i.alt, i.state]), [['Eine Holzbank vor dem Rathaus', 'pending']]);
    });

    test('moderators: the queue (401, 403 for others); rejecting needs a reason and mails the author; a new image waits again; released it is public', async () => {
      assert.equal((await api('GET', '/proposal-images')).statusCode, 401);
      assert.equal((await api('GET', '/proposal-images', anna)).statusCode, 403);
      const queue = (await api('GET', '/proposal-images', mod)).json();
      assert.deepEqual(queue.map((q: { proposalId: string; title: string; alt: string }) => [q.proposalId, q.title, q.alt]), [[proposalId, 'Bank am Markt', 'Eine Holzbank vor dem Rathaus']]);
      assert.equal((await api('POST', `/proposals/${proposalId}/image/release`, anna)).statusCode, 403);
      assert.equal((await api('POST', `/proposals/${proposalId}/image/reject`, mod, {})).statusCode, 400);
      const rej = await api('POST', `/proposals/${proposalId}/image/reject`, mod, { reason: 'Ein Kennzeichen ist lesbar' });
      assert.equal(rej.json().state, 'rejected');
      assert.equal((await api('POST', `/proposals/${proposalId}/image/release`, mod)).statusCode, 409, 'decided already');
      const mail = (await mails('anna@example.org')).find((m) => m.subject === 'Ihr Bild wurde nicht freigegeben');
      assert.match(mail!.text, /Ein Kennzeichen ist lesbar/);
      assert.equal((await api('GET', `/proposals/${proposalId}`, anna)).json().image.reason, 'Ein Kennzeichen ist lesbar');
      const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#2050a0' } }).png().toBuffer();
      assert.equal((await upload(proposalId, anna, { alt: 'Skizze der Bank' }, { name: 's.png', type: 'image/png', bytes: png })).json().state, 'pending');
      await t.app.participation!.afterwards.idle();
      assert.equal((await mails('moderation@herne.de')).filter((m) => m.subject === 'Bilder warten auf Freigabe').length, 1, 'not again within the hour');
      // Open data: a waiting (or rejected) image is not in the exports.
      const exported = async () => { t.app.participation!.openData.invalidate(); return (await api('GET', '/processes/bilder/export.json')).json().proposals.find((x: { id: string }) => x.id === proposalId).image; };
      assert.equal(await exported(), null);
      assert.doesNotMatch((await api('GET', '/processes/bilder/proposals.csv')).body, /Skizze der Bank/);
      assert.equal((await api('POST', `/proposals/${proposalId}/image/release`, mod)).json().state, 'released');
      // Released: its absolute URL and description in the JSON and CSV exports.
      const img = await exported();
      assert.deepEqual({ ...img, url: img.url.replace(/^https?:\/\/[^/]+/, '') }, { url: `/api/participation/proposals/${proposalId}/image`, alt: 'Skizze der Bank', width: 40, height: 30 });
      assert.match(img.url, /^https?:\/\//);
      const csvRow = (await api('GET', '/processes/bilder/proposals.csv')).body.split('\r\n').find((l: string) => l.startsWith(proposalId))!;
      assert.ok(csvRow.endsWith(`,${img.url},Skizze der Bank`), csvRow);
      const pub = await api('GET', `/proposals/${proposalId}`);
      assert.deepEqual(pub.json().image, { url: `/api/participation/proposals/${proposalId}/image`, alt: 'Skizze der Bank', width: 40, height: 30, contentType: 'image/png' });
      const file = await api('GET', `/proposals/${proposalId}/image`);
      assert.equal(file.statusCode, 200);
      assert.equal(file.headers['content-type'], 'image/png');
      assert.match(String(file.headers['cache-control']), /public/);
      assert.deepEqual((await api('GET', '/proposal-images', mod)).json(), []);
    });

    test('only while editable (409 after the first support); removal by the author or a moderator', async () => {
      const other = (await api('POST', '/processes/bilder/proposals', anna, { title: 'Brunnen', body: 'Am Markt' })).json().id;
      assert.equal((await api('PUT', `/proposals/${other}/support`, bert)).statusCode, 200);
      assert.equal((await upload(other, anna, { alt: 'Ein Brunnen' }, { name: 'b.jpg', type: 'image/jpeg', bytes: jpeg })).statusCode, 409);
      assert.equal((await api('DELETE', `/proposals/${proposalId}/image`, bert)).statusCode, 403);
      assert.equal((await api('DELETE', `/proposals/${proposalId}/image`, anna)).statusCode, 204);
      assert.equal((await api('DELETE', `/proposals/${proposalId}/image`, mod)).statusCode, 404);
      assert.equal((await api('GET', `/proposals/${proposalId}/image`)).statusCode, 404);
    });

    test('pages: the form takes an image with its description (German messages first); the author sees it waiting; a moderator releases it; then everybody sees it', async () => {
      const form = await t.app.inject({ url: '/beteiligung/bilder/neuer-vorschlag', headers: { cookie: anna.cookie } });
      assert.match(form.body, /enctype="multipart\/form-data"/);
      assert.match(form.body, /<input[^>]*type="file"[^>]*accept="image\/jpeg,image\/png"/);
      assert.match(form.body, /Was ist auf dem Bild zu sehen\?/);
      const post = async (fields: Record<string, string>, file?: { name: string; type: string; bytes: Buffer }) => {
        const m = await multipart({ _csrf: csrfOf(form.body), ...fields }, file);
        return t.app.inject({ method: 'POST', url: '/beteiligung/bilder/neuer-vorschlag', payload: m.payload, headers: { ...m.headers, cookie: anna.cookie } });
      };
      const noAlt = await post({ title: 'Schattenbaum', body: 'Am Spielplatz' }, { name: 'baum.jpg', type: 'image/jpeg', bytes: jpeg });
      assert.equal(noAlt.statusCode, 400);
      assert.match(noAlt.body, /Bitte beschreiben Sie, was auf dem Bild zu sehen ist/);
      assert.match(noAlt.body, /href="#alt"/, 'the error summary links to the field');
      const noTitle = await post({ title: '', body: 'Am Spielplatz', alt: 'Ein Baum' }, { name: 'baum.jpg', type: 'image/jpeg', bytes: jpeg });
      assert.match(noTitle.body, /Bitte wählen Sie das Bild noch einmal aus/);
      const wrong = await post({ title: 'Schattenbaum', body: 'Am Spielplatz', alt: 'Ein Baum' }, { name: 'baum.txt', type: 'text/plain', bytes: Buffer.from('kein Bild') });
      assert.match(wrong.body, /Bitte wählen Sie ein Bild im Format JPEG oder PNG/);
      const ok = await post({ title: 'Schattenbaum', body: 'Am Spielplatz', alt: 'Eine Linde mit breiter Krone' }, { name: 'baum.jpg', type: 'image/jpeg', bytes: jpeg });
      assert.equal(ok.statusCode, 303, ok.body.slice(0, 500));
      const page = String(ok.headers.location).split('?')[0]!;
      const id = page.split('/').pop()!;
      const mine = await t.app.inject({ url: page, headers: { cookie: anna.cookie } });
      assert.match(mine.body, /<img src="\/beteiligung\/vorschlaege\/[^"]+\/bild\?v=[^"]+" alt="Eine Linde mit breiter Krone"/);
      assert.match(mine.body, /wartet auf die Freigabe durch die Moderation/);
      assert.doesNotMatch((await t.app.inject({ url: page })).body, /Eine Linde/, 'not for the public yet');
      assert.equal((await t.app.inject({ url: `${page}/bild` })).statusCode, 404);
      // The moderation page lists it; the release form publishes it.
      const modPage = await t.app.inject({ url: '/verwaltung/beteiligung', headers: { cookie: mod.cookie } });
      assert.match(modPage.body, /Bilder, die auf Freigabe warten/);
      assert.match(modPage.body, /Eine Linde mit breiter Krone/);
      const bad = await t.app.inject({ method: 'POST', url: `/verwaltung/beteiligung/bilder/${id}/ablehnen`, payload: `_csrf=${encodeURIComponent(mod.csrf)}&reason=`, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: mod.cookie } });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, new RegExp(`href="#bildgrund-${id}"`));
      assert.match(bad.body, /Bitte geben Sie eine Begründung an/);
      const rel = await t.app.inject({ method: 'POST', url: `/verwaltung/beteiligung/bilder/${id}/freigeben`, payload: `_csrf=${encodeURIComponent(mod.csrf)}`, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: mod.cookie } });
      assert.equal(rel.statusCode, 303);
      assert.match(String(rel.headers.location), /hinweis=imageReleased/);
      assert.match((await t.app.inject({ url: page })).body, /alt="Eine Linde mit breiter Krone"/);
      const file = await t.app.inject({ url: `${page}/bild` });
      assert.equal(file.statusCode, 200);
      assert.equal(hasMetadata(file.rawPayload), false);
      assert.equal((await sharp(file.rawPayload).metadata()).exif, undefined, 'the GPS position is gone');
      assert.equal((await t.app.inject({ url: '/en/participation/proposals/' + id })).statusCode, 200);
      // The edit form shows the current image; a new one replaces it and waits again.
      const edit = await t.app.inject({ url: `/beteiligung/vorschlaege/${id}/bearbeiten`, headers: { cookie: anna.cookie } });
      assert.match(edit.body, /Bisheriges Bild/);
      assert.match(edit.body, /Ein neues Bild ersetzt das bisherige/);
      const png = await sharp({ create: { width: 50, height: 50, channels: 3, background: '#108040' } }).png().toBuffer();
      const m = await multipart({ _csrf: csrfOf(edit.body), title: 'Schattenbaum', body: 'Am Spielplatz', alt: 'Skizze: die Linde von oben' }, { name: 'skizze.png', type: 'image/png', bytes: png });
      const saved = await t.app.inject({ method: 'POST', url: `/beteiligung/vorschlaege/${id}/bearbeiten`, payload: m.payload, headers: { ...m.headers, cookie: anna.cookie } });
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
      const meta = (await api('GET', `/proposals/${id}`, anna)).json().image;
      assert.deepEqual([meta.alt, meta.state, meta.contentType], ['Skizze: die Linde von oben', 'pending', 'image/png']);
      assert.equal((await t.app.inject({ url: `${page}/bild` })).statusCode, 404, 'the replacement is not public yet');
    });
  });
}
