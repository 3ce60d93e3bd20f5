// The @context management API (clauses 5.13.2-5.13.5, HTTP binding "jsonldContexts") through fastify.inject().
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { LdContextNotAvailable, ProblemError } from '../../core/errors.ts';
import { BUILTIN_HOSTED_CONTEXTS, CORE_CONTEXT_URL, smartDataModelsContextUrl } from './builtin-contexts.ts';
import { ContextService } from './context.resolver.ts';
import { contextRoutes } from './context.routes.ts';

const PUBLIC = 'http://127.0.0.1:1026';
const BUILTIN_HOSTED = [...BUILTIN_HOSTED_CONTEXTS.keys()].map((id) => `${PUBLIC}/ngsi-ld/v1/jsonldContexts/${id}`);
let remote: Server;
let remoteBase = '';
let remoteHits = 0;
let remoteTerm = 'https://v1.example.org/speed';

before(async () => {
  remote = createServer((req, res) => {
    remoteHits++;
    if (req.url === '/gone.jsonld') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/ld+json' }).end(JSON.stringify({ '@context': { speed: remoteTerm } }));
  });
  await new Promise<void>((r) => remote.listen(0, '127.0.0.1', r));
  remoteBase = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
});

after(async () => {
  remote.closeAllConnections();
  await new Promise<void>((r) => remote.close(() => r()));
});

async function appWith(service = new ContextService({ fetchTimeoutMs: 500, maxBytes: 1 << 16, publicBaseUrl: PUBLIC })): Promise<{ app: FastifyInstance; service: ContextService }> {
  const app = Fastify();
  app.setErrorHandler((e, _req, reply) => (e instanceof ProblemError ? reply.status(e.status).type('application/json').send(e.toJSON()) : reply.send(e)));
  await app.register(contextRoutes(service), { prefix: '/ngsi-ld/v1' });
  return { app, service };
}

const enc = encodeURIComponent;

