// The participation module's own storage port, implemented for SQLite and PostgreSQL and held equal
// by participation.contract.ts. Adapters throw the neutral StorageConflict / StorageNotFound errors.
// Counting rules that must hold under concurrency (one support per person and proposal, one ballot
// per person and process, a ballot within the budget) are the database's constraints.
import type { Ballot, Block, BudgetResultRow, Comment, CommentTarget, Moderation, OfficialAnswer, Process, Proposal, ProposalState, Report } from './participation.model.ts';

export interface ProposalQuery {
  processSlug: string;
  /** Only these states; default published only. */
  states?: ProposalState[];
  category?: string;
  /** Case-insensitive substring of the title. */
  text?: string;
  sort?: 'newest' | 'supports' | 'comments';
  limit: number;
  offset: number;
}

export interface ProposalEdit {
  title: string;
  body: string;
  category?: string;
  point?: [number, number];
  modifiedAt: string;
}

export interface ParticipationStore {
  readonly engine: 'sqlite' | 'postgres';
  /** Throws StorageConflict when the slug exists. */
  createProcess(p: Process): Promise<void>;
  /** Throws StorageNotFound when the slug does not exist. */
  updateProcess(p: Process): Promise<void>;
  getProcess(slug: string): Promise<Process | undefined>;
  /** Ordered by the first phase's start, newest first. */
  listProcesses(): Promise<Process[]>;

  createProposal(p: Proposal): Promise<void>;
  getProposal(id: string): Promise<Proposal | undefined>;
  listProposals(q: ProposalQuery): Promise<{ items: Proposal[]; total: number }>;
  /** Published proposals with a cost estimate (the budget's choice), by title. */
  costedProposals(processSlug: string): Promise<Array<{ id: string; title: string; cost: number }>>;
  /** Every published proposal of a process with a point (for the map): id, title, point. */
  proposalPoints(processSlug: string, limit: number): Promise<Array<{ id: string; title: string; point: [number, number] }>>;
  /**
   * Changes title, body, category, point only while the proposal is published and has neither
   * comments nor supports (checked in the same statement); false otherwise.
   */
  editProposal(id: string, authorId: string, e: ProposalEdit): Promise<boolean>;
  /** published → withdrawn by its author; false when not the author's or not published. */
  withdrawProposal(id: string, authorId: string, at: string): Promise<boolean>;
  /** Hides (moderation given) or restores (null) a proposal; false when unknown. */
  moderateProposal(id: string, m: Moderation | null): Promise<boolean>;
  setAnswer(id: string, a: OfficialAnswer): Promise<boolean>;
  setCost(id: string, cost: number | null): Promise<boolean>;

  /** Adds the comment and counts it on its proposal in one transaction. */
  addComment(c: Comment): Promise<void>;
  getComment(id: string): Promise<Comment | undefined>;
  /** A target's comments oldest first (hidden ones included: pages show them as hidden). */
  listComments(target: CommentTarget, limit: number): Promise<Comment[]>;
  moderateComment(id: string, m: Moderation | null): Promise<boolean>;

  /** Adds a support; false when this person supports the proposal already (the count is unchanged). */
  addSupport(proposalId: string, userId: string, at: string): Promise<boolean>;
  /** false when there was none. */
  removeSupport(proposalId: string, userId: string): Promise<boolean>;
  hasSupport(proposalId: string, userId: string): Promise<boolean>;

  addReport(r: Report): Promise<void>;
  /** Open reports, oldest first. */
  openReports(limit: number): Promise<Report[]>;
  /** Marks every open report of a target resolved; returns how many. */
  resolveReports(target: Report['target'], at: string): Promise<number>;

  putBlock(b: Block): Promise<void>;
  removeBlock(userId: string): Promise<boolean>;
  getBlock(userId: string): Promise<Block | undefined>;

  /**
   * Casts a ballot: throws StorageConflict when the person has one in this process, and the
   * database refuses (StorageConflict, nothing kept) a total above the budget.
   */
  castBallot(b: Ballot): Promise<void>;
  getBallot(processSlug: string, userId: string): Promise<Ballot | undefined>;
  ballotCount(processSlug: string): Promise<number>;
  /** Votes per proposal, most first (ties by proposal id). */
  budgetResult(processSlug: string): Promise<BudgetResultRow[]>;

  /** Everything stored about one person (GDPR Art. 15/20): their proposals, comments, supports and ballots. */
  personalData(userId: string): Promise<{ proposals: Proposal[]; comments: Comment[]; supports: Array<{ proposalId: string; at: string }>; ballots: Ballot[] }>;
  /** Replaces author names (and removes personal traces) of a deleted account; returns rows changed. */
  anonymiseAuthor(userId: string, name: string): Promise<number>;
  close(): Promise<void>;
}
