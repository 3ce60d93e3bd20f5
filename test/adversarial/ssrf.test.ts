// Issue #13 item 6: the SSRF guard knows every textual form of a private address (IPv4-mapped, -compatible and
// -translated IPv6, NAT64, 6to4, Teredo, decimal/octal/hex IPv4), for notification endpoints and remote
// @contexts, and failed remote fetches do not tell refused ports from silent ones. Loopback listeners only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { isPrivateAddress, isPrivateHostLiteral, resolvePublic } from '../../src/core/net.guard.ts';
import { HttpNotifier } from '../../src/ngsi-ld/subscriptions/notifier.http.ts';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { testApp, JSON_HEADERS } from '../support/app.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const LINK_REL = 'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"';

/** Every way of writing 127.0.0.1 (and the cloud metadata address) that a URL parser accepts. */
function loopbackForms(port: number): string[] {
  return [
    `http://[::ffff:127.0.0.1]:${port}/x`, `http://[::ffff:7f00:1]:${port}/x`, `http://[0:0:0:0:0:ffff:7f00:1]:${port}/x`,
    `http://[::127.0.0.1]:${port}/x`, `http://[::ffff:0:127.0.0.1]:${port}/x`, `http://[64:ff9b::127.0.0.1]:${port}/x`,
    `http://[2002:7f00:1::1]:${port}/x`, `http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:${port}/x`,
    `http://2130706433:${port}/x`, `http://0177.0.0.1:${port}/x`, `http://0x7f.0.0.1:${port}/x`, `http://127.1:${port}/x`,
    `http://0x7f000001:${port}/x`, `http://localhost.:${port}/x`, `http://[::ffff:169.254.169.254]/latest/meta-data`,
    `http://[::]:${port}/x`, `http://[fec0::1]:${port}/x`, `http://[100::1]:${port}/x`,
  ];
}

describe('[SSRF] every address form is normalised before the private-address check', () => {
  let server: Server;
  let port = 0;
  let hits = 0;
  before(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.setHeader('content-type', 'application/ld+json');
      res.end('{"@context": {"secret": "https://internal.example/secret"}}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('mapped, compatible, translated, NAT64, 6to4, Teredo and numeric IPv4 forms of private addresses are private', () => {
    for (const uri of loopbackForms(port)) assert.ok(isPrivateHostLiteral(new URL(uri).hostname), uri);
    for (const ip of ['::ffff:7f00:1', '::ffff:a00:1', '::ffff:c0a8:101', '64:ff9b::a9fe:a9fe', '2002:a00:1::', '::ffff:0:a00:1', 'ff02::1', '2001:db8::1', 'fe80::1%eth0']) {
      assert.ok(isPrivateAddress(ip), ip);
    }
  });

  test('public addresses stay public in every form (no over-blocking)', () => {
    for (const h of ['8.8.8.8', '[::ffff:808:808]', '[64:ff9b::808:808]', '[2002:808:808::1]', '[2606:4700:4700::1111]', '134217728', 'example.org']) {
      assert.equal(isPrivateHostLiteral(h), false, h);
    }
  });

  test('a subscription endpoint written as an IPv4-mapped (or other) form of loopback is refused with 400', async () => {
    const t = await testApp({ DREHSCHEIBE_NOTIFY_PRIVATE: 'deny' });
    try {
      for (const uri of loopbackForms(port)) {
        const r = await t.app.inject({
          method: 'POST', url: '/ngsi-ld/v1/subscriptions', headers: JSON_HEADERS,
          payload: { type: 'Subscription', entities: [{ type: 'Sensor' }], notification: { endpoint: { uri } } },
        });
        assert.equal(r.statusCode, 400, `${uri}: ${r.body}`);
        assert.equal(r.json().type, ETSI + 'BadRequestData');
        assert.match(r.json().detail, /private/);
      }
    } finally { await t.close(); }
  });

  test('the HTTP notifier itself refuses a literal private address (sockets skip the guarded look-up)', async () => {
    const notifier = new HttpNotifier({ allowPrivate: false });
    const before = hits;
    try {
      const delivery = { uri: `http://[::ffff:127.0.0.1]:${port}/hook`, tenant: '', message: { contentType: 'application/json', body: '{}' } };
      await assert.rejects(notifier.send(delivery as never, 2000), /private/);
      assert.equal(hits, before, 'no request reached the loopback listener');
    } finally { await notifier.close(); }
  });

  test('the MQTT notifier\'s resolver (no look-up hook in the MQTT client) refuses mapped and NAT64 forms of loopback', async () => {
    for (const host of ['::ffff:7f00:1', '::ffff:127.0.0.1', '64:ff9b::7f00:1', '::7f00:1']) {
      await assert.rejects(resolvePublic(host), /private address/, host);
    }
  });

  test('a remote @context at an IPv4-mapped loopback URL is not fetched (503 LdContextNotAvailable, nothing reached)', async () => {
    const t = await authApp({}, { DREHSCHEIBE_CONTEXT_REMOTE: 'on', DREHSCHEIBE_CONTEXT_PRIVATE: 'deny' });
    const before = hits;
    try {
      for (const url of [`http://[::ffff:127.0.0.1]:${port}/ctx.jsonld`, `http://[64:ff9b::7f00:1]:${port}/ctx.jsonld`, `http://2130706433:${port}/ctx.jsonld`]) {
        const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=secret', headers: { 'x-api-key': t.operatorKey, link: `<${url}>; ${LINK_REL}` } });
        assert.equal(r.statusCode, 503, `${url}: ${r.body}`);
        assert.equal(r.json().type, ETSI + 'LdContextNotAvailable');
        assert.match(r.json().detail, /private/);
      }
      assert.equal(hits, before, 'no request reached the loopback listener');
    } finally { await t.close(); }
  });
});

describe('[SSRF] failed @context fetches do not work as a port scanner', () => {
  let t: AuthApp;
  let closedPort = 0;
  let silent: Server;
  let silentPort = 0;
  before(async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    silent = createServer(() => { /* never answers */ });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
    // Private addresses allowed (as on a loopback-only install), so the fetch is really attempted.
    t = await authApp({}, { DREHSCHEIBE_CONTEXT_REMOTE: 'on', DREHSCHEIBE_CONTEXT_PRIVATE: 'allow', DREHSCHEIBE_CONTEXT_TIMEOUT_MS: '300' });
  });
  after(async () => {
    await t.close();
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  const detail = async (headers: Record<string, string>, port: number): Promise<string> => {
    const url = `http://127.0.0.1:${port}/ctx.jsonld`;
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=x', headers: { ...headers, link: `<${url}>; ${LINK_REL}` } });
    assert.ok(r.statusCode >= 400, r.body);
    return String(r.json().detail).replace(url, 'URL');
  };

  test('an anonymous caller gets the same answer for a refused port and a silent one, without the socket error', async () => {
    const closed = await detail({}, closedPort);
    const open = await detail({}, silentPort);
    assert.doesNotMatch(closed, /ECONNREFUSED|ECONNRESET|ENOTFOUND|refused|socket/i, closed);
    assert.equal(closed, open);
  });

  test('an authenticated caller gets no socket error code either, and one text for both cases', async () => {
    const h = { 'x-api-key': t.operatorKey };
    const closed = await detail(h, closedPort);
    const open = await detail(h, silentPort);
    assert.doesNotMatch(closed, /ECONNREFUSED|ECONNRESET|ENOTFOUND/, closed);
    assert.equal(closed, open);
  });
});
