// The access policy page over HTTP (inject, SQLite): operators only, the policy in force as a table
// and as JSON, invalid documents refused with the German problem at the field (what was typed kept,
// nothing changed), a saved policy in force at once for the API, the reset to the file's policy.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountsApp, browser, logIn, type AccountsApp, type Browser } from './support.ts';

describe('access policy page', () => {
  let t: AccountsApp;
  let op: Browser;
  const api = (url: string) => t.app.inject({ url, headers: { 'x-api-key': t.operatorKey } });
  const source = async () => ((await api('/admin/policy')).json() as { source: string; policy: unknown });
  const anonRead = (tenant: string) => t.app.inject({ url: '/ngsi-ld/v1/entities?type=Building', headers: { 'NGSILD-Tenant': tenant } });
  before(async () => {
    t = await accountsApp();
    await t.user('op@herne.de', [{ role: 'operator' }]);
    await t.user('steward@herne.de', [{ role: 'steward', tenants: ['herne'] }]);
    op = browser(t);
    await logIn(op, 'op@herne.de');
  });
  after(async () => { await t.close(); });

  test('only operators: no session → login page, a steward → 403; the overview links the page', async () => {
    const anon = browser(t);
    const r = await anon.get('/verwaltung/richtlinie');
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, '/anmelden?returnTo=%2Fverwaltung%2Frichtlinie');
    const st = browser(t);
    await logIn(st, 'steward@herne.de');
    assert.equal((await st.get('/verwaltung/richtlinie')).statusCode, 403);
    assert.equal((await st.post('/verwaltung/richtlinie', { action: 'save', policy: '{}' })).statusCode, 403);
    const home = await op.get('/verwaltung');
    assert.match(home.body, /href="\/verwaltung\/richtlinie">Zugriffsrichtlinie<\/a>/);
    const en = await op.get('/en/admin');
    assert.match(en.body, /href="\/en\/admin\/policy">Access policy<\/a>/);
  });

  test('invalid JSON and invalid rules: 400, the German problem at the field, the text kept, the policy unchanged', async () => {
    const before = await source();
    const page = await op.get('/verwaltung/richtlinie');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<label class="kern-label" for="policy-policy">Richtlinie \(JSON\)/);
    assert.match(page.body, /jeder andere Mandant \(Grundregeln\)/);
    const broken = '{\n  "tenants": { "herne": { "read": ["*"], } }\n}';
    const r1 = await op.post('/verwaltung/richtlinie', { action: 'save', policy: broken });
    assert.equal(r1.statusCode, 400);
    assert.match(r1.body, /id="policy-policy-error"[^>]*>.*Das ist kein gültiges JSON \(Zeile 2, Spalte \d+\)/);
    assert.match(r1.body, /aria-invalid="true"/);
    assert.match(r1.body, /href="#policy-policy"/, 'the error summary links to the field');
    assert.match(r1.body, /"read": \[&quot;\*&quot;\], \}|&quot;read&quot;: \[&quot;\*&quot;\], \}/, 'what was typed is kept');
    const bad = JSON.stringify({ tenants: { herne: { read: ['kaiser'] }, 'kein mandant!': {} }, extra: 1 });
    const r2 = await op.post('/verwaltung/richtlinie', { action: 'save', policy: bad });
    assert.equal(r2.statusCode, 400);
    assert.match(r2.body, /3 Probleme: /);
    assert.match(r2.body, /tenants\[&quot;herne&quot;\]\.read: „kaiser“ ist kein Subjekt/);
    assert.match(r2.body, /„kein mandant!“ ist kein gültiger Mandantenname/);
    assert.match(r2.body, /Unbekannte Angabe\(n\) extra/);
    const empty = await op.post('/verwaltung/richtlinie', { action: 'save', policy: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Geben Sie die Richtlinie als JSON ein/);
    const en = await op.post('/en/admin/policy', { action: 'save', policy: bad });
    assert.equal(en.statusCode, 400);
    assert.match(en.body, /<html lang="en"/);
    assert.match(en.body, /3 problems: .*is not a subject/);
    assert.deepEqual(await source(), before, 'nothing changed');
  });

  test('a saved policy is in force at once (the API through the same service), shown as the table; reset brings back the file\'s policy', async () => {
    await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'x-api-key': t.operatorKey, 'NGSILD-Tenant': 'geheim', 'content-type': 'application/json' }, payload: { id: 'urn:ngsi-ld:Building:1', type: 'Building' } });
    assert.equal((await anonRead('geheim')).statusCode, 200, 'open by the default rules');
    const doc = { tenants: { geheim: { read: ['operator'], types: { Building: { read: ['steward@geheim'] } } } } };
    const noCsrf = await op.post('/verwaltung/richtlinie', { action: 'save', policy: JSON.stringify(doc) }, { csrf: false });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal((await source()).source, 'file');
    await op.get('/verwaltung/richtlinie');
    const ok = await op.post('/verwaltung/richtlinie', { action: 'save', policy: JSON.stringify(doc) });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/verwaltung/richtlinie?ok=saved');
    assert.deepEqual(await source(), { source: 'admin-api', policy: doc, defaults: (await api('/admin/policy')).json().defaults });
    assert.equal((await anonRead('geheim')).statusCode, 401, 'the anonymous reader is refused now');
    const shown = await op.get(ok.headers.location as string);
    assert.match(shown.body, /Die Richtlinie ist gespeichert und gilt jetzt\./);
    assert.match(shown.body, /<th scope="row">geheim<\/th><td><code>operator<\/code><\/td><td>wie Grundregeln<\/td>/);
    assert.match(shown.body, /<code>Building<\/code>: Lesen <code>steward@geheim<\/code>/);
    assert.match(shown.body, /Es gilt eine hier \(oder über \/admin\/policy\) gespeicherte Richtlinie/);
    const reset = await op.post('/verwaltung/richtlinie', { action: 'reset' });
    assert.equal(reset.statusCode, 303);
    assert.equal(reset.headers.location, '/verwaltung/richtlinie?ok=reset');
    assert.equal((await source()).source, 'file');
    assert.equal((await anonRead('geheim')).statusCode, 200);
    const after = await op.get(reset.headers.location as string);
    assert.match(after.body, /Die gespeicherte Richtlinie ist verworfen/);
    assert.doesNotMatch(after.body, /Auf die Richtlinie aus der Datei zurücksetzen/, 'nothing to reset');
    await t.app.drehscheibe.auth.audit?.flush();
    const log = (await api('/admin/audit?action=POST%20/verwaltung/richtlinie')).json() as Array<{ principal: string; target?: string; status: number }>;
    assert.ok(log.some((e) => e.principal.startsWith('user:') && e.target === 'policy' && e.status === 303), 'the page\'s change is in the audit log');
  });

  test('PUT /admin/policy keeps its answer: 400 naming every problem; the page and the API share one policy', async () => {
    const r = await t.app.inject({ method: 'PUT', url: '/admin/policy', headers: { 'x-api-key': t.operatorKey }, payload: { tenants: { herne: { read: ['kaiser'] } } } });
    assert.equal(r.statusCode, 400);
    assert.match(r.json().detail, /^Invalid policy: tenants\["herne"\]\.read: "kaiser" is not a subject/);
    const put = await t.app.inject({ method: 'PUT', url: '/admin/policy', headers: { 'x-api-key': t.operatorKey }, payload: { tenants: { herne: { write: ['operator'] } } } });
    assert.equal(put.statusCode, 204);
    const page = await op.get('/en/admin/policy');
    assert.match(page.body, /A policy saved here \(or through \/admin\/policy\) is in force/);
    assert.match(page.body, /&quot;write&quot;: \[\s*&quot;operator&quot;/);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/admin/policy', headers: { 'x-api-key': t.operatorKey } })).statusCode, 204);
  });
});
