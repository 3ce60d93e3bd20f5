// The OpenAPI 3.1 description: served at /api/openapi.json, valid by a real OpenAPI validator,
// complete (every route the app registers under the API prefixes below is in it, read from
// app.printRoutes), nothing in it that the app does not serve, and browsable at /entwickler/api.
// Its schemas against real answers: openapi.answers.test.ts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { testApp, type TestApp } from '../support/app.ts';
import { PAGES } from '../../src/portal/paths.ts';
import { Validator } from '@seriousme/openapi-schema-validator';
import { OPERATIONS, TAGS } from '../../src/portal/admin/openapi.ts';
import { adminDe } from '../../src/portal/i18n/admin.de.ts';
import { adminEn } from '../../src/portal/i18n/admin.en.ts';

/** Every (method, path) from Fastify's route tree (printRoutes with commonPrefix off), HEAD left out. */
function registered(tree: string): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    const seg = m[2];
    stack.length = depth;
    const base = depth === 0 ? '' : stack[depth - 1];
    const full = depth === 0 ? seg : `${base}${base.endsWith('/') || seg.startsWith('/') ? '' : ''}${seg}`;
    stack[depth] = full;
    if (m[3]) for (const method of m[3].split(', ')) if (method !== 'HEAD') out.push({ method, path: full.startsWith('/') ? full : `/${full}` });
  }
  return out;
}

