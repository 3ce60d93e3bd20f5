// The participation service: the one way in for the API routes and the portal's pages. Decides who
// may do what in which phase (participation.rules.ts), checks input (participation.validate.ts),
// translates storage outcomes to problem details with our own type URIs.
import type { LocalMail } from './mail.ts';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { ProblemError, StorageConflict, StorageNotFound } from '../core/errors.ts';
import type { Ballot, Comment, CommentTarget, Moderation, Process, ProcessCounts, Proposal, Report } from './participation.model.ts';
import type { ParticipationStore, ProposalQuery } from './participation.port.ts';
import { BallotRefused } from './participation.port-util.ts';
import { ACTION_ROLE, currentPhase, phaseAllows, type Action, type ProcessPhase } from './participation.rules.ts';
import { LIMITS, parseAnswer, parseCost, parseDays, parseProcess, parseProposal, parseText, problem, type Problem } from './participation.validate.ts';

const TYPE = 'https://drehscheibe.dev/errors/';
const COLLATOR = new Intl.Collator('de');
export const DELETED_NAME = 'gelöschtes Konto';

export type ProblemName = 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'Conflict' | 'PhaseClosed' | 'NotPublished' | 'TooManyRequests' | 'EventFull';

export class ParticipationProblem extends ProblemError {
  constructor(readonly problemName: ProblemName, status: number, title: string, detail: string, readonly problems: Problem[] = [], readonly retryAfterS?: number) {
    super(TYPE + problemName, status, title, detail);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.problems.length ? { errors: this.problems.map(({ field, message }) => ({ field, message })) } : {}) };
  }
}

export const invalid = (problems: Problem[]) => new ParticipationProblem('BadRequest', 400, 'Invalid input', problems.map((x) => x.message).join('; '), problems);
export const notFound = (what: string) => new ParticipationProblem('NotFound', 404, 'Not found', `${what} does not exist`);
export const conflict = (detail: string) => new ParticipationProblem('Conflict', 409, 'Conflict', detail);

/** A person acting: a logged-in account (roles of the one access model). */
export interface Person {
  /** The account id (user id), never published. */
  id: string;
  name: string;
  roles: ReadonlyArray<{ role: string; tenants?: readonly string[] }>;
  /** Whether the account's e-mail address is confirmed (participation needs it). */
  confirmed: boolean;
}

export interface ParticipationDeps {
  store: ParticipationStore;
  clock: Clock;
  /** The tenant whose roles count (the portal's). */
  tenant: string;
  /** Whether a strategy project exists (links of processes and answers). */
  projectExists(slug: string): Promise<boolean>;
  /** Tells an account's owner something by mail (moderation decisions); errors are logged by the caller. */
  notify?(userId: string, m: LocalMail): Promise<void>;
  /** Limits per person and action: [count, window seconds]. */
  limits?: Partial<Record<LimitedAction, [number, number]>>;
  /** The process's verification (verification.service.ts): throws for a person who has not given it. */
  verification?: { gate(person: Person, action: Action, process: Process): Promise<void>; methods(): string[] };
}

export interface ProcessView {
  process: Process;
  phase: ProcessPhase;
  /** The actions the phase allows (before roles are considered). */
  allowed: Action[];
  next?: { kind: string; start: string };
}

export interface BudgetResult {
  budget: number;
  ballots: number;
  /** Proposals by votes (most first); funded while the budget lasts, in that order. */
  rows: Array<{ proposal: { id: string; title: string; cost: number }; votes: number; funded: boolean }>;
  spent: number;
}

/** What happened, for those who follow it (follow.service.ts) and the moderators (reports). */
export type ParticipationEvent =
  | { kind: 'proposal'; proposal: Proposal; actor: string }
  | { kind: 'comment'; comment: Comment; actor: string }
  | { kind: 'answer'; proposal: Proposal; actor: string }
  | { kind: 'report'; report: Report };

export type LimitedAction = 'propose' | 'comment' | 'support' | 'report' | 'vote' | 'survey';

const DEFAULT_LIMITS: Record<LimitedAction, [number, number]> = {
  propose: [10, 3600], comment: [30, 600], support: [300, 600], report: [20, 3600], vote: [10, 3600], survey: [30, 3600],
};

