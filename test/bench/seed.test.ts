// bench/seed.ts survives a loaded server (issue #19): a batch cut off by a connection error or
// answered 503 is sent again (the upsert is idempotent) and counted; other errors are not retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { testApp } from '../support/app.ts';
import { postBatch, seedCounted } from '../../bench/seed.ts';

/** A server in front of the real app that answers the n-th request as `plan` says, the rest through the app. */
// plan: true = answered by the plan; 'written-then-reset' = the app writes the batch, then the connection is cut.
async function front(plan: (n: number, req: IncomingMessage, res: ServerResponse, body: string) => boolean | 'written-then-reset', forward?: (req: IncomingMessage, body: string) => Promise<{ status: number; body: string }>) {
  let n = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      const p = plan(++n, req, res, body);
      if (p === true) return;
      const r = await forward!(req, body);
      if (p === 'written-then-reset') { res.socket!.destroy(); return; }
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests: () => n, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

test('seeding sends a batch again after a reset connection (the server had written it) and after 503, and the store holds each entity once', async () => {
  const t = await testApp();
  const f = await front((n, _req, res) => {
    if (n === 1) return 'written-then-reset';
    if (n === 2) { res.writeHead(503, { 'retry-after': '0' }).end(); return true; }
    return false;
  }, async (req, body) => {
    const r = await t.app.inject({ method: 'POST', url: req.url!, headers: { 'content-type': 'application/json' }, payload: body });
    return { status: r.statusCode, body: r.body };
  });
  const reasons: string[] = [];
  try {
    const r = await seedCounted(f.url, 2000, { batchSize: 1000, concurrency: 1, backoffMs: 10, onRetry: (reason) => reasons.push(reason) });
    assert.equal(r.retries, 2);
    assert.equal(reasons.length, 2);
    assert.notEqual(reasons[0], 'HTTP 503', 'the first was a connection error');
    assert.equal(reasons[1], 'HTTP 503');
    assert.equal(f.requests(), 4, 'two batches, one of them sent three times');
    const c = await t.app.inject('/ngsi-ld/v1/entities?type=AirQualityObserved&count=true&limit=1');
    assert.equal(c.headers['ngsild-results-count'], '2000');
  } finally { await f.close(); await t.close(); }
});

test('a 400 is not sent again; a connection that keeps failing gives up after the retries', async () => {
  const bad = await front((_n, _req, res) => { res.writeHead(400, { 'content-type': 'application/json' }).end('{"title":"bad"}'); return true; });
  try {
    const r = await postBatch(bad.url, '[]', undefined, { backoffMs: 1 });
    assert.deepEqual({ status: r.status, retries: r.retries }, { status: 400, retries: 0 });
    assert.equal(bad.requests(), 1);
  } finally { await bad.close(); }
  const reset = await front((_n, _req, res) => { res.socket!.destroy(); return true; });
  try {
    await assert.rejects(postBatch(reset.url, '[]', undefined, { retries: 2, backoffMs: 1 }), /batch failed after 2 retries/);
    assert.equal(reset.requests(), 3);
  } finally { await reset.close(); }
});
