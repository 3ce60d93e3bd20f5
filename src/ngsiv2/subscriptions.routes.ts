// NGSIv2 subscriptions (/v2/subscriptions[/{id}]) onto the NGSI-LD SubscriptionService: the same matcher,
// dispatcher and delivery counters; only the definition and the notification payload are translated.
import type { FastifyInstance } from 'fastify';
import type { SubscriptionService } from '../ngsi-ld/subscriptions/index.ts';
import { V2Error } from './v2.errors.ts';
import { fragmentFromV2, subscriptionFromV2, subscriptionToV2 } from './subscriptions.mapping.ts';
import { checkV2Params, requireJson, v2Int, v2Options, v2Tenant } from './v2.request.ts';
import { sendList, type Req, type V2Deps } from './entities.routes.ts';

const SUBS = { config: { access: { op: 'subscriptions' as const } } };

/** Whose subscriptions the caller sees: all with access control off or for a tenant's operator, else its own. */
function viewerOf(req: Req): string | undefined {
  return req.actor && !req.actor.manager ? req.actor.id : undefined;
}

function subId(req: Req): string {
  const id = req.params.subscriptionId;
  if (!id || id.length > 256 || /[\s<>"']/.test(id)) throw V2Error.badRequest('Invalid subscription id');
  return id;
}

export async function v2SubscriptionRoutes(app: FastifyInstance, deps: V2Deps & { subscriptions: SubscriptionService }): Promise<void> {
  const { subscriptions: subs, terms } = deps;
  const notFound = (e: unknown) => {
    if ((e as { status?: number }).status === 404) throw V2Error.notFound('The requested subscription has not been found. Check id');
    throw e;
  };

  app.post('/subscriptions', SUBS, async (req: Req, reply) => {
    checkV2Params(req.query, new Set());
    requireJson(req);
    const id = await subs.create(v2Tenant(req), subscriptionFromV2(req.body), terms, req.actor?.id);
    return reply.status(201).header('Location', `/v2/subscriptions/${id}`).send();
  });

  app.get('/subscriptions', SUBS, async (req: Req, reply) => {
    checkV2Params(req.query, new Set(['limit', 'offset', 'options']));
    const opts = v2Options(req.query, ['count']);
    const limit = v2Int(req.query, 'limit', 20, 1, deps.maxLimit);
    const offset = v2Int(req.query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const r = await subs.list(v2Tenant(req), { limit, offset }, viewerOf(req));
    return sendList(reply, r.items.map((s) => subscriptionToV2(s, subs.statusOf(s), terms)), opts.has('count') ? r.count : undefined);
  });

  app.get('/subscriptions/:subscriptionId', SUBS, async (req: Req, reply) => {
    checkV2Params(req.query, new Set());
    const s = await subs.get(v2Tenant(req), subId(req), viewerOf(req)).catch(notFound);
    return reply.type('application/json').send(subscriptionToV2(s, subs.statusOf(s), terms));
  });

  app.patch('/subscriptions/:subscriptionId', SUBS, async (req: Req, reply) => {
    checkV2Params(req.query, new Set());
    requireJson(req);
    const fragment = fragmentFromV2(req.body);
    if (Object.keys(fragment).length === 0) throw V2Error.badRequest('empty payload');
    await subs.update(v2Tenant(req), subId(req), fragment, terms, viewerOf(req)).catch(notFound);
    return reply.status(204).send();
  });

  app.delete('/subscriptions/:subscriptionId', SUBS, async (req: Req, reply) => {
    checkV2Params(req.query, new Set());
    await subs.delete(v2Tenant(req), subId(req), viewerOf(req)).catch(notFound);
    return reply.status(204).send();
  });
}
