// Start-up validation of the security configuration: every problem named, nothing half-applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { loadPolicyFile } from '../../src/auth/index.ts';

test('OIDC, CORS, metrics port and rate settings are validated together, each problem named', () => {
  assert.throws(() => loadConfig({
    DREHSCHEIBE_OIDC_ISSUER: 'ftp://idp', DREHSCHEIBE_OIDC_ROLE_MAP: 'a=king,b', DREHSCHEIBE_CORS_ORIGINS: 'portal.herne.de',
    PORT: '1026', METRICS_PORT: '1026', DREHSCHEIBE_RATE_ADDRESS_RPS: '0',
  }), (e: Error) => {
    for (const m of [/DREHSCHEIBE_OIDC_ISSUER: expected an http\(s\) URL/, /DREHSCHEIBE_OIDC_AUDIENCE: required/, /DREHSCHEIBE_OIDC_ROLE_MAP: .*"a=king"/, /"b"/,
      /DREHSCHEIBE_CORS_ORIGINS: expected origins/, /METRICS_PORT must differ from PORT/, /DREHSCHEIBE_RATE_ADDRESS_RPS/]) assert.match(e.message, m);
    return true;
  });
  const ok = loadConfig({ DREHSCHEIBE_OIDC_ISSUER: 'https://login.herne.de/realms/herne', DREHSCHEIBE_OIDC_AUDIENCE: 'drehscheibe', DREHSCHEIBE_OIDC_ROLE_MAP: 'dh-ops=operator, swh-staff=steward@stadtwerke' });
  assert.deepEqual(ok.security.oidc?.roleMap, { 'dh-ops': 'operator', 'swh-staff': 'steward@stadtwerke' });
  assert.equal(ok.security.oidc?.rolesClaim, 'realm_access.roles');
});

test('the admin key can come from a file; an unreadable file is a configuration error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-cfg-'));
  writeFileSync(join(dir, 'key'), 'k'.repeat(32) + '\n');
  assert.equal(loadConfig({ DREHSCHEIBE_ADMIN_KEY_FILE: join(dir, 'key') }).security.adminKey, 'k'.repeat(32));
  assert.throws(() => loadConfig({ DREHSCHEIBE_ADMIN_KEY_FILE: join(dir, 'missing') }), /DREHSCHEIBE_ADMIN_KEY_FILE: cannot read/);
});

test('a policy file with mistakes is refused with every problem listed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-pol-'));
  const file = join(dir, 'policy.json');
  writeFileSync(file, JSON.stringify({ tenants: { 'bad tenant': {}, '': { read: ['everyone'], types: { T: { delete: ['steward'] } } } }, grants: [] }));
  assert.throws(() => loadPolicyFile(file), (e: Error) => {
    for (const m of [/unknown member\(s\) grants/, /tenant "bad tenant" is not a valid tenant name/, /"everyone" is not a subject/, /types\["T"\]: unknown member delete/]) assert.match(e.message, m);
    return true;
  });
  writeFileSync(file, '{ not json');
  assert.throws(() => loadPolicyFile(file), /DREHSCHEIBE_POLICY_FILE: cannot read/);
  writeFileSync(file, JSON.stringify({ tenants: { '*': { subscriptions: ['steward', 'citizen'] }, stadtwerke: { read: ['steward@stadtwerke', 'key:swh-leitwarte', 'oidc:1234'] } } }));
  assert.deepEqual(Object.keys(loadPolicyFile(file).tenants!), ['*', 'stadtwerke']);
});

test('the policy example in docs/security.md is a valid policy', async () => {
  const { readFileSync } = await import('node:fs');
  const { policyProblems } = await import('../../src/auth/index.ts');
  const doc = readFileSync('docs/security.md', 'utf8');
  const json = /```json\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(json, 'docs/security.md has a JSON policy example');
  assert.deepEqual(policyProblems(JSON.parse(json!)), []);
});
