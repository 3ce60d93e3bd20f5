// Issue #19: a request the server accepted is answered, never cut off. DREHSCHEIBE_REQUEST_TIMEOUT_MS
// is also Fastify's connectionTimeout (Node's socket inactivity timeout), and Node used to destroy
// the socket of a batch still being worked on once it had waited that long without traffic: the
// client saw ECONNRESET, the server wrote the batch anyway. Runs on the engine TEST_ENGINE selects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { testApp, type TestApp } from '../support/app.ts';
import { makeBatches, UPSERT_PATH } from '../../bench/seed.ts';

const TIMEOUT_MS = 300;

async function listening(t: TestApp): Promise<{ host: string; port: number; url: string }> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.server.address() as { port: number }).port;
  return { host: '127.0.0.1', port, url: `http://127.0.0.1:${port}` };
}

async function count(url: string): Promise<number> {
  const r = await fetch(`${url}/ngsi-ld/v1/entities?type=AirQualityObserved&count=true&limit=1`);
  assert.equal(r.status, 200);
  await r.text();
  return Number(r.headers.get('ngsild-results-count'));
}

test('a batch of 1,000 whose answer takes longer than the connection timeout is answered, and written whole', async () => {
  const t = await testApp({ DREHSCHEIBE_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) });
  // A slow server (a loaded writer): the upsert waits three timeouts before it is worked on.
  t.app.addHook('preHandler', async (req) => {
    if (req.url.startsWith('/ngsi-ld/v1/entityOperations/upsert')) await new Promise((r) => setTimeout(r, 3 * TIMEOUT_MS));
  });
  try {
    const { url } = await listening(t);
    const [body] = makeBatches(0, 1000, { batchSize: 1000 });
    // Before the fix: fetch failed (UND_ERR_SOCKET / ECONNRESET) after ~300 ms.
    const r = await fetch(url + UPSERT_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(r.status, 201);
    assert.equal((await r.json() as string[]).length, 1000);
    assert.equal(await count(url), 1000);
  } finally { await t.close(); }
});

test('an idle connection is still closed after the timeout, and a body that stops arriving gets 408', async () => {
  const t = await testApp({ DREHSCHEIBE_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) });
  try {
    const { host, port } = await listening(t);
    // Idle: nothing sent at all.
    const idle = connect(port, host);
    const idleStart = Date.now();
    await new Promise<void>((resolve, reject) => { idle.on('close', () => resolve()); idle.on('error', reject); setTimeout(() => reject(new Error('idle connection not closed')), 5000); });
    assert.ok(Date.now() - idleStart >= TIMEOUT_MS - 50, 'not closed before the timeout');
    // Headers and half of the promised body, then silence.
    const slow = connect(port, host);
    let answer = '';
    slow.on('data', (d) => { answer += d; });
    slow.write(`POST ${UPSERT_PATH} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{"id":"urn:ngsi-ld:X:1",`);
    await new Promise<void>((resolve, reject) => { slow.on('close', () => resolve()); slow.on('error', () => resolve()); setTimeout(() => reject(new Error('stalled upload not closed')), 5000); });
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.match(answer, /"status":408/);
  } finally { await t.close(); }
});

test('a client that does not read its answers loses the connection after the timeout (slow readers hold none)', async () => {
  // Keep-alive long, so that only the quiet-connection timeout can close it.
  const t = await testApp({ DREHSCHEIBE_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS), DREHSCHEIBE_KEEPALIVE_TIMEOUT_MS: '60000' });
  try {
    const { host, port } = await listening(t);
    for (const payload of makeBatches(0, 2000, { batchSize: 1000 })) {
      assert.equal((await t.app.inject({ method: 'POST', url: UPSERT_PATH, headers: { 'content-type': 'application/json' }, payload })).statusCode, 201);
    }
    // Twenty pipelined pages of 1,000 entities (~20 MB): more than the socket buffers hold, and nothing is read.
    const reader = connect(port, host);
    reader.pause();
    const get = `GET /ngsi-ld/v1/entities?type=AirQualityObserved&limit=1000 HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
    reader.write(get.repeat(20));
    const connections = () => new Promise<number>((res, rej) => t.app.server.getConnections((e, n) => (e ? rej(e) : res(n))));
    const deadline = Date.now() + 8000;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await connections(), 1, 'the reader is connected while its answers are written');
    while ((await connections()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await connections(), 0, 'the connection of the client that reads nothing was closed');
    reader.destroy();
  } finally { await t.close(); }
});
