// Issue #13 item 3: the cache of remote @contexts cannot be used to exhaust memory or disk. Anonymous requests
// never introduce a new remote @context; downloads are kept in an LRU cache bounded in entries and bytes (the
// same in memory and on disk); persisted downloads are read lazily after a restart, and trimmed to the bounds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { authApp } from '../auth/auth-support.ts';
import { testApp } from '../support/app.ts';
import { loadConfig } from '../../src/config/config.ts';

const SDM_WEATHER = 'https://raw.githubusercontent.com/smart-data-models/dataModel.Weather/master/context.jsonld';
const link = (url: string) => `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;

/** A context server on loopback: /ctx/<name>.jsonld?size=<bytes> answers a valid context of about that size. */
class ContextServer {
  fetched: string[] = [];
  private server!: Server;
  base = '';
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      this.fetched.push(u.pathname);
      const size = Number(u.searchParams.get('size') ?? 100);
      const name = u.pathname.replace(/\W/g, '');
      res.setHeader('content-type', 'application/ld+json');
      res.end(JSON.stringify({ '@context': { [name]: `https://example.org/${name}`, pad: `https://example.org/${'p'.repeat(size)}` } }));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }
  url(name: string, size = 100): string {
    return `${this.base}/ctx/${name}.jsonld?size=${size}`;
  }
  count(name: string): number {
    return this.fetched.filter((p) => p === `/ctx/${name}.jsonld`).length;
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

function remoteFiles(dataDir: string): { count: number; bytes: number } {
  const dir = join(dataDir, 'contexts', 'remote');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  return { count: files.length, bytes: files.reduce((n, f) => n + statSync(join(dir, f)).size, 0) };
}

/** Files are written and deleted in the background; waits (bounded) until the directory satisfies `ok`. */
async function settle(dataDir: string, ok: (f: { count: number; bytes: number }) => boolean): Promise<{ count: number; bytes: number }> {
  let f = remoteFiles(dataDir);
  for (let i = 0; i < 100 && !ok(f); i++) {
    await sleep(20);
    f = remoteFiles(dataDir);
  }
  return f;
}

describe('remote @context cache under attack (issue #13 item 3)', () => {
  let srv: ContextServer;
  before(async () => { srv = await new ContextServer().start(); });
  after(() => srv.close());

  test('an anonymous request naming an uncached remote @context gets 401 saying so, and nothing is fetched', async () => {
    const t = await authApp({}, { DREHSCHEIBE_CONTEXT_REMOTE: 'on', DREHSCHEIBE_CONTEXT_PRIVATE: 'allow' });
    try {
      const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=anon1', headers: { link: link(srv.url('anon1')) } });
      assert.equal(r.statusCode, 401, r.body);
      assert.match(r.json().detail, /not cached.*anonymous requests may not make it fetch new remote @contexts/);
      assert.equal(srv.count('anon1'), 0, 'the broker did not fetch it');
      assert.equal(t.app.drehscheibe.contexts.store.remoteUsage.entries, 0);
      // Also inside an inline @context of a query body (POST /entityOperations/query is a read).
      const q = await t.app.inject({
        method: 'POST', url: '/ngsi-ld/v1/entityOperations/query', headers: { 'content-type': 'application/ld+json' },
        payload: { type: 'Query', entities: [{ type: 'anon2' }], '@context': [srv.url('anon2'), { x: 'https://example.org/x' }] },
      });
      assert.equal(q.statusCode, 401, q.body);
      assert.equal(srv.count('anon2'), 0);
    } finally { await t.close(); }
  });

  test('built-in, hosted and already cached @contexts keep working for anonymous requests', async () => {
    const t = await authApp({}, { DREHSCHEIBE_CONTEXT_REMOTE: 'on', DREHSCHEIBE_CONTEXT_PRIVATE: 'allow' });
    try {
      const sdm = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=WeatherObserved', headers: { link: link(SDM_WEATHER) } });
      assert.equal(sdm.statusCode, 200, sdm.body);
      const key = { 'x-api-key': t.operatorKey };
      const byKey = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=known', headers: { ...key, link: link(srv.url('known')) } });
      assert.equal(byKey.statusCode, 200, byKey.body);
      const anon = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=known', headers: { link: link(srv.url('known')) } });
      assert.equal(anon.statusCode, 200, anon.body);
      assert.equal(srv.count('known'), 1, 'fetched once, by the authenticated request');
      const hosted = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/jsonldContexts', headers: { ...key, 'content-type': 'application/json' }, payload: { '@context': { h: 'https://example.org/h' } } });
      assert.equal(hosted.statusCode, 201, hosted.body);
      const viaHosted = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=h', headers: { link: link(t.app.drehscheibe.contexts.store.hostedPrefix.replace(/\/ngsi-ld\/.*$/, '') + String(hosted.headers.location)) } });
      assert.equal(viaHosted.statusCode, 200, viaHosted.body);
    } finally { await t.close(); }
  });

  test('the cache is bounded in bytes, in memory and on disk: 12 distinct 300 kB contexts leave at most 1 MiB', async () => {
    const t = await authApp({}, { DREHSCHEIBE_CONTEXT_REMOTE: 'on', DREHSCHEIBE_CONTEXT_PRIVATE: 'allow', DREHSCHEIBE_CONTEXT_CACHE_MB: '1' });
    try {
      for (let i = 0; i < 12; i++) {
        const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities?type=big${i}`, headers: { 'x-api-key': t.operatorKey, link: link(srv.url(`big${i}`, 300_000)) } });
        assert.equal(r.statusCode, 200, r.body);
      }
      const usage = t.app.drehscheibe.contexts.store.remoteUsage;
      assert.ok(usage.bytes <= 1024 * 1024, `memory: ${usage.bytes} bytes`);
      assert.ok(usage.entries >= 2 && usage.entries <= 3, `entries: ${usage.entries}`);
      const files = await settle(t.dir, (f) => f.bytes <= 1024 * 1024 && f.count === usage.entries);
      assert.ok(files.bytes <= 1024 * 1024, `disk: ${files.bytes} bytes`);
      assert.equal(files.count, usage.entries);
    } finally { await t.close(); }
  });

  test('the cache is bounded in entries and evicts the least recently used one', async () => {
    const t = await authApp({}, { DREHSCHEIBE_CONTEXT_REMOTE: 'on', DREHSCHEIBE_CONTEXT_PRIVATE: 'allow', DREHSCHEIBE_CONTEXT_CACHE_ENTRIES: '3' });
    const get = (name: string) => t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities?type=${name}`, headers: { 'x-api-key': t.operatorKey, link: link(srv.url(name)) } });
    try {
      for (const n of ['lruA', 'lruB', 'lruC']) assert.equal((await get(n)).statusCode, 200);
      assert.equal((await get('lruA')).statusCode, 200); // A is now the most recently used
      assert.equal((await get('lruD')).statusCode, 200); // evicts B
      assert.equal(t.app.drehscheibe.contexts.store.remoteUsage.entries, 3);
      assert.equal((await get('lruA')).statusCode, 200);
      assert.equal(srv.count('lruA'), 1, 'A stayed cached');
      assert.equal((await get('lruB')).statusCode, 200);
      assert.equal(srv.count('lruB'), 2, 'B was evicted and fetched again');
      const files = await settle(t.dir, (f) => f.count === 3);
      assert.equal(files.count, 3);
    } finally { await t.close(); }
  });

  test('after a restart persisted downloads are read lazily, trimmed to the bounds (oldest first), and serve anonymous requests', async () => {
    const first = await authApp({}, { DREHSCHEIBE_CONTEXT_REMOTE: 'on', DREHSCHEIBE_CONTEXT_PRIVATE: 'allow' });
    const dir = first.dir;
    const names = ['rs0', 'rs1', 'rs2', 'rs3', 'rs4'];
    for (const n of names) {
      const r = await first.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities?type=${n}`, headers: { 'x-api-key': first.operatorKey, link: link(srv.url(n)) } });
      assert.equal(r.statusCode, 200);
    }
    await settle(dir, (f) => f.count === 5);
    await first.app.close();
    await first.storage.close();
    // Deterministic ages: rs0 oldest … rs4 newest.
    const remote = join(dir, 'contexts', 'remote');
    const files = readdirSync(remote).filter((f) => f.endsWith('.json'));
    for (const f of files) {
      const url = JSON.parse(readFileSync(join(remote, f), 'utf8')).url as string;
      const i = names.findIndex((n) => url.includes(`/${n}.jsonld`));
      utimesSync(join(remote, f), new Date(1_700_000_000_000 + i * 1000), new Date(1_700_000_000_000 + i * 1000));
    }
    const second = await testApp({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_CONTEXT_REMOTE: 'on', DREHSCHEIBE_CONTEXT_PRIVATE: 'allow', DREHSCHEIBE_CONTEXT_CACHE_ENTRIES: '3' });
    try {
      const usage = second.app.drehscheibe.contexts.store.remoteUsage;
      assert.equal(usage.entries, 3, 'trimmed to the entry bound at start');
      assert.equal(usage.loaded, 0, 'nothing read into memory at start');
      assert.equal((await settle(dir, (f) => f.count === 3)).count, 3, 'the oldest files were deleted');
      const before = srv.fetched.length;
      const anon = await second.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=rs4', headers: { link: link(srv.url('rs4')) } });
      assert.equal(anon.statusCode, 200, anon.body);
      assert.equal(srv.fetched.length, before, 'served from the persisted copy, not fetched');
      assert.equal(second.app.drehscheibe.contexts.store.remoteUsage.loaded, 1, 'only the used one was read');
      const gone = await second.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=rs0', headers: { link: link(srv.url('rs0')) } });
      assert.equal(gone.statusCode, 401, 'the evicted oldest one is no longer cached');
      assert.match(gone.json().type, /Unauthorized$/);
    } finally {
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('inline @contexts of anonymous queries are bounded in memory: term maps and ImplicitlyCreated entries stay under DREHSCHEIBE_CONTEXT_MEMORY_MB', async () => {
    const t = await authApp({}, { DREHSCHEIBE_CONTEXT_REMOTE: 'on', DREHSCHEIBE_CONTEXT_PRIVATE: 'allow', DREHSCHEIBE_CONTEXT_MEMORY_MB: '4' });
    const budget = 4 * 1024 * 1024;
    try {
      // A large cached document, referenced by many small distinct inline contexts: each would compile it all again.
      const big = srv.url('bigdoc', 200_000);
      assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=bigdoc', headers: { 'x-api-key': t.operatorKey, link: link(big) } })).statusCode, 200);
      const terms = (i: number) => Object.fromEntries(Array.from({ length: 2000 }, (_, k) => [`t${i}_${k}`, `https://example.org/vocabulary/term-${i}-${k}`]));
      for (let i = 0; i < 30; i++) {
        const context = i % 2 ? [big, { [`x${i}`]: `https://example.org/x${i}` }] : terms(i);
        const r = await t.app.inject({
          method: 'POST', url: '/ngsi-ld/v1/entityOperations/query', headers: { 'content-type': 'application/ld+json' },
          payload: { type: 'Query', entities: [{ type: `x${i}` }], '@context': context },
        });
        assert.equal(r.statusCode, 200, r.body);
      }
      const u = t.app.drehscheibe.contexts.usage();
      assert.ok(u.termMaps.bytes <= budget, `term maps: ${u.termMaps.bytes} bytes in ${u.termMaps.entries}`);
      assert.ok(u.termMaps.entries < 30, `term maps were evicted: ${u.termMaps.entries}`);
      assert.ok(u.implicit.bytes <= budget, `inline contexts: ${u.implicit.bytes} bytes`);
      // The most recent one still works, and an evicted one is simply built again.
      const again = await t.app.inject({
        method: 'POST', url: '/ngsi-ld/v1/entityOperations/query', headers: { 'content-type': 'application/ld+json' },
        payload: { type: 'Query', entities: [{ type: 'x0' }], '@context': terms(0) },
      });
      assert.equal(again.statusCode, 200);
    } finally { await t.close(); }
  });

  test('the limits are part of the one config schema, with defaults, and the byte bound must hold one document', () => {
    const c = loadConfig({});
    assert.deepEqual(c.contextCache, { maxEntries: 1000, maxBytes: 64 * 1024 * 1024 });
    assert.equal(c.contextMemoryBytes, 64 * 1024 * 1024);
    assert.throws(() => loadConfig({ DREHSCHEIBE_CONTEXT_CACHE_MB: '1', DREHSCHEIBE_CONTEXT_MAX_BYTES: String(2 * 1024 * 1024) }), /DREHSCHEIBE_CONTEXT_CACHE_MB/);
    assert.throws(() => loadConfig({ DREHSCHEIBE_CONTEXT_CACHE_ENTRIES: '0' }), /DREHSCHEIBE_CONTEXT_CACHE_ENTRIES/);
  });
});
