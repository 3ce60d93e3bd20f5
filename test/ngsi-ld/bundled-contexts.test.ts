// Contexts that resolve offline: the general Smart Data Models @context (merged from the domain
// contexts), the demo tenants' hosted @contexts under short stable URLs, and an unreachable remote
// @context logged as one warning without a stack trace (clause 5.13, 6.30).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { testApp } from '../support/app.ts';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';

const link = (url: string) => ({ link: `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` });
const SDM = 'https://smartdatamodels.org/context.jsonld';
const HERNE = 'http://127.0.0.1:1026/ngsi-ld/v1/jsonldContexts/herne';
const AQ = {
  id: 'urn:ngsi-ld:AirQualityObserved:ctx-1', type: 'AirQualityObserved',
  no2: { type: 'Property', value: 22.5 }, name: { type: 'Property', value: 'Rathaus' },
};

test('[5.13] the general Smart Data Models @context resolves with remote fetching off, and the hosted demo @context gives the same names', async () => {
  const t = await testApp({ DREHSCHEIBE_CONTEXT_REMOTE: 'off' });
  try {
    const c = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'content-type': 'application/json', 'ngsild-tenant': 'herne', ...link(SDM) }, payload: AQ });
    assert.equal(c.statusCode, 201, c.body);
    for (const ctx of [SDM, HERNE]) {
      const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=AirQualityObserved&q=no2>20&options=keyValues', headers: { 'ngsild-tenant': 'herne', ...link(ctx) } });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(JSON.parse(r.body).map((e: Record<string, unknown>) => [e.id, e.no2, e.name]), [[AQ.id, 22.5, 'Rathaus']], ctx);
    }
    // The same hosted @context named as localhost on another port (a container's published port) is ours too.
    const other = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=AirQualityObserved&q=no2>20&options=keyValues', headers: { 'ngsild-tenant': 'herne', ...link('http://localhost:8080/ngsi-ld/v1/jsonldContexts/herne') } });
    assert.equal(other.statusCode, 200, other.body);
    assert.equal(JSON.parse(other.body)[0].no2, 22.5);
    const plain = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=AirQualityObserved&q=no2>20', headers: { 'ngsild-tenant': 'herne' } });
    assert.deepEqual(JSON.parse(plain.body), [], 'without the Link header no2 is another attribute');
  } finally { await t.close(); }
});

test('[6.30] every demo tenant\'s @context is served as a Hosted @context under a short URL, and cannot be deleted', async () => {
  const t = await testApp();
  try {
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/jsonldContexts/herne' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^application\/ld\+json/);
    const ctx = JSON.parse(r.body)['@context'] as Record<string, string>;
    assert.equal(ctx.no2, 'https://smartdatamodels.org/dataModel.Environment/no2');
    assert.equal(ctx.availableSpotNumber, 'https://smartdatamodels.org/dataModel.Parking/availableSpotNumber');
    const listed = JSON.parse((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/jsonldContexts?kind=Hosted' })).body) as string[];
    assert.ok(listed.includes(HERNE), JSON.stringify(listed));
    const del = await t.app.inject({ method: 'DELETE', url: '/ngsi-ld/v1/jsonldContexts/herne' });
    assert.equal(del.statusCode, 400);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/jsonldContexts/herne' })).statusCode, 200);
  } finally { await t.close(); }
});

test('the bundled general Smart Data Models @context is what scripts/build-sdm-context.mjs builds from the domain contexts', () => {
  const out = execFileSync(process.execPath, ['scripts/build-sdm-context.mjs', '--check'], { encoding: 'utf8' });
  assert.match(out, /up to date/);
});

test('[5.5.6] an unreachable remote @context: 503 LdContextNotAvailable and one warning log line without a stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-ctx-log-'));
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write(chunk, _e, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } });
  const config = loadConfig({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_RATE_LIMIT: 'off', DREHSCHEIBE_CONTEXT_TIMEOUT_MS: '500' });
  const storage = SqliteStorage.inDataDir(dir);
  const fetchImpl = (async () => { throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND fiware.example'), { code: 'ENOTFOUND' }) }); }) as typeof fetch;
  const app = await buildApp(config, { storage, logger: pino({ level: 'info' }, stream), fetchImpl });
  try {
    const r = await app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Shelf', headers: link('https://fiware.example/tutorials-context.jsonld') });
    assert.equal(r.statusCode, 503);
    assert.equal(JSON.parse(r.body).type, 'https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable');
    const about = lines.filter((l) => JSON.stringify(l).includes('fiware.example'));
    assert.equal(about.length, 1, JSON.stringify(lines));
    assert.equal(about[0].level, 40, 'warn');
    assert.ok(!JSON.stringify(about[0]).includes('    at '), 'no stack trace');
    assert.equal(lines.filter((l) => (l.level as number) >= 50).length, 0, 'no error-level line');
  } finally {
    await app.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every @context URL that README.md and docs/*.md name resolves with remote fetching off', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const files = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const urls = new Set<string>();
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/https?:\/\/[^\s<>"'`)\]]+?\.jsonld|http:\/\/127\.0\.0\.1:1026\/ngsi-ld\/v1\/jsonldContexts\/[\w-]+/g)) urls.add(m[0]);
  assert.ok(urls.has(SDM) && urls.has(HERNE), [...urls].join(' '));
  const t = await testApp({ DREHSCHEIBE_CONTEXT_REMOTE: 'off' });
  try {
    for (const url of urls) {
      const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types', headers: link(url) });
      assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    }
  } finally { await t.close(); }
});
