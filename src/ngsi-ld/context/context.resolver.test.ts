// ContextService against a real local HTTP server: download once then cache, time and size limits, the error
// types of clause 5.5.6, DREHSCHEIBE_CONTEXT_MAP preloading, persistence across restarts and the caches' bounds.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BadRequestData, LdContextNotAvailable } from '../../core/errors.ts';
import { ContextService, type ContextServiceOptions } from './context.resolver.ts';

const VEHICLE = { '@context': { Vehicle: 'https://vocab.example.org/Vehicle', speed: 'https://vocab.example.org/speed' } };
const hits = new Map<string, number>();
let versionedSpeed = 'https://v1.example.org/speed';
let server: Server;
let base = '';
const tmp = mkdtempSync(join(tmpdir(), 'drehscheibe-ctx-'));

function route(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '';
  hits.set(path, (hits.get(path) ?? 0) + 1);
  const json = (status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/ld+json', 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };
  switch (path) {
    case '/vehicle.jsonld': return json(200, JSON.stringify(VEHICLE));
    case '/slow-vehicle.jsonld': return void setTimeout(() => json(200, JSON.stringify(VEHICLE)), 100);
    case '/text-plain.jsonld': return json(200, JSON.stringify(VEHICLE), { 'content-type': 'text/plain; charset=utf-8' });
    case '/hang.jsonld': return; // never answers
    case '/trickle.jsonld': res.writeHead(200, { 'content-type': 'application/json' }); res.write('{"@context": {'); return; // body never ends
    case '/big-declared.jsonld': return json(200, JSON.stringify({ '@context': { pad: 'x'.repeat(5000) } }));
    case '/big-chunked.jsonld': {
      res.writeHead(200, { 'content-type': 'application/json' }); // no content-length: the limit applies while streaming
      res.write('{"@context": {"pad": "');
      for (let i = 0; i < 10; i++) res.write('y'.repeat(1000));
      return void res.end('"}}');
    }
    case '/versioned.jsonld': return json(200, JSON.stringify({ '@context': { speed: versionedSpeed } }));
    case '/max-age.jsonld': return json(200, JSON.stringify(VEHICLE), { 'cache-control': 'public, max-age=3600' });
    case '/not-json.jsonld': return json(200, '{"@context": {');
    case '/no-context.jsonld': return json(200, '{"Vehicle": "https://vocab.example.org/Vehicle"}');
    case '/bad-term.jsonld': return json(200, '{"@context": {"n": 5}}');
    default: return json(404, '{"error": "not found"}');
  }
}

before(async () => {
  server = createServer(route);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

function service(extra: Partial<ContextServiceOptions> = {}): ContextService {
  return new ContextService({ fetchTimeoutMs: 1000, maxBytes: 4096, publicBaseUrl: 'http://127.0.0.1:1026', ...extra });
}

async function rejectsWith(p: Promise<unknown>, type: typeof BadRequestData | typeof LdContextNotAvailable, text: RegExp) {
  await assert.rejects(p, (e: Error) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e.name}: ${e.message}`);
    assert.match(e.message, text);
    return true;
  });
}

describe('remote @context retrieval (clauses 5.5.6, 5.13.1)', () => {
  test('a remote context is fetched once, then served from the cache, also to concurrent requests', async () => {
    const s = service();
    const url = `${base}/slow-vehicle.jsonld`;
    const [a, b, c] = await Promise.all([s.resolve(url), s.resolve(url), s.resolve([url, { extra: 'https://x.org/extra' }])]);
    assert.equal(a, b, 'concurrent resolutions share one build');
    assert.equal(c.expandAttr('speed'), 'https://vocab.example.org/speed');
    assert.equal(await s.resolve(url), a);
    assert.equal(hits.get('/slow-vehicle.jsonld'), 1);
    assert.equal(a.expandType('Vehicle'), 'https://vocab.example.org/Vehicle');
    assert.equal(a.compactAttr('https://vocab.example.org/speed'), 'speed');
    assert.equal(a.source, url);
    assert.equal(a.linkUrl, url);
    assert.equal(a.key, url);
    const entry = s.find(url);
    assert.equal(entry?.kind, 'Cached');
    assert.equal(entry?.hits, 4, 'numberOfHits counts every use, in memory');
  });

  test('the Content-Type is not checked: .jsonld served as text/plain is accepted', async () => {
    const tm = await service().resolve(`${base}/text-plain.jsonld`);
    assert.equal(tm.expandAttr('speed'), 'https://vocab.example.org/speed');
  });

  test('a server that does not answer → LdContextNotAvailable after fetchTimeoutMs (1 s here), naming the URL', async () => {
    const t0 = Date.now();
    await rejectsWith(service().resolve(`${base}/hang.jsonld`), LdContextNotAvailable, /hang\.jsonld.*could not be reached \(connection failed, or no answer within 1000 ms\)/);
    const took = Date.now() - t0;
    assert.ok(took >= 990 && took < 5000, `took ${took} ms`);
  });

  test('a body that never ends → LdContextNotAvailable after the same time limit', async () => {
    await rejectsWith(service().resolve(`${base}/trickle.jsonld`), LdContextNotAvailable, /trickle\.jsonld.*could not be reached \(connection failed, or no answer within 1000 ms\)/);
  });

  test('a body over maxBytes → LdContextNotAvailable, by Content-Length or while streaming', async () => {
    await rejectsWith(service().resolve(`${base}/big-declared.jsonld`), LdContextNotAvailable, /big-declared.*more than the limit of 4096 bytes/);
    await rejectsWith(service().resolve(`${base}/big-chunked.jsonld`), LdContextNotAvailable, /big-chunked.*longer than the limit of 4096 bytes/);
  });

  test('HTTP 404 → LdContextNotAvailable naming the URL and the status', async () => {
    await rejectsWith(service().resolve(`${base}/missing.jsonld`), LdContextNotAvailable, /missing\.jsonld.*HTTP 404/);
  });

  test('an unreachable host → LdContextNotAvailable, in the same words as a silent one (no port scanning)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await rejectsWith(service().resolve(`http://127.0.0.1:${port}/x.jsonld`), LdContextNotAvailable, /could not be reached/);
  });

  test('invalid JSON, no "@context" member, or an invalid term → BadRequestData naming the URL', async () => {
    await rejectsWith(service().resolve(`${base}/not-json.jsonld`), BadRequestData, /not-json\.jsonld is not valid JSON/);
    await rejectsWith(service().resolve(`${base}/no-context.jsonld`), BadRequestData, /no-context\.jsonld.*no top-level "@context"/);
    await rejectsWith(service().resolve(`${base}/bad-term.jsonld`), BadRequestData, /"n".*bad-term\.jsonld/);
  });

  test('failures are not cached: the next request tries again', async () => {
    const s = service();
    await assert.rejects(s.resolve(`${base}/missing-twice.jsonld`));
    await assert.rejects(s.resolve(`${base}/missing-twice.jsonld`));
    assert.equal(hits.get('/missing-twice.jsonld'), 2);
  });

  test('only http and https URLs are dereferenced; others are BadRequestData', async () => {
    await rejectsWith(service().resolve('urn:ngsi-ld:context:1'), BadRequestData, /only http and https/);
    await rejectsWith(service().resolve('file:///etc/passwd'), BadRequestData, /only http and https/);
  });

  test('allowRemote: false → LdContextNotAvailable telling to preload with DREHSCHEIBE_CONTEXT_MAP, and no request is made', async () => {
    const before = hits.get('/vehicle.jsonld') ?? 0;
    await rejectsWith(service({ allowRemote: false }).resolve(`${base}/vehicle.jsonld`), LdContextNotAvailable, /DREHSCHEIBE_CONTEXT_MAP/);
    assert.equal(hits.get('/vehicle.jsonld') ?? 0, before);
  });
});

