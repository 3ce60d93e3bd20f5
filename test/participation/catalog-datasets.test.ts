// Participation processes as catalogue datasets (issue #18: open data "listed there as datasets"):
// each process is a published dataset whose distributions link to its exports, found by the
// catalogue's search, shown on its dataset page, in DCAT-AP.de and the CKAN API, kept in step when a
// process is opened or replaced and reconciled at start. SQLite and (with TEST_PG_URL) PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { loadStarter } from '../../src/strategy/index.ts';
import { ALL_VIEWER } from '../../src/catalog/index.ts';
import type { Process } from '../../src/participation/index.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';
import { AT, T0, as, hourly, person, type Who } from './support.ts';

const ENGINES: Array<{ name: string; skip: string | false; env: () => Record<string, string> }> = [
  { name: 'sqlite', skip: false, env: () => ({}) },
  { name: 'postgres', skip: PG_SKIP, env: () => ({ DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: freshSchema() }) },
];
const BASE = 'http://drehscheibe.test';
const local = (url: string) => url.slice(BASE.length);

test('DREHSCHEIBE_OPEN_DATA_LICENCE must be a licence of the DCAT-AP.de vocabulary', () => {
  assert.throws(() => loadConfig({ DREHSCHEIBE_OPEN_DATA_LICENCE: 'frei' }), /DREHSCHEIBE_OPEN_DATA_LICENCE: expected a licence id/);
  assert.equal(loadConfig({}).catalog.openDataLicence, 'dl-by-de/2.0');
  assert.throws(() => loadConfig({ DREHSCHEIBE_OPEN_DATA_CONTRIBUTORS: 'openNRW' }), /DREHSCHEIBE_OPEN_DATA_CONTRIBUTORS: expected comma-separated IRIs/);
});

