// Benchmark: the cost of authentication and authorisation on the PATCH benchmark, in one run:
// the same seeded data dir served with DREHSCHEIBE_AUTH=off, then with auth on and an API key,
// then with auth on and an OIDC bearer token (a local issuer started here). Reports each throughput
// and the loss ratios against auth off. The audit log is on in all three, so only authn/authz differ.
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { expectOk, fmt, load, loadResult, type BenchOptions, type LoadSpec, type Result } from './common.ts';
import { entityId, makeBatches, seed, UPSERT_PATH } from './seed.ts';
import { startServer, type BenchServer } from './server.ts';
import { luaScript } from './wrk.ts';

const N = 1000;

function body(): string {
  const observedAt = new Date().toISOString();
  return JSON.stringify({
    temperature: { type: 'Property', value: Math.round(Math.random() * 350) / 10, observedAt, unitCode: 'CEL' },
    humidity: { type: 'Property', value: Math.round(200 + Math.random() * 750) / 10, observedAt, unitCode: 'P1' },
  });
}

const BODY_LUA = `function(i)
  local t = iso_now()
  return string.format('{"temperature":{"type":"Property","value":%.1f,"observedAt":"%s","unitCode":"CEL"},'
    .. '"humidity":{"type":"Property","value":%.1f,"observedAt":"%s","unitCode":"P1"}}',
    math.random(0, 350) / 10, t, math.random(200, 950) / 10, t)
end`;

async function patchLoad(server: BenchServer, opts: BenchOptions, auth: Record<string, string>) {
  const headers = { 'content-type': 'application/json', ...auth };
  await expectOk(`${server.url}/ngsi-ld/v1/entities/${entityId(0)}/attrs`, { method: 'PATCH', headers, body: body() });
  let i = 0;
  const spec = (durationSec: number): LoadSpec => ({
    url: server.url,
    connections: opts.connections,
    durationSec,
    warmupSec: 0,
    headers,
    requests: [{ method: 'PATCH', setupRequest: (req) => ({ ...req, path: `/ngsi-ld/v1/entities/${entityId(i++ % N)}/attrs`, body: body() }) }],
    generator: opts.generator,
    wrkScript: luaScript({
      method: 'PATCH',
      paths: Array.from({ length: N }, (_, k) => `/ngsi-ld/v1/entities/${entityId(k)}/attrs`),
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase()), v])),
      bodyLua: BODY_LUA,
    }),
  });
  await load(spec(opts.quick ? 1 : 2));
  const c0 = cpuMicros(server.pid);
  const o = await load(spec(opts.durationSec));
  return Object.assign(o, { cpuPerReq: (cpuMicros(server.pid) - c0) / o.total });
}

