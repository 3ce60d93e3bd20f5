// The OpenAPI description against real answers of the platform's own APIs: a walk through every
// IoT, admin, konto (accounts) and strategy operation (successes and errors, access control on)
// checks that each answer's status and media type are described and its JSON body validates
// against the described schema — and that every successful JSON answer has a described schema.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { accountsApp, PASSWORD, type AccountsApp } from './support.ts';
import { cookiesOf } from '../accounts/support.ts';
import { loadStarter } from '../../src/strategy/index.ts';
import { AnswerChecker } from './openapi.support.ts';
import { OPERATIONS } from '../../src/portal/admin/openapi.ts';

const fixture = (n: string) => readFileSync(new URL(`../fixtures/lorawan/${n}`, import.meta.url), 'utf8');
const TAGS = new Set(['IoT', 'Admin', 'Konto', 'Strategy']);

describe('OpenAPI description against real answers: IoT, admin, konto, strategy', () => {
  let t: AccountsApp;
  let c: AnswerChecker;
  type Opts = { headers?: Record<string, string>; payload?: unknown; key?: boolean };
  const call = async (method: string, url: string, o: Opts = {}) => {
    const json = o.payload !== undefined && typeof o.payload !== 'string';
    const headers = { ...(json ? { 'content-type': 'application/json' } : {}), ...(o.key === false ? {} : { 'x-api-key': t.operatorKey }), ...o.headers };
    const r = await t.app.inject({ method: method as 'GET', url, headers, payload: o.payload as string });
    c.check(method, url, r);
    return r;
  };
  const mails = async (to: string) => (await t.app.drehscheibe.storage.accounts.listMail({ limit: 50, offset: 0, to }));
  before(async () => {
    t = await accountsApp({ DREHSCHEIBE_PUBLIC_URL: 'http://drehscheibe.test' });
    await t.app.ready();
    await loadStarter(t.app.drehscheibe.strategy);
    c = new AnswerChecker((await t.app.inject({ url: '/api/openapi.json' })).json());
  });
  after(async () => { await t.close(); });

  test('IoT: service groups and devices provisioned, listed, changed, measured (JSON, LoRaWAN), deleted; errors', async () => {
    const fs = { 'fiware-service': 'herne', 'fiware-servicepath': '/lora' };
    assert.equal((await call('GET', '/iot/about')).statusCode, 200);
    assert.equal((await call('POST', '/iot/services', { headers: fs, payload: { services: [{ apikey: 'lora-env', resource: '/iot/json', entity_type: 'AirQualityObserved', attributes: [{ object_id: 'temperature', name: 'temperature', type: 'Number' }] }] } })).statusCode, 201);
    assert.equal((await call('POST', '/iot/services', { headers: fs, payload: { services: [{ apikey: 'lora-env', resource: '/iot/json' }] } })).statusCode, 409);
    assert.equal((await call('POST', '/iot/services', { headers: fs, payload: { services: 'nein' } })).statusCode, 400);
    assert.equal((await call('GET', '/iot/services', { headers: fs })).statusCode, 200);
    assert.equal((await call('PUT', '/iot/services?apikey=lora-env&resource=/iot/json', { headers: fs, payload: { entity_type: 'AirQualityObserved' } })).statusCode, 204);
    assert.equal((await call('POST', '/iot/devices', { headers: fs, payload: { devices: [{ device_id: 'ers-1', entity_type: 'AirQualityObserved', apikey: 'lora-env', dev_eui: 'a81758fffe0312ab' }, { device_id: 'ttn-1', entity_type: 'AirQualityObserved', apikey: 'lora-env', dev_eui: '70B3D57ED005A1B2' }] } })).statusCode, 201);
    assert.equal((await call('GET', '/iot/devices', { headers: fs })).statusCode, 200);
    assert.equal((await call('GET', '/iot/devices/ers-1', { headers: fs })).statusCode, 200);
    assert.equal((await call('GET', '/iot/devices/nirgends', { headers: fs })).statusCode, 404);
    assert.equal((await call('PUT', '/iot/devices/ers-1', { headers: fs, payload: { entity_type: 'AirQualityObserved' } })).statusCode, 204);
    assert.ok((await call('POST', '/iot/json?k=lora-env&i=ers-1', { key: false, payload: { temperature: 21.5 } })).statusCode < 300);
    assert.ok((await call('POST', '/iot/json/attrs/temperature?k=lora-env&i=ers-1', { key: false, headers: { 'content-type': 'text/plain' }, payload: '22' })).statusCode < 300);
    assert.equal((await call('POST', '/iot/json?k=falsch&i=ers-1', { key: false, payload: { temperature: 1 } })).statusCode >= 400, true);
    assert.ok((await call('POST', '/iot/lorawan/chirpstack?event=up&k=lora-env', { key: false, payload: JSON.parse(fixture('chirpstack-v4-up.json')) })).statusCode < 300);
    assert.ok((await call('POST', '/iot/lorawan/ttn?k=lora-env', { key: false, payload: JSON.parse(fixture('ttn-v3-uplink.json')) })).statusCode < 300);
    await t.app.drehscheibe.ingest.pipeline.drain();
    assert.equal((await call('GET', '/iot/metrics')).statusCode, 200);
    assert.equal((await call('GET', '/iot/devices', { headers: fs, key: false })).statusCode, 401);
    assert.equal((await call('DELETE', '/iot/devices/ttn-1', { headers: fs })).statusCode, 204);
    assert.equal((await call('DELETE', '/iot/services?apikey=lora-env&resource=/iot/json', { headers: fs })).statusCode, 204);
  });

  test('admin: API keys, audit log, policy, users and their sessions, outbox; errors', async () => {
    const k = await call('POST', '/admin/api-keys', { payload: { name: 'walk', roles: ['steward'], tenants: ['herne'] } });
    assert.equal(k.statusCode, 201);
    assert.equal((await call('POST', '/admin/api-keys', { payload: { name: 'walk', roles: ['kaiser'] } })).statusCode, 400);
    assert.equal((await call('GET', '/admin/api-keys')).statusCode, 200);
    assert.equal((await call('DELETE', `/admin/api-keys/${k.json().id}`)).statusCode, 204);
    assert.equal((await call('GET', '/admin/audit?limit=5')).statusCode, 200);
    assert.equal((await call('GET', '/admin/audit?limit=0')).statusCode, 400);
    const pol = await call('GET', '/admin/policy');
    assert.equal(pol.statusCode, 200);
    assert.equal((await call('PUT', '/admin/policy', { payload: pol.json().policy ?? {} })).statusCode, 204);
    assert.equal((await call('PUT', '/admin/policy', { payload: { tenants: { herne: { read: ['kaiser'] } } } })).statusCode, 400);
    assert.equal((await call('DELETE', '/admin/policy')).statusCode, 204);
    const u = await call('POST', '/admin/users', { payload: { email: 'walk@herne.de', displayName: 'Walk', password: PASSWORD, roles: [{ role: 'steward', tenants: ['herne'] }] } });
    assert.equal(u.statusCode, 201);
    const id = u.json().id as string;
    assert.equal((await call('POST', '/admin/users', { payload: { email: 'walk@herne.de' } })).statusCode, 409);
    assert.equal((await call('GET', '/admin/users')).statusCode, 200);
    assert.equal((await call('GET', `/admin/users/${id}`)).statusCode, 200);
    assert.equal((await call('GET', '/admin/users/nirgends')).statusCode, 404);
    assert.equal((await call('PATCH', `/admin/users/${id}`, { payload: { displayName: 'Walk 2' } })).statusCode, 200);
    assert.equal((await call('POST', `/admin/users/${id}/password-link`)).statusCode, 202);
    await t.login('walk@herne.de');
    const sessions = await call('GET', `/admin/users/${id}/sessions`);
    assert.equal(sessions.statusCode, 200);
    assert.equal((await call('DELETE', `/admin/sessions/${sessions.json()[0].id}`)).statusCode, 204);
    await t.login('walk@herne.de');
    assert.equal((await call('DELETE', `/admin/users/${id}/sessions`)).statusCode, 200);
    assert.equal((await call('GET', '/admin/outbox?limit=5')).statusCode, 200);
    assert.equal((await call('GET', '/admin/outbox?state=lost')).statusCode, 400);
    assert.equal((await call('DELETE', `/admin/users/${id}`)).statusCode, 204);
    assert.equal((await call('GET', '/admin/users', { key: false })).statusCode, 401);
  });

  test('admin tenants: created, listed, measured, deleted (the city\'s only with confirm); errors', async () => {
    assert.equal((await call('POST', '/admin/tenants', { payload: { name: 'nicht ok' } })).statusCode, 400);
    assert.equal((await call('POST', '/admin/tenants', { payload: { name: 'openapi-t' } })).statusCode, 201);
    assert.equal((await call('POST', '/admin/tenants', { payload: { name: 'openapi-t' } })).statusCode, 409);
    assert.equal((await call('GET', '/admin/tenants')).statusCode, 200);
    assert.equal((await call('GET', '/admin/tenants/openapi-t')).statusCode, 200);
    assert.equal((await call('GET', '/admin/tenants/nirgends')).statusCode, 404);
    assert.equal((await call('DELETE', '/admin/tenants/openapi-t')).statusCode, 200);
    assert.equal((await call('POST', '/admin/tenants', { payload: { name: 'herne' } })).statusCode, 409, 'the IoT walk wrote to it');
    assert.equal((await call('DELETE', '/admin/tenants/herne')).statusCode, 409);
    assert.equal((await call('DELETE', '/admin/tenants/herne?confirm=herne')).statusCode, 200);
  });

  test('konto: CSRF token, login, session, sessions, password change, reset, registration, confirmation, logout; errors', async () => {
    await t.user('konto@herne.de');
    assert.equal((await call('GET', '/konto/csrf', { key: false })).statusCode, 200);
    assert.equal((await call('GET', '/konto/anmelden', { key: false })).statusCode, 303);
    assert.equal((await call('POST', '/konto/anmelden', { key: false, payload: { email: 'konto@herne.de', password: 'falsch-falsch-falsch' } })).statusCode, 401);
    const login = await call('POST', '/konto/anmelden', { key: false, payload: { email: 'konto@herne.de', password: PASSWORD } });
    assert.equal(login.statusCode, 200);
    let s = { cookie: cookiesOf(login), 'x-csrf-token': login.json().csrf as string };
    assert.equal((await call('GET', '/konto/sitzung', { key: false, headers: s })).statusCode, 200);
    assert.equal((await call('GET', '/konto/sitzung', { key: false })).statusCode, 401);
    const other = await t.login('konto@herne.de');
    const list = await call('GET', '/konto/sitzungen', { key: false, headers: s });
    assert.equal(list.statusCode, 200);
    const otherId = (list.json() as Array<{ id: string; current: boolean }>).find((x) => !x.current)!.id;
    assert.equal((await call('DELETE', `/konto/sitzungen/${otherId}`, { key: false, headers: s })).statusCode, 204);
    assert.equal((await call('DELETE', '/konto/sitzungen/nirgends', { key: false, headers: s })).statusCode, 404);
    void other;
    const changed = await call('POST', '/konto/passwort-aendern', { key: false, headers: s, payload: { currentPassword: PASSWORD, password: 'Ein-neues-langes-Passwort' } });
    assert.equal(changed.statusCode, 200);
    s = { cookie: cookiesOf(changed), 'x-csrf-token': changed.json().csrf as string };
    assert.equal((await call('POST', '/konto/passwort-aendern', { key: false, headers: s, payload: { currentPassword: 'falsch', password: 'Noch-ein-langes-Passwort' } })).statusCode, 401);
    assert.equal((await call('POST', '/konto/passwort-vergessen', { key: false, payload: { email: 'konto@herne.de' } })).statusCode, 202);
    await t.app.drehscheibe.accounts.idle();
    const token = /token=([A-Za-z0-9_-]+)/.exec((await mails('konto@herne.de'))[0]!.text)![1];
    assert.equal((await call('POST', '/konto/passwort-zuruecksetzen', { key: false, payload: { token: 'x'.repeat(30), password: PASSWORD } })).statusCode, 400);
    assert.equal((await call('POST', '/konto/passwort-zuruecksetzen', { key: false, payload: { token, password: PASSWORD } })).statusCode, 200);
    assert.equal((await call('POST', '/konto/registrieren', { key: false, payload: { email: 'neu@example.org', password: PASSWORD } })).statusCode, 202);
    assert.equal((await call('POST', '/konto/registrieren', { key: false, payload: { email: 'keine', password: 'kurz' } })).statusCode, 400);
    await t.app.participation!.registration.idle();
    const confirm = /token=([A-Za-z0-9_-]+)/.exec((await mails('neu@example.org'))[0]!.text)![1];
    assert.equal((await call('POST', '/konto/email-bestaetigen', { key: false, payload: { token: confirm } })).statusCode, 200);
    assert.equal((await call('POST', '/konto/email-bestaetigen', { key: false, payload: { token: confirm } })).statusCode, 400);
    assert.equal((await call('GET', '/konto/oidc/start', { key: false })).statusCode, 404, 'no issuer configured');
    assert.ok((await call('GET', '/konto/oidc/callback?code=x&state=y', { key: false })).statusCode >= 300);
    const again = await t.login('konto@herne.de');
    s = { cookie: again.cookie, 'x-csrf-token': again.csrf };
    assert.equal((await call('POST', '/konto/abmelden-ueberall', { key: false, headers: s, payload: {} })).statusCode, 204);
    const last = await t.login('konto@herne.de');
    assert.equal((await call('POST', '/konto/abmelden', { key: false, headers: { cookie: last.cookie, 'x-csrf-token': last.csrf }, payload: {} })).statusCode, 204);
  });

  test('strategy: fields, organisations, events, projects and KPIs read, written, evaluated, deleted; errors', async () => {
    const fields = await call('GET', '/api/strategy/fields', { key: false });
    assert.equal(fields.statusCode, 200);
    assert.equal((await call('GET', `/api/strategy/fields/${fields.json()[0].id}`, { key: false })).statusCode, 200);
    assert.equal((await call('GET', '/api/strategy/fields/nirgends', { key: false })).statusCode, 404);
    assert.equal((await call('GET', '/api/strategy/organisations', { key: false })).statusCode, 200);
    assert.equal((await call('GET', '/api/strategy/events', { key: false })).statusCode, 200);
    assert.equal((await call('GET', '/api/strategy/projects', { key: false })).statusCode, 200);
    const project = { slug: 'ladesaeulen', fieldId: 'mobilitaet', status: 'planning', title: { de: 'Ladesäulen', en: 'Charging points' }, summary: { de: 'Mehr Ladesäulen', en: 'More charging points' }, location: { type: 'Point', coordinates: [7.2, 51.53] }, entityTypes: ['EVChargingStation'] };
    assert.equal((await call('POST', '/api/strategy/projects', { payload: project })).statusCode, 201);
    assert.equal((await call('POST', '/api/strategy/projects', { payload: { ...project, slug: 'Nicht OK' } })).statusCode, 400);
    assert.equal((await call('POST', '/api/strategy/projects', { payload: project, key: false })).statusCode, 401);
    assert.equal((await call('GET', '/api/strategy/projects/ladesaeulen', { key: false })).statusCode, 200);
    assert.equal((await call('PUT', '/api/strategy/projects/ladesaeulen', { payload: { ...project, status: 'in_progress' } })).statusCode, 200);
    const kpi = { id: 'wlan-online', name: { de: 'WLAN-Zugangspunkte in Betrieb', en: 'WiFi access points online' }, project: 'ladesaeulen', published: true, selection: { tenant: 'herne', type: 'AccessPoint', q: 'apState=="up"' }, value: {}, reduction: { kind: 'count' } };
    assert.equal((await call('POST', '/api/strategy/kpis', { payload: kpi })).statusCode, 201);
    assert.equal((await call('POST', '/api/strategy/kpis', { payload: kpi })).statusCode, 409);
    assert.equal((await call('GET', '/api/strategy/kpis', { key: false })).statusCode, 200);
    assert.equal((await call('GET', '/api/strategy/kpis/wlan-online', { key: false })).statusCode, 200);
    assert.equal((await call('PUT', '/api/strategy/kpis/wlan-online', { payload: { ...kpi, unit: 'C62' } })).statusCode, 200);
    assert.equal((await call('POST', '/api/strategy/kpis/wlan-online/evaluate')).statusCode, 200);
    assert.equal((await call('DELETE', '/api/strategy/kpis/wlan-online')).statusCode, 204);
    assert.equal((await call('DELETE', '/api/strategy/projects/ladesaeulen')).statusCode, 204);
    assert.equal((await call('GET', '/api/strategy/projects/ladesaeulen', { key: false })).statusCode, 404);
  });

  test('every answer had a described status, media type and shape; every successful JSON answer a schema; every operation was called', () => {
    assert.deepEqual({ problems: c.problems, undescribed: c.undescribed }, { problems: [], undescribed: [] });
    const missed = OPERATIONS.filter((o) => TAGS.has(o.tag) && !c.seen.has(`${o.method} ${o.path}`)).map((o) => `${o.method} ${o.path}`);
    assert.deepEqual(missed, []);
  });
});
