// The participation pages over HTTP (no browser): registration with the link from the outbox, no
// e-mail enumeration, German messages at fields, proposals in safe Markdown, comments, support,
// editing until the first comment, CSRF, moderation with the reason the author sees, the city's
// answer, the budget ballot (over budget refused and nothing kept) and its published result.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { AT, PASSWORD, as, hourly, person, type Who } from './support.ts';

/** A browser's cookies for inject(): collects Set-Cookie, sends Cookie. */
class Browser {
  private jar = new Map<string, string>();
  constructor(private readonly a: AuthApp) {}
  get cookie() { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  async go(method: 'GET' | 'POST', url: string, form?: Record<string, string | string[]>) {
    let payload: string | undefined;
    if (form) {
      const u = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) for (const x of ([] as string[]).concat(v)) u.append(k, x);
      payload = u.toString();
    }
    const r = await this.a.app.inject({ method, url, payload, headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) } });
    for (const c of ([] as string[]).concat((r.headers['set-cookie'] as string[] | string | undefined) ?? [])) {
      const [kv] = c.split(';');
      const i = kv!.indexOf('=');
      const k = kv!.slice(0, i);
      const v = kv!.slice(i + 1);
      if (v === '' || /max-age=0/i.test(c)) this.jar.delete(k); else this.jar.set(k, v);
    }
    return r;
  }
  /** The _csrf value of the first form on a page. */
  static csrf(html: string): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error('no _csrf field on the page');
    return m[1]!;
  }
}

