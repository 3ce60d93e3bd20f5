// Guests take part without an account where the city allows it per process: comments on proposals
// and survey answers under a pseudonym, held for moderation (kept apart from the public tables until
// a moderator releases them), limited per client address (counted in the database, shared by every
// node, under a keyed hash of the address).
// A guest is identified by a random per-browser token; only its hash is stored ("guest:<hash>").
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { StorageConflict } from '../core/errors.ts';
import type { GuestContribution } from './guests-follows.model.ts';
import type { Comment, SurveyAnswer } from './participation.model.ts';
import type { ParticipationStore } from './participation.port.ts';
import { GUEST_ACTIONS, phaseAllows, type Action } from './participation.rules.ts';
import { ParticipationProblem, conflict, invalid, newId, notFound, type ParticipationService, type Person, type ProcessView } from './participation.service.ts';
import type { SurveyService } from './survey.service.ts';
import { LIMITS, p as problem, parseSurveyAnswer, parseText } from './participation.validate.ts';

/** A guest: the principal of someone without an account, known only by their browser's token. */
export interface Guest {
  kind: 'guest';
  /** "guest:<hash of the token>" — the author id of their released contributions. */
  id: string;
}

const TOKEN = /^[A-Za-z0-9_-]{32,128}$/;
const sha = (s: string) => createHash('sha256').update(s).digest('base64url');
/** How a released guest contribution is signed. */
export const GUEST_SUFFIX = ' (Gast)';

export function newGuestToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The guest a token stands for; undefined for no token or a malformed one. */
export function guestOf(token: unknown): Guest | undefined {
  return typeof token === 'string' && TOKEN.test(token) ? { kind: 'guest', id: `guest:${sha(token).slice(0, 32)}` } : undefined;
}

const PSEUDONYM = /^[\p{L}\p{N} ._-]{2,40}$/u;

export interface GuestDeps {
  store: ParticipationStore;
  clock: Clock;
  service: ParticipationService;
  surveys: SurveyService;
  /** Contributions per client address: [count, window seconds] (DREHSCHEIBE_GUEST_LIMIT; count 0 = no limit). */
  limit: [number, number];
  /** A guest contribution waits for release (moderators are told). */
  onPending?(g: GuestContribution): Promise<void>;
  /** A guest's comment was released (followers are told). */
  onReleased?(c: Comment): Promise<void>;
}

export type HeldContribution = GuestContribution & { context: { title: string; proposalId?: string; surveyId?: string } };

export class GuestService {
  private key?: Buffer;
  constructor(private readonly d: GuestDeps) {}

