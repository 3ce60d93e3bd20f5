// Operations endpoints and hardening with access control on: health/ready/metrics, security
// headers, CORS, no internal detail in error bodies, the SSRF guard on remote @context fetches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { authApp } from '../auth/auth-support.ts';

test('/health and /ready are public; /metrics needs the operator and reports by route pattern', async () => {
  const t = await authApp({});
  try {
    assert.equal((await t.app.inject('/health')).statusCode, 200);
    const ready = await t.app.inject('/ready');
    assert.deepEqual(ready.json(), { status: 'ready', storage: 'sqlite' });
    await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'x-api-key': t.operatorKey, 'content-type': 'application/json' }, payload: { id: 'urn:ngsi-ld:Building:m1', type: 'Building' } });
    await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Building:m1' });
    assert.equal((await t.app.inject('/metrics')).statusCode, 401);
    const m = await t.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': t.operatorKey } });
    assert.equal(m.statusCode, 200);
    assert.match(m.headers['content-type'] as string, /^text\/plain/);
    const body = m.body;
    assert.match(body, /drehscheibe_http_request_duration_seconds_count\{method="GET",route="\/ngsi-ld\/v1\/entities\/:entityId",status_code="200"\} 1/);
    assert.match(body, /drehscheibe_http_request_duration_seconds_count\{method="POST",route="\/ngsi-ld\/v1\/entities",status_code="201"\} 1/);
    assert.doesNotMatch(body, /urn:ngsi-ld:Building:m1/, 'raw URLs are never labels');
    assert.match(body, /drehscheibe_nodejs_eventloop_lag_seconds /);
    assert.match(body, /drehscheibe_storage_ping_seconds\{engine="sqlite"\} \d/);
    assert.match(body, /drehscheibe_notification_queue_depth 0/);
    assert.match(body, /drehscheibe_notifications_failed_total 0/);
    assert.match(body, /drehscheibe_audit_queue_depth \d/);
    assert.match(body, /drehscheibe_storage_operation_seconds_count\{op="withTransaction"\} [1-9]/);
    assert.doesNotMatch(body, /op="entities\./, 'entity reads are not timed per call (cost on the read path)');
  } finally { await t.close(); }
});

test('security headers on every answer; HSTS only over TLS as reported by a trusted proxy', async () => {
  const t = await authApp({}, { TRUST_PROXY: 'on' });
  try {
    const plain = await t.app.inject('/health');
    assert.equal(plain.headers['x-content-type-options'], 'nosniff');
    assert.equal(plain.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
    assert.equal(plain.headers['x-frame-options'], 'DENY');
    assert.equal(plain.headers['strict-transport-security'], undefined);
    const denied = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'x-forwarded-proto': 'https', 'content-type': 'application/json' }, payload: {} });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assert.equal(denied.headers['x-content-type-options'], 'nosniff', 'error answers carry them too');
  } finally { await t.close(); }
});

test('CORS: a configured origin gets its headers and preflight answer; another origin gets none', async () => {
  const t = await authApp({}, { DREHSCHEIBE_CORS_ORIGINS: 'https://portal.herne.de' });
  try {
    const pre = await t.app.inject({ method: 'OPTIONS', url: '/ngsi-ld/v1/entities', headers: { origin: 'https://portal.herne.de', 'access-control-request-method': 'POST' } });
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://portal.herne.de');
    assert.match(pre.headers['access-control-allow-headers'] as string, /X-API-Key/);
    const get = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types', headers: { origin: 'https://portal.herne.de' } });
    assert.equal(get.headers['access-control-allow-origin'], 'https://portal.herne.de');
    assert.match(get.headers['access-control-expose-headers'] as string, /NGSILD-Results-Count/);
    const other = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types', headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  } finally { await t.close(); }
});

test('an internal error answers 500 with a generic ProblemDetails: no stack, no internal path, no driver message', async () => {
  const t = await authApp({});
  try {
    await t.storage.close(); // every storage call now fails inside the driver
    for (const url of ['/ngsi-ld/v1/entities?type=Building', '/ngsi-ld/v1/entities/urn:ngsi-ld:Building:x', '/ngsi-ld/v1/types']) {
      const r = await t.app.inject({ method: 'GET', url, headers: { 'x-api-key': t.operatorKey } });
      assert.equal(r.statusCode, 500, url);
      const body = r.body;
      assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/InternalError');
      assert.doesNotMatch(body, /\/(tmp|work|home|src|node_modules)\/|\.ts\b|\.js\b|at \w+ \(|sqlite|database/i, body);
    }
    const admin = await t.app.inject({ method: 'GET', url: '/admin/audit', headers: { 'x-api-key': t.operatorKey } });
    assert.equal(admin.statusCode, 500);
    assert.doesNotMatch(admin.body, /\/(tmp|work|home|src|node_modules)\/|\.ts\b|at \w+ \(|sqlite|database/i, admin.body);
  } finally {
    await t.app.close();
  }
});

test('client errors do not echo internal paths either (bad JSON, unknown route, bad media type)', async () => {
  const t = await authApp({});
  try {
    const h = { 'x-api-key': t.operatorKey };
    const answers = [
      await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { ...h, 'content-type': 'application/json' }, payload: '{"id": ' }),
      await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/nothing-here', headers: h }),
      await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { ...h, 'content-type': 'text/xml' }, payload: '<a/>' }),
      await t.app.inject({ method: 'POST', url: '/admin/api-keys', headers: { ...h, 'content-type': 'application/json' }, payload: '[' }),
    ];
    for (const r of answers) {
      assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${r.statusCode} ${r.body}`);
      assert.doesNotMatch(r.body, /\/(tmp|work|home|src|node_modules)\/|\.ts\b|at \w+ \(/, r.body);
    }
  } finally { await t.close(); }
});

test('[SSRF] a remote @context at a private address is not fetched when private addresses are denied', async () => {
  let hits = 0;
  const server = createServer((_req, res) => { hits++; res.setHeader('content-type', 'application/ld+json'); res.end('{"@context": {"x": "https://ex.org/x"}}'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/ctx.jsonld`;
  const t = await authApp({}, { DREHSCHEIBE_CONTEXT_REMOTE: 'on', DREHSCHEIBE_CONTEXT_PRIVATE: 'deny' });
  try {
    // With a credential: anonymous requests never make the broker fetch a new remote @context at all.
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=x', headers: { 'x-api-key': t.operatorKey, link: `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` } });
    assert.equal(r.statusCode, 503);
    assert.match(r.json().detail, /EPRIVATEADDR|private/);
    assert.equal(hits, 0, 'no connection reached the private server');
  } finally {
    await t.close();
    await new Promise((r) => server.close(r));
  }
});