const PREFIXES = ['/ngsi-ld/v1/', '/iot/', '/admin/', '/konto', '/api/strategy/', '/api/catalog/', '/catalog', '/api/3/', '/api/participation/', '/api/reports/', '/open311/', '/v2/', '/api/openapi.json'];
const openapiPath = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('OpenAPI description', () => {
  let a: TestApp;
  let doc: { openapi: string; paths: Record<string, Record<string, { tags: string[]; summary: string; operationId: string }>> };
  before(async () => {
    a = await testApp();
    await a.app.ready();
    const r = await a.app.inject({ url: '/api/openapi.json' });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^application\/json/);
    doc = r.json();
  });
  after(async () => { await a.close(); });

  test('is OpenAPI 3.1 with unique operation ids, tags and summaries on every operation', () => {
    assert.equal(doc.openapi, '3.1.0');
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        assert.ok(op.summary && op.tags.length === 1, `${method} ${path}`);
        assert.ok(!ids.has(op.operationId), `duplicate operationId ${op.operationId}`);
        ids.add(op.operationId);
      }
    }
    assert.ok(ids.size > 200, `${ids.size} operations`);
  });

  test('is served brotli- or gzip-compressed, the same bytes each time, decoding to the document', async () => {
    for (const [enc, decode] of [['br', brotliDecompressSync], ['gzip', gunzipSync]] as const) {
      const r1 = await a.app.inject({ url: '/api/openapi.json', headers: { 'accept-encoding': enc } });
      const r2 = await a.app.inject({ url: '/api/openapi.json', headers: { 'accept-encoding': enc } });
      assert.equal(r1.headers['content-encoding'], enc);
      assert.ok(r1.rawPayload.equals(r2.rawPayload));
      assert.ok(r1.rawPayload.length < 60_000, `${enc}: ${r1.rawPayload.length} bytes`);
      assert.deepEqual(JSON.parse(decode(r1.rawPayload).toString('utf8')), doc);
    }
  });

  test('a real OpenAPI 3.1 validator accepts it, and every local $ref points into it', async () => {
    const v = new Validator();
    const r = await v.validate(structuredClone(doc) as Record<string, unknown>);
    assert.deepEqual(r.errors, undefined);
    assert.equal(r.valid, true);
    assert.equal(v.version, '3.1');
    const refs: string[] = [];
    const walk = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      for (const [k, x] of Object.entries(n)) if (k === '$ref' && typeof x === 'string') refs.push(x); else walk(x);
    };
    walk(doc);
    const at = (ref: string) => ref.slice(2).split('/').reduce<unknown>((o, seg) => (o as Record<string, unknown> | undefined)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    assert.ok(refs.length > 500);
    assert.deepEqual(refs.filter((x) => !x.startsWith('#/') || at(x) === undefined), []);
  });

  test('the validator refuses a malformed document: a bad parameter location, an answer without description, a path parameter not required', async () => {
    const breakages: Array<[RegExp, (d: Record<string, Record<string, Record<string, Record<string, unknown>>>>) => void]> = [
      [/api~1catalog~1datasets/, (d) => { (d.paths['/api/catalog/datasets'].get.parameters as unknown as Array<Record<string, unknown>>)[0].in = 'body'; }],
      [/v2~1entities/, (d) => { delete (d.paths['/v2/entities'].post.responses as Record<string, Record<string, unknown>>)['201'].description; }],
      [/open311~1v2~1requests~1\{file\}/, (d) => { (d.paths['/open311/v2/requests/{file}'].get.parameters as unknown as Array<Record<string, unknown>>)[0].required = false; }],
    ];
    for (const [where, breakIt] of breakages) {
      const bad = structuredClone(doc) as never;
      breakIt(bad);
      const r = await new Validator().validate(bad as Record<string, unknown>);
      assert.equal(r.valid, false, String(where));
      assert.match(JSON.stringify(r.errors), where);
    }
  });

  test('every registered route under the API prefixes (NGSI-LD, IoT, admin, konto, strategy, catalogue, DCAT-AP, CKAN, participation, reports, Open311, NGSIv2) is described (pages excepted)', () => {
    const routes = registered(a.app.printRoutes({ commonPrefix: false }));
    const keys = new Set(routes.map((r) => `${r.method} ${r.path}`));
    // The tree splits segments mid-word (/sitzung → en); these prove it is read back whole.
    for (const k of ['POST /ngsi-ld/v1/entities', 'DELETE /konto/sitzungen/:id', 'POST /konto/abmelden-ueberall', 'PATCH /ngsi-ld/v1/temporal/entities/:entityId/attrs/:attrId/:instanceId', 'GET /iot/devices/:id']) assert.ok(keys.has(k), `${k} read from the route tree`);
    const pages = new Set<string>(Object.values(PAGES).flatMap((p) => [p.de, p.en]));
    const missing = routes
      .filter((r) => PREFIXES.some((p) => r.path.startsWith(p) || r.path === p.replace(/\/$/, '')) && !pages.has(r.path))
      .filter((r) => !doc.paths[openapiPath(r.path)]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(missing, []);
  });

  test('nothing is described that the app does not serve', () => {
    const routes = new Set(registered(a.app.printRoutes({ commonPrefix: false })).map((r) => `${r.method} ${openapiPath(r.path)}`));
    const extra = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).filter((k) => !routes.has(k));
    assert.deepEqual(extra, []);
  });

  test('/entwickler/api lists the operations grouped by tag (German page, English summaries marked), linked from /entwickler', async () => {
    const r = await a.app.inject({ url: '/entwickler/api' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<html lang="de"/);
    assert.match(r.body, /<h2 class="kern-heading-large" id="api-ngsi-ld">NGSI-LD<\/h2>/);
    assert.match(r.body.replace(/<wbr\/>/g, ''), /<code class="api-path">\/admin\/api-keys\/\{id\}<\/code>/);
    assert.match(r.body, /<code class="api-path">\/<wbr\/>ngsi-ld\/<wbr\/>v1\/<wbr\/>entities<\/code>/);
    assert.match(r.body, /<td lang="en">Create an entity \(5\.6\.1\)<\/td>/);
    assert.match(r.body, /href="\/api\/openapi\.json"/);
    const en = await a.app.inject({ url: '/en/developers/api' });
    assert.match(en.body, /<html lang="en"/);
    const dev = await a.app.inject({ url: '/entwickler' });
    assert.match(dev.body, /href="\/entwickler\/api"/);
  });

  test('the page has a German and an English text for every tag and every kind of access, and a section per tag', async () => {
    for (const m of [adminDe, adminEn]) {
      assert.deepEqual(TAGS.filter((t) => !m.apiDocs.tagDescriptions[t.name]).map((t) => t.name), []);
      assert.deepEqual([...new Set(OPERATIONS.map((o) => o.access))].filter((x) => !m.apiDocs.accessLabels[x]), []);
    }
    const r = await a.app.inject({ url: '/entwickler/api' });
    for (const t of TAGS) assert.match(r.body, new RegExp(`<h2 class="kern-heading-large" id="api-${t.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}">`), t.name);
    assert.match(r.body.replace(/<wbr\/>/g, ''), /<code class="api-path">\/open311\/v2\/requests\.xml<\/code>/);
    assert.match(r.body, /Person mit bestätigtem Konto/);
  });
});
