// The accounts' configuration (docs/accounts.md#configuration): defaults, and every invalid value
// refused at start-up with its reason, all at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/config.ts';
import { policyProblems } from '../../src/auth/index.ts';

test('defaults: 2 h idle, 12 h absolute, OWASP argon2id cost, outbox without SMTP, OIDC client id = audience', () => {
  const c = loadConfig({ DREHSCHEIBE_OIDC_ISSUER: 'https://sso.herne.de/realms/herne', DREHSCHEIBE_OIDC_AUDIENCE: 'drehscheibe' }).accounts;
  assert.equal(c.sessionIdleS, 7200);
  assert.equal(c.sessionMaxS, 43200);
  assert.equal(c.argon2MemoryKiB, 19456);
  assert.equal(c.argon2Time, 2);
  assert.equal(c.passwordMinLength, 12);
  assert.equal(c.smtpUrl, undefined);
  assert.equal(c.oidcClientId, 'drehscheibe');
  assert.equal(c.oidcLoginRoles, 'claim');
});

test('invalid account settings are refused at start-up, every one named', () => {
  assert.throws(() => loadConfig({
    DREHSCHEIBE_SESSION_IDLE_S: '9000', DREHSCHEIBE_SESSION_MAX_S: '3600', DREHSCHEIBE_ARGON2_MEMORY_KIB: '4096', DREHSCHEIBE_ARGON2_TIME: '1',
    DREHSCHEIBE_SMTP_URL: 'http://mail.herne.de', DREHSCHEIBE_MAIL_FROM: 'nobody', DREHSCHEIBE_OIDC_SCOPES: 'email profile', DREHSCHEIBE_OIDC_LOGIN_ROLES: 'both',
    DREHSCHEIBE_PASSWORD_MIN_LENGTH: '4',
  }), (e: Error) => {
    for (const v of ['DREHSCHEIBE_SESSION_IDLE_S must not exceed', 'DREHSCHEIBE_ARGON2_MEMORY_KIB', 'DREHSCHEIBE_ARGON2_TIME', 'DREHSCHEIBE_SMTP_URL', 'DREHSCHEIBE_MAIL_FROM',
      'DREHSCHEIBE_OIDC_SCOPES', 'DREHSCHEIBE_OIDC_LOGIN_ROLES', 'DREHSCHEIBE_PASSWORD_MIN_LENGTH']) assert.match(e.message, new RegExp(v), v);
    return true;
  });
});

test('a policy may name a person\'s account as a subject (user:<id>)', () => {
  assert.deepEqual(policyProblems({ tenants: { herne: { write: ['user:Ab3_x-9'] } } }), []);
  assert.equal(policyProblems({ tenants: { herne: { write: ['user:'] } } }).length, 1);
});
