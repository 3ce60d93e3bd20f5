// The participation module's own storage port, implemented for SQLite and PostgreSQL and held equal
// by participation.contract.ts. Adapters throw the neutral StorageConflict / StorageNotFound errors.
// Counting rules that must hold under concurrency (one support per person and proposal, one ballot
// per person and process, a ballot within the budget, one survey answer per person and survey) are
// the database's constraints.
import type { ProposalImageStore } from './images.model.ts';
import type { VerificationStore } from './verification.model.ts';
import type { Follow, FollowKind, GuestContribution, GuestContributionState, NotifyMode } from './guests-follows.model.ts';
import type { Ballot, Block, BudgetResultRow, Comment, CommentTarget, Moderation, OfficialAnswer, Process, ProcessCounts, Proposal, ProposalState, Report, Survey, SurveyAnswer, SurveyTally } from './participation.model.ts';

/** After-answer work kept in the database until done (afterwards.ts). */
export interface PendingJob {
  id: string;
  kind: string;
  payload: unknown;
  createdAt: string;
  /** Claims so far, this one included. */
  attempts: number;
}

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

/** Guests' held contributions, follows, digests, mail marks and secrets (guests-follows.contract.ts). */
export interface GuestFollowStore {
  /** Throws StorageConflict when the id exists, or the guest has a survey answer for this survey that is not rejected. */
  addGuestContribution(g: GuestContribution): Promise<void>;
  getGuestContribution(id: string): Promise<GuestContribution | undefined>;
  /** Oldest first; filtered by state, guest and target when given. */
  guestContributions(q: { state?: GuestContributionState; guestId?: string; targetId?: string; limit: number }): Promise<GuestContribution[]>;
  /** pending → released or rejected; false when it is not pending (someone decided first) or unknown. */
  decideGuestContribution(id: string, state: 'released' | 'rejected', at: string): Promise<boolean>;

  /** false when the person follows it already. */
  follow(userId: string, kind: FollowKind, targetId: string, at: string): Promise<boolean>;
  /** false when the person did not follow it. */
  unfollow(userId: string, kind: FollowKind, targetId: string): Promise<boolean>;
  /** What a person follows, oldest first. */
  follows(userId: string): Promise<Follow[]>;
  /** Everybody following any of these targets, each once, sorted. */
  followers(targets: Array<{ kind: FollowKind; id: string }>): Promise<string[]>;
  setNotifyMode(userId: string, mode: NotifyMode): Promise<void>;
  /** Each person's mode; people who never chose get 'immediate'. */
  notifyModes(userIds: string[]): Promise<Map<string, NotifyMode>>;
  queueDigest(userId: string, line: string, at: string): Promise<void>;
  /** Takes (and deletes) every queued digest line, per person, oldest first. */
  takeDigests(): Promise<Map<string, string[]>>;

  /** Keeps a job (after-answer work) until it is removed. */
  addJob(j: { id: string; kind: string; payload: unknown; createdAt: string }): Promise<void>;
  /**
   * Claims up to `limit` jobs, oldest first, that nobody holds (never claimed, or the claim ran out
   * before `now`) until `until`, counting an attempt each. Atomic across nodes: a job goes to one.
   */
  claimJobs(now: string, until: string, limit: number): Promise<PendingJob[]>;
  /** Removes a job (done, or given up). */
  removeJob(id: string): Promise<void>;
  /** How many jobs are kept (done ones are removed). */
  jobCount(): Promise<number>;
  /**
   * Claims a mail mark: true (and the mark is set to `at`) when there is none for the key or the last
   * is at least windowS seconds before `at`; false otherwise. Atomic across nodes.
   */
  claimMark(key: string, at: string, windowS: number): Promise<boolean>;
  /**
   * Counts one guest contribution under `key` (a keyed hash of the client address) when fewer than `max`
   * were counted in the `windowS` seconds before `at`, and returns 0; otherwise counts nothing and returns
   * the seconds until the oldest count runs out (at least 1). Counts older than the window are deleted.
   * Atomic across nodes: `max` holds however many nodes count at once.
   */
  takeGuestQuota(key: string, at: string, max: number, windowS: number): Promise<number>;
  /** A named random secret, made on first use, the same for every node on the database. */
  secret(name: string): Promise<string>;
}

export interface ParticipationStore extends GuestFollowStore {
  readonly engine: 'sqlite' | 'postgres';
  /** Proposals' images (images.model.ts). */
  readonly images: ProposalImageStore;
  /** Verifications and invitation codes (verification.model.ts): personal data, in their own tables. */
  readonly verifications: VerificationStore;
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
  /**
   * Per process with published proposals: how many, and the sums of their comment and support
   * counters (what the proposal cards show) — one grouped query for every process (the landing page).
   */
  processCounts(): Promise<Map<string, ProcessCounts>>;
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