/** Sliding-window counts per key (in memory, per node). */
class Counter {
  private readonly hits = new Map<string, number[]>();
  take(key: string, max: number, windowS: number, nowMs: number): number {
    const from = nowMs - windowS * 1000;
    const list = (this.hits.get(key) ?? []).filter((t) => t > from);
    if (list.length >= max) { this.hits.set(key, list); return Math.max(1, Math.ceil((list[0]! - from) / 1000)); }
    list.push(nowMs);
    this.hits.set(key, list);
    if (this.hits.size > 100_000) this.hits.delete(this.hits.keys().next().value as string);
    return 0;
  }
}

export function newId(): string {
  return randomBytes(12).toString('base64url');
}

export class ParticipationService {
  private readonly counter = new Counter();
  private readonly limits: Record<LimitedAction, [number, number]>;
  private readonly listeners: Array<(e: ParticipationEvent) => Promise<void>> = [];
  private readonly processListeners: Array<(p: Process) => Promise<void>> = [];
  constructor(private readonly d: ParticipationDeps) {
    this.limits = { ...DEFAULT_LIMITS, ...d.limits };
  }

  now(): string { return this.d.clock.now().toISOString(); }

  /** Listens to contributions (mails to followers and moderators); a listener's failure never fails the action. */
  on(listener: (e: ParticipationEvent) => Promise<void>): void { this.listeners.push(listener); }
  /** Listens to processes opened or replaced (the catalogue's datasets); awaited before the answer, a failure never fails the change. */
  onProcess(listener: (p: Process) => Promise<void>): void { this.processListeners.push(listener); }
  private async processChanged(p: Process): Promise<void> {
    for (const l of this.processListeners) await l(p).catch(() => undefined);
  }
  async emit(e: ParticipationEvent): Promise<void> {
    for (const l of this.listeners) await l(e).catch(() => undefined);
  }

  hasRole(p: Person | undefined, role: 'steward' | 'moderator'): boolean {
    return !!p && p.roles.some((g) => (g.role === role || g.role === 'operator') && (!g.tenants || g.tenants.includes(this.d.tenant)));
  }

