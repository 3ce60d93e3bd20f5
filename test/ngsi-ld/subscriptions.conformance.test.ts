// Notifications as NGSI-LD specifies them (clause 5.8, 5.11; issue #14): no initial notification unless
// configured, and one subscription's failing or hanging deliveries never delay another subscription's,
// even to the same host and URI. Real HTTP receivers on free ports.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { testApp, type TestApp, JSON_HEADERS } from '../support/app.ts';

const E = '/ngsi-ld/v1/entities';
const SUBS = '/ngsi-ld/v1/subscriptions';

/** A receiver whose answer depends on the request: `decide` returns a status, or 'hang'. */
class Host {
  readonly got: Array<{ path: string; sub: string; at: number; body: Record<string, unknown> }> = [];
  private readonly open = new Set<http.ServerResponse>();
  private constructor(private readonly server: http.Server, readonly base: string) {}
  static async start(decide: (path: string, sub: string) => number | 'hang'): Promise<Host> {
    let self: Host | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        const sub = String(body.subscriptionId);
        const d = decide(req.url ?? '', sub);
        if (d === 'hang') { self!.open.add(res); return; }
        if (d < 300) self!.got.push({ path: req.url ?? '', sub, at: Date.now(), body });
        res.statusCode = d;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    self = new Host(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }
  async waitFor(pred: (g: Host['got'][number]) => boolean, n: number, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.got.filter(pred).length < n) {
      if (Date.now() > end) throw new Error(`expected ${n} notification(s) within ${timeoutMs} ms, got ${this.got.filter(pred).length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  async close(): Promise<void> {
    for (const r of this.open) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const sub = (id: string, uri: string, extra: Record<string, unknown> = {}) => ({ id, type: 'Subscription', entities: [{ type: 'Sensor' }], notification: { endpoint: { uri } }, ...extra });

describe('notifications (clause 5.8.1, 5.11)', () => {
  test('[5.8.1] creating a subscription sends no initial notification by default; DREHSCHEIBE_NOTIFY_INITIAL=on opts in', async () => {
    const host = await Host.start(() => 204);
    for (const [env, expected] of [[{}, 0], [{ DREHSCHEIBE_NOTIFY_INITIAL: 'on' }, 1]] as const) {
      const t = await testApp({ DREHSCHEIBE_NOTIFY_WORKER: 'off', ...env });
      try {
        await t.app.inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:Sensor:1', type: 'Sensor', temperature: 20 } });
        const before = host.got.length;
        const id = `urn:ngsi-ld:Subscription:initial-${expected}`;
        assert.equal((await t.app.inject({ method: 'POST', url: SUBS, headers: JSON_HEADERS, payload: sub(id, `${host.base}/n`) })).statusCode, 201);
        await t.app.drehscheibe.subscriptions.idle();
        assert.equal(host.got.length - before, expected, JSON.stringify(env));
        // The endpoint works: a change is notified.
        await t.app.inject({ method: 'PATCH', url: `${E}/urn:ngsi-ld:Sensor:1/attrs`, headers: JSON_HEADERS, payload: { temperature: 21 } });
        await host.waitFor((g) => g.sub === id, expected + 1, 3000);
      } finally {
        await t.close();
      }
    }
    await host.close();
  });

  describe('one subscription\'s failures never delay another\'s', () => {
    let t: TestApp;
    let host: Host;
    const failing = new Set<string>();
    before(async () => {
      t = await testApp({ DREHSCHEIBE_NOTIFY_WORKER: 'off', DREHSCHEIBE_NOTIFY_BACKOFF_MS: '4000', DREHSCHEIBE_NOTIFY_BACKOFF_MAX_MS: '4000', DREHSCHEIBE_NOTIFY_RETRIES: '3', DREHSCHEIBE_NOTIFY_CONCURRENCY: '2', DREHSCHEIBE_NOTIFY_TIMEOUT_MS: '4000' });
      host = await Host.start((path, s) => (path === '/hang' ? 'hang' : failing.has(s) ? 500 : 204));
      await t.app.inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:Sensor:b', type: 'Sensor', temperature: 1 } });
    });
    after(async () => { await host.close(); await t.close(); });
    const change = (v: number) => t.app.inject({ method: 'PATCH', url: `${E}/urn:ngsi-ld:Sensor:b/attrs`, headers: JSON_HEADERS, payload: { temperature: v } });

    test('[5.11] a subscription whose notifications the endpoint refuses backs off alone: another subscription to the same URI is notified at once', async () => {
      const A = 'urn:ngsi-ld:Subscription:refused';
      const B = 'urn:ngsi-ld:Subscription:accepted';
      failing.add(A);
      for (const id of [A, B]) assert.equal((await t.app.inject({ method: 'POST', url: SUBS, headers: JSON_HEADERS, payload: sub(id, `${host.base}/same`) })).statusCode, 201);
      await change(2);
      await host.waitFor((g) => g.sub === B, 1, 2000);
      // A's retry now waits out a 4 s backoff; B's next notification must not wait with it.
      const sent = Date.now();
      await change(3);
      await host.waitFor((g) => g.sub === B, 2, 2000);
      assert.ok(host.got.filter((g) => g.sub === B)[1].at - sent < 1500, 'B was delayed by A\'s backoff');
      for (const id of [A, B]) await t.app.inject({ method: 'DELETE', url: `${SUBS}/${id}` });
    });

    test('[5.11] a hanging endpoint on a host does not hold the connections other subscriptions to that host need', async () => {
      const H = 'urn:ngsi-ld:Subscription:hangs';
      const K = 'urn:ngsi-ld:Subscription:keeps';
      assert.equal((await t.app.inject({ method: 'POST', url: SUBS, headers: JSON_HEADERS, payload: sub(H, `${host.base}/hang`) })).statusCode, 201);
      // Fill the hanging lane (concurrency 2) before the other subscription exists.
      await change(10);
      await change(11);
      assert.equal((await t.app.inject({ method: 'POST', url: SUBS, headers: JSON_HEADERS, payload: sub(K, `${host.base}/ok`) })).statusCode, 201);
      const before = host.got.filter((g) => g.sub === K).length;
      const sent = Date.now();
      await change(12);
      await host.waitFor((g) => g.sub === K, before + 1, 3000);
      assert.ok(Date.now() - sent < 1500, 'the other subscription waited for the hanging one');
    });
  });

  test('[5.2.12] a subscription created with an @context array keeps its jsonldContext (GET, PATCH) and notifications are compacted with it', async () => {
    const host = await Host.start(() => 204);
    const bodies: Array<Record<string, unknown>> = [];
    const t = await testApp({ DREHSCHEIBE_NOTIFY_WORKER: 'off' });
    try {
      const CORE = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
      const h = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/jsonldContexts', headers: JSON_HEADERS, payload: { '@context': { velocity: 'https://example.org/speed' } } });
      const ctxId = (h.headers.location as string).split('/').pop()!;
      const hosted = ((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/jsonldContexts?kind=Hosted' })).json() as string[]).find((u) => u.endsWith(ctxId))!;
      const ctx = [{ speed: 'https://example.org/speed' }, CORE];
      const LD = { 'content-type': 'application/ld+json' };
      const id = 'urn:ngsi-ld:Subscription:ctx-array';
      const c = await t.app.inject({ method: 'POST', url: SUBS, headers: LD, payload: { ...sub(id, `${host.base}/ctx`), jsonldContext: hosted, notification: { endpoint: { uri: `${host.base}/ctx`, accept: 'application/ld+json' } }, '@context': ctx } });
      assert.equal(c.statusCode, 201, c.body);
      assert.equal((await t.app.inject({ method: 'GET', url: `${SUBS}/${id}` })).json().jsonldContext, hosted);
      assert.equal((await t.app.inject({ method: 'PATCH', url: `${SUBS}/${id}`, headers: LD, payload: { description: 'x', '@context': ctx } })).statusCode, 204);
      assert.equal((await t.app.inject({ method: 'GET', url: `${SUBS}/${id}` })).json().jsonldContext, hosted);
      await t.app.inject({ method: 'POST', url: E, headers: LD, payload: { id: 'urn:ngsi-ld:Sensor:ctx', type: 'Sensor', speed: 3, '@context': ctx } });
      await host.waitFor((g) => g.sub === id, 1, 3000);
      bodies.push(host.got.find((g) => g.sub === id)!.body);
      assert.equal(bodies[0]['@context'], hosted);
      assert.deepEqual((bodies[0].data as Array<Record<string, unknown>>)[0].velocity, { type: 'Property', value: 3 });
    } finally {
      await t.close();
      await host.close();
    }
    assert.equal(bodies.length, 1);
  });
});

