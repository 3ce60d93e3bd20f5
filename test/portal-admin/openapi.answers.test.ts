// The OpenAPI description against real answers: every schema in it is valid JSON Schema 2020-12 whose
// refs resolve, and the answers of a walk through the catalogue, CKAN, DCAT-AP, participation,
// Open311, reports, NGSIv2 and NGSI-LD APIs (successes and errors) have a described status, a
// described media type and a JSON body that validates against the described schema.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { testApp, type TestApp } from '../support/app.ts';
import { loadStarter } from '../../src/strategy/index.ts';
import { SURVEY, as, person, type Who } from '../participation/support.ts';
import { AnswerChecker } from './openapi.support.ts';
import { OPERATIONS } from '../../src/portal/admin/openapi.ts';

const JSON_H = { 'content-type': 'application/json' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('OpenAPI description against real answers', () => {
  let a: TestApp;
  let c: AnswerChecker;
  const call = async (method: string, url: string, o: { headers?: Record<string, string>; payload?: unknown } = {}) => {
    const r = await a.app.inject({ method: method as 'GET', url, headers: o.headers ?? (o.payload !== undefined && typeof o.payload !== 'string' && !Buffer.isBuffer(o.payload) ? JSON_H : {}), payload: o.payload as string });
    c.check(method, url, r);
    return r;
  };
  before(async () => {
    a = await testApp({ DREHSCHEIBE_RATE_LIMIT: 'off' });
    await a.app.ready();
    await loadStarter(a.app.drehscheibe.strategy);
    const r = await a.app.inject({ url: '/api/openapi.json' });
    c = new AnswerChecker(r.json());
  });
  after(async () => { await a.close(); });

  test('every schema in the document is valid JSON Schema 2020-12 and its refs resolve', () => {
    assert.deepEqual(c.schemaProblems(), []);
  });

  test('catalogue JSON API: a dataset created, uploaded, published, searched and downloaded; bad input', async () => {
    const ds = { id: 'luft', title: { de: 'Luftqualität', en: 'Air quality' }, description: 'Messwerte', publisherId: 'stadt-herne', licence: 'dl-by-de/2.0', themes: ['ENVI'], keywords: ['Luft'], distributions: [{ id: 'daten', kind: 'file', format: 'CSV', mediaType: 'text/csv' }] };
    assert.equal((await call('POST', '/api/catalog/check', { payload: ds })).statusCode, 200);
    assert.equal((await call('POST', '/api/catalog/datasets', { payload: ds })).statusCode, 201);
    assert.equal((await call('POST', '/api/catalog/datasets', { payload: ds })).statusCode, 409);
    assert.equal((await call('POST', '/api/catalog/datasets/luft/publish')).statusCode, 400);
    assert.equal((await call('PUT', '/api/catalog/datasets/luft/distributions/daten/file?name=luft.csv', { headers: { 'content-type': 'text/csv' }, payload: 'a,b\n1,2\n' })).statusCode, 200);
    assert.equal((await call('PUT', '/api/catalog/datasets/luft/distributions/daten/file', { headers: { 'content-type': 'application/x-msdownload' }, payload: 'MZ' })).statusCode, 415);
    assert.equal((await call('POST', '/api/catalog/datasets/luft/publish')).statusCode, 200);
    assert.equal((await call('PUT', '/api/catalog/datasets/luft', { payload: { ...ds, id: undefined, keywords: ['Luft', 'NO2'] } })).statusCode, 200);
    assert.equal((await call('POST', '/api/catalog/datasets', { payload: { id: 'Bad Id', colour: 'red' } })).statusCode, 400);
    for (const url of ['/api/catalog/datasets?q=luft&facets=theme,format', '/api/catalog/datasets/luft', '/api/catalog/datasets/luft/distributions/daten/download', '/api/catalog/licences', '/api/catalog/themes',
      '/api/catalog/vocabularies', '/api/catalog/organisations', '/api/catalog/steward/datasets', '/api/catalog/steward/datasets/luft', '/api/catalog/steward/datasets/luft/distributions/daten/download']) {
      assert.equal((await call('GET', url)).statusCode, 200, url);
    }
    assert.equal((await call('GET', '/api/catalog/datasets?sort=colour')).statusCode, 400);
    assert.equal((await call('GET', '/api/catalog/datasets/nichts')).statusCode, 404);
    // DCAT-AP and CKAN over the same dataset
    for (const url of ['/catalog', '/catalog.ttl', '/catalog.rdf', '/catalog.jsonld', '/catalog/datasets/luft.ttl', '/catalog/organisations/stadt-herne.jsonld']) assert.equal((await call('GET', url)).statusCode, 200, url);
    assert.equal((await call('GET', '/catalog/datasets/luft/distributions/daten')).statusCode, 303);
    assert.equal((await call('GET', '/catalog?limit=0')).statusCode, 400);
    for (const url of ['/api/3/action/status_show', '/api/3/action/package_list', '/api/3/action/package_show?id=luft', '/api/3/action/package_search?q=luft&facet.field=["tags"]', '/api/3/action/organization_list?all_fields=true', '/api/3/action/license_list']) {
      assert.equal((await call('GET', url)).statusCode, 200, url);
    }
    assert.equal((await call('POST', '/api/3/action/package_show', { payload: { id: 'luft' } })).statusCode, 200);
    assert.equal((await call('GET', '/api/3/action/package_show?id=nichts')).statusCode, 404);
    assert.equal((await call('GET', '/api/3/action/package_search?rows=-1')).statusCode, 409);
    assert.equal((await call('GET', '/api/3/action/resource_create')).statusCode, 400);
    assert.equal((await call('POST', '/api/catalog/datasets/luft/unpublish')).statusCode, 200);
    assert.equal((await call('DELETE', '/api/catalog/datasets/luft')).statusCode, 204);
  });

  test('participation: a steward opens a process, citizens propose, comment and support, a moderator hides, the city answers', async () => {
    const steward: Who = await person(a.app, 'redaktion@herne.de', [{ role: 'steward' }]);
    const citizen: Who = await person(a.app, 'anna@example.org', [{ role: 'citizen' }]);
    const moderator: Who = await person(a.app, 'moderation@herne.de', [{ role: 'moderator' }]);
    const at = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
    const process = { slug: 'radwege', title: { de: 'Radwege', en: 'Cycle paths' }, phases: [{ kind: 'participation', start: at(-1), end: at(24) }, { kind: 'voting', start: at(24), end: at(48) }], categories: ['Verkehr'], budget: 50_000 };
    const P = '/api/participation';
    assert.equal((await call('POST', `${P}/processes`, { payload: process })).statusCode, 401);
    assert.equal((await call('POST', `${P}/processes`, { headers: as(citizen), payload: process })).statusCode, 403);
    assert.equal((await call('POST', `${P}/processes`, { headers: as(steward), payload: { ...process, slug: 'X' } })).statusCode, 400);
    assert.equal((await call('POST', `${P}/processes`, { headers: as(steward), payload: process })).statusCode, 201);
    assert.equal((await call('PUT', `${P}/processes/radwege`, { headers: as(steward), payload: { ...process, slug: undefined, guests: true } })).statusCode, 200);
    const p = await call('POST', `${P}/processes/radwege/proposals`, { headers: as(citizen), payload: { title: 'Radweg an der Bahnhofstraße', body: 'Bitte **markieren**.', category: 'Verkehr', lat: '51,54', lon: 7.22 } });
    assert.equal(p.statusCode, 201, p.body);
    const id = p.json().id as string;
    assert.equal((await call('PATCH', `${P}/proposals/${id}`, { headers: as(citizen), payload: { title: 'Radweg Bahnhofstraße', body: 'Bitte markieren.' } })).statusCode, 200);
    // The proposal's image (multipart), waiting, rejected, replaced, released, read, the queue, removed.
    const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#336699' } }).png().toBuffer();
    const upload = async (alt: string) => {
      const fd = new FormData();
      fd.append('alt', alt);
      fd.append('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'skizze.png');
      const rq = new Request('http://x/', { method: 'PUT', body: fd });
      return call('PUT', `${P}/proposals/${id}/image`, { headers: { ...as(citizen), 'content-type': rq.headers.get('content-type')! }, payload: Buffer.from(await rq.arrayBuffer()) });
    };
    assert.equal((await upload('')).statusCode, 400);
    assert.equal((await upload('Eine Skizze des Radwegs')).statusCode, 200);
    assert.equal((await call('GET', `${P}/proposals/${id}/image`)).statusCode, 404, 'waiting: not public');
    assert.equal((await call('GET', `${P}/proposal-images`, { headers: as(moderator) })).statusCode, 200);
    assert.equal((await call('POST', `${P}/proposals/${id}/image/reject`, { headers: as(moderator), payload: { reason: 'Unscharf' } })).statusCode, 200);
    assert.equal((await call('POST', `${P}/proposals/${id}/image/release`, { headers: as(moderator) })).statusCode, 409);
    assert.equal((await upload('Eine schärfere Skizze')).statusCode, 200);
    assert.equal((await call('POST', `${P}/proposals/${id}/image/release`, { headers: as(moderator) })).statusCode, 200);
    assert.equal((await call('GET', `${P}/proposals/${id}/image`)).statusCode, 200);
    assert.equal((await call('DELETE', `${P}/proposals/${id}/image`, { headers: as(citizen) })).statusCode, 204);
    const cm = await call('POST', `${P}/proposals/${id}/comments`, { headers: as(steward), payload: { body: 'Guter Vorschlag' } });
    assert.equal(cm.statusCode, 201);
    assert.equal((await call('POST', `${P}/projects/solarbaenke/comments`, { headers: as(citizen), payload: { body: 'Schön' } })).statusCode, 201);
    assert.equal((await call('PUT', `${P}/proposals/${id}/support`, { headers: as(steward) })).statusCode, 200);
    assert.equal((await call('DELETE', `${P}/proposals/${id}/support`, { headers: as(steward) })).statusCode, 200);
    assert.equal((await call('POST', `${P}/comments/${cm.json().id}/report`, { headers: as(citizen), payload: { reason: 'Werbung' } })).statusCode, 202);
    assert.equal((await call('GET', `${P}/reports`, { headers: as(moderator) })).statusCode, 200);
    assert.equal((await call('POST', `${P}/comments/${cm.json().id}/hide`, { headers: as(moderator), payload: { reason: 'Werbung' } })).statusCode, 204);
    assert.equal((await call('POST', `${P}/comments/${cm.json().id}/restore`, { headers: as(moderator) })).statusCode, 204);
    assert.equal((await call('PUT', `${P}/proposals/${id}/cost`, { headers: as(steward), payload: { cost: 12_000 } })).statusCode, 200);
    assert.equal((await call('PUT', `${P}/proposals/${id}/answer`, { headers: as(steward), payload: { status: 'accepted', text: 'Wird geprüft und umgesetzt.' } })).statusCode, 200);
    assert.equal((await call('PUT', `${P}/proposals/${id}/answer`, { headers: as(steward), payload: { status: 'maybe' } })).statusCode, 400);
    assert.equal((await call('POST', `${P}/processes/radwege/ballot`, { headers: as(citizen), payload: { proposalIds: [id] } })).statusCode, 409);
    assert.equal((await call('GET', `${P}/processes/radwege/ballot`, { headers: as(citizen) })).statusCode, 404);
    assert.equal((await call('PUT', `${P}/blocks/${citizen.id}`, { headers: as(moderator), payload: { days: 1, reason: 'Zu viel Werbung' } })).statusCode, 204);
    assert.equal((await call('DELETE', `${P}/blocks/${citizen.id}`, { headers: as(moderator) })).statusCode, 204);
    for (const url of [`${P}/processes`, `${P}/processes/radwege`, `${P}/processes/radwege/proposals?sort=supports`, `${P}/proposals/${id}`, `${P}/proposals/${id}/comments`, `${P}/projects/solarbaenke/comments`, `${P}/events.ics`]) {
      assert.equal((await call('GET', url, { headers: as(citizen) })).statusCode, 200, url);
    }
    assert.equal((await call('GET', `${P}/processes/radwege/result`)).statusCode, 409);
    // Surveys: a steward adds one, replaces it before any answer, a citizen answers, the city publishes.
    const sv = await call('POST', `${P}/processes/radwege/surveys`, { headers: as(steward), payload: SURVEY });
    assert.equal(sv.statusCode, 201, sv.body);
    const sid = sv.json().id as string;
    assert.equal((await call('PUT', `${P}/surveys/${sid}`, { headers: as(steward), payload: SURVEY })).statusCode, 200);
    assert.equal((await call('GET', `${P}/processes/radwege/surveys`)).statusCode, 200);
    assert.equal((await call('GET', `${P}/surveys/${sid}`, { headers: as(citizen) })).statusCode, 200);
    const ans = await call('POST', `${P}/surveys/${sid}/answers`, { headers: as(steward), payload: { answers: { q1: 1, q2: [0, 2], q3: 4, q4: 'Mehr Licht am Bahnhof' } } });
    assert.equal(ans.statusCode, 201, ans.body);
    assert.equal((await call('GET', `${P}/surveys/${sid}/answers/mine`, { headers: as(steward) })).statusCode, 200);
    assert.equal((await call('GET', `${P}/surveys/${sid}/results`)).statusCode, 409);
    assert.equal((await call('PUT', `${P}/surveys/${sid}/published`, { headers: as(steward), payload: { published: true } })).statusCode, 200);
    assert.equal((await call('GET', `${P}/surveys/${sid}/results`)).statusCode, 200);
    assert.equal((await call('GET', `${P}/surveys/${sid}/answers.csv`, { headers: as(steward) })).statusCode, 200);
    assert.equal((await call('GET', `${P}/me/export`, { headers: as(citizen) })).statusCode, 200);
    // Verification: a process that asks for invitation codes; a steward makes them, a citizen redeems one.
    assert.equal((await call('POST', `${P}/processes`, { headers: as(steward), payload: { ...process, slug: 'einladung', verification: 'invitation-code' } })).statusCode, 201);
    const codes = await call('POST', `${P}/processes/einladung/invitation-codes`, { headers: as(steward), payload: { count: 2 } });
    assert.equal(codes.statusCode, 201, codes.body);
    assert.equal((await call('GET', `${P}/processes/einladung/invitation-codes`, { headers: as(steward) })).statusCode, 200);
    assert.equal((await call('GET', `${P}/processes/einladung/verification`, { headers: as(citizen) })).statusCode, 200);
    assert.equal((await call('POST', `${P}/processes/einladung/verification`, { headers: as(citizen), payload: { code: codes.json().codes[0] } })).statusCode, 201);
    // Guests: a comment and a survey answer held, seen by the guest's token, released and rejected by a moderator.
    const gc = await call('POST', `${P}/proposals/${id}/guest-comments`, { payload: { pseudonym: 'Spatz', body: 'Als Gast' } });
    assert.equal(gc.statusCode, 202, gc.body);
    const gt = { ...JSON_H, 'x-guest-token': gc.headers['x-guest-token'] as string };
    assert.equal((await call('POST', `${P}/proposals/${id}/guest-comments`, { headers: gt, payload: { pseudonym: '', body: '' } })).statusCode, 400);
    const ga = await call('POST', `${P}/surveys/${sid}/guest-answers`, { headers: gt, payload: { pseudonym: 'Spatz', answers: { q1: 0, q3: 2 } } });
    assert.equal(ga.statusCode, 202, ga.body);
    assert.equal((await call('POST', `${P}/surveys/${sid}/guest-answers`, { headers: gt, payload: { pseudonym: 'Spatz', answers: { q1: 0, q3: 2 } } })).statusCode, 409);
    assert.equal((await call('GET', `${P}/guest-contributions/mine?target=${id}`, { headers: gt })).statusCode, 200);
    assert.equal((await call('GET', `${P}/guest-contributions/mine?target=${id}`)).statusCode, 401);
    assert.equal((await call('GET', `${P}/guest-contributions`, { headers: as(moderator) })).statusCode, 200);
    assert.equal((await call('POST', `${P}/guest-contributions/${gc.json().id}/release`, { headers: as(moderator) })).statusCode, 200);
    assert.equal((await call('POST', `${P}/guest-contributions/${ga.json().id}/reject`, { headers: as(moderator) })).statusCode, 204);
    assert.equal((await call('POST', `${P}/guest-contributions/${ga.json().id}/release`, { headers: as(moderator) })).statusCode, 409);
    // Following: follow, the settings, stop; the one-click unsubscribe with a bad token.
    assert.equal((await call('PUT', `${P}/follows/process/radwege`, { headers: as(citizen) })).statusCode, 200);
    assert.equal((await call('PUT', `${P}/follows/galaxy/radwege`, { headers: as(citizen) })).statusCode, 404);
    assert.equal((await call('PUT', `${P}/follows/settings`, { headers: as(citizen), payload: { mode: 'digest' } })).statusCode, 200);
    assert.equal((await call('GET', `${P}/follows`, { headers: as(citizen) })).statusCode, 200);
    assert.equal((await call('DELETE', `${P}/follows/process/radwege`, { headers: as(citizen) })).statusCode, 200);
    assert.equal((await call('POST', `${P}/unsubscribe?token=falsch`)).statusCode, 400);
    // Events with registration, a rating of a comment, the process's open data.
    const ev = { id: 'werkstatt', title: { de: 'Bürgerwerkstatt', en: 'Workshop' }, start: at(48), end: at(50), place: 'Rathaus Herne', lat: 51.54, lon: 7.22, capacity: 2, registration: true };
    assert.equal((await call('POST', `${P}/events`, { headers: as(citizen), payload: ev })).statusCode, 403);
    assert.equal((await call('POST', `${P}/events`, { headers: as(steward), payload: ev })).statusCode, 201);
    assert.equal((await call('PUT', `${P}/events/werkstatt`, { headers: as(steward), payload: { ...ev, id: undefined, capacity: 3 } })).statusCode, 200);
    assert.equal((await call('GET', `${P}/events`)).statusCode, 200);
    assert.equal((await call('GET', `${P}/events/werkstatt`, { headers: as(citizen) })).statusCode, 200);
    assert.equal((await call('PUT', `${P}/events/werkstatt/registration`, { headers: as(citizen) })).statusCode, 200);
    assert.equal((await call('DELETE', `${P}/events/werkstatt/registration`, { headers: as(citizen) })).statusCode, 200);
    assert.equal((await call('GET', `${P}/events/werkstatt/registrations`, { headers: as(steward) })).statusCode, 200);
    assert.equal((await call('GET', `${P}/events/werkstatt/registrations.csv`, { headers: as(steward) })).statusCode, 200);
    assert.equal((await call('PUT', `${P}/events/werkstatt/waitlist`, { headers: as(citizen) })).statusCode, 200, 'a free seat is taken at once');
    assert.equal((await call('DELETE', `${P}/events/werkstatt/waitlist`, { headers: as(citizen) })).statusCode, 404, 'registered, not waiting');
    assert.equal((await call('GET', `${P}/events/werkstatt/kalender.ics`)).statusCode, 200);
    assert.equal((await call('PUT', `${P}/comments/${cm.json().id}/helpful`, { headers: as(citizen) })).statusCode, 200);
    assert.equal((await call('DELETE', `${P}/comments/${cm.json().id}/helpful`, { headers: as(citizen) })).statusCode, 200);
    for (const f of ['export.json', 'proposals.csv', 'comments.csv']) assert.equal((await call('GET', `${P}/processes/radwege/${f}`)).statusCode, 200, f);
    assert.equal((await call('POST', `${P}/proposals/${id}/report`, { headers: as(steward), payload: { reason: '' } })).statusCode, 400);
    assert.equal((await call('POST', `${P}/proposals/${id}/report`, { headers: as(steward), payload: { reason: 'Doppelt' } })).statusCode, 202);
    assert.equal((await call('POST', `${P}/proposals/${id}/hide`, { headers: as(citizen), payload: { reason: 'Doppelt' } })).statusCode, 403);
    assert.equal((await call('POST', `${P}/proposals/${id}/hide`, { headers: as(moderator), payload: { reason: 'Doppelt' } })).statusCode, 204);
    assert.equal((await call('GET', `${P}/proposals/${id}`, { headers: as(citizen) })).statusCode, 200);
    assert.equal((await call('POST', `${P}/proposals/${id}/restore`, { headers: as(moderator) })).statusCode, 204);
    assert.equal((await call('POST', `${P}/proposals/${id}/withdraw`, { headers: as(citizen) })).statusCode, 204);
    assert.equal((await call('POST', `${P}/me/delete`, { headers: as(citizen), payload: { password: 'falsch' } })).statusCode, 403);
    assert.equal((await call('GET', `${P}/proposals/nichts`)).statusCode, 404);
  });

  test('Open311 and the staff reports API: a report created, listed, changed; the spec\'s errors', async () => {
    const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
    const r = await call('POST', '/open311/v2/requests.json', { headers: FORM, payload: form({ service_code: 'schlagloch', description: 'Tiefes Loch', lat: '51.54', long: '7.22' }) });
    assert.equal(r.statusCode, 201, r.body);
    const id = r.json()[0].service_request_id as string;
    assert.equal((await call('POST', '/open311/v2/requests', { headers: JSON_H, payload: { service_code: 'muell', description: 'Sperrmüll', address_string: 'Bahnhofstraße 1' } })).statusCode, 201);
    assert.equal((await call('POST', '/open311/v2/requests.xml', { headers: FORM, payload: form({ service_code: 'schlagloch' }) })).statusCode, 400);
    assert.equal((await call('POST', '/open311/v2/requests.json', { headers: FORM, payload: form({ service_code: 'nichts', description: 'x', lat: '51.5', long: '7.2' }) })).statusCode, 400);
    for (const url of ['/open311/v2/discovery', '/open311/v2/discovery.json', '/open311/v2/discovery.xml', '/open311/v2/services', '/open311/v2/services.json', '/open311/v2/services.xml', '/open311/v2/services/schlagloch.json', '/open311/v2/services/schlagloch.xml',
      '/open311/v2/requests', '/open311/v2/requests.json?status=open&locale=en', '/open311/v2/requests.xml', `/open311/v2/requests/${id}.json`, `/open311/v2/requests/${id}.xml`]) {
      assert.equal((await call('GET', url)).statusCode, 200, url);
    }
    assert.equal((await call('GET', '/open311/v2/requests.json?status=lost')).statusCode, 400);
    assert.equal((await call('GET', '/open311/v2/requests/999999.json')).statusCode, 404);
    assert.equal((await call('GET', '/open311/v2/services.json?jurisdiction_id=elsewhere')).statusCode, 404);
    assert.equal((await call('GET', '/api/reports/categories')).statusCode, 200);
    const cats = (await a.app.inject({ url: '/api/reports/categories' })).json();
    assert.equal((await call('PUT', '/api/reports/categories', { payload: cats })).statusCode, 200);
    assert.equal((await call('PUT', '/api/reports/categories', { payload: [] })).statusCode, 400);
    assert.equal((await call('GET', `/api/reports/${id}`)).statusCode, 200);
    assert.equal((await call('PATCH', `/api/reports/${id}`, { payload: { status: 'in_progress', department: 'Tiefbau', answer: 'Wir kümmern uns.' } })).statusCode, 200);
    assert.equal((await call('PATCH', `/api/reports/${id}`, { payload: { photo: 'maybe' } })).statusCode, 400);
    assert.equal((await call('PATCH', `/api/reports/${id}`, { payload: { status: 'done', expectedUpdatedAt: '2000-01-01T00:00:00.000Z' } })).statusCode, 409);
    assert.equal((await call('GET', '/api/reports/999999')).statusCode, 404);
  });

  test('NGSIv2 and NGSI-LD: entities, attributes, types, batch, subscriptions; Orion\'s and ETSI\'s errors', async () => {
    const e = { id: 'Room1', type: 'Room', temperature: { type: 'Number', value: 21.5, metadata: { unit: { type: 'Text', value: 'CEL' } } }, name: { type: 'Text', value: 'Küche' } };
    assert.equal((await call('POST', '/v2/entities', { payload: e })).statusCode, 201);
    assert.equal((await call('POST', '/v2/entities', { payload: e })).statusCode, 422);
    assert.equal((await call('POST', '/v2/entities?options=keyValues,upsert', { payload: { id: 'Room2', type: 'Room', temperature: 19 } })).statusCode, 204);
    assert.equal((await call('POST', '/v2/entities', { headers: { 'content-type': 'text/plain' }, payload: 'x' })).statusCode, 415);
    for (const url of ['/v2/entities', '/v2/entities?type=Room&q=temperature>20&options=count', '/v2/entities?options=keyValues', '/v2/entities/Room1', '/v2/entities/Room1?options=keyValues', '/v2/entities/Room1/attrs',
      '/v2/entities/Room1/attrs/temperature', '/v2/entities/Room1/attrs/temperature/value', '/v2/types', '/v2/types?options=values', '/v2/types/Room']) {
      assert.equal((await call('GET', url)).statusCode, 200, url);
    }
    assert.equal((await call('GET', '/v2/entities?orderBy=name')).statusCode, 501);
    assert.equal((await call('GET', '/v2/entities?colour=red')).statusCode, 400);
    assert.equal((await call('GET', '/v2/entities/Nowhere')).statusCode, 404);
    assert.equal((await call('POST', '/v2/entities/Room1/attrs', { payload: { humidity: { type: 'Number', value: 40 } } })).statusCode, 204);
    assert.equal((await call('POST', '/v2/entities/Room1/attrs?options=append', { payload: { humidity: { type: 'Number', value: 41 } } })).statusCode, 422);
    assert.equal((await call('PATCH', '/v2/entities/Room1/attrs', { payload: { temperature: { type: 'Number', value: 22 } } })).statusCode, 204);
    assert.equal((await call('PUT', '/v2/entities/Room1/attrs/temperature', { payload: { type: 'Number', value: 23 } })).statusCode, 204);
    assert.equal((await call('PUT', '/v2/entities/Room1/attrs/temperature/value', { headers: { 'content-type': 'text/plain' }, payload: '24' })).statusCode, 204);
    assert.equal((await call('DELETE', '/v2/entities/Room1/attrs/humidity')).statusCode, 204);
    assert.equal((await call('PUT', '/v2/entities/Room1/attrs', { payload: { temperature: { type: 'Number', value: 20 } } })).statusCode, 204);
    assert.equal((await call('POST', '/v2/op/update', { payload: { actionType: 'append', entities: [{ id: 'Room3', type: 'Room', temperature: { type: 'Number', value: 18 } }] } })).statusCode, 204);
    assert.equal((await call('POST', '/v2/op/update', { payload: { actionType: 'explode', entities: [] } })).statusCode, 400);
    assert.equal((await call('POST', '/v2/op/query?options=count', { payload: { entities: [{ idPattern: '.*', type: 'Room' }], attrs: ['temperature'] } })).statusCode, 200);
    const s = await call('POST', '/v2/subscriptions', { payload: { description: 'warm', subject: { entities: [{ idPattern: '.*', type: 'Room' }], condition: { attrs: ['temperature'] } }, notification: { http: { url: 'http://127.0.0.1:9/notify' }, attrs: ['temperature'] }, throttling: 5 } });
    assert.equal(s.statusCode, 201, s.body);
    const sid = String(s.headers.location).split('/').pop()!;
    assert.equal((await call('GET', '/v2/subscriptions')).statusCode, 200);
    assert.equal((await call('GET', `/v2/subscriptions/${sid}`)).statusCode, 200);
    assert.equal((await call('PATCH', `/v2/subscriptions/${sid}`, { payload: { status: 'inactive' } })).statusCode, 204);
    assert.equal((await call('DELETE', `/v2/subscriptions/${sid}`)).statusCode, 204);
    assert.equal((await call('DELETE', '/v2/entities/Room1')).statusCode, 204);
    const ld = { id: 'urn:ngsi-ld:Room:1', type: 'Room', temperature: { type: 'Property', value: 21 } };
    assert.equal((await call('POST', '/ngsi-ld/v1/entities', { payload: ld })).statusCode, 201);
    assert.equal((await call('POST', '/ngsi-ld/v1/entities', { payload: ld })).statusCode, 409);
    assert.equal((await call('GET', '/ngsi-ld/v1/entities/urn:ngsi-ld:Room:1')).statusCode, 200);
    assert.equal((await call('GET', '/ngsi-ld/v1/entities?type=Room')).statusCode, 200);
    assert.equal((await call('GET', '/ngsi-ld/v1/entities?type=Room&options=keyValues&count=true', { headers: { accept: 'application/ld+json' } })).statusCode, 200);
    assert.equal((await call('GET', '/ngsi-ld/v1/entities?type=Room', { headers: { accept: 'application/geo+json' } })).statusCode, 200);
    assert.equal((await call('GET', '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Room:1')).statusCode, 200);
    assert.equal((await call('GET', '/ngsi-ld/v1/types')).statusCode, 200);
    assert.equal((await call('GET', '/ngsi-ld/v1/attributes')).statusCode, 200);
    const sub = await call('POST', '/ngsi-ld/v1/subscriptions', { payload: { type: 'Subscription', entities: [{ type: 'Room' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/notify' } } } });
    assert.equal(sub.statusCode, 201, sub.body);
    assert.equal((await call('GET', '/ngsi-ld/v1/subscriptions')).statusCode, 200);
    assert.equal((await call('GET', `/ngsi-ld/v1/subscriptions/${encodeURIComponent(String(sub.headers.location).split('/').pop()!)}`)).statusCode, 200);
    assert.equal((await call('GET', '/ngsi-ld/v1/entities/urn:ngsi-ld:Room:404')).statusCode, 404);
  });

  test('every answer had a described status, media type and shape', () => {
    assert.deepEqual(c.problems, []);
    // Every operation of the APIs described here beside NGSI-LD, IoT, admin and accounts was called.
    const walked = new Set(['Catalog', 'DCAT-AP', 'CKAN', 'Participation', 'Open311', 'Reports', 'NGSIv2']);
    const missed = OPERATIONS.filter((o) => walked.has(o.tag) && !c.seen.has(`${o.method} ${o.path}`)).map((o) => `${o.method} ${o.path}`);
    assert.deepEqual(missed, []);
  });
});
