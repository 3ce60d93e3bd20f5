// The contract of guests' held contributions, follows, digests, mail marks and secrets: registered by
// the participation store's contract test files for every adapter (SQLite, PostgreSQL), unchanged.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { StorageConflict } from '../core/errors.ts';
import type { GuestContribution } from './guests-follows.model.ts';
import type { ParticipationStoreFactory } from './participation.contract.ts';
import type { ParticipationStore } from './participation.port.ts';

const guest = (id: string, extra: Partial<GuestContribution> = {}): GuestContribution => ({
  id, kind: 'comment', guestId: 'guest:abc', pseudonym: 'Spatz', processSlug: 'p1', targetId: 'prop1', state: 'pending',
  comment: { body: 'Gute Idee' }, createdAt: `2026-12-03T10:00:0${id.length % 10}.000Z`, ...extra,
});

export function guestsFollowsContract(name: string, factory: ParticipationStoreFactory): void {
  describe(`participation store contract (guests, follows): ${name}`, () => {
    let s: ParticipationStore;
    before(async () => { s = await factory.open(); });
    after(async () => { await factory.destroy(s); });

    test('a guest contribution is kept whole, listed by state, guest and target, oldest first', async () => {
      const a = guest('g1', { createdAt: '2026-12-03T10:00:00.000Z' });
      const b = guest('g2', { guestId: 'guest:other', createdAt: '2026-12-03T11:00:00.000Z', comment: { body: 'Antwort', parentId: 'c1' } });
      await s.addGuestContribution(b);
      await s.addGuestContribution(a);
      assert.deepEqual(await s.getGuestContribution('g1'), a);
      assert.equal(await s.getGuestContribution('nope'), undefined);
      assert.deepEqual((await s.guestContributions({ state: 'pending', limit: 10 })).map((g) => g.id), ['g1', 'g2']);
      assert.deepEqual((await s.guestContributions({ guestId: 'guest:other', limit: 10 })).map((g) => g.id), ['g2']);
      assert.deepEqual((await s.guestContributions({ targetId: 'elsewhere', limit: 10 })), []);
      await assert.rejects(s.addGuestContribution(a), StorageConflict);
    });

    test('deciding: only a pending contribution, once; released ones leave the pending list', async () => {
      assert.equal(await s.decideGuestContribution('g1', 'released', '2026-12-03T12:00:00.000Z'), true);
      assert.equal(await s.decideGuestContribution('g1', 'rejected', '2026-12-03T12:01:00.000Z'), false, 'decided already');
      assert.equal(await s.decideGuestContribution('nope', 'released', '2026-12-03T12:01:00.000Z'), false);
      const g = await s.getGuestContribution('g1');
      assert.equal(g?.state, 'released');
      assert.equal(g?.decidedAt, '2026-12-03T12:00:00.000Z');
      assert.deepEqual((await s.guestContributions({ state: 'pending', limit: 10 })).map((x) => x.id), ['g2']);
    });

    test('one survey answer per guest and survey unless rejected (the database\'s unique index)', async () => {
      const answer = (id: string) => guest(id, { kind: 'survey', targetId: 'sv1', comment: undefined, answers: { q1: 0, q4: 'Text' } });
      await s.addGuestContribution(answer('s1'));
      await assert.rejects(s.addGuestContribution(answer('s2')), StorageConflict);
      assert.equal(await s.getGuestContribution('s2'), undefined, 'nothing of the refused one is kept');
      assert.equal(await s.decideGuestContribution('s1', 'rejected', '2026-12-03T12:00:00.000Z'), true);
      await s.addGuestContribution(answer('s3'));
      assert.deepEqual((await s.getGuestContribution('s3'))?.answers, { q1: 0, q4: 'Text' });
      // Two nodes at once: one is kept.
      const twin = await factory.twin(s);
      try {
        const other = (id: string) => ({ ...answer(id), guestId: 'guest:race' });
        const r = await Promise.allSettled([s.addGuestContribution(other('r1')), twin.addGuestContribution(other('r2'))]);
        assert.equal(r.filter((x) => x.status === 'fulfilled').length, 1);
      } finally { await twin.close(); }
    });

    test('follows: once per person and target; followers of several targets each once; unfollow', async () => {
      assert.equal(await s.follow('u1', 'process', 'p1', '2026-12-01T10:00:00.000Z'), true);
      assert.equal(await s.follow('u1', 'process', 'p1', '2026-12-01T10:00:01.000Z'), false);
      assert.equal(await s.follow('u1', 'proposal', 'prop1', '2026-12-01T10:00:02.000Z'), true);
      assert.equal(await s.follow('u2', 'proposal', 'prop1', '2026-12-01T10:00:03.000Z'), true);
      assert.equal(await s.follow('u3', 'project', 'solarbaenke', '2026-12-01T10:00:04.000Z'), true);
      assert.deepEqual(await s.follows('u1'), [{ kind: 'process', targetId: 'p1', createdAt: '2026-12-01T10:00:00.000Z' }, { kind: 'proposal', targetId: 'prop1', createdAt: '2026-12-01T10:00:02.000Z' }]);
      assert.deepEqual(await s.followers([{ kind: 'process', id: 'p1' }, { kind: 'proposal', id: 'prop1' }]), ['u1', 'u2']);
      assert.deepEqual(await s.followers([{ kind: 'process', id: 'prop1' }]), [], 'the kind counts');
      assert.deepEqual(await s.followers([]), []);
      assert.equal(await s.unfollow('u1', 'process', 'p1'), true);
      assert.equal(await s.unfollow('u1', 'process', 'p1'), false);
      assert.deepEqual(await s.followers([{ kind: 'process', id: 'p1' }]), []);
    });

    test('notify modes default to immediate; digests are taken once, per person, oldest first', async () => {
      await s.setNotifyMode('u2', 'digest');
      await s.setNotifyMode('u3', 'digest');
      await s.setNotifyMode('u3', 'immediate');
      assert.deepEqual([...(await s.notifyModes(['u1', 'u2', 'u3']))], [['u1', 'immediate'], ['u2', 'digest'], ['u3', 'immediate']]);
      await s.queueDigest('u2', 'eins', '2026-12-01T10:00:00.000Z');
      await s.queueDigest('u1', 'a', '2026-12-01T10:00:00.000Z');
      await s.queueDigest('u2', 'zwei', '2026-12-01T11:00:00.000Z');
      assert.deepEqual([...(await s.takeDigests())], [['u1', ['a']], ['u2', ['eins', 'zwei']]]);
      assert.equal((await s.takeDigests()).size, 0);
    });

    test('guest quota: at most max per key in a sliding window, with the wait until the oldest runs out; shared across nodes', async () => {
      const at = (m: number) => new Date(Date.parse('2026-12-01T10:00:00.000Z') + m * 60_000).toISOString();
      assert.equal(await s.takeGuestQuota('addr-a', at(0), 2, 600), 0);
      assert.equal(await s.takeGuestQuota('addr-a', at(1), 2, 600), 0);
      assert.equal(await s.takeGuestQuota('addr-a', at(2), 2, 600), 480, 'the first runs out at minute 10: 8 minutes');
      assert.equal(await s.takeGuestQuota('addr-b', at(2), 2, 600), 0, 'another key counts apart');
      assert.equal(await s.takeGuestQuota('addr-a', at(3), 2, 600), 420, 'a refused one is not counted');
      assert.equal(await s.takeGuestQuota('addr-a', at(10), 2, 600), 0, 'the first has run out');
      assert.equal(await s.takeGuestQuota('addr-a', at(10.5), 2, 600), 30);
      const twin = await factory.twin(s);
      try {
        const r = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? twin : s).takeGuestQuota('race-addr', at(20), 5, 600)));
        assert.equal(r.filter((x) => x === 0).length, 5, 'exactly max, whichever node counts');
        assert.ok(r.filter((x) => x > 0).every((x) => x === 600));
        assert.equal(await twin.takeGuestQuota('race-addr', at(21), 5, 600), 540, 'the other node sees the counts');
      } finally { await twin.close(); }
    });

    test('mail marks: claimed once per window, across nodes; secrets are made once and shared', async () => {
      assert.equal(await s.claimMark('report:c1', '2026-12-01T10:00:00.000Z', 3600), true);
      assert.equal(await s.claimMark('report:c1', '2026-12-01T10:30:00.000Z', 3600), false);
      assert.equal(await s.claimMark('report:c2', '2026-12-01T10:30:00.000Z', 3600), true);
      assert.equal(await s.claimMark('report:c1', '2026-12-01T11:00:00.000Z', 3600), true, 'an hour later');
      const twin = await factory.twin(s);
      try {
        const r = await Promise.all([s.claimMark('race', '2026-12-01T10:00:00.000Z', 3600), twin.claimMark('race', '2026-12-01T10:00:00.000Z', 3600)]);
        assert.deepEqual(r.sort(), [false, true]);
        const [a, b] = await Promise.all([s.secret('unsubscribe'), twin.secret('unsubscribe')]);
        assert.equal(a, b);
        assert.ok(a.length >= 40);
        assert.notEqual(await s.secret('other'), a);
      } finally { await twin.close(); }
    });

    test('jobs are kept until removed, claimed by one node at a time, and claimed again once the claim ran out', async () => {
      const at = (min: number) => new Date(Date.parse('2026-12-01T10:00:00.000Z') + min * 60_000).toISOString();
      await s.addJob({ id: 'j1', kind: 'event', payload: { kind: 'comment', text: 'Grüße', n: [1, 2] }, createdAt: at(0) });
      await s.addJob({ id: 'j2', kind: 'released', payload: { id: 'c9' }, createdAt: at(0.5) });
      const twin = await factory.twin(s);
      try {
        const [a, b] = await Promise.all([s.claimJobs(at(1), at(6), 10), twin.claimJobs(at(1), at(6), 10)]);
        assert.deepEqual([...a, ...b].map((j) => j.id).sort(), ['j1', 'j2'], 'each job to one node');
        assert.deepEqual([...a, ...b].find((j) => j.id === 'j1'), { id: 'j1', kind: 'event', payload: { kind: 'comment', text: 'Grüße', n: [1, 2] }, createdAt: at(0), attempts: 1 });
      } finally { await twin.close(); }
      assert.deepEqual(await s.claimJobs(at(5), at(10), 10), [], 'held while claimed');
      const again = await s.claimJobs(at(7), at(12), 1);
      assert.deepEqual(again.map((j) => [j.id, j.attempts]), [['j1', 2]], 'oldest first, within the limit');
      assert.equal(await s.jobCount(), 2);
      await s.removeJob('j1');
      assert.deepEqual((await s.claimJobs(at(7), at(12), 10)).map((j) => j.id), ['j2']);
      await s.removeJob('j2');
      assert.equal(await s.jobCount(), 0);
    });

    test('deleting an account removes its follows, mode and queued digest lines', async () => {
      await s.follow('gone', 'process', 'p1', '2026-12-01T10:00:00.000Z');
      await s.setNotifyMode('gone', 'digest');
      await s.queueDigest('gone', 'x', '2026-12-01T10:00:00.000Z');
      await s.anonymiseAuthor('gone', 'gelöschtes Konto');
      assert.deepEqual(await s.follows('gone'), []);
      assert.equal((await s.notifyModes(['gone'])).get('gone'), 'immediate');
      assert.equal((await s.takeDigests()).has('gone'), false);
    });
  });
}
