// The strategy JSON API (/api/strategy): public reads, writes by stewards and operators only
// (the one access model), every error as application/problem+json; nothing stored is lost on bad input.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { loadStarter } from '../../src/strategy/index.ts';

const body = (extra: Record<string, unknown> = {}) => ({
  slug: 'ladesaeulen', fieldId: 'mobilitaet', status: 'planning', title: { de: 'Ladesäulen', en: 'Charging points' },
  summary: { de: 'Mehr Ladesäulen', en: 'More charging points' }, location: { type: 'Point', coordinates: [7.2, 51.53] }, entityTypes: ['EVChargingStation'], ...extra,
});

describe('strategy API', () => {
  let a: AuthApp;
  let steward: string;
  let citizen: string;
  before(async () => {
    a = await authApp({});
    await loadStarter(a.app.drehscheibe.strategy);
    steward = await a.key({ name: 'redaktion', roles: ['steward'] });
    citizen = await a.key({ name: 'buerger', roles: ['citizen'] });
  });
  after(async () => { await a.close(); });
  const json = (key?: string) => ({ 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) });

  test('reads are public: fields, projects, one project, organisations, events', async () => {
    const fields = await a.app.inject({ url: '/api/strategy/fields' });
    assert.equal(fields.statusCode, 200);
    assert.deepEqual(fields.json().map((f: { id: string }) => f.id), ['infrastruktur', 'energie-umwelt', 'gesellschaft', 'mobilitaet']);
    const projects = (await a.app.inject({ url: '/api/strategy/projects' })).json();
    assert.equal(projects.length, 7);
    const p = (await a.app.inject({ url: '/api/strategy/projects/solarbaenke' })).json();
    assert.equal(p.title.de, 'Solarbänke in der Stadt');
    assert.deepEqual(p.entityTypes, ['SolarEnergy']);
    const field = (await a.app.inject({ url: '/api/strategy/fields/gesellschaft' })).json();
    assert.deepEqual(field.projects, ['digitale-buergerbeteiligung', 'schuldigitalisierung']);
    assert.equal((await a.app.inject({ url: '/api/strategy/organisations' })).json().length, 6);
    assert.equal((await a.app.inject({ url: '/api/strategy/events' })).json()[0].id, 'stadtkonferenz-2022');
  });

  test('an unknown project is 404 problem+json', async () => {
    const r = await a.app.inject({ url: '/api/strategy/projects/gibtsnicht' });
    assert.equal(r.statusCode, 404);
    assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
    assert.equal(r.json().type, 'https://drehscheibe.dev/errors/NotFound');
  });

  test('creating a project needs a credential (401) and the steward or operator role (403)', async () => {
    const anon = await a.app.inject({ method: 'POST', url: '/api/strategy/projects', headers: json(), payload: body() });
    assert.equal(anon.statusCode, 401);
    const c = await a.app.inject({ method: 'POST', url: '/api/strategy/projects', headers: json(citizen), payload: body() });
    assert.equal(c.statusCode, 403);
    assert.match(String(c.headers['content-type']), /^application\/problem\+json/);
    assert.equal((await a.app.inject({ url: '/api/strategy/projects/ladesaeulen' })).statusCode, 404);
  });

  test('a steward creates, replaces and deletes a project', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/api/strategy/projects', headers: json(steward), payload: body() });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.headers.location, '/api/strategy/projects/ladesaeulen');
    const created = r.json();
    assert.equal(created.status, 'planning');
    const put = await a.app.inject({ method: 'PUT', url: '/api/strategy/projects/ladesaeulen', headers: json(steward), payload: body({ slug: undefined, status: 'in_progress', start: '2026-01' }) });
    assert.equal(put.statusCode, 200, put.body);
    const got = (await a.app.inject({ url: '/api/strategy/projects/ladesaeulen' })).json();
    assert.equal(got.status, 'in_progress');
    assert.equal(got.start, '2026-01');
    assert.equal(got.createdAt, created.createdAt);
    const op = await a.app.inject({ method: 'DELETE', url: '/api/strategy/projects/ladesaeulen', headers: { 'x-api-key': a.operatorKey } });
    assert.equal(op.statusCode, 204);
    assert.equal((await a.app.inject({ url: '/api/strategy/projects/ladesaeulen' })).statusCode, 404);
  });

  test('bad input is 400 problem+json listing every problem by field, and stores nothing', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/api/strategy/projects', headers: json(steward),
      payload: body({ slug: 'Falsch Slug', status: 'fertig', location: { type: 'Point', coordinates: [200, 51] }, end: '2020-13', colour: 'blau' }) });
    assert.equal(r.statusCode, 400);
    assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
    const fields = r.json().errors.map((e: { field: string }) => e.field).sort();
    assert.deepEqual(fields, ['colour', 'end', 'location', 'slug', 'status']);
    assert.equal((await a.app.inject({ url: '/api/strategy/projects' })).json().length, 7);
  });

  test('a project naming an unknown field of action is refused with the reason', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/api/strategy/projects', headers: json(steward), payload: body({ fieldId: 'raumfahrt' }) });
    assert.equal(r.statusCode, 400);
    assert.match(r.json().detail, /no field of action raumfahrt/);
  });

  test('a duplicate slug is 409 and the existing project stays as it was', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/api/strategy/projects', headers: json(steward), payload: body({ slug: 'solarbaenke', fieldId: 'energie-umwelt' }) });
    assert.equal(r.statusCode, 409);
    assert.equal((await a.app.inject({ url: '/api/strategy/projects/solarbaenke' })).json().title.de, 'Solarbänke in der Stadt');
  });

  test('invalid JSON is a 400 problem+json, not an NGSI-LD error', async () => {
    const r = await a.app.inject({ method: 'POST', url: '/api/strategy/projects', headers: json(steward), payload: '{"slug":' });
    assert.equal(r.statusCode, 400);
    assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
  });
});
