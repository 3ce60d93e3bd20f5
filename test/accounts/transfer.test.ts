// People's accounts move with the export/import (docs/scaling.md "Moving data between engines"):
// users with their password hashes and roles, so logins keep working on the new store; sessions,
// tokens and the outbox stay behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import { exportLines } from '../../src/storage/transfer/transfer.export.ts';
import { importLines } from '../../src/storage/transfer/transfer.import.ts';
import type { UserRecord } from '../../src/storage/port.accounts.ts';

test('an export carries every user (password hash, OIDC identity, roles); the import recreates them and skips existing ones', async () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'ds-exp-')), mkdtempSync(join(tmpdir(), 'ds-imp-'))];
  const [from, to] = dirs.map((d) => SqliteStorage.inDataDir(d));
  try {
    const users: UserRecord[] = [];
    for (let i = 0; i < 3; i++) {
      const u: UserRecord = { id: `u${i}`, email: `p${i}@herne.de`, displayName: `P ${i}`, passwordHash: `$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$h${i}`, roles: [{ role: 'steward', tenants: ['herne'] }], createdAt: '2026-12-01T00:00:00.000Z' };
      if (i === 2) Object.assign(u, { oidcIssuer: 'https://sso.herne.de/realms/herne', oidcSubject: 'kc-2', lastLoginAt: '2026-12-02T00:00:00.000Z' });
      users.push(u);
      await from.accounts.createUser(u);
    }
    await from.accounts.createSession({ id: 's1', hash: 'a'.repeat(64), userId: 'u0', createdAt: '2026-12-01T00:00:00.000Z', lastSeenAt: '2026-12-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z', csrf: 'c' });
    await to.accounts.createUser(users[0]);
    const lines = [];
    for await (const l of exportLines(from)) lines.push(JSON.parse(JSON.stringify(l)) as unknown);
    assert.equal(lines.filter((l) => (l as { kind: string }).kind === 'user').length, 3);
    assert.equal((lines.at(-1) as { counts: Record<string, number> }).counts.user, 3);
    const counts = await importLines(to, (async function* () { yield* lines; })());
    assert.equal(counts.users, 2);
    assert.equal(counts.skipped, 1);
    assert.deepEqual(await to.accounts.listUsers({ limit: 10, offset: 0 }), users);
    assert.equal(await to.accounts.sessionByHash('a'.repeat(64)), undefined, 'sessions are not moved');
  } finally {
    for (const s of [from, to]) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