  /** Rates a comment helpful; false when this person has already (the count is unchanged). */
  rateComment(commentId: string, userId: string, at: string): Promise<boolean>;
  /** Withdraws the rating; false when there was none. */
  unrateComment(commentId: string, userId: string): Promise<boolean>;
  /** Which of these comments the person has rated helpful. */
  ratedComments(userId: string, commentIds: string[]): Promise<Set<string>>;
  /** The comments on a process's published proposals, oldest first (the open-data export). */
  processComments(processSlug: string, limit: number): Promise<Comment[]>;

  /**
   * Registers a person for an event: 'already' when registered (nothing changes), 'full' when the
   * database refuses a seat beyond the capacity (nothing kept). `capacity` applies when the event has
   * no seats row yet (its first registration); afterwards setEventCapacity changes it.
   */
  registerForEvent(eventId: string, userId: string, at: string, capacity: number | null): Promise<'registered' | 'already' | 'full'>;
  /** false when the person was not registered (a freed seat goes to the first waiting person, see below). */
  cancelEventRegistration(eventId: string, userId: string): Promise<boolean>;
  /**
   * Cancels a registration and, in the same transaction, gives the freed seat to the first person on
   * the event's waiting list (registered at `at`, taken off the list): `promoted` names them. Two
   * cancellations at once never give one seat twice nor skip a waiting person.
   */
  cancelEventRegistrationAndPromote(eventId: string, userId: string, at: string): Promise<{ cancelled: boolean; promoted?: string }>;
  /**
   * Puts a person on a full event's waiting list: 'already' when on it, 'registered' when they hold a
   * seat, 'free' when a seat is free (register instead; nothing kept).
   */
  joinEventWaitlist(eventId: string, userId: string, at: string, capacity: number | null): Promise<'waiting' | 'already' | 'registered' | 'free'>;
  /** Gives the seats free now (after a raised capacity) to the first waiting people, in one transaction; who got one. */
  promoteEventWaitlist(eventId: string, at: string): Promise<string[]>;
  /** false when the person was not on the list. */
  leaveEventWaitlist(eventId: string, userId: string): Promise<boolean>;
  /** The person's place on the waiting list (1 = next), undefined when not on it. */
  eventWaitlistPosition(eventId: string, userId: string): Promise<number | undefined>;
  /** Who registered (oldest first) and who waits (in order): account ids and times, for stewards only. */
  eventAttendees(eventId: string): Promise<{ registered: Array<{ userId: string; at: string }>; waiting: Array<{ userId: string; at: string }> }>;
  isRegisteredForEvent(eventId: string, userId: string): Promise<boolean>;
  /** Sets an event's capacity (null: no limit); throws StorageConflict when more people are registered. */
  setEventCapacity(eventId: string, capacity: number | null): Promise<void>;
  /** Registrations per event (events without any are absent). */
  eventRegistrations(eventIds: string[]): Promise<Map<string, number>>;

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

  /** Throws StorageConflict when the id exists. */
  createSurvey(s: Survey): Promise<void>;
  /**
   * Replaces a survey's texts and questions only while nobody has answered it (checked in the same
   * statement): 'updated', 'answered' (nothing changed) or 'missing'.
   */
  updateSurvey(s: Survey): Promise<'updated' | 'answered' | 'missing'>;
  /** Sets the "results published" flag; false when the survey does not exist. */
  publishSurveyResults(id: string, published: boolean, at: string): Promise<boolean>;
  getSurvey(id: string): Promise<Survey | undefined>;
  /** A process's surveys, oldest first. */
  listSurveys(processSlug: string): Promise<Survey[]>;
  /** Keeps an answer whole; throws SurveyAnswerRefused (a StorageConflict, nothing kept) when the person has answered already. */
  addSurveyAnswer(a: SurveyAnswer): Promise<void>;
  getSurveyAnswer(surveyId: string, userId: string): Promise<SurveyAnswer | undefined>;
  /** Counts per question and value, computed by the database. */
  surveyTally(surveyId: string): Promise<SurveyTally>;
  /** Every answer's values without who gave it or when (the stewards' CSV export), in no defined order. */
  surveyAnswerValues(surveyId: string): Promise<Array<SurveyAnswer['values']>>;

  /** Everything stored about one person (GDPR Art. 15/20): their proposals, comments, supports, ballots and survey answers. */
  personalData(userId: string): Promise<{ proposals: Proposal[]; comments: Comment[]; supports: Array<{ proposalId: string; at: string }>; ballots: Ballot[]; surveyAnswers: SurveyAnswer[]; commentRatings: Array<{ commentId: string; at: string }>; eventRegistrations: Array<{ eventId: string; at: string }>; eventWaitlist: Array<{ eventId: string; at: string }> }>;
  /**
   * Replaces author names (and removes personal traces) of a deleted account; survey answers stay
   * in the counts but are detached from the account (a random id per answer); event registrations are
   * cancelled (their seats freed) — for the events in `promote.events` through the routine of
   * `cancelEventRegistrationAndPromote`, so the first waiting person gets the seat, all in the one
   * transaction. Returns rows changed and who got a seat.
   */
  anonymiseAuthor(userId: string, name: string, promote?: { at: string; events: readonly string[] }): Promise<{ changed: number; promoted: Array<{ eventId: string; userId: string }> }>;
  close(): Promise<void>;
}