  /** Who-may for a guest: 403 when the process takes no guests or the action is not a guest's; 409 when the phase does not allow it. */
  check(guest: Guest | undefined, action: Action, view: ProcessView): Guest {
    if (!guest) throw new ParticipationProblem('Unauthorized', 401, 'A guest token is required', 'Send the guest token (X-Guest-Token) or log in');
    if (!view.process.guests || !GUEST_ACTIONS.includes(action)) {
      throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'This process does not take contributions from guests; log in (a confirmed account) to take part');
    }
    if (!phaseAllows(view.phase, action)) throw new ParticipationProblem('PhaseClosed', 409, 'Not possible in this phase', `The process is in the phase "${view.phase}", which does not allow ${action}`);
    // A verification belongs to an account: where the process requires one, guests do not answer surveys.
    if (action === 'survey' && view.process.verification && view.process.verification !== 'none') {
      throw new ParticipationProblem('Forbidden', 403, 'Forbidden', `This process requires the verification "${view.process.verification}" for survey answers; log in (a confirmed account) and verify`);
    }
    return guest;
  }

  /**
   * Counts a guest contribution against the per-address limit, in the database (so every node shares
   * it): 429 (with Retry-After) beyond it. The address is kept only as an HMAC under a secret of the
   * database, for the limit's window.
   */
  private async limit(address: string): Promise<void> {
    const [max, windowS] = this.d.limit;
    if (max <= 0) return;
    this.key ??= Buffer.from(await this.d.store.secret('guest-limit'), 'base64url');
    const key = createHmac('sha256', this.key).update(address).digest('base64url');
    const wait = await this.d.store.takeGuestQuota(key, this.d.clock.now().toISOString(), max, windowS);
    if (wait > 0) throw new ParticipationProblem('TooManyRequests', 429, 'Too many requests', `At most ${max} guest contributions from one address in ${windowS} s; retry after ${wait} s`, [], wait);
  }

  private pseudonym(raw: unknown) {
    const t = typeof raw === 'string' ? raw.trim().replace(/\s+/g, ' ') : '';
    return PSEUDONYM.test(t) ? { name: t } : { problem: problem('pseudonym', 'pseudonym_invalid') };
  }

  private async hold(g: GuestContribution): Promise<GuestContribution> {
    await this.d.store.addGuestContribution(g);
    await this.d.onPending?.(g);
    return g;
  }

  /** A guest's comment on a proposal: checked like a person's, then held for moderation. */
  async comment(guest: Guest | undefined, address: string, proposalId: string, body: Record<string, unknown>): Promise<GuestContribution> {
    const { proposal, view } = await this.d.service.proposal(proposalId);
    const who = this.check(guest, 'comment', view);
    if (proposal.state !== 'published') throw conflict('Only published proposals take comments');
    const name = this.pseudonym(body.pseudonym);
    const { text, problems } = parseText(body.body, 'body', 'comment_required', 'comment_too_long', LIMITS.comment);
    if (name.problem) problems.unshift(name.problem);
    let parentId: string | undefined;
    if (typeof body.parentId === 'string' && body.parentId) {
      const c = await this.d.store.getComment(body.parentId);
      if (!c || c.target.kind !== 'proposal' || c.target.id !== proposalId) problems.push(problem('parentId', 'parent_unknown'));
      else parentId = c.id;
    }
    if (problems.length || !text || !name.name) throw invalid(problems);
    await this.limit(address);
    return this.hold({
      id: newId(), kind: 'comment', guestId: who.id, pseudonym: name.name, processSlug: view.process.slug, targetId: proposalId, state: 'pending',
      comment: { body: text, ...(parentId ? { parentId } : {}) }, createdAt: this.d.clock.now().toISOString(),
    });
  }

  /** A guest's survey answer: checked like a person's (one per guest and survey), then held for moderation. */
  async answerSurvey(guest: Guest | undefined, address: string, surveyId: string, body: Record<string, unknown>): Promise<GuestContribution> {
    const { survey, view } = await this.d.surveys.get(surveyId);
    const who = this.check(guest, 'survey', view);
    const name = this.pseudonym(body.pseudonym);
    const { values, problems } = parseSurveyAnswer(body.answers, survey);
    if (values && Object.keys(values).length === 0) problems.push({ ...problem(survey.questions[0]!.id, 'survey_answer_required'), message: `${survey.questions[0]!.id}: answer at least one question` });
    if (name.problem) problems.unshift(name.problem);
    if (problems.length || !values || !name.name) throw invalid(problems);
    await this.limit(address);
    try {
      return await this.hold({
        id: newId(), kind: 'survey', guestId: who.id, pseudonym: name.name, processSlug: view.process.slug, targetId: surveyId, state: 'pending',
        answers: values, createdAt: this.d.clock.now().toISOString(),
      });
    } catch (e) {
      if (e instanceof StorageConflict) throw conflict('You have answered this survey already');
      throw e;
    }
  }

  /** A guest's own contributions to a proposal or survey that wait for release (their browser's token shows them). */
  async mine(guest: Guest | undefined, targetId: string): Promise<GuestContribution[]> {
    if (!guest) return [];
    return this.d.store.guestContributions({ guestId: guest.id, targetId, state: 'pending', limit: 100 });
  }

  /** The moderators' queue: contributions waiting, oldest first, with what they belong to. */
  async pending(person: Person | undefined, limit = 200): Promise<HeldContribution[]> {
    await this.d.service.check(person, 'moderate', undefined);
    const list = await this.d.store.guestContributions({ state: 'pending', limit });
    return Promise.all(list.map(async (g): Promise<HeldContribution> => {
      if (g.kind === 'comment') {
        const p = await this.d.store.getProposal(g.targetId);
        return { ...g, context: { title: p?.title ?? g.targetId, proposalId: g.targetId } };
      }
      const s = await this.d.store.getSurvey(g.targetId);
      return { ...g, context: { title: s?.title.de ?? g.targetId, surveyId: g.targetId } };
    }));
  }

  /**
   * Releases a held contribution: the comment is published under "<pseudonym> (Gast)" (and counted),
   * the survey answer is counted. 409 when someone decided first.
   */
  async release(person: Person | undefined, id: string): Promise<GuestContribution> {
    await this.d.service.check(person, 'moderate', undefined);
    const g = await this.d.store.getGuestContribution(id);
    if (!g) throw notFound(`Guest contribution ${id}`);
    if (g.kind === 'comment') {
      const p = await this.d.store.getProposal(g.targetId);
      if (!p || p.state !== 'published') throw conflict('The proposal no longer takes comments (withdrawn or hidden); reject the contribution');
    }
    const at = this.d.clock.now().toISOString();
    if (!(await this.d.store.decideGuestContribution(id, 'released', at))) throw conflict('The contribution has been decided already');
    if (g.kind === 'comment') {
      const c: Comment = { id: newId(), target: { kind: 'proposal', id: g.targetId }, authorId: g.guestId, authorName: g.pseudonym + GUEST_SUFFIX, body: g.comment!.body, createdAt: at, ...(g.comment!.parentId ? { parentId: g.comment!.parentId } : {}) };
      await this.d.store.addComment(c);
      await this.d.onReleased?.(c);
    } else {
      const a: SurveyAnswer = { surveyId: g.targetId, userId: g.guestId, values: g.answers!, createdAt: at };
      await this.d.store.addSurveyAnswer(a);
    }
    return { ...g, state: 'released', decidedAt: at };
  }

  /** Rejects a held contribution: it is never published (the guest no longer sees it waiting). */
  async reject(person: Person | undefined, id: string): Promise<void> {
    await this.d.service.check(person, 'moderate', undefined);
    if (!(await this.d.store.getGuestContribution(id))) throw notFound(`Guest contribution ${id}`);
    if (!(await this.d.store.decideGuestContribution(id, 'rejected', this.d.clock.now().toISOString()))) throw conflict('The contribution has been decided already');
  }
}
