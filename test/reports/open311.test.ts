// Open311 GeoReport v2 at /open311/v2, tested against the specification's documented requests and
// response shapes (wiki.open311.org/GeoReport_v2): services, service definition, POST with lat/long
// and with address_string, GET list by status, date range, service_code and service_request_id,
// GET one request, errors as the spec's error array — in JSON and in XML.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { fixedClock } from '../../src/core/clock.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

describe('Open311 GeoReport v2', () => {
  let a: AuthApp;
  let appKey: string;
  const clock = fixedClock('2026-12-01T09:00:00.000Z');
  before(async () => {
    a = await authApp({}, { DREHSCHEIBE_RATE_LIMIT: 'off', DREHSCHEIBE_PUBLIC_URL: 'https://daten.herne.de' }, { clock });
    appKey = await a.key({ name: 'maengel-app', roles: ['citizen'] });
  });
  after(async () => { await a.close(); });
  const post = (fmt: 'json' | 'xml', body: Record<string, string>) => a.app.inject({ method: 'POST', url: `/open311/v2/requests.${fmt}`, headers: FORM, payload: form(body) });

  test('GET services.json lists every category with the spec members; services.xml the same as <services><service>', async () => {
    const r = await a.app.inject({ url: '/open311/v2/services.json' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const list = r.json();
    assert.ok(list.length >= 5);
    const pothole = list.find((s: { service_code: string }) => s.service_code === 'schlagloch');
    assert.deepEqual(Object.keys(pothole), ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group']);
    assert.equal(pothole.service_name, 'Schlagloch oder Straßenschaden');
    assert.equal(pothole.metadata, false);
    assert.equal(pothole.type, 'realtime');
    assert.equal((await a.app.inject({ url: '/open311/v2/services.json?locale=en' })).json()[0].service_name, 'Pothole or road damage');
    const x = await a.app.inject({ url: '/open311/v2/services.xml' });
    assert.match(String(x.headers['content-type']), /^text\/xml; charset=utf-8/);
    assert.ok(x.body.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<services><service><service_code>schlagloch</service_code><service_name>Schlagloch oder Straßenschaden</service_name>'), x.body.slice(0, 200));
    assert.equal(x.body.match(/<service>/g)!.length, list.length);
    assert.ok(x.body.endsWith('</service></services>'));
  });

  test('GET services/{code}.json is the service definition; an unknown code is a 404 error array', async () => {
    const r = await a.app.inject({ url: '/open311/v2/services/graffiti.json' });
    assert.deepEqual(r.json(), { service_code: 'graffiti', attributes: [] });
    const x = await a.app.inject({ url: '/open311/v2/services/graffiti.xml' });
    assert.equal(x.body, '<?xml version="1.0" encoding="UTF-8"?>\n<service_definition><service_code>graffiti</service_code><attributes></attributes></service_definition>');
    const nf = await a.app.inject({ url: '/open311/v2/services/DMV66.json' });
    assert.equal(nf.statusCode, 404);
    assert.deepEqual(nf.json(), [{ code: 404, description: 'service_code "DMV66" is not a known service' }]);
  });

  test('POST requests needs an api_key: none is 400, an invalid one is 403 with the spec\'s description (JSON and XML); nothing is stored', async () => {
    const body = { service_code: 'schlagloch', lat: '51.5381', long: '7.2201', description: 'Tiefes Schlagloch' };
    const none = await post('json', body);
    assert.equal(none.statusCode, 400);
    assert.deepEqual(none.json(), [{ code: 400, description: 'api_key is required to create a service request' }]);
    const bad = await post('xml', { ...body, api_key: 'xyz' });
    assert.equal(bad.statusCode, 403);
    assert.equal(bad.body, '<?xml version="1.0" encoding="UTF-8"?>\n<errors><error><code>403</code><description>Invalid api_key received -- can\'t proceed with create_request.</description></error></errors>');
    assert.deepEqual((await a.app.inject({ url: '/open311/v2/requests.json' })).json(), []);
  });

  test('POST requests with lat/long: 201 with service_request_id; the e-mail stays out of every answer and of the entity', async () => {
    const r = await post('json', { api_key: appKey, jurisdiction_id: 'herne', service_code: 'schlagloch', lat: '51.5381', long: '7.2201', description: 'Tiefes Schlagloch vor Hausnummer 12', email: 'melder@example.org', first_name: 'Max', phone: '0123' });
    assert.equal(r.statusCode, 201, r.body);
    assert.deepEqual(r.json(), [{ service_request_id: '1', service_notice: null, account_id: null }]);
    assert.equal(r.headers.location, '/open311/v2/requests/1.json');
    const got = await a.app.inject({ url: '/open311/v2/requests/1.json' });
    assert.equal(got.body.includes('example.org') || got.body.includes('Max') || got.body.includes('0123'), false);
    const e = await a.app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:IssueReporting:herne:1', headers: { 'ngsild-tenant': 'herne', 'x-api-key': a.operatorKey } });
    assert.equal(e.statusCode, 200, e.body);
    assert.equal(e.body.includes('example.org') || e.body.includes('Max') || e.body.includes('0123'), false);
    const ent = e.json();
    assert.equal(ent.type, 'https://smartdatamodels.org/dataModel.IssueTracking/IssueReporting');
    assert.equal(ent['https://smartdatamodels.org/dataModel.IssueTracking/resolutionStatus'].value, 'Open');
    assert.deepEqual(ent.location.value, { type: 'Point', coordinates: [7.2201, 51.5381] });
  });

  test('POST requests with address_string (XML answer); JSON body works too', async () => {
    clock.advance(3_600_000);
    const r = await post('xml', { api_key: appKey, service_code: 'graffiti', address_string: 'Bahnhofstraße 10, Herne', description: 'Schmiererei an der Brücke' });
    assert.equal(r.statusCode, 201);
    assert.equal(r.body, '<?xml version="1.0" encoding="UTF-8"?>\n<service_requests><request><service_request_id>2</service_request_id><service_notice/><account_id/></request></service_requests>');
    clock.advance(3_600_000);
    const j = await a.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'application/json', 'x-api-key': appKey }, payload: { service_code: 'muell', lat: 51.54, long: 7.23, description: 'Sperrmüll' } });
    assert.equal(j.statusCode, 201, j.body);
  });

  test('POST with bad input lists every problem as the error array and stores nothing', async () => {
    const r = await post('json', { api_key: appKey, service_code: 'ufo', lat: '95', long: '7.2', description: '' });
    assert.equal(r.statusCode, 400);
    const codes = r.json().map((e: { code: number; description: string }) => [e.code, e.description.split(' ')[0]]);
    assert.deepEqual(codes, [[400, 'service_code'], [400, 'description'], [400, 'lat']]);
    const noPlace = await post('xml', { api_key: appKey, service_code: 'muell', description: 'irgendwo' });
    assert.equal(noPlace.statusCode, 400);
    assert.match(noPlace.body, /<error><code>400<\/code><description>a location is required: lat and long, or address_string<\/description><\/error>/);
    assert.equal((await a.app.inject({ url: '/open311/v2/requests.json' })).json().length, 3);
  });

  test('a wrong jurisdiction_id is a 404 error; the tenant and the public host are accepted', async () => {
    const r = await a.app.inject({ url: '/open311/v2/services.json?jurisdiction_id=sf.gov' });
    assert.equal(r.statusCode, 404);
    assert.match(r.json()[0].description, /jurisdiction_id "sf.gov" is not served here/);
    assert.equal((await a.app.inject({ url: '/open311/v2/services.json?jurisdiction_id=daten.herne.de' })).statusCode, 200);
    assert.equal((await a.app.inject({ url: '/open311/v2/requests.xml?jurisdiction_id=herne' })).statusCode, 200);
  });

  test('GET requests/{id}: every member of the spec, status open with our step in status_notes', async () => {
    const r = (await a.app.inject({ url: '/open311/v2/requests/1.json' })).json();
    assert.deepEqual(r, [{
      service_request_id: '1', status: 'open', status_notes: 'Eingegangen', service_name: 'Schlagloch oder Straßenschaden', service_code: 'schlagloch',
      description: 'Tiefes Schlagloch vor Hausnummer 12', agency_responsible: 'Tiefbau', service_notice: null, requested_datetime: '2026-12-01T09:00:00Z',
      updated_datetime: '2026-12-01T09:00:00Z', expected_datetime: null, address: null, address_id: null, zipcode: null, lat: 51.5381, long: 7.2201, media_url: null,
    }]);
    const x = await a.app.inject({ url: '/open311/v2/requests/2.xml' });
    assert.match(x.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<service_requests><request><service_request_id>2<\/service_request_id><status>open<\/status>/);
    assert.match(x.body, /<address>Bahnhofstraße 10, Herne<\/address><address_id\/><zipcode\/><lat\/><long\/><media_url\/><\/request><\/service_requests>$/);
    const nf = await a.app.inject({ url: '/open311/v2/requests/999.xml' });
    assert.equal(nf.statusCode, 404);
    assert.match(nf.body, /<errors><error><code>404<\/code>/);
  });

  test('a rejection by a moderator closes the request: status closed, status_notes with the reason', async () => {
    const mod = await a.key({ name: 'moderation', roles: ['moderator'] });
    const r = await a.app.inject({ method: 'PATCH', url: '/api/reports/2', headers: { 'x-api-key': mod, 'content-type': 'application/json' }, payload: { status: 'rejected', note: 'Privatgrundstück' } });
    assert.equal(r.statusCode, 200, r.body);
    const got = (await a.app.inject({ url: '/open311/v2/requests/2.json' })).json()[0];
    assert.equal(got.status, 'closed');
    assert.equal(got.status_notes, 'Abgelehnt: Privatgrundstück');
    assert.equal((await a.app.inject({ url: '/open311/v2/requests/2.json?locale=en' })).json()[0].status_notes, 'Rejected: Privatgrundstück');
  });

  test('GET requests filters by status, service_code, date range and service_request_id (which overrides the rest)', async () => {
    const ids = async (q: string) => (await a.app.inject({ url: `/open311/v2/requests.json${q}` })).json().map((r: { service_request_id: string }) => r.service_request_id);
    assert.deepEqual(await ids(''), ['3', '2', '1']);
    assert.deepEqual(await ids('?status=open'), ['3', '1']);
    assert.deepEqual(await ids('?status=closed'), ['2']);
    assert.deepEqual(await ids('?status=open,closed&service_code=schlagloch,muell'), ['3', '1']);
    assert.deepEqual(await ids(`?start_date=${encodeURIComponent('2026-12-01T10:30:00+01:00')}&end_date=${encodeURIComponent('2026-12-01T10:30:00Z')}`), ['2']);
    assert.deepEqual(await ids('?start_date=2026-12-01T10:00:00Z'), ['3', '2']);
    assert.deepEqual(await ids('?service_request_id=1,3&status=closed'), ['3', '1']);
    assert.deepEqual(await ids('?page_size=1&page=2'), ['2']);
    const x = await a.app.inject({ url: '/open311/v2/requests.xml?status=closed' });
    assert.equal(x.body.match(/<request>/g)!.length, 1);
  });

  test('the default window is the last 90 days; bad parameters are 400 error arrays', async () => {
    clock.advance(91 * 86_400_000);
    const ids = async (q: string) => (await a.app.inject({ url: `/open311/v2/requests.json${q}` })).json();
    assert.deepEqual(await ids(''), []);
    assert.equal((await ids('?start_date=2026-11-01T00:00:00Z')).length, 3);
    for (const q of ['?status=pending', '?start_date=gestern', '?start_date=2026-12-02T00:00:00Z&end_date=2026-12-01T00:00:00Z', '?page_size=5000']) {
      const r = await a.app.inject({ url: `/open311/v2/requests.xml${q}` });
      assert.equal(r.statusCode, 400, q);
      assert.match(r.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<errors><error><code>400<\/code><description>/, q);
    }
  });

  test('unknown resources under /open311/v2 are 404 error arrays, not HTML', async () => {
    const r = await a.app.inject({ url: '/open311/v2/tokens/123.json' });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json()[0].code, 404);
  });
});
