// Remote @contexts over HTTP (clause 5.5.6): fetched once, used for expansion and compaction;
// unreachable → 503 LdContextNotAvailable, invalid → 400 BadRequestData; nothing stored on failure.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { testApp, type TestApp, JSON_HEADERS } from '../support/app.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';

describe('remote @context', () => {
  let t: TestApp;
  let server: Server;
  let base = '';
  let hits = 0;
  before(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/herne.jsonld') {
        res.setHeader('content-type', 'application/ld+json');
        res.end(JSON.stringify({ '@context': { herne: 'https://herne.example/ns#', pm10: 'herne:pm10', Sensor: 'herne:Sensor' } }));
      } else if (req.url === '/broken.jsonld') {
        res.end('{ not json');
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    t = await testApp({ DREHSCHEIBE_CONTEXT_REMOTE: 'on', DREHSCHEIBE_CONTEXT_TIMEOUT_MS: '2000' });
  });
  after(async () => {
    await t.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const link = (url: string) => ({ link: `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` });

  test('[5.5.6] a Link context expands names on write and compacts them on read; fetched once', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { ...JSON_HEADERS, ...link(`${base}/herne.jsonld`) }, payload: { id: 'urn:s:1', type: 'Sensor', pm10: 12 } });
    assert.equal(r.statusCode, 201, r.body);
    const plain = (await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:s:1?options=keyValues' })).json();
    assert.equal(plain.type, 'https://herne.example/ns#Sensor', 'without the context the full IRIs show');
    assert.equal(plain['https://herne.example/ns#pm10'], 12);
    const compact = (await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Sensor&q=pm10>10&options=keyValues', headers: link(`${base}/herne.jsonld`) })).json();
    assert.deepEqual(compact, [{ id: 'urn:s:1', type: 'Sensor', pm10: 12 }]);
    assert.equal(hits, 1, 'the context was fetched once');
  });

  test('[5.5.6] an unreachable context gives 503 LdContextNotAvailable and stores nothing', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { ...JSON_HEADERS, ...link(`${base}/missing.jsonld`) }, payload: { id: 'urn:s:2', type: 'Sensor' } });
    assert.equal(r.statusCode, 503);
    assert.equal(r.json().type, ETSI + 'LdContextNotAvailable');
    assert.match(r.json().detail, /missing\.jsonld/);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:s:2' })).statusCode, 404);
  });

  test('[5.5.6] a context that is not JSON gives 400 BadRequestData', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { ...JSON_HEADERS, ...link(`${base}/broken.jsonld`) }, payload: { id: 'urn:s:3', type: 'Sensor' } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().type, ETSI + 'BadRequestData');
  });
});
