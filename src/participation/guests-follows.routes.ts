// The guests' and followers' part of /api/participation: guests comment and answer surveys with a
// per-browser token in the X-Guest-Token header (issued with their first contribution; a custom
// header, so no other site can send it), moderators release or reject what guests wrote; people
// follow processes, proposals and projects and choose immediate mail or a daily digest; the mails'
// unsubscribe links also work as RFC 8058 one-click POSTs.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { acceptForms } from '../core/http.ts';
import type { GuestContribution } from './guests-follows.model.ts';
import { guestOf, newGuestToken, type GuestService } from './guest.service.ts';
import type { FollowService } from './follow.service.ts';
import { ParticipationProblem, type Person } from './participation.service.ts';

export interface GuestFollowRouteDeps {
  guests: GuestService;
  follows: FollowService;
  person(req: FastifyRequest): Promise<Person | undefined>;
}

const open = { config: { access: { op: 'public' as const } } };
type Body = Record<string, unknown>;
const body = (req: FastifyRequest): Body => (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body as Body : {});
type Id = FastifyRequest<{ Params: { id: string; kind: string }; Querystring: Record<string, string> }>;

/** What a guest (or a moderator) sees of a held contribution: never the guest's id. */
export function heldOut(g: GuestContribution): Record<string, unknown> {
  const { guestId, ...rest } = g;
  void guestId;
  return rest;
}

export function guestFollowRoutes(app: FastifyInstance, d: GuestFollowRouteDeps): void {
  // The guest's token: the one sent, or a new one (returned in the answer's X-Guest-Token header and body).
  const token = (req: FastifyRequest, reply: FastifyReply): { token: string; issued: boolean } => {
    const h = req.headers['x-guest-token'];
    if (typeof h === 'string' && guestOf(h)) return { token: h, issued: false };
    const t = newGuestToken();
    reply.header('x-guest-token', t);
    return { token: t, issued: true };
  };
  const held = (g: GuestContribution, t: { token: string; issued: boolean }) => ({ ...heldOut(g), ...(t.issued ? { guestToken: t.token } : {}) });

  app.post('/proposals/:id/guest-comments', open, async (req: Id, reply) => {
    const t = token(req, reply);
    const g = await d.guests.comment(guestOf(t.token), req.ip, req.params.id, body(req));
    return reply.status(202).header('cache-control', 'no-store').send(held(g, t));
  });
  app.post('/surveys/:id/guest-answers', open, async (req: Id, reply) => {
    const t = token(req, reply);
    const g = await d.guests.answerSurvey(guestOf(t.token), req.ip, req.params.id, body(req));
    return reply.status(202).header('cache-control', 'no-store').send(held(g, t));
  });
  app.get('/guest-contributions/mine', open, async (req: Id, reply) => {
    const guest = guestOf(req.headers['x-guest-token']);
    if (!guest) throw new ParticipationProblem('Unauthorized', 401, 'A guest token is required', 'Send the X-Guest-Token header given with the first contribution');
    const target = req.query.target;
    if (!target) throw new ParticipationProblem('BadRequest', 400, 'Invalid input', 'target: the proposal or survey id');
    return reply.header('cache-control', 'no-store').send((await d.guests.mine(guest, target)).map(heldOut));
  });
  app.get('/guest-contributions', open, async (req) => (await d.guests.pending(await d.person(req))).map(heldOut));
  app.post('/guest-contributions/:id/release', open, async (req: Id) => heldOut(await d.guests.release(await d.person(req), req.params.id)));
  app.post('/guest-contributions/:id/reject', open, async (req: Id, reply) => { await d.guests.reject(await d.person(req), req.params.id); return reply.status(204).send(); });

  app.get('/follows', open, async (req, reply) => reply.header('cache-control', 'no-store').send(await d.follows.settings(await d.person(req))));
  app.put('/follows/settings', open, async (req) => d.follows.setMode(await d.person(req), body(req).mode));
  app.put('/follows/:kind/:id', open, async (req: Id) => d.follows.follow(await d.person(req), req.params.kind, req.params.id));
  app.delete('/follows/:kind/:id', open, async (req: Id) => d.follows.unfollow(await d.person(req), req.params.kind, req.params.id));
  // RFC 8058 one-click: a mail client POSTs to the link with the form body List-Unsubscribe=One-Click
  // (url-encoded or multipart; the body is not needed: the token in the address is the proof). No login.
  void app.register(async (oneClick) => {
    acceptForms(oneClick, 4096);
    oneClick.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 4096 }, (_req, _body, done) => done(null, {}));
    oneClick.post('/unsubscribe', open, async (req: Id) => {
      const r = await d.follows.unsubscribe(req.query.token);
      if (!r) throw new ParticipationProblem('BadRequest', 400, 'Invalid input', 'token: not a valid unsubscribe link');
      return { unsubscribed: true, kind: r.kind };
    });
  });
}
