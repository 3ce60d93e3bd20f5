// The contract of proposals' images: registered by the participation store's contract test files for
// every adapter (SQLite, PostgreSQL), unchanged.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { StorageNotFound } from '../core/errors.ts';
import type { ProposalImage } from './images.model.ts';
import { proposal, process, type ParticipationStoreFactory } from './participation.contract.ts';
import type { ParticipationStore } from './participation.port.ts';

const image = (proposalId: string, extra: Partial<ProposalImage> = {}): ProposalImage => ({
  proposalId, contentType: 'image/png', width: 3, height: 2, bytes: 4, alt: 'Eine Bank am Markt', state: 'pending',
  createdAt: '2026-12-03T10:00:00.000Z', data: Buffer.from([0, 1, 2, 255]), ...extra,
});

export function imagesContract(name: string, factory: ParticipationStoreFactory): void {
  describe(`participation store contract (proposal images): ${name}`, () => {
    let s: ParticipationStore;
    before(async () => {
      s = await factory.open();
      await s.createProcess(process('img'));
      for (const id of ['i1', 'i2', 'i3']) await s.createProposal(proposal(id, { processSlug: 'img' }));
    });
    after(async () => { await factory.destroy(s); });

    test('an image is kept byte for byte with its description, waiting for release; only for an existing proposal', async () => {
      await s.images.put(image('i1', { data: Buffer.from([9, 8, 7, 6, 5]) }));
      const got = await s.images.get('i1');
      assert.deepEqual(got?.data, Buffer.from([9, 8, 7, 6, 5]));
      const { data: _d, ...meta } = image('i1', { bytes: 5 });
      void _d;
      assert.deepEqual({ ...got, data: undefined }, { ...meta, data: undefined });
      assert.deepEqual(await s.images.meta('i1'), meta, 'meta: everything but the bytes');
      assert.equal(await s.images.get('i2'), undefined);
      await assert.rejects(s.images.put(image('nope')), StorageNotFound);
    });

    test('released or rejected once; a new image waits again; removed; the queue lists what waits, oldest first', async () => {
      await s.images.put(image('i2', { createdAt: '2026-12-03T09:00:00.000Z' }));
      assert.deepEqual((await s.images.pending(10)).map((m) => m.proposalId), ['i2', 'i1']);
      assert.equal(await s.images.decide('i1', 'released', '2026-12-03T11:00:00.000Z'), true);
      assert.equal(await s.images.decide('i1', 'rejected', '2026-12-03T11:00:00.000Z', 'zu spät'), false, 'decided already');
      const { data: _d, ...meta } = image('i1', { bytes: 5, state: 'released', decidedAt: '2026-12-03T11:00:00.000Z' });
      void _d;
      assert.deepEqual(await s.images.meta('i1'), meta);
      assert.equal(await s.images.decide('i2', 'rejected', '2026-12-03T11:00:00.000Z', 'Personen erkennbar'), true);
      assert.equal((await s.images.meta('i2'))?.reason, 'Personen erkennbar');
      assert.deepEqual(await s.images.pending(10), []);
      // The open-data export's list: released images of the process's published proposals only.
      assert.deepEqual((await s.images.released('img')).map((m) => [m.proposalId, m.state]), [['i1', 'released']]);
      assert.deepEqual(await s.images.released('other'), []);
      assert.equal(await s.withdrawProposal('i1', 'u1', '2026-12-03T11:30:00.000Z'), true);
      assert.deepEqual(await s.images.released('img'), [], 'not of a withdrawn proposal');
      await s.images.put(image('i2', { alt: 'Neues Bild', createdAt: '2026-12-03T12:00:00.000Z' }));
      const again = await s.images.meta('i2');
      assert.deepEqual([again?.state, again?.alt, again?.reason, again?.decidedAt], ['pending', 'Neues Bild', undefined, undefined]);
      assert.equal(await s.images.remove('i2'), true);
      assert.equal(await s.images.remove('i2'), false);
      assert.equal(await s.images.meta('i2'), undefined);
    });
  });
}
