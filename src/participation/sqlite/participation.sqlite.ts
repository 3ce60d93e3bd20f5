// The participation store on SQLite: its own file (participation.sqlite) in the data directory, so
// its writes never wait for the broker's writer; documents as JSON, with the columns queries sort,
// filter and count by. Counters change in the same transaction as the rows they count.
import Database from 'better-sqlite3';
import { openModuleDb } from '../../storage/modules/sqlite/module-store.ts';
import { SqliteProposalImages } from './images.sqlite.ts';
import { SqliteVerifications } from './verification.sqlite.ts';
import { RATINGS, REGISTRATIONS, SUPPORTS, type CountedMark } from '../participation.marks.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { Ballot, Block, BudgetResultRow, Comment, CommentTarget, Moderation, OfficialAnswer, Process, ProcessCounts, Proposal, Report, Survey, SurveyAnswer, SurveyTally } from '../participation.model.ts';
import type { Follow, FollowKind, GuestContribution, GuestContributionState, NotifyMode } from '../guests-follows.model.ts';
import { randomBytes } from 'node:crypto';
import type { ParticipationStore, PendingJob, ProposalEdit, ProposalQuery } from '../participation.port.ts';
import { BallotRefused, SurveyAnswerRefused, firstStart, surveyValueRows, tallyOf } from '../participation.port-util.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

