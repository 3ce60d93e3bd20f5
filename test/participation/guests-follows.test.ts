// Guests (comments and survey answers under a pseudonym, held for moderation, per-address limit),
// following with immediate mail or a daily digest and the signed one-click unsubscribe link, and
// moderators' mail about reports (at most one per item and hour) — over HTTP on SQLite and (with
// TEST_PG_URL) PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';
import { AT, SURVEY, as, hourly, person, type Who } from './support.ts';

const ENGINES: Array<{ name: string; skip: string | false; env: () => Record<string, string> }> = [
  { name: 'sqlite', skip: false, env: () => ({}) },
  { name: 'postgres', skip: PG_SKIP, env: () => ({ DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: freshSchema() }) },
];

for (const engine of ENGINES) {
  describe(`participation guests and following: ${engine.name}`, { skip: engine.skip }, () => {
    let t: TestApp;
    let env: Record<string, string>;
    const clock = fixedClock(AT.participation!);
    let steward: Who, mod: Who, anna: Who, bert: Who, carla: Who;
    let proposalId = '';
    let closedProposalId = '';
    let surveyId = '';
    const api = (method: string, url: string, who?: Who, payload?: unknown, extra: Record<string, string> = {}, ip = '203.0.113.7') =>
      t.app.inject({ method: method as 'GET', url: `/api/participation${url}`, headers: as(who, extra), remoteAddress: ip, ...(payload === undefined ? {} : { payload: payload as object }) });
    const mails = (to: string) => t.app.drehscheibe.storage.accounts.listMail({ limit: 200, offset: 0, to });
    /** The mails to an address since `mark()` (the clock stands still, so by id, not time). */
    const mark = async (to: string) => { const seen = new Set((await mails(to)).map((x) => x.id)); return async () => { await t.app.participation!.afterwards.idle(); return (await mails(to)).filter((x) => !seen.has(x.id)); }; };
    const subjects = (list: Array<{ subject: string }>) => list.map((x) => x.subject).sort();

    before(async () => {
      env = { ...engine.env(), DREHSCHEIBE_GUEST_LIMIT: '3', DREHSCHEIBE_GUEST_LIMIT_WINDOW: '600', DREHSCHEIBE_FOLLOW_INTERVAL: '0', DREHSCHEIBE_PUBLIC_URL: 'http://drehscheibe.test' };
      t = await testApp(env, { clock });
      steward = await person(t.app, 'stadt@herne.de', [{ role: 'steward' }], { displayName: 'Stadt Herne' });
      mod = await person(t.app, 'moderation@herne.de', [{ role: 'moderator' }], { displayName: 'Moderation' });
      anna = await person(t.app, 'anna@example.org', [{ role: 'citizen' }], { displayName: 'Eule 417' });
      bert = await person(t.app, 'bert@example.org', [{ role: 'citizen' }], { displayName: 'Dachs 12' });
      carla = await person(t.app, 'carla@example.org', [{ role: 'citizen' }], { displayName: 'Igel 3' });
      assert.equal((await api('POST', '/processes', steward, hourly('offen', { guests: true } as never))).statusCode, 201);
      assert.equal((await api('POST', '/processes', steward, hourly('konten'))).statusCode, 201);
      proposalId = (await api('POST', '/processes/offen/proposals', anna, { title: 'Mehr Bänke', body: 'Am Markt' })).json().id;
      closedProposalId = (await api('POST', '/processes/konten/proposals', anna, { title: 'Nur mit Konto', body: 'Text' })).json().id;
      surveyId = (await api('POST', '/processes/offen/surveys', steward, SURVEY)).json().id;
    });
    after(async () => {
      await t?.close();
      if (env?.DREHSCHEIBE_PG_SCHEMA) await dropSchema(env.DREHSCHEIBE_PG_SCHEMA);
    });

    test('guests: only where the process allows them (403), with a valid pseudonym (400 at the field)', async () => {
      const no = await api('POST', `/proposals/${closedProposalId}/guest-comments`, undefined, { pseudonym: 'Spatz', body: 'Hallo' });
      assert.equal(no.statusCode, 403);
      assert.match(no.json().detail, /does not take contributions from guests/);
      const bad = await api('POST', `/proposals/${proposalId}/guest-comments`, undefined, { pseudonym: '<b>', body: '' });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(bad.json().errors.map((e: { field: string }) => e.field), ['pseudonym', 'body']);
      assert.equal((await api('GET', '/processes/offen')).json().guests, true);
    });

    let guestToken = '';
    let heldId = '';
    test('a guest comment is held: not public, not counted, not exported; the guest\'s token shows it waiting', async () => {
      const r = await api('POST', `/proposals/${proposalId}/guest-comments`, undefined, { pseudonym: 'Spatz 7', body: 'Als Gast: gute Idee' });
      assert.equal(r.statusCode, 202);
      guestToken = r.headers['x-guest-token'] as string;
      assert.equal(r.json().guestToken, guestToken);
      assert.equal(r.json().state, 'pending');
      assert.equal(r.json().guestId, undefined, 'the guest id is not handed out');
      heldId = r.json().id;
      assert.deepEqual((await api('GET', `/proposals/${proposalId}/comments`)).json(), []);
      assert.equal((await api('GET', `/proposals/${proposalId}`)).json().commentCount, 0);
      assert.doesNotMatch((await api('GET', '/processes/offen/export.json')).body, /Als Gast/);
      const mine = await api('GET', `/guest-contributions/mine?target=${proposalId}`, undefined, undefined, { 'x-guest-token': guestToken });
      assert.deepEqual(mine.json().map((g: { id: string }) => g.id), [heldId]);
      const other = await api('GET', `/guest-contributions/mine?target=${proposalId}`, undefined, undefined, { 'x-guest-token': 'x'.repeat(43) });
      assert.deepEqual(other.json(), [], 'another browser does not see it');
      assert.equal((await api('GET', `/guest-contributions/mine?target=${proposalId}`)).statusCode, 401);
    });

    test('guests answer a survey once (held); a second answer from the same browser is 409', async () => {
      const h = { 'x-guest-token': guestToken };
      const bad = await api('POST', `/surveys/${surveyId}/guest-answers`, undefined, { pseudonym: 'Spatz 7', answers: { q1: 9 } }, h);
      assert.equal(bad.statusCode, 400);
      const r = await api('POST', `/surveys/${surveyId}/guest-answers`, undefined, { pseudonym: 'Spatz 7', answers: { q1: 1, q3: 5 } }, h);
      assert.equal(r.statusCode, 202);
      assert.equal(r.json().guestToken, undefined, 'the token it sent stays');
      assert.equal((await api('POST', `/surveys/${surveyId}/guest-answers`, undefined, { pseudonym: 'Spatz 7', answers: { q1: 0, q3: 1 } }, h)).statusCode, 409);
    });

    test('the per-address limit (DREHSCHEIBE_GUEST_LIMIT=3 per 600 s): 429 with Retry-After; another address goes on', async () => {
      // Three used from 203.0.113.7 (the comment, the survey answer, the refused second answer; not the invalid ones): 429.
      const r = await api('POST', `/proposals/${proposalId}/guest-comments`, undefined, { pseudonym: 'Amsel', body: 'Dritter' });
      assert.equal(r.statusCode, 429);
      assert.ok(Number(r.headers['retry-after']) > 0);
      assert.equal((await api('POST', `/proposals/${proposalId}/guest-comments`, undefined, { pseudonym: 'Amsel', body: 'Von woanders' }, {}, '198.51.100.2')).statusCode, 202);
    });

    test('moderators see the queue (others 401/403), release one and reject another; released comments show as "(Gast)"', async () => {
      assert.equal((await api('GET', '/guest-contributions')).statusCode, 401);
      assert.equal((await api('GET', '/guest-contributions', anna)).statusCode, 403);
      const queue = (await api('GET', '/guest-contributions', mod)).json();
      assert.equal(queue.length, 3);
      assert.equal(queue.find((g: { id: string }) => g.id === heldId).context.title, 'Mehr Bänke');
      assert.ok(queue.every((g: Record<string, unknown>) => g.guestId === undefined));
      assert.equal((await api('POST', `/guest-contributions/${heldId}/release`, anna)).statusCode, 403);
      assert.equal((await api('POST', `/guest-contributions/${heldId}/release`, mod)).statusCode, 200);
      assert.equal((await api('POST', `/guest-contributions/${heldId}/release`, mod)).statusCode, 409, 'decided already');
      const survey = queue.find((g: { kind: string }) => g.kind === 'survey');
      assert.equal((await api('POST', `/guest-contributions/${survey.id}/release`, mod)).statusCode, 200);
      const rejectId = queue.find((g: { comment?: { body: string } }) => g.comment?.body === 'Von woanders').id;
      assert.equal((await api('POST', `/guest-contributions/${rejectId}/reject`, mod)).statusCode, 204);
      const comments = (await api('GET', `/proposals/${proposalId}/comments`)).json();
      assert.deepEqual(comments.map((c: { authorName: string; body: string }) => [c.authorName, c.body]), [['Spatz 7 (Gast)', 'Als Gast: gute Idee']]);
      assert.equal((await api('GET', `/proposals/${proposalId}`)).json().commentCount, 1);
      const mine = await api('GET', `/guest-contributions/mine?target=${proposalId}`, undefined, undefined, { 'x-guest-token': guestToken });
      assert.deepEqual(mine.json(), [], 'released ones no longer wait');
      assert.equal((await api('GET', `/surveys/${surveyId}/results`, steward)).json().respondents, 1, 'the released answer is counted');
      const exported = (await api('GET', '/processes/offen/export.json')).body;
      assert.match(exported, /Spatz 7 \(Gast\)/);
      assert.doesNotMatch(exported, /203\.0\.113|guest:/, 'no address, no guest id');
    });

    test('following needs a confirmed login (401); a person follows a process and a proposal and gets immediate mails with a working unsubscribe link', async () => {
      assert.equal((await api('PUT', `/follows/process/offen`)).statusCode, 401);
      assert.equal((await api('PUT', `/follows/process/nope`, bert)).statusCode, 404);
      assert.equal((await api('PUT', `/follows/galaxy/offen`, bert)).statusCode, 404);
      assert.deepEqual((await api('PUT', `/follows/process/offen`, bert)).json(), { following: true });
      assert.deepEqual((await api('PUT', `/follows/proposal/${proposalId}`, bert)).json(), { following: true });
      const since = await mark('bert@example.org');
      await api('POST', `/proposals/${proposalId}/comments`, carla, { body: 'Ich bin auch dafür' });
      await api('POST', '/processes/offen/proposals', carla, { title: 'Schattenbäume', body: 'Am Spielplatz' });
      await api('PUT', `/proposals/${proposalId}/answer`, steward, { status: 'accepted', text: 'Wird umgesetzt' });
      const all = await since();
      assert.deepEqual(subjects(all), [
        'Die Stadt hat auf den Vorschlag „Mehr Bänke“ geantwortet.', 'Neuer Kommentar von Igel 3 zum Vorschlag „Mehr Bänke“', 'Neuer Vorschlag in „Verfahren offen“: Schattenbäume',
      ]);
      const got = [all.find((x) => x.subject.startsWith('Neuer Kommentar'))!];
      assert.match(got[0]!.text, /http:\/\/drehscheibe\.test\/beteiligung\/vorschlaege\//);
      assert.match(got[0]!.text, /Sie erhalten diese Nachricht, weil Sie dem folgen/);
      assert.doesNotMatch(got[0]!.text, /You get this message/, 'one language: the person\'s (German by default)');
      // Carla acted: she follows nothing, and an actor is never told of her own contribution.
      await api('PUT', `/follows/process/offen`, carla);
      const carlaSince = await mark('carla@example.org');
      await api('POST', '/processes/offen/proposals', carla, { title: 'Noch einer', body: 'Text' });
      assert.deepEqual(await carlaSince(), []);
      // The link of the first mail ends the follow of the proposal, without login, in German (and English) —
      // but only through the page's button: opening the link (a mail scanner does) changes nothing.
      const link = /Mit einem Klick abbestellen: (\S+)/.exec(got[0]!.text)![1]!;
      const path = new URL(link).pathname + new URL(link).search;
      for (let i = 0; i < 2; i++) {
        const ask = await t.app.inject({ url: path });
        assert.equal(ask.statusCode, 200);
        assert.match(ask.body, /Möchten Sie keine Mitteilungen mehr zu „Mehr Bänke“ erhalten\?/);
        assert.match(ask.body, /<form method="post" action="\/beteiligung\/abbestellen\?token=[^"]+"/);
        assert.match(ask.body, /Ja, abbestellen/);
      }
      const askEn = await t.app.inject({ url: `/en/participation/unsubscribe${new URL(link).search}` });
      assert.match(askEn.body, /Do you want to stop getting messages about &quot;Mehr Bänke&quot;\?/);
      assert.deepEqual((await api('GET', '/follows', bert)).json().follows.map((f: { kind: string }) => f.kind).sort(), ['process', 'proposal'], 'a GET unsubscribes nothing');
      const action = /<form method="post" action="([^"]+)"/.exec((await t.app.inject({ url: path })).body)![1]!.replace(/&amp;/g, '&');
      const page = await t.app.inject({ method: 'POST', url: action, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Sie erhalten keine Mitteilungen mehr zu „Mehr Bänke“/);
      assert.deepEqual((await api('GET', '/follows', bert)).json().follows.map((f: { kind: string }) => f.kind), ['process']);
      const en = await t.app.inject({ method: 'POST', url: `/en/participation/unsubscribe${new URL(link).search}` });
      assert.match(en.body, /You will no longer get/);
      const forged = await t.app.inject({ url: `/beteiligung/abbestellen?token=${new URL(link).searchParams.get('token')!.slice(0, -2)}xx` });
      assert.equal(forged.statusCode, 400);
      assert.match(forged.body, /Dieser Abmeldelink ist ungültig/);
      assert.doesNotMatch(forged.body, /Ja, abbestellen/);
      assert.equal((await t.app.inject({ method: 'POST', url: `/beteiligung/abbestellen?token=${new URL(link).searchParams.get('token')!.slice(0, -2)}xx` })).statusCode, 400);
      // RFC 8058 one-click: a POST with List-Unsubscribe=One-Click as its form body acts at once.
      await api('PUT', `/follows/proposal/${proposalId}`, bert);
      const oneClick = await t.app.inject({ method: 'POST', url: `/api/participation/unsubscribe?token=${encodeURIComponent(new URL(link).searchParams.get('token')!)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
      assert.equal(oneClick.statusCode, 200, oneClick.body);
      assert.equal(oneClick.json().unsubscribed, true, 'RFC 8058 one-click POST');
      assert.deepEqual((await api('GET', '/follows', bert)).json().follows.map((f: { kind: string }) => f.kind), ['process']);
    });

    test('the followers\' mails are made after the answer: a post is answered while they still wait in line', async () => {
      const dora = await person(t.app, 'dora@example.org', [{ role: 'citizen' }], { displayName: 'Dora' });
      await api('PUT', '/follows/process/konten', dora);
      const since = await mark('dora@example.org');
      const later = t.app.participation!.afterwards;
      let open!: () => void;
      later.run(() => new Promise<void>((resolve) => { open = resolve; }));
      const r = await api('POST', '/processes/konten/proposals', anna, { title: 'Wartet', body: 'Text' });
      assert.equal(r.statusCode, 201, 'answered although the mails cannot be made yet');
      assert.equal(later.queued, 2, 'the blocker and the new proposal\'s news');
      assert.deepEqual(await mails('dora@example.org'), [], 'no mail made inside the request');
      open();
      assert.deepEqual(subjects(await since()), ['Neuer Vorschlag in „Verfahren konten“: Wartet']);
      assert.equal(later.queued, 0);
    });

    test('a released guest comment tells the followers too', async () => {
      await api('PUT', `/follows/proposal/${proposalId}`, anna);
      const since = await mark('anna@example.org');
      const g = await api('POST', `/proposals/${proposalId}/guest-comments`, undefined, { pseudonym: 'Meise', body: 'Noch ein Gast' }, {}, '192.0.2.44');
      assert.deepEqual(await since(), [], 'nothing while held');
      await api('POST', `/guest-contributions/${g.json().id}/release`, mod);
      assert.deepEqual(subjects(await since()), ['Neuer Kommentar von Meise (Gast) zum Vorschlag „Mehr Bänke“']);
    });

    test('daily digest: chosen in the settings, queued lines go out as one mail with an unsubscribe-all link', async () => {
      assert.equal((await api('PUT', '/follows/settings', bert, { mode: 'weekly' })).statusCode, 400);
      assert.deepEqual((await api('PUT', '/follows/settings', bert, { mode: 'digest' })).json(), { mode: 'digest' });
      const since = await mark('bert@example.org');
      await api('POST', '/processes/offen/proposals', carla, { title: 'Trinkbrunnen', body: 'Am Rathaus' });
      await api('POST', '/processes/offen/proposals', anna, { title: 'Fahrradständer', body: 'Am Bahnhof' });
      assert.deepEqual(await since(), [], 'nothing at once');
      assert.ok(await t.app.participation!.follows.sendDigests() >= 1);
      const got = await since();
      assert.equal(got.length, 1);
      assert.equal(got[0]!.subject, 'Beteiligung: 2 Neuigkeiten des Tages');
      assert.match(got[0]!.text, /Trinkbrunnen[\s\S]*Fahrradständer/);
      const link = /Alle Benachrichtigungen mit einem Klick abbestellen: (\S+)/.exec(got[0]!.text)![1]!;
      // Opened in the browser where the person is logged in: the page's form carries the session's token.
      const ask = await t.app.inject({ url: new URL(link).pathname + new URL(link).search, headers: { cookie: bert.cookie } });
      assert.equal(ask.statusCode, 200);
      assert.match(ask.body, /Möchten Sie keine Mitteilungen mehr über das erhalten, dem Sie folgen\?/);
      assert.equal((await api('GET', '/follows', bert)).json().follows.length, 1, 'the GET asks only');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(ask.body)![1]!;
      assert.equal((await t.app.inject({ method: 'POST', url: new URL(link).pathname + new URL(link).search, headers: { cookie: bert.cookie } })).statusCode, 403, 'with a session, not without its token');
      const done = await t.app.inject({ method: 'POST', url: new URL(link).pathname + new URL(link).search, payload: `_csrf=${encodeURIComponent(csrf)}`, headers: { cookie: bert.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
      assert.match(done.body, /Sie erhalten keine Mitteilungen mehr über das, dem Sie gefolgt sind/);
      assert.deepEqual((await api('GET', '/follows', bert)).json().follows, []);
      assert.equal(await t.app.participation!.follows.sendDigests(), 0, 'taken once');
    });

    test('a phase change is announced once to the process\'s followers', async () => {
      await api('PUT', '/follows/process/offen', carla);
      const since = await mark('carla@example.org');
      const f = t.app.participation!.follows;
      assert.ok(await f.announcePhases() >= 1);
      assert.equal(await f.announcePhases(), 0, 'once');
      assert.deepEqual(subjects(await since()), ['„Verfahren offen“ ist jetzt in der Phase Beteiligung.']);
    });

    test('moderators get a mail about a report, at most one per item and hour', async () => {
      const since = await mark('moderation@herne.de');
      assert.equal((await api('POST', `/proposals/${proposalId}/report`, carla, { reason: 'Werbung' })).statusCode, 202);
      assert.equal((await api('POST', `/proposals/${proposalId}/report`, bert, { reason: 'Auch Werbung' })).statusCode, 202);
      const got = (await since()).filter((m) => m.subject.startsWith('Neue Meldung'));
      assert.equal(got.length, 1);
      assert.match(got[0]!.text, /Begründung: Werbung/);
      assert.match(got[0]!.text, /http:\/\/drehscheibe\.test\/verwaltung\/beteiligung/);
      assert.equal((await mails('stadt@herne.de')).filter((m) => m.subject.startsWith('Neue Meldung')).length, 0, 'stewards are not moderators');
      clock.set(new Date(Date.parse(AT.participation!) + 3_601_000).toISOString());
      try {
        await api('POST', `/proposals/${proposalId}/report`, anna, { reason: 'Nach einer Stunde' });
      } finally { clock.set(AT.participation!); }
      assert.equal((await since()).filter((m) => m.subject.startsWith('Neue Meldung')).length, 2);
    });

    test('the data export lists follows and the mode; deleting the account removes them', async () => {
      const r = await api('GET', '/me/export', carla);
      assert.deepEqual(r.json().notifications.follows.map((f: { kind: string; targetId: string }) => [f.kind, f.targetId]), [['process', 'offen']]);
      assert.equal(r.json().notifications.mode, 'immediate');
    });

    test('pages without JavaScript: a guest comments by form (German messages at the fields, then held and shown to this browser only); a moderator releases it on the moderation page', async () => {
      const url = `/beteiligung/vorschlaege/${proposalId}`;
      const page = await t.app.inject({ url });
      assert.match(page.body, /Als Gast kommentieren/);
      const csrfCookie = ([] as string[]).concat(page.headers['set-cookie'] as string[]).map((c) => c.split(';')[0]).join('; ');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const post = (form: Record<string, string>, cookie = csrfCookie, ip = '192.0.2.80') => t.app.inject({ method: 'POST', url: `${url}/gast-kommentare`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: ip, payload: new URLSearchParams(form).toString() });
      assert.equal((await post({ _csrf: 'falsch', pseudonym: 'Fink', body: 'x' })).statusCode, 403, 'the double-submit token');
      const bad = await post({ _csrf: csrf, pseudonym: 'F', body: '' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /Bitte geben Sie einen Namen mit 2 bis 40 Zeichen ein/);
      assert.match(bad.body, /href="#guest-pseudonym"/);
      const ok = await post({ _csrf: csrf, pseudonym: 'Fink', body: 'Per Formular als Gast' });
      assert.equal(ok.statusCode, 303);
      const guestCookie = ([] as string[]).concat(ok.headers['set-cookie'] as string[]).find((c) => c.startsWith('drehscheibe_guest='))!;
      assert.match(guestCookie, /HttpOnly/);
      const mine = await t.app.inject({ url, headers: { cookie: `${csrfCookie}; ${guestCookie.split(';')[0]}` } });
      assert.match(mine.body, /wartet|warten auf Freigabe/);
      assert.match(mine.body, /Per Formular als Gast/);
      assert.doesNotMatch((await t.app.inject({ url })).body, /Per Formular als Gast/, 'nobody else sees it');
      assert.doesNotMatch((await t.app.inject({ url: `/beteiligung/vorschlaege/${closedProposalId}` })).body, /Als Gast kommentieren/, 'not where guests are not allowed');
      const modPage = await t.app.inject({ url: '/verwaltung/beteiligung', headers: { cookie: mod.cookie } });
      assert.match(modPage.body, /Gastbeiträge, die auf Freigabe warten/);
      const gid = /\/verwaltung\/beteiligung\/gast\/([^/]+)\/freigeben/.exec(modPage.body)![1]!;
      const rel = await t.app.inject({ method: 'POST', url: `/verwaltung/beteiligung/gast/${gid}/freigeben`, headers: { cookie: mod.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${encodeURIComponent(mod.csrf)}` });
      assert.equal(rel.statusCode, 303);
      assert.match((await t.app.inject({ url })).body, /Fink \(Gast\)/);
    });

    test('pages without JavaScript: the "Folgen" button, the notification settings (German message at the field) and stopping from there', async () => {
      const url = `/beteiligung/vorschlaege/${proposalId}`;
      const form = (path: string, who: Who, f: Record<string, string>) => t.app.inject({ method: 'POST', url: path, headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: who.csrf, ...f }).toString() });
      await api('DELETE', `/follows/proposal/${proposalId}`, bert);
      assert.match((await t.app.inject({ url, headers: { cookie: bert.cookie } })).body, />Folgen</);
      assert.doesNotMatch((await t.app.inject({ url })).body, />Folgen</, 'not for the anonymous');
      const r = await form('/beteiligung/folgen', bert, { kind: 'proposal', id: proposalId, zurueck: url, aktion: 'folgen' });
      assert.equal(r.statusCode, 303);
      assert.equal(r.headers.location, `${url}?hinweis=followed`);
      assert.match((await t.app.inject({ url, headers: { cookie: bert.cookie } })).body, /Nicht mehr folgen/);
      assert.equal((await form('/beteiligung/folgen', bert, { kind: 'proposal', id: proposalId, zurueck: 'https://evil.example/', aktion: 'folgen' })).headers.location, '/beteiligung/benachrichtigungen?hinweis=followed', 'never back to another site');
      const settings = await t.app.inject({ url: '/beteiligung/benachrichtigungen', headers: { cookie: bert.cookie } });
      assert.match(settings.body, /Wie möchten Sie benachrichtigt werden/);
      assert.match(settings.body, /Mehr Bänke/);
      const bad = await form('/beteiligung/benachrichtigungen', bert, { mode: 'stündlich' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /Bitte wählen Sie, wie Sie benachrichtigt werden möchten/);
      assert.equal((await form('/beteiligung/benachrichtigungen', bert, { mode: 'immediate' })).statusCode, 303);
      assert.equal((await form('/beteiligung/folgen', bert, { kind: 'proposal', id: proposalId, zurueck: '/beteiligung/benachrichtigungen', aktion: 'entfolgen' })).statusCode, 303);
      assert.deepEqual((await api('GET', '/follows', bert)).json(), { mode: 'immediate', follows: [] });
      assert.equal((await t.app.inject({ url: '/beteiligung/benachrichtigungen' })).statusCode, 303, 'to the login');
    });

    test('pages without JavaScript: a guest answers a survey by form (pseudonym and question messages first); then it waits for release', async () => {
      const sv = (await api('POST', '/processes/offen/surveys', steward, SURVEY)).json().id as string;
      const url = `/beteiligung/umfragen/${sv}`;
      const page = await t.app.inject({ url });
      assert.match(page.body, /Als Gast antworten/);
      const cookie = ([] as string[]).concat(page.headers['set-cookie'] as string[]).map((c) => c.split(';')[0]).join('; ');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const post = (form: string) => t.app.inject({ method: 'POST', url: `${url}/gast`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '192.0.2.90', payload: form });
      const bad = await post(`_csrf=${encodeURIComponent(csrf)}&pseudonym=`);
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /href="#pseudonym"/);
      assert.match(bad.body, /href="#q1"/);
      const ok = await post(`_csrf=${encodeURIComponent(csrf)}&pseudonym=Amsel&q1=2&q2=0&q2=1&q3=3`);
      assert.equal(ok.statusCode, 303);
      const guest = ([] as string[]).concat(ok.headers['set-cookie'] as string[]).find((c) => c.startsWith('drehscheibe_guest='))!.split(';')[0];
      const after = await t.app.inject({ url, headers: { cookie: `${cookie}; ${guest}` } });
      assert.match(after.body, /Ihre Antworten als Gast warten auf die Freigabe/);
      assert.doesNotMatch(after.body, /Als Gast antworten/);
      const held = (await api('GET', '/guest-contributions', mod)).json().find((g: { targetId: string }) => g.targetId === sv);
      assert.deepEqual(held.answers, { q1: 2, q2: [0, 1], q3: 3 });
      assert.equal((await api('GET', `/surveys/${sv}/results`, steward)).json().respondents, 0, 'not counted while held');
      assert.equal((await api('POST', `/guest-contributions/${held.id}/release`, mod)).statusCode, 200);
      assert.equal((await api('GET', `/surveys/${sv}/results`, steward)).json().respondents, 1);
      assert.doesNotMatch((await t.app.inject({ url: `/beteiligung/umfragen/${(await api('POST', '/processes/konten/surveys', steward, SURVEY)).json().id}` })).body, /Als Gast antworten/, 'not where guests are not allowed');
    });
  });
}
