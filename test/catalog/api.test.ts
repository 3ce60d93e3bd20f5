// The catalogue JSON API (/api/catalog): public reads of published datasets, stewards per tenant
// (the one access model), uploads with size/type limits, every error problem+json naming the field,
// nothing half-created on bad input.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import type { InjectOptions } from 'fastify';
import { loadStarter } from '../../src/strategy/index.ts';

const doc = (id: string, extra: Record<string, unknown> = {}) => ({
  id, title: { de: 'Luftqualitätsdaten Herne', en: 'Air quality data Herne' }, description: { de: 'Messwerte der Luftqualität' },
  publisherId: 'stadt-herne', licence: 'dl-by-de/2.0', themes: ['ENVI'], keywords: ['Luft'],
  distributions: [{ id: 'daten', kind: 'file', format: 'CSV', mediaType: 'text/csv' }], ...extra,
});

describe('catalogue API', () => {
  let a: AuthApp;
  let steward: string;
  let stadtwerke: string;
  let citizen: string;
  before(async () => {
    a = await authApp({ tenants: { stadtwerke: { read: ['steward@stadtwerke'], write: ['steward@stadtwerke'] } } }, { DREHSCHEIBE_CATALOG_MAX_UPLOAD: '1000' });
    await loadStarter(a.app.drehscheibe.strategy);
    steward = await a.key({ name: 'redaktion', roles: ['steward'] });
    stadtwerke = await a.key({ name: 'sw', roles: ['steward'], tenants: ['stadtwerke'] });
    citizen = await a.key({ name: 'buerger', roles: ['citizen'] });
  });
  after(async () => { await a.close(); });
  const h = (key?: string, extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}), ...extra });
  const inject = (o: InjectOptions) => a.app.inject(o);

  test('creating needs a credential (401) and the steward role (403), as problem+json', async () => {
    const anon = await inject({ method: 'POST', url: '/api/catalog/datasets', headers: h(), payload: doc('x') });
    assert.equal(anon.statusCode, 401);
    assert.match(String(anon.headers['content-type']), /^application\/problem\+json/);
    const c = await inject({ method: 'POST', url: '/api/catalog/datasets', headers: h(citizen), payload: doc('x') });
    assert.equal(c.statusCode, 403);
    assert.equal((await inject({ url: '/api/catalog/steward/datasets/x', headers: h(steward) })).statusCode, 404);
  });

  test('bad input: every problem names its field, nothing is created', async () => {
    const r = await inject({ method: 'POST', url: '/api/catalog/datasets', headers: h(steward), payload: {
      id: 'Bad Id', title: { en: 'only English' }, publisherId: 'nobody', licence: 'wtfpl', themes: ['ENVI', 'SPACE'],
      spatial: { municipalityKey: '5916' }, distributions: [{ id: 'l', kind: 'link', format: 'EXE', mediaType: 'text/csv' }], colour: 'red',
    } });
    assert.equal(r.statusCode, 400);
    assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
    const fields = (r.json().errors as Array<{ field: string }>).map((e) => e.field).sort();
    assert.deepEqual(fields, ['colour', 'description.de', 'distributions[0].accessUrl', 'distributions[0].format', 'id', 'licence', 'spatial.municipalityKey', 'themes[1]', 'title.de'].sort());
    const refs = await inject({ method: 'POST', url: '/api/catalog/datasets', headers: h(steward), payload: doc('refs', { publisherId: 'nobody', contactPoint: { organisationId: 'niemand', email: 'a@b.de' }, projectSlug: 'kein-projekt' }) });
    assert.equal(refs.statusCode, 400);
    assert.deepEqual((refs.json().errors as Array<{ field: string }>).map((e) => e.field), ['publisherId', 'contactPoint.organisationId', 'projectSlug']);
    assert.equal((await inject({ url: '/api/catalog/steward/datasets/refs', headers: h(steward) })).statusCode, 404);
  });

  test('a steward creates a draft, uploads its file, publishes; the public then sees and downloads it', async () => {
    const r = await inject({ method: 'POST', url: '/api/catalog/datasets', headers: h(steward), payload: doc('luft') });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.headers.location, '/api/catalog/datasets/luft');
    assert.equal(r.json().state, 'draft');
    assert.equal((await inject({ url: '/api/catalog/datasets/luft' })).statusCode, 404, 'drafts are not public');
    assert.equal((await inject({ url: '/api/catalog/steward/datasets/luft', headers: h(steward) })).json().id, 'luft');
    const dup = await inject({ method: 'POST', url: '/api/catalog/datasets', headers: h(steward), payload: doc('luft') });
    assert.equal(dup.statusCode, 409);

    const early = await inject({ method: 'POST', url: '/api/catalog/datasets/luft/publish', headers: h(steward) });
    assert.equal(early.statusCode, 400);
    assert.equal(early.json().errors[0].field, 'distributions[0]');

    const csv = 'zeit,pm10\r\n2026-12-01T10:00:00Z,12\r\n';
    const up = await inject({ method: 'PUT', url: '/api/catalog/datasets/luft/distributions/daten/file?name=messwerte.csv', headers: { 'x-api-key': steward, 'content-type': 'text/csv' }, payload: csv });
    assert.equal(up.statusCode, 200, up.body);
    const dist = up.json().distributions[0];
    assert.equal(dist.byteSize, csv.length);
    assert.equal(dist.fileName, 'messwerte.csv');
    assert.equal(dist.checksum.algorithm, 'sha256');

    const pub = await inject({ method: 'POST', url: '/api/catalog/datasets/luft/publish', headers: h(steward) });
    assert.equal(pub.statusCode, 200, pub.body);
    assert.ok(pub.json().issued);
    const pubRead = await inject({ url: '/api/catalog/datasets/luft' });
    assert.equal(pubRead.statusCode, 200);
    const dl = await inject({ url: '/api/catalog/datasets/luft/distributions/daten/download' });
    assert.equal(dl.statusCode, 200);
    assert.equal(dl.body, csv);
    assert.match(String(dl.headers['content-type']), /^text\/csv/);
    assert.match(String(dl.headers['content-disposition']), /messwerte\.csv/);
  });

  test('uploads over the size limit (413) or of a disallowed type (415) change nothing', async () => {
    const big = await inject({ method: 'PUT', url: '/api/catalog/datasets/luft/distributions/daten/file', headers: { 'x-api-key': steward, 'content-type': 'text/csv' }, payload: 'x'.repeat(2000) });
    assert.equal(big.statusCode, 413);
    assert.match(String(big.headers['content-type']), /^application\/problem\+json/);
    const exe = await inject({ method: 'PUT', url: '/api/catalog/datasets/luft/distributions/daten/file', headers: { 'x-api-key': steward, 'content-type': 'application/x-msdownload' }, payload: 'MZ' });
    assert.equal(exe.statusCode, 415);
    assert.equal(exe.json().errors[0].field, 'file');
    assert.equal((await inject({ url: '/api/catalog/datasets/luft/distributions/daten/download' })).body.startsWith('zeit,pm10'), true);
  });

  test('search: German full text, filters, facets, paging; bad parameters name themselves', async () => {
    const r = await inject({ url: '/api/catalog/datasets?q=Luftqualitaet&theme=ENVI&facets=theme,licence' });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.total, 1);
    assert.equal(body.datasets[0].id, 'luft');
    assert.deepEqual(body.facets.theme, [{ value: 'ENVI', count: 1 }]);
    assert.equal((await inject({ url: '/api/catalog/datasets?q=Luftqualität' })).json().total, 1);
    assert.equal((await inject({ url: '/api/catalog/datasets?theme=TRAN' })).json().total, 0);
    const bad = await inject({ url: '/api/catalog/datasets?bbox=1,2,3&sort=size&theme=XYZ&foo=1' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual((bad.json().errors as Array<{ field: string }>).map((e) => e.field).sort(), ['bbox', 'foo', 'sort', 'theme']);
  });

  test('stewards of one tenant cannot change datasets of another', async () => {
    const r = await inject({ method: 'POST', url: '/api/catalog/datasets', headers: h(stadtwerke, { 'ngsild-tenant': 'stadtwerke' }), payload: doc('sw-netz', { tenant: 'stadtwerke', distributions: [] }) });
    assert.equal(r.statusCode, 201, r.body);
    const other = await inject({ method: 'DELETE', url: '/api/catalog/datasets/luft', headers: h(stadtwerke, { 'ngsild-tenant': 'stadtwerke' }) });
    assert.equal(other.statusCode, 403, 'a published dataset of another tenant is visible but not theirs');
    const put = await inject({ method: 'PUT', url: '/api/catalog/datasets/luft', headers: h(stadtwerke, { 'ngsild-tenant': 'stadtwerke' }), payload: doc('luft') });
    assert.equal(put.statusCode, 403);
    const list = await inject({ url: '/api/catalog/steward/datasets', headers: h(stadtwerke, { 'ngsild-tenant': 'stadtwerke' }) });
    assert.deepEqual(list.json().datasets.map((d: { id: string }) => d.id).sort(), ['luft', 'sw-netz']);
    assert.equal((await inject({ url: '/api/catalog/steward/datasets', headers: h(steward) })).json().datasets.some((d: { id: string }) => d.id === 'sw-netz'), true, 'an unlimited steward sees every draft');
  });

  test('replace keeps the upload, unpublish hides, delete removes; unknown ids are 404', async () => {
    const put = await inject({ method: 'PUT', url: '/api/catalog/datasets/luft', headers: h(steward), payload: doc('luft', { title: { de: 'Luftqualität 2026' } }) });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().distributions[0].fileName, 'messwerte.csv');
    assert.equal(put.json().state, 'published');
    const un = await inject({ method: 'POST', url: '/api/catalog/datasets/luft/unpublish', headers: h(steward) });
    assert.equal(un.json().state, 'draft');
    assert.equal((await inject({ url: '/api/catalog/datasets/luft' })).statusCode, 404);
    assert.equal((await inject({ url: '/api/catalog/datasets/luft/distributions/daten/download' })).statusCode, 404);
    assert.equal((await inject({ method: 'DELETE', url: '/api/catalog/datasets/luft', headers: h(steward) })).statusCode, 204);
    assert.equal((await inject({ method: 'DELETE', url: '/api/catalog/datasets/luft', headers: h(steward) })).statusCode, 404);
    assert.equal((await inject({ url: '/api/catalog/nothing' })).statusCode, 404);
  });

  test('vocabularies and the check endpoint', async () => {
    const v = (await inject({ url: '/api/catalog/vocabularies' })).json();
    assert.ok(v.licences.some((l: { id: string }) => l.id === 'dl-zero-de/2.0'));
    assert.equal(v.themes.length, 13);
    const c = await inject({ method: 'POST', url: '/api/catalog/check', headers: h(steward), payload: doc('ok') });
    assert.deepEqual(c.json(), { problems: [] });
    const c2 = await inject({ method: 'POST', url: '/api/catalog/check', headers: h(steward), payload: doc('ok', { licence: 'nope' }) });
    assert.equal(c2.json().problems[0].field, 'licence');
  });
});