describe('expiry of Cached @contexts (clause 5.13.1)', () => {
  test('an expired download is still used, refreshed in the background, and the fresh copy used afterwards', async () => {
    const s = service({ cachedTtlMs: 1 });
    const url = `${base}/versioned.jsonld`;
    versionedSpeed = 'https://v1.example.org/speed';
    assert.equal((await s.resolve(url)).expandAttr('speed'), 'https://v1.example.org/speed');
    versionedSpeed = 'https://v2.example.org/speed';
    await new Promise((r) => setTimeout(r, 5));
    assert.equal((await s.resolve(url)).expandAttr('speed'), 'https://v1.example.org/speed', 'no waiting for the refresh');
    let fresh = '';
    for (let i = 0; i < 100 && fresh !== 'https://v2.example.org/speed'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      fresh = (await s.resolve(url)).expandAttr('speed');
    }
    assert.equal(fresh, 'https://v2.example.org/speed');
  });

  test('Cache-Control max-age sets the expiry; without it the heuristic lifetime applies', async () => {
    const s = service({ cachedTtlMs: 3_600_000 * 24 });
    const t0 = Date.now();
    await s.resolve(`${base}/max-age.jsonld`);
    await s.resolve(`${base}/vehicle.jsonld`);
    const hour = (s.find(`${base}/max-age.jsonld`)?.expiresAt ?? 0) - t0;
    const day = (s.find(`${base}/vehicle.jsonld`)?.expiresAt ?? 0) - t0;
    assert.ok(hour >= 3_600_000 && hour < 3_700_000, `max-age: ${hour}`);
    assert.ok(day >= 86_400_000 && day < 86_500_000, `heuristic: ${day}`);
  });
});