type ProposalRow = { doc: string; support_count: number; comment_count: number };
const proposal = (r: ProposalRow): Proposal => {
  const { stateBeforeHiding, ...doc } = JSON.parse(r.doc) as Proposal & { stateBeforeHiding?: string };
  void stateBeforeHiding;
  return { ...doc, supportCount: r.support_count, commentCount: r.comment_count };
};
const docOf = (p: Proposal) => { const { supportCount, commentCount, ...rest } = p; void supportCount; void commentCount; return JSON.stringify(rest); };
type CommentRow = { doc: string; helpful_count: number };
const comment = (r: CommentRow): Comment => ({ ...JSON.parse(r.doc), helpfulCount: r.helpful_count });
const isConstraint = (e: unknown) => (e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT') ?? false;

export class SqliteParticipationStore implements ParticipationStore {
  readonly engine = 'sqlite' as const;
  readonly images: SqliteProposalImages;
  readonly verifications: SqliteVerifications;
  private constructor(private readonly db: Database.Database, readonly file: string) { this.images = new SqliteProposalImages(db); this.verifications = new SqliteVerifications(db); }

  static inDataDir(dataDir: string): SqliteParticipationStore {
    const { db, file } = openModuleDb(dataDir, { file: 'participation.sqlite', table: 'part_migrations', dir: MIGRATIONS, foreignKeys: true });
    return new SqliteParticipationStore(db, file);
  }

  async createProcess(p: Process): Promise<void> {
    try {
      this.db.prepare('INSERT INTO part_processes (slug, first_start, doc) VALUES (?, ?, ?)').run(p.slug, firstStart(p), JSON.stringify(p));
    } catch (e) {
      if (isConstraint(e)) throw new StorageConflict(`process ${p.slug} exists`, { cause: e });
      throw e;
    }
  }
  async updateProcess(p: Process): Promise<void> {
    if (this.db.prepare('UPDATE part_processes SET first_start = ?, doc = ? WHERE slug = ?').run(firstStart(p), JSON.stringify(p), p.slug).changes === 0) {
      throw new StorageNotFound(`process ${p.slug} does not exist`);
    }
  }
  async getProcess(slug: string): Promise<Process | undefined> {
    const r = this.db.prepare('SELECT doc FROM part_processes WHERE slug = ?').get(slug) as { doc: string } | undefined;
    return r ? JSON.parse(r.doc) : undefined;
  }
  async listProcesses(): Promise<Process[]> {
    return (this.db.prepare('SELECT doc FROM part_processes ORDER BY first_start DESC, slug').all() as Array<{ doc: string }>).map((r) => JSON.parse(r.doc));
  }

  async createProposal(p: Proposal): Promise<void> {
    try {
      this.db.prepare('INSERT INTO part_proposals (id, process_slug, author_id, state, category, title, created_at, support_count, comment_count, lon, lat, cost, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(p.id, p.processSlug, p.authorId, p.state, p.category ?? null, p.title, p.createdAt, p.supportCount, p.commentCount, p.point?.[0] ?? null, p.point?.[1] ?? null, p.cost ?? null, docOf(p));
    } catch (e) {
      if (isConstraint(e)) throw new StorageConflict(`proposal ${p.id} exists`, { cause: e });
      throw e;
    }
  }
  async getProposal(id: string): Promise<Proposal | undefined> {
    const r = this.db.prepare('SELECT doc, support_count, comment_count FROM part_proposals WHERE id = ?').get(id) as ProposalRow | undefined;
    return r ? proposal(r) : undefined;
  }
  async listProposals(q: ProposalQuery): Promise<{ items: Proposal[]; total: number }> {
    const states = q.states ?? ['published'];
    const where = [`process_slug = ?`, `state IN (${states.map(() => '?').join(', ')})`];
    const args: unknown[] = [q.processSlug, ...states];
    if (q.category !== undefined) { where.push('category = ?'); args.push(q.category); }
    if (q.text) { where.push("instr(lower(title), lower(?)) > 0"); args.push(q.text); }
    const order = q.sort === 'supports' ? 'support_count DESC, created_at DESC, id DESC' : q.sort === 'comments' ? 'comment_count DESC, created_at DESC, id DESC' : 'created_at DESC, id DESC';
    const w = where.join(' AND ');
    const items = (this.db.prepare(`SELECT doc, support_count, comment_count FROM part_proposals WHERE ${w} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...args, q.limit, q.offset) as ProposalRow[]).map(proposal);
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM part_proposals WHERE ${w}`).get(...args) as { n: number }).n;
    return { items, total };
  }
  async proposalPoints(processSlug: string, limit: number): Promise<Array<{ id: string; title: string; point: [number, number] }>> {
    const rows = this.db.prepare("SELECT id, title, lon, lat FROM part_proposals WHERE process_slug = ? AND state = 'published' AND lon IS NOT NULL ORDER BY created_at DESC, id LIMIT ?")
      .all(processSlug, limit) as Array<{ id: string; title: string; lon: number; lat: number }>;
    return rows.map((r) => ({ id: r.id, title: r.title, point: [r.lon, r.lat] }));
  }
  async processCounts(): Promise<Map<string, ProcessCounts>> {
    const rows = this.db.prepare("SELECT process_slug AS slug, COUNT(*) AS proposals, SUM(comment_count) AS comments, SUM(support_count) AS supports FROM part_proposals WHERE state = 'published' GROUP BY process_slug")
      .all() as Array<{ slug: string } & ProcessCounts>;
    return new Map(rows.map((r) => [r.slug, { proposals: r.proposals, comments: r.comments, supports: r.supports }]));
  }
  async costedProposals(processSlug: string): Promise<Array<{ id: string; title: string; cost: number }>> {
    return this.db.prepare("SELECT id, title, cost FROM part_proposals WHERE process_slug = ? AND state = 'published' AND cost IS NOT NULL ORDER BY title, id").all(processSlug) as Array<{ id: string; title: string; cost: number }>;
  }
  async editProposal(id: string, authorId: string, e: ProposalEdit): Promise<boolean> {
    const sets = ["'$.title', ?", "'$.body', ?", "'$.modifiedAt', ?"];
    const args: unknown[] = [e.title, e.body, e.modifiedAt];
    if (e.category !== undefined) { sets.push("'$.category', ?"); args.push(e.category); }
    if (e.point !== undefined) { sets.push("'$.point', json(?)"); args.push(JSON.stringify(e.point)); }
    const r = this.db.prepare(`UPDATE part_proposals SET title = ?, category = ?, lon = ?, lat = ?, doc = json_set(json_remove(doc, '$.category', '$.point'), ${sets.join(', ')})
      WHERE id = ? AND author_id = ? AND state = 'published' AND support_count = 0 AND comment_count = 0`).run(e.title, e.category ?? null, e.point?.[0] ?? null, e.point?.[1] ?? null, ...args, id, authorId);
    return r.changes > 0;
  }
  async withdrawProposal(id: string, authorId: string, at: string): Promise<boolean> {
    return this.db.prepare("UPDATE part_proposals SET state = 'withdrawn', doc = json_set(doc, '$.state', 'withdrawn', '$.modifiedAt', ?) WHERE id = ? AND author_id = ? AND state = 'published'")
      .run(at, id, authorId).changes > 0;
  }
  async moderateProposal(id: string, m: Moderation | null): Promise<boolean> {
    // Restoring gives back the state before hiding: withdrawn stays withdrawn.
    const r = m
      ? this.db.prepare("UPDATE part_proposals SET state = 'hidden', doc = json_set(doc, '$.state', 'hidden', '$.stateBeforeHiding', CASE WHEN state = 'hidden' THEN json_extract(doc, '$.stateBeforeHiding') ELSE state END, '$.moderation', json(?)) WHERE id = ?").run(JSON.stringify(m), id)
      : this.db.prepare("UPDATE part_proposals SET state = COALESCE(json_extract(doc, '$.stateBeforeHiding'), 'published'), doc = json_remove(json_set(doc, '$.state', COALESCE(json_extract(doc, '$.stateBeforeHiding'), 'published')), '$.moderation', '$.stateBeforeHiding') WHERE id = ? AND state = 'hidden'").run(id);
    return r.changes > 0;
  }
  async setAnswer(id: string, a: OfficialAnswer): Promise<boolean> {
    return this.db.prepare("UPDATE part_proposals SET doc = json_set(doc, '$.answer', json(?)) WHERE id = ?").run(JSON.stringify(a), id).changes > 0;
  }
  async setCost(id: string, cost: number | null): Promise<boolean> {
    return (cost === null
      ? this.db.prepare("UPDATE part_proposals SET cost = NULL, doc = json_remove(doc, '$.cost') WHERE id = ?").run(id)
      : this.db.prepare("UPDATE part_proposals SET cost = ?, doc = json_set(doc, '$.cost', ?) WHERE id = ?").run(cost, cost, id)).changes > 0;
  }

  async addComment(c: Comment): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO part_comments (id, target_kind, target_id, author_id, created_at, doc) VALUES (?, ?, ?, ?, ?, ?)').run(c.id, c.target.kind, c.target.id, c.authorId, c.createdAt, JSON.stringify(c));
      if (c.target.kind === 'proposal') this.db.prepare('UPDATE part_proposals SET comment_count = comment_count + 1 WHERE id = ?').run(c.target.id);
    }).immediate();
  }
  async getComment(id: string): Promise<Comment | undefined> {
    const r = this.db.prepare('SELECT doc, helpful_count FROM part_comments WHERE id = ?').get(id) as CommentRow | undefined;
    return r ? comment(r) : undefined;
  }
  async listComments(target: CommentTarget, limit: number): Promise<Comment[]> {
    return (this.db.prepare('SELECT doc, helpful_count FROM part_comments WHERE target_kind = ? AND target_id = ? ORDER BY created_at, id LIMIT ?').all(target.kind, target.id, limit) as CommentRow[]).map(comment);
  }
  async processComments(processSlug: string, limit: number): Promise<Comment[]> {
    return (this.db.prepare(`SELECT c.doc, c.helpful_count FROM part_comments c JOIN part_proposals p ON p.id = c.target_id
      WHERE c.target_kind = 'proposal' AND p.process_slug = ? AND p.state = 'published' ORDER BY c.created_at, c.id LIMIT ?`).all(processSlug, limit) as CommentRow[]).map(comment);
  }
  /** Adds one person's mark (support, rating) and counts it, in one transaction; false when it was there. */
  private mark(m: CountedMark, target: string, userId: string, at: string): boolean {
    return this.db.transaction(() => {
      const added = this.db.prepare(`INSERT INTO ${m.marks} (${m.key}, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`).run(target, userId, at).changes > 0;
      if (added) this.db.prepare(`UPDATE ${m.counter} SET ${m.count} = ${m.count} + 1 WHERE ${m.counterKey} = ?`).run(target);
      return added;
    }).immediate();
  }
  /** Removes one person's mark and uncounts it, in one transaction; false when there was none. */
  private unmark(m: CountedMark, target: string, userId: string): boolean {
    return this.db.transaction(() => {
      const removed = this.db.prepare(`DELETE FROM ${m.marks} WHERE ${m.key} = ? AND user_id = ?`).run(target, userId).changes > 0;
      if (removed) this.db.prepare(`UPDATE ${m.counter} SET ${m.count} = ${m.count} - 1 WHERE ${m.counterKey} = ?`).run(target);
      return removed;
    }).immediate();
  }
  async rateComment(commentId: string, userId: string, at: string): Promise<boolean> {
    return this.mark(RATINGS, commentId, userId, at);
  }
  async unrateComment(commentId: string, userId: string): Promise<boolean> {
    return this.unmark(RATINGS, commentId, userId);
  }
  async ratedComments(userId: string, commentIds: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    const q = this.db.prepare('SELECT comment_id AS id FROM part_comment_ratings WHERE user_id = ? AND comment_id IN (SELECT value FROM json_each(?))');
    for (let i = 0; i < commentIds.length; i += 5000) for (const r of q.all(userId, JSON.stringify(commentIds.slice(i, i + 5000))) as Array<{ id: string }>) out.add(r.id);
    return out;
  }

  async registerForEvent(eventId: string, userId: string, at: string, capacity: number | null): Promise<'registered' | 'already' | 'full'> {
    try {
      return this.db.transaction(() => {
        this.db.prepare('INSERT INTO part_event_seats (event_id, capacity) VALUES (?, ?) ON CONFLICT DO NOTHING').run(eventId, capacity);
        if (this.db.prepare('INSERT INTO part_event_registrations (event_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(eventId, userId, at).changes === 0) return 'already' as const;
        // The CHECK (taken <= capacity) refuses the seat beyond the last; the transaction then keeps nothing.
        this.db.prepare('UPDATE part_event_seats SET taken = taken + 1 WHERE event_id = ?').run(eventId);
        return 'registered' as const;
      }).immediate();
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_CHECK') return 'full';
      throw e;
    }
  }
  async cancelEventRegistration(eventId: string, userId: string): Promise<boolean> {
    return (await this.cancelEventRegistrationAndPromote(eventId, userId, new Date().toISOString())).cancelled;
  }
  async cancelEventRegistrationAndPromote(eventId: string, userId: string, at: string): Promise<{ cancelled: boolean; promoted?: string }> {
    // One IMMEDIATE transaction: the writer lock orders cancellations, so each sees the list the last one left.
    return this.db.transaction(() => this.cancelAndPromote(eventId, userId, at, true)).immediate();
  }
  /** Cancels one registration and (with `promote`) gives the seat to the first waiting person; inside a transaction. */
  private cancelAndPromote(eventId: string, userId: string, at: string, promote: boolean): { cancelled: boolean; promoted?: string } {
    if (!this.unmark(REGISTRATIONS, eventId, userId)) return { cancelled: false };
    if (!promote) return { cancelled: true };
    const next = this.db.prepare('DELETE FROM part_event_waitlist WHERE seq = (SELECT seq FROM part_event_waitlist WHERE event_id = ? ORDER BY seq LIMIT 1) RETURNING user_id').get(eventId) as { user_id: string } | undefined;
    if (!next) return { cancelled: true };
    this.db.prepare('INSERT INTO part_event_registrations (event_id, user_id, created_at) VALUES (?, ?, ?)').run(eventId, next.user_id, at);
    this.db.prepare('UPDATE part_event_seats SET taken = taken + 1 WHERE event_id = ?').run(eventId);
    return { cancelled: true, promoted: next.user_id };
  }
  async joinEventWaitlist(eventId: string, userId: string, at: string, capacity: number | null): Promise<'waiting' | 'already' | 'registered' | 'free'> {
    return this.db.transaction(() => {
      this.db.prepare('INSERT INTO part_event_seats (event_id, capacity) VALUES (?, ?) ON CONFLICT DO NOTHING').run(eventId, capacity);
      if (this.db.prepare('SELECT 1 FROM part_event_registrations WHERE event_id = ? AND user_id = ?').get(eventId, userId)) return 'registered' as const;
      const seats = this.db.prepare('SELECT capacity, taken FROM part_event_seats WHERE event_id = ?').get(eventId) as { capacity: number | null; taken: number };
      if (seats.capacity === null || seats.taken < seats.capacity) return 'free' as const;
      return this.db.prepare('INSERT INTO part_event_waitlist (event_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(eventId, userId, at).changes ? 'waiting' as const : 'already' as const;
    }).immediate();
  }
  async promoteEventWaitlist(eventId: string, at: string): Promise<string[]> {
    return this.db.transaction(() => {
      const seats = this.db.prepare('SELECT capacity, taken FROM part_event_seats WHERE event_id = ?').get(eventId) as { capacity: number | null; taken: number } | undefined;
      if (!seats) return [];
      const free = seats.capacity === null ? Number.MAX_SAFE_INTEGER : seats.capacity - seats.taken;
      const next = free > 0 ? this.db.prepare('DELETE FROM part_event_waitlist WHERE seq IN (SELECT seq FROM part_event_waitlist WHERE event_id = ? ORDER BY seq LIMIT ?) RETURNING user_id, seq').all(eventId, Math.min(free, 1_000_000)) as Array<{ user_id: string; seq: number }> : [];
      next.sort((a, b) => a.seq - b.seq);
      for (const n of next) this.db.prepare('INSERT INTO part_event_registrations (event_id, user_id, created_at) VALUES (?, ?, ?)').run(eventId, n.user_id, at);
      if (next.length) this.db.prepare('UPDATE part_event_seats SET taken = taken + ? WHERE event_id = ?').run(next.length, eventId);
      return next.map((n) => n.user_id);
    }).immediate();
  }
  async leaveEventWaitlist(eventId: string, userId: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM part_event_waitlist WHERE event_id = ? AND user_id = ?').run(eventId, userId).changes > 0;
  }
  async eventWaitlistPosition(eventId: string, userId: string): Promise<number | undefined> {
    const r = this.db.prepare('SELECT (SELECT COUNT(*) FROM part_event_waitlist o WHERE o.event_id = w.event_id AND o.seq <= w.seq) AS n FROM part_event_waitlist w WHERE event_id = ? AND user_id = ?').get(eventId, userId) as { n: number } | undefined;
    return r?.n;
  }
  async eventAttendees(eventId: string): Promise<{ registered: Array<{ userId: string; at: string }>; waiting: Array<{ userId: string; at: string }> }> {
    const registered = this.db.prepare('SELECT user_id AS userId, created_at AS at FROM part_event_registrations WHERE event_id = ? ORDER BY created_at, user_id').all(eventId) as Array<{ userId: string; at: string }>;
    const waiting = this.db.prepare('SELECT user_id AS userId, created_at AS at FROM part_event_waitlist WHERE event_id = ? ORDER BY seq').all(eventId) as Array<{ userId: string; at: string }>;
    return { registered, waiting };
  }
  async isRegisteredForEvent(eventId: string, userId: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM part_event_registrations WHERE event_id = ? AND user_id = ?').get(eventId, userId) !== undefined;
  }
  async setEventCapacity(eventId: string, capacity: number | null): Promise<void> {
    try {
      this.db.prepare('INSERT INTO part_event_seats (event_id, capacity) VALUES (?, ?) ON CONFLICT (event_id) DO UPDATE SET capacity = excluded.capacity').run(eventId, capacity);
    } catch (e) {
      if (isConstraint(e)) throw new StorageConflict(`more people are registered for ${eventId} than ${capacity}`, { cause: e });
      throw e;
    }
  }
  async eventRegistrations(eventIds: string[]): Promise<Map<string, number>> {
    const rows = this.db.prepare('SELECT event_id AS id, taken FROM part_event_seats WHERE taken > 0 AND event_id IN (SELECT value FROM json_each(?))').all(JSON.stringify(eventIds)) as Array<{ id: string; taken: number }>;
    return new Map(rows.map((r) => [r.id, r.taken]));
  }
  async moderateComment(id: string, m: Moderation | null): Promise<boolean> {
    return (m
      ? this.db.prepare("UPDATE part_comments SET doc = json_set(doc, '$.moderation', json(?)) WHERE id = ?").run(JSON.stringify(m), id)
      : this.db.prepare("UPDATE part_comments SET doc = json_remove(doc, '$.moderation') WHERE id = ?").run(id)).changes > 0;
  }

  async addSupport(proposalId: string, userId: string, at: string): Promise<boolean> {
    return this.mark(SUPPORTS, proposalId, userId, at);
  }
  async removeSupport(proposalId: string, userId: string): Promise<boolean> {
    return this.unmark(SUPPORTS, proposalId, userId);
  }
  async hasSupport(proposalId: string, userId: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM part_supports WHERE proposal_id = ? AND user_id = ?').get(proposalId, userId) !== undefined;
  }

  async addReport(r: Report): Promise<void> {
    this.db.prepare('INSERT INTO part_reports (id, target_kind, target_id, created_at, resolved_at, doc) VALUES (?, ?, ?, ?, ?, ?)').run(r.id, r.target.kind, r.target.id, r.createdAt, r.resolvedAt ?? null, JSON.stringify(r));
  }
  async openReports(limit: number): Promise<Report[]> {
    return (this.db.prepare('SELECT doc FROM part_reports WHERE resolved_at IS NULL ORDER BY created_at, id LIMIT ?').all(limit) as Array<{ doc: string }>).map((r) => JSON.parse(r.doc));
  }
  async resolveReports(target: Report['target'], at: string): Promise<number> {
    return this.db.prepare("UPDATE part_reports SET resolved_at = ?, doc = json_set(doc, '$.resolvedAt', ?) WHERE target_kind = ? AND target_id = ? AND resolved_at IS NULL").run(at, at, target.kind, target.id).changes;
  }

  async putBlock(b: Block): Promise<void> {
    this.db.prepare('INSERT INTO part_blocks (user_id, doc) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET doc = excluded.doc').run(b.userId, JSON.stringify(b));
  }
  async removeBlock(userId: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM part_blocks WHERE user_id = ?').run(userId).changes > 0;
  }
  async getBlock(userId: string): Promise<Block | undefined> {
    const r = this.db.prepare('SELECT doc FROM part_blocks WHERE user_id = ?').get(userId) as { doc: string } | undefined;
    return r ? JSON.parse(r.doc) : undefined;
  }

  async castBallot(b: Ballot): Promise<void> {
    try {
      this.db.transaction(() => {
        this.db.prepare('INSERT INTO part_ballots (process_slug, user_id, total, budget, created_at) VALUES (?, ?, ?, ?, ?)').run(b.processSlug, b.userId, b.total, b.budget, b.createdAt);
        const item = this.db.prepare('INSERT INTO part_ballot_items (process_slug, user_id, proposal_id, cost) VALUES (?, ?, ?, ?)');
        for (const i of b.items) item.run(b.processSlug, b.userId, i.proposalId, i.cost);
      }).immediate();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'SQLITE_CONSTRAINT_CHECK') throw new BallotRefused('over_budget', { cause: e });
      if (isConstraint(e)) throw new BallotRefused('duplicate', { cause: e });
      throw e;
    }
  }
  async getBallot(processSlug: string, userId: string): Promise<Ballot | undefined> {
    const b = this.db.prepare('SELECT total, budget, created_at FROM part_ballots WHERE process_slug = ? AND user_id = ?').get(processSlug, userId) as { total: number; budget: number; created_at: string } | undefined;
    if (!b) return undefined;
    const items = this.db.prepare('SELECT proposal_id AS proposalId, cost FROM part_ballot_items WHERE process_slug = ? AND user_id = ? ORDER BY proposal_id').all(processSlug, userId) as Ballot['items'];
    return { processSlug, userId, items, total: b.total, budget: b.budget, createdAt: b.created_at };
  }
  async ballotCount(processSlug: string): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM part_ballots WHERE process_slug = ?').get(processSlug) as { n: number }).n;
  }
  async budgetResult(processSlug: string): Promise<BudgetResultRow[]> {
    return this.db.prepare('SELECT proposal_id AS proposalId, COUNT(*) AS votes FROM part_ballot_items WHERE process_slug = ? GROUP BY proposal_id ORDER BY votes DESC, proposal_id').all(processSlug) as BudgetResultRow[];
  }

  async createSurvey(x: Survey): Promise<void> {
    try {
      this.db.prepare('INSERT INTO part_surveys (id, process_slug, created_at, doc) VALUES (?, ?, ?, ?)').run(x.id, x.processSlug, x.createdAt, JSON.stringify(x));
    } catch (e) {
      if (isConstraint(e)) throw new StorageConflict(`survey ${x.id} exists`, { cause: e });
      throw e;
    }
  }
  async updateSurvey(x: Survey): Promise<'updated' | 'answered' | 'missing'> {
    return this.db.transaction(() => {
      const r = this.db.prepare('UPDATE part_surveys SET doc = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM part_survey_answers WHERE survey_id = ?)').run(JSON.stringify(x), x.id, x.id);
      if (r.changes > 0) return 'updated' as const;
      return this.db.prepare('SELECT 1 FROM part_surveys WHERE id = ?').get(x.id) ? 'answered' as const : 'missing' as const;
    }).immediate();
  }
  async publishSurveyResults(id: string, published: boolean, at: string): Promise<boolean> {
    return this.db.prepare("UPDATE part_surveys SET doc = json_set(doc, '$.resultsPublished', json(?), '$.modifiedAt', ?) WHERE id = ?").run(published ? 'true' : 'false', at, id).changes > 0;
  }
  async getSurvey(id: string): Promise<Survey | undefined> {
    const r = this.db.prepare('SELECT doc FROM part_surveys WHERE id = ?').get(id) as { doc: string } | undefined;
    return r ? JSON.parse(r.doc) : undefined;
  }
  async listSurveys(processSlug: string): Promise<Survey[]> {
    return (this.db.prepare('SELECT doc FROM part_surveys WHERE process_slug = ? ORDER BY created_at, id').all(processSlug) as Array<{ doc: string }>).map((r) => JSON.parse(r.doc));
  }
  async addSurveyAnswer(a: SurveyAnswer): Promise<void> {
    try {
      this.db.transaction(() => {
        this.db.prepare('INSERT INTO part_survey_answers (survey_id, user_id, created_at, doc) VALUES (?, ?, ?, ?)').run(a.surveyId, a.userId, a.createdAt, JSON.stringify(a.values));
        const row = this.db.prepare('INSERT INTO part_survey_values (survey_id, user_id, question_id, value, text, first) VALUES (?, ?, ?, ?, ?, ?)');
        for (const v of surveyValueRows(a.values)) row.run(a.surveyId, a.userId, v.questionId, v.value, v.text, v.first);
      }).immediate();
    } catch (e) {
      if (isConstraint(e)) throw new SurveyAnswerRefused({ cause: e });
      throw e;
    }
  }
  async getSurveyAnswer(surveyId: string, userId: string): Promise<SurveyAnswer | undefined> {
    const r = this.db.prepare('SELECT created_at, doc FROM part_survey_answers WHERE survey_id = ? AND user_id = ?').get(surveyId, userId) as { created_at: string; doc: string } | undefined;
    return r ? { surveyId, userId, values: JSON.parse(r.doc), createdAt: r.created_at } : undefined;
  }
  async surveyTally(surveyId: string): Promise<SurveyTally> {
    const respondents = (this.db.prepare('SELECT COUNT(*) AS n FROM part_survey_answers WHERE survey_id = ?').get(surveyId) as { n: number }).n;
    // One pass over the covering index (survey_id, question_id, value, first).
    const groups = this.db.prepare('SELECT question_id AS questionId, value, COUNT(*) AS count, SUM(first) AS firsts FROM part_survey_values WHERE survey_id = ? GROUP BY question_id, value ORDER BY question_id, value').all(surveyId) as Array<{ questionId: string; value: number | null; count: number; firsts: number }>;
    return tallyOf(respondents, groups);
  }
  async surveyAnswerValues(surveyId: string): Promise<Array<SurveyAnswer['values']>> {
    return (this.db.prepare('SELECT doc FROM part_survey_answers WHERE survey_id = ?').all(surveyId) as Array<{ doc: string }>).map((r) => JSON.parse(r.doc));
  }

  async personalData(userId: string) {
    const proposals = (this.db.prepare('SELECT doc, support_count, comment_count FROM part_proposals WHERE author_id = ? ORDER BY created_at, id').all(userId) as ProposalRow[]).map(proposal);
    const comments = (this.db.prepare('SELECT doc, helpful_count FROM part_comments WHERE author_id = ? ORDER BY created_at, id').all(userId) as CommentRow[]).map(comment);
    const commentRatings = this.db.prepare('SELECT comment_id AS commentId, created_at AS at FROM part_comment_ratings WHERE user_id = ? ORDER BY created_at, comment_id').all(userId) as Array<{ commentId: string; at: string }>;
    const eventRegistrations = this.db.prepare('SELECT event_id AS eventId, created_at AS at FROM part_event_registrations WHERE user_id = ? ORDER BY created_at, event_id').all(userId) as Array<{ eventId: string; at: string }>;
    const supports = this.db.prepare('SELECT proposal_id AS proposalId, created_at AS at FROM part_supports WHERE user_id = ? ORDER BY created_at, proposal_id').all(userId) as Array<{ proposalId: string; at: string }>;
    const slugs = (this.db.prepare('SELECT process_slug AS s FROM part_ballots WHERE user_id = ? ORDER BY process_slug').all(userId) as Array<{ s: string }>).map((r) => r.s);
    const ballots: Ballot[] = [];
    for (const slug of slugs) ballots.push((await this.getBallot(slug, userId))!);
    const surveyAnswers = (this.db.prepare('SELECT survey_id, created_at, doc FROM part_survey_answers WHERE user_id = ? ORDER BY created_at, survey_id').all(userId) as Array<{ survey_id: string; created_at: string; doc: string }>)
      .map((r) => ({ surveyId: r.survey_id, userId, values: JSON.parse(r.doc), createdAt: r.created_at }));
    const eventWaitlist = this.db.prepare('SELECT event_id AS eventId, created_at AS at FROM part_event_waitlist WHERE user_id = ? ORDER BY seq').all(userId) as Array<{ eventId: string; at: string }>;
    return { proposals, comments, supports, ballots, surveyAnswers, commentRatings, eventRegistrations, eventWaitlist };
  }
  async anonymiseAuthor(userId: string, name: string, promote?: { at: string; events: readonly string[] }): Promise<{ changed: number; promoted: Array<{ eventId: string; userId: string }> }> {
    return this.db.transaction(() => {
      const a = this.db.prepare("UPDATE part_proposals SET author_id = 'deleted', doc = json_set(doc, '$.authorId', 'deleted', '$.authorName', ?) WHERE author_id = ?").run(name, userId).changes;
      const b = this.db.prepare("UPDATE part_comments SET author_id = 'deleted', doc = json_set(doc, '$.authorId', 'deleted', '$.authorName', ?) WHERE author_id = ?").run(name, userId).changes;
      this.db.prepare("UPDATE part_reports SET doc = json_set(doc, '$.reporterId', 'deleted') WHERE json_extract(doc, '$.reporterId') = ?").run(userId);
      this.db.prepare('DELETE FROM part_blocks WHERE user_id = ?').run(userId);
      // Event registrations are personal data with no public count to keep: cancelled as by the person
      // (the waiting list of an event still open moves up), their seats freed. Off the waiting lists first.
      this.db.prepare('DELETE FROM part_event_waitlist WHERE user_id = ?').run(userId);
      const open = new Set(promote?.events ?? []);
      const promoted: Array<{ eventId: string; userId: string }> = [];
      let e = 0;
      for (const { event_id: ev } of this.db.prepare('SELECT event_id FROM part_event_registrations WHERE user_id = ? ORDER BY event_id').all(userId) as Array<{ event_id: string }>) {
        const r = this.cancelAndPromote(ev, userId, promote?.at ?? '', open.has(ev));
        if (r.cancelled) e++;
        if (r.promoted) promoted.push({ eventId: ev, userId: r.promoted });
      }
      // Survey answers stay counted, each under a random id of its own (the values follow by ON UPDATE CASCADE).
      const c = this.db.prepare("UPDATE part_survey_answers SET user_id = 'deleted:' || lower(hex(randomblob(12))) WHERE user_id = ?").run(userId).changes;
      // What the person followed and how they wanted to be told: personal, nothing public to keep.
      for (const t of ['part_follows', 'part_follow_settings', 'part_digest_items']) this.db.prepare(`DELETE FROM ${t} WHERE user_id = ?`).run(userId);
      return { changed: a + b + c + e, promoted };
    }).immediate();
  }

  async addGuestContribution(g: GuestContribution): Promise<void> {
    try {
      this.db.prepare('INSERT INTO part_guest_contributions (id, kind, guest_id, process_slug, target_id, state, created_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(g.id, g.kind, g.guestId, g.processSlug, g.targetId, g.state, g.createdAt, JSON.stringify(g));
    } catch (e) {
      if (isConstraint(e)) throw new StorageConflict(`guest contribution ${g.id} refused`, { cause: e });
      throw e;
    }
  }
  async getGuestContribution(id: string): Promise<GuestContribution | undefined> {
    const r = this.db.prepare('SELECT doc FROM part_guest_contributions WHERE id = ?').get(id) as { doc: string } | undefined;
    return r ? JSON.parse(r.doc) : undefined;
  }
  async guestContributions(q: { state?: GuestContributionState; guestId?: string; targetId?: string; limit: number }): Promise<GuestContribution[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.state) { where.push('state = ?'); args.push(q.state); }
    if (q.guestId) { where.push('guest_id = ?'); args.push(q.guestId); }
    if (q.targetId) { where.push('target_id = ?'); args.push(q.targetId); }
    const rows = this.db.prepare(`SELECT doc FROM part_guest_contributions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id LIMIT ?`).all(...args, q.limit) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc));
  }
  async decideGuestContribution(id: string, state: 'released' | 'rejected', at: string): Promise<boolean> {
    return this.db.prepare("UPDATE part_guest_contributions SET state = ?, doc = json_set(doc, '$.state', ?, '$.decidedAt', ?) WHERE id = ? AND state = 'pending'").run(state, state, at, id).changes > 0;
  }

  async follow(userId: string, kind: FollowKind, targetId: string, at: string): Promise<boolean> {
    return this.db.prepare('INSERT INTO part_follows (user_id, kind, target_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(userId, kind, targetId, at).changes > 0;
  }
  async unfollow(userId: string, kind: FollowKind, targetId: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM part_follows WHERE user_id = ? AND kind = ? AND target_id = ?').run(userId, kind, targetId).changes > 0;
  }
  async follows(userId: string): Promise<Follow[]> {
    const rows = this.db.prepare('SELECT kind, target_id, created_at FROM part_follows WHERE user_id = ? ORDER BY created_at, kind, target_id').all(userId) as Array<{ kind: FollowKind; target_id: string; created_at: string }>;
    return rows.map((r) => ({ kind: r.kind, targetId: r.target_id, createdAt: r.created_at }));
  }
  async followers(targets: Array<{ kind: FollowKind; id: string }>): Promise<string[]> {
    if (!targets.length) return [];
    const rows = this.db.prepare(`SELECT DISTINCT user_id FROM part_follows WHERE ${targets.map(() => '(kind = ? AND target_id = ?)').join(' OR ')} ORDER BY user_id`)
      .all(...targets.flatMap((t) => [t.kind, t.id])) as Array<{ user_id: string }>;
    return rows.map((r) => r.user_id);
  }
  async setNotifyMode(userId: string, mode: NotifyMode): Promise<void> {
    this.db.prepare('INSERT INTO part_follow_settings (user_id, mode) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode').run(userId, mode);
  }
  async notifyModes(userIds: string[]): Promise<Map<string, NotifyMode>> {
    const out = new Map<string, NotifyMode>(userIds.map((u) => [u, 'immediate']));
    if (!userIds.length) return out;
    const rows = this.db.prepare(`SELECT user_id, mode FROM part_follow_settings WHERE user_id IN (${userIds.map(() => '?').join(', ')})`).all(...userIds) as Array<{ user_id: string; mode: NotifyMode }>;
    for (const r of rows) out.set(r.user_id, r.mode);
    return out;
  }
  async queueDigest(userId: string, line: string, at: string): Promise<void> {
    this.db.prepare('INSERT INTO part_digest_items (user_id, created_at, line) VALUES (?, ?, ?)').run(userId, at, line);
  }
  async takeDigests(): Promise<Map<string, string[]>> {
    return this.db.transaction(() => {
      const rows = this.db.prepare('SELECT id, user_id, line FROM part_digest_items ORDER BY user_id, id').all() as Array<{ id: number; user_id: string; line: string }>;
      if (rows.length) this.db.prepare('DELETE FROM part_digest_items WHERE id <= ?').run(Math.max(...rows.map((r) => r.id)));
      const out = new Map<string, string[]>();
      for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.line]);
      return out;
    }).immediate();
  }
  async addJob(j: { id: string; kind: string; payload: unknown; createdAt: string }): Promise<void> {
    this.db.prepare('INSERT INTO part_jobs (id, kind, payload, created_at) VALUES (?, ?, ?, ?)').run(j.id, j.kind, JSON.stringify(j.payload), j.createdAt);
  }
  async claimJobs(now: string, until: string, limit: number): Promise<PendingJob[]> {
    // One IMMEDIATE transaction: the writer lock gives each job to one connection of the file.
    return this.db.transaction(() => {
      const rows = this.db.prepare('SELECT id, kind, payload, created_at, attempts FROM part_jobs WHERE claimed_until IS NULL OR claimed_until < ? ORDER BY created_at, id LIMIT ?')
        .all(now, limit) as Array<{ id: string; kind: string; payload: string; created_at: string; attempts: number }>;
      const claim = this.db.prepare('UPDATE part_jobs SET claimed_until = ?, attempts = attempts + 1 WHERE id = ?');
      for (const r of rows) claim.run(until, r.id);
      return rows.map((r) => ({ id: r.id, kind: r.kind, payload: JSON.parse(r.payload) as unknown, createdAt: r.created_at, attempts: r.attempts + 1 }));
    }).immediate();
  }
  async removeJob(id: string): Promise<void> {
    this.db.prepare('DELETE FROM part_jobs WHERE id = ?').run(id);
  }
  async jobCount(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM part_jobs').get() as { n: number }).n;
  }
  async claimMark(key: string, at: string, windowS: number): Promise<boolean> {
    const cutoff = new Date(Date.parse(at) - windowS * 1000).toISOString();
    return this.db.prepare('INSERT INTO part_mail_marks (key, at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET at = excluded.at WHERE part_mail_marks.at <= ?').run(key, at, cutoff).changes > 0;
  }
  async takeGuestQuota(key: string, at: string, max: number, windowS: number): Promise<number> {
    const cutoff = new Date(Date.parse(at) - windowS * 1000).toISOString();
    // One IMMEDIATE transaction: the writer lock orders counts from every connection to the file.
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM part_guest_hits WHERE at <= ?').run(cutoff);
      const r = this.db.prepare('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM part_guest_hits WHERE key = ?').get(key) as { n: number; oldest: string | null };
      if (r.n >= max) return Math.max(1, Math.ceil((Date.parse(r.oldest!) - Date.parse(cutoff)) / 1000));
      this.db.prepare('INSERT INTO part_guest_hits (key, at) VALUES (?, ?)').run(key, at);
      return 0;
    }).immediate();
  }
  async secret(name: string): Promise<string> {
    this.db.prepare('INSERT INTO part_secrets (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING').run(name, randomBytes(32).toString('base64url'));
    return (this.db.prepare('SELECT value FROM part_secrets WHERE name = ?').get(name) as { value: string }).value;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

