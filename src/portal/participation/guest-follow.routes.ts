// The pages' routes of guests and following: a guest's comment (double-submit CSRF token; the guest's
// per-browser token in an httpOnly cookie), the "Folgen" form, the notification settings, the
// unsubscribe page of the mails' links (no login), and the moderators' release or rejection of guest
// contributions. Forms answer with a redirect and a notice, or the page again with messages at the fields.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { readCookie, setCookie, type Accounts } from '../../accounts/index.ts';
import { guestOf, newGuestToken, ParticipationProblem, type FollowService, type GuestService, type Person, type Problem } from '../../participation/index.ts';
import type { Frame } from '../components/layout.tsx';
import type { Messages } from '../i18n/index.ts';
import type { ParticipationMessages } from '../i18n/participation.de.ts';
import { href, type Here, type Lang, type PageName } from '../paths.ts';
import { NotificationsPage, UnsubscribePage } from './guest-follow.pages.tsx';
import type { Viewer } from './pages.tsx';

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

/** The guest's token cookie: a year, httpOnly, SameSite=Lax. */
export const GUEST_COOKIE = 'drehscheibe_guest';

export interface GuestFollowPageKit {
  guests: GuestService;
  follows: FollowService;
  accounts: Accounts;
  person(req: FastifyRequest): Promise<Person | undefined>;
  route(page: PageName, method: 'GET' | 'POST', handler: (req: Req, reply: FastifyReply, lang: Lang) => Promise<unknown>, suffix?: string): void;
  send(req: FastifyRequest, reply: FastifyReply, lang: Lang, here: Here, build: (f: Frame, t: Messages, m: ParticipationMessages) => VNode, status?: number): Promise<unknown>;
  viewer(req: FastifyRequest, reply: FastifyReply): Promise<Viewer>;
  form(req: FastifyRequest): Record<string, string>;
  messages(problems: Problem[], m: ParticipationMessages, prefix?: string): Record<string, string>;
  badInput(e: unknown): Problem[] | undefined;
  notice(req: Req, m: ParticipationMessages): string | undefined;
  part: Record<Lang, ParticipationMessages>;
  /** The proposal page, answering a form with errors in place. */
  proposalPage(req: Req, reply: FastifyReply, lang: Lang, errors: Record<string, string>, values: Record<string, string>, status: number): Promise<unknown>;
  /** The survey page, answering a form with errors in place. */
  surveyPage(req: Req, reply: FastifyReply, lang: Lang, values: Record<string, string | string[]>, errors: Record<string, string>, status: number): Promise<unknown>;
}

/** The guest a request's cookie stands for (undefined without one). */
export function guestOfRequest(req: FastifyRequest) {
  return guestOf(readCookie(req, GUEST_COOKIE));
}

/** A local path to go back to after a form (never another site). */
const localPath = (v: string | undefined, fallback: string) => (v && /^\/(?!\/)[^\s\\]*$/.test(v) ? v : fallback);

/** The browser's guest token: its cookie's, or a new one set as the cookie (a year). */
function guestToken(req: FastifyRequest, reply: FastifyReply): string {
  const token = readCookie(req, GUEST_COOKIE);
  if (token && guestOf(token)) return token;
  const fresh = newGuestToken();
  setCookie(req, reply, GUEST_COOKIE, fresh, 365 * 86_400);
  return fresh;
}

