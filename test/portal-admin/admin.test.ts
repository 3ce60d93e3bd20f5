// The administration pages over HTTP (inject, SQLite): who may see them (login redirect, 403
// page), every form valid and invalid with the German message at its field, CSRF, and that each
// action went through the same services as the admin API (checked through that API).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountsApp, browser, logIn, type AccountsApp, type Browser } from './support.ts';
import { loadStarter } from '../../src/strategy/index.ts';

describe('administration pages', () => {
  let t: AccountsApp;
  let op: Browser;
  let steward: Browser;
  let citizen: Browser;
  const api = (url: string) => t.app.inject({ url, headers: { 'x-api-key': t.operatorKey } });
  before(async () => {
    t = await accountsApp();
    await t.user('op@herne.de', [{ role: 'operator' }]);
    await t.user('steward@herne.de', [{ role: 'steward', tenants: ['herne'] }]);
    await t.user('citizen@herne.de');
    op = browser(t); steward = browser(t); citizen = browser(t);
    await logIn(op, 'op@herne.de');
    await logIn(steward, 'steward@herne.de');
    await logIn(citizen, 'citizen@herne.de');
  });
  after(async () => { await t.close(); });

  test('without a session every admin page redirects to the login page (German and English), coming back afterwards', async () => {
    const anon = browser(t);
    for (const [url, login] of [['/verwaltung', '/anmelden'], ['/verwaltung/benutzer', '/anmelden'], ['/en/admin/users', '/en/login'], ['/verwaltung/projekte', '/anmelden']]) {
      const r = await anon.get(url);
      assert.equal(r.statusCode, 303, url);
      assert.equal(r.headers.location, `${login}?returnTo=${encodeURIComponent(url)}`);
    }
    const post = await anon.post('/verwaltung/benutzer', { email: 'x@herne.de' }, { csrf: false });
    assert.equal(post.statusCode, 303);
  });

  test('a citizen gets the 403 page; a steward sees the overview with projects only and 403 on operator pages', async () => {
    const c = await citizen.get('/verwaltung');
    assert.equal(c.statusCode, 403);
    assert.match(c.body, /Kein Zugriff/);
    const s = await steward.get('/verwaltung');
    assert.equal(s.statusCode, 200);
    assert.match(s.body, /Projekte der Digitalstrategie/);
    assert.doesNotMatch(s.body, /API-Schlüssel/);
    assert.match(s.body, /href="\/verwaltung\/kennzahlen">Kennzahlen</, 'the other modules\' steward pages are linked too');
    assert.doesNotMatch(s.body, /Moderation der Beteiligung/);
    assert.equal((await steward.get('/verwaltung/benutzer')).statusCode, 403);
    assert.equal((await steward.get('/en/admin/api-keys')).statusCode, 403);
    const o = await op.get('/verwaltung');
    for (const section of ['Benutzer und Rollen', 'API-Schlüssel', 'Mandanten', 'Geräte und Dienstgruppen', 'Protokoll', 'Postausgang', 'Rückmeldungen zur Barrierefreiheit', 'Projekte der Digitalstrategie']) assert.match(o.body, new RegExp(section));
  });

  test('users: create (invalid → messages at the fields, kept values; taken address → 409), edit roles per tenant, disable, link, end sessions', async () => {
    const list = await op.get('/verwaltung/benutzer');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /op@herne\.de/);
    const bad = await op.post('/verwaltung/benutzer', { email: 'keine-adresse', displayName: 'Erika', password: 'kurz', role_steward: 'on', tenants_steward: 'herne, nicht erlaubt!' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="user-email-error"[^>]*>.*Geben Sie eine E-Mail-Adresse in der Form name@herne\.de ein\./);
    assert.match(bad.body, /id="user-password-error"[^>]*>.*Das Passwort muss mindestens 12 Zeichen lang sein\./);
    assert.match(bad.body, /id="user-tenants_steward-error"/);
    assert.match(bad.body, /value="Erika"/);
    assert.match(bad.body, /value="herne, nicht erlaubt!"/);
    const taken = await op.post('/verwaltung/benutzer', { email: 'citizen@herne.de' });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /Es gibt schon ein Konto mit dieser E-Mail-Adresse\./);
    const ok = await op.post('/verwaltung/benutzer', { email: 'erika@herne.de', displayName: 'Erika Muster', password: 'Ein-langes-Passwort-2030', role_steward: 'on', tenants_steward: 'herne, stadtwerke' });
    assert.equal(ok.statusCode, 303);
    const userUrl = (ok.headers.location as string).split('?')[0];
    const page = await op.get(ok.headers.location as string);
    assert.match(page.body, /Das Konto erika@herne\.de wurde angelegt\./);
    const users = (await api('/admin/users')).json() as Array<{ id: string; email: string; roles: unknown; disabledAt?: string }>;
    const erika = users.find((u) => u.email === 'erika@herne.de')!;
    assert.deepEqual(erika.roles, [{ role: 'steward', tenants: ['herne', 'stadtwerke'] }]);
    assert.equal(userUrl, `/verwaltung/benutzer/${erika.id}`);
    // Roles: operator everywhere plus moderator in herne.
    const roles = await op.post(userUrl, { action: 'roles', role_operator: 'on', tenants_operator: '', role_moderator: 'on', tenants_moderator: 'herne' });
    assert.equal(roles.statusCode, 303);
    assert.deepEqual(((await api(`/admin/users/${erika.id}`)).json() as { roles: unknown }).roles, [{ role: 'operator' }, { role: 'moderator', tenants: ['herne'] }]);
    const e = browser(t);
    await logIn(e, 'erika@herne.de', 'Ein-langes-Passwort-2030');
    assert.equal((await e.get('/konto')).statusCode, 200);
    const end = await op.post(userUrl, { action: 'endSessions' });
    assert.match(end.body, /1 Sitzung beendet\./);
    assert.equal((await e.get('/konto')).statusCode, 303, 'her session is over');
    assert.equal((await op.post(userUrl, { action: 'disable' })).statusCode, 303);
    assert.ok(((await api(`/admin/users/${erika.id}`)).json() as { disabledAt?: string }).disabledAt);
    assert.match((await op.get(`${userUrl}?ok=disabled`)).body, /Das Konto ist gesperrt/);
    assert.equal((await op.post(userUrl, { action: 'enable' })).statusCode, 303);
    assert.equal((await op.post(userUrl, { action: 'link' })).statusCode, 303);
    await t.app.drehscheibe.accounts.idle();
    const mails = (await api('/admin/outbox?to=erika@herne.de')).json() as unknown[];
    assert.equal(mails.length, 1);
    const noCsrf = await op.post(userUrl, { action: 'disable' }, { csrf: false });
    assert.equal(noCsrf.statusCode, 403);
    assert.match(noCsrf.body, /Das Formular ist abgelaufen/);
    assert.equal(((await api(`/admin/users/${erika.id}`)).json() as { disabledAt?: string }).disabledAt, undefined, 'nothing changed without the token');
  });

  test('API keys: create (invalid → messages at the fields), the secret shown once and working, list, revoke', async () => {
    const page = await op.get('/verwaltung/api-schluessel');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<td>admin<\/td>/);
    const bad = await op.post('/verwaltung/api-schluessel', { action: 'create', name: 'mit leerzeichen', role: 'kaiser', tenants: 'a b', expires: '2001-01-01' });
    assert.equal(bad.statusCode, 400);
    for (const id of ['key-name', 'key-role', 'key-tenants', 'key-expires']) assert.match(bad.body, new RegExp(`id="${id}-error"`), id);
    assert.match(bad.body, /value="mit leerzeichen"/);
    const ok = await op.post('/verwaltung/api-schluessel', { action: 'create', name: 'luftmessnetz', role: 'steward', tenants: 'herne', expires: '' });
    assert.equal(ok.statusCode, 201);
    const secret = /id="neuer-schluessel">(ds_[A-Za-z0-9_-]+)</.exec(ok.body)![1];
    assert.match(ok.body, /nur dieses eine Mal angezeigt/);
    const use = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'x-api-key': secret, 'ngsild-tenant': 'herne', 'content-type': 'application/json' }, payload: { id: 'urn:ngsi-ld:Thing:k1', type: 'Thing' } });
    assert.equal(use.statusCode, 201, 'the new key writes in its tenant');
    const list = await op.get('/verwaltung/api-schluessel');
    assert.doesNotMatch(list.body, new RegExp(secret), 'the list never shows the secret');
    const taken = await op.post('/verwaltung/api-schluessel', { action: 'create', name: 'luftmessnetz', role: 'steward' });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /Es gibt schon einen Schlüssel mit diesem Namen\./);
    const key = ((await api('/admin/api-keys')).json() as Array<{ id: string; name: string; createdBy: string }>).find((k) => k.name === 'luftmessnetz')!;
    assert.match(key.createdBy, /^user:/);
    const rev = await op.post('/verwaltung/api-schluessel', { action: 'revoke', id: key.id });
    assert.equal(rev.statusCode, 303);
    assert.match((await op.get(rev.headers.location as string)).body, /Der Schlüssel luftmessnetz ist widerrufen\./);
    const after = await t.app.inject({ url: '/ngsi-ld/v1/entities?type=Thing', headers: { 'x-api-key': secret, 'ngsild-tenant': 'herne' } });
    assert.equal(after.statusCode, 401);
  });

  test('devices: create a service group and a device (invalid → messages), a measurement over /iot/json shows as its last message; tenants list', async () => {
    const bad = await op.post('/verwaltung/geraete?tenant=herne', { action: 'createGroup', g_apikey: '', g_servicePath: 'kein-pfad', g_resource: '/iot/json' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="group-g_apikey-error"[^>]*>.*Dieses Feld ist nötig\./);
    assert.match(bad.body, /id="group-g_servicePath-error"/);
    const g = await op.post('/verwaltung/geraete?tenant=herne', { action: 'createGroup', g_apikey: 'umwelt-key', g_servicePath: '/umwelt', g_entity_type: 'AirQualityObserved', g_resource: '/iot/json' });
    assert.equal(g.statusCode, 303);
    const dup = await op.post('/verwaltung/geraete?tenant=herne', { action: 'createGroup', g_apikey: 'umwelt-key', g_servicePath: '/umwelt', g_resource: '/iot/json' });
    assert.equal(dup.statusCode, 409);
    const badDev = await op.post('/verwaltung/geraete?tenant=herne', { action: 'createDevice', d_device_id: 'luft-1', d_servicePath: '/umwelt', d_attributes: 'nur-zwei teile' });
    assert.equal(badDev.statusCode, 400);
    assert.match(badDev.body, /Jede Zeile braucht drei Angaben/);
    const d = await op.post('/verwaltung/geraete?tenant=herne', { action: 'createDevice', d_device_id: 'luft-1', d_servicePath: '/umwelt', d_entity_type: 'AirQualityObserved', d_apikey: 'umwelt-key', d_attributes: 'n no2 Number' });
    assert.equal(d.statusCode, 303);
    let page = await op.get(d.headers.location as string);
    assert.match(page.body, /Das Gerät ist angelegt\./);
    assert.match(page.body, /urn:ngsi-ld:AirQualityObserved:luft-1/);
    assert.match(page.body, /noch keine Nachricht/);
    const m = await t.app.inject({ method: 'POST', url: '/iot/json?k=umwelt-key&i=luft-1', headers: { 'content-type': 'application/json' }, payload: { n: 23.5 } });
    assert.ok(m.statusCode < 300, m.body);
    await t.app.drehscheibe.ingest.pipeline.drain();
    page = await op.get('/verwaltung/geraete?tenant=herne');
    assert.match(page.body, /<strong>sendet<\/strong>/);
    const prov = (await t.app.inject({ url: '/iot/devices/luft-1', headers: { 'x-api-key': t.operatorKey, 'fiware-service': 'herne', 'fiware-servicepath': '/umwelt' } })).json() as { ingest: { received: number } };
    assert.equal(prov.ingest.received, 1, 'the page and /iot/devices show the same counters');
    const tenants = await op.get('/verwaltung/mandanten');
    assert.equal(tenants.statusCode, 200);
    assert.match(tenants.body, /href="\/verwaltung\/geraete\?tenant=herne">herne<\/a>/);
    const badTenant = await op.get('/verwaltung/geraete?tenant=nicht%20ok');
    assert.equal(badTenant.statusCode, 400);
    const del = await op.post('/verwaltung/geraete?tenant=herne', { action: 'deleteDevice', servicePath: '/umwelt', id: 'luft-1' });
    assert.equal(del.statusCode, 303);
    assert.equal((await t.app.inject({ url: '/iot/devices/luft-1', headers: { 'x-api-key': t.operatorKey, 'fiware-service': 'herne', 'fiware-servicepath': '/umwelt' } })).statusCode, 404);
  });

  test('audit log: page actions are recorded with the person; filter by action; invalid date → message; pages', async () => {
    const all = await op.get('/verwaltung/protokoll');
    assert.equal(all.statusCode, 200);
    assert.match(all.body, /POST \/verwaltung\/api-schluessel/);
    const f = await op.get('/verwaltung/protokoll?action=%2Fverwaltung%2Fbenutzer&principal=');
    assert.match(f.body, /POST \/verwaltung\/benutzer/);
    assert.doesNotMatch(f.body, /POST \/verwaltung\/api-schluessel/);
    const bad = await op.get('/verwaltung/protokoll?since=gestern');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Geben Sie ein Datum im Format JJJJ-MM-TT ein\./);
    const en = await op.get('/en/admin/audit?offset=0');
    assert.match(en.body, /<html lang="en"/);
  });

  test('outbox and feedback pages show what the services hold', async () => {
    const out = await op.get('/verwaltung/postausgang');
    assert.equal(out.statusCode, 200);
    assert.match(out.body, /erika@herne\.de/);
    await t.app.drehscheibe.strategy.addFeedback({ lang: 'de', message: 'Der Kontrast der Karte ist zu schwach.', page: '/daten/live' });
    const fb = await op.get('/verwaltung/rueckmeldungen');
    assert.match(fb.body, /Der Kontrast der Karte ist zu schwach\./);
    assert.equal((await steward.get('/verwaltung/rueckmeldungen')).statusCode, 403);
  });

  test('project editor: a steward creates a project (invalid → German messages at the fields), sees it public, edits and deletes it', async () => {
    await loadStarter(t.app.drehscheibe.strategy);
    const form = await steward.get('/verwaltung/neues-projekt');
    assert.equal(form.statusCode, 200);
    const bad = await steward.post('/verwaltung/neues-projekt', { action: 'save', slug: 'Nicht Gültig', fieldId: '', 'title.de': '', status: 'idea', start: '2026-13', location: '7,2', lat: '' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="project-location-error"/);
    const bad2 = await steward.post('/verwaltung/neues-projekt', { action: 'save', slug: 'Nicht Gültig', fieldId: '', 'title.de': '', status: 'idea', start: '2026-13' });
    assert.equal(bad2.statusCode, 400);
    assert.match(bad2.body, /id="project-slug-error"[^>]*>.*Die Adresse besteht aus 1 bis 64 Kleinbuchstaben/);
    assert.match(bad2.body, /id="project-fieldId-error"/);
    assert.match(bad2.body, /id="project-title-de-error"[^>]*>.*Geben Sie einen deutschen Titel ein/);
    assert.match(bad2.body, /id="project-start-error"/);
    assert.match(bad2.body, /value="Nicht Gültig"/);
    const ok = await steward.post('/verwaltung/neues-projekt', { action: 'save', slug: 'trinkbrunnen', fieldId: 'energie-umwelt', 'title.de': 'Trinkbrunnen in der Innenstadt', 'title.en': 'Drinking fountains', 'summary.de': 'Wasser für alle.', status: 'planning', organisationId: '', start: '2027-03', location: '7,2194', lat: '51,5389', entityTypes: 'WaterQualityObserved' });
    assert.equal(ok.statusCode, 303, ok.body);
    assert.equal(ok.headers.location, '/verwaltung/projekte/trinkbrunnen?ok=created');
    const pub = await t.app.inject({ url: '/projekte/trinkbrunnen' });
    assert.equal(pub.statusCode, 200);
    assert.match(pub.body, /Trinkbrunnen in der Innenstadt/);
    const viaApi = (await t.app.inject({ url: '/api/strategy/projects/trinkbrunnen' })).json() as { location: unknown; start: string };
    assert.deepEqual(viaApi.location, { type: 'Point', coordinates: [7.2194, 51.5389] });
    const dup = await steward.post('/verwaltung/neues-projekt', { action: 'save', slug: 'trinkbrunnen', fieldId: 'energie-umwelt', 'title.de': 'Doppelt', status: 'idea' });
    assert.equal(dup.statusCode, 409);
    assert.match(dup.body, /Es gibt schon ein Projekt mit dieser Adresse\./);
    const edit = await steward.get('/verwaltung/projekte/trinkbrunnen');
    assert.match(edit.body, /value="Trinkbrunnen in der Innenstadt"/);
    const saved = await steward.post('/verwaltung/projekte/trinkbrunnen', { action: 'save', fieldId: 'energie-umwelt', 'title.de': 'Trinkbrunnen', status: 'in_progress', end: '2020-01' , start: '2027-03' });
    assert.equal(saved.statusCode, 400);
    assert.match(saved.body, /nicht vor dem Beginn/);
    const saved2 = await steward.post('/verwaltung/projekte/trinkbrunnen', { action: 'save', fieldId: 'energie-umwelt', 'title.de': 'Trinkbrunnen', status: 'in_progress' });
    assert.equal(saved2.statusCode, 303);
    assert.equal(((await t.app.inject({ url: '/api/strategy/projects/trinkbrunnen' })).json() as { status: string }).status, 'in_progress');
    assert.equal((await citizen.post('/verwaltung/projekte/trinkbrunnen', { action: 'delete' })).statusCode, 403);
    const del = await steward.post('/verwaltung/projekte/trinkbrunnen', { action: 'delete' });
    assert.equal(del.statusCode, 303);
    assert.match((await steward.get(del.headers.location as string)).body, /Das Projekt „Trinkbrunnen“ ist gelöscht\./);
    assert.equal((await t.app.inject({ url: '/api/strategy/projects/trinkbrunnen' })).statusCode, 404);
    assert.equal((await steward.get('/verwaltung/projekte/gibt-es-nicht')).statusCode, 404);
  });
});
