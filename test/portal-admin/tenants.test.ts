// Tenants: create and delete through the admin API and the pages (one TenantService). A deletion
// names what it removes, removes entities, history, subscriptions, devices and service groups of
// that tenant only, is audit-logged, needs the typed name for the city's tenant, and is refused
// while KPIs or catalogue datasets use the tenant (naming them). Runs on the
// engine of TEST_ENGINE (sqlite, or postgres with TEST_PG_URL).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountsApp, browser, logIn, type AccountsApp, type Browser } from './support.ts';
import { loadStarter } from '../../src/strategy/index.ts';

describe('tenants: create and delete (API and pages)', () => {
  let t: AccountsApp;
  let op: Browser;
  const call = (method: string, url: string, opts: { tenant?: string; payload?: unknown; servicePath?: string } = {}) => t.app.inject({
    method: method as 'GET', url, payload: opts.payload as string,
    headers: {
      'x-api-key': t.operatorKey,
      ...(opts.payload !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.tenant !== undefined ? { 'ngsild-tenant': opts.tenant, 'fiware-service': opts.tenant, 'fiware-servicepath': opts.servicePath ?? '/' } : {}),
    },
  });

  /** An entity with two observed values (history), a subscription, a service group and a device (with its own entity) in `tenant`. */
  async function fill(tenant: string, n: string): Promise<void> {
    const id = `urn:ngsi-ld:AirQualityObserved:${n}`;
    let r = await call('POST', '/ngsi-ld/v1/entities', { tenant, payload: { id, type: 'AirQualityObserved', no2: { type: 'Property', value: 20, observedAt: '2026-12-01T10:00:00Z' } } });
    assert.equal(r.statusCode, 201, r.body);
    r = await call('PATCH', `/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs`, { tenant, payload: { no2: { type: 'Property', value: 25, observedAt: '2026-12-01T11:00:00Z' } } });
    assert.equal(r.statusCode, 204, r.body);
    r = await call('POST', '/ngsi-ld/v1/subscriptions', { tenant, payload: { type: 'Subscription', entities: [{ type: 'AirQualityObserved' }], watchedAttributes: ['no2'], notification: { endpoint: { uri: 'http://example.org/notify' } } } });
    assert.equal(r.statusCode, 201, r.body);
    r = await call('POST', '/iot/services', { tenant, servicePath: '/umwelt', payload: { services: [{ apikey: `key-${n}`, resource: '/iot/json', entity_type: 'AirQualityObserved' }] } });
    assert.equal(r.statusCode, 201, r.body);
    r = await call('POST', '/iot/devices', { tenant, servicePath: '/umwelt', payload: { devices: [{ device_id: `dev-${n}`, entity_type: 'AirQualityObserved', attributes: [{ object_id: 'n', name: 'no2', type: 'Number' }] }] } });
    assert.equal(r.statusCode, 201, r.body);
  }

  before(async () => {
    t = await accountsApp();
    await t.user('op@herne.de', [{ role: 'operator' }]);
    op = browser(t);
    await logIn(op, 'op@herne.de');
  });
  after(async () => { await t.close(); });

  test('POST /admin/tenants: invalid name → 400, new → 201 with empty contents, again → 409; listed by GET /admin/tenants and on the page', async () => {
    const bad = await call('POST', '/admin/tenants', { payload: { name: 'nicht erlaubt!' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.headers['content-type'] as string, /application\/problem\+json/);
    assert.match((bad.json() as { detail: string }).detail, /letters, digits, _ or -/);
    const ok = await call('POST', '/admin/tenants', { payload: { name: 'leer' } });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.headers.location, '/admin/tenants/leer');
    assert.deepEqual(ok.json(), { name: 'leer', entities: 0, historyEntities: 0, historyInstances: 0, subscriptions: 0, devices: 0, serviceGroups: 0, kpis: 0, datasets: 0, portal: false });
    assert.equal((await call('POST', '/admin/tenants', { payload: { name: 'leer' } })).statusCode, 409);
    const list = (await call('GET', '/admin/tenants')).json() as Array<{ name: string }>;
    assert.ok(list.some((x) => x.name === 'leer'));
    assert.match((await op.get('/verwaltung/mandanten')).body, /href="\/verwaltung\/geraete\?tenant=leer">leer<\/a>/);
    // An empty tenant exists for NGSI-LD (no NonexistentTenant).
    assert.equal((await call('GET', '/ngsi-ld/v1/entities?type=AirQualityObserved', { tenant: 'leer' })).statusCode, 200);
  });

  test('page: create with a German message at the field (value kept), taken → 409, created → notice', async () => {
    const bad = await op.post('/verwaltung/mandanten', { name: 'mit leerzeichen' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="tenant-name-error"[^>]*>.*Der Name darf nur Buchstaben \(A–Z, a–z\), Ziffern, _ und - enthalten/s);
    assert.match(bad.body, /value="mit leerzeichen"/);
    assert.match(bad.body, /href="#tenant-name"/, 'the error summary links to the field');
    const empty = await op.post('/verwaltung/mandanten', { name: '' });
    assert.match(empty.body, /Geben Sie einen Namen für den Mandanten ein\./);
    const ok = await op.post('/verwaltung/mandanten', { name: 'verkehr' });
    assert.equal(ok.statusCode, 303);
    assert.match((await op.get(ok.headers.location as string)).body, /Der Mandant „verkehr“ wurde angelegt\./);
    const taken = await op.post('/verwaltung/mandanten', { name: 'verkehr' });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /Diesen Mandanten gibt es schon\./);
    const en = await op.post('/en/admin/tenants', { name: 'x y' });
    assert.match(en.body, /The name may only contain letters/);
  });

  test('deleting a tenant: the confirmation page names what goes; afterwards nothing of it is left, other tenants keep theirs, the audit log has it', async () => {
    await fill('abriss', 'a1');
    await fill('bleibt', 'b1');
    const contents = (await call('GET', '/admin/tenants/abriss')).json();
    assert.deepEqual(contents, { name: 'abriss', entities: 2, historyEntities: 2, historyInstances: 2, subscriptions: 1, devices: 1, serviceGroups: 1, kpis: 0, datasets: 0, portal: false });
    const page = await op.get('/verwaltung/mandanten/abriss');
    assert.equal(page.statusCode, 200);
    for (const line of ['2 Entitäten', '2 Verlaufswerte \\(zeitliche Daten\\) von 2 Entitäten', '1 Abonnement', '1 Gerät und 1 Dienstgruppe']) assert.match(page.body, new RegExp(`<li>${line}</li>`), line);
    assert.doesNotMatch(page.body, /tenant-confirm/, 'no name to type for an ordinary tenant');
    assert.match((await op.get('/verwaltung/mandanten')).body, /href="\/verwaltung\/mandanten\/abriss" aria-label="Mandant abriss löschen …"/);

    const del = await op.post('/verwaltung/mandanten/abriss', {});
    assert.equal(del.statusCode, 303);
    assert.match((await op.get(del.headers.location as string)).body, /Der Mandant „abriss“ und alle seine Daten wurden gelöscht\./);

    assert.deepEqual(await t.storage.tenants.usage('abriss'), { entities: 0, historyEntities: 0, historyInstances: 0 });
    assert.ok(!(await t.storage.entities.listTenants()).includes('abriss'));
    assert.equal((await call('GET', '/admin/tenants/abriss')).statusCode, 404);
    assert.equal((await call('GET', '/ngsi-ld/v1/entities?type=AirQualityObserved', { tenant: 'abriss' })).statusCode, 404, 'NonexistentTenant');
    assert.equal((await call('GET', '/ngsi-ld/v1/subscriptions', { tenant: 'abriss' })).statusCode, 404);
    assert.deepEqual(((await call('GET', '/iot/devices', { tenant: 'abriss', servicePath: '/umwelt' })).json() as { devices: unknown[] }).devices, []);
    assert.deepEqual(((await call('GET', '/iot/services', { tenant: 'abriss', servicePath: '/umwelt' })).json() as { services: unknown[] }).services, []);
    assert.equal((await t.app.inject({ method: 'POST', url: '/iot/json?k=key-a1&i=dev-a1', headers: { 'content-type': 'application/json' }, payload: { n: 1 } })).statusCode >= 400, true, 'its devices no longer send');
    assert.equal(await (await op.get('/verwaltung/mandanten/abriss')).statusCode, 404);

    assert.deepEqual((await call('GET', '/admin/tenants/bleibt')).json(), { name: 'bleibt', entities: 2, historyEntities: 2, historyInstances: 2, subscriptions: 1, devices: 1, serviceGroups: 1, kpis: 0, datasets: 0, portal: false });
    const hist = await call('GET', `/ngsi-ld/v1/temporal/entities/${encodeURIComponent('urn:ngsi-ld:AirQualityObserved:b1')}`, { tenant: 'bleibt' });
    assert.equal(hist.statusCode, 200);

    await t.app.drehscheibe.auth.audit?.flush();
    const audit = (await call('GET', '/admin/audit?action=mandanten')).json() as Array<{ target: string; status: number; principal: string }>;
    assert.ok(audit.some((e) => e.target === 'tenant:abriss' && e.status === 303 && e.principal.startsWith('user:')), JSON.stringify(audit));

    // The name can be used again: a new entity brings the tenant back, without the old data.
    const again = await call('POST', '/ngsi-ld/v1/entities', { tenant: 'abriss', payload: { id: 'urn:ngsi-ld:AirQualityObserved:a2', type: 'AirQualityObserved', no2: { type: 'Property', value: 1, observedAt: '2026-12-02T10:00:00Z' } } });
    assert.equal(again.statusCode, 201);
    assert.ok((await t.storage.entities.listTenants()).includes('abriss'));
    assert.deepEqual(await t.storage.tenants.usage('abriss'), { entities: 1, historyEntities: 1, historyInstances: 1 });
    const api = await call('DELETE', '/admin/tenants/abriss');
    assert.equal(api.statusCode, 200);
    assert.equal((api.json() as { entities: number }).entities, 1);
    assert.equal((await call('DELETE', '/admin/tenants/abriss')).statusCode, 404);
  });

  test('the city\'s tenant is deleted only with its name typed (page: German message at the field; API: 409 until confirm=herne)', async () => {
    await fill('herne', 'h1');
    const page = await op.get('/verwaltung/mandanten/herne');
    assert.match(page.body, /Das ist der Mandant der Stadt/);
    assert.match(page.body, /id="tenant-confirm"/);
    const wrong = await op.post('/verwaltung/mandanten/herne', { confirm: 'Herne' });
    assert.equal(wrong.statusCode, 409);
    assert.match(wrong.body, /id="tenant-confirm-error"[^>]*>.*Geben Sie zur Bestätigung genau „herne“ ein\./s);
    assert.match(wrong.body, /value="Herne"/);
    const en = await op.post('/en/admin/tenants/herne', {});
    assert.match(en.body, /To confirm, type exactly &quot;herne&quot;\./);
    const refused = await call('DELETE', '/admin/tenants/herne');
    assert.equal(refused.statusCode, 409);
    assert.equal((refused.json() as { type: string }).type, 'https://drehscheibe.dev/errors/ConfirmationRequired');
    assert.equal((await call('GET', '/admin/tenants/herne')).json().entities, 2, 'nothing deleted');
    assert.equal((await call('DELETE', '/admin/tenants/herne?force=1')).statusCode, 400);
    const ok = await op.post('/verwaltung/mandanten/herne', { confirm: 'herne' });
    assert.equal(ok.statusCode, 303);
    assert.equal((await call('GET', '/admin/tenants/herne')).statusCode, 404);
  });

  test('a tenant that KPIs or catalogue datasets use is not deleted: API 409 TenantInUse naming them, the page lists them with links and has no delete button; once they are gone it is', async () => {
    await loadStarter(t.app.drehscheibe.strategy);
    await fill('genutzt', 'g1');
    const kpi = await call('POST', '/api/strategy/kpis', { payload: { id: 'genutzt-no2', name: { de: 'NO₂-Stationen', en: 'NO₂ stations' }, selection: { tenant: 'genutzt', type: 'AirQualityObserved' }, reduction: { kind: 'count' } } });
    assert.equal(kpi.statusCode, 201, kpi.body);
    const ds = await call('POST', '/api/catalog/datasets', { payload: {
      id: 'genutzt-luft', tenant: 'genutzt', title: { de: 'Luft', en: 'Air' }, description: { de: 'Messwerte' }, publisherId: 'stadt-herne', licence: 'dl-by-de/2.0', themes: ['ENVI'], keywords: [],
      live: { tenant: 'genutzt', type: 'AirQualityObserved' }, distributions: [],
    } });
    assert.equal(ds.statusCode, 201, ds.body);
    const contents = (await call('GET', '/admin/tenants/genutzt')).json() as { kpis: number; datasets: number };
    assert.equal(contents.kpis, 1);
    assert.equal(contents.datasets, 1);

    const refused = await call('DELETE', '/admin/tenants/genutzt');
    assert.equal(refused.statusCode, 409);
    const p = refused.json() as { type: string; detail: string };
    assert.equal(p.type, 'https://drehscheibe.dev/errors/TenantInUse');
    assert.match(p.detail, /1 KPI: genutzt-no2 \(reads its entities there\)/);
    assert.match(p.detail, /1 catalogue dataset: genutzt-luft \(managed by its stewards, live data from there\)/);
    assert.equal((await call('GET', '/admin/tenants/genutzt')).json().entities, 2, 'nothing deleted');

    const page = await op.get('/verwaltung/mandanten/genutzt');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Dieser Mandant wird noch verwendet/);
    assert.match(page.body, /<a class="kern-link" href="\/verwaltung\/kennzahlen\/genutzt-no2">Kennzahl „genutzt-no2“<\/a>: liest ihre Daten aus diesem Mandanten/);
    assert.match(page.body, /<a class="kern-link" href="\/verwaltung\/datensaetze\/genutzt-luft">Datensatz „genutzt-luft“<\/a>: wird von den Redakteurinnen und Redakteuren dieses Mandanten verwaltet, zeigt Live-Daten aus diesem Mandanten/);
    assert.doesNotMatch(page.body, /Endgültig löschen/, 'no delete button while it is in use');
    const post = await op.post('/verwaltung/mandanten/genutzt', {});
    assert.equal(post.statusCode, 409);
    assert.match(post.body, /Dieser Mandant wird noch verwendet/);
    assert.match((await op.get('/en/admin/tenants/genutzt')).body, /KPI &quot;genutzt-no2&quot;<\/a>: reads its data from this tenant/);

    // Every KPI writes its value into the city's tenant: it is in use as long as any KPI exists.
    assert.equal((await call('POST', '/admin/tenants', { payload: { name: 'herne' } })).statusCode, 201);
    const city = await call('DELETE', '/admin/tenants/herne?confirm=herne');
    assert.equal(city.statusCode, 409);
    assert.match((city.json() as { detail: string }).detail, /genutzt-no2 \(writes its value there\)/);

    assert.equal((await call('DELETE', '/api/strategy/kpis/genutzt-no2')).statusCode, 204);
    assert.equal((await call('DELETE', '/api/catalog/datasets/genutzt-luft')).statusCode, 204);
    assert.equal((await call('DELETE', '/admin/tenants/genutzt')).statusCode, 200);
    assert.equal((await call('GET', '/admin/tenants/genutzt')).statusCode, 404);
  });
});
