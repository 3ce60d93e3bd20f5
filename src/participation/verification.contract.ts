// The contract of verifications and invitation codes: registered by the participation store's contract
// test files for every adapter (SQLite, PostgreSQL), unchanged.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { StorageConflict } from '../core/errors.ts';
import { process, type ParticipationStoreFactory } from './participation.contract.ts';
import type { ParticipationStore } from './participation.port.ts';
import { codeHash } from './verification.plugins.ts';

const at = (m: number) => new Date(Date.UTC(2026, 11, 6, 10, m)).toISOString();
const v = (userId: string, scope: string, m = 0) => ({ userId, method: 'invitation-code', scope, detail: 'code', at: at(m) });

export function verificationContract(name: string, factory: ParticipationStoreFactory): void {
  describe(`participation store contract (verification): ${name}`, () => {
    let s: ParticipationStore;
    before(async () => { s = await factory.open(); await s.createProcess(process('ver')); });
    after(async () => { await factory.destroy(s); });

    test('a verification holds for its process, or for every process with scope *; refreshed, never doubled', async () => {
      await s.verifications.put({ userId: 'u1', method: 'postal-code', scope: '*', detail: '44623', at: at(1) });
      assert.equal((await s.verifications.find('u1', 'postal-code', 'ver'))?.detail, '44623');
      assert.equal((await s.verifications.find('u1', 'postal-code', 'other'))?.detail, '44623');
      assert.equal(await s.verifications.find('u1', 'invitation-code', 'ver'), undefined, 'another method');
      assert.equal(await s.verifications.find('u2', 'postal-code', 'ver'), undefined, 'another account');
      await s.verifications.put({ userId: 'u1', method: 'postal-code', scope: '*', detail: '44649', at: at(2) });
      assert.deepEqual(await s.verifications.mine('u1'), [{ userId: 'u1', method: 'postal-code', scope: '*', detail: '44649', at: at(2) }]);
    });

    test('a code is redeemed once, for its process only; the verification comes with it; counts', async () => {
      await s.verifications.addCodes('ver', [codeHash('AAAA-BBBB-CCCC'), codeHash('DDDD-EEEE-FFFF')], at(3));
      await assert.rejects(s.verifications.addCodes('ver', [codeHash('AAAABBBBCCCC')], at(3)), StorageConflict);
      assert.equal(await s.verifications.redeemCode('other', codeHash('AAAABBBBCCCC'), v('u2', 'other')), 'unknown', 'not a code of that process');
      assert.equal(await s.verifications.redeemCode('ver', codeHash('ZZZZZZZZZZZZ'), v('u2', 'ver')), 'unknown');
      assert.equal(await s.verifications.find('u2', 'invitation-code', 'ver'), undefined);
      assert.equal(await s.verifications.redeemCode('ver', codeHash('aaaa bbbb cccc'), v('u2', 'ver', 4)), 'redeemed');
      assert.equal((await s.verifications.find('u2', 'invitation-code', 'ver'))?.at, at(4));
      assert.equal(await s.verifications.find('u2', 'invitation-code', 'other'), undefined, 'a code holds for its process only');
      assert.equal(await s.verifications.redeemCode('ver', codeHash('AAAABBBBCCCC'), v('u3', 'ver')), 'used');
      assert.equal(await s.verifications.find('u3', 'invitation-code', 'ver'), undefined, 'nothing kept for the second');
      assert.deepEqual(await s.verifications.codeCounts('ver'), { codes: 2, redeemed: 1 });
    });

    test('parallel redemptions of one code: exactly one wins, on every node (twin)', async () => {
      const twin = await factory.twin(s);
      try {
        const stores = [s, twin];
        const r = await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 2]!.verifications.redeemCode('ver', codeHash('DDDDEEEEFFFF'), v(`p${i}`, 'ver', 5))));
        assert.deepEqual(r.filter((x) => x === 'redeemed').length, 1, r.join(','));
        assert.deepEqual(r.filter((x) => x === 'used').length, 11);
        let kept = 0;
        for (let i = 0; i < 12; i++) if (await s.verifications.find(`p${i}`, 'invitation-code', 'ver')) kept++;
        assert.equal(kept, 1, 'one verification kept');
        assert.deepEqual(await s.verifications.codeCounts('ver'), { codes: 2, redeemed: 2 });
      } finally { await twin.close(); }
    });

    test('a deleted account: its verifications go, its code stays used', async () => {
      assert.equal(await s.verifications.removeAccount('u2'), 1);
      assert.deepEqual(await s.verifications.mine('u2'), []);
      assert.equal(await s.verifications.redeemCode('ver', codeHash('AAAABBBBCCCC'), v('u4', 'ver')), 'used');
      assert.deepEqual(await s.verifications.codeCounts('ver'), { codes: 2, redeemed: 2 });
      assert.equal(await s.verifications.removeAccount('u2'), 0);
    });
  });
}
