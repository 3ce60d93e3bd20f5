// The account-store contract (users, sessions, tokens, mail outbox): one suite every storage
// adapter must pass unchanged. Register it with a factory that opens a fresh, empty store.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { StoragePort } from '../port.ts';
import type { SessionRecord, UserRecord } from '../port.accounts.ts';
import { StorageConflict } from '../../core/errors.ts';
import type { AuthStorageFactory } from './auth.contract.ts';

function user(n: number, extra: Partial<UserRecord> = {}): UserRecord {
  return { id: `u${n}`, email: `person${n}@herne.de`, displayName: `Person ${n}`, roles: [{ role: 'citizen' }], createdAt: `2026-12-01T10:00:0${n}.000Z`, ...extra };
}

function session(n: number, userId: string, extra: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: `s${n}`, hash: `${'a'.repeat(63)}${n}`, userId, createdAt: '2026-12-01T12:00:00.000Z', lastSeenAt: '2026-12-01T12:00:00.000Z',
    expiresAt: '2026-12-01T20:00:00.000Z', csrf: `csrf-${n}`, ...extra,
  };
}

export function accountStoreContract(name: string, factory: AuthStorageFactory): void {
  describe(`account store contract: ${name}`, () => {
    let s: StoragePort;
    before(async () => { s = await factory.open(); });
    after(async () => { await factory.destroy(s); });

    test('a created user is found by id, e-mail and OIDC identity with every member', async () => {
      const u = user(1, {
        passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', oidcIssuer: 'https://sso.herne.de/realms/herne', oidcSubject: 'sub-1',
        roles: [{ role: 'operator' }, { role: 'steward', tenants: ['', 'stadtwerke'] }], lastLoginAt: '2026-12-01T11:00:00.000Z',
        emailConfirmedAt: '2026-12-01T10:30:00.000Z', disabledAt: '2026-12-02T00:00:00.000Z',
      });
      await s.accounts.createUser(u);
      assert.deepEqual(await s.accounts.userById('u1'), u);
      assert.deepEqual(await s.accounts.userByEmail('person1@herne.de'), u);
      assert.deepEqual(await s.accounts.userByOidc('https://sso.herne.de/realms/herne', 'sub-1'), u);
      assert.equal(await s.accounts.userByOidc('https://other.example', 'sub-1'), undefined);
      assert.equal(await s.accounts.userByEmail('nobody@herne.de'), undefined);
    });

    test('a duplicate e-mail address or OIDC identity is a StorageConflict and stores nothing', async () => {
      await assert.rejects(s.accounts.createUser(user(2, { email: 'person1@herne.de' })), StorageConflict);
      await assert.rejects(s.accounts.createUser(user(2, { oidcIssuer: 'https://sso.herne.de/realms/herne', oidcSubject: 'sub-1' })), StorageConflict);
      assert.equal(await s.accounts.userById('u2'), undefined);
      // Several local accounts without an OIDC identity are fine (NULLs are distinct).
      await s.accounts.createUser(user(2));
      await s.accounts.createUser(user(3));
      assert.deepEqual((await s.accounts.listUsers({ limit: 10, offset: 0 })).map((u) => u.id), ['u1', 'u2', 'u3']);
      assert.deepEqual((await s.accounts.listUsers({ limit: 1, offset: 1 })).map((u) => u.id), ['u2']);
    });

    test('updateUser sets and clears members; a taken e-mail is a StorageConflict; unknown ids give false', async () => {
      assert.equal(await s.accounts.updateUser('u2', { displayName: 'Zweite', passwordHash: 'h2', roles: [{ role: 'steward', tenants: ['herne'] }] }), true);
      let u = await s.accounts.userById('u2');
      assert.equal(u?.displayName, 'Zweite');
      assert.equal(u?.passwordHash, 'h2');
      assert.deepEqual(u?.roles, [{ role: 'steward', tenants: ['herne'] }]);
      assert.equal(await s.accounts.updateUser('u2', { passwordHash: null, disabledAt: '2026-12-03T00:00:00.000Z' }), true);
      u = await s.accounts.userById('u2');
      assert.equal(u?.passwordHash, undefined);
      assert.equal(u?.disabledAt, '2026-12-03T00:00:00.000Z');
      await assert.rejects(s.accounts.updateUser('u2', { email: 'person1@herne.de' }), StorageConflict);
      assert.equal((await s.accounts.userById('u2'))?.email, 'person2@herne.de');
      assert.equal(await s.accounts.updateUser('nope', { displayName: 'x' }), false);
      assert.equal(await s.accounts.updateUser('u2', {}), true);
    });

    test('a session is found with its user by hash, touched, listed and revoked once', async () => {
      await s.accounts.createSession(session(1, 'u3', { userAgent: 'Firefox 133 on Linux', address: '10.0.0.7' }));
      await s.accounts.createSession(session(2, 'u3', { createdAt: '2026-12-01T13:00:00.000Z' }));
      const got = await s.accounts.sessionByHash(session(1, 'u3').hash);
      assert.deepEqual(got?.session, session(1, 'u3', { userAgent: 'Firefox 133 on Linux', address: '10.0.0.7' }));
      assert.equal(got?.user.id, 'u3');
      assert.equal(await s.accounts.sessionByHash('f'.repeat(64)), undefined);
      assert.equal(await s.accounts.touchSession(session(1, 'u3').hash, '2026-12-01T14:00:00.000Z', '2026-12-01T22:00:00.000Z'), true);
      const touched = (await s.accounts.sessionByHash(session(1, 'u3').hash))!.session;
      assert.equal(touched.lastSeenAt, '2026-12-01T14:00:00.000Z');
      assert.equal(touched.expiresAt, '2026-12-01T22:00:00.000Z');
      assert.deepEqual((await s.accounts.listSessions('u3', '2026-12-01T15:00:00.000Z')).map((x) => x.id), ['s2', 's1']);
      assert.deepEqual((await s.accounts.listSessions('u3', '2026-12-01T21:00:00.000Z')).map((x) => x.id), ['s1']);
      assert.equal(await s.accounts.revokeSession(session(1, 'u3').hash, '2026-12-01T15:00:00.000Z'), true);
      assert.equal(await s.accounts.revokeSession(session(1, 'u3').hash, '2026-12-01T15:01:00.000Z'), false);
      assert.equal(await s.accounts.touchSession(session(1, 'u3').hash, '2026-12-01T15:02:00.000Z', '2026-12-01T23:00:00.000Z'), false);
      assert.equal((await s.accounts.sessionByHash(session(1, 'u3').hash))?.session.revokedAt, '2026-12-01T15:00:00.000Z');
      assert.equal(await s.accounts.revokeSessionById('s2', '2026-12-01T15:05:00.000Z'), true);
      assert.equal(await s.accounts.revokeSessionById('s2', '2026-12-01T15:06:00.000Z'), false);
    });

    test('revokeUserSessions revokes every live session of one user only; deleteExpired removes old rows', async () => {
      await s.accounts.createSession(session(3, 'u1'));
      await s.accounts.createSession(session(4, 'u1'));
      await s.accounts.createSession(session(5, 'u2'));
      assert.equal(await s.accounts.revokeUserSessions('u1', '2026-12-01T16:00:00.000Z'), 2);
      assert.deepEqual(await s.accounts.listSessions('u1', '2026-12-01T16:00:00.000Z'), []);
      assert.deepEqual((await s.accounts.listSessions('u2', '2026-12-01T16:00:00.000Z')).map((x) => x.id), ['s5']);
      // s1..s4 revoked by 16:00; s5 expires at 20:00.
      assert.equal(await s.accounts.deleteExpired('2026-12-01T17:00:00.000Z'), 4);
      assert.ok(await s.accounts.sessionByHash(session(5, 'u2').hash));
      assert.equal(await s.accounts.deleteExpired('2026-12-01T21:00:00.000Z'), 1);
      assert.equal(await s.accounts.sessionByHash(session(5, 'u2').hash), undefined);
    });

    test('a token is consumed once, only with its kind and before it expires', async () => {
      const t = { hash: 'b'.repeat(64), kind: 'reset' as const, userId: 'u2', createdAt: '2026-12-01T10:00:00.000Z', expiresAt: '2026-12-01T11:00:00.000Z' };
      await s.accounts.createToken(t);
      await s.accounts.createToken({ ...t, hash: 'c'.repeat(64) });
      assert.equal(await s.accounts.consumeToken(t.hash, 'confirm', '2026-12-01T10:10:00.000Z'), undefined);
      assert.equal(await s.accounts.consumeToken(t.hash, 'reset', '2026-12-01T10:10:00.000Z'), 'u2');
      assert.equal(await s.accounts.consumeToken(t.hash, 'reset', '2026-12-01T10:11:00.000Z'), undefined);
      assert.equal(await s.accounts.consumeToken('c'.repeat(64), 'reset', '2026-12-01T11:00:00.000Z'), undefined);
      assert.equal(await s.accounts.consumeToken('d'.repeat(64), 'reset', '2026-12-01T10:00:00.000Z'), undefined);
      assert.equal(await s.accounts.deleteExpired('2026-12-01T12:00:00.000Z'), 2);
    });

    test('deleting a user deletes its sessions and tokens', async () => {
      await s.accounts.createSession(session(6, 'u3'));
      await s.accounts.createToken({ hash: 'e'.repeat(64), kind: 'confirm', userId: 'u3', createdAt: '2026-12-01T10:00:00.000Z', expiresAt: '2026-12-09T00:00:00.000Z' });
      assert.equal(await s.accounts.deleteUser('u3'), true);
      assert.equal(await s.accounts.deleteUser('u3'), false);
      assert.equal(await s.accounts.userById('u3'), undefined);
      assert.equal(await s.accounts.sessionByHash(session(6, 'u3').hash), undefined);
      assert.equal(await s.accounts.consumeToken('e'.repeat(64), 'confirm', '2026-12-02T00:00:00.000Z'), undefined);
    });

    test('an OIDC login is taken once and only before it expires', async () => {
      const l = { stateHash: '1'.repeat(64), nonce: 'n', codeVerifier: 'v'.repeat(43), returnTo: '/verwaltung', createdAt: '2026-12-01T10:00:00.000Z', expiresAt: '2026-12-01T10:10:00.000Z' };
      await s.accounts.createOidcLogin(l);
      await s.accounts.createOidcLogin({ ...l, stateHash: '2'.repeat(64) });
      assert.deepEqual(await s.accounts.takeOidcLogin(l.stateHash, '2026-12-01T10:05:00.000Z'), l);
      assert.equal(await s.accounts.takeOidcLogin(l.stateHash, '2026-12-01T10:05:00.000Z'), undefined);
      assert.equal(await s.accounts.takeOidcLogin('2'.repeat(64), '2026-12-01T10:10:00.000Z'), undefined);
    });

    test('mails are queued, marked sent or failed, and listed newest first with filters', async () => {
      await s.accounts.enqueueMail({ id: 'm1', to: 'a@herne.de', subject: 'Eins', text: 'eins', createdAt: '2026-12-01T10:00:00.000Z', state: 'pending' });
      await s.accounts.enqueueMail({ id: 'm2', to: 'b@herne.de', subject: 'Zwei', text: 'zwei', html: '<p>zwei</p>', createdAt: '2026-12-01T10:00:00.000Z', state: 'pending' });
      await s.accounts.markMail('m1', 'failed', '2026-12-01T10:01:00.000Z', '550 mailbox unavailable');
      await s.accounts.markMail('m2', 'sent', '2026-12-01T10:02:00.000Z');
      const all = await s.accounts.listMail({ limit: 10, offset: 0 });
      assert.deepEqual(all, [
        { id: 'm2', to: 'b@herne.de', subject: 'Zwei', text: 'zwei', html: '<p>zwei</p>', createdAt: '2026-12-01T10:00:00.000Z', state: 'sent', doneAt: '2026-12-01T10:02:00.000Z' },
        { id: 'm1', to: 'a@herne.de', subject: 'Eins', text: 'eins', createdAt: '2026-12-01T10:00:00.000Z', state: 'failed', doneAt: '2026-12-01T10:01:00.000Z', error: '550 mailbox unavailable' },
      ]);
      assert.deepEqual((await s.accounts.listMail({ limit: 10, offset: 0, state: 'failed' })).map((m) => m.id), ['m1']);
      assert.deepEqual((await s.accounts.listMail({ limit: 10, offset: 0, to: 'b@herne.de' })).map((m) => m.id), ['m2']);
      assert.deepEqual((await s.accounts.listMail({ limit: 1, offset: 1 })).map((m) => m.id), ['m1']);
    });

    test('a mail\'s extra header fields are kept with it', async () => {
      const headers = { 'List-Unsubscribe': '<https://drehscheibe.test/beteiligung/abbestellen?token=a.b>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
      await s.accounts.enqueueMail({ id: 'mh', to: 'h@herne.de', subject: 'Kopf', text: 'kopf', headers, createdAt: '2026-12-01T11:00:00.000Z', state: 'pending' });
      assert.deepEqual((await s.accounts.listMail({ limit: 10, offset: 0, to: 'h@herne.de' }))[0]?.headers, headers);
    });
  });
}
