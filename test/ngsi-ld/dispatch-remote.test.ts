// The notification worker (dispatch.remote.ts) starts with the first delivery, not with the server:
// a server without subscriptions does not hold its isolate (issue #19, memory); deliveries still go out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { RemoteDispatcher, type OutcomeCounts } from '../../src/ngsi-ld/subscriptions/dispatch.remote.ts';

const policy = { queueMax: 100, endpointQueueMax: 100, endpointQueueBytes: 1 << 20, queueBytes: 1 << 20, concurrency: 1, timeoutMs: 2000, retries: 0, backoffMs: 10, backoffMaxMs: 10, allowPrivate: true };
const hasWorker = (d: RemoteDispatcher) => (d as unknown as { worker?: unknown }).worker !== undefined;

test('no worker until the first delivery; stop without one resolves at once', async () => {
  const d = new RemoteDispatcher(policy, () => undefined, () => new Date());
  assert.equal(hasWorker(d), false);
  await d.stop();
  assert.equal(hasWorker(d), false);
});

test('the first delivery starts the worker and is delivered', async () => {
  const got: string[] = [];
  const srv = createServer((req, res) => { let b = ''; req.on('data', (c) => (b += c)); req.on('end', () => { got.push(b); res.end(); }); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  const outcomes: OutcomeCounts[] = [];
  const d = new RemoteDispatcher(policy, (c) => outcomes.push(c), () => new Date());
  try {
    assert.equal(hasWorker(d), false);
    d.enqueue({ tenant: '', subId: 'urn:sub:1', uri: `http://127.0.0.1:${port}/notify`, attempt: 0, message: { id: 'urn:n:1', body: '{"x":1}', contentType: 'application/json' } });
    const deadline = Date.now() + 30_000;
    while (outcomes.reduce((n, c) => n + c.ok, 0) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(hasWorker(d), true);
    assert.deepEqual(got, ['{"x":1}']);
    assert.equal(d.pending, 0);
  } finally {
    await d.stop();
    srv.close();
  }
});