  /**
   * Who-may check of one action in a process's current phase: 401, 403 (role, unconfirmed, blocked,
   * the process's verification not given — unless `verify` is false: withdrawing a support), 409 (phase).
   */
  async check(person: Person | undefined, action: Action, view: ProcessView | undefined, verify = true): Promise<Person> {
    if (!person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in (a confirmed account) to take part');
    const need = ACTION_ROLE[action];
    if (need === 'person') {
      if (!person.confirmed) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Confirm your e-mail address first (the link in the mail sent at registration)');
      const block = await this.d.store.getBlock(person.id);
      if (block && block.until > this.now()) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', `This account is blocked from taking part until ${block.until}: ${block.reason}`);
    } else if (!this.hasRole(person, need)) {
      throw new ParticipationProblem('Forbidden', 403, 'Forbidden', `This needs the ${need} role`);
    }
    if (view && !phaseAllows(view.phase, action)) {
      throw new ParticipationProblem('PhaseClosed', 409, 'Not possible in this phase', `The process is in the phase "${view.phase}", which does not allow ${action}`);
    }
    if (view && verify && ACTION_ROLE[action] === 'person' && this.d.verification) await this.d.verification.gate(person, action, view.process);
    return person;
  }

  /** Counts an action of a person against its limit: 429 (with Retry-After) beyond it. */
  limit(person: Person, action: LimitedAction): void {
    const [max, windowS] = this.limits[action];
    const wait = this.counter.take(`${action}:${person.id}`, max, windowS, this.d.clock.now().getTime());
    if (wait > 0) throw new ParticipationProblem('TooManyRequests', 429, 'Too many requests', `At most ${max} ${action} actions in ${windowS} s; retry after ${wait} s`, [], wait);
  }

  view(process: Process): ProcessView {
    const { phase, next } = currentPhase(process, this.d.clock.now());
    const allowed = (Object.keys(ACTION_ROLE) as Action[]).filter((a) => phaseAllows(phase, a));
    return { process, phase, allowed, ...(next ? { next: { kind: next.kind, start: next.start } } : {}) };
  }

  /** 400 for a verification nobody registered. */
  private knownVerification(name: string | undefined): void {
    if (name && !(this.d.verification?.methods() ?? []).includes(name)) throw invalid([problem('verification', 'verification_invalid')]);
  }

  async processes(): Promise<ProcessView[]> {
    return (await this.d.store.listProcesses()).map((p) => this.view(p));
  }

  /** Every process with its public counts: one query for the processes, one grouped query for the counts. */
  async overview(): Promise<Array<{ view: ProcessView; counts: ProcessCounts }>> {
    const [views, counts] = await Promise.all([this.processes(), this.d.store.processCounts()]);
    return views.map((view) => ({ view, counts: counts.get(view.process.slug) ?? { proposals: 0, comments: 0, supports: 0 } }));
  }

  async process(slug: string): Promise<ProcessView> {
    const p = await this.d.store.getProcess(slug);
    if (!p) throw notFound(`Process ${slug}`);
    return this.view(p);
  }

  async createProcess(person: Person | undefined, body: unknown): Promise<Process> {
    await this.check(person, 'answer', undefined).catch((e) => { throw e instanceof ParticipationProblem && e.status === 403 ? new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Opening a process needs the steward role') : e; });
    const { input, problems } = parseProcess(body);
    if (!input) throw invalid(problems);
    this.knownVerification(input.verification);
    if (input.projectSlug && !(await this.d.projectExists(input.projectSlug))) throw invalid([{ field: 'projectSlug', code: 'project_unknown', message: 'projectSlug: no such strategy project' }]);
    const now = this.now();
    const p: Process = { ...input, createdAt: now, modifiedAt: now };
    try {
      await this.d.store.createProcess(p);
    } catch (e) {
      if (e instanceof StorageConflict) throw conflict(`A process with the slug ${p.slug} exists`);
      throw e;
    }
    await this.processChanged(p);
    return p;
  }

  async replaceProcess(person: Person | undefined, slug: string, body: unknown): Promise<Process> {
    if (!this.hasRole(person, 'steward')) await this.check(person, 'answer', undefined);
    const before = (await this.process(slug)).process;
    const { input, problems } = parseProcess(body, slug);
    if (!input) throw invalid(problems);
    this.knownVerification(input.verification);
    if (input.projectSlug && !(await this.d.projectExists(input.projectSlug))) throw invalid([{ field: 'projectSlug', code: 'project_unknown', message: 'projectSlug: no such strategy project' }]);
    const p: Process = { ...input, createdAt: before.createdAt, modifiedAt: this.now() };
    try {
      await this.d.store.updateProcess(p);
    } catch (e) {
      if (e instanceof StorageNotFound) throw notFound(`Process ${slug}`);
      throw e;
    }
    await this.processChanged(p);
    return p;
  }

  proposals(slug: string, q: Omit<ProposalQuery, 'processSlug' | 'states'>): Promise<{ items: Proposal[]; total: number }> {
    return this.d.store.listProposals({ ...q, processSlug: slug, limit: Math.min(Math.max(q.limit, 1), 500), offset: Math.max(q.offset, 0) });
  }

  proposalPoints(slug: string, limit = 2000) {
    return this.d.store.proposalPoints(slug, limit);
  }

  /** A proposal as the public sees it: hidden and withdrawn ones exist (their page says so). */
  async proposal(id: string): Promise<{ proposal: Proposal; view: ProcessView }> {
    const proposal = await this.d.store.getProposal(id);
    if (!proposal) throw notFound(`Proposal ${id}`);
    return { proposal, view: await this.process(proposal.processSlug) };
  }

  comments(target: CommentTarget, limit = 5000): Promise<Comment[]> {
    return this.d.store.listComments(target, limit);
  }

  hasSupport(proposalId: string, person: Person | undefined): Promise<boolean> {
    return person ? this.d.store.hasSupport(proposalId, person.id) : Promise.resolve(false);
  }

  /** Whether the person may still edit the proposal (their own, published, no comment or support yet, participation phase). */
  canEdit(p: Proposal, view: ProcessView, person: Person | undefined): boolean {
    return !!person && p.authorId === person.id && p.state === 'published' && p.supportCount === 0 && p.commentCount === 0 && phaseAllows(view.phase, 'propose');
  }

  /**
   * A new proposal. `extra`: more problems found with the same form (an image), reported together with
   * the proposal's own; `after` runs once it is stored, before followers are told (the image is added).
   */
  async propose(person: Person | undefined, slug: string, body: unknown, extra?: { problems: Problem[]; after?(p: Proposal): Promise<void> }): Promise<Proposal> {
    const view = await this.process(slug);
    const who = await this.check(person, 'propose', view);
    const { input, problems } = parseProposal(body, view.process);
    if (!input || extra?.problems.length) throw invalid([...problems, ...(extra?.problems ?? [])]);
    this.limit(who, 'propose');
    const now = this.now();
    const p: Proposal = { id: newId(), processSlug: slug, authorId: who.id, authorName: who.name, ...input, state: 'published', supportCount: 0, commentCount: 0, createdAt: now, modifiedAt: now };
    await this.d.store.createProposal(p);
    await extra?.after?.(p);
    await this.emit({ kind: 'proposal', proposal: p, actor: who.id });
    return p;
  }

  async editProposal(person: Person | undefined, id: string, body: unknown, extra?: { problems: Problem[]; after?(p: Proposal): Promise<void> }): Promise<Proposal> {
    const { proposal, view } = await this.proposal(id);
    const who = await this.check(person, 'propose', view);
    if (proposal.authorId !== who.id) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Only its author edits a proposal');
    const { input, problems } = parseProposal(body, view.process);
    if (!input || extra?.problems.length) throw invalid([...problems, ...(extra?.problems ?? [])]);
    if (!(await this.d.store.editProposal(id, who.id, { ...input, modifiedAt: this.now() }))) {
      throw conflict('A proposal can be edited only until the first comment or support arrives, and not once withdrawn or hidden');
    }
    await extra?.after?.(proposal);
    return (await this.proposal(id)).proposal;
  }

  async withdraw(person: Person | undefined, id: string): Promise<void> {
    if (!person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in to withdraw your proposal');
    const { proposal } = await this.proposal(id);
    if (proposal.authorId !== person.id) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Only its author withdraws a proposal');
    if (!(await this.d.store.withdrawProposal(id, person.id, this.now()))) throw conflict('The proposal is withdrawn or hidden already');
  }

  async comment(person: Person | undefined, target: CommentTarget, body: unknown, parentId?: unknown): Promise<Comment> {
    let view: ProcessView | undefined;
    if (target.kind === 'proposal') {
      const r = await this.proposal(target.id);
      if (r.proposal.state !== 'published') throw conflict('Only published proposals take comments');
      view = r.view;
    } else if (!(await this.d.projectExists(target.id))) throw notFound(`Project ${target.id}`);
    const who = await this.check(person, 'comment', view);
    const { text, problems } = parseText(body, 'body', 'comment_required', 'comment_too_long', LIMITS.comment);
    if (!text) throw invalid(problems);
    let parent: string | undefined;
    if (parentId !== undefined && parentId !== null && parentId !== '') {
      const c = typeof parentId === 'string' ? await this.d.store.getComment(parentId) : undefined;
      if (!c || c.target.kind !== target.kind || c.target.id !== target.id) throw invalid([problem('parentId', 'parent_unknown')]);
      parent = c.id;
    }
    this.limit(who, 'comment');
    const c: Comment = { id: newId(), target, authorId: who.id, authorName: who.name, body: text, createdAt: this.now(), ...(parent ? { parentId: parent } : {}) };
    await this.d.store.addComment(c);
    await this.emit({ kind: 'comment', comment: c, actor: who.id });
    return c;
  }

  /** Supports a proposal; returns the new count. Supporting twice is no error and counts once. */
  async support(person: Person | undefined, id: string): Promise<{ supported: boolean; count: number }> {
    const { proposal, view } = await this.proposal(id);
    const who = await this.check(person, 'support', view);
    if (proposal.state !== 'published') throw conflict('Only published proposals can be supported');
    this.limit(who, 'support');
    await this.d.store.addSupport(id, who.id, this.now());
    return { supported: true, count: (await this.d.store.getProposal(id))!.supportCount };
  }

  async unsupport(person: Person | undefined, id: string): Promise<{ supported: boolean; count: number }> {
    const { view } = await this.proposal(id);
    const who = await this.check(person, 'support', view, false);
    this.limit(who, 'support');
    await this.d.store.removeSupport(id, who.id);
    return { supported: false, count: (await this.d.store.getProposal(id))!.supportCount };
  }

  /**
   * Rates a comment "hilfreich" (helpful = true) or withdraws the rating: once per person and comment
   * (the database's primary key), where the comment's target takes comments, never one's own.
   */
  async rateComment(person: Person | undefined, id: string, helpful: boolean): Promise<{ helpful: boolean; count: number }> {
    const c = await this.d.store.getComment(id);
    if (!c) throw notFound(`Comment ${id}`);
    const view = c.target.kind === 'proposal' ? (await this.proposal(c.target.id)).view : undefined;
    const who = await this.check(person, 'comment', view);
    if (c.authorId === who.id) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Your own comment cannot be rated');
    if (helpful && c.moderation) throw conflict('A hidden comment cannot be rated');
    this.limit(who, 'support');
    if (helpful) await this.d.store.rateComment(id, who.id, this.now());
    else await this.d.store.unrateComment(id, who.id);
    return { helpful, count: (await this.d.store.getComment(id))?.helpfulCount ?? 0 };
  }

  /** Which of these comments the person rated helpful (empty for nobody). */
  ratedComments(person: Person | undefined, ids: string[]): Promise<Set<string>> {
    return person && ids.length ? this.d.store.ratedComments(person.id, ids) : Promise.resolve(new Set());
  }

  async report(person: Person | undefined, target: Report['target'], reason: unknown): Promise<Report> {
    if (!person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in to report content');
    await this.check(person, 'comment', undefined);
    const exists = target.kind === 'proposal' ? await this.d.store.getProposal(target.id) : await this.d.store.getComment(target.id);
    if (!exists) throw notFound(`${target.kind} ${target.id}`);
    const { text, problems } = parseText(reason, 'reason', 'reason_required', 'reason_too_long', LIMITS.reason);
    if (!text) throw invalid(problems);
    this.limit(person, 'report');
    const r: Report = { id: newId(), target, reporterId: person.id, reason: text, createdAt: this.now() };
    await this.d.store.addReport(r);
    await this.emit({ kind: 'report', report: r });
    return r;
  }

  async reports(person: Person | undefined, limit = 200): Promise<Array<Report & { content?: { title?: string; body: string; authorName: string; hidden: boolean; proposalId: string } }>> {
    await this.check(person, 'moderate', undefined);
    const open = await this.d.store.openReports(limit);
    return Promise.all(open.map(async (r) => {
      if (r.target.kind === 'proposal') {
        const p = await this.d.store.getProposal(r.target.id);
        return p ? { ...r, content: { title: p.title, body: p.body, authorName: p.authorName, hidden: p.state === 'hidden', proposalId: p.id } } : r;
      }
      const c = await this.d.store.getComment(r.target.id);
      return c ? { ...r, content: { body: c.body, authorName: c.authorName, hidden: !!c.moderation, proposalId: c.target.kind === 'proposal' ? c.target.id : '' } } : r;
    }));
  }

  /** Hides content with a reason its author sees (and is mailed); open reports of it are resolved. */
  async hide(person: Person | undefined, target: Report['target'], reason: unknown): Promise<void> {
    const who = await this.check(person, 'moderate', undefined);
    const { text, problems } = parseText(reason, 'reason', 'reason_required', 'reason_too_long', LIMITS.reason);
    if (!text) throw invalid(problems);
    const m: Moderation = { hiddenAt: this.now(), reason: text, by: `user:${who.id}` };
    const author = await this.moderate(target, m);
    await this.d.store.resolveReports(target, m.hiddenAt);
    if (author && author !== 'deleted' && this.d.notify) {
      const proposal = target.kind === 'proposal';
      await this.d.notify(author, {
        de: {
          subject: proposal ? 'Ihr Vorschlag wurde ausgeblendet' : 'Ihr Kommentar wurde ausgeblendet',
          text: `Die Moderation hat Ihren ${proposal ? 'Vorschlag' : 'Kommentar'} ausgeblendet.\n\nBegründung: ${text}\n\nSie können der Moderation antworten, indem Sie auf diese Nachricht antworten.\n`,
        },
        en: {
          subject: proposal ? 'Your proposal was hidden' : 'Your comment was hidden',
          text: `The moderators have hidden your ${proposal ? 'proposal' : 'comment'}.\n\nReason: ${text}\n\nYou can answer the moderators by replying to this message.\n`,
        },
      });
    }
  }

  async restore(person: Person | undefined, target: Report['target']): Promise<void> {
    await this.check(person, 'moderate', undefined);
    await this.moderate(target, null);
    await this.d.store.resolveReports(target, this.now());
  }

  /** Dismisses the open reports of a target without hiding it. */
  async dismissReports(person: Person | undefined, target: Report['target']): Promise<number> {
    await this.check(person, 'moderate', undefined);
    return this.d.store.resolveReports(target, this.now());
  }

  private async moderate(target: Report['target'], m: Moderation | null): Promise<string | undefined> {
    if (target.kind === 'proposal') {
      const p = await this.d.store.getProposal(target.id);
      if (!p) throw notFound(`Proposal ${target.id}`);
      if (!(await this.d.store.moderateProposal(target.id, m)) && m === null) throw conflict('The proposal is not hidden');
      return p.authorId;
    }
    const c = await this.d.store.getComment(target.id);
    if (!c) throw notFound(`Comment ${target.id}`);
    await this.d.store.moderateComment(target.id, m);
    return c.authorId;
  }

  async block(person: Person | undefined, userId: string, daysRaw: unknown, reason: unknown): Promise<void> {
    const who = await this.check(person, 'moderate', undefined);
    const days = parseDays(daysRaw);
    const { text, problems } = parseText(reason, 'reason', 'reason_required', 'reason_too_long', LIMITS.reason);
    const all = [...(typeof days === 'number' ? [] : [days]), ...problems];
    if (all.length || typeof days !== 'number' || !text) throw invalid(all);
    const now = this.d.clock.now();
    const until = new Date(now.getTime() + days * 86_400_000).toISOString();
    await this.d.store.putBlock({ userId, until, reason: text, by: `user:${who.id}`, at: now.toISOString() });
    if (this.d.notify) {
      await this.d.notify(userId, {
        de: { subject: 'Ihr Konto ist für die Beteiligung gesperrt', text: `Die Moderation hat Ihr Konto bis ${until.slice(0, 10)} für Beiträge gesperrt.\n\nBegründung: ${text}\n` },
        en: { subject: 'Your account is blocked from participation', text: `The moderators have blocked your account from contributing until ${until.slice(0, 10)}.\n\nReason: ${text}\n` },
      });
    }
  }

  async unblock(person: Person | undefined, userId: string): Promise<boolean> {
    await this.check(person, 'moderate', undefined);
    return this.d.store.removeBlock(userId);
  }

  /** The author id of a proposal or comment (moderator pages block the author). */
  async authorOf(person: Person | undefined, target: Report['target']): Promise<string> {
    await this.check(person, 'moderate', undefined);
    const x = target.kind === 'proposal' ? await this.d.store.getProposal(target.id) : await this.d.store.getComment(target.id);
    if (!x) throw notFound(`${target.kind} ${target.id}`);
    return x.authorId;
  }

  async answer(person: Person | undefined, id: string, body: unknown): Promise<Proposal> {
    const { view } = await this.proposal(id);
    const who = await this.check(person, 'answer', view);
    const { input, problems } = parseAnswer(body);
    if (!input) throw invalid(problems);
    if (input.projectSlug && !(await this.d.projectExists(input.projectSlug))) throw invalid([problem('projectSlug', 'project_unknown')]);
    await this.d.store.setAnswer(id, { ...input, at: this.now(), by: `user:${who.id}` });
    const answered = (await this.proposal(id)).proposal;
    await this.emit({ kind: 'answer', proposal: answered, actor: who.id });
    return answered;
  }

  async estimate(person: Person | undefined, id: string, raw: unknown): Promise<Proposal> {
    const { view } = await this.proposal(id);
    await this.check(person, 'estimate', view);
    const cost = parseCost(raw);
    if (cost !== null && typeof cost === 'object') throw invalid([cost]);
    await this.d.store.setCost(id, cost);
    return (await this.proposal(id)).proposal;
  }

  /** The proposals a budget ballot chooses from: published, with a cost estimate; by title (German order). */
  async budgetProposals(slug: string): Promise<Array<{ id: string; title: string; cost: number }>> {
    return (await this.d.store.costedProposals(slug)).sort((a, b) => COLLATOR.compare(a.title, b.title));
  }

  async castBallot(person: Person | undefined, slug: string, idsRaw: unknown): Promise<Ballot> {
    const view = await this.process(slug);
    const who = await this.check(person, 'vote', view);
    const budget = view.process.budget;
    if (budget === undefined) throw conflict('This process has no participatory budget');
    const ids = [...new Set((Array.isArray(idsRaw) ? idsRaw : idsRaw === undefined ? [] : [idsRaw]).filter((x): x is string => typeof x === 'string'))];
    if (ids.length === 0) throw invalid([problem('proposalIds', 'ballot_empty')]);
    if (ids.length > LIMITS.ballot) throw invalid([problem('proposalIds', 'ballot_too_many')]);
    const chosen = await Promise.all(ids.map((id) => this.d.store.getProposal(id)));
    if (chosen.some((p) => !p || p.processSlug !== slug || p.state !== 'published' || typeof p.cost !== 'number')) throw invalid([problem('proposalIds', 'ballot_unknown')]);
    const items = chosen.map((p) => ({ proposalId: p!.id, cost: p!.cost! }));
    const total = items.reduce((s, i) => s + i.cost, 0);
    if (total > budget) throw invalid([problem('proposalIds', 'ballot_over_budget')]);
    this.limit(who, 'vote');
    const b: Ballot = { processSlug: slug, userId: who.id, items, total, budget, createdAt: this.now() };
    try {
      await this.d.store.castBallot(b);
    } catch (e) {
      if (e instanceof BallotRefused) throw e.reason === 'duplicate' ? conflict('You have cast your ballot in this process already') : invalid([problem('proposalIds', 'ballot_over_budget')]);
      throw e;
    }
    return b;
  }

  ballot(person: Person | undefined, slug: string): Promise<Ballot | undefined> {
    return person ? this.d.store.getBallot(slug, person.id) : Promise.resolve(undefined);
  }

  /** Whether the budget result is public: in the result phase and after; stewards see it always. */
  resultPublic(view: ProcessView): boolean {
    return view.phase === 'result' || view.phase === 'after';
  }

  async budgetResult(person: Person | undefined, slug: string): Promise<BudgetResult> {
    const view = await this.process(slug);
    const budget = view.process.budget;
    if (budget === undefined) throw notFound(`A participatory budget of process ${slug}`);
    if (!this.resultPublic(view) && !this.hasRole(person, 'steward')) {
      throw new ParticipationProblem('PhaseClosed', 409, 'Not published yet', 'The result is published with the result phase');
    }
    const votes = await this.d.store.budgetResult(slug);
    const byId = new Map((await this.d.store.costedProposals(slug)).map((p) => [p.id, p]));
    let left = budget;
    let spent = 0;
    const rows: BudgetResult['rows'] = [];
    const seen = new Set<string>();
    const add = (id: string, n: number) => {
      const p = byId.get(id);
      if (!p) return;
      seen.add(id);
      const funded = n > 0 && (p.cost ?? 0) <= left;
      if (funded) { left -= p.cost!; spent += p.cost!; }
      rows.push({ proposal: { id: p.id, title: p.title, cost: p.cost }, votes: n, funded });
    };
    for (const v of votes) add(v.proposalId, v.votes);
    for (const id of byId.keys()) if (!seen.has(id)) add(id, 0);
    return { budget, ballots: await this.d.store.ballotCount(slug), rows, spent };
  }

  /** What is stored about the person (GDPR Art. 15 and 20), as JSON: their own contributions, supports, ballots and survey answers. */
  async exportMine(person: Person | undefined): Promise<Record<string, unknown>> {
    if (!person) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in to export your data');
    const d = await this.d.store.personalData(person.id);
    const block = await this.d.store.getBlock(person.id);
    return {
      exportedAt: this.now(), account: { id: person.id, displayName: person.name },
      proposals: d.proposals.map(({ authorId, ...p }) => { void authorId; return p; }),
      comments: d.comments.map(({ authorId, ...c }) => { void authorId; return c; }),
      supports: d.supports, ballots: d.ballots.map(({ userId, ...b }) => { void userId; return b; }),
      surveyAnswers: d.surveyAnswers.map(({ userId, ...a }) => { void userId; return a; }),
      commentRatings: d.commentRatings, eventRegistrations: d.eventRegistrations, eventWaitlist: d.eventWaitlist,
      ...(block ? { block: { until: block.until, reason: block.reason } } : {}),
      // What the person proved (their own data only; never in the open data or their pseudonym).
      verifications: (await this.d.store.verifications.mine(person.id)).map(({ method, scope, detail, at }) => ({ method, ...(scope === '*' ? {} : { process: scope }), detail, at })),
    };
  }

  /** Account deletion: the person's contributions stay, by "gelöschtes Konto". */
  async anonymise(userId: string, promote?: { at: string; events: readonly string[] }): Promise<{ changed: number; promoted: Array<{ eventId: string; userId: string }> }> {
    // Verification data goes with the account (the codes it redeemed stay used, naming nobody).
    await this.d.store.verifications.removeAccount(userId);
    return this.d.store.anonymiseAuthor(userId, DELETED_NAME, promote);
  }
}