for (const engine of ENGINES) {
  describe(`participation processes as catalogue datasets: ${engine.name}`, { skip: engine.skip }, () => {
    let t: TestApp;
    let env: Record<string, string>;
    const clock = fixedClock(AT.participation!);
    let steward: Who, anna: Who;
    const api = (method: string, url: string, who?: Who, payload?: unknown) => t.app.inject({ method: method as 'GET', url: `/api/participation${url}`, headers: as(who), ...(payload === undefined ? {} : { payload: payload as object }) });

    before(async () => {
      env = { ...engine.env(), DREHSCHEIBE_PUBLIC_URL: BASE, DREHSCHEIBE_OPEN_DATA_LICENCE: 'dl-zero-de/2.0', DREHSCHEIBE_OPEN_DATA_CONTRIBUTORS: 'http://dcat-ap.de/def/contributors/openNRW' };
      t = await testApp(env, { clock });
      await loadStarter(t.app.drehscheibe.strategy);
      steward = await person(t.app, 'stadt@herne.de', [{ role: 'steward' }], { displayName: 'Stadt Herne' });
      anna = await person(t.app, 'anna.mueller@example.org', [{ role: 'citizen' }], { displayName: 'Eule 417' });
      const created = await api('POST', '/processes', steward, hourly('radwege', { title: { de: 'Radwege in Wanne', en: 'Cycle lanes in Wanne' }, categories: ['Verkehr', 'Sicherheit'], projectSlug: 'digitale-buergerbeteiligung' } as never));
      assert.equal(created.statusCode, 201, created.body);
      const p = await api('POST', '/processes/radwege/proposals', anna, { title: 'Radweg an der Hauptstraße', body: 'Bitte markieren.', category: 'Verkehr', lat: 51.53, lon: 7.16 });
      assert.equal(p.statusCode, 201, p.body);
    });
    after(async () => {
      await t?.close();
      if (env?.DREHSCHEIBE_PG_SCHEMA) await dropSchema(env.DREHSCHEIBE_PG_SCHEMA);
    });

    test('an opened process is a published dataset: the city, the configured licence, themes, keywords, phases, area', async () => {
      const r = await t.app.inject({ url: '/api/catalog/datasets/beteiligung-radwege' });
      assert.equal(r.statusCode, 200, r.body);
      const ds = r.json();
      assert.equal(ds.state, 'published');
      assert.equal(ds.title.de, 'Bürgerbeteiligung: Radwege in Wanne');
      assert.equal(ds.title.en, 'Citizen participation: Cycle lanes in Wanne');
      assert.match(ds.description.de, /^Worum es geht\.\n\nOffene Daten des Beteiligungsverfahrens/);
      assert.equal(ds.publisherId, 'stadt-herne', 'the organisation of kind "city administration"');
      assert.deepEqual(ds.contactPoint, { organisationId: 'stadt-herne', url: `${BASE}/beteiligung/radwege` });
      assert.equal(ds.licence, 'dl-zero-de/2.0');
      assert.deepEqual(ds.themes, ['SOCI', 'GOVE']);
      for (const k of ['Bürgerbeteiligung', 'Bürgerhaushalt', 'Verkehr', 'Sicherheit']) assert.ok(ds.keywords.includes(k), k);
      assert.deepEqual(ds.temporal, { start: T0, end: new Date(Date.parse(T0) + 5 * 3_600_000).toISOString() });
      assert.equal(ds.spatial.geometry.type, 'Polygon');
      assert.deepEqual(ds.spatial.geometry.coordinates[0][0], [7.1, 51.45]);
      assert.equal(ds.projectSlug, 'digitale-buergerbeteiligung');
      assert.equal(ds.landingPage, `${BASE}/beteiligung/radwege`);
      assert.deepEqual(ds.distributions.map((x: { id: string; format: string }) => `${x.id}:${x.format}`), ['json:JSON', 'vorschlaege-csv:CSV', 'kommentare-csv:CSV']);
      assert.equal(ds.tenant, 'herne', 'managed in the portal\'s city tenant');
      assert.ok(!JSON.stringify(ds).includes('example.org'), 'no e-mail address');
    });

    test('its download URLs are the export routes and give the current public contributions', async () => {
      const ds = (await t.app.inject({ url: '/api/catalog/datasets/beteiligung-radwege' })).json();
      const [json, props, comments] = ds.distributions as Array<{ downloadUrl: string; accessUrl: string }>;
      assert.equal(json!.downloadUrl, `${BASE}/api/participation/processes/radwege/export.json`);
      const j = await t.app.inject({ url: local(json!.downloadUrl) });
      assert.equal(j.statusCode, 200);
      assert.equal(j.json().proposals[0].title, 'Radweg an der Hauptstraße');
      assert.equal(j.json().proposals[0].authorName, 'Eule 417');
      const c = await t.app.inject({ url: local(props!.downloadUrl) });
      assert.equal(c.statusCode, 200);
      assert.match(c.headers['content-type'] as string, /^text\/csv/);
      assert.match(c.body, /^id,title,body,category/);
      assert.match(c.body, /Radweg an der Hauptstraße/);
      assert.match((await t.app.inject({ url: local(comments!.downloadUrl) })).body, /^id,proposalId,parentId,authorName/);
    });

    test('found by the catalogue\'s German search and its filters', async () => {
      const hits = (q: string) => t.app.inject({ url: `/api/catalog/datasets?${q}` }).then((r) => (r.json().datasets as Array<{ id: string }>).map((d) => d.id));
      assert.ok((await hits('q=Buergerbeteiligung%20Radwege')).includes('beteiligung-radwege'));
      assert.ok((await hits('theme=SOCI&licence=dl-zero-de/2.0&keyword=B%C3%BCrgerhaushalt')).includes('beteiligung-radwege'));
      assert.ok((await hits('project=digitale-buergerbeteiligung&format=CSV')).includes('beteiligung-radwege'));
      assert.ok(!(await hits('theme=ENVI')).includes('beteiligung-radwege'));
    });

    test('the dataset page, DCAT-AP.de and the CKAN API show it like any other dataset', async () => {
      const page = await t.app.inject({ url: '/daten/datensatz/beteiligung-radwege' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Bürgerbeteiligung: Radwege in Wanne/);
      assert.match(page.body, /api\/participation\/processes\/radwege\/proposals\.csv/);
      const ttl = await t.app.inject({ url: '/catalog/datasets/beteiligung-radwege.ttl' });
      assert.equal(ttl.statusCode, 200);
      assert.ok(ttl.body.includes(`<${BASE}/api/participation/processes/radwege/export.json>`), 'downloadURL in RDF');
      assert.match(ttl.body, /data-theme\/SOCI/);
      assert.match(ttl.body, /dct:temporal/);
      assert.match(ttl.body, /contributors\/openNRW/, 'the configured contributor id');
      const harvest = await t.app.inject({ url: '/catalog.ttl?limit=1000' });
      assert.ok(harvest.body.includes(`${BASE}/catalog/datasets/beteiligung-radwege>`));
      const show = (await t.app.inject({ url: '/api/3/action/package_show?id=beteiligung-radwege' })).json();
      assert.equal(show.success, true);
      assert.equal(show.result.organization.name, 'stadt-herne');
      assert.deepEqual(show.result.resources.map((x: { url: string }) => local(x.url)), ['/api/participation/processes/radwege/export.json', '/api/participation/processes/radwege/proposals.csv', '/api/participation/processes/radwege/comments.csv']);
      const search = (await t.app.inject({ url: '/api/3/action/package_search?fq=tags:buergerbeteiligung' })).json();
      assert.deepEqual(search.result.results.map((x: { name: string }) => x.name), ['beteiligung-radwege']);
    });

    test('a replaced process changes its dataset at once; an unchanged one is not written again', async () => {
      const before = (await t.app.inject({ url: '/api/catalog/datasets/beteiligung-radwege' })).json();
      clock.set(new Date(Date.parse(AT.participation!) + 60_000));
      const r = await api('PUT', '/processes/radwege', steward, hourly('radwege', { title: { de: 'Sichere Radwege in Wanne', en: '' }, categories: ['Verkehr', 'Beleuchtung'], projectSlug: 'digitale-buergerbeteiligung' } as never));
      assert.equal(r.statusCode, 200, r.body);
      const after = (await t.app.inject({ url: '/api/catalog/datasets/beteiligung-radwege' })).json();
      assert.equal(after.title.de, 'Bürgerbeteiligung: Sichere Radwege in Wanne');
      assert.equal(after.title.en, undefined, 'no English title when the process has none');
      assert.ok(after.keywords.includes('Beleuchtung') && !after.keywords.includes('Sicherheit'));
      assert.equal(after.issued, before.issued, 'first publication kept');
      assert.ok(after.modified > before.modified);
      assert.equal(after.createdAt, before.createdAt, 'the harvest position is kept');
      clock.set(new Date(Date.parse(AT.participation!) + 120_000));
      assert.deepEqual(await t.app.participation!.datasets!.syncAll(), { created: 0, updated: 0, removed: 0 });
      assert.equal((await t.app.inject({ url: '/api/catalog/datasets/beteiligung-radwege' })).json().modified, after.modified);
    });

    test('reconciling: a process written past the service gets its dataset; a gone process\'s dataset is removed, others are kept', async () => {
      const now = clock.now().toISOString();
      await t.app.participation!.store.createProcess({ ...(hourly('spielplaetze') as unknown as Process), createdAt: now, modifiedAt: now });
      const datasets = t.app.participation!.datasets!;
      // A dataset of a process that no longer exists (a process store restored from an older backup).
      await datasets.sync({ ...(hourly('weg') as unknown as Process), createdAt: now, modifiedAt: now });
      // A steward's own dataset whose id happens to start the same way is not the module's.
      const own = await t.app.drehscheibe.catalog.create({
        id: 'beteiligung-bericht', tenant: '', title: { de: 'Bericht' }, description: { de: 'Ein Bericht' }, publisherId: 'stadt-herne', licence: 'dl-by-de/2.0',
        themes: ['GOVE'], keywords: [], contributorIds: [], conformsTo: [], distributions: [{ id: 'pdf', kind: 'link', accessUrl: 'https://www.herne.de/bericht.pdf', format: 'PDF', mediaType: 'application/pdf' }],
      }, ALL_VIEWER);
      assert.equal(own.id, 'beteiligung-bericht');
      assert.equal((await t.app.inject({ url: '/api/catalog/datasets/beteiligung-weg' })).statusCode, 200);
      assert.deepEqual(await datasets.syncAll(), { created: 1, updated: 0, removed: 1 });
      assert.equal((await t.app.inject({ url: '/api/catalog/datasets/beteiligung-spielplaetze' })).json().state, 'published');
      assert.equal((await t.app.inject({ url: '/api/catalog/datasets/beteiligung-weg' })).statusCode, 404);
      assert.ok(await t.app.drehscheibe.catalog.store.get('beteiligung-bericht'));
    });
  });
}

test('a dataset the catalogue refuses never fails the process: it is saved, the dataset is missing', async () => {
  const t = await testApp({ DREHSCHEIBE_PUBLIC_URL: BASE, DREHSCHEIBE_OPEN_DATA_PUBLISHER: 'niemand' }, { clock: fixedClock(AT.participation!) });
  try {
    await loadStarter(t.app.drehscheibe.strategy);
    const steward = await person(t.app, 'stadt@herne.de', [{ role: 'steward' }]);
    const r = await t.app.inject({ method: 'POST', url: '/api/participation/processes', headers: as(steward), payload: hourly('ohne-daten') as object });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal((await t.app.inject({ url: '/api/participation/processes/ohne-daten' })).statusCode, 200);
    assert.equal((await t.app.inject({ url: '/api/catalog/datasets/beteiligung-ohne-daten' })).statusCode, 404);
    await assert.rejects(t.app.participation!.datasets!.syncAll(), /DREHSCHEIBE_OPEN_DATA_PUBLISHER: there is no organisation niemand/);
  } finally {
    await t.close();
  }
});