describe('GET /jsonldContexts — List @contexts (clause 5.13.3)', () => {
  test('lists the URLs of stored contexts: the core and the preloaded Smart Data Models are Cached', async () => {
    const { app } = await appWith();
    const res = await app.inject('/ngsi-ld/v1/jsonldContexts');
    assert.equal(res.statusCode, 200);
    const urls = res.json() as string[];
    assert.ok(urls.includes(CORE_CONTEXT_URL));
    assert.ok(urls.includes(smartDataModelsContextUrl('dataModel.Parking')));
  });

  test('details=true gives URL, localId, kind, createdAt/timestamp, numberOfHits and lastUsage once used (5.13.3.5)', async () => {
    const { app, service } = await appWith();
    await service.resolve(undefined);
    const res = await app.inject('/ngsi-ld/v1/jsonldContexts?details=true');
    const core = (res.json() as Array<Record<string, unknown>>).find((d) => d.URL === CORE_CONTEXT_URL);
    assert.ok(core);
    assert.equal(core.kind, 'Cached');
    assert.equal(typeof core.localId, 'string');
    assert.match(core.createdAt as string, /^\d{4}-\d\d-\d\dT/);
    assert.equal(core.timestamp, core.createdAt);
    assert.equal(core.numberOfHits, 1);
    assert.match(core.lastUsage as string, /^\d{4}-/);
    assert.deepEqual(core.extraInfo, { origin: 'builtin' });
  });

  test('kind filters case-insensitively; an unknown kind or a non-boolean details is BadRequestData', async () => {
    const { app, service } = await appWith();
    await service.resolve({ implicit: 'http://i.org/i' });
    const implicit = (await app.inject('/ngsi-ld/v1/jsonldContexts?kind=implicitlycreated')).json() as string[];
    assert.equal(implicit.length, 1);
    assert.ok(implicit[0].startsWith(`${PUBLIC}/ngsi-ld/v1/jsonldContexts/`));
    assert.deepEqual((await app.inject('/ngsi-ld/v1/jsonldContexts?kind=HOSTED')).json(), BUILTIN_HOSTED, 'only the shipped demo @contexts');
    for (const q of ['kind=Remote', 'details=yes']) {
      const res = await app.inject(`/ngsi-ld/v1/jsonldContexts?${q}`);
      assert.equal(res.statusCode, 400, q);
      assert.equal(res.json().type, 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
    }
  });
});

describe('POST /jsonldContexts — Add @context (clause 5.13.2)', () => {
  test('201 with Location; the context is Hosted and resolves by its URL without any HTTP request', async () => {
    const noFetch = (() => { throw new Error('must not fetch'); }) as unknown as typeof fetch;
    const { app, service } = await appWith(new ContextService({ fetchTimeoutMs: 500, maxBytes: 1 << 16, publicBaseUrl: PUBLIC, fetchImpl: noFetch }));
    const res = await app.inject({ method: 'POST', url: '/ngsi-ld/v1/jsonldContexts', payload: { '@context': { hosted: 'https://h.example.org/hosted' }, ignored: 1 } });
    assert.equal(res.statusCode, 201);
    const location = res.headers.location as string;
    assert.match(location, /^\/ngsi-ld\/v1\/jsonldContexts\/[\w-]+$/);
    const url = PUBLIC + location;
    assert.deepEqual((await app.inject('/ngsi-ld/v1/jsonldContexts?kind=Hosted')).json(), [...BUILTIN_HOSTED, url]);
    const tm = await service.resolve(url);
    assert.equal(tm.expandAttr('hosted'), 'https://h.example.org/hosted');
    const got = await app.inject(location);
    assert.equal(got.statusCode, 200);
    assert.match(got.headers['content-type'] as string, /^application\/ld\+json/);
    assert.deepEqual(got.json(), { '@context': { hosted: 'https://h.example.org/hosted' } });
  });

  test('accepts application/ld+json bodies and arrays of contexts', async () => {
    const { app } = await appWith();
    const res = await app.inject({
      method: 'POST', url: '/ngsi-ld/v1/jsonldContexts', headers: { 'content-type': 'application/ld+json' },
      payload: JSON.stringify({ '@context': [CORE_CONTEXT_URL, { a: 'http://a.org/a' }] }),
    });
    assert.equal(res.statusCode, 201);
  });

  test('a body without "@context", an array body or an invalid @context is BadRequestData (5.5.4)', async () => {
    const { app } = await appWith();
    for (const payload of [{ a: 1 }, [{ '@context': {} }], { '@context': 5 }, { '@context': { n: 5 } }, { '@context': { v: { '@id': 'http://v', '@context': {} } } }]) {
      const res = await app.inject({ method: 'POST', url: '/ngsi-ld/v1/jsonldContexts', payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().type, 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
    }
  });
});

describe('GET /jsonldContexts/{contextId} — Serve @context (clause 5.13.4)', () => {
  test('an unknown id is ResourceNotFound', async () => {
    const { app } = await appWith();
    const res = await app.inject('/ngsi-ld/v1/jsonldContexts/no-such-id');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().type, 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound');
  });

  test('a Cached context is not served (OperationNotSupported) but its metadata is, also by URL-encoded URL', async () => {
    const { app } = await appWith();
    const res = await app.inject(`/ngsi-ld/v1/jsonldContexts/${enc(CORE_CONTEXT_URL)}`);
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().type, 'https://uri.etsi.org/ngsi-ld/errors/OperationNotSupported');
    const details = await app.inject(`/ngsi-ld/v1/jsonldContexts/${enc('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld')}?details=true`);
    assert.equal(details.statusCode, 200);
    assert.equal(details.json().URL, CORE_CONTEXT_URL);
  });

  test('an ImplicitlyCreated context is served under its own URL', async () => {
    const { app, service } = await appWith();
    const tm = await service.resolve([CORE_CONTEXT_URL, { speed: 'http://s.org/speed' }]);
    const res = await app.inject(tm.linkUrl.slice(PUBLIC.length));
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { '@context': [CORE_CONTEXT_URL, { speed: 'http://s.org/speed' }] });
  });
});

describe('DELETE /jsonldContexts/{contextId} — Delete and Reload @context (clause 5.13.5)', () => {
  test('deleting a Hosted context: 204, then 404, and its URL no longer resolves', async () => {
    const { app, service } = await appWith();
    const location = (await app.inject({ method: 'POST', url: '/ngsi-ld/v1/jsonldContexts', payload: { '@context': { h: 'http://h.org/h' } } })).headers.location as string;
    await service.resolve(PUBLIC + location);
    assert.equal((await app.inject({ method: 'DELETE', url: location })).statusCode, 204);
    assert.equal((await app.inject(location)).statusCode, 404);
    assert.equal((await app.inject({ method: 'DELETE', url: location })).statusCode, 404);
    await assert.rejects(service.resolve(PUBLIC + location), LdContextNotAvailable);
  });

  test('reload=true re-downloads a Cached context and replaces it; plain delete makes the next use fetch again', async () => {
    const { app, service } = await appWith();
    const url = `${remoteBase}/speed.jsonld`;
    remoteTerm = 'https://v1.example.org/speed';
    assert.equal((await service.resolve(url)).expandAttr('speed'), 'https://v1.example.org/speed');
    remoteTerm = 'https://v2.example.org/speed';
    const before = remoteHits;
    const res = await app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/jsonldContexts/${enc(url)}?reload=true` });
    assert.equal(res.statusCode, 204);
    assert.equal(remoteHits, before + 1);
    assert.equal((await service.resolve(url)).expandAttr('speed'), 'https://v2.example.org/speed', 'term maps built from the old copy are dropped');
    const localId = service.find(url)?.localId as string;
    assert.equal((await app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/jsonldContexts/${localId}` })).statusCode, 204);
    await service.resolve(url);
    assert.equal(remoteHits, before + 2);
  });

  test('a failed reload is LdContextNotAvailable and keeps the stored copy', async () => {
    const { app, service } = await appWith();
    const url = `${remoteBase}/gone.jsonld`;
    service.store.putCached(url, { speed: 'https://kept.example.org/speed' });
    const res = await app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/jsonldContexts/${enc(url)}?reload=true` });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().type, 'https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable');
    assert.equal((await service.resolve(url)).expandAttr('speed'), 'https://kept.example.org/speed');
  });

  test('reload=true on a Hosted context is BadRequestData (5.13.5.4)', async () => {
    const { app } = await appWith();
    const location = (await app.inject({ method: 'POST', url: '/ngsi-ld/v1/jsonldContexts', payload: { '@context': { h: 'http://h.org/h' } } })).headers.location as string;
    const res = await app.inject({ method: 'DELETE', url: `${location}?reload=true` });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().type, 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
  });

  test('the core @context and preloaded contexts cannot be deleted or reloaded: BadRequestData (clause 4.4)', async () => {
    const { app } = await appWith();
    for (const url of [CORE_CONTEXT_URL, smartDataModelsContextUrl('dataModel.Weather')]) {
      for (const q of ['', '?reload=true']) {
        const res = await app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/jsonldContexts/${enc(url)}${q}` });
        assert.equal(res.statusCode, 400, url + q);
        assert.equal(res.json().type, 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
      }
    }
    assert.match((await app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/jsonldContexts/${enc(CORE_CONTEXT_URL)}` })).json().detail, /immutable/);
  });
});