/** CPU time (user + system) a process has used so far, in µs (from /proc; Linux). */
function cpuMicros(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** A minimal OpenID Connect issuer: discovery document and JWKS. */
async function localIssuer(): Promise<{ issuer: string; token: () => Promise<string>; close: () => Promise<void> }> {
  const keys = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.endsWith('/.well-known/openid-configuration')) res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/certs` }));
    else if (req.url?.endsWith('/certs')) res.end(JSON.stringify({ keys: [jwk] }));
    else { res.statusCode = 404; res.end('{}'); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}/realms/herne`;
  return {
    issuer,
    token: () => new SignJWT({ realm_access: { roles: ['herne-steward'] } }).setProtectedHeader({ alg: 'RS256', kid: 'bench' })
      .setIssuer(issuer).setAudience('drehscheibe').setSubject('bench-user').setIssuedAt().setExpirationTime('2h').sign(keys.privateKey),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export async function run(opts: BenchOptions): Promise<Result[]> {
  const rounds = opts.quick ? 1 : 3;
  const cond = (what: string, total: number) => `${what}; ${N.toLocaleString('en-US')} entities, ids rotating, PATCH of 2 attributes, `
    + `${opts.connections} connections, ${opts.durationSec} s after ${opts.quick ? 1 : 2} s warm-up; ${total.toLocaleString('en-US')} requests; `
    + `two servers (auth off / auth on) seeded alike, both running and warmed up; off, API key, JWT measured in alternating order, ${rounds} round(s), best round shown; audit log on, rate limits off in all`;
  const issuer = await localIssuer();
  const adminKey = `bench-${randomBytes(24).toString('base64url')}`;
  const off = await startServer({ env: { DREHSCHEIBE_AUTH: 'off' } });
  let on: BenchServer | undefined;
  try {
    on = await startServer({
      env: {
        DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_ADMIN_KEY: adminKey,
        DREHSCHEIBE_OIDC_ISSUER: issuer.issuer, DREHSCHEIBE_OIDC_AUDIENCE: 'drehscheibe', DREHSCHEIBE_OIDC_ROLE_MAP: 'herne-steward=steward',
      },
    });
    await seed(off.url, N);
    await seedWithKey(on.url, adminKey);
    const created = JSON.parse(await expectOk(`${on.url}/admin/api-keys`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': adminKey }, body: JSON.stringify({ name: 'bench-sensor-gateway', roles: ['steward'] }) })) as { key: string };
    const token = await issuer.token();
    type O = Awaited<ReturnType<typeof patchLoad>>;
    const best: { off?: O; key?: O; jwt?: O } = {};
    const cpu: { off: number[]; key: number[]; jwt: number[] } = { off: [], key: [], jwt: [] };
    const keep = (k: keyof typeof best, o: O) => {
      cpu[k].push(o.cpuPerReq);
      if (!best[k] || o.reqPerSec > best[k]!.reqPerSec) best[k] = o;
    };
    const variants = {
      off: () => patchLoad(off, opts, {}),
      key: () => patchLoad(on!, opts, { 'x-api-key': created.key }),
      jwt: () => patchLoad(on!, opts, { authorization: `Bearer ${token}` }),
    };
    // Both servers warmed up alike before anything is measured (JIT, caches), then the order of
    // the variants alternates per round so that no variant always runs on a colder or warmer server.
    await patchLoad(off, { ...opts, durationSec: opts.quick ? 1 : 5 }, {});
    await patchLoad(on, { ...opts, durationSec: opts.quick ? 1 : 5 }, { 'x-api-key': created.key });
    const orders: Array<Array<keyof typeof variants>> = [['off', 'key', 'jwt'], ['jwt', 'key', 'off'], ['key', 'off', 'jwt']];
    for (let r = 0; r < rounds; r++) for (const v of orders[r % orders.length]) keep(v, await variants[v]());
    const oOff = best.off!;
    const oKey = best.key!;
    const oJwt = best.jwt!;
    // Negative = faster than without auth, i.e. the difference is within the noise.
    const loss = (o: { reqPerSec: number }) => (1 - o.reqPerSec / oOff.reqPerSec) * 100;
    const minCpu = (xs: number[]) => Math.min(...xs);
    const cOff = minCpu(cpu.off);
    const cKey = minCpu(cpu.key);
    const cJwt = minCpu(cpu.jwt);
    const ratioCond = `(1 − with/without) × 100 of the best rounds within this run: off ${fmt(oOff.reqPerSec)}, API key ${fmt(oKey.reqPerSec)}, JWT ${fmt(oJwt.reqPerSec)} req/s; `
      + `server CPU per request (least of the rounds) off ${cOff.toFixed(0)} µs, API key ${cKey.toFixed(0)} µs, JWT ${cJwt.toFixed(0)} µs; negative = within noise; noisy on 2 shared cores`;
    const cpuCond = 'user + system CPU of the server process per PATCH during the measurement (least of the rounds); less sensitive to other load on the machine than throughput';
    return [
      loadResult('auth: PATCH with DREHSCHEIBE_AUTH=off', oOff, cond('no access control', oOff.total)),
      loadResult('auth: PATCH with an API key (X-API-Key)', oKey, cond('auth on, steward API key', oKey.total)),
      loadResult('auth: PATCH with a JWT (Bearer, OIDC)', oJwt, cond('auth on, RS256 bearer token of a local issuer', oJwt.total)),
      { name: 'auth: throughput loss with an API key', value: loss(oKey), unit: '%', conditions: ratioCond },
      { name: 'auth: throughput loss with a JWT', value: loss(oJwt), unit: '%', conditions: ratioCond },
      { name: 'auth: server CPU per PATCH, auth off', value: cOff, unit: 'µs', conditions: cpuCond },
      { name: 'auth: server CPU per PATCH, API key', value: cKey, unit: 'µs', conditions: cpuCond },
      { name: 'auth: server CPU per PATCH, JWT', value: cJwt, unit: 'µs', conditions: cpuCond },
    ];
  } finally {
    await off.stop();
    await on?.stop();
    await issuer.close();
  }
}

/** The same entities as seed(), written with the operator key (auth on). */
async function seedWithKey(url: string, key: string): Promise<void> {
  for (const b of makeBatches(0, N)) await expectOk(`${url}${UPSERT_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: b });
}