export function guestFollowPages(k: GuestFollowPageKit): void {
  k.route('proposal', 'POST', async (req, reply, lang) => {
    await k.accounts.verifyForm(req);
    const f = k.form(req);
    try {
      await k.guests.comment(guestOf(guestToken(req, reply)), req.ip, req.params.id!, { pseudonym: f.pseudonym, body: f.body });
    } catch (e) {
      const problems = k.badInput(e);
      if (!problems) throw e;
      return k.proposalPage(req, reply, lang, k.messages(problems.map((p) => (p.field === 'parentId' ? { ...p, field: 'body' } : p)), k.part[lang], 'guest-'), { pseudonym: f.pseudonym ?? '', guestBody: f.body ?? '' }, 400);
    }
    return reply.status(303).header('location', `${href(lang, 'proposal', req.params.id!)}?hinweis=guestHeld#gast-wartet`).send();
  }, '/gast-kommentare');

  k.route('survey', 'POST', async (req, reply, lang) => {
    await k.accounts.verifyForm(req);
    const b = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string | string[]>;
    const answers: Record<string, string | string[]> = {};
    for (const [key, v] of Object.entries(b)) if (key !== '_csrf' && key !== 'pseudonym') answers[key] = v;
    const pseudonym = typeof b.pseudonym === 'string' ? b.pseudonym : '';
    try {
      await k.guests.answerSurvey(guestOf(guestToken(req, reply)), req.ip, req.params.id!, { pseudonym, answers });
    } catch (e) {
      const problems = k.badInput(e);
      if (!problems) throw e;
      return k.surveyPage(req, reply, lang, { ...answers, pseudonym }, k.messages(problems, k.part[lang]), 400);
    }
    return reply.status(303).header('location', `${href(lang, 'survey', req.params.id!)}?hinweis=guestHeld`).send();
  }, '/gast');

  k.route('follow', 'POST', async (req, reply, lang) => {
    const f = k.form(req);
    const person = await k.person(req);
    const follow = f.aktion !== 'entfolgen';
    if (follow) await k.follows.follow(person, f.kind, f.id ?? '');
    else await k.follows.unfollow(person, f.kind, f.id ?? '');
    const back = localPath(f.zurueck, href(lang, 'notifications'));
    return reply.status(303).header('location', `${back}${back.includes('?') ? '&' : '?'}hinweis=${follow ? 'followed' : 'unfollowed'}`).send();
  });

  const notifications = async (req: Req, reply: FastifyReply, lang: Lang, errors: Record<string, string> = {}, status = 200) => {
    const v = await k.viewer(req, reply);
    const s = await k.follows.settings(v.person);
    return k.send(req, reply, lang, { page: 'notifications' }, (frame, t, m) => NotificationsPage({ frame, viewer: v, mode: s.mode, follows: s.follows, notice: k.notice(req, m), errors }, t, m), status);
  };
  k.route('notifications', 'GET', (req, reply, lang) => notifications(req, reply, lang));
  k.route('notifications', 'POST', async (req, reply, lang) => {
    try {
      await k.follows.setMode(await k.person(req), k.form(req).mode);
    } catch (e) {
      const problems = k.badInput(e);
      if (!problems) throw e;
      return notifications(req, reply, lang, k.messages(problems, k.part[lang]), 400);
    }
    return reply.status(303).header('location', `${href(lang, 'notifications')}?hinweis=modeSaved`).send();
  });

  // The mails' link: opening it (GET) only asks — mail scanners fetch links, and a fetch must change
  // nothing — and the page's button (POST, the token in the address) unsubscribes. No login and no CSRF
  // token: the signed token is the proof, and it is what RFC 8058's one-click POST carries too.
  k.route('unsubscribe', 'GET', async (req, reply, lang) => {
    const pending = await k.follows.readUnsubscribe(req.query.token);
    const v = await k.viewer(req, reply);
    const token = pending ? String(req.query.token) : undefined;
    return k.send(req, reply, lang, { page: 'unsubscribe' }, (frame, t, m) => UnsubscribePage({ frame, viewer: v, pending, token }, t, m), pending ? 200 : 400);
  });
  k.route('unsubscribe', 'POST', async (req, reply, lang) => {
    const f = k.form(req);
    const result = await k.follows.unsubscribe(req.query.token ?? f.token);
    const v = await k.viewer(req, reply);
    return k.send(req, reply, lang, { page: 'unsubscribe' }, (frame, t, m) => UnsubscribePage({ frame, viewer: v, result }, t, m), result ? 200 : 400);
  });

  for (const [suffix, hint] of [['/gast/:gid/freigeben', 'released'], ['/gast/:gid/ablehnen', 'rejected']] as const) {
    k.route('moderation', 'POST', async (req, reply, lang) => {
      const person = await k.person(req);
      if (hint === 'released') await k.guests.release(person, req.params.gid!);
      else await k.guests.reject(person, req.params.gid!);
      return reply.status(303).header('location', `${href(lang, 'moderation')}?hinweis=${hint}#gaeste`).send();
    }, suffix);
  }
  void ParticipationProblem;
}
