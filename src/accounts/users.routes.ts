// The user administration API (operators only; audit-logged by the auth hook like every admin
// route): users and their roles, their sessions, and the mail outbox. Everything the admin pages
// will do goes through these routes' services.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequestData, ResourceNotFound } from '../core/errors.ts';
import { problemJson } from '../auth/index.ts';
import type { AccountStore, MailState } from '../storage/port.accounts.ts';
import type { Accounts } from './accounts.setup.ts';
import { userInfo, type NewUser, type UserChange } from './users.service.ts';

type Q = Record<string, string>;

function page(q: Q, known: string[]): { limit: number; offset: number } {
  for (const k of Object.keys(q)) if (![...known, 'limit', 'offset'].includes(k)) throw new BadRequestData(`Unknown parameter ${k}; known: ${[...known, 'limit', 'offset'].join(', ')}`);
  const limit = q.limit === undefined ? 100 : Number(q.limit);
  const offset = q.offset === undefined ? 0 : Number(q.offset);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new BadRequestData('limit: an integer from 1 to 1000');
  if (!Number.isInteger(offset) || offset < 0) throw new BadRequestData('offset: a non-negative integer');
  return { limit, offset };
}

export async function userAdminRoutes(app: FastifyInstance, d: { accounts: Accounts; store: AccountStore }): Promise<void> {
  app.setErrorHandler(problemJson);
  const admin = { config: { access: { op: 'admin' as const } } };
  const users = d.accounts.users;
  type Id = FastifyRequest<{ Params: { id: string } }>;

  app.get('/users', admin, async (req: FastifyRequest<{ Querystring: Q }>) => {
    const p = page(req.query, []);
    return (await users.list(p.limit, p.offset)).map(userInfo);
  });

  app.post('/users', admin, async (req, reply) => {
    const u = await users.create(req.body as NewUser);
    req.auditTarget = `user:${u.id}`;
    return reply.status(201).header('location', `/admin/users/${u.id}`).send(userInfo(u));
  });

  app.get('/users/:id', admin, async (req: Id) => userInfo(await users.get(req.params.id)));

  app.patch('/users/:id', admin, async (req: Id) => {
    req.auditTarget = `user:${req.params.id}`;
    const before = await users.get(req.params.id);
    const after = await users.change(req.params.id, req.body as UserChange);
    if (after.email !== before.email) await d.accounts.login.sendConfirmation(after);
    return userInfo(after);
  });

  app.delete('/users/:id', admin, async (req: Id, reply) => {
    req.auditTarget = `user:${req.params.id}`;
    await users.remove(req.params.id);
    return reply.status(204).send();
  });

  app.post('/users/:id/password-link', admin, async (req: Id, reply) => {
    req.auditTarget = `user:${req.params.id}`;
    await d.accounts.login.invite(req.params.id);
    return reply.status(202).send({ message: 'A link to set a password has been mailed to the user (see GET /admin/outbox without SMTP)' });
  });

  app.get('/users/:id/sessions', admin, async (req: Id) => {
    await users.get(req.params.id);
    return (await d.accounts.sessions.list(req.params.id)).map(({ hash: _h, csrf: _c, ...s }) => s);
  });

  app.delete('/users/:id/sessions', admin, async (req: Id) => {
    req.auditTarget = `user:${req.params.id}`;
    await users.get(req.params.id);
    return { revoked: await d.accounts.sessions.revokeAll(req.params.id) };
  });

  app.delete('/sessions/:id', admin, async (req: Id, reply) => {
    req.auditTarget = `session:${req.params.id}`;
    if (!(await d.accounts.sessions.revokeById(req.params.id))) throw new ResourceNotFound(`No active session with id ${req.params.id}`);
    return reply.status(204).send();
  });

  app.get('/outbox', admin, async (req: FastifyRequest<{ Querystring: Q }>) => {
    const p = page(req.query, ['state', 'to']);
    const state = req.query.state;
    if (state !== undefined && !['pending', 'sent', 'failed'].includes(state)) throw new BadRequestData('state: pending, sent or failed');
    return d.store.listMail({ ...p, state: state as MailState | undefined, to: req.query.to || undefined });
  });
}
