// The participation JSON API under /api/participation: public reads; people act through their
// session (cookie and the X-CSRF-Token header, docs/accounts.md). Who may do what in which phase is
// the service's decision. Errors are application/problem+json with our own type URIs.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Proposal } from './participation.model.ts';
import { icalendar, type CalendarEvent } from './ical.ts';
import { ParticipationProblem, conflict, type ParticipationService, type Person } from './participation.service.ts';
import type { SurveyService } from './survey.service.ts';
import { problemJson } from '../core/http.ts';
import { EventService, type EventView } from './events.service.ts';
import type { OpenDataService } from './export.service.ts';
import type { GuestService } from './guest.service.ts';
import type { FollowService } from './follow.service.ts';
import { guestFollowRoutes } from './guests-follows.routes.ts';
import type { ProposalImageService } from './image.service.ts';
import { imageOut, imageRoutes } from './images.routes.ts';
import { VerificationService } from './verification.service.ts';

export interface ParticipationRouteDeps {
  service: ParticipationService;
  surveys: SurveyService;
  person(req: FastifyRequest): Promise<Person | undefined>;
  deleteAccount(person: Person, password: unknown): Promise<boolean>;
  /** The city's events that have not ended (the strategy module's), for the iCalendar feed. */
  events(): Promise<CalendarEvent[]>;
  /** Events with registration, and stewards' changes to them. */
  eventService: EventService;
  /** Open-data exports of a process's public contributions. */
  openData: OpenDataService;
  /** Guests' held contributions; following and its mails. */
  guests: GuestService;
  follows: FollowService;
  /** Proposals' images (upload, moderation, reading). */
  images: ProposalImageService;
  /** Verification for taking part (verification.service.ts). */
  verification: VerificationService;
  publicUrl: string;
}

// Public for the platform's auth hook: the person comes from the session, the service decides.
const open = { config: { access: { op: 'public' as const } } };

function problem(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof ParticipationProblem && err.retryAfterS) reply.header('retry-after', String(err.retryAfterS));
  problemJson(err, req, reply);
}

/** What the public sees of a proposal: never who supported it; the author's account id only as "mine". */
export function publicProposal(p: Proposal, viewer?: Person): Record<string, unknown> {
  const { authorId, answer, moderation, ...rest } = p;
  const out: Record<string, unknown> = { ...rest };
  if (viewer && authorId === viewer.id) out.mine = true;
  if (answer) { const { by, ...a } = answer; void by; out.answer = a; }
  if (p.state === 'hidden') {
    delete out.body;
    delete out.title;
    if (moderation && viewer && authorId === viewer.id) out.moderation = { hiddenAt: moderation.hiddenAt, reason: moderation.reason };
  }
  return out;
}

type Body = Record<string, unknown>;
const body = (req: FastifyRequest): Body => (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body as Body : {});
type Id = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string> }>;

