// Rate limits: a token bucket per client address (anonymous and public routes) and per principal;
// over the limit: 429 with Retry-After and a ProblemDetails body. Time is a fixed clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authApp } from './auth-support.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { RateLimiter } from '../../src/auth/rate-limit.ts';

test('token bucket: burst, then one request per 1/rps seconds; Retry-After in whole seconds', () => {
  const rl = new RateLimiter();
  const rate = { rps: 2, burst: 3 };
  assert.deepEqual([0, 1, 2, 3].map(() => rl.take('a', rate, 0)), [0, 0, 0, 1]);
  assert.equal(rl.take('b', rate, 0), 0, 'buckets are per key');
  assert.equal(rl.take('a', rate, 499), 1);
  assert.equal(rl.take('a', rate, 1000), 0, 'half a second refills one token');
  assert.equal(rl.take('c', { rps: 0.1, burst: 1 }, 0), 0);
  assert.equal(rl.take('c', { rps: 0.1, burst: 1 }, 0), 10);
});

test('anonymous requests over the per-address limit get 429 with Retry-After and a ProblemDetails; other addresses pass', async () => {
  const clock = fixedClock('2026-11-26T12:00:00Z');
  const t = await authApp({}, { DREHSCHEIBE_RATE_LIMIT: 'on', DREHSCHEIBE_RATE_ADDRESS_RPS: '1', DREHSCHEIBE_RATE_ADDRESS_BURST: '3' }, { clock });
  try {
    const get = (ip: string) => t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types', remoteAddress: ip });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await get('192.0.2.1')).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 429]);
    const r = await get('192.0.2.1');
    assert.equal(r.statusCode, 429);
    assert.equal(r.headers['retry-after'], '1');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.json().type, 'https://drehscheibe.dev/errors/TooManyRequests');
    assert.equal(r.json().status, 429);
    assert.equal((await get('192.0.2.2')).statusCode, 200);
    clock.advance(1000);
    assert.equal((await get('192.0.2.1')).statusCode, 200, 'a second later one token is back');
    const bad = [];
    for (let i = 0; i < 5; i++) bad.push((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types', remoteAddress: '192.0.2.9', headers: { 'x-api-key': 'ds_wrong' } })).statusCode);
    assert.deepEqual(bad, [401, 401, 401, 429, 429], 'failed credentials count against the address');
  } finally { await t.close(); }
});

test('authenticated requests are limited per principal, whatever the address', async () => {
  const clock = fixedClock('2026-11-26T12:00:00Z');
  const t = await authApp({}, { DREHSCHEIBE_RATE_LIMIT: 'on', DREHSCHEIBE_RATE_PRINCIPAL_RPS: '1', DREHSCHEIBE_RATE_PRINCIPAL_BURST: '2' }, { clock });
  try {
    const key = await t.key({ name: 'app', roles: ['citizen'] });
    const codes = [];
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) codes.push((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/types', remoteAddress: ip, headers: { 'x-api-key': key } })).statusCode);
    assert.deepEqual(codes, [200, 200, 429]);
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/api-keys', headers: { 'x-api-key': t.operatorKey } })).statusCode, 200, 'another principal is not affected');
  } finally { await t.close(); }
});

test('a rate shared by several nodes: each enforces rate ÷ nodes (burst at least 1); one node the whole rate', () => {
  let nodes = 1;
  const rl = new RateLimiter(() => nodes);
  const rate = { rps: 10, burst: 7 };
  assert.deepEqual(rl.share(rate), { rate, nodes: 1 });
  nodes = 2;
  assert.deepEqual(rl.share(rate), { rate: { rps: 5, burst: 3 }, nodes: 2 });
  nodes = 10;
  assert.deepEqual(rl.share(rate).rate, { rps: 1, burst: 1 });
  assert.deepEqual(new RateLimiter().share(rate), { rate, nodes: 1 }, 'no cluster: the whole rate');
});