describe('participation pages', () => {
  let a: AuthApp;
  const clock = fixedClock(AT.participation!);
  let steward: Who;
  let moderator: Who;
  const citizen = () => new Browser(a);
  let anna: Browser;
  let proposalUrl = '';

  const outbox = async (to: string) => {
    await a.app.participation!.registration.idle();
    const r = await a.app.inject({ url: `/admin/outbox?to=${encodeURIComponent(to)}`, headers: { 'x-api-key': a.operatorKey } });
    return r.json() as Array<{ subject: string; text: string }>;
  };

  before(async () => {
    a = await authApp({}, { DREHSCHEIBE_PUBLIC_URL: 'http://drehscheibe.test' }, { clock });
    steward = await person(a.app, 'redaktion@herne.de', [{ role: 'steward' }]);
    moderator = await person(a.app, 'moderation@herne.de', [{ role: 'moderator' }]);
    const r = await a.app.inject({ method: 'POST', url: '/api/participation/processes', headers: as(steward), payload: hourly('radwege', { budget: 50_000 } as never) });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await a.close(); });

  test('registration: German messages at the fields, then the same answer for a new and a taken address', async () => {
    anna = citizen();
    const page = await anna.go('GET', '/beteiligung/registrieren');
    assert.equal(page.statusCode, 200);
    const csrf = Browser.csrf(page.body);
    const bad = await anna.go('POST', '/beteiligung/registrieren', { _csrf: csrf, email: 'kein-at', password: 'kurz', displayName: '<b>' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="email-error"[^>]*>.*E-Mail-Adresse im Format name@beispiel.de/);
    assert.match(bad.body, /id="password-error"[^>]*>.*mindestens 12 Zeichen/);
    assert.match(bad.body, /id="displayName-error"/);
    assert.match(bad.body, /aria-invalid="true"/);
    const ok = await anna.go('POST', '/beteiligung/registrieren', { _csrf: csrf, email: 'Anna@Example.org', password: PASSWORD, displayName: '' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/beteiligung/registrieren?gesendet=1');
    const again = await citizen().go('POST', '/beteiligung/registrieren', { _csrf: csrf, email: 'anna@example.org', password: PASSWORD });
    assert.equal(again.statusCode, 403, 'no double-submit cookie in this browser: refused');
    const b2 = citizen();
    const c2 = Browser.csrf((await b2.go('GET', '/beteiligung/registrieren')).body);
    const taken = await b2.go('POST', '/beteiligung/registrieren', { _csrf: c2, email: 'anna@example.org', password: PASSWORD });
    assert.deepEqual([taken.statusCode, taken.headers.location], [ok.statusCode, ok.headers.location], 'a taken address answers the same');
    const mails = await outbox('anna@example.org');
    assert.deepEqual(mails.map((m) => m.subject).sort(), ['Bitte bestätigen Sie Ihre E-Mail-Adresse', 'Sie haben bereits ein Konto']);
  });

  test('the link from the outbox confirms the address (GET shows a button, POST confirms once); then login', async () => {
    const mail = (await outbox('anna@example.org')).find((m) => m.subject.startsWith('Bitte bestätigen'))!;
    const link = /http:\/\/drehscheibe\.test(\/beteiligung\/registrieren\/bestaetigen\?token=[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const name = /Ihr Name auf der Plattform ist „([^“]+)“/.exec(mail.text)![1]!;
    assert.match(name, /^[A-ZÄÖÜa-zäöüß]+ \d+$/, 'a pseudonym');
    const page = await anna.go('GET', link);
    assert.equal(page.statusCode, 200);
    const token = /name="token" value="([^"]+)"/.exec(page.body)![1]!;
    const r = await anna.go('POST', '/beteiligung/registrieren/bestaetigen', { _csrf: Browser.csrf(page.body), token });
    assert.deepEqual([r.statusCode, r.headers.location], [303, '/anmelden?bestaetigt=1&returnTo=%2Fbeteiligung']);
    const twice = await anna.go('POST', '/beteiligung/registrieren/bestaetigen', { _csrf: Browser.csrf(page.body), token });
    assert.equal(twice.statusCode, 400);
    assert.match(twice.body, /unbekannt, abgelaufen oder wurde schon benutzt/);
    // The participation's login address leads to the portal's one login page, keeping where to go back to.
    const old = await anna.go('GET', '/beteiligung/anmelden?bestaetigt=1&zurueck=/beteiligung/radwege');
    assert.deepEqual([old.statusCode, old.headers.location], [303, '/anmelden?returnTo=%2Fbeteiligung%2Fradwege&bestaetigt=1']);
    assert.equal((await anna.go('GET', '/beteiligung/anmelden?zurueck=//evil.example')).headers.location, '/anmelden', 'no return to another site');
    const login = await anna.go('GET', old.headers.location!);
    assert.match(login.body, /Ihre E-Mail-Adresse ist bestätigt/);
    assert.match(login.body, /name="returnTo" value="\/beteiligung\/radwege"/);
    assert.match(login.body, /href="\/beteiligung\/registrieren">Konto anlegen<\/a>/);
    // A wrong password from a browser: the same page again with a German message at the field, not JSON.
    const wrong = await a.app.inject({ method: 'POST', url: '/konto/anmelden', payload: new URLSearchParams({ _csrf: Browser.csrf(login.body), email: 'anna@example.org', password: 'falsch-falsch-falsch', returnTo: '/beteiligung/radwege', _lang: 'de' }).toString(),
      headers: { cookie: anna.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml' } });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.headers['content-type'] as string, /^text\/html/);
    assert.match(wrong.body, /Die E-Mail-Adresse oder das Passwort ist falsch\./);
    assert.match(wrong.body, /value="anna@example.org"/, 'the address typed is kept');
    assert.match(wrong.body, /name="returnTo" value="\/beteiligung\/radwege"/);
    const li = await anna.go('POST', '/konto/anmelden', { _csrf: Browser.csrf(login.body), email: 'anna@example.org', password: PASSWORD, returnTo: '/beteiligung/radwege' });
    assert.deepEqual([li.statusCode, li.headers.location], [303, '/beteiligung/radwege']);
    const home = await anna.go('GET', '/beteiligung/radwege');
    assert.match(home.body, new RegExp(`Angemeldet als ${name}`));
  });

  test('a proposal: German messages at fields for bad input (nothing stored), then published as safe Markdown', async () => {
    const form = await anna.go('GET', '/beteiligung/radwege/neuer-vorschlag');
    assert.equal(form.statusCode, 200);
    const csrf = Browser.csrf(form.body);
    const bad = await anna.go('POST', '/beteiligung/radwege/neuer-vorschlag', { _csrf: csrf, title: '', body: 'x', category: 'Unsinn', lat: '52,9', lon: '7,2' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="title-error"[^>]*>.*Bitte geben Sie einen Titel ein/);
    assert.match(bad.body, /id="category-error"/);
    assert.match(bad.body, /id="lat-error"[^>]*>.*außerhalb des Gebiets/);
    assert.match(bad.body, /href="#title"/, 'the error summary links to the field');
    assert.equal((await a.app.inject({ url: '/api/participation/processes/radwege/proposals' })).json().total, 0);
    const ok = await anna.go('POST', '/beteiligung/radwege/neuer-vorschlag', {
      _csrf: csrf, title: 'Radweg an der Bahnhofstraße', category: 'Verkehr', lat: '51,5380', lon: '7,2196',
      body: 'Bitte **markieren**.\n\n<script>alert(1)</script> [Plan](https://example.org/plan) [böse](javascript:alert(1))',
    });
    assert.equal(ok.statusCode, 303, ok.body);
    proposalUrl = ok.headers.location!.split('?')[0]!;
    const page = await anna.go('GET', ok.headers.location!);
    assert.match(page.body, /<strong>markieren<\/strong>/);
    assert.doesNotMatch(page.body, /<script>alert/);
    assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(page.body, /<a href="https:\/\/example.org\/plan" rel="nofollow ugc">Plan<\/a>/);
    assert.doesNotMatch(page.body, /href="javascript:/);
    assert.match(page.body, /Ihr Vorschlag ist veröffentlicht/);
    assert.match(page.body, /Vorschlag bearbeiten/);
    assert.match(page.body, /Breite 51,53800, Länge 7,21960/);
  });

  test('support: counted once per person, withdrawable; who supports is never shown', async () => {
    const ben = citizen();
    await person(a.app, 'ben@example.org', [{ role: 'citizen' }], { displayName: 'Ben' });
    const lp = await ben.go('GET', '/anmelden');
    await ben.go('POST', '/konto/anmelden', { _csrf: Browser.csrf(lp.body), email: 'ben@example.org', password: PASSWORD });
    const page = await ben.go('GET', proposalUrl);
    const csrf = Browser.csrf(page.body);
    for (let i = 0; i < 3; i++) assert.equal((await ben.go('POST', `${proposalUrl}/unterstuetzen`, { _csrf: csrf, aktion: 'unterstuetzen' })).statusCode, 303);
    const after = await ben.go('GET', proposalUrl);
    assert.match(after.body, /1 Person unterstützt diesen Vorschlag/);
    assert.match(after.body, /Sie unterstützen diesen Vorschlag/);
    const anon = await citizen().go('GET', proposalUrl);
    assert.match(anon.body, /1 Person unterstützt/);
    assert.doesNotMatch(anon.body, /Ben/);
    const api = (await a.app.inject({ url: `/api/participation/proposals/${proposalUrl.split('/').pop()}` })).json();
    assert.equal(api.supportCount, 1);
    assert.equal(JSON.stringify(api).includes(steward.id) || 'authorId' in api || 'supporters' in api, false);
    await ben.go('POST', `${proposalUrl}/unterstuetzen`, { _csrf: csrf, aktion: 'zuruecknehmen' });
    assert.match((await ben.go('GET', proposalUrl)).body, /0 Personen unterstützen/);
  });

  test('a form without its CSRF token is refused (403) and changes nothing', async () => {
    const r = await anna.go('POST', `${proposalUrl}/kommentare`, { body: 'ohne Token' });
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /Das Formular ist abgelaufen/);
    const anon = await citizen().go('POST', `${proposalUrl}/kommentare`, { body: 'anonym' });
    assert.equal(anon.statusCode, 303, 'no session: to the login');
    assert.match(String(anon.headers.location), /^\/anmelden\?returnTo=/);
    assert.equal((await a.app.inject({ url: `/api/participation/proposals/${proposalUrl.split('/').pop()}` })).json().commentCount, 0);
  });

  test('comments in a thread; the proposal is no longer editable after the first', async () => {
    const page = await anna.go('GET', proposalUrl);
    const csrf = Browser.csrf(page.body);
    const empty = await anna.go('POST', `${proposalUrl}/kommentare`, { _csrf: csrf, body: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /id="body-error"[^>]*>.*Bitte schreiben Sie einen Kommentar/);
    const c = await anna.go('POST', `${proposalUrl}/kommentare`, { _csrf: csrf, body: 'Ergänzung: auch *nachts* beleuchten' });
    assert.equal(c.statusCode, 303);
    const cid = /#kommentar-(.+)$/.exec(c.headers.location!)![1]!;
    const reply = await anna.go('POST', `${proposalUrl}/kommentare`, { _csrf: csrf, body: 'Antwort darauf', parentId: cid });
    assert.equal(reply.statusCode, 303);
    const after = await anna.go('GET', proposalUrl);
    assert.match(after.body, /<em>nachts<\/em>/);
    assert.match(after.body, /comment-list--nested[\s\S]*Antwort darauf/);
    assert.doesNotMatch(after.body, /Sie können Ihren Vorschlag bearbeiten/);
    const edit = await anna.go('GET', `${proposalUrl}/bearbeiten`);
    assert.equal(edit.statusCode, 409);
  });

  test('a moderator hides a comment with a reason: others see it hidden, its author sees the reason and gets a mail', async () => {
    const comments = (await a.app.inject({ url: `/api/participation/proposals/${proposalUrl.split('/').pop()}/comments` })).json();
    const cid = comments.find((c: { body: string }) => c.body.includes('nachts')).id;
    const mod = new Browser(a);
    const lp = await mod.go('GET', '/anmelden');
    await mod.go('POST', '/konto/anmelden', { _csrf: Browser.csrf(lp.body), email: 'moderation@herne.de', password: PASSWORD });
    const page = await mod.go('GET', proposalUrl);
    assert.match(page.body, new RegExp(`action="${proposalUrl}/kommentare/${cid}/ausblenden"`));
    const noReason = await mod.go('POST', `${proposalUrl}/kommentare/${cid}/ausblenden`, { _csrf: Browser.csrf(page.body), reason: '' });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Bitte geben Sie eine Begründung an/);
    const hide = await mod.go('POST', `${proposalUrl}/kommentare/${cid}/ausblenden`, { _csrf: Browser.csrf(page.body), reason: 'Bitte sachlich bleiben' });
    assert.equal(hide.statusCode, 303);
    const other = await citizen().go('GET', proposalUrl);
    assert.match(other.body, /Dieser Kommentar wurde von der Moderation ausgeblendet/);
    assert.doesNotMatch(other.body, /nachts/);
    const own = await anna.go('GET', proposalUrl);
    assert.match(own.body, /Begründung: Bitte sachlich bleiben/);
    const mail = (await outbox('anna@example.org')).find((m) => m.subject === 'Ihr Kommentar wurde ausgeblendet');
    assert.ok(mail && /Bitte sachlich bleiben/.test(mail.text));
    const citizenTries = await anna.go('POST', `${proposalUrl}/kommentare/${cid}/wiederherstellen`, { _csrf: Browser.csrf(own.body) });
    assert.equal(citizenTries.statusCode, 403);
    void moderator;
  });

  test('reported content appears on the moderation page; citizens may not open it', async () => {
    const page = await anna.go('GET', proposalUrl);
    const comments = (await a.app.inject({ url: `/api/participation/proposals/${proposalUrl.split('/').pop()}/comments` })).json();
    const ben = new Browser(a);
    const lp = await ben.go('GET', '/anmelden');
    await ben.go('POST', '/konto/anmelden', { _csrf: Browser.csrf(lp.body), email: 'ben@example.org', password: PASSWORD });
    const bp = await ben.go('GET', proposalUrl);
    const target = comments.find((c: { body?: string }) => c.body === 'Antwort darauf').id;
    const r = await ben.go('POST', `${proposalUrl}/kommentare/${target}/melden`, { _csrf: Browser.csrf(bp.body), reason: 'Spam' });
    assert.equal(r.statusCode, 303);
    assert.equal((await anna.go('GET', '/verwaltung/beteiligung')).statusCode, 403);
    void page;
    const mod = new Browser(a);
    const mlp = await mod.go('GET', '/anmelden');
    await mod.go('POST', '/konto/anmelden', { _csrf: Browser.csrf(mlp.body), email: 'moderation@herne.de', password: PASSWORD });
    const list = await mod.go('GET', '/verwaltung/beteiligung');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Grund der Meldung:<\/strong> Spam/);
    const dismiss = await mod.go('POST', '/verwaltung/beteiligung/verwerfen', { _csrf: Browser.csrf(list.body), kind: 'comment', id: target });
    assert.equal(dismiss.statusCode, 303);
    assert.match((await mod.go('GET', '/verwaltung/beteiligung')).body, /Keine offenen Meldungen/);
  });

  test('the city answers a proposal: implemented needs an existing project; the answer is shown with its status', async () => {
    await a.app.inject({ method: 'POST', url: '/api/strategy/projects', headers: { 'x-api-key': a.operatorKey, 'content-type': 'application/json' }, payload: { slug: 'radverkehr', fieldId: 'mobilitaet', status: 'in_progress', title: { de: 'Radverkehr', en: 'Cycling' }, summary: { de: 'R', en: 'C' } } }).then(async (r) => {
      if (r.statusCode === 400) {
        const { loadStarter } = await import('../../src/strategy/index.ts');
        await loadStarter(a.app.drehscheibe.strategy);
        await a.app.inject({ method: 'POST', url: '/api/strategy/projects', headers: { 'x-api-key': a.operatorKey, 'content-type': 'application/json' }, payload: { slug: 'radverkehr', fieldId: 'mobilitaet', status: 'in_progress', title: { de: 'Radverkehr', en: 'Cycling' }, summary: { de: 'R', en: 'C' } } });
      }
    });
    const st = new Browser(a);
    const lp = await st.go('GET', '/anmelden');
    await st.go('POST', '/konto/anmelden', { _csrf: Browser.csrf(lp.body), email: 'redaktion@herne.de', password: PASSWORD });
    const page = await st.go('GET', proposalUrl);
    const csrf = Browser.csrf(page.body);
    const bad = await st.go('POST', `${proposalUrl}/antwort`, { _csrf: csrf, status: 'implemented', text: 'Erledigt', projectSlug: 'gibtsnicht' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="projectSlug-error"[^>]*>.*Ein Projekt mit dieser Kennung gibt es nicht/);
    const ok = await st.go('POST', `${proposalUrl}/antwort`, { _csrf: csrf, status: 'implemented', text: 'Der Radweg ist markiert.', projectSlug: 'radverkehr' });
    assert.equal(ok.statusCode, 303);
    const pub = await citizen().go('GET', proposalUrl);
    assert.match(pub.body, /Antwort der Stadt: Umgesetzt/);
    assert.match(pub.body, /Der Radweg ist markiert\./);
    assert.match(pub.body, /href="\/projekte\/radverkehr">Radverkehr</);
    const cost = await st.go('POST', `${proposalUrl}/kosten`, { _csrf: csrf, cost: '30000' });
    assert.equal(cost.statusCode, 303);
  });

  test('the budget: a ballot over the budget is refused with a message and nothing kept; one within is kept once; the result is published in the result phase', async () => {
    const store = a.app.participation!.store;
    const base = { processSlug: 'radwege', authorId: 'x', authorName: 'Fuchs 3', body: 'b', state: 'published' as const, supportCount: 0, commentCount: 0, createdAt: AT.participation!, modifiedAt: AT.participation! };
    await store.createProposal({ ...base, id: 'bank', title: 'Bänke', cost: 15_000 });
    await store.createProposal({ ...base, id: 'baum', title: 'Bäume', cost: 25_000 });
    clock.set(AT.voting!);
    const page = await anna.go('GET', '/beteiligung/radwege/buergerhaushalt');
    assert.equal(page.statusCode, 200);
    const csrf = Browser.csrf(page.body);
    const pid = proposalUrl.split('/').pop()!;
    const over = await anna.go('POST', '/beteiligung/radwege/buergerhaushalt', { _csrf: csrf, proposalIds: [pid, 'bank', 'baum'] });
    assert.equal(over.statusCode, 400);
    assert.match(over.body, /Ihre Auswahl kostet mehr als das Budget/);
    assert.equal(await store.getBallot('radwege', (await a.app.participation!.store.getProposal(pid))!.authorId), undefined);
    const none = await anna.go('POST', '/beteiligung/radwege/buergerhaushalt', { _csrf: csrf });
    assert.match(none.body, /Bitte wählen Sie mindestens einen Vorschlag/);
    const ok = await anna.go('POST', '/beteiligung/radwege/buergerhaushalt', { _csrf: csrf, proposalIds: [pid, 'bank'] });
    assert.equal(ok.statusCode, 303);
    const again = await anna.go('POST', '/beteiligung/radwege/buergerhaushalt', { _csrf: csrf, proposalIds: ['baum'] });
    assert.equal(again.statusCode, 409);
    const mine = await anna.go('GET', '/beteiligung/radwege/buergerhaushalt');
    assert.match(mine.body, /Sie haben abgestimmt \(45\.000\s€\)/);
    assert.match(mine.body, /Das Ergebnis wird mit der Ergebnisphase veröffentlicht/);
    clock.set(AT.result!);
    const result = await citizen().go('GET', '/beteiligung/radwege/buergerhaushalt');
    assert.match(result.body, /1 Personen haben abgestimmt/);
    assert.match(result.body, /Bänke<\/a><\/th><td[^>]*>15\.000\s€<\/td><td[^>]*>1<\/td><td[^>]*>Ja</);
    assert.match(result.body, /Bäume<\/a><\/th><td[^>]*>25\.000\s€<\/td><td[^>]*>0<\/td><td[^>]*>Nein</);
  });

  test('the list and process pages render in German and English with the phase in text', async () => {
    clock.set(AT.participation!);
    const de = await citizen().go('GET', '/beteiligung');
    assert.match(de.body, /<strong>Aktuelle Phase: Beteiligung<\/strong> bis [^<]*<br\/><span class="kern-body--small">Nächste Phase: Abstimmung ab /);
    assert.match(de.body, /<p>Worum es geht\.<\/p>/, 'the list says what each process is about');
    const en = await citizen().go('GET', '/en/participation/radwege?kategorie=Verkehr&sortierung=supports');
    assert.equal(en.statusCode, 200);
    assert.match(en.body, /Current phase: Participation/);
    assert.match(en.body, /Radweg an der Bahnhofstraße/);
    assert.match(en.body, /hreflang="de" href="\/beteiligung\/radwege"/);
    assert.equal((await citizen().go('GET', '/beteiligung/gibtsnicht')).statusCode, 404);
  });

  test('her data as JSON (no e-mail address, nobody else\'s), then she deletes her account: contributions stay as by „gelöschtes Konto“', async () => {
    const page = await anna.go('GET', '/beteiligung/meine-daten');
    assert.equal(page.statusCode, 200);
    const exp = await anna.go('GET', '/api/participation/me/export');
    assert.equal(exp.statusCode, 200);
    assert.match(String(exp.headers['content-disposition']), /attachment/);
    const data = exp.json();
    assert.equal(data.proposals.length, 1);
    assert.equal(data.proposals[0].title, 'Radweg an der Bahnhofstraße');
    assert.equal(data.comments.length, 2);
    assert.equal(data.ballots.length, 1);
    assert.doesNotMatch(exp.body, /anna@example\.org/);
    const wrong = await anna.go('POST', '/beteiligung/meine-daten', { _csrf: Browser.csrf(page.body), password: 'falsch-falsch-falsch' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /id="password-error"[^>]*>.*Das Passwort ist falsch/);
    const del = await anna.go('POST', '/beteiligung/meine-daten', { _csrf: Browser.csrf(page.body), password: PASSWORD });
    assert.deepEqual([del.statusCode, del.headers.location], [303, '/beteiligung?hinweis=deleted']);
    const pub = await citizen().go('GET', proposalUrl);
    assert.match(pub.body, /Von gelöschtes Konto/);
    assert.doesNotMatch(pub.body, /anna@example/);
    const again = await a.app.inject({ method: 'POST', url: '/konto/anmelden', payload: { email: 'anna@example.org', password: PASSWORD } });
    assert.equal(again.statusCode, 401);
    assert.equal((await a.app.participation!.store.personalData(data.account.id)).proposals.length, 0, 'nothing is left under her id');
  });

  test('the city\'s events as an iCalendar feed, linked from the list page', async () => {
    const list = await citizen().go('GET', '/beteiligung');
    assert.match(list.body, /href="\/api\/participation\/events.ics"/);
    const r = await a.app.inject({ url: '/api/participation/events.ics' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^text\/calendar/);
    assert.match(r.body, /^BEGIN:VCALENDAR\r\nVERSION:2.0\r\n[\s\S]*END:VCALENDAR\r\n$/);
  });
});