export async function participationRoutes(app: FastifyInstance, d: ParticipationRouteDeps): Promise<void> {
  app.setErrorHandler(problem);
  app.setNotFoundHandler((req, reply) => problem(new ParticipationProblem('NotFound', 404, 'Not found', `No participation operation at ${req.method} ${req.url.split('?')[0]}`), req, reply));
  const s = d.service;

  app.get('/processes', open, async () => (await s.processes()).map((v) => ({ ...v.process, phase: v.phase, allowed: v.allowed })));
  app.get('/processes/:id', open, async (req: Id) => { const v = await s.process(req.params.id); return { ...v.process, phase: v.phase, allowed: v.allowed, next: v.next }; });
  app.post('/processes', open, async (req, reply) => {
    const p = await s.createProcess(await d.person(req), req.body);
    return reply.status(201).header('location', `/api/participation/processes/${p.slug}`).send(p);
  });
  app.put('/processes/:id', open, async (req: Id) => s.replaceProcess(await d.person(req), req.params.id, req.body));

  app.get('/processes/:id/proposals', open, async (req: Id) => {
    await s.process(req.params.id);
    const q = req.query;
    const sort = q.sort === 'supports' || q.sort === 'comments' ? q.sort : 'newest';
    const r = await s.proposals(req.params.id, { category: q.category || undefined, text: q.q || undefined, sort, limit: Number(q.limit) || 50, offset: Number(q.offset) || 0 });
    const viewer = await d.person(req);
    return { total: r.total, items: r.items.map((p) => publicProposal(p, viewer)) };
  });
  app.post('/processes/:id/proposals', open, async (req: Id, reply) => {
    const p = await s.propose(await d.person(req), req.params.id, req.body);
    return reply.status(201).header('location', `/api/participation/proposals/${p.id}`).send(publicProposal(p, await d.person(req)));
  });

  app.get('/proposals/:id', open, async (req: Id) => {
    const viewer = await d.person(req);
    const { proposal } = await s.proposal(req.params.id);
    const image = await d.images.visible(proposal, viewer);
    const full = !!viewer && (viewer.id === proposal.authorId || s.hasRole(viewer, 'moderator'));
    return { ...publicProposal(proposal, viewer), supported: await s.hasSupport(proposal.id, viewer), ...(image ? { image: imageOut(image, full) } : {}) };
  });
  app.patch('/proposals/:id', open, async (req: Id) => publicProposal(await s.editProposal(await d.person(req), req.params.id, req.body), await d.person(req)));
  app.post('/proposals/:id/withdraw', open, async (req: Id, reply) => { await s.withdraw(await d.person(req), req.params.id); return reply.status(204).send(); });

  const commentOut = (c: { moderation?: { reason: string; hiddenAt: string }; authorId: string; body: string } & Record<string, unknown>, viewer?: Person) => {
    const { authorId, moderation, body: text, ...rest } = c;
    const out: Record<string, unknown> = { ...rest };
    if (viewer && viewer.id === authorId) out.mine = true;
    if (moderation) {
      out.hidden = true;
      if (viewer && viewer.id === authorId) out.moderation = { hiddenAt: moderation.hiddenAt, reason: moderation.reason };
    } else out.body = text;
    return out;
  };
  app.get('/proposals/:id/comments', open, async (req: Id) => {
    await s.proposal(req.params.id);
    const viewer = await d.person(req);
    return (await s.comments({ kind: 'proposal', id: req.params.id })).map((c) => commentOut(c as never, viewer));
  });
  app.post('/proposals/:id/comments', open, async (req: Id, reply) => {
    const viewer = await d.person(req);
    const c = await s.comment(viewer, { kind: 'proposal', id: req.params.id }, body(req).body, body(req).parentId);
    return reply.status(201).send(commentOut(c as never, viewer));
  });
  app.get('/projects/:id/comments', open, async (req: Id) => {
    const viewer = await d.person(req);
    return (await s.comments({ kind: 'project', id: req.params.id })).map((c) => commentOut(c as never, viewer));
  });
  app.post('/projects/:id/comments', open, async (req: Id, reply) => {
    const viewer = await d.person(req);
    const c = await s.comment(viewer, { kind: 'project', id: req.params.id }, body(req).body, body(req).parentId);
    return reply.status(201).send(commentOut(c as never, viewer));
  });

  app.put('/proposals/:id/support', open, async (req: Id) => s.support(await d.person(req), req.params.id));
  app.delete('/proposals/:id/support', open, async (req: Id) => s.unsupport(await d.person(req), req.params.id));

  for (const kind of ['proposal', 'comment'] as const) {
    app.post(`/${kind}s/:id/report`, open, async (req: Id, reply) => { await s.report(await d.person(req), { kind, id: req.params.id }, body(req).reason); return reply.status(202).send({ message: 'The moderators have been told' }); });
    app.post(`/${kind}s/:id/hide`, open, async (req: Id, reply) => { await s.hide(await d.person(req), { kind, id: req.params.id }, body(req).reason); return reply.status(204).send(); });
    app.post(`/${kind}s/:id/restore`, open, async (req: Id, reply) => { await s.restore(await d.person(req), { kind, id: req.params.id }); return reply.status(204).send(); });
  }
  app.get('/reports', open, async (req) => s.reports(await d.person(req)));
  app.put('/blocks/:id', open, async (req: Id, reply) => { await s.block(await d.person(req), req.params.id, body(req).days, body(req).reason); return reply.status(204).send(); });
  app.delete('/blocks/:id', open, async (req: Id, reply) => {
    if (!(await s.unblock(await d.person(req), req.params.id))) throw new ParticipationProblem('NotFound', 404, 'Not found', 'This account is not blocked');
    return reply.status(204).send();
  });

  app.put('/proposals/:id/answer', open, async (req: Id) => publicProposal(await s.answer(await d.person(req), req.params.id, req.body)));
  app.put('/proposals/:id/cost', open, async (req: Id) => publicProposal(await s.estimate(await d.person(req), req.params.id, body(req).cost)));

  app.post('/processes/:id/ballot', open, async (req: Id, reply) => {
    const b = await s.castBallot(await d.person(req), req.params.id, body(req).proposalIds);
    const { userId, ...rest } = b;
    void userId;
    return reply.status(201).send(rest);
  });
  app.get('/processes/:id/ballot', open, async (req: Id) => {
    const b = await s.ballot(await d.person(req), req.params.id);
    if (!b) throw new ParticipationProblem('NotFound', 404, 'Not found', 'You have not cast a ballot in this process');
    const { userId, ...rest } = b;
    void userId;
    return rest;
  });
  // The city's events as iCalendar (subscribable in calendar apps).
  app.get('/events.ics', open, async (_req, reply) => {
    const host = new URL(d.publicUrl).host;
    const ics = icalendar(await d.events(), { host, now: new Date(), name: 'Termine der Stadt' });
    return reply.type('text/calendar; charset=utf-8').header('content-disposition', 'inline; filename="termine.ics"').send(ics);
  });

  // Events: registration (signed-in people), stewards' changes, one event as iCalendar.
  const ev = d.eventService;
  const eventOut = (v: EventView, registered?: boolean) => ({ ...v.event, taken: v.taken, ...(v.left === undefined ? {} : { left: v.left }), full: v.full, open: v.open, ...(registered === undefined ? {} : { registered }) });
  app.get('/events', open, async (req: Id) => (await ev.list(req.query.all === '1' || req.query.all === 'true')).map((v) => eventOut(v)));
  app.post('/events', open, async (req, reply) => {
    const e = await ev.save(await d.person(req), undefined, req.body);
    return reply.status(201).header('location', `/api/participation/events/${e.id}`).send(eventOut(await ev.get(e.id)));
  });
  app.get('/events/:id', open, async (req: Id) => {
    const p = await d.person(req);
    return { ...eventOut(await ev.get(req.params.id), await ev.registered(p, req.params.id)), ...(p ? { waiting: (await ev.waiting(p, req.params.id)) ?? null } : {}) };
  });
  app.put('/events/:id', open, async (req: Id) => { await ev.save(await d.person(req), req.params.id, req.body); return eventOut(await ev.get(req.params.id)); });
  app.put('/events/:id/registration', open, async (req: Id) => eventOut(await ev.register(await d.person(req), req.params.id), true));
  app.delete('/events/:id/registration', open, async (req: Id) => eventOut(await ev.cancel(await d.person(req), req.params.id), false));
  app.put('/events/:id/waitlist', open, async (req: Id) => {
    const p = await d.person(req);
    const v = await ev.joinWaitlist(p, req.params.id);
    return { ...eventOut(v, await ev.registered(p, req.params.id)), waiting: (await ev.waiting(p, req.params.id)) ?? null };
  });
  app.delete('/events/:id/waitlist', open, async (req: Id) => ({ ...eventOut(await ev.leaveWaitlist(await d.person(req), req.params.id), false), waiting: null }));
  // Who registered: personal data for stewards only, never cached, never in the open-data exports.
  app.get('/events/:id/registrations', open, async (req: Id, reply) => {
    const a = await ev.attendees(await d.person(req), req.params.id);
    reply.header('cache-control', 'no-store');
    return { registered: a.registered, waiting: a.waiting };
  });
  app.get('/events/:id/registrations.csv', open, async (req: Id, reply) => {
    const a = await ev.attendees(await d.person(req), req.params.id);
    return reply.type('text/csv; charset=utf-8').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="anmeldungen-${req.params.id}.csv"`).send(EventService.attendeesCsv(a));
  });
  app.get('/events/:id/kalender.ics', open, async (req: Id, reply) => {
    const url = `${d.publicUrl}/beteiligung/termine/${encodeURIComponent(req.params.id)}`;
    return reply.type('text/calendar; charset=utf-8').header('content-disposition', `attachment; filename="termin-${req.params.id}.ics"`).send(await ev.ics(req.params.id, d.publicUrl, url));
  });

  // "Hilfreich" on comments: once per person and comment, withdrawable.
  app.put('/comments/:id/helpful', open, async (req: Id) => s.rateComment(await d.person(req), req.params.id, true));
  app.delete('/comments/:id/helpful', open, async (req: Id) => s.rateComment(await d.person(req), req.params.id, false));

  // Open data: a process's public contributions (pseudonyms only).
  const od = d.openData;
  // Built at most once a minute per process and format (EXPORT_CACHE_MS): a large process takes about a second.
  app.get('/processes/:id/export.json', open, async (req: Id, reply) => reply.type('application/json; charset=utf-8').header('content-disposition', `inline; filename="beteiligung-${req.params.id}.json"`).send(await od.serve(req.params.id, 'json')));
  app.get('/processes/:id/proposals.csv', open, async (req: Id, reply) => reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="beteiligung-${req.params.id}-vorschlaege.csv"`).send(await od.serve(req.params.id, 'proposals.csv')));
  app.get('/processes/:id/comments.csv', open, async (req: Id, reply) => reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="beteiligung-${req.params.id}-kommentare.csv"`).send(await od.serve(req.params.id, 'comments.csv')));

  // The person's own data (GDPR Art. 15, 20) and the deletion of their account (Art. 17).
  app.get('/me/export', open, async (req, reply) => {
    const person = await d.person(req);
    const data = await s.exportMine(person);
    const f = await d.follows.settings(person).catch(() => undefined);
    if (f) data.notifications = { mode: f.mode, follows: f.follows.map(({ kind, targetId, createdAt }) => ({ kind, targetId, createdAt })) };
    // The images of their proposals, each with its state and where to fetch it (the owner may, in any state).
    const metas = await Promise.all((data.proposals as Array<{ id: string }>).map((p) => d.images.mine(p.id)));
    data.proposalImages = metas.filter((m) => !!m).map((m) => imageOut(m!, true));
    return reply.header('content-disposition', 'attachment; filename="beteiligung-meine-daten.json"').header('cache-control', 'no-store').send(data);
  });
  app.post('/me/delete', open, async (req, reply) => {
    const p = await d.person(req);
    if (!p) throw new ParticipationProblem('Unauthorized', 401, 'Authentication is required', 'Log in to delete your account');
    if (!(await d.deleteAccount(p, body(req).password))) throw new ParticipationProblem('Forbidden', 403, 'Forbidden', 'The password is wrong (an account without a password is deleted by an operator)');
    return reply.status(204).send();
  });
  guestFollowRoutes(app, { guests: d.guests, follows: d.follows, person: d.person });
  imageRoutes(app, { images: d.images, person: d.person });
  // Verification: what the process requires and whether the person gave it; giving it; stewards' invitation codes.
  const vs = d.verification;
  app.get('/processes/:id/verification', open, async (req: Id, reply) => {
    const { process } = await s.process(req.params.id);
    reply.header('cache-control', 'no-store');
    return { process: process.slug, ...(await vs.status(await d.person(req), process)) };
  });
  app.post('/processes/:id/verification', open, async (req: Id, reply) => {
    const { process } = await s.process(req.params.id);
    const v = await vs.verify(await d.person(req), process, body(req).code);
    return reply.status(201).header('cache-control', 'no-store').send({ process: process.slug, required: v.method, verified: true, at: v.at });
  });
  const steward = async (req: Id) => {
    await s.check(await d.person(req), 'answer', undefined).catch((e) => { throw e instanceof ParticipationProblem && e.status === 403 ? new ParticipationProblem('Forbidden', 403, 'Forbidden', 'Invitation codes are made by stewards') : e; });
    const { process } = await s.process(req.params.id);
    if (process.verification !== 'invitation-code') throw conflict('This process does not require invitation codes (set verification: invitation-code first)');
    return process;
  };
  app.get('/processes/:id/invitation-codes', open, async (req: Id, reply) => { const process = await steward(req); reply.header('cache-control', 'no-store'); return vs.codeCounts(process); });
  // The codes are shown once: only their hashes are kept. CSV when asked for (Accept: text/csv).
  app.post('/processes/:id/invitation-codes', open, async (req: Id, reply) => {
    const process = await steward(req);
    const codes = await vs.makeCodes(process, body(req).count);
    reply.status(201).header('cache-control', 'no-store');
    if ((req.headers.accept ?? '').includes('text/csv')) {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="einladungscodes-${process.slug}.csv"`).send(VerificationService.csv(codes));
    }
    return { process: process.slug, codes };
  });
  app.get('/processes/:id/result', open, async (req: Id) => s.budgetResult(await d.person(req), req.params.id));

  // Surveys: stewards add, change (until the first answer) and publish; people answer once each.
  const sv = d.surveys;
  app.get('/processes/:id/surveys', open, async (req: Id) => sv.list(req.params.id));
  app.post('/processes/:id/surveys', open, async (req: Id, reply) => {
    const x = await sv.create(await d.person(req), req.params.id, req.body);
    return reply.status(201).header('location', `/api/participation/surveys/${x.id}`).send(x);
  });
  app.get('/surveys/:id', open, async (req: Id) => {
    const viewer = await d.person(req);
    const { survey, view } = await sv.get(req.params.id);
    return { ...survey, phase: view.phase, open: view.allowed.includes('survey'), answered: !!(await sv.mine(viewer, survey.id)) };
  });
  app.put('/surveys/:id', open, async (req: Id) => sv.replace(await d.person(req), req.params.id, req.body));
  app.put('/surveys/:id/published', open, async (req: Id) => sv.publish(await d.person(req), req.params.id, body(req).published));
  app.post('/surveys/:id/answers', open, async (req: Id, reply) => {
    const a = await sv.answer(await d.person(req), req.params.id, body(req).answers);
    return reply.status(201).send({ surveyId: a.surveyId, answers: a.values, createdAt: a.createdAt });
  });
  app.get('/surveys/:id/answers/mine', open, async (req: Id) => {
    const a = await sv.mine(await d.person(req), req.params.id);
    if (!a) throw new ParticipationProblem('NotFound', 404, 'Not found', 'You have not answered this survey');
    return { surveyId: a.surveyId, answers: a.values, createdAt: a.createdAt };
  });
  app.get('/surveys/:id/results', open, async (req: Id) => sv.results(await d.person(req), req.params.id));
  app.get('/surveys/:id/answers.csv', open, async (req: Id, reply) => {
    const { csv } = await sv.csv(await d.person(req), req.params.id);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="umfrage-${req.params.id}-antworten.csv"`).header('cache-control', 'no-store').send(csv);
  });
}
