// The read-only CKAN Action API v3 under /api/3/action: every action, answers compared member by
// member with CKAN's documented shapes (test/fixtures/ckan/shapes.json), fq as CKAN's harvester sends
// it, and CKAN's error envelope for unknown actions and bad fq.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testApp, type TestApp } from '../support/app.ts';
import { loadStarter } from '../../src/strategy/index.ts';
import { ALL_VIEWER } from '../../src/catalog/index.ts';
import { fixedClock } from '../../src/core/clock.ts';

const SHAPES = JSON.parse(readFileSync(new URL('../fixtures/ckan/shapes.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Every documented member is present with a documented type. */
function conforms(obj: Record<string, unknown>, shape: string): void {
  for (const [k, t] of Object.entries(SHAPES[shape])) {
    assert.ok(k in obj, `${shape}.${k} is present`);
    if (t !== 'any') assert.ok(t.split('|').includes(typeOf(obj[k])), `${shape}.${k} is ${t}, got ${typeOf(obj[k])}`);
  }
}

describe('CKAN Action API', () => {
  let t: TestApp;
  const clock = fixedClock('2026-11-01T08:00:00.000Z');
  const call = async (action: string, qs = '') => {
    const r = await t.app.inject({ url: `/api/3/action/${action}${qs ? `?${qs}` : ''}` });
    const body = r.json();
    return { status: r.statusCode, body, result: body.result };
  };
  before(async () => {
    t = await testApp({ DREHSCHEIBE_PUBLIC_URL: 'https://daten.herne.example' }, { clock });
    await loadStarter(t.app.drehscheibe.strategy);
    const c = t.app.drehscheibe.catalog;
    const mk = async (id: string, extra: Record<string, unknown>) => {
      clock.advance(86_400_000);
      await c.create({ id, title: { de: `Titel ${id}` }, description: { de: `Text ${id}` }, publisherId: 'stadt-herne', licence: 'dl-by-de/2.0',
        distributions: [{ id: 'csv', kind: 'link', accessUrl: `https://example.org/${id}.csv`, format: 'CSV', mediaType: 'text/csv' }], ...extra }, ALL_VIEWER);
      await c.publish(id, ALL_VIEWER);
    };
    await mk('baeume', { title: { de: 'Straßenbäume' }, keywords: ['Bäume', 'Umwelt'], themes: ['ENVI'], projectSlug: 'umweltsensorik', contactPoint: { organisationId: 'stadt-herne', email: 'od@herne.example' } });
    await mk('luft', { title: { de: 'Luftqualitätsdaten' }, keywords: ['Umwelt'], themes: ['ENVI'], licence: 'dl-zero-de/2.0', projectSlug: 'umweltsensorik' });
    await mk('solar', { title: { de: 'Solarbänke' }, keywords: ['Energie'], publisherId: 'stadtwerke-herne', projectSlug: 'solarbaenke',
      distributions: [{ id: 'geo', kind: 'link', accessUrl: 'https://example.org/s.geojson', format: 'GEOJSON', mediaType: 'application/geo+json' }] });
    await c.create({ id: 'entwurf', title: { de: 'Entwurf' }, description: { de: 'x' }, publisherId: 'stadt-herne', licence: 'dl-by-de/2.0', distributions: [] }, ALL_VIEWER);
  });
  after(async () => { await t.close(); });

  test('status_show, license_list: envelope and shapes', async () => {
    const s = await call('status_show');
    assert.equal(s.status, 200);
    conforms(s.body, 'envelope');
    assert.equal(s.body.success, true);
    assert.match(s.body.help, /help_show\?name=status_show$/);
    conforms(s.result, 'status');
    const l = await call('license_list');
    assert.ok(l.result.length > 30);
    for (const x of l.result) conforms(x, 'license');
    assert.ok(l.result.some((x: { id: string }) => x.id === 'dl-by-de/2.0'));
  });

  test('package_list lists published datasets by name; package_show gives CKAN\'s package dict', async () => {
    assert.deepEqual((await call('package_list')).result, ['baeume', 'luft', 'solar']);
    assert.deepEqual((await call('package_list', 'limit=1&offset=1')).result, ['luft']);
    const p = await call('package_show', 'id=baeume');
    assert.equal(p.status, 200);
    conforms(p.result, 'package');
    for (const r of p.result.resources) conforms(r, 'resource');
    for (const tag of p.result.tags) conforms(tag, 'tag');
    conforms(p.result.organization, 'organization');
    assert.equal(p.result.license_id, 'dl-by-de/2.0');
    assert.equal(p.result.license_title, 'Datenlizenz Deutschland Namensnennung 2.0');
    assert.equal(p.result.isopen, true);
    assert.equal(p.result.maintainer_email, 'od@herne.example');
    assert.deepEqual(p.result.tags.map((x: { name: string }) => x.name), ['baeume', 'umwelt']);
    assert.deepEqual(p.result.tags.map((x: { display_name: string }) => x.display_name), ['Bäume', 'Umwelt']);
    assert.deepEqual(p.result.groups.map((x: { name: string }) => x.name), ['umweltsensorik']);
    assert.match(p.result.metadata_modified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    assert.ok(p.result.extras.some((e: { key: string; value: string }) => e.key === 'theme' && e.value.includes('data-theme/ENVI')));
    const missing = await call('package_show', 'id=entwurf');
    assert.equal(missing.status, 404);
    conforms(missing.body, 'error');
    assert.deepEqual(missing.body.error, { __type: 'Not Found Error', message: 'Not found' });
  });

  test('package_search: q, fq on tags/organization/res_format/license_id/groups, ranges, rows/start, sort, facets', async () => {
    const all = await call('package_search');
    conforms(all.result, 'package_search');
    assert.equal(all.result.count, 3);
    assert.equal(all.result.results.length, 3);
    const ids = async (qs: string) => (await call('package_search', qs)).result.results.map((p: { name: string }) => p.name).sort();
    assert.deepEqual(await ids('q=Luftqualit%C3%A4t'), ['luft']);
    assert.deepEqual(await ids('q=luftqualitaet'), ['luft']);
    assert.deepEqual(await ids('fq=tags:umwelt'), ['baeume', 'luft']);
    assert.deepEqual(await ids('fq=organization:stadtwerke-herne'), ['solar']);
    assert.deepEqual(await ids('fq=res_format:GEOJSON'), ['solar']);
    assert.deepEqual(await ids('fq=license_id:dl-zero-de/2.0'), ['luft']);
    assert.deepEqual(await ids('fq=groups:umweltsensorik'), ['baeume', 'luft']);
    assert.deepEqual(await ids('fq=%2Bgroups:umweltsensorik%20%2Borganization:stadt-herne'), ['baeume', 'luft']);
    assert.deepEqual(await ids('q=tags:energie'), ['solar']);
    // CKAN's harvester asks for what changed since its last run.
    assert.deepEqual(await ids('fq=metadata_modified:[2026-11-03T00:00:00Z%20TO%20*]'), ['luft', 'solar']);
    assert.deepEqual(await ids('fq=metadata_modified:[*%20TO%202026-11-03T00:00:00Z]'), ['baeume']);
    const sorted = (await call('package_search', 'sort=metadata_modified%20desc&rows=2&start=0')).result;
    assert.deepEqual(sorted.results.map((p: { name: string }) => p.name), ['solar', 'luft']);
    assert.equal(sorted.count, 3);
    assert.deepEqual((await call('package_search', 'sort=metadata_modified%20desc&rows=2&start=2')).result.results.map((p: { name: string }) => p.name), ['baeume']);
    const f = (await call('package_search', 'facet.field=%5B%22tags%22,%22organization%22,%22res_format%22,%22license_id%22,%22groups%22%5D&rows=0')).result;
    assert.deepEqual(f.facets.tags, { umwelt: 2, baeume: 1, energie: 1 });
    assert.deepEqual(f.facets.organization, { 'stadt-herne': 2, 'stadtwerke-herne': 1 });
    assert.deepEqual(f.facets.res_format, { CSV: 2, GEOJSON: 1 });
    assert.equal(f.search_facets.organization.items.find((i: { name: string }) => i.name === 'stadt-herne').display_name, 'Stadt Herne');
    assert.equal(f.results.length, 0);
  });

  test('organization_list/_show, group_list, tag_list', async () => {
    const orgs = (await call('organization_list')).result;
    assert.ok(orgs.includes('stadt-herne') && orgs.includes('stadtwerke-herne'));
    const full = (await call('organization_list', 'all_fields=true')).result;
    for (const o of full) conforms(o, 'organization');
    assert.equal(full.find((o: { name: string }) => o.name === 'stadt-herne').package_count, 2);
    const show = (await call('organization_show', 'id=stadtwerke-herne&include_datasets=true')).result;
    conforms(show, 'organization');
    assert.deepEqual(show.packages.map((p: { name: string }) => p.name), ['solar']);
    assert.equal((await call('organization_show', 'id=niemand')).status, 404);
    assert.deepEqual((await call('group_list')).result, ['solarbaenke', 'umweltsensorik']);
    assert.deepEqual((await call('tag_list')).result, ['baeume', 'energie', 'umwelt']);
    assert.deepEqual((await call('package_search', 'fq=tags:B%C3%A4ume')).result.results.map((p: { name: string }) => p.name), ['baeume']);
  });

  test('errors: unknown action, bad fq, bad rows, bad sort in CKAN\'s error envelope', async () => {
    const u = await call('package_delete');
    assert.equal(u.status, 400);
    conforms(u.body, 'error');
    assert.equal(u.body.success, false);
    assert.equal(u.body.error.__type, 'Bad Request');
    assert.match(u.body.error.message, /Action name not known: package_delete/);
    const fq = await call('package_search', 'fq=colour:red');
    assert.equal(fq.status, 409);
    assert.equal(fq.body.error.__type, 'Search Query Error');
    assert.match(fq.body.error.message, /unknown field colour/);
    const range = await call('package_search', 'fq=metadata_modified:[gestern%20TO%20*]');
    assert.equal(range.status, 409);
    assert.match(range.body.error.message, /gestern/);
    const rows = await call('package_search', 'rows=viele');
    assert.equal(rows.status, 409);
    assert.equal(rows.body.error.__type, 'Validation Error');
    assert.deepEqual(rows.body.error.rows, ['Invalid integer']);
    assert.equal((await call('package_search', 'sort=size%20asc')).status, 409);
    const post = await t.app.inject({ method: 'POST', url: '/api/3/action/package_search', headers: { 'content-type': 'application/json' }, payload: { fq: 'tags:energie' } });
    assert.deepEqual(post.json().result.results.map((p: { name: string }) => p.name), ['solar']);
  });
});
