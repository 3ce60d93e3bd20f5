// OpenID Connect bearer tokens against a local issuer this test starts (no internet): discovery,
// JWKS verification, role mapping, key rotation, and rejection of forged, expired, wrong-audience
// and wrong-issuer tokens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { testApp, type TestApp } from '../support/app.ts';

type Key = Awaited<ReturnType<typeof generateKeyPair>>;
let server: Server;
let issuer: string;
let published: JWK[] = [];
let jwksFetches = 0;
let k1: Key;
let k2: Key;
let t: TestApp;

async function jwk(k: Key, kid: string): Promise<JWK> {
  return { ...(await exportJWK(k.publicKey)), kid, alg: 'RS256', use: 'sig' };
}

async function token(o: { key?: Key; kid?: string; iss?: string; aud?: string; exp?: number; roles?: string[]; sub?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ realm_access: { roles: o.roles ?? ['herne-steward'] } })
    .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'k1' })
    .setIssuer(o.iss ?? issuer)
    .setAudience(o.aud ?? 'drehscheibe')
    .setSubject(o.sub ?? 'user-4711')
    .setIssuedAt(now - 60)
    .setExpirationTime(o.exp ?? now + 300)
    .sign((o.key ?? k1).privateKey);
}

before(async () => {
  k1 = await generateKeyPair('RS256');
  k2 = await generateKeyPair('RS256');
  published = [await jwk(k1, 'k1')];
  server = createServer((req, res) => {
    if (req.url === '/realms/herne/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs` }));
    } else if (req.url === '/realms/herne/protocol/openid-connect/certs') {
      jwksFetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}/realms/herne`;
  t = await testApp({
    DREHSCHEIBE_AUTH: 'on',
    DREHSCHEIBE_OIDC_ISSUER: issuer,
    DREHSCHEIBE_OIDC_AUDIENCE: 'drehscheibe',
    DREHSCHEIBE_OIDC_ROLE_MAP: 'herne-steward=steward,herne-ops=operator,swh-staff=steward@stadtwerke',
    DREHSCHEIBE_OIDC_JWKS_COOLDOWN_MS: '0',
  });
});
after(async () => {
  await t.close();
  await new Promise((r) => server.close(r));
});

let n = 0;
function write(bearer: string, tenant = '') {
  const headers: Record<string, string> = { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' };
  if (tenant) headers['ngsild-tenant'] = tenant;
  return t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers, payload: { id: `urn:ngsi-ld:Building:o${++n}`, type: 'Building' } });
}

test('a valid token from the configured issuer is accepted; its roles claim maps to Drehscheibe roles', async () => {
  assert.equal((await write(await token())).statusCode, 201);
  const ops = await token({ roles: ['herne-ops'], sub: 'admin-1' });
  assert.equal((await t.app.inject({ method: 'GET', url: '/admin/api-keys', headers: { authorization: `Bearer ${ops}` } })).statusCode, 200);
  const citizen = await token({ roles: ['unmapped'], sub: 'c-1' });
  assert.equal((await write(citizen)).statusCode, 403, 'a token without mapped roles is a citizen: no writes');
  const swh = await token({ roles: ['swh-staff'], sub: 'swh-1' });
  assert.equal((await write(swh, 'stadtwerke')).statusCode, 201);
});

test('a token with a forged signature is rejected (401)', async () => {
  const forged = await token({ key: k2, kid: 'k1' });
  const r = await write(forged);
  assert.equal(r.statusCode, 401);
  assert.match(r.json().detail, /signature/);
  const [h, p] = (await token()).split('.');
  const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), realm_access: { roles: ['herne-ops'] } })).toString('base64url')}.${(await token()).split('.')[2]}`;
  assert.equal((await write(tampered)).statusCode, 401);
  assert.equal((await write('not-a-jwt')).statusCode, 401);
});

test('with an issuer configured, a bearer token with the API-key prefix is checked as an API key, a JWT still by the issuer', async () => {
  const key = readFileSync(join(t.dir, 'admin-key'), 'utf8').trim();
  assert.match(key, /^ds_/);
  assert.equal((await write(key)).statusCode, 201, 'the operator key as a bearer token');
  const unknown = await write(`ds_${'C'.repeat(43)}`);
  assert.equal(unknown.statusCode, 401);
  assert.match(unknown.json().detail, /Unknown API key/);
  assert.equal((await write(await token())).statusCode, 201, 'a JWT from the issuer');
});

test('an expired token is rejected (401)', async () => {
  const r = await write(await token({ exp: Math.floor(Date.now() / 1000) - 120 }));
  assert.equal(r.statusCode, 401);
  assert.match(r.json().detail, /expired/);
});

test('a token for another audience is rejected (401)', async () => {
  const r = await write(await token({ aud: 'some-other-client' }));
  assert.equal(r.statusCode, 401);
  assert.match(r.json().detail, /aud/);
});

test('a token from another issuer is rejected (401), even when signed with a trusted key', async () => {
  const r = await write(await token({ iss: 'http://127.0.0.1:1/realms/evil' }));
  assert.equal(r.statusCode, 401);
  assert.match(r.json().detail, /iss/);
});

test('key rotation: a token signed with a newly published key is accepted after the JWKS is refetched', async () => {
  const before = jwksFetches;
  published = [await jwk(k1, 'k1'), await jwk(k2, 'k2')];
  assert.equal((await write(await token({ key: k2, kid: 'k2' }))).statusCode, 201);
  assert.ok(jwksFetches > before, 'the unknown key id made the verifier fetch the JWKS again');
  published = [await jwk(k2, 'k2')];
  assert.equal((await write(await token({ key: k2, kid: 'k2', sub: 'other' }))).statusCode, 201);
});
