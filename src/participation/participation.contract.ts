// The participation-store contract: one suite every adapter must pass unchanged (SQLite, PostgreSQL).
// Register it with a factory that opens a fresh, empty store (and, for the concurrency tests, a
// second store on the same database, as a second node would have).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { StorageConflict, StorageNotFound } from '../core/errors.ts';
import type { Comment, Process, Proposal, Survey } from './participation.model.ts';
import type { ParticipationStore } from './participation.port.ts';
import { BallotRefused, SurveyAnswerRefused } from './participation.port-util.ts';

export interface ParticipationStoreFactory {
  open(): Promise<ParticipationStore>;
  /** Another store on the same database as `s` (another node). */
  twin(s: ParticipationStore): Promise<ParticipationStore>;
  destroy(s: ParticipationStore): Promise<void>;
}

export function process(slug: string, extra: Partial<Process> = {}): Process {
  return {
    slug, title: { de: `Verfahren ${slug}`, en: `Process ${slug}` }, description: { de: 'Beschreibung', en: 'Description' },
    phases: [{ kind: 'participation', start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' }], categories: ['Verkehr', 'Grün'],
    createdAt: '2026-11-01T10:00:00.000Z', modifiedAt: '2026-11-01T10:00:00.000Z', ...extra,
  };
}

export function proposal(id: string, extra: Partial<Proposal> = {}): Proposal {
  return {
    id, processSlug: 'p1', authorId: 'u1', authorName: 'Eule 17', title: `Vorschlag ${id}`, body: 'Mehr **Bänke**', state: 'published',
    supportCount: 0, commentCount: 0, createdAt: '2026-12-02T10:00:00.000Z', modifiedAt: '2026-12-02T10:00:00.000Z', ...extra,
  };
}

export function survey(id: string, extra: Partial<Survey> = {}): Survey {
  return {
    id, processSlug: 'p1', title: { de: 'Wie kommen Sie zur Arbeit?', en: 'How do you get to work?' }, description: { de: '', en: '' }, resultsPublished: false,
    questions: [
      { id: 'q1', kind: 'single', text: { de: 'Verkehrsmittel', en: 'Means of transport' }, required: true, choices: [{ de: 'Rad', en: 'Bike' }, { de: 'Bus', en: 'Bus' }, { de: 'Auto', en: 'Car' }] },
      { id: 'q2', kind: 'multiple', text: { de: 'Was fehlt?', en: 'What is missing?' }, required: false, choices: [{ de: 'Radwege', en: 'Cycle lanes' }, { de: 'Bänke', en: 'Benches' }] },
      { id: 'q3', kind: 'scale', text: { de: 'Zufriedenheit', en: 'Satisfaction' }, required: true, scale: { low: { de: 'gar nicht', en: 'not at all' }, high: { de: 'sehr', en: 'very' } } },
      { id: 'q4', kind: 'text', text: { de: 'Sonst noch etwas?', en: 'Anything else?' }, required: false },
    ],
    createdAt: '2026-12-02T09:00:00.000Z', modifiedAt: '2026-12-02T09:00:00.000Z', ...extra,
  };
}

const comment = (id: string, target: string, extra: Partial<Comment> = {}): Comment => ({
  id, target: { kind: 'proposal', id: target }, authorId: 'u2', authorName: 'Dachs 4', body: 'Gute Idee', createdAt: '2026-12-03T10:00:00.000Z', ...extra,
});

export function participationStoreContract(name: string, factory: ParticipationStoreFactory): void {
  describe(`participation store contract: ${name}`, () => {
    let s: ParticipationStore;
    before(async () => { s = await factory.open(); });
    after(async () => { await factory.destroy(s); });

    test('a process is read back whole; a duplicate slug is a StorageConflict; an update of a missing one StorageNotFound', async () => {
      const p = process('p1', { projectSlug: 'solarbaenke', budget: 100_000, area: { type: 'Polygon', coordinates: [[[7.1, 51.5], [7.3, 51.5], [7.3, 51.6], [7.1, 51.5]]] } });
      await s.createProcess(p);
      assert.deepEqual(await s.getProcess('p1'), p);
      await assert.rejects(s.createProcess(process('p1')), StorageConflict);
      await assert.rejects(s.updateProcess(process('nix')), StorageNotFound);
      await s.updateProcess({ ...p, title: { de: 'Neu', en: 'New' } });
      assert.equal((await s.getProcess('p1'))?.title.de, 'Neu');
      assert.equal(await s.getProcess('nix'), undefined);
    });

    test('processes are listed by their first phase, newest first', async () => {
      await s.createProcess(process('alt', { phases: [{ kind: 'information', start: '2025-01-01T00:00:00.000Z', end: '2025-02-01T00:00:00.000Z' }] }));
      await s.createProcess(process('neu', { phases: [{ kind: 'participation', start: '2027-03-01T00:00:00.000Z', end: '2027-04-01T00:00:00.000Z' }, { kind: 'information', start: '2027-02-01T00:00:00.000Z', end: '2027-03-01T00:00:00.000Z' }] }));
      assert.deepEqual((await s.listProcesses()).map((p) => p.slug), ['neu', 'p1', 'alt']);
    });

    test('proposals are read back whole, listed newest first, by supports, filtered by category and title text, counted', async () => {
      const a = proposal('a', { category: 'Verkehr', point: [7.2, 51.55], createdAt: '2026-12-02T10:00:00.000Z' });
      await s.createProposal(a);
      await s.createProposal(proposal('b', { category: 'Grün', title: 'Bäume am Markt', createdAt: '2026-12-02T11:00:00.000Z' }));
      await s.createProposal(proposal('c', { category: 'Verkehr', createdAt: '2026-12-02T12:00:00.000Z', state: 'withdrawn' }));
      await s.createProposal(proposal('x', { processSlug: 'alt' }));
      assert.deepEqual(await s.getProposal('a'), a);
      await assert.rejects(s.createProposal(proposal('a')), StorageConflict);
      const all = await s.listProposals({ processSlug: 'p1', limit: 10, offset: 0 });
      assert.deepEqual([all.items.map((p) => p.id), all.total], [['b', 'a'], 2]);
      assert.deepEqual((await s.listProposals({ processSlug: 'p1', states: ['published', 'withdrawn'], limit: 10, offset: 0 })).items.map((p) => p.id), ['c', 'b', 'a']);
      assert.deepEqual((await s.listProposals({ processSlug: 'p1', category: 'Verkehr', limit: 10, offset: 0 })).items.map((p) => p.id), ['a']);
      assert.deepEqual((await s.listProposals({ processSlug: 'p1', text: 'bäume', limit: 10, offset: 0 })).items.map((p) => p.id), ['b']);
      const page = await s.listProposals({ processSlug: 'p1', limit: 1, offset: 1 });
      assert.deepEqual([page.items.map((p) => p.id), page.total], [['a'], 2]);
      assert.deepEqual(await s.proposalPoints('p1', 10), [{ id: 'a', title: 'Vorschlag a', point: [7.2, 51.55] }]);
    });

    test('one support per person and proposal: a second is refused and not counted; withdrawing counts down once', async () => {
      assert.equal(await s.addSupport('a', 'u7', '2026-12-03T10:00:00.000Z'), true);
      assert.equal(await s.addSupport('a', 'u7', '2026-12-03T10:01:00.000Z'), false);
      assert.equal(await s.addSupport('a', 'u8', '2026-12-03T10:02:00.000Z'), true);
      assert.equal(await s.hasSupport('a', 'u7'), true);
      assert.equal((await s.getProposal('a'))?.supportCount, 2);
      assert.equal(await s.removeSupport('a', 'u7'), true);
      assert.equal(await s.removeSupport('a', 'u7'), false);
      assert.equal(await s.hasSupport('a', 'u7'), false);
      assert.equal((await s.getProposal('a'))?.supportCount, 1);
      assert.deepEqual((await s.listProposals({ processSlug: 'p1', sort: 'supports', limit: 10, offset: 0 })).items.map((p) => p.id), ['a', 'b']);
    });

    test('parallel supports of the same people from two nodes count each person once', async () => {
      await s.createProposal(proposal('race'));
      const t = await factory.twin(s);
      try {
        const people = Array.from({ length: 20 }, (_, i) => `r${i}`);
        const tries = people.flatMap((u) => [s.addSupport('race', u, '2026-12-03T10:00:00.000Z'), t.addSupport('race', u, '2026-12-03T10:00:00.000Z'), s.addSupport('race', u, '2026-12-03T10:00:00.000Z')]);
        const added = (await Promise.all(tries)).filter(Boolean).length;
        assert.equal(added, 20);
        assert.equal((await s.getProposal('race'))?.supportCount, 20);
        assert.equal((await t.getProposal('race'))?.supportCount, 20);
      } finally {
        await t.close();
      }
    });

    test('a proposal is editable by its author only while it has neither comments nor supports', async () => {
      await s.createProposal(proposal('e'));
      const edit = { title: 'Geändert', body: 'Neu', category: 'Grün', point: [7.21, 51.54] as [number, number], modifiedAt: '2026-12-04T00:00:00.000Z' };
      assert.equal(await s.editProposal('e', 'someone-else', edit), false);
      assert.equal(await s.editProposal('e', 'u1', edit), true);
      const got = await s.getProposal('e');
      assert.deepEqual([got?.title, got?.body, got?.category, got?.point, got?.modifiedAt], ['Geändert', 'Neu', 'Grün', [7.21, 51.54], '2026-12-04T00:00:00.000Z']);
      assert.ok((await s.proposalPoints('p1', 100)).some((x) => x.id === 'e' && x.point[0] === 7.21 && x.point[1] === 51.54));
      assert.equal(await s.editProposal('e', 'u1', { title: 'Ohne Kategorie', body: 'x', modifiedAt: '2026-12-04T00:00:01.000Z' }), true);
      const got2 = await s.getProposal('e');
      assert.equal(got2?.category, undefined);
      assert.equal(got2?.point, undefined);
      assert.equal((await s.listProposals({ processSlug: 'p1', category: 'Grün', limit: 10, offset: 0 })).items.some((p) => p.id === 'e'), false);
      await s.addComment(comment('k1', 'e'));
      assert.equal((await s.getProposal('e'))?.commentCount, 1);
      assert.equal(await s.editProposal('e', 'u1', edit), false);
      assert.equal(await s.editProposal('a', 'u1', edit), false, 'a has a support');
    });

    test('withdrawing: only by the author, once; hiding and restoring keeps what it was', async () => {
      assert.equal(await s.withdrawProposal('e', 'u2', '2026-12-05T00:00:00.000Z'), false);
      assert.equal(await s.withdrawProposal('e', 'u1', '2026-12-05T00:00:00.000Z'), true);
      assert.equal(await s.withdrawProposal('e', 'u1', '2026-12-05T00:00:00.000Z'), false);
      assert.equal((await s.getProposal('e'))?.state, 'withdrawn');
      const m = { hiddenAt: '2026-12-05T01:00:00.000Z', reason: 'Beleidigung', by: 'user:mod' };
      assert.equal(await s.moderateProposal('e', m), true);
      assert.deepEqual([(await s.getProposal('e'))?.state, (await s.getProposal('e'))?.moderation], ['hidden', m]);
      assert.equal(await s.moderateProposal('e', null), true);
      assert.deepEqual([(await s.getProposal('e'))?.state, (await s.getProposal('e'))?.moderation], ['withdrawn', undefined]);
      assert.equal(await s.moderateProposal('b', m), true);
      assert.equal(await s.moderateProposal('b', { ...m, reason: 'zweimal' }), true);
      assert.equal(await s.moderateProposal('b', null), true);
      assert.equal((await s.getProposal('b'))?.state, 'published');
      assert.equal(await s.moderateProposal('b', null), false, 'not hidden');
      assert.equal(await s.moderateProposal('fehlt', m), false);
    });

    test('official answers and cost estimates are set on the proposal', async () => {
      const ans = { status: 'implemented' as const, text: 'Umgesetzt', projectSlug: 'solarbaenke', at: '2026-12-06T00:00:00.000Z', by: 'user:st' };
      assert.equal(await s.setAnswer('a', ans), true);
      assert.equal(await s.setCost('a', 25_000), true);
      const a = await s.getProposal('a');
      assert.deepEqual([a?.answer, a?.cost, a?.supportCount], [ans, 25_000, 1]);
      assert.deepEqual(await s.costedProposals('p1'), [{ id: 'a', title: 'Vorschlag a', cost: 25_000 }]);
      assert.equal(await s.setCost('a', null), true);
      assert.deepEqual(await s.costedProposals('p1'), []);
      assert.equal((await s.getProposal('a'))?.cost, undefined);
      assert.equal(await s.setAnswer('fehlt', ans), false);
    });

    test('comments in threads are listed oldest first per target, hidden and restored', async () => {
      await s.addComment(comment('k2', 'a', { createdAt: '2026-12-03T11:00:00.000Z' }));
      await s.addComment(comment('k3', 'a', { parentId: 'k2', createdAt: '2026-12-03T12:00:00.000Z' }));
      await s.addComment(comment('k4', 'solarbaenke', { target: { kind: 'project', id: 'solarbaenke' } }));
      assert.deepEqual((await s.listComments({ kind: 'proposal', id: 'a' }, 100)).map((c) => [c.id, c.parentId]), [['k2', undefined], ['k3', 'k2']]);
      assert.deepEqual((await s.listComments({ kind: 'project', id: 'solarbaenke' }, 100)).map((c) => c.id), ['k4']);
      assert.equal((await s.getProposal('a'))?.commentCount, 2);
      const m = { hiddenAt: '2026-12-05T01:00:00.000Z', reason: 'Werbung', by: 'user:mod' };
      assert.equal(await s.moderateComment('k2', m), true);
      assert.deepEqual((await s.getComment('k2'))?.moderation, m);
      assert.equal(await s.moderateComment('k2', null), true);
      assert.equal((await s.getComment('k2'))?.moderation, undefined);
      assert.equal(await s.moderateComment('fehlt', m), false);
    });

    test('reports stay open until resolved per target; blocks are put, read and removed', async () => {
      await s.addReport({ id: 'r1', target: { kind: 'comment', id: 'k2' }, reporterId: 'u9', reason: 'Spam', createdAt: '2026-12-05T00:00:00.000Z' });
      await s.addReport({ id: 'r2', target: { kind: 'proposal', id: 'a' }, reporterId: 'u9', reason: 'falsch', createdAt: '2026-12-05T00:01:00.000Z' });
      await s.addReport({ id: 'r3', target: { kind: 'comment', id: 'k2' }, reporterId: 'u8', reason: 'Spam!', createdAt: '2026-12-05T00:02:00.000Z' });
      assert.deepEqual((await s.openReports(10)).map((r) => r.id), ['r1', 'r2', 'r3']);
      assert.equal(await s.resolveReports({ kind: 'comment', id: 'k2' }, '2026-12-05T01:00:00.000Z'), 2);
      assert.deepEqual((await s.openReports(10)).map((r) => r.id), ['r2']);
      const b = { userId: 'u9', until: '2026-12-12T00:00:00.000Z', reason: 'Spam', by: 'user:mod', at: '2026-12-05T00:00:00.000Z' };
      await s.putBlock(b);
      assert.deepEqual(await s.getBlock('u9'), b);
      await s.putBlock({ ...b, until: '2026-12-20T00:00:00.000Z' });
      assert.equal((await s.getBlock('u9'))?.until, '2026-12-20T00:00:00.000Z');
      assert.equal(await s.removeBlock('u9'), true);
      assert.equal(await s.removeBlock('u9'), false);
      assert.equal(await s.getBlock('u9'), undefined);
    });

    test('a ballot is kept whole; a second ballot of the person and a ballot above the budget are refused and keep nothing', async () => {
      const ballot = { processSlug: 'p1', userId: 'u1', items: [{ proposalId: 'a', cost: 40 }, { proposalId: 'b', cost: 60 }], total: 100, budget: 100, createdAt: '2026-12-06T00:00:00.000Z' };
      await s.castBallot(ballot);
      assert.deepEqual(await s.getBallot('p1', 'u1'), ballot);
      await assert.rejects(s.castBallot({ ...ballot, items: [{ proposalId: 'c', cost: 1 }], total: 1 }), (e: unknown) => e instanceof BallotRefused && e.reason === 'duplicate');
      assert.deepEqual(await s.getBallot('p1', 'u1'), ballot);
      await assert.rejects(s.castBallot({ ...ballot, userId: 'u2', total: 101 }), (e: unknown) => e instanceof BallotRefused && e.reason === 'over_budget');
      assert.equal(await s.getBallot('p1', 'u2'), undefined);
      await s.castBallot({ ...ballot, userId: 'u3', items: [{ proposalId: 'b', cost: 60 }], total: 60 });
      assert.deepEqual(await s.budgetResult('p1'), [{ proposalId: 'b', votes: 2 }, { proposalId: 'a', votes: 1 }]);
      assert.deepEqual(await s.budgetResult('alt'), []);
      assert.equal(await s.ballotCount('p1'), 2);
      assert.equal(await s.ballotCount('alt'), 0);
    });

    test('parallel ballots of one person from two nodes: exactly one is kept', async () => {
      const t = await factory.twin(s);
      try {
        const b = (n: number) => ({ processSlug: 'p1', userId: 'racer', items: [{ proposalId: n % 2 ? 'a' : 'b', cost: 10 }], total: 10, budget: 100, createdAt: '2026-12-06T00:00:00.000Z' });
        const res = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? s : t).castBallot(b(i))));
        assert.equal(res.filter((r) => r.status === 'fulfilled').length, 1);
        assert.ok(res.every((r) => r.status === 'fulfilled' || (r.reason instanceof BallotRefused && r.reason.reason === 'duplicate')));
        assert.equal((await s.getBallot('p1', 'racer'))?.items.length, 1);
      } finally {
        await t.close();
      }
    });


    test('a survey is read back whole, listed per process oldest first, its results flag set; a duplicate id is a StorageConflict', async () => {
      const a = survey('s1');
      await s.createSurvey(a);
      await s.createSurvey(survey('s0', { createdAt: '2026-12-01T09:00:00.000Z' }));
      await s.createSurvey(survey('s9', { processSlug: 'alt' }));
      assert.deepEqual(await s.getSurvey('s1'), a);
      assert.equal(await s.getSurvey('fehlt'), undefined);
      await assert.rejects(s.createSurvey(survey('s1')), StorageConflict);
      assert.deepEqual((await s.listSurveys('p1')).map((x) => x.id), ['s0', 's1']);
      assert.equal(await s.publishSurveyResults('s0', true, '2026-12-03T00:00:00.000Z'), true);
      assert.deepEqual([(await s.getSurvey('s0'))?.resultsPublished, (await s.getSurvey('s0'))?.modifiedAt], [true, '2026-12-03T00:00:00.000Z']);
      assert.equal(await s.publishSurveyResults('s0', false, '2026-12-03T00:00:01.000Z'), true);
      assert.equal((await s.getSurvey('s0'))?.resultsPublished, false);
      assert.equal(await s.publishSurveyResults('fehlt', true, '2026-12-03T00:00:00.000Z'), false);
    });

    test('one answer per person and survey: a second is refused and keeps nothing; the database counts choices, scale points and respondents', async () => {
      assert.equal(await s.updateSurvey({ ...survey('s1'), title: { de: 'Neu', en: 'New' } }), 'updated');
      assert.equal(await s.updateSurvey(survey('fehlt')), 'missing');
      const first = { surveyId: 's1', userId: 'u1', values: { q1: 0, q2: [0, 1], q3: 4, q4: 'Mehr Licht' }, createdAt: '2026-12-04T10:00:00.000Z' };
      await s.addSurveyAnswer(first);
      assert.deepEqual(await s.getSurveyAnswer('s1', 'u1'), first);
      await assert.rejects(s.addSurveyAnswer({ ...first, values: { q1: 2, q3: 1 } }), (e: unknown) => e instanceof SurveyAnswerRefused && e instanceof StorageConflict);
      assert.deepEqual(await s.getSurveyAnswer('s1', 'u1'), first);
      assert.equal(await s.updateSurvey(survey('s1')), 'answered', 'questions are fixed once answered');
      assert.equal((await s.getSurvey('s1'))?.title.de, 'Neu');
      await s.addSurveyAnswer({ surveyId: 's1', userId: 'u2', values: { q1: 0, q3: 5 }, createdAt: '2026-12-04T10:01:00.000Z' });
      await s.addSurveyAnswer({ surveyId: 's1', userId: 'u3', values: { q1: 1, q2: [1], q3: 4 }, createdAt: '2026-12-04T10:02:00.000Z' });
      await s.addSurveyAnswer({ surveyId: 's0', userId: 'u3', values: { q1: 2, q3: 1 }, createdAt: '2026-12-04T10:03:00.000Z' });
      assert.equal(await s.getSurveyAnswer('s1', 'u9'), undefined);
      const t = await s.surveyTally('s1');
      assert.equal(t.respondents, 3);
      assert.deepEqual(t.answered, { q1: 3, q2: 2, q3: 3, q4: 1 });
      assert.deepEqual(t.counts, [
        { questionId: 'q1', value: 0, count: 2 }, { questionId: 'q1', value: 1, count: 1 },
        { questionId: 'q2', value: 0, count: 1 }, { questionId: 'q2', value: 1, count: 2 },
        { questionId: 'q3', value: 4, count: 2 }, { questionId: 'q3', value: 5, count: 1 },
      ]);
      assert.deepEqual(await s.surveyTally('fehlt'), { respondents: 0, answered: {}, counts: [] });
      const rows = await s.surveyAnswerValues('s1');
      assert.deepEqual(rows.map((r) => JSON.stringify(r)).sort(), [first.values, { q1: 0, q3: 5 }, { q1: 1, q2: [1], q3: 4 }].map((r) => JSON.stringify(r)).sort());
    });

    test('parallel answers of one person from two nodes: exactly one is kept and counted', async () => {
      const t = await factory.twin(s);
      try {
        const res = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? s : t).addSurveyAnswer({ surveyId: 's0', userId: 'racer', values: { q1: i % 3, q3: 1 + (i % 5) }, createdAt: '2026-12-04T11:00:00.000Z' })));
        assert.equal(res.filter((r) => r.status === 'fulfilled').length, 1);
        assert.ok(res.every((r) => r.status === 'fulfilled' || r.reason instanceof SurveyAnswerRefused));
        const tally = await t.surveyTally('s0');
        assert.equal(tally.respondents, 2);
        assert.equal(tally.counts.filter((c) => c.questionId === 'q3').reduce((n, c) => n + c.count, 0), 2);
      } finally {
        await t.close();
      }
    });

    test('a person\'s data: their proposals, comments, supports and ballots, and nobody else\'s', async () => {
      const d = await s.personalData('u2');
      assert.deepEqual(d.proposals, []);
      assert.deepEqual(d.comments.map((c) => c.id).sort(), ['k1', 'k2', 'k3', 'k4']);
      assert.deepEqual(d.ballots, [], 'u2\'s ballot above the budget was not kept');
      const u1 = await s.personalData('u1');
      assert.ok(u1.proposals.some((p) => p.id === 'a') && u1.proposals.every((p) => p.authorId === 'u1'));
      assert.deepEqual(u1.ballots.map((b) => [b.processSlug, b.total]), [['p1', 100]]);
      const u8 = await s.personalData('u8');
      assert.deepEqual(u8.supports, [{ proposalId: 'a', at: '2026-12-03T10:02:00.000Z' }]);
      assert.deepEqual(u8.surveyAnswers, []);
      assert.deepEqual((await s.personalData('u3')).surveyAnswers.map((a) => [a.surveyId, a.values]), [['s1', { q1: 1, q2: [1], q3: 4 }], ['s0', { q1: 2, q3: 1 }]]);
    });

    test('anonymising an author renames their proposals and comments and keeps the counts', async () => {
      const n = await s.anonymiseAuthor('u2', 'gelöschtes Konto');
      assert.ok(n.changed >= 3);
      assert.deepEqual(n.promoted, []);
      const c = await s.getComment('k2');
      assert.deepEqual([c?.authorId, c?.authorName], ['deleted', 'gelöschtes Konto']);
      assert.equal((await s.getProposal('a'))?.authorName, 'Eule 17');
      assert.equal((await s.getProposal('a'))?.commentCount, 2);
    });

    test('anonymising detaches the person\'s survey answers and keeps them counted', async () => {
      const before = await s.surveyTally('s1');
      await s.anonymiseAuthor('u3', 'gelöschtes Konto');
      assert.deepEqual((await s.personalData('u3')).surveyAnswers, []);
      assert.equal(await s.getSurveyAnswer('s1', 'u3'), undefined);
      assert.deepEqual(await s.surveyTally('s1'), before);
      assert.equal((await s.surveyTally('s0')).respondents, 2);
      // The old answers no longer hold the account's id (a new account with it could answer again).
      await s.addSurveyAnswer({ surveyId: 's1', userId: 'u3', values: { q1: 2, q3: 3 }, createdAt: '2026-12-05T10:00:00.000Z' });
      assert.equal((await s.surveyTally('s1')).respondents, before.respondents + 1, 'the account could answer again under its old id: the old answer no longer holds it');
    });
    test('"hilfreich" once per person and comment: a second is refused and not counted; withdrawing counts down once', async () => {
      await s.createProposal(proposal('rp'));
      await s.addComment(comment('h1', 'rp', { authorId: 'u5' }));
      await s.addComment(comment('h2', 'rp', { authorId: 'u5', createdAt: '2026-12-03T10:05:00.000Z' }));
      assert.equal((await s.getComment('h1'))?.helpfulCount, 0);
      assert.equal(await s.rateComment('h1', 'u6', '2026-12-03T11:00:00.000Z'), true);
      assert.equal(await s.rateComment('h1', 'u6', '2026-12-03T11:01:00.000Z'), false);
      assert.equal(await s.rateComment('h1', 'u7', '2026-12-03T11:02:00.000Z'), true);
      assert.equal((await s.getComment('h1'))?.helpfulCount, 2);
      assert.deepEqual((await s.listComments({ kind: 'proposal', id: 'rp' }, 10)).map((c) => [c.id, c.helpfulCount]), [['h1', 2], ['h2', 0]]);
      assert.deepEqual([...await s.ratedComments('u6', ['h1', 'h2', 'nope'])], ['h1']);
      assert.equal(await s.unrateComment('h1', 'u6'), true);
      assert.equal(await s.unrateComment('h1', 'u6'), false);
      assert.equal((await s.getComment('h1'))?.helpfulCount, 1);
      assert.deepEqual([...await s.ratedComments('u6', ['h1', 'h2'])], []);
      assert.deepEqual((await s.personalData('u7')).commentRatings, [{ commentId: 'h1', at: '2026-12-03T11:02:00.000Z' }]);
    });

    test('parallel ratings of the same people from two nodes count each person once', async () => {
      await s.addComment(comment('hrace', 'rp', { authorId: 'u5' }));
      const t = await factory.twin(s);
      try {
        const people = Array.from({ length: 15 }, (_, i) => `hr${i}`);
        const added = (await Promise.all(people.flatMap((u) => [s.rateComment('hrace', u, '2026-12-03T12:00:00.000Z'), t.rateComment('hrace', u, '2026-12-03T12:00:00.000Z')]))).filter(Boolean).length;
        assert.equal(added, 15);
        assert.equal((await t.getComment('hrace'))?.helpfulCount, 15);
      } finally {
        await t.close();
      }
    });

    test('a process\'s comments for the open-data export: those on its published proposals, oldest first', async () => {
      await s.createProposal(proposal('rp-hidden', { state: 'hidden' }));
      await s.addComment(comment('hx', 'rp-hidden', { authorId: 'u5' }));
      const ids = (await s.processComments('p1', 10_000)).map((c) => c.id);
      assert.ok(ids.includes('h1') && ids.includes('hrace'));
      assert.ok(!ids.includes('hx'), 'comments on a hidden proposal are not exported');
      assert.deepEqual(await s.processComments('nope', 10), []);
    });

    test('event registrations: once per person; the capacity refuses the seat beyond the last and keeps nothing; cancelling frees a seat', async () => {
      assert.equal(await s.registerForEvent('konf', 'e1', '2026-12-03T10:00:00.000Z', 2), 'registered');
      assert.equal(await s.registerForEvent('konf', 'e1', '2026-12-03T10:01:00.000Z', 2), 'already');
      assert.equal(await s.registerForEvent('konf', 'e2', '2026-12-03T10:02:00.000Z', 2), 'registered');
      assert.equal(await s.registerForEvent('konf', 'e3', '2026-12-03T10:03:00.000Z', 2), 'full');
      assert.equal(await s.isRegisteredForEvent('konf', 'e3'), false, 'a refused registration keeps nothing');
      assert.equal((await s.eventRegistrations(['konf', 'other'])).get('konf'), 2);
      assert.equal((await s.eventRegistrations(['other'])).size, 0);
      await assert.rejects(s.setEventCapacity('konf', 1), StorageConflict, 'a capacity below the registrations is refused');
      assert.equal(await s.cancelEventRegistration('konf', 'e1'), true);
      assert.equal(await s.cancelEventRegistration('konf', 'e1'), false);
      assert.equal(await s.registerForEvent('konf', 'e3', '2026-12-03T10:04:00.000Z', 2), 'registered');
      await s.setEventCapacity('konf', 3);
      assert.equal(await s.registerForEvent('konf', 'e4', '2026-12-03T10:05:00.000Z', 2), 'registered', 'the changed capacity counts, not the one given at registration');
      await s.setEventCapacity('konf', null);
      assert.equal(await s.registerForEvent('konf', 'e5', '2026-12-03T10:06:00.000Z', 1), 'registered');
      assert.equal((await s.eventRegistrations(['konf'])).get('konf'), 4);
      assert.deepEqual((await s.personalData('e3')).eventRegistrations, [{ eventId: 'konf', at: '2026-12-03T10:04:00.000Z' }]);
    });

    test('parallel registrations from two nodes never exceed the capacity', async () => {
      const t = await factory.twin(s);
      try {
        const people = Array.from({ length: 24 }, (_, i) => `ep${i}`);
        const results = await Promise.all(people.flatMap((u, i) => [(i % 2 ? s : t).registerForEvent('race-event', u, '2026-12-03T10:00:00.000Z', 10), (i % 2 ? t : s).registerForEvent('race-event', u, '2026-12-03T10:00:00.000Z', 10)]));
        assert.equal(results.filter((r) => r === 'registered').length, 10);
        assert.equal((await s.eventRegistrations(['race-event'])).get('race-event'), 10);
        let kept = 0;
        for (const u of people) if (await t.isRegisteredForEvent('race-event', u)) kept++;
        assert.equal(kept, 10);
      } finally {
        await t.close();
      }
    });

    test('waiting list: only for a full event, once per person, in order; a cancellation gives the seat to the first waiting', async () => {
      const at = (m: number) => `2026-12-03T11:0${m}:00.000Z`;
      assert.equal(await s.joinEventWaitlist('wl', 'w1', at(0), 1), 'free', 'a free seat: register instead');
      assert.deepEqual((await s.eventAttendees('wl')).waiting, [], 'nothing kept');
      assert.equal(await s.registerForEvent('wl', 'w1', at(1), 1), 'registered');
      assert.equal(await s.joinEventWaitlist('wl', 'w1', at(2), 1), 'registered');
      assert.equal(await s.joinEventWaitlist('wl', 'w2', at(3), 1), 'waiting');
      assert.equal(await s.joinEventWaitlist('wl', 'w2', at(4), 1), 'already');
      assert.equal(await s.joinEventWaitlist('wl', 'w3', at(5), 1), 'waiting');
      assert.equal(await s.eventWaitlistPosition('wl', 'w3'), 2);
      assert.equal(await s.eventWaitlistPosition('wl', 'w1'), undefined);
      assert.deepEqual(await s.cancelEventRegistrationAndPromote('wl', 'w9', at(6)), { cancelled: false });
      assert.deepEqual(await s.cancelEventRegistrationAndPromote('wl', 'w1', at(6)), { cancelled: true, promoted: 'w2' });
      assert.deepEqual(await s.eventAttendees('wl'), { registered: [{ userId: 'w2', at: at(6) }], waiting: [{ userId: 'w3', at: at(5) }] });
      assert.equal((await s.eventRegistrations(['wl'])).get('wl'), 1);
      assert.equal(await s.eventWaitlistPosition('wl', 'w3'), 1);
      assert.deepEqual((await s.personalData('w3')).eventWaitlist, [{ eventId: 'wl', at: at(5) }]);
      await s.anonymiseAuthor('w3', 'gelöschtes Konto');
      assert.equal(await s.eventWaitlistPosition('wl', 'w3'), undefined, 'deleting the account takes the person off the list');
      assert.equal(await s.joinEventWaitlist('wl', 'w4', at(7), 1), 'waiting');
      assert.equal(await s.leaveEventWaitlist('wl', 'w4'), true);
      assert.equal(await s.leaveEventWaitlist('wl', 'w4'), false);
      assert.deepEqual(await s.cancelEventRegistrationAndPromote('wl', 'w2', at(8)), { cancelled: true }, 'nobody waits: the seat is free');
      // A raised capacity: the new seats go to the first waiting people, in order, the rest wait on.
      assert.equal(await s.registerForEvent('wl', 'w5', at(8), 1), 'registered');
      for (const u of ['w6', 'w7', 'w8']) assert.equal(await s.joinEventWaitlist('wl', u, at(9), 1), 'waiting');
      assert.deepEqual(await s.promoteEventWaitlist('wl', at(9)), [], 'no free seat');
      await s.setEventCapacity('wl', 3);
      assert.deepEqual(await s.promoteEventWaitlist('wl', at(9)), ['w6', 'w7']);
      assert.deepEqual((await s.eventAttendees('wl')).waiting.map((w) => w.userId), ['w8']);
      assert.equal((await s.eventRegistrations(['wl'])).get('wl'), 3);
      assert.deepEqual(await s.promoteEventWaitlist('nowhere', at(9)), []);
    });

    test('parallel cancellations from two nodes give each freed seat to exactly one waiting person, in order', async () => {
      const t = await factory.twin(s);
      try {
        const holders = ['pc0', 'pc1', 'pc2'];
        for (const u of holders) assert.equal(await s.registerForEvent('race-wait', u, '2026-12-03T10:00:00.000Z', 3), 'registered');
        for (let i = 0; i < 6; i++) assert.equal(await (i % 2 ? t : s).joinEventWaitlist('race-wait', `pw${i}`, `2026-12-03T10:0${i}:00.000Z`, 3), 'waiting');
        const results = await Promise.all(holders.flatMap((u) => [s.cancelEventRegistrationAndPromote('race-wait', u, '2026-12-03T12:00:00.000Z'), t.cancelEventRegistrationAndPromote('race-wait', u, '2026-12-03T12:00:00.000Z')]));
        assert.equal(results.filter((r) => r.cancelled).length, 3);
        assert.deepEqual(results.map((r) => r.promoted).filter(Boolean).sort(), ['pw0', 'pw1', 'pw2']);
        const a = await t.eventAttendees('race-wait');
        assert.deepEqual(a.registered.map((r) => r.userId).sort(), ['pw0', 'pw1', 'pw2']);
        assert.deepEqual(a.waiting.map((r) => r.userId), ['pw3', 'pw4', 'pw5']);
        assert.equal((await s.eventRegistrations(['race-wait'])).get('race-wait'), 3);
      } finally {
        await t.close();
      }
    });

    test('anonymising cancels the person\'s event registrations (freeing their seats) and keeps their ratings counted', async () => {
      await s.registerForEvent('anon-event', 'u9', '2026-12-03T10:00:00.000Z', 1);
      await s.rateComment('h2', 'u9', '2026-12-03T10:00:00.000Z');
      await s.anonymiseAuthor('u9', 'gelöschtes Konto');
      assert.equal(await s.isRegisteredForEvent('anon-event', 'u9'), false);
      assert.equal((await s.eventRegistrations(['anon-event'])).get('anon-event'), undefined);
      assert.equal(await s.registerForEvent('anon-event', 'u10', '2026-12-03T10:00:00.000Z', 1), 'registered', 'the seat is free again');
      assert.equal((await s.getComment('h2'))?.helpfulCount, 1);
    });

    test('anonymising gives the freed seats of open events to the first waiting people (in the same transaction), not of others', async () => {
      const at = '2026-12-04T10:00:00.000Z';
      for (const ev of ['del-open', 'del-open2', 'del-past']) {
        assert.equal(await s.registerForEvent(ev, 'dx', at, 1), 'registered');
        for (const u of ['dw1', 'dw2']) assert.equal(await s.joinEventWaitlist(ev, `${u}-${ev}`, at, 1), 'waiting');
      }
      assert.equal(await s.registerForEvent('del-other', 'dy', at, 2), 'registered');
      assert.equal(await s.joinEventWaitlist('del-open', 'dx-waits', at, 1), 'waiting');
      const r = await s.anonymiseAuthor('dx', 'gelöschtes Konto', { at: '2026-12-04T11:00:00.000Z', events: ['del-open', 'del-open2', 'del-other'] });
      assert.deepEqual(r.promoted, [{ eventId: 'del-open', userId: 'dw1-del-open' }, { eventId: 'del-open2', userId: 'dw1-del-open2' }]);
      assert.ok(r.changed >= 3);
      assert.deepEqual(await s.eventAttendees('del-open'), { registered: [{ userId: 'dw1-del-open', at: '2026-12-04T11:00:00.000Z' }], waiting: [{ userId: 'dw2-del-open', at }, { userId: 'dx-waits', at }] });
      assert.equal((await s.eventRegistrations(['del-open'])).get('del-open'), 1, 'the seat count holds');
      // An event not named (begun, or without registration): the seat is freed, nobody moves up.
      assert.deepEqual(await s.eventAttendees('del-past'), { registered: [], waiting: [{ userId: 'dw1-del-past', at }, { userId: 'dw2-del-past', at }] });
      assert.equal((await s.eventRegistrations(['del-past'])).get('del-past') ?? 0, 0);
      assert.equal(await s.isRegisteredForEvent('del-other', 'dy'), true, 'other people keep theirs');
    });

    test('counts per process in one call: published proposals and the sums of their comments and supports', async () => {
      await s.createProcess(process('zaehl-a'));
      await s.createProcess(process('zaehl-b'));
      await s.createProcess(process('zaehl-leer'));
      for (const id of ['za1', 'za2', 'za3']) await s.createProposal(proposal(id, { processSlug: 'zaehl-a' }));
      await s.createProposal(proposal('zb1', { processSlug: 'zaehl-b' }));
      await s.createProposal(proposal('zb-weg', { processSlug: 'zaehl-b', authorId: 'zu' }));
      await s.addComment(comment('zc1', 'za1'));
      await s.addComment(comment('zc2', 'za1', { parentId: 'zc1' }));
      await s.addComment(comment('zc3', 'zb1'));
      await s.addComment(comment('zc4', 'zb-weg'));
      for (const u of ['x1', 'x2']) await s.addSupport('za2', u, '2026-12-03T10:00:00.000Z');
      await s.addSupport('za3', 'x1', '2026-12-03T10:00:00.000Z');
      await s.addSupport('zb-weg', 'x1', '2026-12-03T10:00:00.000Z');
      // A withdrawn proposal and its comments and supports are not counted.
      assert.equal(await s.withdrawProposal('zb-weg', 'zu', '2026-12-04T10:00:00.000Z'), true);
      const c = await s.processCounts();
      assert.deepEqual(c.get('zaehl-a'), { proposals: 3, comments: 2, supports: 3 });
      assert.deepEqual(c.get('zaehl-b'), { proposals: 1, comments: 1, supports: 0 });
      assert.equal(c.get('zaehl-leer'), undefined);
    });
  });
}
