// The participation store on PostgreSQL: tables in the broker's schema (prefixed part_), its own
// small pool and its own migration table (under an advisory lock), so the module evolves without
// the broker's migrations. Counters change in the same statement or transaction as what they count.
import pg from 'pg';
import { PostgresProposalImages } from './images.postgres.ts';
import { PostgresVerifications } from './verification.postgres.ts';
import { RATINGS, SUPPORTS, type CountedMark } from '../participation.marks.ts';
import { inTransaction, openModulePool, type ModuleMigrations } from '../../storage/modules/postgres/module-store.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { Ballot, Block, BudgetResultRow, Comment, CommentTarget, Moderation, OfficialAnswer, Process, ProcessCounts, Proposal, Report, Survey, SurveyAnswer, SurveyTally } from '../participation.model.ts';
import type { Follow, FollowKind, GuestContribution, GuestContributionState, NotifyMode } from '../guests-follows.model.ts';
import { randomBytes } from 'node:crypto';
import type { ParticipationStore, PendingJob, ProposalEdit, ProposalQuery } from '../participation.port.ts';
import { BallotRefused, SurveyAnswerRefused, firstStart, surveyValueRows, tallyOf } from '../participation.port-util.ts';

/** This module's migrations; the advisory lock makes one node migrate at a time. */
const MIGRATIONS: ModuleMigrations = {
  module: 'participation', table: 'part_migrations', lock: '8097880818366638448',
  dir: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
};

export interface PgParticipationOptions {
  url: string;
  schema: string;
  poolSize?: number;
}

type ProposalRow = { doc: Proposal & { stateBeforeHiding?: string }; support_count: number; comment_count: number };
const proposal = (r: ProposalRow): Proposal => {
  const { stateBeforeHiding, ...doc } = r.doc;
  void stateBeforeHiding;
  return { ...doc, supportCount: r.support_count, commentCount: r.comment_count };
};
const docOf = (p: Proposal) => { const { supportCount, commentCount, ...rest } = p; void supportCount; void commentCount; return JSON.stringify(rest); };
const P_COLS = 'doc, support_count, comment_count';

export class PostgresParticipationStore implements ParticipationStore {
  readonly engine = 'postgres' as const;
  readonly images: PostgresProposalImages;
  readonly verifications: PostgresVerifications;
  private constructor(private readonly pool: pg.Pool, readonly schema: string) { this.images = new PostgresProposalImages(pool); this.verifications = new PostgresVerifications(pool); }

  static async open(o: PgParticipationOptions): Promise<PostgresParticipationStore> {
    const pool = await openModulePool(MIGRATIONS, o, 4);
    return new PostgresParticipationStore(pool, o.schema);
  }