describe('DREHSCHEIBE_CONTEXT_MAP preloading', () => {
  test('a mapped URL is served from its file and never fetched', async () => {
    const file = join(tmp, 'mapped.jsonld');
    writeFileSync(file, JSON.stringify({ '@context': { mapped: 'https://mapped.example.org/mapped' } }));
    const url = `${base}/mapped-but-absent.jsonld`;
    const s = service({ contextMap: { [url]: file }, allowRemote: false });
    assert.equal((await s.resolve(url)).expandAttr('mapped'), 'https://mapped.example.org/mapped');
    assert.equal(hits.get('/mapped-but-absent.jsonld'), undefined);
    assert.equal(s.find(url)?.origin, 'contextMap');
  });

  test('an unreadable, non-JSON or non-context file makes the constructor throw an Error naming the file', () => {
    const missing = join(tmp, 'nope.jsonld');
    assert.throws(() => service({ contextMap: { 'http://a.org/c': missing } }), (e: Error) => e.message.includes(missing));
    const broken = join(tmp, 'broken.jsonld');
    writeFileSync(broken, '{');
    assert.throws(() => service({ contextMap: { 'http://a.org/c': broken } }), new RegExp(`${broken}.*not valid JSON`));
    const plain = join(tmp, 'plain.json');
    writeFileSync(plain, '{"a": 1}');
    assert.throws(() => service({ contextMap: { 'http://a.org/c': plain } }), /no top-level "@context"/);
  });

  test('the core @context cannot be remapped (clause 4.4)', () => {
    const file = join(tmp, 'mapped.jsonld');
    assert.throws(() => service({ contextMap: { 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld': file } }), /core @context/);
  });
});

describe('persistence in cacheDir and cache bounds', () => {
  test('a downloaded context is written to remote/<sha256(url)>.json and used after a restart without fetching', async () => {
    const cacheDir = join(tmp, 'cache-remote');
    const url = `${base}/vehicle.jsonld`;
    const first = service({ cacheDir });
    await first.resolve(url);
    const file = join(cacheDir, 'remote', `${createHash('sha256').update(url).digest('hex')}.json`);
    for (let i = 0; i < 50 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 10)); // written in the background
    assert.ok(existsSync(file));
    const fetches = hits.get('/vehicle.jsonld');
    const restarted = service({ cacheDir, allowRemote: false });
    assert.equal((await restarted.resolve(url)).expandAttr('speed'), 'https://vocab.example.org/speed');
    assert.equal(hits.get('/vehicle.jsonld'), fetches);
  });

  test('a hosted context is written to hosted/<localId>.json and resolvable by its URL after a restart', async () => {
    const cacheDir = join(tmp, 'cache-hosted');
    const entry = await service({ cacheDir }).addHosted({ hostedTerm: 'https://hosted.example.org/t' });
    assert.ok(existsSync(join(cacheDir, 'hosted', `${entry.localId}.json`)));
    assert.equal(entry.url, `http://127.0.0.1:1026/ngsi-ld/v1/jsonldContexts/${entry.localId}`);
    const restarted = service({ cacheDir, fetchImpl: () => { throw new Error('must not fetch'); } });
    assert.equal((await restarted.resolve(entry.url)).expandAttr('hostedTerm'), 'https://hosted.example.org/t');
  });

  test('a corrupt persisted file is skipped with a warning instead of failing start-up', () => {
    const cacheDir = join(tmp, 'cache-corrupt');
    service({ cacheDir });
    writeFileSync(join(cacheDir, 'hosted', 'junk.json'), '{');
    const warnings: string[] = [];
    service({ cacheDir, onWarning: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /junk\.json/);
  });

  test('term maps are kept in a bounded LRU: beyond maxTermMaps the oldest is rebuilt on next use', async () => {
    const s = service({ maxTermMaps: 2 });
    const a = await s.resolve({ a: 'http://a.org/a' });
    assert.equal(await s.resolve({ a: 'http://a.org/a' }), a, 'cached by the JSON text of the inline @context');
    await s.resolve({ b: 'http://b.org/b' });
    await s.resolve({ c: 'http://c.org/c' });
    const again = await s.resolve({ a: 'http://a.org/a' });
    assert.notEqual(again, a);
    assert.equal(again.key, a.key, 'the key is stable');
    assert.match(a.key, /^sha256:[0-9a-f]{64}$/);
  });

  test('inline contexts become ImplicitlyCreated entries (clause 5.13.1), bounded by maxImplicitContexts', async () => {
    const s = service({ maxImplicitContexts: 2 });
    const tms = [];
    for (const t of ['p', 'q', 'r']) tms.push(await s.resolve({ [t]: `http://x.org/${t}` }));
    const implicit = s.list('ImplicitlyCreated');
    assert.deepEqual(implicit.map((e) => e.url).sort(), [tms[1].linkUrl, tms[2].linkUrl].sort());
    assert.deepEqual(s.find(tms[2].linkUrl)?.context, { r: 'http://x.org/r' });
    await s.resolve({ p: 'http://x.org/p' }); // in use again: recreated under the same URL
    assert.equal(s.find(tms[0].linkUrl)?.kind, 'ImplicitlyCreated');
  });
});