  private async docs<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows.map((r: { doc: T }) => r.doc);
  }
  private async changed(sql: string, params: unknown[]): Promise<number> {
    return (await this.pool.query(sql, params)).rowCount ?? 0;
  }
  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

  async createProcess(p: Process): Promise<void> {
    try {
      await this.pool.query('INSERT INTO part_processes (slug, first_start, doc) VALUES ($1, $2, $3)', [p.slug, firstStart(p), JSON.stringify(p)]);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new StorageConflict(`process ${p.slug} exists`, { cause: e });
      throw e;
    }
  }
  async updateProcess(p: Process): Promise<void> {
    if (await this.changed('UPDATE part_processes SET first_start = $1, doc = $2 WHERE slug = $3', [firstStart(p), JSON.stringify(p), p.slug]) === 0) {
      throw new StorageNotFound(`process ${p.slug} does not exist`);
    }
  }
  async getProcess(slug: string): Promise<Process | undefined> {
    return (await this.docs<Process>('SELECT doc FROM part_processes WHERE slug = $1', [slug]))[0];
  }
  listProcesses(): Promise<Process[]> {
    return this.docs('SELECT doc FROM part_processes ORDER BY first_start COLLATE "C" DESC, slug COLLATE "C"');
  }

  async createProposal(p: Proposal): Promise<void> {
    try {
      await this.pool.query('INSERT INTO part_proposals (id, process_slug, author_id, state, category, title, created_at, support_count, comment_count, lon, lat, cost, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)',
        [p.id, p.processSlug, p.authorId, p.state, p.category ?? null, p.title, p.createdAt, p.supportCount, p.commentCount, p.point?.[0] ?? null, p.point?.[1] ?? null, p.cost ?? null, docOf(p)]);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new StorageConflict(`proposal ${p.id} exists`, { cause: e });
      throw e;
    }
  }
  async getProposal(id: string): Promise<Proposal | undefined> {
    const r = (await this.pool.query<ProposalRow>(`SELECT ${P_COLS} FROM part_proposals WHERE id = $1`, [id])).rows[0];
    return r ? proposal(r) : undefined;
  }
  async listProposals(qq: ProposalQuery): Promise<{ items: Proposal[]; total: number }> {
    const args: unknown[] = [qq.processSlug, qq.states ?? ['published']];
    const where = ['process_slug = $1', 'state = ANY($2)'];
    if (qq.category !== undefined) { args.push(qq.category); where.push(`category = $${args.length}`); }
    if (qq.text) { args.push(qq.text); where.push(`strpos(lower(title), lower($${args.length})) > 0`); }
    const order = qq.sort === 'supports' ? 'support_count DESC, created_at COLLATE "C" DESC, id COLLATE "C" DESC'
      : qq.sort === 'comments' ? 'comment_count DESC, created_at COLLATE "C" DESC, id COLLATE "C" DESC' : 'created_at COLLATE "C" DESC, id COLLATE "C" DESC';
    const w = where.join(' AND ');
    const [items, total] = await Promise.all([
      this.pool.query<ProposalRow>(`SELECT ${P_COLS} FROM part_proposals WHERE ${w} ORDER BY ${order} LIMIT $${args.length + 1} OFFSET $${args.length + 2}`, [...args, qq.limit, qq.offset]),
      this.pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM part_proposals WHERE ${w}`, args),
    ]);
    return { items: items.rows.map(proposal), total: Number(total.rows[0]!.n) };
  }
  async proposalPoints(processSlug: string, limit: number): Promise<Array<{ id: string; title: string; point: [number, number] }>> {
    const rows = (await this.pool.query<{ id: string; title: string; lon: number; lat: number }>("SELECT id, title, lon, lat FROM part_proposals WHERE process_slug = $1 AND state = 'published' AND lon IS NOT NULL ORDER BY created_at COLLATE \"C\" DESC, id COLLATE \"C\" LIMIT $2", [processSlug, limit])).rows;
    return rows.map((r) => ({ id: r.id, title: r.title, point: [r.lon, r.lat] as [number, number] }));
  }
  async processCounts(): Promise<Map<string, ProcessCounts>> {
    const rows = (await this.pool.query<{ slug: string; proposals: string; comments: string; supports: string }>("SELECT process_slug AS slug, COUNT(*) AS proposals, SUM(comment_count) AS comments, SUM(support_count) AS supports FROM part_proposals WHERE state = 'published' GROUP BY process_slug")).rows;
    return new Map(rows.map((r) => [r.slug, { proposals: Number(r.proposals), comments: Number(r.comments), supports: Number(r.supports) }]));
  }
  async costedProposals(processSlug: string): Promise<Array<{ id: string; title: string; cost: number }>> {
    const rows = (await this.pool.query<{ id: string; title: string; cost: string }>("SELECT id, title, cost FROM part_proposals WHERE process_slug = $1 AND state = 'published' AND cost IS NOT NULL ORDER BY title COLLATE \"C\", id COLLATE \"C\"", [processSlug])).rows;
    return rows.map((r) => ({ id: r.id, title: r.title, cost: Number(r.cost) }));
  }
  async editProposal(id: string, authorId: string, e: ProposalEdit): Promise<boolean> {
    const patch: Record<string, unknown> = { title: e.title, body: e.body, modifiedAt: e.modifiedAt };
    if (e.category !== undefined) patch.category = e.category;
    if (e.point !== undefined) patch.point = e.point;
    return await this.changed(`UPDATE part_proposals SET title = $1, category = $2, lon = $6, lat = $7, doc = (doc - 'category' - 'point') || $3::jsonb
      WHERE id = $4 AND author_id = $5 AND state = 'published' AND support_count = 0 AND comment_count = 0`, [e.title, e.category ?? null, JSON.stringify(patch), id, authorId, e.point?.[0] ?? null, e.point?.[1] ?? null]) > 0;
  }
  async withdrawProposal(id: string, authorId: string, at: string): Promise<boolean> {
    return await this.changed("UPDATE part_proposals SET state = 'withdrawn', doc = doc || jsonb_build_object('state', 'withdrawn', 'modifiedAt', $1::text) WHERE id = $2 AND author_id = $3 AND state = 'published'", [at, id, authorId]) > 0;
  }
  async moderateProposal(id: string, m: Moderation | null): Promise<boolean> {
    // Restoring gives back the state before hiding: withdrawn stays withdrawn.
    return (m
      ? await this.changed(`UPDATE part_proposals SET state = 'hidden', doc = doc || jsonb_build_object('state', 'hidden', 'moderation', $1::jsonb,
          'stateBeforeHiding', CASE WHEN state = 'hidden' THEN doc->>'stateBeforeHiding' ELSE state END) WHERE id = $2`, [JSON.stringify(m), id])
      : await this.changed(`UPDATE part_proposals SET state = COALESCE(doc->>'stateBeforeHiding', 'published'),
          doc = (doc - 'moderation' - 'stateBeforeHiding') || jsonb_build_object('state', COALESCE(doc->>'stateBeforeHiding', 'published')) WHERE id = $1 AND state = 'hidden'`, [id])) > 0;
  }
  async setAnswer(id: string, a: OfficialAnswer): Promise<boolean> {
    return await this.changed("UPDATE part_proposals SET doc = jsonb_set(doc, '{answer}', $1::jsonb) WHERE id = $2", [JSON.stringify(a), id]) > 0;
  }
  async setCost(id: string, cost: number | null): Promise<boolean> {
    return (cost === null
      ? await this.changed("UPDATE part_proposals SET cost = NULL, doc = doc - 'cost' WHERE id = $1", [id])
      : await this.changed("UPDATE part_proposals SET cost = $1, doc = jsonb_set(doc, '{cost}', to_jsonb($1::bigint)) WHERE id = $2", [cost, id])) > 0;
  }

  async addComment(c: Comment): Promise<void> {
    await this.tx(async (cl) => {
      await cl.query('INSERT INTO part_comments (id, target_kind, target_id, author_id, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6)', [c.id, c.target.kind, c.target.id, c.authorId, c.createdAt, JSON.stringify(c)]);
      if (c.target.kind === 'proposal') await cl.query('UPDATE part_proposals SET comment_count = comment_count + 1 WHERE id = $1', [c.target.id]);
    });
  }
  private async comments(sql: string, params: unknown[]): Promise<Comment[]> {
    return (await this.pool.query<{ doc: Comment; helpful_count: number }>(sql, params)).rows.map((r) => ({ ...r.doc, helpfulCount: r.helpful_count }));
  }
  async getComment(id: string): Promise<Comment | undefined> {
    return (await this.comments('SELECT doc, helpful_count FROM part_comments WHERE id = $1', [id]))[0];
  }
  listComments(target: CommentTarget, limit: number): Promise<Comment[]> {
    return this.comments('SELECT doc, helpful_count FROM part_comments WHERE target_kind = $1 AND target_id = $2 ORDER BY created_at COLLATE "C", id COLLATE "C" LIMIT $3', [target.kind, target.id, limit]);
  }
  processComments(processSlug: string, limit: number): Promise<Comment[]> {
    return this.comments(`SELECT c.doc, c.helpful_count FROM part_comments c JOIN part_proposals p ON p.id = c.target_id
      WHERE c.target_kind = 'proposal' AND p.process_slug = $1 AND p.state = 'published' ORDER BY c.created_at COLLATE "C", c.id COLLATE "C" LIMIT $2`, [processSlug, limit]);
  }
  /**
   * Adds one person's mark (support, rating) and counts it in one statement: the insert either happens (and is
   * counted) or meets the primary key. False when it was there.
   */
  private async mark(m: CountedMark, target: string, userId: string, at: string): Promise<boolean> {
    const r = await this.pool.query<{ n: string }>(`WITH ins AS (INSERT INTO ${m.marks} (${m.key}, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1),
      upd AS (UPDATE ${m.counter} SET ${m.count} = ${m.count} + 1 WHERE ${m.counterKey} = $1 AND EXISTS (SELECT 1 FROM ins) RETURNING 1)
      SELECT (SELECT COUNT(*) FROM ins) AS n`, [target, userId, at]);
    return Number(r.rows[0]!.n) > 0;
  }
  /** Removes one person's mark and uncounts it in one statement; false when there was none. */
  private async unmark(m: CountedMark, target: string, userId: string): Promise<boolean> {
    const r = await this.pool.query<{ n: string }>(`WITH del AS (DELETE FROM ${m.marks} WHERE ${m.key} = $1 AND user_id = $2 RETURNING 1),
      upd AS (UPDATE ${m.counter} SET ${m.count} = ${m.count} - 1 WHERE ${m.counterKey} = $1 AND EXISTS (SELECT 1 FROM del) RETURNING 1)
      SELECT (SELECT COUNT(*) FROM del) AS n`, [target, userId]);
    return Number(r.rows[0]!.n) > 0;
  }
  rateComment(commentId: string, userId: string, at: string): Promise<boolean> {
    return this.mark(RATINGS, commentId, userId, at);
  }
  unrateComment(commentId: string, userId: string): Promise<boolean> {
    return this.unmark(RATINGS, commentId, userId);
  }
  async ratedComments(userId: string, commentIds: string[]): Promise<Set<string>> {
    const rows = (await this.pool.query<{ id: string }>('SELECT comment_id AS id FROM part_comment_ratings WHERE user_id = $1 AND comment_id = ANY($2::text[])', [userId, commentIds])).rows;
    return new Set(rows.map((r) => r.id));
  }

  async registerForEvent(eventId: string, userId: string, at: string, capacity: number | null): Promise<'registered' | 'already' | 'full'> {
    try {
      return await this.tx(async (c) => {
        await c.query('INSERT INTO part_event_seats (event_id, capacity) VALUES ($1, $2) ON CONFLICT DO NOTHING', [eventId, capacity]);
        if (((await c.query('INSERT INTO part_event_registrations (event_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [eventId, userId, at])).rowCount ?? 0) === 0) return 'already' as const;
        // The row lock orders concurrent registrations; the CHECK (taken <= capacity) refuses the seat beyond the last.
        await c.query('UPDATE part_event_seats SET taken = taken + 1 WHERE event_id = $1', [eventId]);
        return 'registered' as const;
      });
    } catch (e) {
      if ((e as { code?: string }).code === '23514') return 'full';
      throw e;
    }
  }
  async cancelEventRegistration(eventId: string, userId: string): Promise<boolean> {
    return (await this.cancelEventRegistrationAndPromote(eventId, userId, new Date().toISOString())).cancelled;
  }
  cancelEventRegistrationAndPromote(eventId: string, userId: string, at: string): Promise<{ cancelled: boolean; promoted?: string }> {
    return this.tx((c) => this.cancelAndPromote(c, eventId, userId, at, true));
  }
  /** Cancels one registration and (with `promote`) gives the seat to the first waiting person; inside a transaction. */
  private async cancelAndPromote(c: pg.PoolClient, eventId: string, userId: string, at: string, promote: boolean): Promise<{ cancelled: boolean; promoted?: string }> {
    // The seats row's lock (taken by the UPDATE) orders cancellations of one event; each later statement
    // (READ COMMITTED) then sees the waiting list as the previous cancellation left it.
    const del = await c.query('DELETE FROM part_event_registrations WHERE event_id = $1 AND user_id = $2', [eventId, userId]);
    if (!del.rowCount) return { cancelled: false };
    await c.query('UPDATE part_event_seats SET taken = taken - 1 WHERE event_id = $1', [eventId]);
    if (!promote) return { cancelled: true };
    const next = (await c.query<{ user_id: string }>('DELETE FROM part_event_waitlist WHERE seq = (SELECT seq FROM part_event_waitlist WHERE event_id = $1 ORDER BY seq LIMIT 1) RETURNING user_id', [eventId])).rows[0];
    if (!next) return { cancelled: true };
    await c.query('INSERT INTO part_event_registrations (event_id, user_id, created_at) VALUES ($1, $2, $3)', [eventId, next.user_id, at]);
    await c.query('UPDATE part_event_seats SET taken = taken + 1 WHERE event_id = $1', [eventId]);
    return { cancelled: true, promoted: next.user_id };
  }
  joinEventWaitlist(eventId: string, userId: string, at: string, capacity: number | null): Promise<'waiting' | 'already' | 'registered' | 'free'> {
    return this.tx(async (c) => {
      await c.query('INSERT INTO part_event_seats (event_id, capacity) VALUES ($1, $2) ON CONFLICT DO NOTHING', [eventId, capacity]);
      // Locked: a cancellation cannot free a seat between this look and the insert below.
      const seats = (await c.query<{ capacity: number | null; taken: number }>('SELECT capacity, taken FROM part_event_seats WHERE event_id = $1 FOR UPDATE', [eventId])).rows[0]!;
      if ((await c.query('SELECT 1 FROM part_event_registrations WHERE event_id = $1 AND user_id = $2', [eventId, userId])).rowCount) return 'registered' as const;
      if (seats.capacity === null || seats.taken < seats.capacity) return 'free' as const;
      const ins = await c.query('INSERT INTO part_event_waitlist (event_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [eventId, userId, at]);
      return ins.rowCount ? 'waiting' as const : 'already' as const;
    });
  }
  promoteEventWaitlist(eventId: string, at: string): Promise<string[]> {
    return this.tx(async (c) => {
      const seats = (await c.query<{ capacity: number | null; taken: number }>('SELECT capacity, taken FROM part_event_seats WHERE event_id = $1 FOR UPDATE', [eventId])).rows[0];
      if (!seats) return [];
      const free = seats.capacity === null ? 1_000_000 : seats.capacity - seats.taken;
      if (free <= 0) return [];
      const next = (await c.query<{ user_id: string; seq: string }>('DELETE FROM part_event_waitlist WHERE seq IN (SELECT seq FROM part_event_waitlist WHERE event_id = $1 ORDER BY seq LIMIT $2) RETURNING user_id, seq', [eventId, free])).rows
        .sort((a, b) => Number(a.seq) - Number(b.seq));
      if (!next.length) return [];
      await c.query('INSERT INTO part_event_registrations (event_id, user_id, created_at) SELECT $1, u, $3 FROM unnest($2::text[]) AS u', [eventId, next.map((n) => n.user_id), at]);
      await c.query('UPDATE part_event_seats SET taken = taken + $2 WHERE event_id = $1', [eventId, next.length]);
      return next.map((n) => n.user_id);
    });
  }
  async leaveEventWaitlist(eventId: string, userId: string): Promise<boolean> {
    return await this.changed('DELETE FROM part_event_waitlist WHERE event_id = $1 AND user_id = $2', [eventId, userId]) > 0;
  }
  async eventWaitlistPosition(eventId: string, userId: string): Promise<number | undefined> {
    const r = (await this.pool.query<{ n: number }>('SELECT (SELECT COUNT(*)::int FROM part_event_waitlist o WHERE o.event_id = w.event_id AND o.seq <= w.seq) AS n FROM part_event_waitlist w WHERE event_id = $1 AND user_id = $2', [eventId, userId])).rows[0];
    return r?.n;
  }
  async eventAttendees(eventId: string): Promise<{ registered: Array<{ userId: string; at: string }>; waiting: Array<{ userId: string; at: string }> }> {
    const registered = (await this.pool.query<{ userId: string; at: string }>('SELECT user_id AS "userId", created_at AS at FROM part_event_registrations WHERE event_id = $1 ORDER BY created_at COLLATE "C", user_id COLLATE "C"', [eventId])).rows;
    const waiting = (await this.pool.query<{ userId: string; at: string }>('SELECT user_id AS "userId", created_at AS at FROM part_event_waitlist WHERE event_id = $1 ORDER BY seq', [eventId])).rows;
    return { registered, waiting };
  }
  async isRegisteredForEvent(eventId: string, userId: string): Promise<boolean> {
    return ((await this.pool.query('SELECT 1 FROM part_event_registrations WHERE event_id = $1 AND user_id = $2', [eventId, userId])).rowCount ?? 0) > 0;
  }
  async setEventCapacity(eventId: string, capacity: number | null): Promise<void> {
    try {
      await this.pool.query('INSERT INTO part_event_seats (event_id, capacity) VALUES ($1, $2) ON CONFLICT (event_id) DO UPDATE SET capacity = excluded.capacity', [eventId, capacity]);
    } catch (e) {
      if ((e as { code?: string }).code === '23514') throw new StorageConflict(`more people are registered for ${eventId} than ${capacity}`, { cause: e });
      throw e;
    }
  }
  async eventRegistrations(eventIds: string[]): Promise<Map<string, number>> {
    const rows = (await this.pool.query<{ id: string; taken: number }>('SELECT event_id AS id, taken FROM part_event_seats WHERE taken > 0 AND event_id = ANY($1::text[])', [eventIds])).rows;
    return new Map(rows.map((r) => [r.id, Number(r.taken)]));
  }
  async moderateComment(id: string, m: Moderation | null): Promise<boolean> {
    return (m
      ? await this.changed("UPDATE part_comments SET doc = jsonb_set(doc, '{moderation}', $1::jsonb) WHERE id = $2", [JSON.stringify(m), id])
      : await this.changed("UPDATE part_comments SET doc = doc - 'moderation' WHERE id = $1", [id])) > 0;
  }

  addSupport(proposalId: string, userId: string, at: string): Promise<boolean> {
    return this.mark(SUPPORTS, proposalId, userId, at);
  }
  removeSupport(proposalId: string, userId: string): Promise<boolean> {
    return this.unmark(SUPPORTS, proposalId, userId);
  }
  async hasSupport(proposalId: string, userId: string): Promise<boolean> {
    return ((await this.pool.query('SELECT 1 FROM part_supports WHERE proposal_id = $1 AND user_id = $2', [proposalId, userId])).rowCount ?? 0) > 0;
  }

  async addReport(r: Report): Promise<void> {
    await this.pool.query('INSERT INTO part_reports (id, target_kind, target_id, created_at, resolved_at, doc) VALUES ($1, $2, $3, $4, $5, $6)', [r.id, r.target.kind, r.target.id, r.createdAt, r.resolvedAt ?? null, JSON.stringify(r)]);
  }
  openReports(limit: number): Promise<Report[]> {
    return this.docs('SELECT doc FROM part_reports WHERE resolved_at IS NULL ORDER BY created_at COLLATE "C", id COLLATE "C" LIMIT $1', [limit]);
  }
  resolveReports(target: Report['target'], at: string): Promise<number> {
    return this.changed("UPDATE part_reports SET resolved_at = $1, doc = doc || jsonb_build_object('resolvedAt', $1::text) WHERE target_kind = $2 AND target_id = $3 AND resolved_at IS NULL", [at, target.kind, target.id]);
  }

  async putBlock(b: Block): Promise<void> {
    await this.pool.query('INSERT INTO part_blocks (user_id, doc) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET doc = excluded.doc', [b.userId, JSON.stringify(b)]);
  }
  async removeBlock(userId: string): Promise<boolean> {
    return await this.changed('DELETE FROM part_blocks WHERE user_id = $1', [userId]) > 0;
  }
  async getBlock(userId: string): Promise<Block | undefined> {
    return (await this.docs<Block>('SELECT doc FROM part_blocks WHERE user_id = $1', [userId]))[0];
  }

  async castBallot(b: Ballot): Promise<void> {
    try {
      await this.tx(async (c) => {
        await c.query('INSERT INTO part_ballots (process_slug, user_id, total, budget, created_at) VALUES ($1, $2, $3, $4, $5)', [b.processSlug, b.userId, b.total, b.budget, b.createdAt]);
        for (const i of b.items) await c.query('INSERT INTO part_ballot_items (process_slug, user_id, proposal_id, cost) VALUES ($1, $2, $3, $4)', [b.processSlug, b.userId, i.proposalId, i.cost]);
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === '23514') throw new BallotRefused('over_budget', { cause: e });
      if (code === '23505') throw new BallotRefused('duplicate', { cause: e });
      throw e;
    }
  }
  async getBallot(processSlug: string, userId: string): Promise<Ballot | undefined> {
    const b = (await this.pool.query<{ total: string; budget: string; created_at: string }>('SELECT total, budget, created_at FROM part_ballots WHERE process_slug = $1 AND user_id = $2', [processSlug, userId])).rows[0];
    if (!b) return undefined;
    const items = (await this.pool.query<{ proposalId: string; cost: number }>('SELECT proposal_id AS "proposalId", cost FROM part_ballot_items WHERE process_slug = $1 AND user_id = $2 ORDER BY proposal_id COLLATE "C"', [processSlug, userId])).rows;
    return { processSlug, userId, items, total: Number(b.total), budget: Number(b.budget), createdAt: b.created_at };
  }
  async ballotCount(processSlug: string): Promise<number> {
    return Number((await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM part_ballots WHERE process_slug = $1', [processSlug])).rows[0]!.n);
  }
  async budgetResult(processSlug: string): Promise<BudgetResultRow[]> {
    const rows = (await this.pool.query<{ proposalId: string; votes: string }>('SELECT proposal_id AS "proposalId", COUNT(*) AS votes FROM part_ballot_items WHERE process_slug = $1 GROUP BY proposal_id ORDER BY votes DESC, proposal_id COLLATE "C"', [processSlug])).rows;
    return rows.map((r) => ({ proposalId: r.proposalId, votes: Number(r.votes) }));
  }

  async createSurvey(x: Survey): Promise<void> {
    try {
      await this.pool.query('INSERT INTO part_surveys (id, process_slug, created_at, doc) VALUES ($1, $2, $3, $4)', [x.id, x.processSlug, x.createdAt, JSON.stringify(x)]);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new StorageConflict(`survey ${x.id} exists`, { cause: e });
      throw e;
    }
  }
  async updateSurvey(x: Survey): Promise<'updated' | 'answered' | 'missing'> {
    // The survey's row is locked first, so an answer cannot arrive between the check and the update.
    return this.tx(async (c) => {
      const row = (await c.query('SELECT 1 FROM part_surveys WHERE id = $1 FOR UPDATE', [x.id])).rowCount ?? 0;
      if (row === 0) return 'missing' as const;
      const r = await c.query('UPDATE part_surveys SET doc = $1 WHERE id = $2 AND NOT EXISTS (SELECT 1 FROM part_survey_answers WHERE survey_id = $2)', [JSON.stringify(x), x.id]);
      return (r.rowCount ?? 0) > 0 ? 'updated' as const : 'answered' as const;
    });
  }
  async publishSurveyResults(id: string, published: boolean, at: string): Promise<boolean> {
    return await this.changed("UPDATE part_surveys SET doc = doc || jsonb_build_object('resultsPublished', $1::boolean, 'modifiedAt', $2::text) WHERE id = $3", [published, at, id]) > 0;
  }
  async getSurvey(id: string): Promise<Survey | undefined> {
    return (await this.docs<Survey>('SELECT doc FROM part_surveys WHERE id = $1', [id]))[0];
  }
  listSurveys(processSlug: string): Promise<Survey[]> {
    return this.docs('SELECT doc FROM part_surveys WHERE process_slug = $1 ORDER BY created_at COLLATE "C", id COLLATE "C"', [processSlug]);
  }
  async addSurveyAnswer(a: SurveyAnswer): Promise<void> {
    try {
      await this.tx(async (c) => {
        // A share lock on the survey's row: a change of its questions waits for the answer, and the other way round.
        await c.query('SELECT 1 FROM part_surveys WHERE id = $1 FOR SHARE', [a.surveyId]);
        await c.query('INSERT INTO part_survey_answers (survey_id, user_id, created_at, doc) VALUES ($1, $2, $3, $4)', [a.surveyId, a.userId, a.createdAt, JSON.stringify(a.values)]);
        const rows = surveyValueRows(a.values);
        if (rows.length) {
          await c.query(`INSERT INTO part_survey_values (survey_id, user_id, question_id, value, text, first)
            SELECT $1, $2, q, v, t, f FROM unnest($3::text[], $4::int[], $5::text[], $6::smallint[]) AS x(q, v, t, f)`, [a.surveyId, a.userId, rows.map((r) => r.questionId), rows.map((r) => r.value), rows.map((r) => r.text), rows.map((r) => r.first)]);
        }
      });
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new SurveyAnswerRefused({ cause: e });
      throw e;
    }
  }
  async getSurveyAnswer(surveyId: string, userId: string): Promise<SurveyAnswer | undefined> {
    const r = (await this.pool.query<{ created_at: string; doc: SurveyAnswer['values'] }>('SELECT created_at, doc FROM part_survey_answers WHERE survey_id = $1 AND user_id = $2', [surveyId, userId])).rows[0];
    return r ? { surveyId, userId, values: r.doc, createdAt: r.created_at } : undefined;
  }
  async surveyTally(surveyId: string): Promise<SurveyTally> {
    const [n, groups] = await Promise.all([
      this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM part_survey_answers WHERE survey_id = $1', [surveyId]),
      this.pool.query<{ questionId: string; value: number | null; count: string; firsts: string }>('SELECT question_id AS "questionId", value, COUNT(*) AS count, SUM(first) AS firsts FROM part_survey_values WHERE survey_id = $1 GROUP BY question_id, value ORDER BY question_id COLLATE "C", value', [surveyId]),
    ]);
    return tallyOf(Number(n.rows[0]!.n), groups.rows.map((r) => ({ questionId: r.questionId, value: r.value, count: Number(r.count), firsts: Number(r.firsts) })));
  }
  async surveyAnswerValues(surveyId: string): Promise<Array<SurveyAnswer['values']>> {
    return this.docs('SELECT doc FROM part_survey_answers WHERE survey_id = $1', [surveyId]);
  }

  async personalData(userId: string) {
    const proposals = (await this.pool.query<ProposalRow>(`SELECT ${P_COLS} FROM part_proposals WHERE author_id = $1 ORDER BY created_at COLLATE "C", id COLLATE "C"`, [userId])).rows.map(proposal);
    const comments = await this.comments('SELECT doc, helpful_count FROM part_comments WHERE author_id = $1 ORDER BY created_at COLLATE "C", id COLLATE "C"', [userId]);
    const commentRatings = (await this.pool.query<{ commentId: string; at: string }>('SELECT comment_id AS "commentId", created_at AS at FROM part_comment_ratings WHERE user_id = $1 ORDER BY created_at COLLATE "C", comment_id COLLATE "C"', [userId])).rows;
    const eventRegistrations = (await this.pool.query<{ eventId: string; at: string }>('SELECT event_id AS "eventId", created_at AS at FROM part_event_registrations WHERE user_id = $1 ORDER BY created_at COLLATE "C", event_id COLLATE "C"', [userId])).rows;
    const supports = (await this.pool.query<{ proposalId: string; at: string }>('SELECT proposal_id AS "proposalId", created_at AS at FROM part_supports WHERE user_id = $1 ORDER BY created_at COLLATE "C", proposal_id COLLATE "C"', [userId])).rows;
    const slugs = (await this.pool.query<{ s: string }>('SELECT process_slug AS s FROM part_ballots WHERE user_id = $1 ORDER BY process_slug COLLATE "C"', [userId])).rows.map((r) => r.s);
    const ballots: Ballot[] = [];
    for (const slug of slugs) ballots.push((await this.getBallot(slug, userId))!);
    const surveyAnswers = (await this.pool.query<{ survey_id: string; created_at: string; doc: SurveyAnswer['values'] }>('SELECT survey_id, created_at, doc FROM part_survey_answers WHERE user_id = $1 ORDER BY created_at COLLATE "C", survey_id COLLATE "C"', [userId])).rows
      .map((r) => ({ surveyId: r.survey_id, userId, values: r.doc, createdAt: r.created_at }));
    const eventWaitlist = (await this.pool.query<{ eventId: string; at: string }>('SELECT event_id AS "eventId", created_at AS at FROM part_event_waitlist WHERE user_id = $1 ORDER BY seq', [userId])).rows;
    return { proposals, comments, supports, ballots, surveyAnswers, commentRatings, eventRegistrations, eventWaitlist };
  }
  anonymiseAuthor(userId: string, name: string, promote?: { at: string; events: readonly string[] }): Promise<{ changed: number; promoted: Array<{ eventId: string; userId: string }> }> {
    return this.tx(async (c) => {
      const patch = JSON.stringify({ authorId: 'deleted', authorName: name });
      const a = (await c.query("UPDATE part_proposals SET author_id = 'deleted', doc = doc || $1::jsonb WHERE author_id = $2", [patch, userId])).rowCount ?? 0;
      const b = (await c.query("UPDATE part_comments SET author_id = 'deleted', doc = doc || $1::jsonb WHERE author_id = $2", [patch, userId])).rowCount ?? 0;
      await c.query("UPDATE part_reports SET doc = doc || '{\"reporterId\":\"deleted\"}'::jsonb WHERE doc->>'reporterId' = $1", [userId]);
      await c.query('DELETE FROM part_blocks WHERE user_id = $1', [userId]);
      // Event registrations are personal data with no public count to keep: cancelled as by the person
      // (the waiting list of an event still open moves up), their seats freed — events in id order, so two
      // deletions lock seats rows in the same order. Off the waiting lists first.
      await c.query('DELETE FROM part_event_waitlist WHERE user_id = $1', [userId]);
      const open = new Set(promote?.events ?? []);
      const promoted: Array<{ eventId: string; userId: string }> = [];
      let e = 0;
      for (const { event_id: ev } of (await c.query<{ event_id: string }>('SELECT event_id FROM part_event_registrations WHERE user_id = $1 ORDER BY event_id COLLATE "C"', [userId])).rows) {
        const r = await this.cancelAndPromote(c, ev, userId, promote?.at ?? '', open.has(ev));
        if (r.cancelled) e++;
        if (r.promoted) promoted.push({ eventId: ev, userId: r.promoted });
      }
      // Survey answers stay counted, each under a random id of its own (the values follow by ON UPDATE CASCADE).
      const d = (await c.query("UPDATE part_survey_answers SET user_id = 'deleted:' || replace(gen_random_uuid()::text, '-', '') WHERE user_id = $1", [userId])).rowCount ?? 0;
      // What the person followed and how they wanted to be told: personal, nothing public to keep.
      for (const t of ['part_follows', 'part_follow_settings', 'part_digest_items']) await c.query(`DELETE FROM ${t} WHERE user_id = $1`, [userId]);
      return { changed: a + b + d + e, promoted };
    });
  }

  async addGuestContribution(g: GuestContribution): Promise<void> {
    try {
      await this.pool.query('INSERT INTO part_guest_contributions (id, kind, guest_id, process_slug, target_id, state, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [g.id, g.kind, g.guestId, g.processSlug, g.targetId, g.state, g.createdAt, JSON.stringify(g)]);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new StorageConflict(`guest contribution ${g.id} refused`, { cause: e });
      throw e;
    }
  }
  async getGuestContribution(id: string): Promise<GuestContribution | undefined> {
    return (await this.docs<GuestContribution>('SELECT doc FROM part_guest_contributions WHERE id = $1', [id]))[0];
  }
  guestContributions(q: { state?: GuestContributionState; guestId?: string; targetId?: string; limit: number }): Promise<GuestContribution[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.state) { args.push(q.state); where.push(`state = $${args.length}`); }
    if (q.guestId) { args.push(q.guestId); where.push(`guest_id = $${args.length}`); }
    if (q.targetId) { args.push(q.targetId); where.push(`target_id = $${args.length}`); }
    args.push(q.limit);
    return this.docs(`SELECT doc FROM part_guest_contributions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at COLLATE "C", id COLLATE "C" LIMIT $${args.length}`, args);
  }
  async decideGuestContribution(id: string, state: 'released' | 'rejected', at: string): Promise<boolean> {
    return await this.changed("UPDATE part_guest_contributions SET state = $1, doc = doc || jsonb_build_object('state', $1::text, 'decidedAt', $2::text) WHERE id = $3 AND state = 'pending'", [state, at, id]) > 0;
  }

  async follow(userId: string, kind: FollowKind, targetId: string, at: string): Promise<boolean> {
    return await this.changed('INSERT INTO part_follows (user_id, kind, target_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [userId, kind, targetId, at]) > 0;
  }
  async unfollow(userId: string, kind: FollowKind, targetId: string): Promise<boolean> {
    return await this.changed('DELETE FROM part_follows WHERE user_id = $1 AND kind = $2 AND target_id = $3', [userId, kind, targetId]) > 0;
  }
  async follows(userId: string): Promise<Follow[]> {
    const r = await this.pool.query('SELECT kind, target_id, created_at FROM part_follows WHERE user_id = $1 ORDER BY created_at COLLATE "C", kind COLLATE "C", target_id COLLATE "C"', [userId]);
    return r.rows.map((x: { kind: FollowKind; target_id: string; created_at: string }) => ({ kind: x.kind, targetId: x.target_id, createdAt: x.created_at }));
  }
  async followers(targets: Array<{ kind: FollowKind; id: string }>): Promise<string[]> {
    if (!targets.length) return [];
    const r = await this.pool.query('SELECT DISTINCT f.user_id COLLATE "C" AS user_id FROM part_follows f JOIN unnest($1::text[], $2::text[]) AS t (kind, id) ON f.kind = t.kind AND f.target_id = t.id ORDER BY 1',
      [targets.map((t) => t.kind), targets.map((t) => t.id)]);
    return r.rows.map((x: { user_id: string }) => x.user_id);
  }
  async setNotifyMode(userId: string, mode: NotifyMode): Promise<void> {
    await this.pool.query('INSERT INTO part_follow_settings (user_id, mode) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode', [userId, mode]);
  }
  async notifyModes(userIds: string[]): Promise<Map<string, NotifyMode>> {
    const out = new Map<string, NotifyMode>(userIds.map((u) => [u, 'immediate']));
    if (!userIds.length) return out;
    const r = await this.pool.query('SELECT user_id, mode FROM part_follow_settings WHERE user_id = ANY($1::text[])', [userIds]);
    for (const x of r.rows as Array<{ user_id: string; mode: NotifyMode }>) out.set(x.user_id, x.mode);
    return out;
  }
  async queueDigest(userId: string, line: string, at: string): Promise<void> {
    await this.pool.query('INSERT INTO part_digest_items (user_id, created_at, line) VALUES ($1, $2, $3)', [userId, at, line]);
  }
  async takeDigests(): Promise<Map<string, string[]>> {
    const r = await this.pool.query('DELETE FROM part_digest_items RETURNING id, user_id, line');
    const rows = (r.rows as Array<{ id: string; user_id: string; line: string }>).sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : Number(a.id) - Number(b.id)));
    const out = new Map<string, string[]>();
    for (const x of rows) out.set(x.user_id, [...(out.get(x.user_id) ?? []), x.line]);
    return out;
  }
  async addJob(j: { id: string; kind: string; payload: unknown; createdAt: string }): Promise<void> {
    await this.pool.query('INSERT INTO part_jobs (id, kind, payload, created_at) VALUES ($1, $2, $3, $4)', [j.id, j.kind, JSON.stringify(j.payload), j.createdAt]);
  }
  async claimJobs(now: string, until: string, limit: number): Promise<PendingJob[]> {
    // SKIP LOCKED: two nodes claiming at once take different jobs.
    const rows = (await this.pool.query<{ id: string; kind: string; payload: string; created_at: string; attempts: number }>(`UPDATE part_jobs SET claimed_until = $2, attempts = attempts + 1
      WHERE id IN (SELECT id FROM part_jobs WHERE claimed_until IS NULL OR claimed_until < $1 ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
      RETURNING id, kind, payload, created_at, attempts`, [now, until, limit])).rows;
    return rows.map((r) => ({ id: r.id, kind: r.kind, payload: JSON.parse(r.payload) as unknown, createdAt: r.created_at, attempts: r.attempts }))
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  }
  async removeJob(id: string): Promise<void> {
    await this.pool.query('DELETE FROM part_jobs WHERE id = $1', [id]);
  }
  async jobCount(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM part_jobs')).rows[0]!.n);
  }
  async claimMark(key: string, at: string, windowS: number): Promise<boolean> {
    const cutoff = new Date(Date.parse(at) - windowS * 1000).toISOString();
    return await this.changed('INSERT INTO part_mail_marks (key, at) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET at = excluded.at WHERE part_mail_marks.at <= $3', [key, at, cutoff]) > 0;
  }
  takeGuestQuota(key: string, at: string, max: number, windowS: number): Promise<number> {
    const cutoff = new Date(Date.parse(at) - windowS * 1000).toISOString();
    return this.tx(async (c) => {
      // One key at a time across nodes: a transaction-scoped advisory lock on the key's hash.
      await c.query("SELECT pg_advisory_xact_lock(hashtextextended('part_guest_hits:' || $1, 0))", [key]);
      await c.query('DELETE FROM part_guest_hits WHERE key = $1 AND at <= $2', [key, cutoff]);
      const r = (await c.query<{ n: number; oldest: string | null }>('SELECT COUNT(*)::int AS n, MIN(at) AS oldest FROM part_guest_hits WHERE key = $1', [key])).rows[0]!;
      if (r.n >= max) return Math.max(1, Math.ceil((Date.parse(r.oldest!) - Date.parse(cutoff)) / 1000));
      await c.query('INSERT INTO part_guest_hits (key, at) VALUES ($1, $2)', [key, at]);
      // Other addresses' counts that have run out (no lock needed: nobody counts them any more).
      await c.query('DELETE FROM part_guest_hits WHERE at <= $1', [cutoff]);
      return 0;
    });
  }
  async secret(name: string): Promise<string> {
    await this.pool.query('INSERT INTO part_secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING', [name, randomBytes(32).toString('base64url')]);
    return (await this.pool.query('SELECT value FROM part_secrets WHERE name = $1', [name])).rows[0].value;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

